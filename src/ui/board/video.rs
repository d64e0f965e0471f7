//! Video panels: one player per clip on the board. A decoder service (started through
//! the job registry, `ui/jobs`) owns a running ffmpeg decoder and serves the newest
//! frame asked for (stepping forward reads on from the running decoder; a jump starts a
//! new one at the exact frame); decoded frames are cached under a memory budget; the UI
//! thread only swaps textures and never waits. Opening, exact grabs and the scene
//! analysis are registry jobs; their results are collected by the app at the top of the
//! frame ([`VideoPlayers::finished_work`]), whether or not the board is shown. Playback
//! keeps time with egui's clock.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Instant;

use egui::{ColorImage, TextureHandle, TextureOptions};
use image::RgbaImage;

use crate::board::Pyramid;
use crate::case::{Case, OpenVideo};
use crate::ui::command::Command;
use crate::ui::command::{BoardCommand, ShellCommand};
use crate::ui::jobs::{Job, Jobs, Worker};
use crate::video::{DecodedFrame, FrameStream, PacketDecoder, VideoAnalysis};

/// Decoded frames kept per player (a 4K RGBA frame is 33 MB).
pub const FRAME_CACHE_BYTES: usize = 400 * 1024 * 1024;
/// A jump this many frames ahead or less is decoded by reading on, not by seeking.
const READ_ON_LIMIT: usize = 90;
/// Frames decoded ahead of the one asked for while the decoder is idle, so stepping
/// forward is served from the cache.
const READ_AHEAD: usize = 8;

/// A decoded frame, already in the texture's pixel format (converted on the decoder
/// thread; the UI thread hands it to the texture without a copy).
pub struct ShownFrame {
    pub index: usize,
    pub image: Arc<ColorImage>,
}

/// A cached frame; its pyramid (for the loupe) is built the first time it is needed.
struct CachedFrame {
    image: Arc<ColorImage>,
    pyramid: Option<Arc<Pyramid>>,
    used: u64,
}

enum Opening {
    Pending(Job<Result<OpenVideo, String>>),
    Ready(Box<OpenVideo>),
    Failed(String),
}

enum Reply {
    Frame(ShownFrame),
    Failed(usize, String),
}

pub struct Player {
    opening: Opening,
    /// The frame asked for (shown as soon as it is decoded).
    pub current: usize,
    pub playing: bool,
    /// egui's time (seconds) and the frame where playing started, to keep real time.
    play_anchor: Option<(f64, usize)>,
    /// egui's time at the last [`Player::update`].
    now: f64,
    wants: Option<Sender<Want>>,
    /// The decoder service (dropping it cancels it).
    decoder: Option<Job<()>>,
    replies: Option<Receiver<Reply>>,
    cache: HashMap<usize, CachedFrame>,
    use_counter: u64,
    /// The frame on the texture.
    pub shown: Option<usize>,
    texture: Option<TextureHandle>,
    /// Set when the frame asked for was sent to the worker (so it is asked once).
    requested: Option<usize>,
    /// The scrub bar is being dragged: the keyframe before the frame under the pointer
    /// stands in until the drag stops (set by the transport bar every frame).
    pub dragging: bool,
    pub error: Option<String>,
    /// Pending exact grabs (provenance-grade decodes) and their results.
    grabs: Vec<Job<Result<(OpenVideo, DecodedFrame), String>>>,
    analysis: Option<Job<Result<SceneStrip, crate::case::FrameError>>>,
    analysis_started: bool,
    /// Scene changes of the clip (from its record, or found in the background).
    pub scenes: Vec<crate::video::SceneChange>,
    /// Thumbnails of the scene changes (and frame 0), for the scrub bar.
    pub scene_thumbs: Vec<(usize, TextureHandle)>,
    pending_thumbs: Vec<(usize, ColorImage)>,
    /// When the last seek was asked, for the time-to-frame measurement (a measurement of
    /// the decoder, so the wall clock).
    pub asked_at: Option<Instant>,
    pub last_seek_ms: Option<f64>,
}

/// All players of the board, by the video's SHA-256.
#[derive(Default)]
pub struct VideoPlayers {
    players: HashMap<String, Player>,
}

