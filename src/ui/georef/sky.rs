//! The skyline check in the georeference view (#33): with the case's elevation, the
//! terrain skyline the georeference's estimated camera would see is drawn over the
//! frame (and, if the finding keeps a skyline fit of this frame, that camera's too),
//! with the mean angular distance to the finding's traced skyline. Does the terrain's
//! skyline from the estimated camera match the frame's?
//!
//! The horizon all round each camera's position comes from the service shared with the
//! board's Skyline tool (`ui::skyline`), off the UI thread; projecting it into the
//! frame is cheap and done here each frame.

use std::path::PathBuf;
use std::sync::Arc;

use egui::{Pos2, RichText, Ui};

use crate::case::Finding;
use crate::case::comparison::PanelSource;
use crate::case::georeference::CameraEstimate;
use crate::spatial::LatLon;
use crate::terrain::fit::{HorizonTable, MAX_TRACE_POINTS, Score, Trace, score_on, skyline_on};
use crate::terrain::skyline::Camera;
use crate::terrain::{HeightRef, Site};
use crate::ui::skyline::{HorizonService, elevation_files, outlined};
use crate::ui::theme;

use super::ctx::GeorefCtx;

/// Whose camera a skyline is rendered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkyCamera {
    /// The georeference's estimated camera.
    Estimate,
    /// The camera of the finding's saved skyline fit.
    SavedFit,
}

/// One camera's skyline as shown now.
#[derive(Debug, Clone)]
pub struct SkyLines {
    pub which: SkyCamera,
    pub camera: Camera,
    /// The skyline in frame pixels, why there is none, or `None` while it renders.
    pub lines: Option<Result<Vec<Vec<[f64; 2]>>, String>>,
    /// The mean angular distance to the finding's traced skyline, when it has one.
    pub score: Option<Result<Score, String>>,
}

/// The most horizons kept (the estimate's and the saved fit's, and a couple before).
const KEPT: usize = 4;

/// What the skyline check remembers between frames: the toggles, the elevation service
/// and the horizons it computed, and what was drawn last.
#[derive(Default)]
pub struct SkyView {
    show: bool,
    show_saved: bool,
    service: Option<HorizonService>,
    horizons: Vec<(Site, Result<Arc<HorizonTable>, String>)>,
    shown: Vec<SkyLines>,
    /// The finding's traced skyline, drawn with the rendered ones.
    trace: Option<Trace>,
    /// Why nothing can be drawn (no elevation, no estimate).
    message: Option<String>,
}

impl SkyView {
    /// The skyline of `which` as drawn last frame.
    pub fn lines(&self, which: SkyCamera) -> Option<&SkyLines> {
        self.shown.iter().find(|s| s.which == which)
    }

    /// Why no skyline can be drawn, when none can.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Whether every skyline asked for is rendered (or failed): tests wait for it.
    pub fn idle(&self) -> bool {
        self.shown.iter().all(|s| s.lines.is_some())
    }

    /// Draws the skylines over the frame; `to_screen` maps frame pixels to the screen.
    pub fn draw(&self, painter: &egui::Painter, to_screen: impl Fn([f64; 2]) -> Pos2) {
        if self.shown.is_empty() {
            return;
        }
        for s in &self.shown {
            let colour = colour_of(s.which);
            for line in s.lines.iter().flatten().flatten() {
                outlined(
                    painter,
                    line.iter().map(|p| to_screen(*p)).collect(),
                    colour,
                );
            }
        }
        // The trace over the rendered lines, as the board draws it.
        if let Some(trace) = &self.trace {
            for line in trace.polylines.iter().filter(|l| l.len() > 1) {
                let points = line.iter().map(|p| to_screen(*p)).collect();
                outlined(painter, points, theme::SKYLINE_TRACE);
            }
        }
    }
}

fn colour_of(which: SkyCamera) -> egui::Color32 {
    match which {
        SkyCamera::Estimate => theme::SKYLINE_RENDERED,
        SkyCamera::SavedFit => theme::SKYLINE_SAVED_FIT,
    }
}

