//! Online XYZ tile sources. Every request the app can make lives here: it happens only
//! after the analyst enabled a source (and saw what that reveals), it times out instead
//! of hanging, and it is written to the network ledger before it is sent.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use walkers::sources::Attribution;
use walkers::{Tile, TileId, TilePiece, Tiles};

use super::tiles::{ancestor_tile, sub_piece, text_attribution, whole_tile};
use crate::ui::jobs::{Job, Jobs};
use crate::ui::ledger::NetworkLedger;

/// A tile server the analyst may enable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineSource {
    pub name: String,
    /// `{z}`, `{x}` and `{y}` are replaced by the tile's numbers.
    pub template: String,
    pub attribution: String,
    pub max_zoom: u8,
}

impl OnlineSource {
    pub fn openstreetmap() -> OnlineSource {
        OnlineSource {
            name: "OpenStreetMap".into(),
            template: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            attribution: "(c) OpenStreetMap contributors".into(),
            max_zoom: 19,
        }
    }

    pub fn esri_world_imagery() -> OnlineSource {
        OnlineSource {
            name: "Esri World Imagery".into(),
            template:
                "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}"
                    .into(),
            attribution: "Esri, Maxar, Earthstar Geographics, and the GIS User Community".into(),
            max_zoom: 19,
        }
    }

    /// A source from a URL template the analyst typed, checked before anything is sent.
    pub fn custom(template: &str) -> Result<OnlineSource, String> {
        let template = template.trim();
        if !(template.starts_with("https://") || template.starts_with("http://")) {
            return Err(format!(
                "{template}: a tile URL template must start with https:// or http://"
            ));
        }
        for part in ["{z}", "{x}", "{y}"] {
            if !template.contains(part) {
                return Err(format!("{template}: the template has no {part}"));
            }
        }
        let source = OnlineSource {
            name: String::new(),
            template: template.to_owned(),
            attribution: String::new(),
            max_zoom: 19,
        };
        let host = source.host();
        if host.is_empty() {
            return Err(format!("{template}: the template names no host"));
        }
        Ok(OnlineSource {
            name: host.clone(),
            attribution: host,
            ..source
        })
    }

    /// The host every request to this source goes to.
    pub fn host(&self) -> String {
        let rest = self
            .template
            .split_once("://")
            .map_or(self.template.as_str(), |(_, r)| r);
        rest.split(['/', '?', '#'])
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn url(&self, tile: TileId) -> String {
        self.template
            .replace("{z}", &tile.zoom.to_string())
            .replace("{x}", &tile.x.to_string())
            .replace("{y}", &tile.y.to_string())
    }
}

/// Connection and whole-request limits: a dead server must fail a tile, not hang it.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(15),
        }
    }
}

/// Parallel downloads; tile servers ask clients to keep this small.
const WORKERS: usize = 2;
/// Tiles kept decoded in memory.
const MAX_CACHED_TILES: usize = 768;

enum Slot {
    Queued,
    Ready(Tile),
    /// Failed at this moment (egui's time, seconds); asked again after [`RETRY_AFTER`].
    Failed(f64),
}

/// A failed tile is not requested again before this, so a dead server is not hammered.
const RETRY_AFTER: Duration = Duration::from_secs(30);

type Reply = (TileId, Result<Vec<u8>, String>);

/// Requests waiting for a worker; replaced wholesale when the view moves on.
#[derive(Default)]
struct Queue {
    waiting: Mutex<(VecDeque<(TileId, String)>, bool)>,
    wake: Condvar,
}

/// Downloads tiles from an [`OnlineSource`] on services of the job registry.
pub struct HttpTileSource {
    source: OnlineSource,
    queue: Arc<Queue>,
    replies: mpsc::Receiver<Reply>,
    slots: HashMap<TileId, (Slot, u64)>,
    ctx: egui::Context,
    frame: u64,
    /// walkers wants a `'static` attribution; leaked once per opened source.
    attribution: &'static str,
    /// The download services (stopped through the queue's flag when this is dropped).
    _workers: Vec<Job<()>>,
}

