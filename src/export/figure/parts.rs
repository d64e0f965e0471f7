//! The composer's parts: the panels' rows, each panel's picture located and decoded
//! (a video panel: the frame it shows), redactions checked against their picture, and
//! the drawing items for tags, badges, marks and map decorations.

use std::path::{Path, PathBuf};

use crate::board::ViewTransform;
use crate::board::marks::{Mark, ink_for};
use crate::case::comparison::{Panel, PanelSource};
use crate::case::{Case, EvidenceKind, Finding};

use super::error::{PanelError, RedactionError, RequestError};
use super::model::{INK, Item, WHITE, rect_points, rgba};
use super::text::{TextBlock, Typesetter};

/// The rows of panels: (panels in the row, panels the row's width is divided by).
pub(super) fn rows(n: usize, layout: &[usize]) -> Result<Vec<(usize, usize)>, RequestError> {
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
        return Err(RequestError::Layout {
            layout: text.join(","),
            places,
            panels: n,
        });
    }
    Ok(layout.iter().map(|&c| (c, c)).collect())
}

/// Every redaction must lie on its panel's picture: one drawn for another image (or
/// edited by hand to reach outside) is an error, never silently clipped or dropped.
pub(super) fn check_redactions(
    finding: &Finding,
    pictures: &[Picture],
) -> Result<(), RedactionError> {
    for a in finding.annotations.iter().filter(|a| a.redaction.is_some()) {
        let Some(i) = finding.panels.iter().position(|p| p.id == a.panel) else {
            continue;
        };
        let r = a.redaction.as_ref().expect("filtered");
        crate::export::redact::check_on_image(&a.shape, r, pictures[i].size).map_err(
            |problem| RedactionError {
                picture: pictures[i].path.clone(),
                finding: finding.id.clone(),
                panel: a.panel.clone(),
                annotation: a.id.clone(),
                problem: Box::new(problem),
            },
        )?;
    }
    Ok(())
}

/// How a panel is seen in a figure: the whole image fitted into its cell, with the
/// panel's viewing rotation and mirroring.
pub(super) fn fitted(panel: &Panel, size: [f64; 2], cell: [f64; 4]) -> ViewTransform {
    ViewTransform::fit(
        size,
        [cell[2] - cell[0], cell[3] - cell[1]],
        [(cell[0] + cell[2]) / 2.0, (cell[1] + cell[3]) / 2.0],
        panel.view.quarter_turns,
        panel.view.flip_horizontal,
    )
}

/// Source pixel → figure pixel, as an affine matrix.
pub(super) fn image_matrix(view: &ViewTransform, scale: f64) -> [f64; 6] {
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
pub(super) struct Picture {
    pub(super) path: PathBuf,
    pub(super) sha256: String,
    pub(super) name: String,
    pub(super) kind: &'static str,
    pub(super) size: [f64; 2],
}

/// Finds a panel's picture with one lookup in the case; the size comes from the record,
/// or from the file's header when the record has none (map snapshots).
pub(super) fn locate_picture(case: &Case, panel: &Panel) -> Result<Picture, PanelError> {
    let file = case.panel_file(&panel.source)?;
    let name = match &panel.source {
        PanelSource::MapSnapshot { file, .. } => format!("map snapshot {file}"),
        PanelSource::Evidence { .. } => file.name,
    };
    let [w, h] = match file.oriented_size {
        Some(size) => size,
        None => {
            let (w, h) =
                image::image_dimensions(&file.path).map_err(|source| PanelError::Size {
                    path: file.path.clone(),
                    source,
                })?;
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
pub(super) fn on_shown_frames(finding: &Finding) -> Finding {
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
pub(super) fn panel_picture(
    case: &Case,
    panel: &Panel,
    path: &Path,
    max_side: u32,
) -> Result<(image::DynamicImage, u32, u32), PanelError> {
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
                .map_err(PanelError::from);
        }
        Some((EvidenceKind::Video, record)) => record,
    };
    let video = case.open_video(&record.sha256)?;
    let index = panel.frame.map_or(0, |f| f.index as usize);
    let frame = video.decode(index)?;
    let (w, h) = frame.image.dimensions();
    let image = image::DynamicImage::ImageRgba8(frame.image);
    let image = if w.max(h) > max_side {
        image.thumbnail(max_side, max_side)
    } else {
        image
    };
    Ok((image, w, h))
}

pub(super) fn tag_items(items: &mut Vec<Item>, tag: &TextBlock, at: [f64; 2], k: f64) {
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

pub(super) fn badge_items(
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
pub(super) fn mark_items(mark: &Mark, ts: &mut Typesetter, cell: [f64; 4], items: &mut Vec<Item>) {
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
pub(super) fn inside(pos: [f64; 2], size: [f64; 2], pad: f64, cell: [f64; 4]) -> [f64; 2] {
    let clamp = |v: f64, lo: f64, hi: f64| if hi < lo { lo } else { v.clamp(lo, hi) };
    [
        clamp(pos[0], cell[0] + pad, cell[2] - size[0] - pad),
        clamp(pos[1], cell[1] + pad, cell[3] - size[1] - pad),
    ]
}

/// A scale bar (bottom left) and a north arrow (top right) for a map panel.
pub(super) fn map_decorations(
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