/// The estimated camera as a skyline camera for a `size` frame: its place, height
/// (taken above the ground under it), heading, tilt and field of view; no roll.
pub fn estimate_camera(c: &CameraEstimate, size: [u32; 2]) -> Result<Camera, String> {
    let at = LatLon::new(c.lat, c.lon).map_err(|e| e.to_string())?;
    Ok(Camera {
        site: Site {
            at,
            height_m: c.height_m,
            reference: HeightRef::AboveGround,
        },
        heading_deg: c.heading_deg,
        pitch_deg: c.tilt_deg.map_or(0.0, |t| -t),
        roll_deg: 0.0,
        fov_deg: c.fov_deg,
        width: size[0].max(1),
        height: size[1].max(1),
    })
}

/// The evidence the view's panel shows.
fn panel_evidence<'a>(finding: &'a Finding, panel: &str) -> Option<&'a str> {
    finding
        .panels
        .iter()
        .find(|p| p.id == panel)
        .and_then(|p| match &p.source {
            PanelSource::Evidence { sha256 } => Some(sha256.as_str()),
            PanelSource::MapSnapshot { .. } => None,
        })
}

/// The bar over the frame: the toggles and one line per skyline shown (what the camera
/// is made of, the score against the trace, or why there is no skyline). Also takes in
/// the horizons computed and asks for the ones missing.
pub fn sky_bar(ui: &mut Ui, state: &mut GeorefCtx<'_>, sky: &mut SkyView) {
    sky.shown.clear();
    sky.trace = None;
    sky.message = None;
    let (Some(case), Some(session)) = (state.case, state.georef.as_deref()) else {
        return;
    };
    let Ok(finding) = case.finding(&session.finding) else {
        return;
    };
    let size = session.size;
    let files = elevation_files(case);
    if files.is_empty() {
        let text = "Skyline: the case has no elevation layer (Map → Basemap → Elevation…)";
        ui.label(RichText::new(text).weak());
        sky.message = Some(text.to_owned());
        return;
    }
    let saved = finding
        .skyline_fit
        .as_ref()
        .filter(|f| panel_evidence(finding, &session.panel) == Some(f.evidence.as_str()));
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut sky.show, "Skyline").on_hover_text(
            "Draw the terrain skyline the estimated camera would see over the frame: \
             does it match the frame's?",
        );
        if saved.is_some() {
            ui.checkbox(&mut sky.show_saved, "Saved fit's skyline")
                .on_hover_text(
                    "Also draw the skyline of the camera the finding's skyline fit keeps",
                );
        }
    });
    let mut wanted = Vec::new();
    if sky.show {
        match state.georef_record().and_then(|g| g.camera.as_ref()) {
            Some(c) => match estimate_camera(c, size) {
                Ok(camera) => wanted.push((SkyCamera::Estimate, camera)),
                Err(e) => sky.message = Some(format!("Skyline: the estimated camera: {e}")),
            },
            None => {
                sky.message = Some(
                    "Skyline: estimate the camera first (inspector: Estimate camera position)"
                        .into(),
                );
            }
        }
    }
    if let (true, Some(f)) = (sky.show_saved, saved) {
        wanted.push((
            SkyCamera::SavedFit,
            Camera {
                width: size[0].max(1),
                height: size[1].max(1),
                ..f.camera
            },
        ));
    }
    if let Some(m) = &sky.message {
        ui.colored_label(theme::WARNING, m);
    }
    if wanted.is_empty() {
        return;
    }
    let trace = saved
        .map(|f| f.trace.clone())
        .filter(|t| t.polylines.iter().any(|l| !l.is_empty()));
    serve(ui.ctx(), sky, files, &wanted);
    for (which, camera) in wanted {
        let s = render(sky, which, camera, trace.as_ref());
        line_ui(
            ui,
            &s,
            state.georef_record().and_then(|g| g.camera.as_ref()),
        );
        sky.shown.push(s);
    }
    sky.trace = trace;
}

