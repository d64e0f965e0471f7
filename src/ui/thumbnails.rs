//! Evidence thumbnails, decoded on a worker thread and uploaded as small textures
//! (never the full image: originals can exceed the GPU's texture limit).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use egui::{ColorImage, Context, TextureHandle, TextureOptions};

enum Slot {
    Loading,
    Ready(TextureHandle),
    Failed,
}

pub struct Thumbnails {
    slots: HashMap<String, Slot>,
    requests: Sender<(String, PathBuf, PathBuf)>,
    results: Receiver<(String, Option<ColorImage>)>,
}

impl Thumbnails {
    pub fn new(ctx: &Context) -> Thumbnails {
        let (requests, jobs) = channel::<(String, PathBuf, PathBuf)>();
        let (done, results) = channel();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("thumbnails".into())
            .spawn(move || {
                for (id, cached, original) in jobs {
                    let what = format!("thumbnail of {}", original.display());
                    let image = super::jobs::catch_panic(&what, || load(&cached, &original))
                        .unwrap_or_else(|e| {
                            log::error!("{e}");
                            None
                        });
                    if done.send((id, image)).is_err() {
                        break;
                    }
                    ctx.request_repaint();
                }
            });
        if let Err(e) = spawned {
            log::error!("thumbnail worker did not start: {e}");
        }
        Thumbnails {
            slots: HashMap::new(),
            requests,
            results,
        }
    }

    /// Uploads finished thumbnails; call once per frame. If the worker is gone, nothing
    /// still loading will ever arrive: those slots fail instead of spinning forever.
    pub fn drain(&mut self, ctx: &Context) {
        loop {
            match self.results.try_recv() {
                Ok((id, image)) => {
                    let slot = match image {
                        Some(image) => Slot::Ready(ctx.load_texture(
                            format!("thumb-{id}"),
                            image,
                            TextureOptions::LINEAR,
                        )),
                        None => Slot::Failed,
                    };
                    self.slots.insert(id, slot);
                }
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    for slot in self.slots.values_mut() {
                        if matches!(slot, Slot::Loading) {
                            *slot = Slot::Failed;
                        }
                    }
                    return;
                }
            }
        }
    }

    /// The texture if ready; otherwise starts loading it.
    pub fn get(&mut self, id: &str, cached: PathBuf, original: PathBuf) -> Option<&TextureHandle> {
        if !self.slots.contains_key(id) {
            self.slots.insert(id.to_owned(), Slot::Loading);
            let _ = self.requests.send((id.to_owned(), cached, original));
        }
        match self.slots.get(id) {
            Some(Slot::Ready(texture)) => Some(texture),
            _ => None,
        }
    }

    pub fn failed(&self, id: &str) -> bool {
        matches!(self.slots.get(id), Some(Slot::Failed))
    }
}

/// The cached preview, or a fresh one from the original when the cache is gone.
fn load(cached: &std::path::Path, original: &std::path::Path) -> Option<ColorImage> {
    let image = match image::open(cached) {
        Ok(image) => image,
        // Images and videos alike (a video's poster comes from ffmpeg).
        Err(_) => crate::evidence::inspect_file(original).ok()?.thumbnail,
    };
    let rgba = image.to_rgba8();
    let size = [rgba.width() as usize, rgba.height() as usize];
    Some(ColorImage::from_rgba_unmultiplied(size, rgba.as_raw()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_the_worker_is_gone_loading_thumbnails_fail_instead_of_spinning() {
        let ctx = Context::default();
        let (requests, _jobs) = channel();
        let (done, results) = channel();
        let mut thumbs = Thumbnails {
            slots: HashMap::new(),
            requests,
            results,
        };
        assert!(thumbs.get("a", "x.png".into(), "x.jpg".into()).is_none());
        assert!(!thumbs.failed("a"));
        drop(done);
        thumbs.drain(&ctx);
        assert!(thumbs.failed("a"));
    }

    #[test]
    fn an_unreadable_original_fails_its_thumbnail() {
        let ctx = Context::default();
        let mut thumbs = Thumbnails::new(&ctx);
        thumbs.get(
            "a",
            "/nonexistent/a.png".into(),
            "/nonexistent/a.jpg".into(),
        );
        for _ in 0..200 {
            thumbs.drain(&ctx);
            if thumbs.failed("a") {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        panic!("the thumbnail never failed");
    }
}