impl VideoPlayers {
    /// The player of video `sha256`, opened in the background on first use.
    pub fn player(&mut self, ctx: &egui::Context, case: &Case, sha256: &str) -> &mut Player {
        self.players
            .entry(sha256.to_owned())
            .or_insert_with(|| Player::open(ctx, case, sha256))
    }

    pub fn get(&self, sha256: &str) -> Option<&Player> {
        self.players.get(sha256)
    }

    pub fn get_mut(&mut self, sha256: &str) -> Option<&mut Player> {
        self.players.get_mut(sha256)
    }

    /// Finished grabs and analyses of every player, for the app to record in the case
    /// (called once per frame, after the job registry's drain).
    pub fn finished_work(&mut self) -> Vec<Finished> {
        let mut done = Vec::new();
        for (sha, player) in &mut self.players {
            player.grabs.retain_mut(|job| match job.take_flat() {
                Some(result) => {
                    done.push(Finished::Grab(result.map(Box::new)));
                    false
                }
                None => true,
            });
            let Some(result) = player.analysis.as_mut().and_then(Job::take_flat) else {
                continue;
            };
            player.analysis = None;
            match result {
                Ok(strip) => {
                    player.scenes = strip.analysis.scenes.clone();
                    player.pending_thumbs = strip.thumbnails;
                    if strip.found_now {
                        done.push(Finished::Analysis(sha.clone(), Ok(strip.analysis)));
                    }
                }
                Err(e) => done.push(Finished::Analysis(sha.clone(), Err(e))),
            }
        }
        done
    }

    /// Bytes of decoded frames held by all players.
    pub fn cache_bytes(&self) -> usize {
        self.players.values().map(Player::cache_bytes).sum()
    }

    pub fn busy(&self) -> bool {
        self.players
            .values()
            .any(|p| p.playing || p.shown != Some(p.current) || !p.grabs.is_empty())
    }
}

/// Scene changes with their thumbnails.
pub struct SceneStrip {
    analysis: VideoAnalysis,
    /// Whether the analysis was run now (and should be recorded in the case).
    found_now: bool,
    thumbnails: Vec<(usize, ColorImage)>,
}

/// Longer side of the scrub bar's scene thumbnails.
const THUMB_SIDE: u32 = 96;

fn scene_strip(video: &OpenVideo) -> Result<SceneStrip, crate::case::FrameError> {
    let small = |image: &image::RgbImage| {
        let image = image::DynamicImage::ImageRgb8(image.clone())
            .thumbnail(THUMB_SIDE, THUMB_SIDE)
            .to_rgba8();
        ColorImage::from_rgba_unmultiplied(
            [image.width() as usize, image.height() as usize],
            image.as_raw(),
        )
    };
    let recorded = video.record.video.as_ref().and_then(|v| v.analysis.clone());
    match recorded {
        None => {
            let (analysis, thumbs) = video.analyse(Default::default(), &mut |_, _| true)?;
            let thumbnails = thumbs.iter().map(|(i, t)| (*i, small(t))).collect();
            Ok(SceneStrip {
                analysis,
                found_now: true,
                thumbnails,
            })
        }
        Some(analysis) => {
            // Recorded by an earlier run (or the CLI): only the thumbnails are decoded.
            let (w, h) = crate::video::preview_size(video.record.width, video.record.height);
            let mut thumbnails = Vec::new();
            let frames =
                std::iter::once(0).chain(analysis.scenes.iter().map(|s| s.frame_index as usize));
            for index in frames.take(200) {
                let request = crate::video::GrabRequest {
                    index,
                    width: video.record.width,
                    height: video.record.height,
                    scale_to: Some((w, h)),
                };
                if let Ok(frame) =
                    crate::video::grab_frame(video.ffmpeg, &video.path, &video.table, request)
                {
                    let rgb = image::DynamicImage::ImageRgba8(frame.image).to_rgb8();
                    thumbnails.push((index, small(&rgb)));
                }
            }
            Ok(SceneStrip {
                analysis,
                found_now: false,
                thumbnails,
            })
        }
    }
}

/// Work a player finished that changes the case.
pub enum Finished {
    Grab(Result<Box<(OpenVideo, DecodedFrame)>, String>),
    Analysis(String, Result<VideoAnalysis, String>),
}

