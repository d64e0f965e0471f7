//! Publication figures of a finding: its panels side by side with every annotation and
//! linked-feature number drawn exactly as on the board (the same `board::marks`), zoomed
//! insets, a legend of linked features and a caption block; map panels carry a scale bar
//! and a north arrow. The figure is first built as a list of plain drawing items in
//! figure pixels; `raster` paints them into a PNG and `svg` writes them as vectors over
//! the embedded images, so the two outputs (and the app's preview, which is the raster)
//! cannot drift apart.

mod compose;
mod error;
mod raster;
mod svg;
pub mod text;

use std::path::{Path, PathBuf};

use image::RgbImage;
use serde::Serialize;

use crate::board::ViewTransform;
use crate::board::geometry;
use crate::board::marks::{Mark, ink_for};
use crate::case::comparison::{Panel, PanelSource};
use crate::case::{Case, EvidenceKind, Finding, store};
pub use compose::build;
pub use error::RenderError;
pub use text::{PathCmd, TextBlock, Typesetter};

/// Why a figure could not be made or written. The message names the finding, panel or
/// file and the cause.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    /// The request cannot make a figure: no panels, a width out of range, a layout that
    /// does not fit the panels, an inset of an unknown annotation.
    #[error("{0}")]
    Request(String),
    /// A panel's picture cannot be located, read or decoded.
    #[error("{0}")]
    Panel(String),
    /// A redaction does not lie on its panel's picture (never silently clipped).
    #[error("{0}")]
    Redaction(String),
    /// Shaping text or encoding the PNG, SVG or manifest failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// An output, the manifest or the audit log entry could not be written.
    #[error("{0}")]
    Write(String),
}

/// The UI reports errors as text in its status line.
impl From<FigureError> for String {
    fn from(e: FigureError) -> String {
        e.to_string()
    }
}

/// The layout's reference width: sizes below are for a figure this wide and scale with it.
const BASE_WIDTH: f64 = 1200.0;

#[derive(Debug, Clone, PartialEq)]
pub struct FigureOptions {
    /// Output width in pixels.
    pub width: u32,
    pub figure_number: u32,
    /// Shown under the title; the finding's verdict when `None`.
    pub description: Option<String>,
    /// Extra source/credit lines (the panels' sources are always listed).
    pub credits: Vec<String>,
    /// Annotation ids shown enlarged below the panels.
    pub insets: Vec<String>,
    /// Writes title, finding id and program into the PNG (never EXIF, GPS or XMP).
    pub include_metadata: bool,
    /// Panels per row, top to bottom (`[3, 2]`: three, then two, each row filling the
    /// width); empty: one row for up to three panels, else a square-ish grid.
    pub layout: Vec<usize>,
}

impl Default for FigureOptions {
    fn default() -> FigureOptions {
        FigureOptions {
            width: 2400,
            figure_number: 1,
            description: None,
            credits: Vec::new(),
            insets: Vec::new(),
            include_metadata: false,
            layout: Vec::new(),
        }
    }
}

/// One drawing operation, in figure pixels.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Source image `source` drawn through `transform` (source pixel → figure pixel,
    /// `[a, b, c, d, e, f]` as in SVG's `matrix`); the enclosing clip bounds it.
    Image {
        source: usize,
        transform: [f64; 6],
    },
    Stroke {
        points: Vec<[f64; 2]>,
        closed: bool,
        color: [u8; 4],
        width: f64,
    },
    Fill {
        points: Vec<[f64; 2]>,
        color: [u8; 4],
    },
    Circle {
        center: [f64; 2],
        radius: f64,
        fill: [u8; 4],
        outline: Option<([u8; 4], f64)>,
    },
    /// Filled outlines (text).
    Path {
        commands: Vec<PathCmd>,
        color: [u8; 4],
    },
    /// Items until the matching `EndClip` are clipped to the rectangle.
    BeginClip([f64; 4]),
    EndClip,
}

/// An image used by the figure, decoded at the resolution the figure needs.
pub struct Source {
    pub panel: String,
    pub sha256: String,
    pub name: String,
    pub kind: &'static str,
    pub pixels: RgbImage,
    /// Full-resolution pixels per decoded pixel.
    pub scale: f64,
    pub full_size: [u32; 2],
}

