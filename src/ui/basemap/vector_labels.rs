//! The names of a vector basemap or an OSM extract's street map on the map (#32): a
//! background service reads each label tile's candidates and shapes their text
//! (`vector::labels`, the code `geoproof snapshot` runs); each frame, the candidates of
//! the tiles under the view are placed by `vector::labels::place_around` — per view, so
//! a label never overprints another or is cut at a tile edge, and around the case's
//! marks and labels, which are laid out first — and drawn as textures of the same
//! painted text, turned along roads, above the tiles and under the case's markers.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

use egui::{Id, Mesh, Pos2, Rect, TextureHandle, Vec2};
use walkers::Projector;

use super::requests::Requests;
use crate::spatial::labels::Bounds;
use crate::ui::jobs::{Job, Jobs, Worker, catch_failure};
use crate::vector::Theme;
use crate::vector::error::TileAddr;
use crate::vector::labels::{
    Candidate, Frame, Kind, LabelSource, Shape, ShapeCache, label_level, paint, place_around,
    view_tiles,
};
use crate::vector::snapshot::mercator;

/// A basemap whose names are placed, shared with its tile service.
pub type Source = Arc<dyn LabelSource>;

/// Requests not yet started beyond this are dropped, the oldest first.
const QUEUE: usize = 64;

/// A candidate with its shaped size and its painted, upright image.
struct Ready {
    candidate: Candidate,
    size: Option<[f32; 2]>,
    image: Option<([u32; 2], Vec<u8>)>,
}

/// What the service answers for a requested tile: the tile the archive holds for it
/// (itself or an ancestor) and that tile's labels.
type Reply = (TileAddr, Result<Option<(TileAddr, Vec<Ready>)>, String>);

/// The candidates of the tiles under the view, gathered once per set of tiles.
#[derive(Default)]
struct Gathered {
    sources: Vec<TileAddr>,
    candidates: Vec<Candidate>,
    sizes: Vec<Option<[f32; 2]>>,
    /// For each candidate: (source tile, index in its list), to find its image.
    origin: Vec<(TileAddr, usize)>,
}

pub struct VectorLabels {
    requests: Arc<Requests<TileAddr>>,
    replies: mpsc::Receiver<Reply>,
    levels: (u8, u8),
    resolved: HashMap<TileAddr, Option<TileAddr>>,
    tiles: HashMap<TileAddr, Vec<Ready>>,
    pending: HashSet<TileAddr>,
    gathered: Gathered,
    textures: HashMap<(TileAddr, usize), TextureHandle>,
    /// The texts drawn in the last frame (for tests and the status line).
    pub on_screen: Vec<String>,
    /// Their boxes on screen, in the same order.
    pub on_screen_boxes: Vec<Rect>,
    _worker: Job<()>,
}

/// Where the map finds the current basemap's labels.
fn handle_id() -> Id {
    Id::unique("geoproof vector basemap labels")
}

pub type Handle = Arc<Mutex<VectorLabels>>;

/// The labels service of the vector basemap shown now, if any.
pub fn current(ctx: &egui::Context) -> Option<Handle> {
    ctx.data(|d| d.get_temp::<Handle>(handle_id()))
}

/// Makes `labels` the map's basemap labels (`None`: the basemap has none).
pub fn set_current(ctx: &egui::Context, labels: Option<Handle>) {
    ctx.data_mut(|d| match labels {
        Some(h) => {
            d.insert_temp(handle_id(), h);
        }
        None => d.remove::<Handle>(handle_id()),
    });
}

fn read_tile(
    source: &dyn LabelSource,
    shapes: &mut ShapeCache,
    addr: TileAddr,
    theme: Theme,
) -> Reply {
    let result = (|| {
        let Some(held) = source.label_tile(addr).map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let mut ready = Vec::new();
        for c in source.label_candidates(held).map_err(|e| e.to_string())? {
            let shaped = shapes.get(&c).map_err(|e| e.to_string())?;
            let size = shaped.path.as_ref().map(|_| shaped.size);
            let image = size.and_then(|_| paint::label_image(shaped, c.kind, theme));
            ready.push(Ready {
                candidate: c,
                size,
                image,
            });
        }
        Ok(Some((held, ready)))
    })();
    (addr, result)
}

