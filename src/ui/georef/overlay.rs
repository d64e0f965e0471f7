//! The fitted image on the map: a subdivided textured mesh whose vertices go through
//! the fit (so a projective fit bends it correctly), leaving out cells at or beyond the
//! horizon; opacity, swipe and blink compare; and the estimated camera with its view
//! wedge, labelled as an estimate.

use egui::{Color32, Mesh, Pos2, Stroke, Ui};

use crate::case::georeference::Georeference;
use crate::spatial::georef::Fit;

use super::super::command::MapViewExtent;
use super::session::GeorefSession;
use crate::case::{Case, Finding};

/// What the overlay reads: the case, the open view (if any) and the selected finding
/// (whose georeference is drawn when no view is open).
#[derive(Clone, Copy)]
pub struct OverlaySource<'a> {
    pub case: Option<&'a Case>,
    pub georef: Option<&'a GeorefSession>,
    pub selected: Option<&'a Finding>,
}

impl<'a> OverlaySource<'a> {
    fn georef_record(&self) -> Option<&'a Georeference> {
        super::record_of(self.case, self.georef)
    }

    fn selected_finding(&self) -> Option<&'a Finding> {
        self.selected
    }
}
use super::GeorefImage;
use super::session::Compare;

/// Cells per image side: enough that a projective bend looks straight-edged.
pub const MESH_CELLS: usize = 24;

/// The mesh's vertices on screen and in texture space, two triangles per cell whose
/// four corners lie before the horizon.
pub fn mesh(fit: &Fit, size: [u32; 2], project: impl Fn(f64, f64) -> Pos2, tint: Color32) -> Mesh {
    let n = MESH_CELLS;
    let mut grid: Vec<Option<Pos2>> = Vec::with_capacity((n + 1) * (n + 1));
    for j in 0..=n {
        for i in 0..=n {
            let (u, v) = (i as f64 / n as f64, j as f64 / n as f64);
            grid.push(
                fit.image_to_geo_clipped(u * f64::from(size[0]), v * f64::from(size[1]))
                    .map(|(lat, lon)| project(lat, lon)),
            );
        }
    }
    let mut mesh = Mesh::default();
    for j in 0..n {
        for i in 0..n {
            let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
            let screen: Option<Vec<Pos2>> =
                corners.iter().map(|(a, b)| grid[b * (n + 1) + a]).collect();
            let Some(screen) = screen else {
                continue;
            };
            let base = mesh.vertices.len() as u32;
            for ((a, b), p) in corners.iter().zip(&screen) {
                mesh.vertices.push(egui::epaint::Vertex {
                    pos: *p,
                    uv: Pos2::new(*a as f32 / n as f32, *b as f32 / n as f32),
                    color: tint,
                });
            }
            mesh.add_triangle(base, base + 1, base + 2);
            mesh.add_triangle(base, base + 2, base + 3);
        }
    }
    mesh
}

/// The georeference to draw: the open view's, or the selected finding's.
fn shown<'a>(state: &OverlaySource<'a>) -> Option<(&'a Georeference, Option<Compare>)> {
    if let Some(s) = state.georef {
        return state.georef_record().map(|g| (g, Some(s.compare)));
    }
    state
        .selected_finding()?
        .georeference
        .as_ref()
        .map(|g| (g, None))
}

/// The evidence the shown georeference pins (for loading its texture).
pub fn shown_evidence(state: &OverlaySource<'_>) -> Option<String> {
    // In the view: its panel, points or not (the image is what the first click is on).
    let (finding_id, panel_id) = match state.georef {
        Some(s) => (s.finding.clone(), s.panel.clone()),
        None => {
            let (g, _) = shown(state)?;
            (state.selected_finding()?.id.clone(), g.panel.clone())
        }
    };
    let f = state.case?.finding(&finding_id).ok()?;
    let panel = f.panels.iter().find(|p| p.id == panel_id)?;
    match &panel.source {
        crate::case::comparison::PanelSource::Evidence { sha256 } => Some(sha256.clone()),
        _ => None,
    }
}

/// Draws the overlay and the camera on the map of this frame. Returns how many mesh
/// triangles were drawn (tests look at it).
pub fn draw(
    ui: &Ui,
    state: &OverlaySource<'_>,
    extent: &MapViewExtent,
    image: Option<&GeorefImage>,
) -> usize {
    let Some((g, compare)) = shown(state) else {
        return 0;
    };
    let Ok(fit) = g.fit() else {
        return 0;
    };
    // The fit is in the evidence's own pixels, whatever size its texture was decoded at.
    let size = shown_evidence(state).and_then(|sha| {
        state
            .case?
            .find_evidence(&sha)
            .ok()
            .map(|r| [r.width, r.height])
    });
    let mut triangles = 0;
    if g.show_overlay
        && let (Some(image), Some(size)) = (image, size)
    {
        let mut clip = extent.rect;
        let mut visible = true;
        match compare {
            Some(Compare::Swipe(at)) => clip.max.x = clip.min.x + clip.width() * at,
            Some(Compare::Blink) => {
                let t = ui.input(|i| i.time);
                visible = (t * 2.0) as i64 % 2 == 0;
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(250));
            }
            _ => {}
        }
        if visible {
            let tint = crate::ui::theme::UNTINTED.gamma_multiply(g.opacity);
            let mut m = mesh(&fit, size, |lat, lon| extent.to_screen(lat, lon), tint);
            m.texture_id = image.texture.id();
            triangles = m.indices.len() / 3;
            ui.painter().with_clip_rect(clip).add(m);
            if let Some(Compare::Swipe(_)) = compare {
                ui.painter().with_clip_rect(extent.rect).line_segment(
                    [
                        Pos2::new(clip.max.x, clip.min.y),
                        Pos2::new(clip.max.x, clip.max.y),
                    ],
                    Stroke::new(2.0, crate::ui::theme::HALO),
                );
            }
        }
    }
    if let Some(c) = &g.camera {
        draw_camera(ui, extent, c, &fit);
    }
    triangles
}