pub struct Figure {
    pub width: u32,
    pub height: u32,
    pub items: Vec<Item>,
    pub sources: Vec<Source>,
    /// What each source contributed (crop, transform), for the manifest.
    pub provenance: Vec<serde_json::Value>,
    pub finding: String,
    pub title: String,
}

pub(super) const WHITE: [u8; 4] = [255, 255, 255, 255];
const INK: [u8; 4] = [20, 20, 20, 255];
const GREY: [u8; 4] = [90, 90, 90, 255];
const PANEL_BG: [u8; 4] = [32, 32, 32, 255];
/// Text size of a panel's caption (at the reference width).
const PANEL_CAPTION_SIZE: f64 = 14.0;

/// The rows of panels: (panels in the row, panels the row's width is divided by).
fn rows(n: usize, layout: &[usize]) -> Result<Vec<(usize, usize)>, String> {
    if layout.is_empty() {
        let cols = if n <= 3 {
            n
        } else {
            (n as f64).sqrt().ceil() as usize
        };
        return Ok((0..n)
            .step_by(cols.max(1))
            .map(|start| ((n - start).min(cols), cols))
            .collect());
    }
    let places: usize = layout.iter().sum();
    if layout.contains(&0) || places != n {
        let text: Vec<String> = layout.iter().map(usize::to_string).collect();
        return Err(format!(
            "layout {} has {places} places in rows of at least one, but the finding has {n} panels",
            text.join(",")
        ));
    }
    Ok(layout.iter().map(|&c| (c, c)).collect())
}

/// Every redaction must lie on its panel's picture: one drawn for another image (or
/// edited by hand to reach outside) is an error, never silently clipped or dropped.
fn check_redactions(finding: &Finding, pictures: &[Picture]) -> Result<(), String> {
    for a in finding.annotations.iter().filter(|a| a.redaction.is_some()) {
        let Some(i) = finding.panels.iter().position(|p| p.id == a.panel) else {
            continue;
        };
        let r = a.redaction.as_ref().expect("filtered");
        crate::export::redact::check_on_image(&a.shape, r, pictures[i].size).map_err(|e| {
            format!(
                "{}: redaction {} on panel {} of finding {}: {e}",
                pictures[i].path.display(),
                a.id,
                a.panel,
                finding.id
            )
        })?;
    }
    Ok(())
}

fn rgba(c: [u8; 3]) -> [u8; 4] {
    [c[0], c[1], c[2], 255]
}

fn rect_points(r: [f64; 4]) -> Vec<[f64; 2]> {
    geometry::corners(r).to_vec()
}

/// How a panel is seen in a figure: the whole image fitted into its cell, with the
/// panel's viewing rotation and mirroring.
fn fitted(panel: &Panel, size: [f64; 2], cell: [f64; 4]) -> ViewTransform {
    ViewTransform::fit(
        size,
        [cell[2] - cell[0], cell[3] - cell[1]],
        [(cell[0] + cell[2]) / 2.0, (cell[1] + cell[3]) / 2.0],
        panel.view.quarter_turns,
        panel.view.flip_horizontal,
    )
}

/// Source pixel → figure pixel, as an affine matrix.
fn image_matrix(view: &ViewTransform, scale: f64) -> [f64; 6] {
    let o = view.to_screen([0.0, 0.0]);
    let x = view.to_screen([scale, 0.0]);
    let y = view.to_screen([0.0, scale]);
    [
        x[0] - o[0],
        x[1] - o[1],
        y[0] - o[0],
        y[1] - o[1],
        o[0],
        o[1],
    ]
}

/// A panel's picture as found on disk, before decoding: its file, what the figure calls
/// it, and its oriented full-resolution size.
struct Picture {
    path: PathBuf,
    sha256: String,
    name: String,
    kind: &'static str,
    size: [f64; 2],
}