impl Finished {
    /// The command that records it.
    pub fn into_command(self) -> Command {
        match self {
            Finished::Grab(result) => Command::Board(BoardCommand::AddFrameGrab(result)),
            Finished::Analysis(id, Ok(analysis)) => {
                Command::Edit(crate::case::Edit::SetVideoAnalysis {
                    id,
                    analysis: Box::new(analysis),
                })
            }
            Finished::Analysis(_, Err(e)) => {
                Command::Shell(ShellCommand::Report(format!("video analysis: {e}")))
            }
        }
    }
}

impl Player {
    fn open(ctx: &egui::Context, case: &Case, sha256: &str) -> Player {
        // Opening reads the frame table (a demux pass of the whole file): a job.
        let opening = match case.find_evidence(sha256) {
            Ok(record) => {
                let (record, path) = (record.clone(), case.evidence_path(record));
                Opening::Pending(Jobs::of(ctx).spawn(Some(ctx), "opening a video", move |_| {
                    OpenVideo::open(record, path).map_err(|e| e.to_string())
                }))
            }
            Err(e) => Opening::Failed(e.to_string()),
        };
        Player {
            opening,
            current: 0,
            playing: false,
            play_anchor: None,
            now: ctx.input(|i| i.time),
            wants: None,
            decoder: None,
            replies: None,
            cache: HashMap::new(),
            use_counter: 0,
            shown: None,
            texture: None,
            requested: None,
            dragging: false,
            error: None,
            grabs: Vec::new(),
            analysis: None,
            analysis_started: false,
            scenes: Vec::new(),
            scene_thumbs: Vec::new(),
            pending_thumbs: Vec::new(),
            asked_at: None,
            last_seek_ms: None,
        }
    }

    pub fn video(&self) -> Option<&OpenVideo> {
        match &self.opening {
            Opening::Ready(v) => Some(v),
            _ => None,
        }
    }

    pub fn opening_error(&self) -> Option<&str> {
        match &self.opening {
            Opening::Failed(e) => Some(e),
            _ => None,
        }
    }

    pub fn frame_count(&self) -> usize {
        self.video().map_or(0, |v| v.table.frame_count())
    }

    /// Asks for frame `index` (clamped to the clip).
    pub fn seek(&mut self, index: usize) {
        let last = self.frame_count().saturating_sub(1);
        let index = index.min(last);
        if index != self.current {
            self.current = index;
            self.asked_at = Some(Instant::now());
        }
        if self.playing {
            self.play_anchor = Some((self.now, index));
        }
    }

    /// Moves by `frames` (negative: back).
    pub fn step(&mut self, frames: i64) {
        self.playing = false;
        let target = (self.current as i64 + frames).max(0) as usize;
        self.seek(target);
    }

    /// Moves by `seconds` of footage, landing on the frame for that time.
    pub fn jump_seconds(&mut self, seconds: f64) {
        let Some(video) = self.video() else { return };
        let now = video.table.time_us(self.current);
        let target_us = (now + (seconds * 1e6) as i64).max(0);
        let index = video
            .table
            .frame_at(target_us)
            .unwrap_or_else(|| video.table.frame_count().saturating_sub(1));
        self.seek(index);
    }

    pub fn toggle_play(&mut self) {
        self.playing = !self.playing;
        if self.playing && self.current + 1 >= self.frame_count() {
            self.current = 0;
        }
        self.play_anchor = self.playing.then_some((self.now, self.current));
    }

    /// Starts an exact, provenance-grade decode of the current frame for the case.
    pub fn grab_current(&mut self, ctx: &egui::Context) {
        let Some(video) = self.video().cloned() else {
            return;
        };
        let index = self.current;
        let job = Jobs::of(ctx).spawn(Some(ctx), "grabbing a frame", move |_| {
            video
                .decode(index)
                .map(|frame| (video.clone(), frame))
                .map_err(|e| e.to_string())
        });
        self.grabs.push(job);
    }

    pub fn grabbing(&self) -> bool {
        !self.grabs.is_empty()
    }

