//! The case's elevation surface in the app: one service of the job registry owns the
//! [`Dem`] (GDAL's transforms stay on the thread that made them) and answers requests
//! in turn: the elevation under the pointer, a profile or a viewshed first, then map
//! tiles (hillshade, viewshed), newest first. The map draws the tiles that are ready; a
//! change of light or a new viewshed starts a new generation and older answers are
//! dropped.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, mpsc};

use walkers::sources::Attribution;
use walkers::{Tile, TileId, TilePiece, Tiles};

use crate::spatial::LatLon;
use crate::terrain::{Dem, ElevationFileRef, map_tile, profile, viewshed};

use super::super::basemap::{ancestor_tile, sub_piece, text_attribution, whole_tile};
use super::super::jobs::{Job, Jobs, Worker};
use super::super::map_terrain::Sun;
use super::asks::{ProfileAsk, ViewshedAsk};

/// Rendered tiles kept per layer (256×256 RGBA each: about 64 MB).
const MAX_CACHED: usize = 1024;
/// Tile requests waiting per layer; the newest are served first, the oldest dropped.
const MAX_QUEUED: usize = 96;
const TILE: u32 = 256;

/// A viewshed as computed, and what it was asked for.
pub struct ViewshedResult {
    pub ask: ViewshedAsk,
    pub view: Arc<viewshed::Viewshed>,
    /// The surface's CRS as WKT (to write the GeoTIFF).
    pub wkt: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Hillshade,
    Viewshed,
}

type TileReply = (u64, TileId, Option<image::RgbaImage>);

enum Reply {
    Opened(Result<String, String>),
    Elevation(LatLon, Option<f64>),
    Profile(ProfileAsk, Box<Result<profile::Profile, String>>),
    Viewshed(
        Result<(Arc<viewshed::Viewshed>, String), String>,
        ViewshedAsk,
        u64,
    ),
}

struct Waiting {
    hillshade: VecDeque<(u64, TileId)>,
    viewshed_tiles: VecDeque<(u64, TileId)>,
    sun: Sun,
    point: Option<LatLon>,
    profile: Option<ProfileAsk>,
    viewshed: Option<(ViewshedAsk, u64)>,
    stop: bool,
}

struct Queue {
    waiting: Mutex<Waiting>,
    signal: Condvar,
}

impl Queue {
    fn ask(&self, f: impl FnOnce(&mut Waiting)) {
        if let Ok(mut q) = self.waiting.lock() {
            f(&mut q);
        }
        self.signal.notify_one();
    }
}

/// What the surface is doing.
#[derive(Debug, Clone, PartialEq)]
pub enum Opening {
    Opening,
    /// Open: a line describing it.
    Ready(String),
    /// The domain's one-line error.
    Failed(String),
}

/// One layer's tiles as a walkers tile source.
pub struct TileSet {
    layer: Layer,
    queue: Arc<Queue>,
    replies: mpsc::Receiver<TileReply>,
    cache: HashMap<TileId, Option<Tile>>,
    /// Tiles of the previous generation, shown until their replacement comes.
    stale: HashMap<TileId, Option<Tile>>,
    pending: HashSet<TileId>,
    generation: u64,
    ctx: egui::Context,
}

impl TileSet {
    fn new(
        layer: Layer,
        queue: &Arc<Queue>,
        replies: mpsc::Receiver<TileReply>,
        ctx: &egui::Context,
    ) -> TileSet {
        TileSet {
            layer,
            queue: Arc::clone(queue),
            replies,
            cache: HashMap::new(),
            stale: HashMap::new(),
            pending: HashSet::new(),
            generation: 0,
            ctx: ctx.clone(),
        }
    }

    /// Tiles rendered with pixels and kept.
    pub fn rendered(&self) -> usize {
        self.cache.values().filter(|t| t.is_some()).count()
    }

    fn idle(&mut self) -> bool {
        self.receive();
        self.pending.is_empty()
    }