/// The estimated camera: a hollow marker (never the filled GPS one), its uncertainty
/// circle and view wedge towards the control points, and the word *estimated*.
fn draw_camera(
    ui: &Ui,
    extent: &MapViewExtent,
    c: &crate::case::georeference::CameraEstimate,
    fit: &Fit,
) {
    let painter = ui.painter().with_clip_rect(extent.rect);
    let at = extent.to_screen(c.lat, c.lon);
    let centre = fit.frame.to_geo([0.0, 0.0]);
    let reach = at.distance(extent.to_screen(centre.0, centre.1)).max(30.0);
    let colour = super::super::theme::GEOREF_CAMERA;
    let half = (c.fov_deg / 2.0).to_radians() as f32;
    let heading = (c.heading_deg.to_radians()) as f32;
    let ray = |a: f32| at + egui::vec2(a.sin(), -a.cos()) * reach;
    painter.add(egui::Shape::convex_polygon(
        vec![at, ray(heading - half), ray(heading + half)],
        colour.gamma_multiply(0.15),
        Stroke::new(1.5, colour),
    ));
    // Metres → screen points at this place.
    let east = fit.frame.to_geo([c.uncertainty_m, 0.0]);
    let r = at.distance(extent.to_screen(c.lat, c.lon + (east.1 - centre.1)));
    if r > 2.0 {
        painter.circle_stroke(at, r, Stroke::new(1.0, colour));
    }
    painter.circle(at, 6.0, crate::ui::theme::CLEAR, Stroke::new(2.0, colour));
    painter.text(
        at + egui::vec2(9.0, 9.0),
        egui::Align2::LEFT_TOP,
        format!("camera (estimated, ± {:.0} m)", c.uncertainty_m),
        egui::FontId::proportional(12.0),
        colour,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::georef::{self, ControlPoint, Method};

    /// A frame 1000 px square from 10 m up, looking north 5° below the horizon (60°
    /// field of view): the horizon crosses the frame at y ≈ 424.
    fn projective() -> Fit {
        let frame = georef::LocalFrame::at(50.0, 30.0);
        let f = 500.0 / (30f64).to_radians().tan();
        let tilt = 5f64.to_radians();
        let ground = [
            [-20.0, 40.0],
            [25.0, 45.0],
            [-30.0, 120.0],
            [40.0, 150.0],
            [0.0, 80.0],
        ];
        let points: Vec<ControlPoint> = ground
            .iter()
            .map(|g: &[f64; 2]| {
                // Camera axes: forward (north, tilted down), right (east), down.
                let (e, n, u) = (g[0], g[1], -10.0);
                let z = n * tilt.cos() - u * tilt.sin();
                let y = -(n * tilt.sin() + u * tilt.cos());
                let (lat, lon) = frame.to_geo(*g);
                ControlPoint {
                    x: 500.0 + f * e / z,
                    y: 500.0 + f * y / z,
                    lat,
                    lon,
                }
            })
            .collect();
        georef::fit(&points, Method::Projective).unwrap()
    }

    #[test]
    fn the_mesh_leaves_out_what_lies_beyond_the_horizon() {
        let fit = projective();
        let project = |lat: f64, lon: f64| Pos2::new(lon as f32, lat as f32);
        let m = mesh(&fit, [1000, 1000], project, crate::ui::theme::UNTINTED);
        let full = MESH_CELLS * MESH_CELLS * 2;
        let drawn = m.indices.len() / 3;
        assert!(drawn > full / 3, "{drawn}");
        assert!(
            drawn < full,
            "the top of the frame is sky: {drawn} of {full}"
        );
        // Every vertex drawn is a finite place.
        assert!(
            m.vertices
                .iter()
                .all(|v| v.pos.x.is_finite() && v.pos.y.is_finite())
        );
    }

    #[test]
    fn an_affine_fit_draws_every_cell() {
        let points = [
            ControlPoint {
                x: 0.0,
                y: 0.0,
                lat: 50.001,
                lon: 30.0,
            },
            ControlPoint {
                x: 100.0,
                y: 0.0,
                lat: 50.001,
                lon: 30.001,
            },
            ControlPoint {
                x: 0.0,
                y: 100.0,
                lat: 50.0,
                lon: 30.0,
            },
        ];
        let fit = georef::fit(&points, Method::Affine).unwrap();
        let m = mesh(
            &fit,
            [100, 100],
            |lat, lon| Pos2::new(lon as f32, lat as f32),
            crate::ui::theme::HALO,
        );
        assert_eq!(m.indices.len() / 3, MESH_CELLS * MESH_CELLS * 2);
    }
}