/// Finds a panel's picture with one lookup in the case; the size comes from the record,
/// or from the file's header when the record has none (map snapshots).
fn locate_picture(case: &Case, panel: &Panel) -> Result<Picture, String> {
    let file = case.panel_file(&panel.source).map_err(|e| e.to_string())?;
    let name = match &panel.source {
        PanelSource::MapSnapshot { file, .. } => format!("map snapshot {file}"),
        PanelSource::Evidence { .. } => file.name,
    };
    let [w, h] = match file.oriented_size {
        Some(size) => size,
        None => {
            let (w, h) = image::image_dimensions(&file.path)
                .map_err(|e| format!("{}: {e}", file.path.display()))?;
            [w, h]
        }
    };
    Ok(Picture {
        path: file.path,
        sha256: file.sha256,
        name,
        kind: file.kind,
        size: [f64::from(w), f64::from(h)],
    })
}

/// The finding as a figure shows it: on a video panel, only the annotations drawn on
/// the frame the panel shows.
fn on_shown_frames(finding: &Finding) -> Finding {
    let mut f = finding.clone();
    let frames: std::collections::HashMap<&str, Option<u64>> = finding
        .panels
        .iter()
        .map(|p| (p.id.as_str(), p.frame.map(|fr| fr.index)))
        .collect();
    f.annotations.retain(|a| {
        a.frame.is_none() || a.shows_on(frames.get(a.panel.as_str()).copied().flatten().or(Some(0)))
    });
    f
}

/// A panel's picture at up to `max_side` pixels: the image, or for a video the frame
/// the panel shows (frame 0 if it never showed another), decoded exactly by ffmpeg.
fn panel_picture(
    case: &Case,
    panel: &Panel,
    path: &Path,
    max_side: u32,
) -> Result<(image::DynamicImage, u32, u32), String> {
    let record = match &panel.source {
        PanelSource::Evidence { sha256 } => case.find_evidence(sha256).ok(),
        PanelSource::MapSnapshot { .. } => None,
    };
    // A map snapshot is a still picture like a photo.
    let record = match record.map(|r| (r.kind(), r)) {
        None | Some((EvidenceKind::Photo, _)) => {
            // The record carries the decoders' warnings (rows missing and so on).
            return crate::evidence::load_oriented(path, max_side)
                .map(|l| (l.image, l.width, l.height))
                .map_err(|e| e.to_string());
        }
        Some((EvidenceKind::Video, record)) => record,
    };
    let video = case.open_video(&record.sha256).map_err(|e| e.to_string())?;
    let index = panel.frame.map_or(0, |f| f.index as usize);
    let frame = video.decode(index).map_err(|e| e.to_string())?;
    let (w, h) = frame.image.dimensions();
    let image = image::DynamicImage::ImageRgba8(frame.image);
    let image = if w.max(h) > max_side {
        image.thumbnail(max_side, max_side)
    } else {
        image
    };
    Ok((image, w, h))
}

/// What a panel shows, at full resolution, with its redactions applied: the picture the
/// board's *Copy image* and *Export image* hand out (a video panel: the frame it shows).
pub fn redacted_panel_image(
    case: &Case,
    finding: &Finding,
    panel_id: &str,
) -> Result<RgbImage, FigureError> {
    let finding = &on_shown_frames(finding);
    let panel = finding
        .panels
        .iter()
        .find(|p| p.id == panel_id)
        .ok_or_else(|| {
            FigureError::Request(format!("finding {} has no panel {panel_id}", finding.id))
        })?;
    let picture = locate_picture(case, panel).map_err(FigureError::Panel)?;
    let mut alone = finding.clone();
    alone.annotations.retain(|a| a.panel == panel.id);
    alone.panels = vec![panel.clone()];
    check_redactions(&alone, std::slice::from_ref(&picture)).map_err(FigureError::Redaction)?;
    let (image, full_w, _) =
        panel_picture(case, panel, &picture.path, u32::MAX).map_err(FigureError::Panel)?;
    let mut pixels = image.into_rgb8();
    let scale = f64::from(full_w) / f64::from(pixels.width().max(1));
    crate::export::redact::apply_panel(&mut pixels, &alone.annotations, scale);
    Ok(pixels)
}