impl HttpTileSource {
    pub fn new(
        source: OnlineSource,
        ledger: Arc<NetworkLedger>,
        timeouts: Timeouts,
        ctx: &egui::Context,
    ) -> Result<HttpTileSource, String> {
        // reqwest is built without a bundled crypto provider; ring is already linked.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::blocking::Client::builder()
            .user_agent(concat!("geoproof/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .build()
            .map_err(|e| format!("{}: cannot set up HTTP: {e}", source.host()))?;
        let queue = Arc::new(Queue::default());
        let (sender, replies) = mpsc::channel();
        let jobs = Jobs::of(ctx);
        let mut workers = Vec::new();
        for _ in 0..WORKERS {
            let queue = queue.clone();
            let sender = sender.clone();
            let client = client.clone();
            let ledger = ledger.clone();
            let host = source.host();
            workers.push(jobs.spawn_service(Some(ctx), "fetching tiles", move |w| {
                while let Some((tile, url)) = next_request(&queue) {
                    let reply = crate::ui::jobs::catch_failure("fetching a tile", || {
                        fetch(&client, &ledger, &host, tile, url)
                    });
                    if sender.send((tile, reply)).is_err() {
                        break;
                    }
                    w.repaint();
                }
            }));
        }
        let attribution = Box::leak(source.attribution.clone().into_boxed_str());
        Ok(HttpTileSource {
            attribution,
            source,
            queue,
            replies,
            slots: HashMap::new(),
            ctx: ctx.clone(),
            // Not a pass number egui has reached: the first call starts a frame.
            frame: u64::MAX,
            _workers: workers,
        })
    }

    fn receive(&mut self) {
        while let Ok((tile, reply)) = self.replies.try_recv() {
            let slot = match reply.and_then(|bytes| {
                Tile::new(&bytes, &Default::default(), tile.zoom, 256, &self.ctx)
                    .map_err(|e| e.to_string())
            }) {
                Ok(t) => Slot::Ready(t),
                Err(e) => {
                    log::warn!(
                        "{}: tile {}/{}/{}: {e}",
                        self.source.host(),
                        tile.zoom,
                        tile.x,
                        tile.y
                    );
                    Slot::Failed(self.ctx.input(|i| i.time))
                }
            };
            self.slots.insert(tile, (slot, self.frame));
        }
    }

    /// Called once per frame: drops queued requests the previous frame no longer needs
    /// (they are asked for again if still visible) and evicts old tiles.
    fn new_frame(&mut self) {
        self.frame = self.ctx.cumulative_pass_nr();
        let stale: Vec<TileId> = {
            let mut waiting = self
                .queue
                .waiting
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            waiting.0.drain(..).map(|(t, _)| t).collect()
        };
        for tile in stale {
            self.slots.remove(&tile);
        }
        self.receive();
        if self.slots.len() > MAX_CACHED_TILES {
            let mut ages: Vec<(u64, TileId)> = self
                .slots
                .iter()
                .map(|(id, (_, used))| (*used, *id))
                .collect();
            ages.sort_unstable_by_key(|(used, _)| *used);
            for (_, id) in ages.iter().take(self.slots.len() - MAX_CACHED_TILES / 2) {
                self.slots.remove(id);
            }
        }
    }

    fn ready(&mut self, tile: TileId) -> Option<Tile> {
        let frame = self.frame;
        match self.slots.get_mut(&tile) {
            Some((Slot::Ready(t), used)) => {
                *used = frame;
                Some(t.clone())
            }
            _ => None,
        }
    }

    fn request(&mut self, tile: TileId) {
        match self.slots.get(&tile) {
            Some((Slot::Failed(at), _))
                if self.ctx.input(|i| i.time) - at >= RETRY_AFTER.as_secs_f64() => {}
            Some(_) => return,
            None => {}
        }
        self.slots.insert(tile, (Slot::Queued, self.frame));
        let mut waiting = self
            .queue
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        waiting.0.push_back((tile, self.source.url(tile)));
        self.queue.wake.notify_one();
    }
}

impl Drop for HttpTileSource {
    fn drop(&mut self) {
        let mut waiting = self
            .queue
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        waiting.0.clear();
        waiting.1 = true;
        self.queue.wake.notify_all();
    }
}

/// Blocks until there is a request, or returns `None` once the source was dropped.
fn next_request(queue: &Queue) -> Option<(TileId, String)> {
    let mut waiting = queue
        .waiting
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    loop {
        if waiting.1 {
            return None;
        }
        if let Some(request) = waiting.0.pop_front() {
            return Some(request);
        }
        waiting = queue
            .wake
            .wait(waiting)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
    }
}

fn fetch(
    client: &reqwest::blocking::Client,
    ledger: &NetworkLedger,
    host: &str,
    tile: TileId,
    url: String,
) -> Result<Vec<u8>, String> {
    let index = ledger.start(host.to_owned(), tile, url.clone());
    let started = Instant::now();
    let result = client
        .get(&url)
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.bytes())
        .map(|b| b.to_vec())
        .map_err(|e| describe(&e))
        .and_then(|bytes| match image::guess_format(&bytes) {
            Ok(_) => Ok(bytes),
            // Servers answer errors with HTML or JSON and a 200 status surprisingly often.
            Err(_) => Err(format!(
                "not an image ({} bytes starting {:?})",
                bytes.len(),
                String::from_utf8_lossy(&bytes[..bytes.len().min(24)])
            )),
        });
    ledger.finish_with(index, &result, started);
    result
}

/// A short reason a person can act on.
fn describe(e: &reqwest::Error) -> String {
    // The innermost cause says what actually went wrong (DNS, refused, TLS, ...).
    let mut cause = None;
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        cause = Some(inner.to_string());
        source = inner.source();
    }
    let with_cause = |what: &str| match &cause {
        Some(c) => format!("{what} ({c})"),
        None => what.to_owned(),
    };
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        with_cause("could not connect")
    } else if let Some(status) = e.status() {
        format!("HTTP {status}")
    } else {
        with_cause(&e.to_string())
    }
}

