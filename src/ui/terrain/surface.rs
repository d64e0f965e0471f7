//! The case's elevation surface in the app: one service of the job registry owns the
//! [`Dem`] (GDAL's transforms stay on the thread that made them) and answers requests
//! in turn: the elevation under the pointer, a profile or a viewshed first, then
//! hillshade tiles, newest first. The map draws the tiles that are ready; each sun gets
//! its own tiles (a change of sun starts a new generation, older answers are dropped).

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, mpsc};

use walkers::sources::Attribution;
use walkers::{Tile, TileId, TilePiece, Tiles};

use crate::spatial::LatLon;
use crate::terrain::{Dem, ElevationFileRef, map_tile, profile, viewshed};

use super::super::basemap::{ancestor_tile, sub_piece, whole_tile};
use super::super::jobs::{Job, Jobs, Worker};
use super::{ProfileAsk, ViewshedAsk};

/// Rendered tiles kept (256×256 RGBA each: about 64 MB).
const MAX_CACHED: usize = 1024;
/// Tile requests waiting; the newest are served first and the oldest dropped.
const MAX_QUEUED: usize = 96;
const TILE: u32 = 256;

/// The light of the hillshade, degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sun {
    pub azimuth_deg: f64,
    pub altitude_deg: f64,
}

/// A viewshed as computed, with what the map needs to draw it.
pub struct ViewshedResult {
    pub ask: ViewshedAsk,
    pub view: viewshed::Viewshed,
}

enum Reply {
    Opened(Result<String, String>),
    Tile(u64, TileId, Option<image::RgbaImage>),
    ViewTile(u64, TileId, Option<image::RgbaImage>),
    Elevation(LatLon, Option<f64>),
    Profile(Box<Result<profile::Profile, String>>),
    Viewshed(Result<Arc<viewshed::Viewshed>, String>, ViewshedAsk, u64),
}

#[derive(Default)]
struct Waiting {
    tiles: VecDeque<(u64, TileId, Sun)>,
    view_tiles: VecDeque<(u64, TileId)>,
    point: Option<LatLon>,
    profile: Option<ProfileAsk>,
    viewshed: Option<(ViewshedAsk, u64)>,
    stop: bool,
}