    /// Finds the scene changes in the background (unless the record has them) and
    /// decodes their thumbnails for the scrub bar.
    fn start_analysis(&mut self, ctx: &egui::Context) {
        let Some(video) = self.video().cloned() else {
            return;
        };
        if self.analysis_started {
            return;
        }
        self.analysis_started = true;
        if let Some(a) = video
            .record
            .video
            .as_ref()
            .and_then(|v| v.analysis.as_ref())
        {
            self.scenes = a.scenes.clone();
        }
        self.analysis =
            Some(Jobs::of(ctx).spawn(Some(ctx), "analysing a video", move |_| scene_strip(&video)));
    }

    /// Once per UI frame: finish opening, advance playback, collect decoded frames and
    /// ask the worker for the frame wanted. Returns the frame to show, if any.
    pub fn update(&mut self, ctx: &egui::Context) -> Option<ShownFrame> {
        self.now = ctx.input(|i| i.time);
        if let Opening::Pending(job) = &mut self.opening {
            match job.take_flat() {
                Some(Ok(video)) => {
                    let (wants, replies, decoder) = start_worker(ctx, video.clone());
                    self.wants = Some(wants);
                    self.replies = Some(replies);
                    self.decoder = Some(decoder);
                    self.opening = Opening::Ready(Box::new(video));
                    self.start_analysis(ctx);
                }
                Some(Err(e)) => self.opening = Opening::Failed(e),
                None => return None,
            }
        }
        for (index, image) in self.pending_thumbs.drain(..) {
            let texture = ctx.load_texture(format!("scene-{index}"), image, TextureOptions::LINEAR);
            self.scene_thumbs.push((index, texture));
        }
        self.advance_playback(ctx);
        if let Some(replies) = &self.replies {
            for reply in replies.try_iter().collect::<Vec<_>>() {
                match reply {
                    Reply::Frame(frame) => {
                        self.use_counter += 1;
                        self.cache.insert(
                            frame.index,
                            CachedFrame {
                                image: frame.image,
                                pyramid: None,
                                used: self.use_counter,
                            },
                        );
                    }
                    Reply::Failed(index, e) => {
                        self.error = Some(format!("frame {index}: {e}"));
                        self.playing = false;
                    }
                }
            }
        }
        self.evict();
        let want = self.current;
        if let Some(cached) = self.cache.get_mut(&want) {
            self.use_counter += 1;
            cached.used = self.use_counter;
            if self.shown != Some(want) {
                if let Some(asked) = self.asked_at.take() {
                    self.last_seek_ms = Some(asked.elapsed().as_secs_f64() * 1000.0);
                }
                let image = cached.image.clone();
                self.upload(ctx, image.clone());
                self.shown = Some(want);
                self.error = None;
                return Some(ShownFrame { index: want, image });
            }
            return None;
        }
        // While dragging, the keyframe before the frame stands in (decoded at once, from
        // its own group), and only it is asked for; the exact frame once the drag stops.
        let (want, ahead) = match self.video().and_then(|v| v.table.keyframe_before(want)) {
            Some(key) if self.dragging => {
                if let Some(cached) = self.cache.get(&key)
                    && self.shown != Some(key)
                {
                    let image = cached.image.clone();
                    self.upload(ctx, image.clone());
                    self.shown = Some(key);
                    return Some(ShownFrame { index: key, image });
                }
                (key, 0)
            }
            _ => (want, READ_AHEAD),
        };
        if self.requested != Some(want)
            && let Some(wants) = &self.wants
        {
            let _ = wants.send(Want { index: want, ahead });
            self.requested = Some(want);
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(15));
        None
    }

    fn advance_playback(&mut self, ctx: &egui::Context) {
        let (Some((started, from)), true) = (self.play_anchor, self.playing) else {
            return;
        };
        let Some(video) = self.video() else { return };
        let elapsed_us = ((self.now - started).max(0.0) * 1e6) as i64;
        let target_us = video.table.time_us(from) + elapsed_us;
        match video.table.frame_at(target_us) {
            // Never skip ahead of a frame that has not been shown yet by more than the
            // decoder can catch up with by reading on.
            Some(index) => {
                if index != self.current {
                    self.current = index;
                }
            }
            None => {
                self.current = video.table.frame_count().saturating_sub(1);
                self.playing = false;
            }
        }
        ctx.request_repaint();
    }

    fn upload(&mut self, ctx: &egui::Context, image: Arc<ColorImage>) {
        match &mut self.texture {
            Some(t) => t.set(image, TextureOptions::LINEAR),
            None => {
                self.texture = Some(ctx.load_texture("video-frame", image, TextureOptions::LINEAR))
            }
        }
    }

