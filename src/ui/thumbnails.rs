//! Evidence thumbnails, decoded by a service of the job registry and uploaded as small textures
//! (never the full image: originals can exceed the GPU's texture limit).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use egui::{ColorImage, Context, TextureHandle, TextureOptions};

use super::jobs::{Job, Jobs};

enum Slot {
    Loading,
    /// The thumbnail, and its shielded stand-in for graphic items.
    Ready(TextureHandle, TextureHandle),
    Failed,
}

pub struct Thumbnails {
    slots: HashMap<String, Slot>,
    requests: Sender<(String, PathBuf, PathBuf)>,
    results: Receiver<(String, Option<(ColorImage, ColorImage)>)>,
    /// The decoder service (it ends when `requests` is dropped).
    _worker: Option<Job<()>>,
}

impl Thumbnails {
    pub fn new(ctx: &Context) -> Thumbnails {
        let (requests, jobs) = channel::<(String, PathBuf, PathBuf)>();
        let (done, results) = channel();
        let worker = Jobs::of(ctx).spawn_service(Some(ctx), "thumbnails", move |w| {
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
                w.repaint();
            }
        });
        Thumbnails {
            slots: HashMap::new(),
            requests,
            results,
            _worker: Some(worker),
        }
    }

    /// Uploads finished thumbnails; call once per frame. If the worker is gone, nothing
    /// still loading will ever arrive: those slots fail instead of spinning forever.
    pub fn drain(&mut self, ctx: &Context) {
        loop {
            match self.results.try_recv() {
                Ok((id, image)) => {
                    let slot = match image {
                        Some((image, shield)) => Slot::Ready(
                            ctx.load_texture(format!("thumb-{id}"), image, TextureOptions::LINEAR),
                            ctx.load_texture(
                                format!("thumb-shield-{id}"),
                                shield,
                                TextureOptions::LINEAR,
                            ),
                        ),
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

    /// The texture if ready (`shielded`: its blurred grey stand-in); otherwise starts
    /// loading it.
    pub fn get(
        &mut self,
        id: &str,
        cached: PathBuf,
        original: PathBuf,
        shielded: bool,
    ) -> Option<&TextureHandle> {
        if !self.slots.contains_key(id) {
            self.slots.insert(id.to_owned(), Slot::Loading);
            let _ = self.requests.send((id.to_owned(), cached, original));
        }
        match self.slots.get(id) {
            Some(Slot::Ready(texture, _)) if !shielded => Some(texture),
            Some(Slot::Ready(_, shield)) => Some(shield),
            _ => None,
        }
    }

    pub fn failed(&self, id: &str) -> bool {
        matches!(self.slots.get(id), Some(Slot::Failed))
    }
}

/// The cached preview, or a fresh one from the original when the cache is gone.
fn load(cached: &std::path::Path, original: &std::path::Path) -> Option<(ColorImage, ColorImage)> {
    let image = match image::open(cached) {
        Ok(image) => image,
        // Images and videos alike (a video's poster comes from ffmpeg).
        Err(_) => crate::evidence::inspect_file(original).ok()?.thumbnail,
    };
    let rgba = image.to_rgba8();
    let size = [rgba.width() as usize, rgba.height() as usize];
    let shield = crate::board::shield::shielded(&image.to_rgb8());
    let shield_size = [shield.width() as usize, shield.height() as usize];
    Some((
        ColorImage::from_rgba_unmultiplied(size, rgba.as_raw()),
        ColorImage::from_rgb(shield_size, shield.as_raw()),
    ))
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
            _worker: None,
        };
        assert!(
            thumbs
                .get("a", "x.png".into(), "x.jpg".into(), false)
                .is_none()
        );
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
            false,
        );
        let jobs = Jobs::of(&ctx);
        for _ in 0..200 {
            let news = jobs.news();
            thumbs.drain(&ctx);
            if thumbs.failed("a") {
                return;
            }
            jobs.wait_for_news(news, std::time::Duration::from_millis(50));
        }
        panic!("the thumbnail never failed");
    }

    #[test]
    fn a_graphic_items_thumbnail_is_a_tiny_grey_stand_in() {
        let ctx = Context::default();
        let mut thumbs = Thumbnails::new(&ctx);
        let photo =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rocket-gps.jpg");
        let get = |t: &mut Thumbnails, shielded| {
            t.get("r", "/nonexistent/r.png".into(), photo.clone(), shielded)
                .map(|h| h.size())
        };
        let jobs = Jobs::of(&ctx);
        for _ in 0..400 {
            let news = jobs.news();
            thumbs.drain(&ctx);
            if get(&mut thumbs, false).is_some() {
                break;
            }
            jobs.wait_for_news(news, std::time::Duration::from_millis(50));
        }
        let plain = get(&mut thumbs, false).expect("decoded");
        let shield = get(&mut thumbs, true).expect("decoded");
        assert!(plain[0] > 100, "{plain:?}");
        assert_eq!(
            shield[0].max(shield[1]),
            crate::board::shield::SHIELD_SIDE as usize
        );
    }
}
