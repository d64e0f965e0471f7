//! The Skyline tool's background work, all through the job registry: the service that
//! holds the case's elevation and computes the horizon all round a camera position
//! (shared with the georeference view, in `ui::skyline`); the fit, run on that horizon
//! as a job; and the suggested trace from the frame's pixels as a job. The UI thread
//! never waits on any of them.

use std::sync::Arc;

use crate::board::Pyramid;
use crate::terrain::fit::{self, Fit, HorizonTable, Ranges, Suggestion, Trace};
use crate::terrain::skyline::Camera;
use crate::ui::jobs::{Job, Jobs};
pub use crate::ui::skyline::{HorizonService, MAX_DISTANCE_M, elevation_files};

/// The largest side the frame is sampled at for a suggestion, pixels.
const SUGGEST_SIDE: f64 = 2048.0;

/// Fits the camera to `trace` on the horizon around its position, as a job.
pub fn start_fit(
    ctx: &egui::Context,
    table: Arc<HorizonTable>,
    start: Camera,
    trace: Trace,
    ranges: Ranges,
) -> Job<Result<Fit, String>> {
    Jobs::of(ctx).spawn(Some(ctx), "skyline fit", move |w| {
        w.progress(
            None,
            format!(
                "fitting heading ±{:.0}°, pitch ±{:.0}°, roll ±{:.0}°, field of view ±{:.0}°",
                ranges.heading_deg, ranges.pitch_deg, ranges.roll_deg, ranges.fov_deg
            ),
        );
        fit::fit_on(&table, start, &trace, ranges, fit::MAX_TRACE_POINTS).map_err(|e| e.to_string())
    })
}

/// Proposes the frame's skyline from its pixels (the picture sampled at most
/// [`SUGGEST_SIDE`] a side, the proposal scaled back to the frame), as a job.
pub fn start_suggest(
    ctx: &egui::Context,
    picture: Arc<Pyramid>,
) -> Job<Result<Suggestion, String>> {
    Jobs::of(ctx).spawn(Some(ctx), "skyline suggestion", move |w| {
        w.progress(None, "looking for the skyline in the frame");
        let (fw, fh) = (f64::from(picture.width()), f64::from(picture.height()));
        let k = (fw.max(fh) / SUGGEST_SIDE).max(1.0);
        let out = (
            (fw / k).round().max(1.0) as u32,
            (fh / k).round().max(1.0) as u32,
        );
        let (kx, ky) = (fw / f64::from(out.0), fh / f64::from(out.1));
        let rgb = picture.sample([0.0, 0.0], [kx, 0.0], [0.0, ky], out);
        let mut s = fit::suggest_skyline(&image::DynamicImage::ImageRgb8(rgb))
            .map_err(|e| e.to_string())?;
        for p in s.trace.polylines.iter_mut().flatten() {
            *p = [(p[0] * kx).min(fw), (p[1] * ky).min(fh)];
        }
        Ok(s)
    })
}
