//! The before/after figure: two imagery layers rendered at the same map view, side by
//! side, each captioned with its name and its date as the case records it (kind and
//! source said: "captured, from file (…)", "entered", "released (not a capture date)",
//! or "date unknown"). Drawn as the same plain items as a finding's figure, so the PNG
//! and the SVG come from the same raster and vector writers.

use std::path::{Path, PathBuf};

use image::RgbImage;

use super::model::{
    BASE_WIDTH, Figure, GREY, INK, Item, PANEL_BG, PANEL_CAPTION_SIZE, Source, WHITE, rect_points,
};
use super::text::Typesetter;
use super::{FigureError, RequestError, png, svg};
use crate::imagery::LayerDate;
use crate::imagery::view::MapView;

const MARGIN: f64 = 24.0;
const GAP: f64 = 16.0;
const TITLE_SIZE: f64 = 22.0;
const NOTE_SIZE: f64 = 13.0;

/// One side of the figure: a layer's picture of the view and its date.
pub struct DatedPicture {
    /// The layer's file name.
    pub name: String,
    pub pixels: RgbImage,
    pub date: Option<LayerDate>,
}

pub struct BeforeAfter {
    pub title: String,
    pub view: MapView,
    /// Left, then right. With both dates known, the earlier is put on the left.
    pub pictures: [DatedPicture; 2],
    /// Output width in pixels.
    pub width: u32,
}

/// The caption under one side: "Before · name" and its date line.
fn side_label(i: usize, ordered: bool) -> &'static str {
    match (i, ordered) {
        (0, true) => "Before",
        (1, true) => "After",
        (0, false) => "A",
        _ => "B",
    }
}

/// Lays the figure out: title, the two pictures in one row, each captioned, then the
/// view's centre, zoom and bounds.
pub fn build(request: BeforeAfter, ts: &mut Typesetter) -> Result<Figure, FigureError> {
    if !(200..=20_000).contains(&request.width) {
        return Err(RequestError::Width {
            width: request.width,
        }
        .into());
    }
    let BeforeAfter {
        title,
        view,
        mut pictures,
        width,
    } = request;
    let ordered = pictures[0].date.is_some() && pictures[1].date.is_some();
    if let (Some(a), Some(b)) = (&pictures[0].date, &pictures[1].date)
        && a.date > b.date
    {
        pictures.swap(0, 1);
    }
    let w = f64::from(width);
    let k = w / BASE_WIDTH;
    let (margin, gap) = (MARGIN * k, GAP * k);
    let mut items = vec![Item::Fill {
        points: rect_points([0.0, 0.0, w, 0.0]),
        color: WHITE,
    }];
    let mut y = margin;
    let block = ts.layout(&title, TITLE_SIZE * k, Some(w - 2.0 * margin), true);
    items.push(Item::Path {
        commands: block.placed([margin, y]),
        color: INK,
    });
    y += block.height + gap;
    let cell_w = (w - 2.0 * margin - gap) / 2.0;
    let aspect = f64::from(view.size[1]) / f64::from(view.size[0]);
    let cell_h = cell_w * aspect;
    let mut sources = Vec::new();
    let mut provenance = Vec::new();
    let mut caption_bottom: f64 = 0.0;
    for (i, picture) in pictures.into_iter().enumerate() {
        let x = margin + i as f64 * (cell_w + gap);
        let rect = [x, y, x + cell_w, y + cell_h];
        items.push(Item::Fill {
            points: rect_points(rect),
            color: PANEL_BG,
        });
        let (pw, ph) = (picture.pixels.width(), picture.pixels.height());
        if pw == 0 || ph == 0 {
            return Err(super::RenderError::EmptySource { name: picture.name }.into());
        }
        let s = cell_w / f64::from(pw);
        items.push(Item::BeginClip(rect));
        items.push(Item::Image {
            source: i,
            transform: [s, 0.0, 0.0, cell_h / f64::from(ph), x, y],
        });
        items.push(Item::EndClip);
        let date = crate::imagery::dates::caption(picture.date.as_ref());
        let mut cy = y + cell_h + 6.0 * k;
        for (text, bold, color) in [
            (
                format!("{} · {}", side_label(i, ordered), picture.name),
                true,
                INK,
            ),
            (date.clone(), false, GREY),
        ] {
            let line = ts.layout(&text, PANEL_CAPTION_SIZE * k, Some(cell_w), bold);
            items.push(Item::Path {
                commands: line.placed([x, cy]),
                color,
            });
            cy += line.height;
        }
        caption_bottom = caption_bottom.max(cy);
        let digest = crate::evidence::sha256_hex(picture.pixels.as_raw());
        provenance.push(serde_json::json!({
            "panel": side_label(i, ordered),
            "layer": picture.name,
            "date": picture.date,
            "date_caption": date,
            "rendered_sha256": digest,
        }));
        sources.push(Source {
            panel: side_label(i, ordered).to_owned(),
            sha256: digest,
            name: picture.name,
            kind: "imagery_view",
            full_size: [pw, ph],
            pixels: picture.pixels,
            scale: 1.0,
        });
    }
    y = caption_bottom + gap;
    let block = ts.layout(
        &view_note(&view),
        NOTE_SIZE * k,
        Some(w - 2.0 * margin),
        false,
    );
    items.push(Item::Path {
        commands: block.placed([margin, y]),
        color: GREY,
    });
    y += block.height + margin;
    items[0] = Item::Fill {
        points: rect_points([0.0, 0.0, w, y.ceil()]),
        color: WHITE,
    };
    Ok(Figure {
        width,
        height: y.ceil() as u32,
        items,
        sources,
        provenance,
        finding: String::new(),
        title,
    })
}

