//! A vector basemap (`.pmtiles` or `.mbtiles` of Mapbox Vector Tiles, or an OSM
//! extract drawn as a street map from its index, both with their names) on the map:
//! each tile the map asks for is decoded, tessellated and filled at its own zoom (so
//! deeper zooms than the archive's stay sharp) by one background service of the job registry, through the same
//! domain renderer as `geoproof snapshot`, and cached as a texture. An extract is
//! indexed by that service first (cached: almost instant the next time); its progress
//! and notes (an extract with no roads) are shown in the status bar ([`note`]).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

use walkers::sources::Attribution;
use walkers::{Tile, TileId, TilePiece, Tiles};

use super::requests::Requests;
use super::tiles::{text_attribution, whole_tile};
use super::vector_labels::{Source, VectorLabels};
use crate::osm::index::{OsmIndex, default_cache_dir};
use crate::ui::jobs::{Job, Jobs, Worker, catch_failure};
use crate::vector::labels::osm;
use crate::vector::snapshot::{View, render, unmercator};
use crate::vector::{Archive, OsmStreets, Theme, TileSource};

/// Tiles kept as textures; past this the cache starts again (a few screens' worth).
const CACHE_TILES: usize = 768;
/// Requests not yet started beyond this are dropped (the oldest first): the map asks
/// again for what is still on screen.
const QUEUE: usize = 96;

type Reply = (TileId, Result<image::RgbaImage, String>);

pub struct VectorTiles {
    requests: Arc<Requests<TileId>>,
    replies: mpsc::Receiver<Reply>,
    cache: HashMap<TileId, Option<Tile>>,
    pending: HashSet<TileId>,
    ctx: egui::Context,
    attribution: &'static str,
    /// The basemap's names, placed per view by the map (`vector_labels`).
    labels: Option<super::vector_labels::Handle>,
    _worker: Job<()>,
}

type Opened = Result<Box<dyn TileSource + Send>, String>;
/// Gives the labels service its source, on its thread.
type OpenLabels = Box<dyn FnOnce(&Worker) -> Option<Source> + Send>;

fn note_id() -> egui::Id {
    egui::Id::unique("geoproof-basemap-note")
}

/// What the basemap has to say (an extract being indexed, one with no roads, one that
/// could not be read), shown in the status bar; set from the drawing service.
pub fn note(ctx: &egui::Context) -> Option<String> {
    ctx.data(|d| d.get_temp::<Option<String>>(note_id()).flatten())
}

fn set_note(ctx: &egui::Context, note: Option<String>) {
    ctx.data_mut(|d| d.insert_temp(note_id(), note));
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
    archive: &dyn TileSource,
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

/// Opens the street map of the extract at `path`, indexing it into `cache` (or the
/// user's cache folder) first, with progress in the basemap note.
fn open_streets(
    path: &std::path::Path,
    cache: Option<PathBuf>,
    w: &Worker,
    ctx: &egui::Context,
) -> Result<Arc<OsmStreets>, String> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let cache = cache
        .or_else(default_cache_dir)
        .ok_or_else(|| format!("{name}: no cache folder for its index (HOME is not set)"))?;
    let report = |f: f64| {
        w.progress(Some(f as f32), "indexing the extract");
        set_note(
            ctx,
            Some(format!(
                "{name}: indexing for the street map, {:.0}%",
                f * 100.0
            )),
        );
        w.repaint();
    };
    let index =
        OsmIndex::open(path, &cache, &report, w.cancel_token()).map_err(|e| e.to_string())?;
    let streets = OsmStreets::new(Arc::new(index), path);
    set_note(
        ctx,
        Some(streets.no_roads_note().unwrap_or_else(|| {
            format!(
                "{name}: street map from zoom {}",
                crate::vector::streets::MIN_ZOOM
            )
        })),
    );
    Ok(Arc::new(streets))
}

/// Waits on a service's thread for the street map its tile service opens: `None` when
/// that fails or the service is cancelled first.
fn wait_for(opened: &mpsc::Receiver<Source>, w: &Worker) -> Option<Source> {
    loop {
        match opened.recv_timeout(std::time::Duration::from_millis(200)) {
            Ok(source) => return Some(source),
            Err(mpsc::RecvTimeoutError::Timeout) if !w.cancelled() => {}
            Err(_) => return None,
        }
    }
}

impl VectorTiles {
    pub fn new(archive: Archive, ctx: &egui::Context) -> VectorTiles {
        let archive = Arc::new(archive);
        let labelled: Source = archive.clone();
        let levels = (archive.min_zoom(), archive.max_zoom());
        VectorTiles::with_source(
            ctx,
            "local vector tiles (see the archive's licence)",
            (levels, Box::new(move |_| Some(labelled))),
            move |_| Ok(Box::new(archive)),
        )
    }

    /// The OSM extract at `path` as a street map with its names, its index built or
    /// read from `cache` (the user's cache folder when `None`) on the drawing service.
    pub fn osm_extract(path: PathBuf, cache: Option<PathBuf>, ctx: &egui::Context) -> VectorTiles {
        let note_ctx = ctx.clone();
        let (opened, for_labels) = mpsc::channel::<Source>();
        let levels = (osm::MIN_LEVEL, osm::MAX_LEVEL);
        let labels: OpenLabels = Box::new(move |w| wait_for(&for_labels, w));
        VectorTiles::with_source(ctx, crate::osm::ATTRIBUTION, (levels, labels), move |w| {
            let streets = open_streets(&path, cache, w, &note_ctx)?;
            let _ = opened.send(streets.clone());
            Ok(Box::new(streets) as Box<dyn TileSource + Send>)
        })
    }

    fn with_source(
        ctx: &egui::Context,
        attribution: &'static str,
        (levels, labelled): ((u8, u8), OpenLabels),
        open: impl FnOnce(&Worker) -> Opened + Send + 'static,
    ) -> VectorTiles {
        set_note(ctx, None);
        let note_ctx = ctx.clone();
        let theme = if ctx.theme() == egui::Theme::Dark {
            Theme::Dark
        } else {
            Theme::Light
        };
        let labels = Some(VectorLabels::start(levels, ctx, theme, labelled));
        super::vector_labels::set_current(ctx, labels.clone());
        let requests = Arc::new(Requests::new(QUEUE));
        let (sender, replies) = mpsc::channel();
        let queue = requests.clone();
        let worker = Jobs::of(ctx).spawn_service(Some(ctx), "drawing vector tiles", move |w| {
            let archive = match open(w) {
                Ok(source) => source,
                Err(e) => {
                    log::warn!("{e}");
                    set_note(&note_ctx, Some(e));
                    w.repaint();
                    return;
                }
            };
            while !w.cancelled() {
                let Some(tile) = queue.next() else { continue };
                let reply = catch_failure("drawing a vector tile", || {
                    render_tile(archive.as_ref(), tile, theme)
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
            attribution,
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
        if self.pending.insert(tile_id)
            && let Some(old) = self.requests.push(tile_id)
        {
            self.pending.remove(&old);
        }
        None
    }
    fn attribution(&self) -> Attribution {
        text_attribution(self.attribution)
    }
    fn tile_size(&self) -> u32 {
        256
    }
}
