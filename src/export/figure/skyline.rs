//! "Frame with rendered skyline" (#33): on the panel showing the frame of a finding's
//! skyline fit, the terrain skyline rendered again from the saved camera and elevation
//! files (solid, with a dark halo) and the analyst's traced skyline (dashed, thinner),
//! and a legend line under the panels giving both styles, the camera and the score.
//! The elevation files are checked against their saved SHA-256 first; when they are
//! missing or changed the legend says so and only the trace is drawn.

use super::model::{INK, Item, SKYLINE_HALO, SKYLINE_RENDERED, SKYLINE_TRACED};
use super::text::Typesetter;
use crate::board::ViewTransform;
use crate::case::comparison::{Panel, PanelSource};
use crate::case::skyline_fit::SkylineFit;
use crate::case::{Case, Finding};
use crate::terrain::{Dem, HeightRef, TerrainError, skyline};

/// Dash and gap of the traced line, in multiples of the stroke width.
const DASH: f64 = 4.0;
const GAP: f64 = 2.5;
/// The legend's text size and its line samples' length (at the reference width).
const LEGEND_SIZE: f64 = 15.0;
const SAMPLE_LENGTH: f64 = 36.0;

/// A skyline fit ready to draw on panel `panel`.
pub(super) struct SkylineOverlay {
    pub(super) panel: usize,
    fit: SkylineFit,
    /// The rendered skyline in the frame's pixels, or why it could not be rendered.
    rendered: Result<Vec<Vec<[f64; 2]>>, TerrainError>,
}

/// Whether a panel shows the frame the fit was traced on.
fn shows(panel: &Panel, fit: &SkylineFit) -> bool {
    let same = matches!(&panel.source, PanelSource::Evidence { sha256 } if *sha256 == fit.evidence);
    same && fit
        .frame
        .is_none_or(|f| panel.frame.map_or(0, |p| p.index) == f.index)
}

/// The finding's skyline fit and the panel it goes on (none: no fit, or no panel shows
/// its frame), its skyline rendered from the saved camera.
pub(super) fn overlay(case: &Case, finding: &Finding) -> Option<SkylineOverlay> {
    let fit = finding.skyline_fit.as_ref()?;
    let panel = finding.panels.iter().position(|p| shows(p, fit))?;
    Some(SkylineOverlay {
        panel,
        rendered: render(case, fit),
        fit: fit.clone(),
    })
}

fn render(case: &Case, fit: &SkylineFit) -> Result<Vec<Vec<[f64; 2]>>, TerrainError> {
    let paths: Vec<_> = fit.dem.iter().map(|d| case.elevation_path(d)).collect();
    for (d, p) in fit.dem.iter().zip(&paths) {
        d.verify(p)?;
    }
    let dem = Dem::open(&paths)?;
    skyline::skyline(&dem, fit.camera, fit.max_distance_m, fit.curvature).map(|s| s.polylines)
}

/// Frame pixels (the camera's size) → figure pixels.
fn placed(
    line: &[[f64; 2]],
    fit: &SkylineFit,
    view: &ViewTransform,
    size: [f64; 2],
) -> Vec<[f64; 2]> {
    let sx = size[0] / f64::from(fit.camera.width);
    let sy = size[1] / f64::from(fit.camera.height);
    line.iter()
        .map(|p| view.to_screen([p[0] * sx, p[1] * sy]))
        .collect()
}

/// Cuts a polyline into dashes `dash` long with `gap` between them.
fn dashes(line: &[[f64; 2]], dash: f64, gap: f64) -> Vec<Vec<[f64; 2]>> {
    let mut out = Vec::new();
    let mut current = vec![line[0]];
    let (mut on, mut left) = (true, dash);
    for pair in line.windows(2) {
        let (mut a, b) = (pair[0], pair[1]);
        let mut length = (b[0] - a[0]).hypot(b[1] - a[1]);
        while length > left {
            let t = left / length;
            let cut = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
            if on {
                if current.last() != Some(&cut) {
                    current.push(cut);
                }
                out.push(std::mem::take(&mut current));
            } else {
                current = vec![cut];
            }
            length -= left;
            a = cut;
            on = !on;
            left = if on { dash } else { gap };
        }
        left -= length;
        if on {
            current.push(b);
        }
    }
    if on && current.len() > 1 {
        out.push(current);
    }
    out
}

/// The rendered skyline (solid over a halo) and the trace (dashed) on the panel, in
/// figure pixels; `stroke` is the annotations' line width.
pub(super) fn panel_items(
    o: &SkylineOverlay,
    view: &ViewTransform,
    size: [f64; 2],
    stroke: f64,
    items: &mut Vec<Item>,
) {
    if let Ok(lines) = &o.rendered {
        for line in lines.iter().filter(|l| l.len() > 1) {
            let points = placed(line, &o.fit, view, size);
            for (color, width) in [
                (SKYLINE_HALO, stroke * 2.4),
                (SKYLINE_RENDERED, stroke * 1.4),
            ] {
                items.push(Item::Stroke {
                    points: points.clone(),
                    closed: false,
                    color,
                    width,
                });
            }
        }
    }
    for line in o.fit.trace.polylines.iter().filter(|l| l.len() > 1) {
        let points = placed(line, &o.fit, view, size);
        for dash in dashes(&points, DASH * stroke, GAP * stroke) {
            items.push(Item::Stroke {
                points: dash,
                closed: false,
                color: SKYLINE_TRACED,
                width: stroke * 0.6,
            });
        }
    }
}

