//! The case's own imagery layers on the map: one [`ImageryTiles`] per GeoTIFF / JPEG
//! 2000 file, rendering Web Mercator tiles on two services of the job registry (each
//! with its own GDAL dataset) while the map draws what is ready, enlarged from a coarser
//! tile where the finer one is still coming.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, mpsc};

use walkers::sources::Attribution;
use walkers::{Tile, TileId, TilePiece, Tiles};

use crate::imagery::{ImageryInfo, ImageryReader};

use super::basemap::{ancestor_tile, sub_piece, whole_tile};
use super::jobs::{Job, Jobs, Worker};

/// Rendered tiles kept per layer (256×256 RGBA each: about 64 MB).
const MAX_CACHED: usize = 1024;
/// Requests waiting; the newest are served first and the oldest dropped (panned away).
const MAX_QUEUED: usize = 96;
const WORKERS: usize = 2;

struct Queue {
    waiting: Mutex<(VecDeque<TileId>, bool)>,
    signal: Condvar,
}

/// One imagery file as a walkers tile source.
pub struct ImageryTiles {
    info: ImageryInfo,
    queue: Arc<Queue>,
    results: mpsc::Receiver<(TileId, Option<image::RgbaImage>)>,
    cache: HashMap<TileId, Option<Tile>>,
    pending: HashSet<TileId>,
    ctx: egui::Context,
    /// The reader services (stopped through the queue's flag when this is dropped).
    _workers: Vec<Job<()>>,
}

impl Drop for ImageryTiles {
    fn drop(&mut self) {
        if let Ok(mut q) = self.queue.waiting.lock() {
            q.1 = true;
        }
        self.queue.signal.notify_all();
    }
}

impl ImageryTiles {
    /// Opens the file (checked on this thread, so a bad file is refused at once with
    /// its reason) and starts the workers.
    pub fn open(path: &Path, ctx: &egui::Context) -> Result<ImageryTiles, String> {
        let first = ImageryReader::open(path).map_err(|e| e.to_string())?;
        let info = first.info().clone();
        let queue = Arc::new(Queue {
            waiting: Mutex::new((VecDeque::new(), false)),
            signal: Condvar::new(),
        });
        let (sender, results) = mpsc::channel();
        drop(first);
        let jobs = Jobs::of(ctx);
        let workers =
            (0..WORKERS)
                .map(|_| {
                    let queue = Arc::clone(&queue);
                    let sender = sender.clone();
                    let file = path.to_path_buf();
                    // GDAL handles stay on the thread that opened them.
                    jobs.spawn_service(Some(ctx), "imagery tiles", move |w| {
                        match ImageryReader::open(&file) {
                            Ok(reader) => work(&reader, &queue, &sender, w),
                            Err(e) => log::warn!("{e}"),
                        }
                    })
                })
                .collect();
        Ok(ImageryTiles {
            info,
            queue,
            results,
            cache: HashMap::new(),
            pending: HashSet::new(),
            ctx: ctx.clone(),
            _workers: workers,
        })
    }

    pub fn info(&self) -> &ImageryInfo {
        &self.info
    }

    /// Tiles rendered with pixels (not empty) and kept.
    pub fn cached(&self) -> usize {
        self.cache.values().filter(|t| t.is_some()).count()
    }

    /// The textures of the tiles kept (tests tell which layer a drawn mesh is from).
    pub fn texture_ids(&self) -> HashSet<egui::TextureId> {
        self.cache
            .values()
            .flatten()
            .filter_map(|t| match t {
                Tile::Raster(texture) => Some(texture.id()),
                #[allow(unreachable_patterns)]
                _ => None,
            })
            .collect()
    }

    /// Whether every requested tile has arrived (benchmarks and tests wait for it).
    pub fn idle(&mut self) -> bool {
        self.receive();
        self.pending.is_empty()
    }