fn tag_items(items: &mut Vec<Item>, tag: &TextBlock, at: [f64; 2], k: f64) {
    let pad = 4.0 * k;
    items.push(Item::Fill {
        points: rect_points([
            at[0],
            at[1],
            at[0] + tag.width + 2.0 * pad,
            at[1] + tag.height + pad,
        ]),
        color: [0, 0, 0, 190],
    });
    items.push(Item::Path {
        commands: tag.placed([at[0] + pad, at[1] + pad / 2.0]),
        color: WHITE,
    });
}

fn badge_items(
    items: &mut Vec<Item>,
    ts: &mut Typesetter,
    center: [f64; 2],
    radius: f64,
    number: u32,
    color: [u8; 3],
) {
    items.push(Item::Circle {
        center,
        radius,
        fill: rgba(color),
        outline: Some(([0, 0, 0, 255], radius / 9.0)),
    });
    let text = ts.layout(&number.to_string(), radius * 1.3, None, true);
    items.push(Item::Path {
        commands: text.placed([center[0] - text.width / 2.0, center[1] - text.height / 2.0]),
        color: rgba(ink_for(color)),
    });
}

/// The board's marks as figure items (labels and badges shaped like all figure text).
/// A label that would leave its panel's `cell` (x0, y0, x1, y1) is moved inside it.
fn mark_items(mark: &Mark, ts: &mut Typesetter, cell: [f64; 4], items: &mut Vec<Item>) {
    match mark {
        Mark::Line {
            points,
            closed,
            color,
            width,
        } => items.push(Item::Stroke {
            points: points.clone(),
            closed: *closed,
            color: rgba(*color),
            width: *width,
        }),
        Mark::Triangle { points, color } => items.push(Item::Fill {
            points: points.to_vec(),
            color: rgba(*color),
        }),
        Mark::Dot {
            center,
            radius,
            color,
        } => items.push(Item::Circle {
            center: *center,
            radius: *radius,
            fill: rgba(*color),
            outline: Some(([0, 0, 0, 255], 1.0)),
        }),
        Mark::Label {
            pos,
            text,
            color,
            size,
        } => {
            let block = ts.layout(text, *size, None, false);
            let pad = size * 0.15;
            let pos = &inside(*pos, [block.width, block.height], pad, cell);
            items.push(Item::Fill {
                points: rect_points([
                    pos[0] - pad,
                    pos[1] - pad,
                    pos[0] + block.width + pad,
                    pos[1] + block.height + pad,
                ]),
                color: [0, 0, 0, 190],
            });
            items.push(Item::Path {
                commands: block.placed(*pos),
                color: rgba(*color),
            });
        }
        Mark::Badge {
            center,
            number,
            color,
            radius,
        } => badge_items(items, ts, *center, *radius, *number, *color),
    }
}

/// Where a block of `size` placed at `pos` (its top left) lies wholly inside `cell`,
/// with `pad` around it; unchanged when it already does. A block larger than the cell
/// keeps its top left corner inside.
fn inside(pos: [f64; 2], size: [f64; 2], pad: f64, cell: [f64; 4]) -> [f64; 2] {
    let clamp = |v: f64, lo: f64, hi: f64| if hi < lo { lo } else { v.clamp(lo, hi) };
    [
        clamp(pos[0], cell[0] + pad, cell[2] - size[0] - pad),
        clamp(pos[1], cell[1] + pad, cell[3] - size[1] - pad),
    ]
}