/// Keeps the service on the case's elevation, takes in its answers and asks for the
/// first horizon missing.
fn serve(
    ctx: &egui::Context,
    sky: &mut SkyView,
    files: Vec<(PathBuf, crate::terrain::ElevationFileRef)>,
    wanted: &[(SkyCamera, Camera)],
) {
    let paths: Vec<&PathBuf> = files.iter().map(|(p, _)| p).collect();
    if sky
        .service
        .as_ref()
        .is_none_or(|sv| sv.files().iter().collect::<Vec<_>>() != paths)
    {
        sky.service = Some(HorizonService::open(files, ctx));
        sky.horizons.clear();
    }
    let Some(service) = sky.service.as_mut() else {
        return;
    };
    if let Some((site, reply)) = service.receive() {
        sky.horizons.retain(|(s, _)| *s != site);
        sky.horizons.push((site, reply));
        let over = sky.horizons.len().saturating_sub(KEPT);
        sky.horizons.drain(..over);
    }
    let missing = wanted
        .iter()
        .map(|(_, c)| c.site)
        .find(|site| !sky.horizons.iter().any(|(s, _)| s == site));
    if let Some(site) = missing {
        service.ask(site);
    }
}

/// One camera's skyline and score from the horizon at its position, if computed.
fn render(sky: &SkyView, which: SkyCamera, camera: Camera, trace: Option<&Trace>) -> SkyLines {
    let horizon = sky
        .horizons
        .iter()
        .find(|(s, _)| *s == camera.site)
        .map(|(_, h)| h);
    let (lines, score) = match horizon {
        None => (None, None),
        Some(Err(e)) => (Some(Err(e.clone())), None),
        Some(Ok(table)) => (
            Some(skyline_on(table, &camera).map_err(|e| e.to_string())),
            trace.map(|t| score_on(table, &camera, t, MAX_TRACE_POINTS).map_err(|e| e.to_string())),
        ),
    };
    SkyLines {
        which,
        camera,
        lines,
        score,
    }
}

/// One line about a skyline: its camera, its score, or why it is missing.
fn line_ui(ui: &mut Ui, s: &SkyLines, estimate: Option<&CameraEstimate>) {
    let c = &s.camera;
    let name = match s.which {
        SkyCamera::Estimate => "Estimated camera",
        SkyCamera::SavedFit => "Saved fit's camera",
    };
    match &s.lines {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("{name}: rendering the skyline…"));
            });
            return;
        }
        Some(Err(e)) => {
            ui.colored_label(theme::ERROR, format!("{name}: no skyline: {e}"));
            return;
        }
        Some(Ok(_)) => {}
    }
    let orientation = match (s.which, estimate.and_then(|e| e.tilt_deg)) {
        (SkyCamera::Estimate, Some(_)) => format!(
            "pitch {:.1}° (estimated), roll 0° (not estimated)",
            c.pitch_deg
        ),
        (SkyCamera::Estimate, None) => {
            "pitch 0° and roll 0° (not in this estimate: estimate again for the pitch)".into()
        }
        (SkyCamera::SavedFit, _) => {
            format!("pitch {:.1}°, roll {:.1}°", c.pitch_deg, c.roll_deg)
        }
    };
    let score = match &s.score {
        Some(Ok(sc)) => format!(
            "{:.2}° mean distance to the traced skyline (max {:.2}°) · ",
            sc.mean_deg, sc.max_deg
        ),
        Some(Err(e)) => format!("no score: {e} · "),
        None => String::new(),
    };
    ui.label(
        RichText::new(format!(
            "{name}: {score}heading {:.1}°, {orientation}, field of view {:.1}°, {:.0} m above \
             the ground under it",
            c.heading_deg, c.fov_deg, c.site.height_m
        ))
        .color(colour_of(s.which)),
    )
    .on_hover_text(
        "The mean angle between the traced and the rendered skyline: agreement, not proof. \
         The estimate's height is above the control points' ground; here it is taken above \
         the elevation under the camera.",
    );
}