struct Queue {
    waiting: Mutex<Waiting>,
    signal: Condvar,
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

/// The open surface: a walkers tile source for the hillshade and the answers to queries.
pub struct ElevationSurface {
    files: Vec<PathBuf>,
    pub opening: Opening,
    queue: Arc<Queue>,
    replies: mpsc::Receiver<Reply>,
    cache: HashMap<TileId, Option<Tile>>,
    /// Tiles of the previous light, shown until their replacement comes.
    stale: HashMap<TileId, Option<Tile>>,
    pending: HashSet<TileId>,
    sun: Sun,
    generation: u64,
    /// The last point answered and its elevation.
    pub pointer: Option<(LatLon, Option<f64>)>,
    asked: Option<LatLon>,
    /// The last profile computed (or why not), taken by the panel.
    pub profile: Option<Result<profile::Profile, String>>,
    pub profile_running: bool,
    pub viewshed: Option<Result<ViewshedResult, String>>,
    pub viewshed_running: bool,
    view_generation: u64,
    view_tiles: ViewTiles,
    ctx: egui::Context,
    _worker: Job<()>,
}

impl Drop for ElevationSurface {
    fn drop(&mut self) {
        if let Ok(mut q) = self.queue.waiting.lock() {
            q.stop = true;
        }
        self.queue.signal.notify_all();
    }
}

impl ElevationSurface {
    /// Starts the service that opens `files` (checking each against its recorded
    /// SHA-256) and answers requests.
    pub fn open(files: Vec<(PathBuf, ElevationFileRef)>, ctx: &egui::Context) -> ElevationSurface {
        let queue = Arc::new(Queue {
            waiting: Mutex::new(Waiting::default()),
            signal: Condvar::new(),
        });
        let (sender, replies) = mpsc::channel();
        let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
        let worker = {
            let queue = Arc::clone(&queue);
            Jobs::of(ctx).spawn_service(Some(ctx), "elevation", move |w| {
                let opened = files
                    .iter()
                    .try_for_each(|(path, r)| r.verify(path))
                    .and_then(|()| Dem::open(&paths_of(&files)));
                match opened {
                    Ok(dem) => {
                        let _ = sender.send(Reply::Opened(Ok(describe(&dem))));
                        w.repaint();
                        serve(&dem, &queue, &sender, w);
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
            queue,
            replies,
            cache: HashMap::new(),
            stale: HashMap::new(),
            pending: HashSet::new(),
            sun: Sun {
                azimuth_deg: 315.0,
                altitude_deg: 45.0,
            },
            generation: 0,
            pointer: None,
            asked: None,
            profile: None,
            profile_running: false,
            viewshed: None,
            viewshed_running: false,
            view_generation: 0,
            view_tiles: ViewTiles::default(),
            ctx: ctx.clone(),
            _worker: worker,
        }
    }

    /// The files this surface was opened from (where the case finds them).
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Hillshade tiles rendered with pixels and kept.
    pub fn hillshade_tiles(&self) -> usize {
        self.cache.values().filter(|t| t.is_some()).count()
    }

    /// Whether every requested tile and query has been answered (tests wait for it).
    pub fn idle(&mut self) -> bool {
        self.receive();
        self.pending.is_empty()
            && self.asked.is_none()
            && !self.profile_running
            && !self.viewshed_running
            && self.view_tiles.pending.is_empty()
    }

    /// Takes in what the service sent.
    pub fn receive(&mut self) {
        while let Ok(reply) = self.replies.try_recv() {
            match reply {
                Reply::Opened(r) => {
                    self.opening = match r {
                        Ok(s) => Opening::Ready(s),
                        Err(e) => Opening::Failed(e),
                    }
                }
                Reply::Tile(generation, id, image) => {
                    if generation == self.generation {
                        self.pending.remove(&id);
                        let tile = image.map(|i| texture(&self.ctx, "hillshade", id, &i));
                        if self.cache.len() >= MAX_CACHED {
                            self.cache.clear();
                        }
                        self.cache.insert(id, tile);
                    }
                }
                Reply::ViewTile(generation, id, image) => {
                    if generation == self.view_generation {
                        self.view_tiles.pending.remove(&id);
                        let tile = image.map(|i| texture(&self.ctx, "viewshed", id, &i));
                        self.view_tiles.cache.insert(id, tile);
                    }
                }
                Reply::Elevation(p, z) => {
                    if self.asked == Some(p) {
                        self.asked = None;
                    }
                    self.pointer = Some((p, z));
                }
                Reply::Profile(r) => {
                    self.profile_running = false;
                    self.profile = Some(*r);
                }
                Reply::Viewshed(r, ask, generation) => {
                    if generation == self.view_generation {
                        self.viewshed_running = false;
                        self.view_tiles = ViewTiles::default();
                        self.viewshed = Some(r.map(|view| ViewshedResult {
                            ask,
                            view: Arc::unwrap_or_clone(view),
                        }));
                    }
                }
            }
        }
    }

    fn ask(&self, f: impl FnOnce(&mut Waiting)) {
        if let Ok(mut q) = self.queue.waiting.lock() {
            f(&mut q);
        }
        self.queue.signal.notify_one();
    }

    /// Asks for the elevation at `p` (the pointer); the answer comes in [`Self::pointer`].
    pub fn ask_elevation(&mut self, p: LatLon) {
        if self.asked == Some(p) || self.pointer.is_some_and(|(q, _)| q == p) {
            return;
        }
        self.asked = Some(p);
        self.ask(|q| q.point = Some(p));
    }

    pub fn ask_profile(&mut self, ask: ProfileAsk) {
        self.profile_running = true;
        self.ask(|q| q.profile = Some(ask));
    }

    pub fn ask_viewshed(&mut self, ask: ViewshedAsk) {
        self.view_generation += 1;
        self.viewshed_running = true;
        let generation = self.view_generation;
        self.ask(|q| {
            q.view_tiles.clear();
            q.viewshed = Some((ask, generation));
        });
    }

    pub fn clear_viewshed(&mut self) {
        self.view_generation += 1;
        self.viewshed = None;
        self.viewshed_running = false;
        self.view_tiles = ViewTiles::default();
    }

    /// Changes the light: tiles are rendered again.
    pub fn set_sun(&mut self, sun: Sun) {
        if sun != self.sun {
            self.sun = sun;
            self.generation += 1;
            self.pending.clear();
            self.ask(|q| q.tiles.clear());
            // The old tiles stay on screen until the new ones come.
            self.stale = std::mem::take(&mut self.cache);
        }
    }

    pub fn sun(&self) -> Sun {
        self.sun
    }

    /// The viewshed drawn as a map layer.
    pub fn viewshed_layer(&mut self) -> ViewshedLayer<'_> {
        ViewshedLayer { surface: self }
    }

    fn request(&mut self, id: TileId) {
        if self.pending.contains(&id) {
            return;
        }
        let (generation, sun) = (self.generation, self.sun);
        let mut dropped = Vec::new();
        self.ask(|q| {
            q.tiles.push_back((generation, id, sun));
            while q.tiles.len() > MAX_QUEUED {
                if let Some((_, old, _)) = q.tiles.pop_front() {
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

fn paths_of(files: &[(PathBuf, ElevationFileRef)]) -> Vec<PathBuf> {
    files.iter().map(|(p, _)| p.clone()).collect()
}

fn texture(ctx: &egui::Context, what: &str, id: TileId, image: &image::RgbaImage) -> Tile {
    let size = [image.width() as usize, image.height() as usize];
    let color = egui::ColorImage::from_rgba_unmultiplied(size, image.as_raw());
    Tile::Raster(ctx.load_texture(
        format!("{what} {}/{}/{}", id.zoom, id.x, id.y),
        color,
        egui::TextureOptions::LINEAR,
    ))
}

/// "2 files · EPSG:32633 · 30.0 m cells · 12–2,310 m".
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

/// What the service does next, taken from the queue (None: stop).
enum Task {
    Point(LatLon),
    Profile(ProfileAsk),
    Viewshed(ViewshedAsk, u64),
    Tile(u64, TileId, Sun),
    ViewTile(u64, TileId),
}

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
        if let Some((g, id)) = q.view_tiles.pop_back() {
            return Some(Task::ViewTile(g, id));
        }
        if let Some((g, id, sun)) = q.tiles.pop_back() {
            return Some(Task::Tile(g, id, sun));
        }
        q = queue.signal.wait(q).ok()?;
    }
}

fn serve(dem: &Dem, queue: &Queue, sender: &mpsc::Sender<Reply>, worker: &Worker) {
    let mut view: Option<(u64, Arc<viewshed::Viewshed>)> = None;
    while let Some(task) = next_task(queue) {
        let reply = match task {
            Task::Point(p) => Reply::Elevation(p, dem.elevation(p)),
            Task::Profile(ask) => Reply::Profile(Box::new(ask.run(dem))),
            Task::Viewshed(ask, generation) => {
                let result = ask.run(dem).map(Arc::new);
                view = result.as_ref().ok().map(|v| (generation, Arc::clone(v)));
                Reply::Viewshed(result, ask, generation)
            }
            Task::Tile(generation, id, sun) => {
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
                Reply::Tile(generation, id, image)
            }
            Task::ViewTile(generation, id) => {
                let image = match &view {
                    Some((g, v)) if *g == generation => map_tile::viewshed_tile(
                        dem,
                        v,
                        (id.zoom, id.x, id.y),
                        TILE,
                        super::super::theme::VIEWSHED_RGBA,
                    )
                    .unwrap_or(None),
                    _ => None,
                };
                Reply::ViewTile(generation, id, image)
            }
        };
        if sender.send(reply).is_err() {
            return;
        }
        worker.repaint();
    }
}

impl Tiles for ElevationSurface {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        self.receive();
        match self.cache.get(&tile_id) {
            Some(Some(tile)) => return Some(whole_tile(tile.clone())),
            Some(None) => return None,
            None => self.request(tile_id),
        }
        // While it renders: the tile of the previous light, or the nearest coarser tile
        // that is ready, enlarged.
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
        Attribution {
            text: "your elevation",
            url: "",
            logo_light: None,
            logo_dark: None,
        }
    }
    fn tile_size(&self) -> u32 {
        TILE
    }
}

/// The viewshed's tiles.
#[derive(Default)]
struct ViewTiles {
    cache: HashMap<TileId, Option<Tile>>,
    pending: HashSet<TileId>,
}

/// The viewshed as a walkers tile source (borrowed from the surface for one frame).
pub struct ViewshedLayer<'a> {
    surface: &'a mut ElevationSurface,
}

impl Tiles for ViewshedLayer<'_> {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        let s = &mut *self.surface;
        s.receive();
        if !matches!(s.viewshed, Some(Ok(_))) {
            return None;
        }
        if let Some(t) = s.view_tiles.cache.get(&tile_id) {
            return t.clone().map(whole_tile);
        }
        if s.view_tiles.pending.insert(tile_id) {
            let generation = s.view_generation;
            let mut dropped = Vec::new();
            s.ask(|q| {
                q.view_tiles.push_back((generation, tile_id));
                while q.view_tiles.len() > MAX_QUEUED {
                    if let Some((_, old)) = q.view_tiles.pop_front() {
                        dropped.push(old);
                    }
                }
            });
            for old in dropped {
                s.view_tiles.pending.remove(&old);
            }
        }
        None
    }
    fn attribution(&self) -> Attribution {
        Attribution {
            text: "viewshed",
            url: "",
            logo_light: None,
            logo_dark: None,
        }
    }
    fn tile_size(&self) -> u32 {
        TILE
    }
}
