//! The Skyline tool's background work, all through the job registry: a service that
//! holds the case's elevation (GDAL's transforms stay on its thread) and computes the
//! horizon all round a camera position, newest position first; the fit, run on that
//! horizon as a job; and the suggested trace from the frame's pixels as a job. The UI
//! thread never waits on any of them.

use std::path::PathBuf;
use std::sync::{Arc, mpsc};

use crate::board::Pyramid;
use crate::terrain::fit::{self, Fit, HorizonTable, Ranges, Suggestion, Trace};
use crate::terrain::skyline::Camera;
use crate::terrain::{Curvature, Dem, ElevationFileRef, Site};
use crate::ui::jobs::{Job, Jobs, Worker};

/// Degrees between the horizon's rays (the figure; what `terrain fit` uses).
pub const STEP_DEG: f64 = 0.1;
/// How far the terrain is searched, metres (`terrain fit`'s default).
pub const MAX_DISTANCE_M: f64 = 50_000.0;
/// The largest side the frame is sampled at for a suggestion, pixels.
const SUGGEST_SIDE: f64 = 2048.0;

type Reply = (Site, Result<Arc<HorizonTable>, String>);

/// The elevation files of the case, where the case finds them.
pub fn elevation_files(case: &crate::case::Case) -> Vec<(PathBuf, ElevationFileRef)> {
    case.meta()
        .elevation
        .files
        .iter()
        .map(|f| (case.elevation_path(f), f.clone()))
        .collect()
}

/// The service holding the case's elevation surface.
pub struct HorizonService {
    files: Vec<PathBuf>,
    asks: mpsc::Sender<Site>,
    replies: mpsc::Receiver<Reply>,
    /// The position asked last, until its answer comes.
    pub asked: Option<Site>,
    _worker: Job<()>,
}

impl HorizonService {
    /// Starts the service on `files` (each checked against its recorded SHA-256 first).
    pub fn open(files: Vec<(PathBuf, ElevationFileRef)>, ctx: &egui::Context) -> HorizonService {
        let (asks, asked) = mpsc::channel::<Site>();
        let (send, replies) = mpsc::channel::<Reply>();
        let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
        let worker = Jobs::of(ctx).spawn_service(Some(ctx), "skyline horizon", move |w| {
            let dem = files
                .iter()
                .try_for_each(|(path, r)| r.verify(path))
                .and_then(|()| Dem::open(&files.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>()))
                .map_err(|e| e.to_string());
            serve(dem.as_ref(), &asked, &send, w);
        });
        HorizonService {
            files: paths,
            asks,
            replies,
            asked: None,
            _worker: worker,
        }
    }

    /// The files the service was opened on (where the case finds them).
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Asks for the horizon around `site` unless it is the position asked last.
    pub fn ask(&mut self, site: Site) {
        if self.asked == Some(site) {
            return;
        }
        self.asked = Some(site);
        let _ = self.asks.send(site);
    }

    /// The newest answer, if one came.
    pub fn receive(&mut self) -> Option<Reply> {
        let mut last = None;
        while let Ok(reply) = self.replies.try_recv() {
            last = Some(reply);
        }
        if let Some((site, _)) = &last
            && self.asked == Some(*site)
        {
            self.asked = None;
        }
        last
    }
}

/// Answers positions in turn, skipping to the newest waiting; ends when the tool drops
/// its end of the channel.
fn serve(
    dem: Result<&Dem, &String>,
    asks: &mpsc::Receiver<Site>,
    out: &mpsc::Sender<Reply>,
    w: &Worker,
) {
    while let Ok(mut site) = asks.recv() {
        while let Ok(newer) = asks.try_recv() {
            site = newer;
        }
        let table = match dem {
            Ok(dem) => site
                .place(dem, "camera")
                .and_then(|placed| {
                    HorizonTable::all_round(
                        dem,
                        placed,
                        STEP_DEG,
                        MAX_DISTANCE_M,
                        Curvature::default(),
                    )
                })
                .map(Arc::new)
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        };
        if out.send((site, table)).is_err() || w.cancelled() {
            return;
        }
        w.repaint();
    }
}

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
