//! Board images: decoded in the background into pyramids, shown through tile textures
//! uploaded on demand. Both the decoded pixels and the textures live under budgets;
//! what was not drawn recently is evicted first (and decoded again if it comes back).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, mpsc};

use egui::{ColorImage, TextureHandle, TextureOptions};

use crate::board::Pyramid;
use crate::board::pyramid::TileKey;

/// Decoded pixels kept across all open images.
pub const CPU_BUDGET_BYTES: usize = 1536 * 1024 * 1024;
/// Tile textures kept on the GPU.
pub const GPU_BUDGET_BYTES: usize = 384 * 1024 * 1024;
/// Tiles uploaded per frame, so panning never stalls a frame for long.
const UPLOADS_PER_FRAME: usize = 8;

/// Where an image is.
pub enum ImageState<'a> {
    Loading { progress: f32, stage: &'static str },
    Ready(&'a Arc<Pyramid>),
    Failed(&'a str),
}

enum Entry {
    Loading {
        progress: Arc<AtomicU32>,
        result: mpsc::Receiver<Result<Pyramid, String>>,
    },
    Ready {
        pyramid: Arc<Pyramid>,
        last_used: u64,
    },
    Failed(String),
}

struct Texture {
    handle: TextureHandle,
    bytes: usize,
    last_used: u64,
}

#[derive(Default)]
pub struct BoardImages {
    entries: HashMap<String, Entry>,
    textures: HashMap<(String, TileKey), Texture>,
    frame: u64,
    uploads_this_frame: usize,
    loupe: Option<TextureHandle>,
    /// Redaction previews and shields, refilled while shown (keyed by what they cover).
    overlays: HashMap<String, TextureHandle>,
    /// Overlays handed out this frame (what the board shows over its panels).
    overlays_drawn: Vec<String>,
    /// What each cached overlay was made from (e.g. the frame index), to skip remaking it.
    overlay_stamps: HashMap<String, u64>,
    /// Players of the video panels (their frames live under their own budget).
    pub videos: super::video::VideoPlayers,
}

impl BoardImages {
    /// Starts a frame: counters reset, finished decodes collected.
    pub fn begin_frame(&mut self) {
        self.frame += 1;
        self.overlays_drawn.clear();
        self.uploads_this_frame = 0;
        let frame = self.frame;
        for entry in self.entries.values_mut() {
            if let Entry::Loading { result, .. } = entry {
                match result.try_recv() {
                    Ok(Ok(pyramid)) => {
                        *entry = Entry::Ready {
                            pyramid: Arc::new(pyramid),
                            last_used: frame,
                        }
                    }
                    Ok(Err(e)) => *entry = Entry::Failed(e),
                    Err(mpsc::TryRecvError::Empty) => {}
                    Err(mpsc::TryRecvError::Disconnected) => {
                        *entry = Entry::Failed("the decoder stopped unexpectedly".into())
                    }
                }
            }
        }
    }

    /// The image `key` (a SHA-256), decoding `path` in the background on first use.
    pub fn get(&mut self, ctx: &egui::Context, key: &str, path: PathBuf) -> ImageState<'_> {
        let frame = self.frame;
        let entry = self
            .entries
            .entry(key.to_owned())
            .or_insert_with(|| start_decode(ctx, path));
        match entry {
            Entry::Loading { progress, .. } => {
                let p = f32::from_bits(progress.load(Ordering::Relaxed));
                ImageState::Loading {
                    progress: p,
                    stage: if p < DECODED {
                        "decoding"
                    } else {
                        "building levels"
                    },
                }
            }
            Entry::Ready { pyramid, last_used } => {
                *last_used = frame;
                ImageState::Ready(pyramid)
            }
            Entry::Failed(e) => ImageState::Failed(e),
        }
    }

    /// Puts an already-built pyramid in place (tests and benchmarks).
    pub fn insert_ready(&mut self, key: &str, pyramid: Pyramid) {
        self.entries.insert(
            key.to_owned(),
            Entry::Ready {
                pyramid: Arc::new(pyramid),
                last_used: self.frame,
            },
        );
    }

    /// The texture of one tile, uploading it if this frame's upload allowance permits.
    pub fn tile(
        &mut self,
        ctx: &egui::Context,
        key: &str,
        pyramid: &Pyramid,
        tile: TileKey,
        grey: bool,
    ) -> Option<egui::TextureId> {
        let frame = self.frame;
        // Greyscale tiles (reduce exposure) are textures of their own.
        let id = (
            if grey {
                format!("{key}#grey")
            } else {
                key.to_owned()
            },
            tile,
        );
        if let Some(t) = self.textures.get_mut(&id) {
            t.last_used = frame;
            return Some(t.handle.id());
        }
        if self.uploads_this_frame >= UPLOADS_PER_FRAME {
            ctx.request_repaint();
            return None;
        }
        self.uploads_this_frame += 1;
        let mut rgba = pyramid.tile_rgba(tile);
        if grey {
            crate::board::shield::greyscale_rgba(&mut rgba);
        }
        let size = [rgba.width() as usize, rgba.height() as usize];
        let image = ColorImage::from_rgba_unmultiplied(size, rgba.as_raw());
        let options = TextureOptions {
            magnification: egui::TextureFilter::Nearest,
            minification: egui::TextureFilter::Linear,
            ..TextureOptions::default()
        };
        let handle = ctx.load_texture(
            format!(
                "board-{}-{}-{}-{}",
                &key[..key.len().min(12)],
                tile.level,
                tile.col,
                tile.row
            ),
            image,
            options,
        );
        let texture_id = handle.id();
        self.textures.insert(
            id,
            Texture {
                handle,
                bytes: size[0] * size[1] * 4,
                last_used: frame,
            },
        );
        Some(texture_id)
    }

    /// Ends a frame: evicts least recently drawn textures and pyramids over budget.
    pub fn end_frame(&mut self) {
        let frame = self.frame;
        let mut gpu: usize = self.textures.values().map(|t| t.bytes).sum();
        if gpu > GPU_BUDGET_BYTES {
            let mut old: Vec<((String, TileKey), u64, usize)> = self
                .textures
                .iter()
                .filter(|(_, t)| t.last_used < frame)
                .map(|(k, t)| (k.clone(), t.last_used, t.bytes))
                .collect();
            old.sort_by_key(|(_, used, _)| *used);
            for (key, _, bytes) in old {
                if gpu <= GPU_BUDGET_BYTES {
                    break;
                }
                self.textures.remove(&key);
                gpu -= bytes;
            }
        }
        let mut cpu = self.cpu_bytes();
        if cpu > CPU_BUDGET_BYTES {
            let mut old: Vec<(String, u64, usize)> = self
                .entries
                .iter()
                .filter_map(|(k, e)| match e {
                    Entry::Ready { pyramid, last_used } if *last_used < frame => {
                        Some((k.clone(), *last_used, pyramid.bytes()))
                    }
                    _ => None,
                })
                .collect();
            old.sort_by_key(|(_, used, _)| *used);
            for (key, _, bytes) in old {
                if cpu <= CPU_BUDGET_BYTES {
                    break;
                }
                self.entries.remove(&key);
                self.textures.retain(|(k, _), _| *k != key);
                cpu -= bytes;
            }
        }
    }

    /// Pixels held by decoded images.
    pub fn cpu_bytes(&self) -> usize {
        self.entries
            .values()
            .map(|e| match e {
                Entry::Ready { pyramid, .. } => pyramid.bytes(),
                _ => 0,
            })
            .sum()
    }

    /// The loupe's one texture, refilled with `image`.
    pub fn loupe_texture(&mut self, ctx: &egui::Context, image: ColorImage) -> egui::TextureId {
        let options = TextureOptions::NEAREST;
        match &mut self.loupe {
            Some(handle) => handle.set(image, options),
            None => self.loupe = Some(ctx.load_texture("board-loupe", image, options)),
        }
        self.loupe
            .as_ref()
            .map_or(egui::TextureId::default(), |h| h.id())
    }

    /// A texture for an overlay drawn over a panel (a redaction preview, a shield),
    /// refilled with `image` (linear filtering: these are smooth pictures).
    fn overlay_texture(
        &mut self,
        ctx: &egui::Context,
        key: &str,
        image: ColorImage,
    ) -> egui::TextureId {
        let options = TextureOptions::LINEAR;
        self.overlays_drawn.push(key.to_owned());
        match self.overlays.get_mut(key) {
            Some(handle) => {
                handle.set(image, options);
                handle.id()
            }
            None => {
                let handle = ctx.load_texture(format!("board-overlay-{key}"), image, options);
                let id = handle.id();
                self.overlays.insert(key.to_owned(), handle);
                id
            }
        }
    }

    /// An overlay texture made by `make` only when `stamp` differs from the last one.
    pub fn overlay_cached(
        &mut self,
        ctx: &egui::Context,
        key: &str,
        stamp: u64,
        make: impl FnOnce() -> Option<ColorImage>,
    ) -> Option<egui::TextureId> {
        if let Some(id) = self.overlay_current(key, stamp) {
            self.overlays_drawn.push(key.to_owned());
            return Some(id);
        }
        let image = make()?;
        self.overlay_stamps.insert(key.to_owned(), stamp);
        Some(self.overlay_texture(ctx, key, image))
    }

    /// The overlay `key` if it was made from `stamp`.
    pub fn overlay_current(&self, key: &str, stamp: u64) -> Option<egui::TextureId> {
        if self.overlay_stamps.get(key) != Some(&stamp) {
            return None;
        }
        self.overlays.get(key).map(|h| h.id())
    }

    /// The overlays drawn this frame, by key (`redact-P1-A3`, `shield-<sha256>`…).
    pub fn overlays_drawn(&self) -> &[String] {
        &self.overlays_drawn
    }

    pub fn texture_count(&self) -> usize {
        self.textures.len()
    }

    /// Whether any image is still being decoded.
    pub fn loading(&self) -> bool {
        self.entries
            .values()
            .any(|e| matches!(e, Entry::Loading { .. }))
    }
}

/// Progress value at which decoding is done and level building starts.
const DECODED: f32 = 0.6;

fn start_decode(ctx: &egui::Context, path: PathBuf) -> Entry {
    let progress = Arc::new(AtomicU32::new(0.0f32.to_bits()));
    let (tx, rx) = mpsc::channel();
    let shared = progress.clone();
    let ctx = ctx.clone();
    let spawned = std::thread::Builder::new()
        .name("board-decode".into())
        .spawn(move || {
            let set = |p: f32| shared.store(p.to_bits(), Ordering::Relaxed);
            let what = format!("decoding {}", path.display());
            let result = crate::ui::jobs::catch_failure(&what, || {
                // The case record carries the decoders' warnings (inspector).
                crate::evidence::load_oriented(&path, u32::MAX)
                    .map_err(|e| e.to_string())
                    .map(|crate::evidence::Loaded { image, .. }| {
                        set(DECODED);
                        Pyramid::build(image, &|p| set(DECODED + (1.0 - DECODED) * p))
                    })
            });
            let _ = tx.send(result);
            ctx.request_repaint();
        });
    match spawned {
        Ok(_) => Entry::Loading {
            progress,
            result: rx,
        },
        Err(e) => Entry::Failed(format!("cannot start a decoder thread: {e}")),
    }
}
