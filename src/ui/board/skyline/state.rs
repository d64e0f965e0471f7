//! What the Skyline tool remembers between frames, and the work it starts.

use std::sync::Arc;

use super::work;
use crate::case::comparison::PanelSource;
use crate::case::{Case, Finding};
use crate::terrain::Site;
use crate::terrain::fit::{Fit, HorizonTable, Ranges, Suggestion, Trace};
use crate::terrain::skyline::Camera;
use crate::ui::jobs::Job;

/// The search around the camera **Fit** starts with (as `geoproof terrain fit`).
pub const DEFAULT_RANGES: Ranges = Ranges {
    heading_deg: 10.0,
    pitch_deg: 5.0,
    roll_deg: 3.0,
    fov_deg: 5.0,
};

/// What the Skyline tool remembers between frames.
pub struct SkylineState {
    /// The panel the tool works on.
    pub panel: Option<String>,
    /// The candidate camera (its frame size is the panel's).
    pub camera: Option<Camera>,
    /// Where the camera's place and field of view came from.
    pub place_source: &'static str,
    pub fov_source: &'static str,
    /// The frame's skyline as traced (accepted).
    pub trace: Trace,
    /// A suggestion not yet accepted.
    pub proposal: Option<Trace>,
    /// The next click starts a new polyline.
    pub new_line: bool,
    pub ranges: Ranges,
    /// The horizon around the camera's position, when computed.
    pub table: Option<(Site, Arc<HorizonTable>)>,
    pub horizon_error: Option<String>,
    /// The last fit applied.
    pub last_fit: Option<Fit>,
    /// A suggestion is asked for (started where the panel's picture is at hand).
    pub suggest_wanted: bool,
    pub(super) service: Option<work::HorizonService>,
    pub(super) fit_job: Option<Job<Result<Fit, String>>>,
    pub(super) suggest_job: Option<Job<Result<Suggestion, String>>>,
    /// The camera and pointer (image pixels) when a drag started.
    pub(super) drag_from: Option<(Camera, [f64; 2])>,
    /// The finding the camera was set up for.
    pub(super) for_finding: Option<String>,
    /// **Scan**: the scan running and each finding's last ranking (for the session).
    pub scan: super::scan::ScanState,
}

impl Default for SkylineState {
    fn default() -> SkylineState {
        SkylineState {
            panel: None,
            camera: None,
            place_source: "",
            fov_source: "",
            trace: Trace::default(),
            proposal: None,
            new_line: false,
            ranges: DEFAULT_RANGES,
            table: None,
            horizon_error: None,
            last_fit: None,
            suggest_wanted: false,
            service: None,
            fit_job: None,
            suggest_job: None,
            drag_from: None,
            for_finding: None,
            scan: super::scan::ScanState::default(),
        }
    }
}

impl SkylineState {
    /// The state for another finding: the elevation service, the search ranges and the
    /// scans (the running one, and each finding's ranking) stay.
    pub fn for_new_finding(&mut self) -> SkylineState {
        let mut scan = std::mem::take(&mut self.scan);
        scan.chosen = None;
        SkylineState {
            service: self.service.take(),
            table: self.table.take(),
            ranges: self.ranges,
            scan,
            ..SkylineState::default()
        }
    }

    /// The horizon under the camera, when it is the one computed for its position.
    pub fn current_table(&self) -> Option<&HorizonTable> {
        let c = self.camera.as_ref()?;
        self.table
            .as_ref()
            .filter(|(site, _)| *site == c.site)
            .map(|(_, t)| t.as_ref())
    }

    /// Whether the horizon for the camera's position is being computed.
    pub fn rendering(&self) -> bool {
        self.camera.is_some() && self.current_table().is_none() && self.horizon_error.is_none()
    }

    pub fn fitting(&self) -> Option<(Option<f32>, String)> {
        self.fit_job.as_ref().map(Job::progress)
    }

    pub fn suggesting(&self) -> bool {
        self.suggest_wanted || self.suggest_job.is_some()
    }

    /// Whether nothing is being computed (tests wait for it).
    pub fn idle(&self) -> bool {
        !self.rendering() && self.fit_job.is_none() && !self.suggesting()
    }

    /// Changes the camera (a gesture or a field): the trace stays, the fit is not the
    /// camera's any more.
    pub fn set_camera(&mut self, camera: Camera) {
        self.camera = Some(camera);
    }
}

/// The panels the tool can work on: photos and videos (not map snapshots).
pub fn frame_panels(case: &Case, finding: &Finding) -> Vec<(String, String)> {
    finding
        .panels
        .iter()
        .filter_map(|p| match &p.source {
            PanelSource::Evidence { sha256 } => case
                .find_evidence(sha256)
                .ok()
                .filter(|r| r.kind().is_still() || r.kind().has_frames())
                .map(|_| (p.id.clone(), sha256.clone())),
            PanelSource::MapSnapshot { .. } => None,
        })
        .collect()
}

/// Starts the suggestion asked for, on the panel's picture (called where it is drawn).
pub fn picture_ready(
    ctx: &egui::Context,
    s: &mut SkylineState,
    panel: &str,
    picture: Option<&Arc<crate::board::Pyramid>>,
) {
    if !s.suggest_wanted || s.panel.as_deref() != Some(panel) || s.suggest_job.is_some() {
        return;
    }
    if let Some(p) = picture {
        s.suggest_wanted = false;
        s.suggest_job = Some(work::start_suggest(ctx, Arc::clone(p)));
    }
}

/// Starts **Fit** from the camera on the horizon at its position.
pub fn start_fit(ctx: &egui::Context, s: &mut SkylineState) -> Result<(), String> {
    let camera = s.camera.ok_or("no camera yet")?;
    let table = s
        .table
        .as_ref()
        .filter(|(site, _)| *site == camera.site)
        .map(|(_, t)| Arc::clone(t))
        .ok_or("the horizon is still rendering")?;
    if s.trace.polylines.iter().all(Vec::is_empty) {
        return Err("trace the frame's skyline first (click along it, or Suggest)".into());
    }
    s.fit_job = Some(work::start_fit(
        ctx,
        table,
        camera,
        s.trace.clone(),
        s.ranges,
    ));
    Ok(())
}

/// Cancels a running fit.
pub fn cancel_fit(s: &mut SkylineState) {
    s.fit_job = None;
}
