//! The Skyline tool (#33): for a photo or a video panel at its frame, a candidate camera
//! whose terrain skyline is drawn over the frame, the frame's skyline traced (clicked,
//! or suggested from its pixels and accepted), the fit score live, **Fit** (heading,
//! pitch, roll and field of view searched around the camera) and **Save to finding**
//! (one `Edit::SetSkylineFit`), and **Scan** (`scan`): the finding's candidate sites,
//! or a grid over its place, ranked by their best fit, listed in the inspector and drawn
//! on the map (`map`).
//!
//! The horizon all round the camera's position is computed by a service holding the
//! case's elevation (`work`); turning, tilting and zooming the camera then only
//! projects that table, so dragging is live. Moving the camera asks for a new table
//! ("rendering…" until it comes).

mod camera;
mod input;
mod map;
mod paint;
mod scan;
mod scan_section;
mod section;
mod state;
mod work;

use crate::case::{Case, Finding};
use crate::spatial::LatLon;
use crate::terrain::fit::Trace;
use crate::terrain::skyline::Camera;
use crate::ui::command::{Command, Status};
use crate::ui::jobs::Job;

pub use input::{keys, pointer, wheel};
pub use map::{SiteMark, draw_on_map};
pub use paint::draw;
pub use section::{SectionCtx, section_ui};
use state::frame_panels;
pub use state::{SkylineState, picture_ready};

/// Once per frame while the tool is in use: follows the case's elevation and the
/// finding, asks for the horizon the camera needs, and takes in finished work.
pub fn poll(
    ctx: &egui::Context,
    case: Option<&Case>,
    finding: Option<&Finding>,
    map_centre: Option<LatLon>,
    s: &mut SkylineState,
    commands: &mut Vec<Command>,
) {
    let (Some(case), Some(finding)) = (case, finding) else {
        return;
    };
    let files = work::elevation_files(case);
    if files.is_empty() {
        s.service = None;
        s.table = None;
        return;
    }
    let paths: Vec<&std::path::PathBuf> = files.iter().map(|(p, _)| p).collect();
    if s.service
        .as_ref()
        .is_none_or(|sv| sv.files().iter().collect::<Vec<_>>() != paths)
    {
        s.service = Some(work::HorizonService::open(files, ctx));
        s.table = None;
        s.horizon_error = None;
    }
    set_up(case, finding, map_centre, s);
    ask_horizon(s);
    take_results(s, commands);
}

/// Chooses the panel and the starting camera when the finding or the panel changes.
fn set_up(case: &Case, finding: &Finding, map_centre: Option<LatLon>, s: &mut SkylineState) {
    let panels = frame_panels(case, finding);
    let saved = finding.skyline_fit.as_ref();
    if s.panel
        .as_ref()
        .is_none_or(|p| !panels.iter().any(|(id, _)| id == p))
    {
        let of_fit = saved.and_then(|f| panels.iter().find(|(_, sha)| *sha == f.evidence));
        s.panel = of_fit.or(panels.first()).map(|(id, _)| id.clone());
        s.camera = None;
    }
    if s.for_finding.as_deref() != Some(finding.id.as_str()) {
        s.for_finding = Some(finding.id.clone());
        s.camera = None;
    }
    let Some((_, sha)) = panels.iter().find(|(id, _)| Some(id) == s.panel.as_ref()) else {
        return;
    };
    let record = case.find_evidence(sha).ok();
    let size = record.map_or([1, 1], |r| [r.width.max(1), r.height.max(1)]);
    if let Some(c) = &mut s.camera {
        [c.width, c.height] = size;
        return;
    }
    let (fov, fov_source) = camera::fov_of(record);
    s.fov_source = fov_source;
    if let Some(f) = saved.filter(|f| f.evidence == *sha) {
        s.camera = Some(Camera {
            width: size[0],
            height: size[1],
            ..f.camera
        });
        s.trace = f.trace.clone();
        s.place_source = "the finding's saved fit";
        return;
    }
    s.trace = Trace::default();
    if let Some((at, heading, source)) = camera::start_place(finding, map_centre) {
        s.camera = Some(camera::level_camera(at, heading, fov, size));
        s.place_source = source;
    }
}

fn ask_horizon(s: &mut SkylineState) {
    let Some(site) = s.camera.map(|c| c.site) else {
        return;
    };
    let have = s.table.as_ref().is_some_and(|(t, _)| *t == site);
    if let Some(service) = &mut s.service
        && !have
    {
        service.ask(site);
    }
    if let Some((site, reply)) = s.service.as_mut().and_then(|sv| sv.receive()) {
        match reply {
            Ok(table) => {
                s.table = Some((site, table));
                s.horizon_error = None;
            }
            Err(e) => s.horizon_error = Some(e),
        }
    }
    // An error is about the position asked: a new position is asked afresh.
    if s.service.as_ref().is_some_and(|sv| sv.asked.is_some()) {
        s.horizon_error = None;
    }
}

/// Takes in a finished fit or suggestion; what came of it goes to the status line.
fn take_results(s: &mut SkylineState, commands: &mut Vec<Command>) {
    let mut notify = |status| commands.push(Command::notify(status));
    if let Some(result) = s.fit_job.as_mut().and_then(Job::take_flat) {
        s.fit_job = None;
        match result {
            Ok(fit) => {
                notify(Status::Info(format!(
                    "skyline fit: {:.3}° mean distance (was {:.3}°), heading {:.2}°, pitch \
                     {:.2}°, roll {:.2}°, field of view {:.2}°",
                    fit.score.mean_deg,
                    fit.start_score.mean_deg,
                    fit.camera.heading_deg,
                    fit.camera.pitch_deg,
                    fit.camera.roll_deg,
                    fit.camera.fov_deg
                )));
                s.camera = Some(fit.camera);
                s.last_fit = Some(fit);
            }
            Err(e) => notify(Status::Error(format!("skyline fit: {e}"))),
        }
    }
    if let Some(result) = s.suggest_job.as_mut().and_then(Job::take_flat) {
        s.suggest_job = None;
        match result {
            Ok(found) if found.found == 0 => {
                notify(Status::Info(
                    "no skyline found in the frame: trace it by clicking".into(),
                ));
            }
            Ok(found) => {
                notify(Status::Info(format!(
                    "skyline proposed in {} of {} columns: accept or discard it",
                    found.found, found.columns
                )));
                s.proposal = Some(found.trace);
            }
            Err(e) => notify(Status::Error(format!("skyline suggestion: {e}"))),
        }
    }
}
