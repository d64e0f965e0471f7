//! Terrain on the map (#33): the case's elevation files as one surface, shown as a
//! hillshade layer, the elevation under the pointer, the profile and line of sight
//! along the Measure tool's line, and a viewshed drawn on the map. The work runs on the
//! surface's service (`surface`); this module holds what the panels set and the case's
//! part (files added through one `Edit`, checked and hashed in a job first).

mod asks;
mod chart;
mod menu;
mod panel;
mod surface;

use std::path::PathBuf;

use crate::spatial::LatLon;
use crate::terrain::{Dem, ElevationFileRef, ElevationLayers, viewshed};

pub use asks::{ProfileAsk, ViewshedAsk};
pub use chart::{draw_on_map, profile_panel_ui, verdict_line};
pub use menu::{elevation_menu_ui, sun_controls_ui};
pub use panel::{PanelCtx, terrain_panel_ui};
pub use surface::{ElevationSurface, Opening, TileSet, ViewshedResult};

use super::command::{Command, Status};
use super::jobs::{Job, Jobs};
pub use super::map_terrain::{Marks, Sun, TerrainView};
use crate::case::Case;

/// What the terrain part needs of the app's state for a frame.
pub struct TerrainCtx<'a> {
    pub case: Option<&'a Case>,
    pub view: &'a mut TerrainView,
    /// The map position under the pointer.
    pub hover: Option<LatLon>,
    /// The Measure tool's points.
    pub measure: &'a [LatLon],
    /// Edits of the case's elevation, and messages for the status line.
    pub commands: &'a mut Vec<Command>,
}

/// The case's surface as the app holds it: open while the case lists files, and the
/// job checking files being added.
#[derive(Default)]
pub struct Elevation {
    pub surface: Option<ElevationSurface>,
    adding: Option<Job<Result<Vec<ElevationFileRef>, String>>>,
    exporting: Option<Job<Result<PathBuf, String>>>,
}

impl Elevation {
    /// Opens the surface when the case's files change (closes it when none are left),
    /// starts checking files asked to be added, and takes in a finished check.
    pub fn sync(&mut self, cx: &mut TerrainCtx<'_>, ctx: &egui::Context) {
        let wanted: Vec<(PathBuf, ElevationFileRef)> = cx.case.map_or_else(Vec::new, |c| {
            c.meta()
                .elevation
                .files
                .iter()
                .map(|f| (c.elevation_path(f), f.clone()))
                .collect()
        });
        let paths: Vec<&PathBuf> = wanted.iter().map(|(p, _)| p).collect();
        let same = self
            .surface
            .as_ref()
            .is_some_and(|s| s.files().iter().collect::<Vec<_>>() == paths);
        if !same {
            self.surface = (!wanted.is_empty()).then(|| ElevationSurface::open(wanted, ctx));
        }
        if let Some(s) = &mut self.surface {
            s.receive();
        }
        self.start_adding(cx, ctx);
        self.finish_adding(cx);
        let view = &mut *cx.view;
        view.pointer = self.surface.as_ref().map(|s| {
            s.pointer
                .filter(|(p, _)| Some(*p) == cx.hover)
                .and_then(|(_, z)| z)
        });
        if let (Some(s), Some(p)) = (&mut self.surface, cx.hover) {
            s.ask_elevation(p);
        }
        self.ask_sight(cx);
        self.finish_export(cx);
    }

    /// Asks the surface for the profile along the Measure line's last segment and the
    /// viewshed as set, and copies what the map draws of them.
    fn ask_sight(&mut self, cx: &mut TerrainCtx<'_>) {
        let view = &mut *cx.view;
        view.marks = Marks::default();
        let Some(s) = self
            .surface
            .as_mut()
            .filter(|s| matches!(s.opening, Opening::Ready(_)))
        else {
            return;
        };
        let m = cx.measure;
        let profile = (m.len() >= 2).then(|| ProfileAsk {
            from: m[m.len() - 2],
            to: m[m.len() - 1],
            observer_m: view.observer_m,
            target_m: view.target_m,
            refraction: view.refraction,
        });
        s.ask_profile(profile);
        let viewshed = view.viewshed_at.map(|at| ViewshedAsk {
            at,
            observer_m: view.observer_m,
            target_m: view.target_m,
            radius_m: (view.radius_km > 0.0).then_some(view.radius_km * 1000.0),
            wedge: view.wedge,
            refraction: view.refraction,
        });
        s.ask_viewshed(viewshed);
        view.marks = Marks {
            sight: profile.map(|p| (p.from, p.to)),
            obstruction: match &s.profile {
                Some(Ok(p)) => p.first_obstruction.map(|o| o.at),
                _ => None,
            },
            observer: view.viewshed_at,
        };
    }

    /// Writes the viewshed as a GeoTIFF (255 visible, 0 hidden, 128 nodata) in a job.
    pub fn export_viewshed(&mut self, out: PathBuf, ctx: &egui::Context) -> Result<(), String> {
        let Some(Some(Ok(result))) = self.surface.as_ref().map(|s| s.viewshed.as_ref()) else {
            return Err("no viewshed to export".into());
        };
        let (view, wkt) = (std::sync::Arc::clone(&result.view), result.wkt.clone());
        self.exporting = Some(
            Jobs::of(ctx).spawn(Some(ctx), "viewshed GeoTIFF", move |_| {
                viewshed::write_geotiff(&view, &wkt, &out)
                    .map(|()| out)
                    .map_err(|e| e.to_string())
            }),
        );
        Ok(())
    }

