//! `geoproof terrain fit | scan | suggest`: the camera that fits a traced skyline best,
//! candidate sites ranked by their best fit, and a proposed trace from a frame's edges.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::json;

use geoproof::terrain::fit::{self, FitOptions, Ranges, ScanOptions, Trace};
use geoproof::terrain::skyline::Camera;
use geoproof::terrain::{HeightRef, Site};

use super::super::output::print_json;
use super::common::{CameraArgs, Common, point, size_arg};

/// The search ranges, degrees either side of the start.
#[derive(Debug, Args)]
struct RangeArgs {
    /// Heading searched ± this (180: all round).
    #[arg(long, value_name = "D")]
    range_heading: Option<f64>,
    #[arg(long, value_name = "D")]
    range_pitch: Option<f64>,
    #[arg(long, value_name = "D")]
    range_roll: Option<f64>,
    /// Field of view searched ± this.
    #[arg(long, value_name = "D")]
    range_fov: Option<f64>,
    /// Degrees between horizon rays.
    #[arg(long, value_name = "D", default_value_t = 0.1)]
    step_deg: f64,
    #[arg(long, value_name = "M", default_value_t = 50_000.0)]
    max_distance: f64,
}

impl RangeArgs {
    fn ranges(&self, defaults: Ranges) -> Ranges {
        Ranges {
            heading_deg: self.range_heading.unwrap_or(defaults.heading_deg),
            pitch_deg: self.range_pitch.unwrap_or(defaults.pitch_deg),
            roll_deg: self.range_roll.unwrap_or(defaults.roll_deg),
            fov_deg: self.range_fov.unwrap_or(defaults.fov_deg),
        }
    }

    fn options(&self, common: &Common) -> Result<FitOptions> {
        Ok(FitOptions {
            step_deg: self.step_deg,
            max_distance_m: self.max_distance,
            curvature: geoproof::terrain::Curvature::new(common.refraction)?,
            ..FitOptions::default()
        })
    }
}

#[derive(Debug, Args)]
pub(super) struct FitArgs {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    camera: CameraArgs,
    /// The traced skyline: JSON polylines in the frame's pixels, `[[[x, y], …], …]` or
    /// `{"polylines": …}` (what `skyline --json` and `suggest --json` print).
    #[arg(long, value_name = "FILE.json")]
    trace: PathBuf,
    #[command(flatten)]
    ranges: RangeArgs,
}

#[derive(Debug, Args)]
pub(super) struct ScanArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long, value_name = "FILE.json")]
    trace: PathBuf,
    #[arg(long, value_name = "WxH")]
    size: String,
    #[arg(long, value_name = "D", allow_hyphen_values = true)]
    fov: f64,
    /// Where the heading search starts (with --range-heading below 180).
    #[arg(
        long,
        value_name = "D",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    heading: f64,
    #[arg(
        long,
        value_name = "D",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    pitch: f64,
    #[arg(
        long,
        value_name = "D",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    roll: f64,
    /// Candidate sites, CSV: `lat,lon[,height_m]` per line (a header line is skipped).
    #[arg(
        long,
        value_name = "FILE.csv",
        conflicts_with = "grid",
        required_unless_present = "grid"
    )]
    sites: Option<PathBuf>,
    /// Sites every STEP_M metres over a box, degrees.
    #[arg(long, value_name = "W,S,E,N,STEP_M", allow_hyphen_values = true)]
    grid: Option<String>,
    /// Camera height above the ground where a site gives none, metres.
    #[arg(long, value_name = "M", default_value_t = 1.7)]
    height: f64,
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Print only the best N (all with --json).
    #[arg(long, value_name = "N", default_value_t = 20)]
    top: usize,
    #[command(flatten)]
    ranges: RangeArgs,
}