/// What the manifest records of the overlay: the camera, score and elevation files,
/// and whether the skyline was rendered (or why not).
pub(super) fn manifest(o: &SkylineOverlay) -> serde_json::Value {
    serde_json::json!({
        "camera": o.fit.camera,
        "score": o.fit.score,
        "dem": o.fit.dem,
        "rendered_polylines": o.rendered.as_ref().ok().map(Vec::len),
        "render_error": o.rendered.as_ref().err().map(ToString::to_string),
        "traced_polylines": o.fit.trace.polylines.len(),
    })
}

/// What the legend says: the panel, both lines, the camera, the score and the DEM.
pub(super) fn legend_text(o: &SkylineOverlay, panel_id: &str) -> String {
    let f = &o.fit;
    let c = &f.camera;
    let above = match c.site.reference {
        HeightRef::AboveGround => "above the ground",
        HeightRef::Absolute => "absolute",
    };
    let rendered = match &o.rendered {
        Ok(_) => "solid: the terrain skyline rendered from the camera".to_owned(),
        Err(e) => format!("the terrain skyline could not be rendered ({e})"),
    };
    let dem: Vec<String> = f
        .dem
        .iter()
        .map(|d| {
            let name = d.path.file_name().map_or_else(
                || d.path.to_string_lossy().into_owned(),
                |n| n.to_string_lossy().into_owned(),
            );
            format!("{name} (SHA-256 {}…)", &d.sha256[..12.min(d.sha256.len())])
        })
        .collect();
    format!(
        "{panel_id} skyline fit — {rendered}; dashed: the skyline traced on the frame. Camera \
         {:.5}, {:.5}, {:.0} m {above}, heading {:.2}°, pitch {:.2}°, roll {:.2}°, horizontal \
         field of view {:.2}°. Mean angular distance {:.3}° (max {:.3}°) over {} traced points; \
         elevation {}.",
        c.site.at.lat,
        c.site.at.lon,
        c.site.height_m,
        c.heading_deg,
        c.pitch_deg,
        c.roll_deg,
        c.fov_deg,
        f.score.mean_deg,
        f.score.max_deg,
        f.score.points,
        dem.join(", ")
    )
}

/// The legend under the panels: a sample of each line, then the text. Returns the
/// height used.
pub(super) fn legend_items(
    text: &str,
    at: [f64; 2],
    k: f64,
    text_width: f64,
    stroke: f64,
    type_setter: &mut Typesetter,
    items: &mut Vec<Item>,
) -> f64 {
    let sample = SAMPLE_LENGTH * k;
    let y = at[1] + LEGEND_SIZE * k * 0.5;
    let solid = vec![[at[0], y], [at[0] + sample, y]];
    for (color, width) in [
        (SKYLINE_HALO, stroke * 2.4),
        (SKYLINE_RENDERED, stroke * 1.4),
    ] {
        items.push(Item::Stroke {
            points: solid.clone(),
            closed: false,
            color,
            width,
        });
    }
    let y2 = y + LEGEND_SIZE * k * 1.2;
    for dash in dashes(
        &[[at[0], y2], [at[0] + sample, y2]],
        DASH * stroke,
        GAP * stroke,
    ) {
        items.push(Item::Stroke {
            points: dash,
            closed: false,
            color: SKYLINE_TRACED,
            width: stroke * 0.6,
        });
    }
    let indent = sample + 10.0 * k;
    let block = type_setter.layout(text, LEGEND_SIZE * k, Some(text_width - indent), false);
    items.push(Item::Path {
        commands: block.placed([at[0] + indent, at[1]]),
        color: INK,
    });
    block.height.max(LEGEND_SIZE * k * 2.4)
}

#[cfg(test)]
mod tests {
    use super::dashes;

    #[test]
    fn dashes_alternate_along_the_line() {
        let d = dashes(&[[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]], 4.0, 2.0);
        // 20 px: dash 0–4, gap, dash 6–10, gap, dash 12–16 (on the turn), gap, dash 18–20.
        assert_eq!(d.len(), 4, "{d:?}");
        assert_eq!(d[0], vec![[0.0, 0.0], [4.0, 0.0]]);
        assert_eq!(d[1], vec![[6.0, 0.0], [10.0, 0.0]]);
        assert_eq!(d[2], vec![[10.0, 2.0], [10.0, 6.0]]);
        assert_eq!(d[3], vec![[10.0, 8.0], [10.0, 10.0]]);
    }
}