/// A scale bar (bottom left) and a north arrow (top right) for a map panel.
fn map_decorations(
    items: &mut Vec<Item>,
    ts: &mut Typesetter,
    view: &ViewTransform,
    size: [f64; 2],
    bounds: [f64; 4],
    cell: [f64; 4],
    k: f64,
) {
    let [west, south, east, north] = bounds;
    let mid_lat = (south + north) / 2.0;
    let across_m = crate::spatial::distance_m(
        crate::spatial::LatLon {
            lat: mid_lat,
            lon: west,
        },
        crate::spatial::LatLon {
            lat: mid_lat,
            lon: east,
        },
    );
    let metres_per_figure_px = across_m / (size[0] * view.zoom);
    if !(metres_per_figure_px.is_finite() && metres_per_figure_px > 0.0) {
        return;
    }
    let target = metres_per_figure_px * (cell[2] - cell[0]) * 0.25;
    let magnitude = 10f64.powf(target.log10().floor());
    let nice = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|f| f * magnitude)
        .rfind(|v| *v <= target)
        .unwrap_or(magnitude);
    let bar = nice / metres_per_figure_px;
    let x0 = cell[0] + 14.0 * k;
    let y0 = cell[3] - 18.0 * k;
    let label = if nice >= 1000.0 {
        format!("{} km", nice / 1000.0)
    } else {
        format!("{nice} m")
    };
    let text = ts.layout(&label, 13.0 * k, None, true);
    items.push(Item::Fill {
        points: rect_points([
            x0 - 6.0 * k,
            y0 - text.height - 8.0 * k,
            x0 + bar.max(text.width) + 6.0 * k,
            y0 + 8.0 * k,
        ]),
        color: [255, 255, 255, 210],
    });
    items.push(Item::Stroke {
        points: vec![
            [x0, y0 - 5.0 * k],
            [x0, y0],
            [x0 + bar, y0],
            [x0 + bar, y0 - 5.0 * k],
        ],
        closed: false,
        color: INK,
        width: 2.0 * k,
    });
    items.push(Item::Path {
        commands: text.placed([x0, y0 - text.height - 6.0 * k]),
        color: INK,
    });
    // North is image-up on a Web Mercator snapshot; the panel's rotation turns it.
    let c = [cell[2] - 30.0 * k, cell[1] + 46.0 * k];
    let up = {
        let a = view.to_screen([0.0, 0.0]);
        let b = view.to_screen([0.0, -1.0]);
        let len = (b[0] - a[0]).hypot(b[1] - a[1]).max(1e-9);
        [(b[0] - a[0]) / len, (b[1] - a[1]) / len]
    };
    let r = 16.0 * k;
    items.push(Item::Circle {
        center: c,
        radius: r + 6.0 * k,
        fill: [255, 255, 255, 210],
        outline: None,
    });
    let tip = [c[0] + up[0] * r, c[1] + up[1] * r];
    let side = [-up[1] * r * 0.45, up[0] * r * 0.45];
    let tail = [c[0] - up[0] * r * 0.6, c[1] - up[1] * r * 0.6];
    items.push(Item::Fill {
        points: vec![
            tip,
            [tail[0] + side[0], tail[1] + side[1]],
            c,
            [tail[0] - side[0], tail[1] - side[1]],
        ],
        color: INK,
    });
    let n = ts.layout("N", 12.0 * k, None, true);
    let at = [
        (c[0] + up[0] * (r + 14.0 * k) - n.width / 2.0).clamp(cell[0], cell[2] - n.width),
        (c[1] + up[1] * (r + 14.0 * k) - n.height / 2.0).clamp(cell[1], cell[3] - n.height),
    ];
    // The "N" sits outside the arrow's disc: a backing of its own keeps it readable on
    // dark imagery (it was dark on dark).
    items.push(Item::Circle {
        center: [at[0] + n.width / 2.0, at[1] + n.height / 2.0],
        radius: n.width.max(n.height) / 2.0 + 3.0 * k,
        fill: [255, 255, 255, 210],
        outline: None,
    });
    items.push(Item::Path {
        commands: n.placed(at),
        color: INK,
    });
}

/// The PNG of a figure (RGB, 8 bit). No metadata chunk at all unless `include_metadata`,
/// and then only title, finding id and program as text chunks.
pub fn png(figure: &Figure, include_metadata: bool) -> Result<Vec<u8>, FigureError> {
    Ok(raster::encode_png(figure, include_metadata)?)
}

/// The figure's pixels (the app's preview uses exactly this).
pub fn pixels(figure: &Figure) -> Result<image::RgbaImage, FigureError> {
    Ok(raster::render(figure)?)
}

/// The SVG of a figure: images embedded as PNG, annotations and text as vector paths.
pub fn svg(figure: &Figure) -> Result<String, FigureError> {
    Ok(svg::write(figure)?)
}