    fn receive(&mut self) {
        while let Ok((id, image)) = self.results.try_recv() {
            self.pending.remove(&id);
            let tile = image.map(|image| {
                let size = [image.width() as usize, image.height() as usize];
                let color = egui::ColorImage::from_rgba_unmultiplied(size, image.as_raw());
                Tile::Raster(self.ctx.load_texture(
                    format!("imagery {}/{}/{}", id.zoom, id.x, id.y),
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

    fn request(&mut self, id: TileId) {
        if self.pending.contains(&id) {
            return;
        }
        if let Ok(mut q) = self.queue.waiting.lock() {
            q.0.push_back(id);
            while q.0.len() > MAX_QUEUED {
                if let Some(old) = q.0.pop_front() {
                    self.pending.remove(&old);
                }
            }
        }
        self.pending.insert(id);
        self.queue.signal.notify_one();
    }
}

fn work(
    reader: &ImageryReader,
    queue: &Queue,
    sender: &mpsc::Sender<(TileId, Option<image::RgbaImage>)>,
    worker: &Worker,
) {
    loop {
        let id = {
            let Ok(mut q) = queue.waiting.lock() else {
                return;
            };
            loop {
                if q.1 {
                    return;
                }
                if let Some(id) = q.0.pop_back() {
                    break id;
                }
                q = match queue.signal.wait(q) {
                    Ok(q) => q,
                    Err(_) => return,
                };
            }
        };
        let image = reader
            .render_tile(id.zoom, id.x, id.y, 256)
            .unwrap_or_else(|e| {
                log::warn!(
                    "{}: tile {}/{}/{}: {e}",
                    reader.info().path.display(),
                    id.zoom,
                    id.x,
                    id.y
                );
                None
            });
        if sender.send((id, image)).is_err() {
            return;
        }
        worker.repaint();
    }
}

impl Tiles for ImageryTiles {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        self.receive();
        match self.cache.get(&tile_id) {
            Some(Some(tile)) => return Some(whole_tile(tile.clone())),
            Some(None) => return None,
            None => self.request(tile_id),
        }
        // While it renders: the nearest coarser tile that is ready, enlarged.
        for zoom in (tile_id.zoom.saturating_sub(6)..tile_id.zoom).rev() {
            let (id, sub) = ancestor_tile(tile_id, zoom);
            if let Some(Some(tile)) = self.cache.get(&id) {
                return Some(sub_piece(whole_tile(tile.clone()), sub));
            }
        }
        None
    }
    fn attribution(&self) -> Attribution {
        Attribution {
            text: "your imagery",
            url: "",
            logo_light: None,
            logo_dark: None,
        }
    }
    fn tile_size(&self) -> u32 {
        256
    }
}

/// The open layers of the case, kept in step with `case.json`'s list: files are opened
/// when they appear in it and closed when they leave it.
#[derive(Default)]
pub struct ImageryLayers {
    open: Vec<(PathBuf, Result<ImageryTiles, String>)>,
}

impl ImageryLayers {
    /// Opens what the case lists and is not open yet; returns the errors of files that
    /// were just tried (each reported once).
    pub fn sync(&mut self, case: Option<&crate::case::Case>, ctx: &egui::Context) -> Vec<String> {
        let wanted: Vec<PathBuf> = case.map_or_else(Vec::new, |c| {
            c.meta()
                .imagery_layers
                .iter()
                .map(|l| c.imagery_path(l))
                .collect()
        });
        self.open.retain(|(p, _)| wanted.contains(p));
        let mut errors = Vec::new();
        for path in wanted {
            if !self.open.iter().any(|(p, _)| *p == path) {
                let opened = ImageryTiles::open(&path, ctx);
                if let Err(e) = &opened {
                    errors.push(e.clone());
                }
                self.open.push((path, opened));
            }
        }
        errors
    }

    /// The layer for a file, or why it could not be opened.
    pub fn get(&self, path: &Path) -> Option<&Result<ImageryTiles, String>> {
        self.open.iter().find(|(p, _)| p == path).map(|(_, t)| t)
    }

    pub fn get_mut(&mut self, path: &Path) -> Option<&mut ImageryTiles> {
        self.open
            .iter_mut()
            .find(|(p, _)| p == path)
            .and_then(|(_, t)| t.as_mut().ok())
    }

    /// The visible layers in the case's order (bottom first) with their opacity, and
    /// the two layers compared by date (when a comparison is on and both are open),
    /// which are drawn by the comparison instead, shown or not.
    pub fn for_map<'a>(
        &'a mut self,
        case: Option<&crate::case::Case>,
        compare: &super::date_compare::DateCompare,
    ) -> (
        Vec<(&'a mut ImageryTiles, f32)>,
        Option<[super::date_compare::Compared<'a>; 2]>,
    ) {
        let Some(case) = case else {
            return (Vec::new(), None);
        };
        let order: Vec<(PathBuf, &crate::imagery::ImageryLayerRef)> = case
            .meta()
            .imagery_layers
            .iter()
            .map(|l| (case.imagery_path(l), l))
            .collect();
        let mut by_path: HashMap<&PathBuf, &mut ImageryTiles> = self
            .open
            .iter_mut()
            .filter_map(|(p, t)| t.as_mut().ok().map(|t| (&*p, t)))
            .collect();
        let mut compared = None;
        if let Some((a, b)) = compare.active()
            && by_path.contains_key(a)
            && by_path.contains_key(b)
        {
            let mut take = |path: &PathBuf| {
                let layer = order.iter().find(|(p, _)| p == path).map(|(_, l)| *l);
                let tiles = by_path.remove(path)?;
                Some(super::date_compare::Compared {
                    tiles: tiles as &mut (dyn Tiles + 'static),
                    opacity: layer.map_or(1.0, |l| l.opacity),
                    name: file_name(path),
                    date: crate::imagery::dates::caption(layer.and_then(|l| l.date.as_ref())),
                })
            };
            compared = take(a).zip(take(b)).map(|(a, b)| [a, b]);
        }
        let mut out = Vec::new();
        for (path, layer) in &order {
            if layer.visible
                && let Some(t) = by_path.remove(path)
            {
                out.push((t, layer.opacity));
            }
        }
        (out, compared)
    }
}

/// The file's name (its path when it has none).
pub fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The "Your imagery" part of the Basemap menu: each layer with its CRS, resolution and
/// extent, visibility, opacity, order and removal (each change one `Edit`), and adding
/// a file.
pub fn layers_menu_ui(
    ui: &mut egui::Ui,
    state: &mut super::state::AppState,
    layers: &ImageryLayers,
) {
    use super::state::Command;
    use crate::case::Edit;
    use crate::imagery::ImageryLayerRef;
    ui.label(egui::RichText::new("Your imagery (GeoTIFF, JPEG 2000)").strong());
    let Some(case) = state.case.as_ref() else {
        ui.label("Open a case to add imagery layers.");
        return;
    };
    let current = case.meta().imagery_layers.clone();
    let mut changed: Option<Vec<ImageryLayerRef>> = None;
    for (i, layer) in current.iter().enumerate() {
        let path = case.imagery_path(layer);
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        ui.horizontal(|ui| {
            let mut visible = layer.visible;
            if ui.checkbox(&mut visible, &name).changed() {
                let mut next = current.clone();
                next[i].visible = visible;
                changed = Some(next);
            }
            let mut opacity = layer.opacity;
            let slider = ui.add(egui::Slider::new(&mut opacity, 0.0..=1.0).text("opacity"));
            // One edit per gesture: on release of a drag, or a click/keyboard step.
            if slider.drag_stopped() || (slider.changed() && !slider.dragged()) {
                let mut next = current.clone();
                next[i].opacity = opacity;
                changed = Some(next);
            }
            if ui
                .small_button("⏶")
                .on_hover_text("Draw above the next layer")
                .clicked()
                && i + 1 < current.len()
            {
                let mut next = current.clone();
                next.swap(i, i + 1);
                changed = Some(next);
            }
            if ui
                .small_button("⏷")
                .on_hover_text("Draw below the previous layer")
                .clicked()
                && i > 0
            {
                let mut next = current.clone();
                next.swap(i, i - 1);
                changed = Some(next);
            }
            if ui.small_button("Remove").clicked() {
                let mut next = current.clone();
                next.remove(i);
                changed = Some(next);
            }
        });
        let details = match layers.get(&path) {
            Some(Ok(tiles)) => describe(tiles.info()),
            Some(Err(e)) => e.clone(),
            None => "opening…".into(),
        };
        ui.label(egui::RichText::new(details).small());
        let found = match layers.get(&path) {
            Some(Ok(tiles)) => tiles.info().dates.as_slice(),
            _ => &[],
        };
        if let Some(next) = super::layer_dates::date_ui(ui, &current, i, found) {
            changed = Some(next);
        }
    }
    if let Some(next) = super::layer_dates::sort_ui(ui, &current) {
        changed = Some(next);
    }
    if ui.button("Add GeoTIFF / JPEG 2000 layer…").clicked() {
        if let Some(file) = rfd::FileDialog::new()
            .add_filter("GeoTIFF / JPEG 2000", &["tif", "tiff", "jp2", "j2k"])
            .pick_file()
        {
            let mut next = current.clone();
            next.push(ImageryLayerRef {
                path: file.clone(),
                opacity: 1.0,
                visible: true,
                // What the file states; the analyst can change it with *Edit date*.
                date: crate::imagery::file_dates(&file)
                    .ok()
                    .and_then(|found| crate::imagery::dates::best(&found)),
            });
            changed = Some(next);
        }
        ui.close();
    }
    if let Some(next) = changed {
        state
            .commands
            .push(Command::Edit(Edit::SetImageryLayers(next)));
    }
    ui.separator();
    let opened = |p: &Path| matches!(layers.get(p), Some(Ok(_)));
    let map = super::layer_dates::MapNow {
        view: state.map.view.as_ref(),
        center: state.map.center(),
        zoom: state.map.memory.zoom(),
        opened: &opened,
    };
    if let Some(case) = state.case.as_ref() {
        super::layer_dates::compare_ui(ui, case, &mut state.map.compare, &map);
    }
}

/// "EPSG:32636 · 0.50 m/px · 30.20–30.90°E 50.10–50.60°N · 4 overviews".
pub fn describe(info: &ImageryInfo) -> String {
    let e = info.extent;
    let mut text = format!(
        "{} · {}×{} px · {:.2} m/px · {:.4}…{:.4}° lon, {:.4}…{:.4}° lat · {} overviews",
        info.crs,
        info.width,
        info.height,
        info.resolution_m,
        e[0],
        e[2],
        e[1],
        e[3],
        info.overviews
    );
    for note in &info.notes {
        text.push_str(" · ");
        text.push_str(note);
    }
    text
}