impl VectorLabels {
    /// Starts the service for a basemap of label levels `levels`, which `open` gives
    /// on the service's thread (at once for an archive; an extract once its tile
    /// service has indexed it), or not (`None`: no labels).
    pub fn start(
        levels: (u8, u8),
        ctx: &egui::Context,
        theme: Theme,
        open: impl FnOnce(&Worker) -> Option<Source> + Send + 'static,
    ) -> Handle {
        let requests = Arc::new(Requests::new(QUEUE));
        let (sender, replies) = mpsc::channel();
        let queue = requests.clone();
        let worker = Jobs::of(ctx).spawn_service(Some(ctx), "placing map labels", move |w| {
            let mut shapes = match ShapeCache::new() {
                Ok(s) => s,
                Err(e) => return log::warn!("map labels: {e}"),
            };
            let Some(source) = open(w) else { return };
            while !w.cancelled() {
                let Some(addr) = queue.next() else { continue };
                let reply = catch_failure("reading map labels", || {
                    Ok::<_, String>(read_tile(source.as_ref(), &mut shapes, addr, theme))
                })
                .unwrap_or_else(|e| (addr, Err(e)));
                if sender.send(reply).is_err() {
                    break;
                }
                w.repaint();
            }
        });
        Arc::new(Mutex::new(VectorLabels {
            requests,
            replies,
            levels,
            resolved: HashMap::new(),
            tiles: HashMap::new(),
            pending: HashSet::new(),
            gathered: Gathered::default(),
            textures: HashMap::new(),
            on_screen: Vec::new(),
            on_screen_boxes: Vec::new(),
            _worker: worker,
        }))
    }

    fn receive(&mut self) {
        while let Ok((addr, reply)) = self.replies.try_recv() {
            self.pending.remove(&addr);
            match reply {
                Ok(Some((held, ready))) => {
                    self.resolved.insert(addr, Some(held));
                    self.tiles.entry(held).or_insert(ready);
                }
                Ok(None) => {
                    self.resolved.insert(addr, None);
                }
                Err(e) => {
                    log::warn!("map labels of tile {addr}: {e}");
                    self.resolved.insert(addr, None);
                }
            }
        }
    }

    fn request(&mut self, addr: TileAddr) {
        if !self.pending.insert(addr) {
            return;
        }
        if let Some(old) = self.requests.push(addr) {
            self.pending.remove(&old);
        }
    }

    /// The archive tiles under `frame` whose labels are here; asks for the others.
    fn sources(&mut self, frame: &Frame) -> Vec<TileAddr> {
        self.receive();
        let Some(z) = label_level(self.levels.0, self.levels.1, f64::from(frame.zoom())) else {
            return Vec::new();
        };
        let mut out = BTreeSet::new();
        for t in view_tiles(frame, z) {
            match self.resolved.get(&t) {
                Some(Some(held)) => {
                    out.insert(*held);
                }
                Some(None) => {}
                None => self.request(t),
            }
        }
        out.into_iter().collect()
    }

    fn gather(&mut self, sources: Vec<TileAddr>) {
        if sources == self.gathered.sources {
            return;
        }
        let mut g = Gathered {
            sources,
            ..Gathered::default()
        };
        for t in &g.sources {
            for (i, r) in self.tiles.get(t).into_iter().flatten().enumerate() {
                g.candidates.push(r.candidate.clone());
                g.sizes.push(r.size);
                g.origin.push((*t, i));
            }
        }
        self.gathered = g;
        let keep: HashSet<TileAddr> = self.gathered.sources.iter().copied().collect();
        self.textures.retain(|(t, _), _| keep.contains(t));
    }