#[derive(Debug, Args)]
pub(super) struct SuggestArgs {
    /// The frame (any still geoproof reads), oriented as a viewer shows it.
    #[arg(long, value_name = "IMAGE")]
    image: PathBuf,
    /// Write the proposed trace as JSON (the form `fit --trace` reads).
    #[arg(long, value_name = "OUT.json")]
    out: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

/// Reads a trace file: `[[[x, y], …], …]` or an object with `polylines`.
fn read_trace(path: &Path) -> Result<Trace> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the trace", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    let lines = value.get("polylines").unwrap_or(&value).clone();
    let polylines: Vec<Vec<[f64; 2]>> = serde_json::from_value(lines).with_context(|| {
        format!(
            "{}: expected polylines of [x, y] pixel points, [[[x, y], …], …]",
            path.display()
        )
    })?;
    Ok(Trace { polylines })
}

fn describe(c: &Camera) -> String {
    format!(
        "heading {:.2}°, pitch {:.2}°, roll {:.2}°, field of view {:.2}°",
        c.heading_deg, c.pitch_deg, c.roll_deg, c.fov_deg
    )
}

fn score_line(s: &fit::Score) -> String {
    let mut line = format!(
        "mean {:.3}° (max {:.3}°) over {} traced points",
        s.mean_deg, s.max_deg, s.points
    );
    if s.missing > 0 {
        line += &format!(
            ", {} with no terrain in their direction (counted {}° each)",
            s.missing,
            fit::MISSING_PENALTY_DEG
        );
    }
    if s.incomplete > 0 {
        line += &format!(", {} where the elevation data ran out", s.incomplete);
    }
    line
}

pub(super) fn fit_command(args: FitArgs) -> Result<()> {
    let FitArgs {
        common,
        camera,
        trace,
        ranges,
    } = args;
    let (dem, _) = common.open()?;
    let start = camera.camera(&common)?;
    let traced = read_trace(&trace)?;
    let defaults = Ranges {
        heading_deg: 10.0,
        pitch_deg: 5.0,
        roll_deg: 3.0,
        fov_deg: 5.0,
    };
    let options = ranges.options(&common)?;
    let f = fit::fit_camera(&dem, start, &traced, ranges.ranges(defaults), &options)
        .with_context(|| format!("fitting {}", trace.display()))?;
    if common.json {
        print_json(&json!({
            "fit": f,
            "dem": common.dems,
            "trace": trace,
            "missing_penalty_deg": fit::MISSING_PENALTY_DEG,
            "horizon_step_deg": options.step_deg,
        }))?;
    } else {
        println!("start: {}", describe(&start));
        println!("       {}", score_line(&f.start_score));
        println!("best:  {}", describe(&f.camera));
        println!("       {}", score_line(&f.score));
        println!("({} orientations scored)", f.evaluations);
    }
    Ok(())
}

/// Candidate sites from a CSV file: `lat,lon[,height]`.
fn read_sites(path: &Path, height: f64, reference: HeightRef) -> Result<Vec<Site>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the sites", path.display()))?;
    let mut sites = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if i == 0 && fields.first().is_some_and(|f| f.parse::<f64>().is_err()) {
            continue; // a header
        }
        let bad = || {
            anyhow::anyhow!(
                "{}: line {}: expected lat,lon[,height_m], found {line:?}",
                path.display(),
                i + 1
            )
        };
        if fields.len() < 2 || fields.len() > 3 {
            return Err(bad());
        }
        let at = point(&format!("{},{}", fields[0], fields[1])).map_err(|_| bad())?;
        let height_m = match fields.get(2) {
            Some(h) => h.parse().map_err(|_| bad())?,
            None => height,
        };
        sites.push(Site {
            at,
            height_m,
            reference,
        });
    }
    Ok(sites)
}

fn grid_arg(text: &str, height: f64) -> Result<Vec<Site>> {
    let v: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| anyhow::anyhow!("--grid {text:?}: expected W,S,E,N,STEP_M (numbers)"))?;
    let [w, s, e, n, step] = v[..] else {
        bail!("--grid {text:?}: expected five numbers W,S,E,N,STEP_M");
    };
    Ok(fit::grid_sites([w, s, e, n], step, height)?)
}

