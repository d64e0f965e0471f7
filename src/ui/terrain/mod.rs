//! Terrain on the map (#33): the case's elevation files as one surface, shown as a
//! hillshade layer, the elevation under the pointer, the profile and line of sight
//! along the Measure tool's line, and a viewshed drawn on the map. The work runs on the
//! surface's service (`surface`); this module holds what the panels set and the case's
//! part (files added through one `Edit`, checked and hashed in a job first).

mod chart;
mod menu;
mod panel;
mod surface;

use std::path::PathBuf;

use crate::spatial::LatLon;
use crate::terrain::{
    Curvature, Dem, ElevationFileRef, ElevationLayers, HeightRef, Site, profile, viewshed,
};

pub use chart::{draw_on_map, profile_panel_ui, verdict_line};
pub use menu::{elevation_menu_ui, sun_controls_ui};
pub use panel::terrain_panel_ui;
pub use surface::{ElevationSurface, Opening, Sun, TileSet, ViewshedResult};

use super::jobs::{Job, Jobs};
use super::state::{AppState, Command, Status};

/// A profile to compute: between two points, heights above the ground.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfileAsk {
    pub from: LatLon,
    pub to: LatLon,
    pub observer_m: f64,
    pub target_m: f64,
    pub refraction: f64,
}

/// What the map draws for terrain: the profile's sight line and first obstruction, the
/// viewshed's observer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    pub sight: Option<(LatLon, LatLon)>,
    pub obstruction: Option<LatLon>,
    pub observer: Option<LatLon>,
}

impl ProfileAsk {
    pub fn run(&self, dem: &Dem) -> Result<profile::Profile, String> {
        let curvature = Curvature::new(self.refraction).map_err(|e| e.to_string())?;
        profile::profile(
            dem,
            above(self.from, self.observer_m),
            above(self.to, self.target_m),
            None,
            curvature,
        )
        .map_err(|e| e.to_string())
    }
}

/// A viewshed to compute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewshedAsk {
    pub at: LatLon,
    pub observer_m: f64,
    pub target_m: f64,
    pub radius_m: Option<f64>,
    /// Heading and full field of view, degrees.
    pub wedge: Option<(f64, f64)>,
    pub refraction: f64,
}

impl ViewshedAsk {
    pub fn run(&self, dem: &Dem) -> Result<viewshed::Viewshed, String> {
        let curvature = Curvature::new(self.refraction).map_err(|e| e.to_string())?;
        let options = viewshed::ViewshedOptions {
            target_m: self.target_m,
            radius_m: self.radius_m,
            wedge: self.wedge,
            curvature,
        };
        viewshed::viewshed(dem, above(self.at, self.observer_m), &options)
            .map_err(|e| e.to_string())
    }
}

fn above(at: LatLon, height_m: f64) -> Site {
    Site {
        at,
        height_m,
        reference: HeightRef::AboveGround,
    }
}

/// What the terrain panels set, kept with the map's state.
pub struct TerrainView {
    /// The hillshade's light as set by hand.
    pub sun: Sun,
    /// Light the hillshade with the sun of the selected finding's place and time.
    pub sun_of_finding: bool,
    /// Why the finding's sun is not used (no time, below the horizon).
    pub sun_note: Option<String>,
    /// Files asked to be added (picked in the menu), taken by the app.
    pub to_add: Vec<PathBuf>,
    /// The elevation under the pointer: None when the case has no surface; Some(None)
    /// outside the data or on nodata.
    pub pointer: Option<Option<f64>>,
    /// Observer and target heights above the ground, metres, and the refraction
    /// coefficient (profiles and viewsheds).
    pub observer_m: f64,
    pub target_m: f64,
    pub refraction: f64,
    /// Viewshed: where from (None: no viewshed), whether the next map click picks it,
    /// the radius (km, 0 = the whole surface) and an optional heading ± fov/2.
    pub viewshed_at: Option<LatLon>,
    pub picking_viewshed: bool,
    pub radius_km: f64,
    pub wedge: Option<(f64, f64)>,
    /// What the map draws of the last profile and viewshed (copied from the surface).
    pub marks: Marks,
}