    pub fn texture(&self) -> Option<&TextureHandle> {
        self.texture.as_ref()
    }

    /// The pixels of the frame on screen.
    pub fn shown_image(&self) -> Option<RgbaImage> {
        self.cache.get(&self.shown?).map(|c| to_rgba(&c.image))
    }

    /// The pyramid of the frame on screen (for the loupe), built on first use.
    pub fn shown_pyramid(&mut self) -> Option<Arc<Pyramid>> {
        let cached = self.cache.get_mut(&self.shown?)?;
        let image = cached.image.clone();
        Some(
            cached
                .pyramid
                .get_or_insert_with(|| {
                    Arc::new(Pyramid::build(
                        image::DynamicImage::ImageRgba8(to_rgba(&image)),
                        &|_| {},
                    ))
                })
                .clone(),
        )
    }

    pub fn cache_bytes(&self) -> usize {
        self.cache
            .values()
            .map(|c| c.image.pixels.len() * 4 + c.pyramid.as_ref().map_or(0, |p| p.bytes()))
            .sum()
    }

    /// Drops the least recently used frames beyond the budget (never the one wanted).
    fn evict(&mut self) {
        let mut bytes = self.cache_bytes();
        if bytes <= FRAME_CACHE_BYTES {
            return;
        }
        let mut order: Vec<(usize, u64, usize)> = self
            .cache
            .iter()
            .filter(|(i, _)| **i != self.current && Some(**i) != self.shown)
            .map(|(i, c)| {
                let bytes = c.image.pixels.len() * 4 + c.pyramid.as_ref().map_or(0, |p| p.bytes());
                (*i, c.used, bytes)
            })
            .collect();
        order.sort_by_key(|(_, used, _)| *used);
        for (index, _, size) in order {
            if bytes <= FRAME_CACHE_BYTES {
                break;
            }
            self.cache.remove(&index);
            bytes -= size;
        }
    }
}

/// The frame's pixels as an RGBA image (opaque, so the bytes are unchanged).
fn to_rgba(image: &ColorImage) -> RgbaImage {
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    RgbaImage::from_raw(image.size[0] as u32, image.size[1] as u32, bytes).unwrap_or_default()
}

/// A frame asked of the decoder service, and how many after it to decode ahead.
#[derive(Clone, Copy)]
struct Want {
    index: usize,
    ahead: usize,
}