pub(super) fn scan_command(args: ScanArgs) -> Result<()> {
    let (dem, _) = args.common.open()?;
    let (width, height_px) = size_arg(&args.size)?;
    let reference = if args.common.absolute {
        HeightRef::Absolute
    } else {
        HeightRef::AboveGround
    };
    let sites = match (&args.sites, &args.grid) {
        (Some(path), _) => read_sites(path, args.height, reference)?,
        (None, Some(grid)) => grid_arg(grid, args.height)?,
        (None, None) => {
            bail!("give the candidate sites: --sites FILE.csv or --grid W,S,E,N,STEP_M")
        }
    };
    let traced = read_trace(&args.trace)?;
    let template = Camera {
        site: sites.first().copied().unwrap_or(Site {
            at: point("0,0")?,
            height_m: args.height,
            reference,
        }),
        heading_deg: args.heading,
        pitch_deg: args.pitch,
        roll_deg: args.roll,
        fov_deg: args.fov,
        width,
        height: height_px,
    };
    let defaults = Ranges {
        heading_deg: 180.0,
        pitch_deg: 10.0,
        roll_deg: 3.0,
        fov_deg: 0.0,
    };
    let options = ScanOptions {
        fit: args.ranges.options(&args.common)?,
        ranges: args.ranges.ranges(defaults),
        threads: args.threads,
    };
    let cancel = AtomicBool::new(false);
    let quiet = args.common.json;
    let progress = |done: usize, total: usize| {
        if !quiet && (done.is_multiple_of(50) || done == total) {
            eprintln!("scanned {done} of {total} sites");
        }
    };
    let ranked = fit::scan(
        &dem, &sites, template, &traced, &options, &progress, &cancel,
    )?;
    if args.common.json {
        return print_json(&json!({
            "ranking": ranked,
            "dem": args.common.dems,
            "trace": args.trace,
            "ranges": options.ranges,
            "missing_penalty_deg": fit::MISSING_PENALTY_DEG,
            "horizon_step_deg": options.fit.step_deg,
        }));
    }
    let failed = ranked.iter().filter(|r| r.fit.is_none()).count();
    for r in ranked.iter().filter(|r| r.fit.is_some()).take(args.top) {
        if let Some(f) = &r.fit {
            println!(
                "{:4}. {} ({:.1} m): {:.3}° — {}",
                r.rank,
                r.site.at.to_decimal(),
                r.site.height_m,
                f.score.mean_deg,
                describe(&f.camera)
            );
        }
    }
    if failed > 0 {
        let first = ranked.iter().find_map(|r| r.error.as_ref());
        println!(
            "{failed} site(s) not fitted{}",
            first.map(|e| format!(", e.g. {e}")).unwrap_or_default()
        );
    }
    Ok(())
}

pub(super) fn suggest_command(args: SuggestArgs) -> Result<()> {
    let loaded = geoproof::evidence::load_oriented(&args.image, 4096)?;
    let s =
        fit::suggest_skyline(&loaded.image).with_context(|| format!("{}", args.image.display()))?;
    // Back to the full oriented frame's pixels when the image was loaded smaller.
    let k = f64::from(loaded.width) / f64::from(loaded.image.width().max(1));
    let trace = Trace {
        polylines: s
            .trace
            .polylines
            .iter()
            .map(|l| l.iter().map(|p| [p[0] * k, p[1] * k]).collect())
            .collect(),
    };
    let document = json!({
        "image": args.image,
        "width": loaded.width,
        "height": loaded.height,
        "columns": s.columns,
        "found": s.found,
        "polylines": trace.polylines,
        "note": "a proposal from the frame's edges: check and edit it before fitting",
    });
    if let Some(out) = &args.out {
        let text = serde_json::to_string_pretty(&document)? + "\n";
        geoproof::fsio::write_atomic(out, text.as_bytes(), false)?;
    }
    if args.json {
        print_json(&document)?;
    } else {
        println!(
            "{}: a skyline proposed in {} of {} columns, {} run(s){}",
            args.image.display(),
            s.found,
            s.columns,
            trace.polylines.len(),
            args.out
                .map(|o| format!(", written to {}", o.display()))
                .unwrap_or_default()
        );
    }
    Ok(())
}