/// What was exported, as written into the sidecar manifest and the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct FigureExport {
    pub manifest: PathBuf,
    pub outputs: Vec<(PathBuf, String)>,
    pub width: u32,
    pub height: u32,
}

/// Renders and writes a finding's figure (PNG and/or SVG, atomically), a sidecar
/// manifest `<name>.manifest.json`, and logs the export in the case.
pub fn export(
    case: &mut Case,
    finding_id: &str,
    png_path: Option<&Path>,
    svg_path: Option<&Path>,
    options: &FigureOptions,
    log: bool,
) -> Result<FigureExport, FigureError> {
    let first = png_path
        .or(svg_path)
        .ok_or_else(|| FigureError::Request("give --png and/or --svg".into()))?;
    let finding = case
        .finding(finding_id)
        .map_err(|e| FigureError::Request(e.to_string()))?
        .clone();
    let mut ts = Typesetter::new()?;
    let figure = build(case, &finding, options, &mut ts)?;
    let mut outputs = Vec::new();
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    if let Some(p) = png_path {
        files.push((p.to_owned(), png(&figure, options.include_metadata)?));
    }
    if let Some(p) = svg_path {
        files.push((p.to_owned(), svg(&figure)?.into_bytes()));
    }
    for (path, bytes) in &files {
        write_output(path, bytes)?;
        outputs.push((path.clone(), crate::evidence::sha256_hex(bytes)));
    }
    let manifest_path = first.with_extension("manifest.json");
    let manifest = serde_json::json!({
        "program": format!("geoproof {}", env!("CARGO_PKG_VERSION")),
        "finding": finding.id,
        "title": finding.title,
        "created": chrono::Utc::now(),
        "width": figure.width,
        "height": figure.height,
        "metadata_in_image": options.include_metadata,
        "outputs": outputs.iter().map(|(p, sha)| serde_json::json!({
            "file": p.file_name().map(|n| n.to_string_lossy().into_owned()), "sha256": sha
        })).collect::<Vec<_>>(),
        "sources": figure.provenance,
    });
    let bytes = store::to_json_bytes(&manifest).map_err(RenderError::from)?;
    write_output(&manifest_path, &bytes)?;
    if log {
        case.log_event(
            "figure_exported",
            serde_json::json!({
                "finding": finding.id,
                "outputs": manifest["outputs"],
                "manifest": manifest_path.display().to_string(),
                "width": figure.width,
            }),
        );
        case.save().map_err(|e| {
            FigureError::Write(format!("recording the export in the audit log: {e}"))
        })?;
    }
    Ok(FigureExport {
        manifest: manifest_path,
        outputs,
        width: figure.width,
        height: figure.height,
    })
}

fn write_output(path: &Path, bytes: &[u8]) -> Result<(), FigureError> {
    crate::fsio::write_atomic(path, bytes, false).map_err(|e| FigureError::Write(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::FindingKind;
    use crate::case::comparison::{Category, FrameRef, Shape};

    #[test]
    fn a_video_panel_shows_only_the_annotations_of_its_frame() {
        let mut f = Finding::new(FindingKind::Comparison, "t");
        let p = crate::board::ops::add_panel(
            &mut f,
            PanelSource::Evidence {
                sha256: "a".repeat(64),
            },
        );
        f.panels[0].frame = Some(FrameRef {
            index: 45,
            time_s: 1.5,
        });
        for (index, time_s) in [(45, 1.5), (10, 0.33)] {
            let id = crate::board::ops::add_annotation(
                &mut f,
                &p,
                Shape::Point { x: 1.0, y: 1.0 },
                Category::Other,
            );
            crate::board::ops::annotation_mut(&mut f, &id)
                .unwrap()
                .frame = Some(FrameRef { index, time_s });
        }
        let unbound = crate::board::ops::add_annotation(
            &mut f,
            &p,
            Shape::Point { x: 2.0, y: 2.0 },
            Category::Other,
        );
        let shown: Vec<String> = on_shown_frames(&f)
            .annotations
            .iter()
            .map(|a| a.id.clone())
            .collect();
        assert_eq!(shown, vec!["A1".to_owned(), unbound]);
    }
}