    fn receive(&mut self) {
        while let Ok((generation, id, image)) = self.replies.try_recv() {
            if generation != self.generation {
                continue;
            }
            self.pending.remove(&id);
            let tile = image.map(|image| {
                let size = [image.width() as usize, image.height() as usize];
                let color = egui::ColorImage::from_rgba_unmultiplied(size, image.as_raw());
                Tile::Raster(self.ctx.load_texture(
                    format!("{:?} {}/{}/{}", self.layer, id.zoom, id.x, id.y),
                    color,
                    egui::TextureOptions::LINEAR,
                ))
            });
            if self.cache.len() >= MAX_CACHED {
                self.cache.clear();
            }
            self.cache.insert(id, tile);
        }
    }

    /// A new generation: what is cached is kept on screen (`keep`) or dropped.
    fn renew(&mut self, keep: bool) -> u64 {
        self.generation += 1;
        self.pending.clear();
        let old = std::mem::take(&mut self.cache);
        self.stale = if keep { old } else { HashMap::new() };
        self.generation
    }

    fn request(&mut self, id: TileId) {
        if self.pending.contains(&id) {
            return;
        }
        let (generation, layer) = (self.generation, self.layer);
        let mut dropped = Vec::new();
        self.queue.ask(|q| {
            let list = match layer {
                Layer::Hillshade => &mut q.hillshade,
                Layer::Viewshed => &mut q.viewshed_tiles,
            };
            list.push_back((generation, id));
            while list.len() > MAX_QUEUED {
                if let Some((_, old)) = list.pop_front() {
                    dropped.push(old);
                }
            }
        });
        for old in dropped {
            self.pending.remove(&old);
        }
        self.pending.insert(id);
    }
}

impl Tiles for TileSet {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        self.receive();
        match self.cache.get(&tile_id) {
            Some(Some(tile)) => return Some(whole_tile(tile.clone())),
            Some(None) => return None,
            None => self.request(tile_id),
        }
        // While it renders: the tile of the previous generation, or the nearest coarser
        // tile that is ready, enlarged.
        if let Some(Some(tile)) = self.stale.get(&tile_id) {
            return Some(whole_tile(tile.clone()));
        }
        for zoom in (tile_id.zoom.saturating_sub(6)..tile_id.zoom).rev() {
            let (id, sub) = ancestor_tile(tile_id, zoom);
            if let Some(Some(tile)) = self.cache.get(&id).or_else(|| self.stale.get(&id)) {
                return Some(sub_piece(whole_tile(tile.clone()), sub));
            }
        }
        None
    }
    fn attribution(&self) -> Attribution {
        text_attribution(match self.layer {
            Layer::Hillshade => "your elevation",
            Layer::Viewshed => "viewshed",
        })
    }
    fn tile_size(&self) -> u32 {
        TILE
    }
}

/// The open surface: its layers and the answers to queries.
pub struct ElevationSurface {
    files: Vec<PathBuf>,
    pub opening: Opening,
    queue: Arc<Queue>,
    replies: mpsc::Receiver<Reply>,
    pub hillshade: TileSet,
    pub viewshed_tiles: TileSet,
    sun: Sun,
    /// The last point answered and its elevation.
    pub pointer: Option<(LatLon, Option<f64>)>,
    asked: Option<LatLon>,
    /// The profile asked last, and its answer when it came.
    pub profile_asked: Option<ProfileAsk>,
    pub profile: Option<Result<profile::Profile, String>>,
    /// The viewshed asked last, and its answer when it came.
    pub viewshed_asked: Option<ViewshedAsk>,
    pub viewshed: Option<Result<ViewshedResult, String>>,
    _worker: Job<()>,
}

impl Drop for ElevationSurface {
    fn drop(&mut self) {
        self.queue.ask(|q| q.stop = true);
        self.queue.signal.notify_all();
    }
}