impl Tiles for HttpTileSource {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        if self.ctx.cumulative_pass_nr() != self.frame {
            self.new_frame();
        }
        let wanted = if tile_id.zoom > self.source.max_zoom {
            ancestor_tile(tile_id, self.source.max_zoom).0
        } else {
            tile_id
        };
        if let Some(tile) = self.ready(wanted) {
            let (_, sub) = ancestor_tile(tile_id, wanted.zoom);
            return Some(sub_piece(whole_tile(tile), sub));
        }
        self.request(wanted);
        // Until it arrives (or if it failed), show a loaded ancestor enlarged.
        (0..wanted.zoom).rev().take(6).find_map(|zoom| {
            let (id, sub) = ancestor_tile(tile_id, zoom);
            self.ready(id).map(|t| sub_piece(whole_tile(t), sub))
        })
    }

    fn attribution(&self) -> Attribution {
        text_attribution(self.attribution)
    }

    fn tile_size(&self) -> u32 {
        256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_checked_before_use() {
        let s = OnlineSource::custom(" https://tiles.example.org/a/{z}/{x}/{y}.png?key=1 ")
            .expect("valid");
        assert_eq!(s.host(), "tiles.example.org");
        assert_eq!(
            s.url(TileId {
                x: 3,
                y: 5,
                zoom: 7
            }),
            "https://tiles.example.org/a/7/3/5.png?key=1"
        );
        for (bad, why) in [
            ("ftp://x/{z}/{x}/{y}", "must start with"),
            ("https://x/{z}/{x}.png", "no {y}"),
            ("https:///{z}/{x}/{y}", "no host"),
        ] {
            let err = OnlineSource::custom(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
        assert_eq!(
            OnlineSource::esri_world_imagery().url(TileId {
                x: 1,
                y: 2,
                zoom: 3
            }),
            "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/3/2/1"
        );
    }
}