/// "Same view for both: centre …, zoom …; west …, south …" under the pictures.
fn view_note(view: &MapView) -> String {
    let b = view.bounds();
    format!(
        "Same view for both: centre {:.6}, {:.6}, zoom {:.2}; west {:.5}, south {:.5}, east \
         {:.5}, north {:.5} (degrees, WGS 84). Rendered by geoproof {}.",
        view.center[0],
        view.center[1],
        view.zoom,
        b[0],
        b[1],
        b[2],
        b[3],
        env!("CARGO_PKG_VERSION")
    )
}

/// A layer's file and its date as the case records it (or as entered for the figure).
#[derive(Debug, Clone, PartialEq)]
pub struct DatedFile {
    pub path: PathBuf,
    pub date: Option<LayerDate>,
}

/// Renders both files at `view` and lays them out (GDAL opens each file here: call it
/// off the UI thread).
pub fn from_files(
    title: &str,
    view: &MapView,
    files: [DatedFile; 2],
    width: u32,
    ts: &mut Typesetter,
) -> Result<Figure, FigureError> {
    let picture = |f: DatedFile| -> Result<DatedPicture, FigureError> {
        let reader = crate::imagery::ImageryReader::open(&f.path).map_err(Box::new)?;
        let pixels = crate::imagery::view::render_view(&reader, view)?;
        Ok(DatedPicture {
            name: f.path.file_name().map_or_else(
                || f.path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            pixels: image::DynamicImage::ImageRgba8(pixels).into_rgb8(),
            date: f.date,
        })
    };
    let [a, b] = files;
    build(
        BeforeAfter {
            title: title.to_owned(),
            view: *view,
            pictures: [picture(a)?, picture(b)?],
            width,
        },
        ts,
    )
}

/// Writes the figure as PNG and/or SVG (atomically) with a `<name>.manifest.json`
/// naming both layers, their dates and the view. Returns the files written.
pub fn export(
    figure: &Figure,
    view: &MapView,
    png_path: Option<&Path>,
    svg_path: Option<&Path>,
) -> Result<Vec<(PathBuf, String)>, FigureError> {
    let first = png_path.or(svg_path).ok_or(RequestError::NoOutput)?;
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    if let Some(p) = png_path {
        files.push((p.to_owned(), png(figure, false)?));
    }
    if let Some(p) = svg_path {
        files.push((p.to_owned(), svg(figure)?.into_bytes()));
    }
    let mut outputs = Vec::new();
    for (path, bytes) in &files {
        crate::fsio::write_atomic(path, bytes, false)?;
        outputs.push((path.clone(), crate::evidence::sha256_hex(bytes)));
    }
    let manifest = serde_json::json!({
        "program": format!("geoproof {}", env!("CARGO_PKG_VERSION")),
        "kind": "before_after",
        "title": figure.title,
        "created": chrono::Utc::now(),
        "width": figure.width,
        "height": figure.height,
        "view": { "center": view.center, "zoom": view.zoom, "size": view.size,
                  "bounds": view.bounds() },
        "outputs": outputs.iter().map(|(p, sha)| serde_json::json!({
            "file": p.file_name().map(|n| n.to_string_lossy().into_owned()), "sha256": sha
        })).collect::<Vec<_>>(),
        "sources": figure.provenance,
    });
    let bytes =
        crate::case::store::to_sorted_json_bytes(manifest).map_err(super::RenderError::from)?;
    crate::fsio::write_atomic(&first.with_extension("manifest.json"), &bytes, false)?;
    Ok(outputs)
}