/// The decoder service: serves the newest frame asked for, then decodes the frames
/// asked ahead while no new request comes. It keeps one decoder open for the clip
/// ([`PacketDecoder`]: one ffmpeg fed the clip's samples, for H.264 MP4/MOV); a clip it
/// cannot take, or a frame it fails on, is decoded by a running ffmpeg started at that
/// frame ([`FrameStream`]), as before. It ends when the player drops its sender.
fn start_worker(ctx: &egui::Context, video: OpenVideo) -> (Sender<Want>, Receiver<Reply>, Job<()>) {
    let (want_tx, want_rx) = mpsc::channel::<Want>();
    let (reply_tx, reply_rx) = mpsc::channel();
    let decoder =
        Jobs::of(ctx).spawn_service(Some(ctx), "decoding a video", move |worker: &Worker| {
            let rotation = video.record.video.as_ref().map_or(0, |v| v.rotation_deg);
            let mut packets = PacketDecoder::open(
                video.ffmpeg,
                &video.path,
                &video.table,
                video.size(),
                rotation,
            )
            .map_err(|reason| {
                log::info!("{}: decoded by seeking ({reason})", video.path.display());
            })
            .ok();
            let mut stream: Option<(FrameStream, usize)> = None;
            let pending = std::cell::Cell::new(None::<Want>);
            loop {
                let mut want = match pending.take() {
                    Some(w) => w,
                    None => match want_rx.recv() {
                        Ok(w) => w,
                        Err(_) => break,
                    },
                };
                // Only the newest request matters (scrubbing sends many).
                while let Ok(newer) = want_rx.try_recv() {
                    want = newer;
                }
                let send = |index: usize, pixels: Vec<u8>| {
                    if let Some(frame) = shown_frame(&video, index, &pixels) {
                        let _ = reply_tx.send(Reply::Frame(frame));
                    }
                };
                let reply = crate::ui::jobs::catch_failure("decoding a video frame", || {
                    if let Some(d) = packets.as_mut() {
                        match d.frame(want.index, want.ahead, &mut |i, px| send(i, px)) {
                            Ok(px) => {
                                return shown_frame(&video, want.index, &px)
                                    .ok_or_else(|| "frame of the wrong size".to_owned());
                            }
                            Err(e) => log::info!(
                                "{}: frame {} by seeking ({e})",
                                video.path.display(),
                                want.index
                            ),
                        }
                    }
                    decode_for_player(&video, &mut stream, want.index)
                });
                let message = match reply {
                    Ok(frame) => Reply::Frame(frame),
                    Err(e) => {
                        stream = None;
                        Reply::Failed(want.index, e)
                    }
                };
                if reply_tx.send(message).is_err() {
                    break;
                }
                worker.repaint();
                let keep_going = || {
                    if pending.get().is_some() || worker.cancelled() {
                        return false;
                    }
                    match want_rx.try_recv() {
                        Ok(newer) => {
                            pending.set(Some(newer));
                            false
                        }
                        Err(_) => true,
                    }
                };
                if let Some(d) = packets.as_mut() {
                    let _ = d.read_ahead(&mut |i, px| send(i, px), &keep_going);
                    worker.repaint();
                    continue;
                }
                for _ in 0..READ_AHEAD {
                    if !keep_going() {
                        break;
                    }
                    let Some((decoder, next)) = stream.as_mut() else {
                        break;
                    };
                    let Some(frame) = next_frame(&video, decoder, next) else {
                        stream = None;
                        break;
                    };
                    if reply_tx.send(Reply::Frame(frame)).is_err() {
                        return;
                    }
                }
            }
        });
    (want_tx, reply_rx, decoder)
}

/// Decoded RGBA pixels as a texture image (opaque, so straight and premultiplied alpha
/// are the same bytes).
fn shown_frame(video: &OpenVideo, index: usize, pixels: &[u8]) -> Option<ShownFrame> {
    let (w, h) = video.size();
    let size = [w as usize, h as usize];
    (pixels.len() == size[0] * size[1] * 4).then(|| ShownFrame {
        index,
        image: Arc::new(ColorImage::from_rgba_premultiplied(size, pixels)),
    })
}

/// The next frame of a running decoder (`next` is kept as the index after it).
fn next_frame(
    video: &OpenVideo,
    decoder: &mut FrameStream,
    next: &mut usize,
) -> Option<ShownFrame> {
    let (pts, pixels) = decoder.next_frame()?;
    let index = video.table.pts.binary_search(&pts).ok()?;
    *next = index + 1;
    let size = [decoder.width as usize, decoder.height as usize];
    if pixels.len() != size[0] * size[1] * 4 {
        return None;
    }
    // Decoded frames are opaque: straight and premultiplied alpha are the same bytes.
    let image = ColorImage::from_rgba_premultiplied(size, &pixels);
    Some(ShownFrame {
        index,
        image: Arc::new(image),
    })
}

/// Frame `want`, read on from the running decoder when it is a little ahead, else from
/// a decoder started at that exact frame.
fn decode_for_player(
    video: &OpenVideo,
    stream: &mut Option<(FrameStream, usize)>,
    want: usize,
) -> Result<ShownFrame, String> {
    let reuse = matches!(stream, Some((_, next)) if *next <= want && want - *next <= READ_ON_LIMIT);
    if !reuse {
        let started = FrameStream::start(
            video.ffmpeg,
            &video.path,
            &video.table,
            want,
            video.size(),
            None,
            "rgba",
        )
        .map_err(|e| e.to_string())?;
        *stream = Some((started, want));
    }
    let Some((decoder, next)) = stream.as_mut() else {
        return Err("no decoder".into());
    };
    loop {
        let Some(frame) = next_frame(video, decoder, next) else {
            let why = decoder
                .messages()
                .pop()
                .unwrap_or_else(|| "end of clip".into());
            *stream = None;
            return Err(format!("ffmpeg stopped: {why}"));
        };
        if frame.index >= want {
            return Ok(frame);
        }
    }
}