impl ElevationSurface {
    /// Starts the service that opens `files` (checking each against its recorded
    /// SHA-256) and answers requests.
    pub fn open(files: Vec<(PathBuf, ElevationFileRef)>, ctx: &egui::Context) -> ElevationSurface {
        let sun = Sun {
            azimuth_deg: 315.0,
            altitude_deg: 45.0,
        };
        let queue = Arc::new(Queue {
            waiting: Mutex::new(Waiting {
                hillshade: VecDeque::new(),
                viewshed_tiles: VecDeque::new(),
                sun,
                point: None,
                profile: None,
                viewshed: None,
                stop: false,
            }),
            signal: Condvar::new(),
        });
        let (sender, replies) = mpsc::channel();
        let (hill_sender, hill_replies) = mpsc::channel();
        let (view_sender, view_replies) = mpsc::channel();
        let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
        let worker = {
            let queue = Arc::clone(&queue);
            let paths = paths.clone();
            Jobs::of(ctx).spawn_service(Some(ctx), "elevation", move |w| {
                let opened = files
                    .iter()
                    .try_for_each(|(path, r)| r.verify(path))
                    .and_then(|()| Dem::open(&paths));
                match opened {
                    Ok(dem) => {
                        let _ = sender.send(Reply::Opened(Ok(describe(&dem))));
                        w.repaint();
                        let out = Senders {
                            main: sender,
                            hillshade: hill_sender,
                            viewshed: view_sender,
                        };
                        serve(&dem, &queue, &out, w);
                    }
                    Err(e) => {
                        let _ = sender.send(Reply::Opened(Err(e.to_string())));
                        w.repaint();
                    }
                }
            })
        };
        ElevationSurface {
            files: paths,
            opening: Opening::Opening,
            hillshade: TileSet::new(Layer::Hillshade, &queue, hill_replies, ctx),
            viewshed_tiles: TileSet::new(Layer::Viewshed, &queue, view_replies, ctx),
            queue,
            replies,
            sun,
            pointer: None,
            asked: None,
            profile_asked: None,
            profile: None,
            viewshed_asked: None,
            viewshed: None,
            _worker: worker,
        }
    }

    /// The files this surface was opened from (where the case finds them).
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Whether every requested tile and query has been answered (tests wait for it).
    pub fn idle(&mut self) -> bool {
        self.receive();
        self.hillshade.idle()
            && self.viewshed_tiles.idle()
            && self.asked.is_none()
            && self.profile_running().is_none()
            && !self.viewshed_running()
    }

    /// The profile being computed, if one is.
    pub fn profile_running(&self) -> Option<ProfileAsk> {
        self.profile_asked.filter(|_| self.profile.is_none())
    }

    pub fn viewshed_running(&self) -> bool {
        self.viewshed_asked.is_some() && self.viewshed.is_none()
    }

    /// Takes in what the service sent (tiles are taken in by their layers).
    pub fn receive(&mut self) {
        while let Ok(reply) = self.replies.try_recv() {
            match reply {
                Reply::Opened(r) => {
                    self.opening = match r {
                        Ok(s) => Opening::Ready(s),
                        Err(e) => Opening::Failed(e),
                    }
                }
                Reply::Elevation(p, z) => {
                    if self.asked == Some(p) {
                        self.asked = None;
                    }
                    self.pointer = Some((p, z));
                }
                Reply::Profile(ask, r) => {
                    if self.profile_asked == Some(ask) {
                        self.profile = Some(*r);
                    }
                }
                Reply::Viewshed(r, ask, generation) => {
                    if generation == self.viewshed_tiles.generation {
                        self.viewshed =
                            Some(r.map(|(view, wkt)| ViewshedResult { ask, view, wkt }));
                    }
                }
            }
        }
    }

    /// Asks for the elevation at `p` (the pointer); the answer comes in [`Self::pointer`].
    pub fn ask_elevation(&mut self, p: LatLon) {
        if self.asked == Some(p) || self.pointer.is_some_and(|(q, _)| q == p) {
            return;
        }
        self.asked = Some(p);
        self.queue.ask(|q| q.point = Some(p));
    }

    /// Asks for a profile unless it is the one asked last; None forgets it.
    pub fn ask_profile(&mut self, ask: Option<ProfileAsk>) {
        if ask == self.profile_asked {
            return;
        }
        self.profile_asked = ask;
        self.profile = None;
        self.queue.ask(|q| q.profile = ask);
    }

    /// Asks for a viewshed (its tiles start again); None clears it.
    pub fn ask_viewshed(&mut self, ask: Option<ViewshedAsk>) {
        if ask == self.viewshed_asked {
            return;
        }
        self.viewshed_asked = ask;
        self.viewshed = None;
        let generation = self.viewshed_tiles.renew(false);
        self.queue.ask(|q| {
            q.viewshed_tiles.clear();
            q.viewshed = ask.map(|a| (a, generation));
        });
    }

