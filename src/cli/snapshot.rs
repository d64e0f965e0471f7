//! `geoproof snapshot`: a map view rendered offline into a PNG from a vector or raster
//! archive (`.pmtiles`, `.mbtiles`), a `z/x/y` tile folder or an OpenStreetMap extract
//! (`.osm.pbf`, drawn as a street map from its index, built first if need be), with the
//! same meshes the map draws, and the basemap's names (an extract's too) placed by the
//! same code as the map's labels, around the case's marks and labels.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::json;

use geoproof::export::map_snapshot::{Marks, draw_case, lay_out_marks};
use geoproof::osm::index::{OsmIndex, default_cache_dir};
use geoproof::vector::labels::{LabelSource, label_snapshot};
use geoproof::vector::snapshot::{View, render};
use geoproof::vector::{Archive, OsmStreets, Theme};

use super::output::print_json;

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// A case whose imagery layers, findings' circles and loci, and markers with their
    /// labels are drawn over the basemap (as on the app's map).
    case: Option<PathBuf>,
    /// Centre of the view: LAT,LON in degrees.
    #[arg(long, allow_hyphen_values = true)]
    center: String,
    /// Web Mercator zoom (256-pixel tiles), 0 to 22; deeper than the archive is
    /// drawn enlarged.
    #[arg(long)]
    zoom: f64,
    /// Image size WxH in pixels.
    #[arg(long, default_value = "800x600")]
    size: String,
    /// A .pmtiles or .mbtiles archive (vector or raster tiles), a z/x/y tile folder, or
    /// an OpenStreetMap extract (.osm.pbf) drawn as a street map from zoom 12.
    #[arg(long)]
    basemap: PathBuf,
    /// Where the index of an .osm.pbf basemap is cached (default: the user's cache
    /// folder, as for osm-search).
    #[arg(long)]
    index_dir: Option<PathBuf>,
    /// Night colours (vector basemaps).
    #[arg(long)]
    dark: bool,
    /// Where to write the PNG.
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

pub fn snapshot_command(args: SnapshotArgs) -> Result<()> {
    let view = View {
        center: pair(&args.center, ',', "--center")?,
        zoom: args.zoom,
        size: pair(&args.size.to_lowercase(), 'x', "--size")?,
        theme: if args.dark { Theme::Dark } else { Theme::Light },
    };
    let opened = open_basemap(&args.basemap, args.index_dir.as_deref())?;
    let source: &dyn LabelSource = match &opened {
        Basemap::Archive(archive) => archive.as_ref(),
        Basemap::Streets(streets) => streets,
    };
    let mut snap = render(source, &view)?;
    // The case's marks and labels are laid out first; the basemap's names keep clear
    // of them, then the case is drawn over the map.
    let case = args
        .case
        .as_ref()
        .map(|root| geoproof::case::Case::open(root))
        .transpose()?;
    let marks = case
        .as_ref()
        .map(|case| lay_out_marks(&view, case))
        .transpose()?;
    let taken = marks.as_ref().map(Marks::boxes).unwrap_or_default();
    let basemap_labels = label_snapshot(source, &view, &mut snap, &taken)?;
    let overlay = match (&case, &marks) {
        (Some(case), Some(marks)) => {
            let overlay = draw_case(&mut snap.image, &view, case, marks)?;
            snap.notes.extend(overlay.notes.iter().cloned());
            Some(overlay)
        }
        _ => None,
    };
    // Every label drawn, the basemap's names first, then the case's: text,
    // kind, box (left, top, right, bottom px) and angle.
    let mut labels: Vec<serde_json::Value> = basemap_labels
        .iter()
        .map(|l| serde_json::to_value(l).expect("a label serialises"))
        .collect();
    if let Some(o) = &overlay {
        labels.extend(
            o.labels
                .iter()
                .map(|l| json!({ "text": l.text, "kind": "case", "box": l.bounds, "angle": 0.0 })),
        );
    }
    let mut png = Vec::new();
    snap.image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .context("encoding the PNG")?;
    geoproof::fsio::write_atomic(&args.out, &png, false)?;
    let [w, s, e, n] = snap.bounds;
    if args.json {
        print_json(&json!({
            "out": args.out,
            "size": { "width": view.size[0], "height": view.size[1] },
            "bounds": { "west": w, "south": s, "east": e, "north": n },
            "zoom": view.zoom,
            "source_zoom": snap.source_zoom,
            "tiles": opened.kind(),
            "schema": snap.schema.map(|s| format!("{s:?}")),
            "tiles_drawn": snap.tiles_drawn,
            "tile_errors": snap.tile_errors,
            "labels": labels,
            "case": overlay.as_ref().map(|o| json!({
                "marks": o.marks,
                "clusters": o.clusters,
                "loci": o.loci,
                "imagery_layers": o.layers,
            })),
            "notes": snap.notes,
        }))?;
    } else {
        println!(
            "{}: {}x{} at zoom {} ({} tiles from level {}, {} labels), bounds W {w:.6} S {s:.6} E {e:.6} N {n:.6}",
            args.out.display(),
            view.size[0],
            view.size[1],
            view.zoom,
            snap.tiles_drawn,
            snap.source_zoom
                .map_or_else(|| "none".to_owned(), |z| z.to_string()),
            labels.len()
        );
        for line in snap.notes.iter().chain(&snap.tile_errors) {
            println!("  {line}");
        }
    }
    Ok(())
}

/// Whether `path` is an OpenStreetMap PBF extract (by name, then by its first blob
/// header's type).
fn is_osm_pbf(path: &Path) -> bool {
    let name = path.to_string_lossy().to_lowercase();
    if name.ends_with(".osm.pbf") || name.ends_with(".pbf") {
        return true;
    }
    let mut head = [0u8; 32];
    use std::io::Read;
    std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .is_ok_and(|n| head[..n].windows(9).any(|w| w == b"OSMHeader"))
}

/// A basemap opened for a snapshot: a tile archive or folder, or an OSM extract drawn
/// as a street map.
enum Basemap {
    Archive(Box<Archive>),
    Streets(OsmStreets),
}

impl Basemap {
    /// What its tiles are: "vector", "raster" or "osm".
    fn kind(&self) -> &'static str {
        match self {
            Basemap::Archive(a) if a.format().is_vector() => "vector",
            Basemap::Archive(_) => "raster",
            Basemap::Streets(_) => "osm",
        }
    }
}

/// The basemap at `path`; an OSM extract is indexed first (into `index_dir` or the
/// user's cache), with its progress on stderr.
fn open_basemap(path: &Path, index_dir: Option<&Path>) -> Result<Basemap> {
    if path.is_file() && is_osm_pbf(path) {
        let cache = index_dir
            .map(Path::to_owned)
            .or_else(default_cache_dir)
            .ok_or_else(|| {
                anyhow::anyhow!("no cache folder (HOME is not set): give --index-dir")
            })?;
        let never = AtomicBool::new(false);
        let shown = std::sync::atomic::AtomicU32::new(u32::MAX);
        let progress = |f: f64| {
            let pct = (f * 100.0).floor() as u32;
            if shown.swap(pct / 10, std::sync::atomic::Ordering::Relaxed) != pct / 10 {
                eprintln!("{}: indexing {pct}%", path.display());
            }
        };
        let index = OsmIndex::open(path, &cache, &progress, &never)?;
        // An extract without roads is said in the notes (printed or in the JSON).
        return Ok(Basemap::Streets(OsmStreets::new(Arc::new(index), path)));
    }
    Ok(Basemap::Archive(Box::new(Archive::open(path)?)))
}
