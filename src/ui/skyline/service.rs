//! The service holding the case's elevation surface (GDAL's transforms stay on its
//! thread): it computes the horizon all round a camera position, newest position first,
//! through the job registry. The UI thread never waits on it.

use std::path::PathBuf;
use std::sync::{Arc, mpsc};

use crate::case::Case;
use crate::terrain::fit::HorizonTable;
use crate::terrain::{Curvature, Dem, ElevationFileRef, Site};
use crate::ui::jobs::{Job, Jobs, Worker};

/// The elevation files of the case, where the case finds them.
pub fn elevation_files(case: &Case) -> Vec<(PathBuf, ElevationFileRef)> {
    case.meta()
        .elevation
        .files
        .iter()
        .map(|f| (case.elevation_path(f), f.clone()))
        .collect()
}

/// Degrees between the horizon's rays (the figure; what `terrain fit` uses).
pub const STEP_DEG: f64 = 0.1;
/// How far the terrain is searched, metres (`terrain fit`'s default).
pub const MAX_DISTANCE_M: f64 = 50_000.0;

/// A position and its horizon, or why there is none.
pub type Reply = (Site, Result<Arc<HorizonTable>, String>);

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