    fn texture(&mut self, ctx: &egui::Context, key: (TileAddr, usize)) -> Option<TextureHandle> {
        if let Some(t) = self.textures.get(&key) {
            return Some(t.clone());
        }
        let (size, rgba) = self.tiles.get(&key.0)?.get(key.1)?.image.as_ref()?;
        let image =
            egui::ColorImage::from_rgba_premultiplied([size[0] as usize, size[1] as usize], rgba);
        let t = ctx.load_texture("vector label", image, egui::TextureOptions::LINEAR);
        self.textures.insert(key, t.clone());
        Some(t)
    }

    /// Places and draws the labels of the view `projector` shows in `rect`, around the
    /// boxes `taken` (screen points: the case's marks and labels). Returns whether the
    /// basemap has place names in the view (then the map's own city names stand down).
    pub fn draw(
        &mut self,
        painter: &egui::Painter,
        projector: &Projector,
        rect: Rect,
        taken: &[Bounds],
    ) -> bool {
        let Some(frame) = frame_of(projector, rect) else {
            return false;
        };
        let sources = self.sources(&frame);
        self.gather(sources);
        let shift = |b: &Bounds| {
            Bounds::new(
                [b.min[0] - rect.min.x, b.min[1] - rect.min.y],
                [b.max[0] - rect.min.x, b.max[1] - rect.min.y],
            )
        };
        let taken: Vec<Bounds> = taken.iter().map(shift).collect();
        let placed = place_around(
            &self.gathered.candidates,
            &self.gathered.sizes,
            &frame,
            &taken,
        );
        let painter = painter.with_clip_rect(rect);
        self.on_screen.clear();
        self.on_screen_boxes.clear();
        for p in placed {
            let key = self.gathered.origin[p.candidate];
            let Some(texture) = self.texture(painter.ctx(), key) else {
                continue;
            };
            let c = Pos2::new(rect.min.x + p.center[0], rect.min.y + p.center[1]);
            let size = texture.size_vec2();
            let mut mesh = Mesh::with_texture(texture.id());
            mesh.add_rect_with_uv(
                Rect::from_center_size(c, size),
                Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
                crate::ui::theme::UNTINTED,
            );
            mesh.rotate(egui::emath::Rot2::from_angle(p.angle), c);
            painter.add(mesh);
            self.on_screen
                .push(self.gathered.candidates[p.candidate].text.clone());
            self.on_screen_boxes.push(Rect::from_min_max(
                Pos2::new(rect.min.x + p.bounds.min[0], rect.min.y + p.bounds.min[1]),
                Pos2::new(rect.min.x + p.bounds.max[0], rect.min.y + p.bounds.max[1]),
            ));
        }
        let view = frame.bounds();
        self.gathered.candidates.iter().any(|c| match &c.shape {
            Shape::Point(m) => c.kind == Kind::Place && view.contains(frame.px(*m)),
            Shape::Line(_) => false,
        })
    }
}

/// The view `projector` shows, in world pixels.
fn frame_of(projector: &Projector, rect: Rect) -> Option<Frame> {
    let m = |v: Vec2| {
        let p = projector.unproject(v);
        mercator(p.y(), p.x())
    };
    let (a, b) = (m(rect.min.to_vec2()), m(rect.max.to_vec2()));
    let world = f64::from(rect.width()) / (b[0] - a[0]);
    (world.is_finite() && world > 0.0 && rect.width() > 0.0 && rect.height() > 0.0).then(|| Frame {
        origin: [a[0] * world, a[1] * world],
        world,
        size: [rect.width(), rect.height()],
    })
}

/// Draws the current basemap's labels (if it has any) around the boxes `taken`;
/// whether it has place names in the view.
pub fn draw_current(
    painter: &egui::Painter,
    projector: &Projector,
    rect: Rect,
    taken: &[Bounds],
) -> bool {
    current(painter.ctx()).is_some_and(|h| {
        h.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .draw(painter, projector, rect, taken)
    })
}