    fn finish_export(&mut self, cx: &mut TerrainCtx<'_>) {
        let Some(result) = self.exporting.as_mut().and_then(Job::take_flat) else {
            return;
        };
        self.exporting = None;
        cx.commands.push(Command::notify(match result {
            Ok(path) => Status::Info(format!("viewshed written to {}", path.display())),
            Err(e) => Status::Error(e),
        }));
    }

    fn start_adding(&mut self, cx: &mut TerrainCtx<'_>, ctx: &egui::Context) {
        if cx.view.to_add.is_empty() || self.adding.is_some() {
            return;
        }
        let files = std::mem::take(&mut cx.view.to_add);
        let Some(case) = cx.case else {
            cx.commands.push(Command::notify(Status::Error(
                "open or create a case before adding elevation files".into(),
            )));
            return;
        };
        let present: Vec<PathBuf> = case
            .meta()
            .elevation
            .files
            .iter()
            .map(|f| case.elevation_path(f))
            .collect();
        let new: Vec<PathBuf> = files.into_iter().filter(|f| !present.contains(f)).collect();
        if new.is_empty() {
            cx.commands.push(Command::notify(Status::Info(
                "those elevation files are listed already".into(),
            )));
            return;
        }
        cx.commands.push(Command::notify(Status::Info(format!(
            "checking {} elevation file{}…",
            new.len(),
            if new.len() == 1 { "" } else { "s" }
        ))));
        self.adding = Some(Jobs::of(ctx).spawn(Some(ctx), "elevation files", move |w| {
            // The new files must form one surface with those already listed.
            let all: Vec<PathBuf> = present.iter().chain(&new).cloned().collect();
            w.progress(None, "reading the elevation files");
            Dem::open(&all).map_err(|e| e.to_string())?;
            w.progress(None, "hashing the elevation files");
            new.iter()
                .map(|p| ElevationFileRef::hash(p, p).map_err(|e| e.to_string()))
                .collect()
        }));
    }

    fn finish_adding(&mut self, cx: &mut TerrainCtx<'_>) {
        let Some(result) = self.adding.as_mut().and_then(Job::take_flat) else {
            return;
        };
        self.adding = None;
        match result {
            Ok(files) => {
                let Some(case) = cx.case else {
                    return;
                };
                let mut layers: ElevationLayers = case.meta().elevation.clone();
                let n = files.len();
                layers.files.extend(files);
                // Before the edit, so that an edit that fails says so last.
                cx.commands.push(Command::notify(Status::Info(format!(
                    "added {n} elevation file{}",
                    if n == 1 { "" } else { "s" }
                ))));
                cx.commands
                    .push(Command::Edit(crate::case::Edit::SetElevation(Box::new(
                        layers,
                    ))));
            }
            Err(e) => cx.commands.push(Command::notify(Status::Error(e))),
        }
    }

    /// Whether the surface is open and has answered everything asked (tests).
    pub fn idle(&mut self) -> bool {
        self.adding.is_none()
            && self.exporting.is_none()
            && self
                .surface
                .as_mut()
                .is_none_or(|s| s.opening != Opening::Opening && s.idle())
    }

    /// The map layers to draw, bottom first, with their opacity: the hillshade (when
    /// shown) and the viewshed (when there is one).
    pub fn map_layers(&mut self, case: Option<&Case>) -> Vec<(&mut dyn walkers::Tiles, f32)> {
        let mut out: Vec<(&mut dyn walkers::Tiles, f32)> = Vec::new();
        let (Some(case), Some(s)) = (case, self.surface.as_mut()) else {
            return out;
        };
        if !matches!(s.opening, Opening::Ready(_)) {
            return out;
        }
        let layers = &case.meta().elevation;
        let has_view = matches!(s.viewshed, Some(Ok(_)));
        if layers.visible {
            out.push((&mut s.hillshade, layers.opacity));
        }
        if has_view {
            out.push((&mut s.viewshed_tiles, 1.0));
        }
        out
    }
}

/// The light the hillshade should have now: the hand-set sun, or the sun at `point`
/// (the selected finding's place) at `time` (its observed time), with a note in the view
/// when that cannot be used.
pub fn wanted_sun(
    view: &mut TerrainView,
    point: Option<LatLon>,
    time: Option<chrono::DateTime<chrono::Utc>>,
) -> Sun {
    let manual = view.sun;
    if !view.sun_of_finding {
        view.sun_note = None;
        return manual;
    }
    let (sun, note) = match (point, time) {
        (Some(p), Some(t)) => {
            match crate::sun::sun_at(p, 0.0, t, None, crate::sun::Atmosphere::default()) {
                Ok(s) if s.apparent_elevation_deg > 0.0 => (
                    Sun {
                        azimuth_deg: s.azimuth_deg,
                        altitude_deg: s.apparent_elevation_deg.min(90.0),
                    },
                    None,
                ),
                Ok(s) => (
                    manual,
                    Some(format!(
                        "the sun was below the horizon then ({:.1}°): lit by hand",
                        s.apparent_elevation_deg
                    )),
                ),
                Err(e) => (manual, Some(e.to_string())),
            }
        }
        _ => (
            manual,
            Some("select a finding with a place and an observed time: lit by hand".into()),
        ),
    };
    view.sun_note = note;
    sun
}
