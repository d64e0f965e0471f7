//! A vector basemap (`.pmtiles` or `.mbtiles` of Mapbox Vector Tiles) on the map: each
//! tile the map asks for is decoded, tessellated and filled at its own zoom (so deeper
//! zooms than the archive's stay sharp) by one background service of the job registry,
//! through the same domain renderer as `geoproof snapshot`, and cached as a texture.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use walkers::sources::Attribution;
use walkers::{Tile, TileId, TilePiece, Tiles};

use super::tiles::{text_attribution, whole_tile};
use crate::ui::jobs::{Job, Jobs, catch_failure};
use crate::vector::snapshot::{View, render, unmercator};
use crate::vector::{Archive, Theme};

/// Tiles kept as textures; past this the cache starts again (a few screens' worth).
const CACHE_TILES: usize = 768;
/// Requests not yet started beyond this are dropped (the oldest first): the map asks
/// again for what is still on screen.
const QUEUE: usize = 96;

type Reply = (TileId, Result<image::RgbaImage, String>);

#[derive(Default)]
struct Requests {
    waiting: Mutex<VecDeque<TileId>>,
    wake: Condvar,
}

pub struct VectorTiles {
    requests: Arc<Requests>,
    replies: mpsc::Receiver<Reply>,
    cache: HashMap<TileId, Option<Tile>>,
    pending: HashSet<TileId>,
    ctx: egui::Context,
    /// The basemap's names, placed per view by the map (`vector_labels`).
    labels: Option<super::vector_labels::Handle>,
    _worker: Job<()>,
}

impl Drop for VectorTiles {
    fn drop(&mut self) {
        // Another basemap takes over: its labels (if any) are its own.
        if let (Some(mine), Some(now)) = (&self.labels, super::vector_labels::current(&self.ctx))
            && Arc::ptr_eq(mine, &now)
        {
            super::vector_labels::set_current(&self.ctx, None);
        }
    }
}

/// Renders one 256-pixel tile of the view at `tile`'s zoom.
pub fn render_tile(
    archive: &Archive,
    tile: TileId,
    theme: Theme,
) -> Result<image::RgbaImage, String> {
    let n = f64::from(1u32 << tile.zoom);
    let view = View {
        center: unmercator((f64::from(tile.x) + 0.5) / n, (f64::from(tile.y) + 0.5) / n),
        zoom: f64::from(tile.zoom),
        size: [256, 256],
        theme,
    };
    let snap = render(archive, &view).map_err(|e| e.to_string())?;
    if let Some(e) = snap.tile_errors.first() {
        log::warn!("{e}");
    }
    Ok(snap.image)
}

impl VectorTiles {
    pub fn new(archive: Archive, ctx: &egui::Context) -> VectorTiles {
        let theme = if ctx.theme() == egui::Theme::Dark {
            Theme::Dark
        } else {
            Theme::Light
        };
        let labels = match super::vector_labels::VectorLabels::start(archive.path(), ctx, theme) {
            Ok(h) => Some(h),
            Err(e) => {
                log::warn!("map labels: {e}");
                None
            }
        };
        super::vector_labels::set_current(ctx, labels.clone());
        let requests = Arc::new(Requests::default());
        let (sender, replies) = mpsc::channel();
        let queue = requests.clone();
        let worker = Jobs::of(ctx).spawn_service(Some(ctx), "drawing vector tiles", move |w| {
            while !w.cancelled() {
                let next = {
                    let mut waiting = queue.waiting.lock().unwrap_or_else(PoisonError::into_inner);
                    if waiting.is_empty() {
                        waiting = queue
                            .wake
                            .wait_timeout(waiting, Duration::from_millis(200))
                            .unwrap_or_else(PoisonError::into_inner)
                            .0;
                    }
                    waiting.pop_back()
                };
                let Some(tile) = next else { continue };
                let reply = catch_failure("drawing a vector tile", || {
                    render_tile(&archive, tile, theme)
                });
                if sender.send((tile, reply)).is_err() {
                    break;
                }
                w.repaint();
            }
        });
        VectorTiles {
            requests,
            replies,
            cache: HashMap::new(),
            pending: HashSet::new(),
            ctx: ctx.clone(),
            labels,
            _worker: worker,
        }
    }

    fn receive(&mut self) {
        while let Ok((tile, reply)) = self.replies.try_recv() {
            self.pending.remove(&tile);
            let texture = match reply {
                Ok(img) => Some(Tile::Raster(self.ctx.load_texture(
                    "vector tile",
                    egui::ColorImage::from_rgba_unmultiplied(
                        [img.width() as usize, img.height() as usize],
                        img.as_raw(),
                    ),
                    Default::default(),
                ))),
                Err(e) => {
                    log::warn!("vector tile {}/{}/{}: {e}", tile.zoom, tile.x, tile.y);
                    None
                }
            };
            if self.cache.len() >= CACHE_TILES {
                self.cache.clear();
            }
            self.cache.insert(tile, texture);
        }
    }
}

impl Tiles for VectorTiles {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        self.receive();
        if let Some(cached) = self.cache.get(&tile_id) {
            return cached.clone().map(whole_tile);
        }
        if self.pending.insert(tile_id) {
            let mut waiting = self
                .requests
                .waiting
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            waiting.push_back(tile_id);
            if waiting.len() > QUEUE
                && let Some(old) = waiting.pop_front()
            {
                self.pending.remove(&old);
            }
            self.requests.wake.notify_one();
        }
        None
    }
    fn attribution(&self) -> Attribution {
        text_attribution("local vector tiles (see the archive's licence)")
    }
    fn tile_size(&self) -> u32 {
        256
    }
}