impl Default for TerrainView {
    fn default() -> TerrainView {
        TerrainView {
            sun: Sun {
                azimuth_deg: 315.0,
                altitude_deg: 45.0,
            },
            sun_of_finding: false,
            sun_note: None,
            to_add: Vec::new(),
            pointer: None,
            observer_m: 1.7,
            target_m: 0.0,
            refraction: crate::terrain::DEFAULT_REFRACTION,
            viewshed_at: None,
            picking_viewshed: false,
            radius_km: 10.0,
            wedge: None,
            marks: Marks::default(),
        }
    }
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
    pub fn sync(&mut self, state: &mut AppState, ctx: &egui::Context) {
        let wanted: Vec<(PathBuf, ElevationFileRef)> =
            state.case.as_ref().map_or_else(Vec::new, |c| {
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
        self.start_adding(state, ctx);
        self.finish_adding(state);
        let view = &mut state.map.terrain;
        view.pointer = self.surface.as_ref().map(|s| {
            s.pointer
                .filter(|(p, _)| Some(*p) == state.map.hover)
                .and_then(|(_, z)| z)
        });
        if let (Some(s), Some(p)) = (&mut self.surface, state.map.hover) {
            s.ask_elevation(p);
        }
        self.ask_sight(state);
        self.finish_export(state);
    }

    /// Asks the surface for the profile along the Measure line's last segment and the
    /// viewshed as set, and copies what the map draws of them.
    fn ask_sight(&mut self, state: &mut AppState) {
        let view = &mut state.map.terrain;
        view.marks = Marks::default();
        let Some(s) = self
            .surface
            .as_mut()
            .filter(|s| matches!(s.opening, Opening::Ready(_)))
        else {
            return;
        };
        let m = &state.map.measure;
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

    fn finish_export(&mut self, state: &mut AppState) {
        let Some(result) = self.exporting.as_mut().and_then(Job::take_flat) else {
            return;
        };
        self.exporting = None;
        state.shell.status = Some(match result {
            Ok(path) => Status::Info(format!("viewshed written to {}", path.display())),
            Err(e) => Status::Error(e),
        });
    }

    fn start_adding(&mut self, state: &mut AppState, ctx: &egui::Context) {
        if state.map.terrain.to_add.is_empty() || self.adding.is_some() {
            return;
        }
        let files = std::mem::take(&mut state.map.terrain.to_add);
        let Some(case) = state.case.as_ref() else {
            state.shell.status = Some(Status::Error(
                "open or create a case before adding elevation files".into(),
            ));
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
            state.shell.status = Some(Status::Info(
                "those elevation files are listed already".into(),
            ));
            return;
        }
        state.shell.status = Some(Status::Info(format!(
            "checking {} elevation file{}…",
            new.len(),
            if new.len() == 1 { "" } else { "s" }
        )));
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

    fn finish_adding(&mut self, state: &mut AppState) {
        let Some(result) = self.adding.as_mut().and_then(Job::take_flat) else {
            return;
        };
        self.adding = None;
        match result {
            Ok(files) => {
                let Some(case) = state.case.as_ref() else {
                    return;
                };
                let mut layers: ElevationLayers = case.meta().elevation.clone();
                let n = files.len();
                layers.files.extend(files);
                state
                    .commands
                    .push(Command::Edit(crate::case::Edit::SetElevation(Box::new(
                        layers,
                    ))));
                state.shell.status = Some(Status::Info(format!(
                    "added {n} elevation file{}",
                    if n == 1 { "" } else { "s" }
                )));
            }
            Err(e) => state.shell.status = Some(Status::Error(e)),
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
    pub fn map_layers(&mut self, state: &AppState) -> Vec<(&mut dyn walkers::Tiles, f32)> {
        let mut out: Vec<(&mut dyn walkers::Tiles, f32)> = Vec::new();
        let (Some(case), Some(s)) = (state.case.as_ref(), self.surface.as_mut()) else {
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

/// The light the hillshade should have now: the hand-set sun, or the sun at the
/// selected finding's place and time (with a note when it cannot be used).
pub fn wanted_sun(state: &mut AppState) -> Sun {
    let manual = state.map.terrain.sun;
    if !state.map.terrain.sun_of_finding {
        state.map.terrain.sun_note = None;
        return manual;
    }
    let finding = state.selected_finding();
    let time = finding.and_then(|f| f.observed_at);
    let point = state.sun_point().map(|(p, _)| p);
    let (sun, note) = match (point, time) {
        (Some(p), Some(t)) => {
            match crate::sun::sun_at(
                p,
                0.0,
                t.with_timezone(&chrono::Utc),
                None,
                crate::sun::Atmosphere::default(),
            ) {
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
    state.map.terrain.sun_note = note;
    sun
}
