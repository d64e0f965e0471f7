//! `geoproof imagery-dates FILE…`: the dates imagery files state (metadata keys, product
//! names), and `geoproof before-after`: two layers rendered at one view side by side,
//! each captioned with its date, as a PNG or SVG figure with a manifest.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::json;

use geoproof::export::figure::Typesetter;
use geoproof::export::figure::before_after::{self, DatedFile};
use geoproof::imagery::dates::{self, DateKind, LayerDate};
use geoproof::imagery::view::MapView;

use super::output::print_json;

#[derive(Debug, Args)]
pub struct ImageryDatesArgs {
    /// GeoTIFF or JPEG 2000 files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[arg(long)]
    json: bool,
}

pub fn imagery_dates_command(args: ImageryDatesArgs) -> Result<()> {
    let mut out = Vec::new();
    for file in &args.files {
        let found = geoproof::imagery::file_dates(file)?;
        let best = dates::best(&found);
        if !args.json {
            println!("{}: {}", file.display(), dates::caption(best.as_ref()));
            for f in found.iter().skip(1) {
                println!("  also: {}", f.recorded().caption());
            }
        }
        out.push(json!({ "file": file, "date": best, "found": found }));
    }
    if args.json {
        print_json(&json!(out))?;
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct BeforeAfterArgs {
    /// The first layer (GeoTIFF / JPEG 2000).
    a: PathBuf,
    /// The second layer; with both dates known the earlier goes on the left.
    b: PathBuf,
    /// Centre of the view: LAT,LON in degrees.
    #[arg(long, allow_hyphen_values = true)]
    center: String,
    /// Web Mercator zoom (256-pixel tiles), 0 to 22.
    #[arg(long)]
    zoom: f64,
    /// Size of each panel's view, WxH pixels.
    #[arg(long, default_value = "800x600")]
    size: String,
    /// The case whose recorded layer dates caption the panels (otherwise the files'
    /// own dates, or --date-a / --date-b).
    #[arg(long)]
    case: Option<PathBuf>,
    /// A's date as entered (YYYY-MM-DD), when neither the case nor the file has one.
    #[arg(long)]
    date_a: Option<String>,
    #[arg(long)]
    date_b: Option<String>,
    /// The entered dates are release dates, not capture dates.
    #[arg(long)]
    release: bool,
    #[arg(long, default_value = "Imagery before and after")]
    title: String,
    /// Figure width in pixels.
    #[arg(long, default_value_t = 2400)]
    width: u32,
    /// Where to write: .png or .svg (a .manifest.json is written beside it).
    #[arg(long)]
    out: PathBuf,
    #[arg(long)]
    json: bool,
}

fn pair<T: std::str::FromStr>(text: &str, sep: char, what: &str) -> Result<[T; 2]> {
    let parse = |s: &str| s.trim().parse::<T>().ok();
    match text.split_once(sep).map(|(a, b)| (parse(a), parse(b))) {
        Some((Some(a), Some(b))) => Ok([a, b]),
        _ => bail!("{what} '{text}' is not of the form A{sep}B"),
    }
}

/// The date to caption `file` with: the case's record, else the file's own, else the
/// one entered on the command line, else unknown.
fn date_of(
    file: &Path,
    case: Option<&geoproof::case::Case>,
    entered: Option<&str>,
    kind: DateKind,
) -> Result<Option<LayerDate>> {
    if let Some(text) = entered {
        return Ok(Some(LayerDate::entered(text, kind)?));
    }
    if let Some(case) = case {
        let wanted = std::fs::canonicalize(file).ok();
        let recorded = case.meta().imagery_layers.iter().find(|l| {
            let p = case.imagery_path(l);
            std::fs::canonicalize(&p).ok() == wanted && wanted.is_some()
        });
        if let Some(layer) = recorded {
            return Ok(layer.date.clone());
        }
    }
    Ok(dates::best(&geoproof::imagery::file_dates(file)?))
}

pub fn before_after_command(args: BeforeAfterArgs) -> Result<()> {
    let size: [u32; 2] = pair(&args.size.to_lowercase(), 'x', "--size")?;
    let view = MapView {
        center: pair(&args.center, ',', "--center")?,
        zoom: args.zoom,
        size,
    };
    view.check()?;
    let case = match &args.case {
        Some(p) => Some(geoproof::case::Case::open_read_only(p)?),
        None => None,
    };
    let kind = if args.release {
        DateKind::Release
    } else {
        DateKind::Capture
    };
    let files = [
        DatedFile {
            path: args.a.clone(),
            date: date_of(&args.a, case.as_ref(), args.date_a.as_deref(), kind)?,
        },
        DatedFile {
            path: args.b.clone(),
            date: date_of(&args.b, case.as_ref(), args.date_b.as_deref(), kind)?,
        },
    ];
    let captions: Vec<String> = files
        .iter()
        .map(|f| format!("{}: {}", f.path.display(), dates::caption(f.date.as_ref())))
        .collect();
    let mut ts = Typesetter::new()?;
    let figure = before_after::from_files(&args.title, &view, files, args.width, &mut ts)?;
    let svg = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let (png, svg) = if svg {
        (None, Some(args.out.as_path()))
    } else {
        (Some(args.out.as_path()), None)
    };
    let outputs = before_after::export(&figure, &view, png, svg)
        .with_context(|| format!("writing {}", args.out.display()))?;
    if args.json {
        print_json(&json!({
            "out": args.out,
            "sha256": outputs.first().map(|(_, s)| s),
            "width": figure.width,
            "height": figure.height,
            "bounds": view.bounds(),
            "panels": figure.provenance,
        }))?;
    } else {
        println!(
            "{}: {}x{} px figure",
            args.out.display(),
            figure.width,
            figure.height
        );
        for c in captions {
            println!("  {c}");
        }
    }
    Ok(())
}