    /// Changes the light: the hillshade is rendered again.
    pub fn set_sun(&mut self, sun: Sun) {
        if sun != self.sun {
            self.sun = sun;
            self.hillshade.renew(true);
            self.queue.ask(|q| {
                q.hillshade.clear();
                q.sun = sun;
            });
        }
    }
}

/// "2 files · EPSG:32633 · 30.0 m cells · 12…2310 m".
fn describe(dem: &Dem) -> String {
    let tiles = dem.tiles();
    let min = tiles.iter().filter_map(|t| t.min_m).reduce(f64::min);
    let max = tiles.iter().filter_map(|t| t.max_m).reduce(f64::max);
    let range = match (min, max) {
        (Some(a), Some(b)) => format!("{a:.0}…{b:.0} m"),
        _ => "no elevation values".into(),
    };
    format!(
        "{} file{} · {} · {:.1} m cells · {range}",
        tiles.len(),
        if tiles.len() == 1 { "" } else { "s" },
        dem.crs(),
        dem.resolution_m()
    )
}

/// What the service does next.
enum Task {
    Point(LatLon),
    Profile(ProfileAsk),
    Viewshed(ViewshedAsk, u64),
    Tile(Layer, u64, TileId, Sun),
}

/// The next task, waiting for one (None: stop).
fn next_task(queue: &Queue) -> Option<Task> {
    let mut q = queue.waiting.lock().ok()?;
    loop {
        if q.stop {
            return None;
        }
        if let Some(p) = q.point.take() {
            return Some(Task::Point(p));
        }
        if let Some(p) = q.profile.take() {
            return Some(Task::Profile(p));
        }
        if let Some((v, g)) = q.viewshed.take() {
            return Some(Task::Viewshed(v, g));
        }
        let sun = q.sun;
        if let Some((g, id)) = q.viewshed_tiles.pop_back() {
            return Some(Task::Tile(Layer::Viewshed, g, id, sun));
        }
        if let Some((g, id)) = q.hillshade.pop_back() {
            return Some(Task::Tile(Layer::Hillshade, g, id, sun));
        }
        q = queue.signal.wait(q).ok()?;
    }
}

struct Senders {
    main: mpsc::Sender<Reply>,
    hillshade: mpsc::Sender<TileReply>,
    viewshed: mpsc::Sender<TileReply>,
}

fn serve(dem: &Dem, queue: &Queue, out: &Senders, worker: &Worker) {
    let mut view: Option<(u64, Arc<viewshed::Viewshed>)> = None;
    while let Some(task) = next_task(queue) {
        let sent = match task {
            Task::Point(p) => out.main.send(Reply::Elevation(p, dem.elevation(p))).is_ok(),
            Task::Profile(ask) => out
                .main
                .send(Reply::Profile(ask, Box::new(ask.run(dem))))
                .is_ok(),
            Task::Viewshed(ask, generation) => {
                let result = ask.run(dem).map(Arc::new);
                view = result.as_ref().ok().map(|v| (generation, Arc::clone(v)));
                let reply = result.map(|v| (v, dem.wkt().to_owned()));
                out.main
                    .send(Reply::Viewshed(reply, ask, generation))
                    .is_ok()
            }
            Task::Tile(Layer::Hillshade, generation, id, sun) => {
                let image = map_tile::hillshade_tile(
                    dem,
                    (id.zoom, id.x, id.y),
                    TILE,
                    sun.azimuth_deg,
                    sun.altitude_deg,
                )
                .unwrap_or_else(|e| {
                    log::warn!("hillshade tile {}/{}/{}: {e}", id.zoom, id.x, id.y);
                    None
                });
                out.hillshade.send((generation, id, image)).is_ok()
            }
            Task::Tile(Layer::Viewshed, generation, id, _) => {
                let image = match &view {
                    Some((g, v)) if *g == generation => map_tile::viewshed_tile(
                        dem,
                        v,
                        (id.zoom, id.x, id.y),
                        TILE,
                        super::super::theme::VIEWSHED_RGBA,
                    )
                    .unwrap_or_else(|e| {
                        log::warn!("viewshed tile {}/{}/{}: {e}", id.zoom, id.x, id.y);
                        None
                    }),
                    _ => None,
                };
                out.viewshed.send((generation, id, image)).is_ok()
            }
        };
        if !sent {
            return;
        }
        worker.repaint();
    }
}
