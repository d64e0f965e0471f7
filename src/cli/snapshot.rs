//! `geoproof snapshot`: a map view rendered offline into a PNG from a vector or raster
//! archive (`.pmtiles`, `.mbtiles`) or a `z/x/y` tile folder, with the same meshes the
//! map draws, and the basemap's names placed by the same code as the map's labels.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::json;

use geoproof::vector::labels::render_labelled;
use geoproof::vector::snapshot::View;
use geoproof::vector::{Archive, Theme};

use super::output::print_json;

#[derive(Debug, Args)]
pub struct SnapshotArgs {
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
    /// A .pmtiles or .mbtiles archive (vector or raster tiles) or a z/x/y tile folder.
    #[arg(long)]
    basemap: PathBuf,
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
    let archive = Archive::open(&args.basemap)?;
    let (snap, labels) = render_labelled(&archive, &view)?;
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
            "tiles": if archive.format().is_vector() { "vector" } else { "raster" },
            "schema": snap.schema.map(|s| format!("{s:?}")),
            "tiles_drawn": snap.tiles_drawn,
            "tile_errors": snap.tile_errors,
            // Each basemap label drawn: text, kind, box (left, top, right, bottom px).
            "labels": labels,
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
            snap.source_zoom,
            labels.len()
        );
        for line in snap.notes.iter().chain(&snap.tile_errors) {
            println!("  {line}");
        }
    }
    Ok(())
}
