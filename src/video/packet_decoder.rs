//! A decoder that stays open: one long-running ffmpeg per clip, fed the clip's coded
//! samples over stdin, so a seek or a step costs the decoding it needs and nothing
//! else (no process start, no probe of the file, no demux of the container).
//!
//! How (after rerun's `re_video`, which feeds a long-running ffmpeg the same way):
//! - The MP4's sample tables (`mp4_samples`) give each sample's bytes and frame. The
//!   samples are written to ffmpeg's stdin as a Matroska stream (`V_MPEG4/ISO/AVC`
//!   with the file's own `avcC`), so the H.264 decoder receives exactly the bytes and
//!   configuration that ffmpeg's MP4 demuxer would hand it.
//! - Each sample carries a made-up timestamp that names its frame and a *wanted* bit:
//!   `run << 40 | index << 8 | wanted` (milliseconds; frames 256 ms apart, so
//!   ffmpeg's output time base of the frame rate keeps them distinct). A `select` filter drops unwanted frames before
//!   they are converted to RGBA, and `showinfo` reports each frame's timestamp, so every
//!   frame that comes out is identified, never counted (a frame the decoder drops
//!   cannot shift the others).
//! - A seek starts a *run* at an IDR sync sample (nothing before it is referenced), so
//!   the decoded pixels are those of ffmpeg's accurate seek, which also decodes from a
//!   keyframe before the target (tests/video.rs compares them pixel for pixel). A step
//!   forward reads on in the current run.
//! - The decoder holds a few frames back (reordering, frame threads): samples are fed
//!   `lookahead` past the target; if the frame is still missing after a pause, one more
//!   is fed and `lookahead` grows. At the end of the clip, an IDR marked unwanted pushes
//!   the last frames out without closing the process.
//!
//! Anything else — another container or codec, a rotated clip, a keyframe that is not an
//! IDR, damage reported by the decoder — is refused with the reason, and the caller
//! decodes that frame with its own ffmpeg run (`grab_frame`), as before.

use std::collections::{HashSet, VecDeque};
use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::error::VideoError;
use super::frames::FrameTable;
use super::grab::{DecodedFrame, decode_args, decoder_errors};
use super::mp4_samples::{Mp4Samples, Unsupported};
use super::tool::{Ffmpeg, GRAB_LIMIT_S, time_limit};

mod batch;

/// A jump this many samples ahead of the feed or less reads on instead of restarting
/// at the target's keyframe.
const READ_ON_LIMIT: usize = 12;
/// Samples fed past the target before waiting, at first (learned upwards).
const FIRST_LOOKAHEAD: usize = 3;
const MAX_LOOKAHEAD: usize = 32;
/// How long to wait for a frame before feeding one more sample.
const STALL: Duration = Duration::from_millis(150);
const STARTUP: Duration = Duration::from_millis(1500);
/// Runs before the process is restarted (timestamps stay exact as doubles in the filter).
const MAX_RUN: u64 = 1 << 12;

/// What the stderr reader saw.
enum Info {
    Frame { pts: i64, size: (u32, u32) },
    Damage(String),
}

struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    pixels: Receiver<Vec<u8>>,
    infos: Receiver<Info>,
    timestamps: VecDeque<(i64, (u32, u32))>,
    /// Whether a frame has come out yet.
    produced: bool,
    /// The current run and the next sample (decoding order) it feeds.
    run: u64,
    next: usize,
    /// Wanted frames fed in this run that have not come out yet.
    pending: HashSet<usize>,
    /// Frames up to this index (from the run's first request) are wanted.
    window: (usize, usize),
    /// Frames of a batch (`frames_in_order`) not fed yet: wanted whenever fed.
    batch: HashSet<usize>,
}

impl Drop for Process {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The persistent decoder of one clip.
pub struct PacketDecoder {
    ff: Ffmpeg,
    path: PathBuf,
    file: File,
    table: FrameTable,
    samples: Mp4Samples,
    size: (u32, u32),
    process: Option<Process>,
    runs: u64,
    lookahead: usize,
}

impl PacketDecoder {
    /// Reads the clip's sample tables; refuses a clip it cannot decode exactly.
    pub fn open(
        ff: &Ffmpeg,
        path: &Path,
        table: &FrameTable,
        size: (u32, u32),
        rotation_deg: u32,
    ) -> Result<PacketDecoder, Unsupported> {
        if rotation_deg != 0 {
            return Err(format!("a clip rotated by {rotation_deg}°").into());
        }
        if table.untimed_packets > 0 {
            return Err("packets without timestamps".into());
        }
        let samples = Mp4Samples::read(path, table)?;
        let file = File::open(path).map_err(|e| Unsupported(format!("{}: {e}", path.display())))?;
        Ok(PacketDecoder {
            ff: ff.clone(),
            path: path.to_owned(),
            file,
            table: table.clone(),
            samples,
            size,
            process: None,
            runs: 0,
            lookahead: FIRST_LOOKAHEAD,
        })
    }

    /// The ffmpeg arguments whose accurate seek returns the same pixels for `index`
    /// (recorded as a grab's provenance: the command that reproduces it).
    pub fn reproducing_args(&self, index: usize) -> Vec<String> {
        decode_args(
            &self.path,
            &self.table,
            index,
            Some(self.table.seek_us(index)),
            None,
            "rgba",
            Some(1),
        )
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
    }

    /// Frame `index` as a grab: its pixels, timestamp and the command that reproduces
    /// it. Damage reported by the decoder is an error (the caller decodes the frame with
    /// `grab_frame`, which reports it with the frame).
    pub fn decoded_frame(&mut self, index: usize) -> Result<DecodedFrame, VideoError> {
        let pixels = self.frame(index, 0, &mut |_, _| {})?;
        self.grab(index, pixels)
    }

    /// Frame `index`'s pixels as a grab with its provenance.
    fn grab(&self, index: usize, pixels: Vec<u8>) -> Result<DecodedFrame, VideoError> {
        let image = image::RgbaImage::from_raw(self.size.0, self.size.1, pixels)
            .ok_or_else(|| VideoError::Invalid("frame buffer of the wrong size".into()))?;
        Ok(DecodedFrame {
            index,
            pts: self.table.pts[index],
            image,
            damage: None,
            args: self.reproducing_args(index),
        })
    }

    /// The RGBA pixels of frame `index`. Frames `index+1 ..= index+ahead` are decoded
    /// too; they, and any other frame that comes out meanwhile, go to `other` (an exact
    /// frame each, by its index).
    pub fn frame(
        &mut self,
        index: usize,
        ahead: usize,
        other: &mut dyn FnMut(usize, Vec<u8>),
    ) -> Result<Vec<u8>, VideoError> {
        let at = *self.samples.by_index.get(index).ok_or_else(|| {
            VideoError::Invalid(format!(
                "frame {index} does not exist (the clip has {})",
                self.table.frame_count()
            ))
        })?;
        let result = self.plan(index, at, ahead).and_then(|()| {
            self.run_until(
                &mut |i, pixels, wanted_i| {
                    if i == wanted_i {
                        return Some(pixels);
                    }
                    other(i, pixels);
                    None
                },
                index,
                at,
            )
        });
        if result.is_err() {
            self.process = None;
        }
        result
    }

    /// Feeds on until the frames already asked for ahead have come out, while
    /// `keep_going` says so (a new request interrupts it).
    pub fn read_ahead(
        &mut self,
        other: &mut dyn FnMut(usize, Vec<u8>),
        keep_going: &dyn Fn() -> bool,
    ) -> Result<(), VideoError> {
        loop {
            let Some(p) = &self.process else {
                return Ok(());
            };
            let Some(&last) = p.pending.iter().max() else {
                return Ok(());
            };
            if !keep_going() {
                return Ok(());
            }
            let at = self.samples.by_index[last];
            let result = self.run_until(
                &mut |i, pixels, _| {
                    other(i, pixels);
                    None
                },
                usize::MAX,
                at,
            );
            match result {
                Err(VideoError::Timeout { .. }) => {}
                Err(e) => {
                    self.process = None;
                    return Err(e);
                }
                Ok(_) => {}
            }
            // One step of waiting done; loop checks `keep_going` again.
            if self.process.as_ref().is_some_and(|p| p.pending.is_empty()) {
                return Ok(());
            }
        }
    }

    /// Starts a run at the target's keyframe unless the current run reaches it.
    fn plan(&mut self, index: usize, at: usize, ahead: usize) -> Result<(), VideoError> {
        if self.process.is_none() || self.runs >= MAX_RUN {
            self.process = None;
            self.process = Some(self.spawn()?);
            self.runs = 0;
        }
        let start = group_start(&self.samples, index)?;
        let runs = self.runs;
        let p = running(&mut self.process)?;
        let reads_on = p.run == runs
            && runs > 0
            && (p.pending.contains(&index)
                || (at >= p.next && (start <= p.next || at - p.next <= READ_ON_LIMIT)));
        if reads_on {
            p.window = (p.window.0.min(index), p.window.1.max(index + ahead));
            return Ok(());
        }
        let bytes = read_sample(&mut self.file, &self.samples.samples[start])?;
        if !self.samples.holds_idr(&bytes) {
            return Err(VideoError::Invalid(format!(
                "the keyframe before frame {index} is not an IDR picture"
            )));
        }
        self.runs += 1;
        p.run = self.runs;
        p.next = start;
        p.pending.clear();
        p.window = (index, index + ahead);
        Ok(())
    }

    /// Feeds and reads until `take` returns a value for frame `wanted` (or, with
    /// `wanted == usize::MAX`, until one stall passes), feeding up to `at + lookahead`.
    fn run_until(
        &mut self,
        take: &mut dyn FnMut(usize, Vec<u8>, usize) -> Option<Vec<u8>>,
        wanted: usize,
        at: usize,
    ) -> Result<Vec<u8>, VideoError> {
        let deadline = Instant::now() + time_limit(GRAB_LIMIT_S);
        loop {
            while let Some((index, pixels)) = self.next_frame(None)? {
                if let Some(found) = take(index, pixels, wanted) {
                    // It came out before the feeding stopped: the decoder holds back at
                    // most this many samples (an upper bound, so never a stall).
                    let fed = self.process.as_ref().map_or(0, |p| p.next);
                    let past = fed.saturating_sub(at + 1);
                    self.lookahead = self.lookahead.min(past.max(1));
                    return Ok(found);
                }
            }
            let fed = self.process.as_ref().map_or(0, |p| p.next);
            if fed <= at.saturating_add(self.lookahead) && fed < self.samples.samples.len() {
                self.feed_next()?;
                continue;
            }
            // A process still starting up is given longer before more is fed.
            let produced = self.process.as_ref().is_some_and(|p| p.produced);
            match self.next_frame(Some(if produced { STALL } else { STARTUP }))? {
                Some((index, pixels)) => {
                    if let Some(found) = take(index, pixels, wanted) {
                        return Ok(found);
                    }
                }
                None => {
                    // The decoder holds more frames back than thought: feed one more.
                    self.lookahead = (self.lookahead + 1).min(MAX_LOOKAHEAD);
                    if fed < self.samples.samples.len() {
                        self.feed_next()?;
                    } else {
                        self.feed_flush()?;
                    }
                    if wanted == usize::MAX {
                        return Err(VideoError::Timeout {
                            tool: "ffmpeg".into(),
                            seconds: STALL.as_secs_f64(),
                        });
                    }
                }
            }
            if Instant::now() > deadline {
                return Err(VideoError::Timeout {
                    tool: "ffmpeg".into(),
                    seconds: time_limit(GRAB_LIMIT_S).as_secs_f64(),
                });
            }
        }
    }

    /// Feeds the run's next sample, wanted when its frame is in the window.
    fn feed_next(&mut self) -> Result<(), VideoError> {
        let p = running(&mut self.process)?;
        let sample = self.samples.samples[p.next];
        let wanted =
            (p.window.0..=p.window.1).contains(&sample.index) || p.batch.remove(&sample.index);
        let bytes = read_sample(&mut self.file, &sample)?;
        let pts = (p.run << 40) as i64 | (sample.index as i64) << 8 | i64::from(wanted);
        if wanted {
            p.pending.insert(sample.index);
        }
        p.next += 1;
        write_block(p, pts, sample.sync, &bytes)
    }

    /// Feeds the first keyframe again, unwanted, under a run of its own: an IDR makes
    /// the decoder hand over every frame it holds back.
    fn feed_flush(&mut self) -> Result<(), VideoError> {
        let start = self
            .samples
            .start_for(0)
            .ok_or_else(|| VideoError::Invalid("no keyframe at the start".into()))?;
        let sample = self.samples.samples[start];
        let bytes = read_sample(&mut self.file, &sample)?;
        self.runs += 1;
        let p = running(&mut self.process)?;
        let pts = (self.runs << 40) as i64;
        write_block(p, pts, true, &bytes)
    }

    /// The next decoded frame (index, pixels), waiting up to `wait` (not at all with
    /// `None`). Frames of earlier runs are exact frames too and are returned.
    fn next_frame(
        &mut self,
        wait: Option<Duration>,
    ) -> Result<Option<(usize, Vec<u8>)>, VideoError> {
        let p = running(&mut self.process)?;
        let pixels = match wait {
            None => match p.pixels.try_recv() {
                Ok(px) => px,
                Err(mpsc::TryRecvError::Empty) => return check_damage(p).map(|()| None),
                Err(mpsc::TryRecvError::Disconnected) => return Err(stopped(p)),
            },
            Some(d) => match p.pixels.recv_timeout(d) {
                Ok(px) => px,
                Err(RecvTimeoutError::Timeout) => return check_damage(p).map(|()| None),
                Err(RecvTimeoutError::Disconnected) => return Err(stopped(p)),
            },
        };
        // showinfo logs a frame before it is written: its line is there or coming.
        while p.timestamps.is_empty() {
            match p.infos.recv_timeout(time_limit(GRAB_LIMIT_S)) {
                Ok(Info::Frame { pts, size }) => p.timestamps.push_back((pts, size)),
                Ok(Info::Damage(line)) => return Err(damaged(&line)),
                Err(_) => return Err(stopped(p)),
            }
        }
        check_damage(p)?;
        let Some((pts, size)) = p.timestamps.pop_front() else {
            return Err(stopped(p));
        };
        if size != self.size {
            return Err(VideoError::Invalid(format!(
                "ffmpeg decoded {}×{} frames, the clip's record says {}×{}",
                size.0, size.1, self.size.0, self.size.1
            )));
        }
        let index = ((pts >> 8) & 0xffff_ffff) as usize;
        if pts & 1 == 0 {
            return Ok(None);
        }
        p.pending.remove(&index);
        p.produced = true;
        Ok(Some((index, pixels)))
    }

    /// Starts ffmpeg reading Matroska on stdin and writing RGBA frames on stdout.
    fn spawn(&self) -> Result<Process, VideoError> {
        let list: Vec<OsString> = [
            "-hide_banner",
            "-nostdin",
            "-nostats",
            "-v",
            "info",
            "-probesize",
            "32",
            "-f",
            "matroska",
            "-i",
            "pipe:0",
            "-copyts",
            "-map",
            "0:v:0",
            "-vf",
            "select=mod(pts\\,2),showinfo",
            "-fps_mode",
            "passthrough",
            "-flush_packets",
            "1",
            // A frame-threaded rawvideo encoder holds a frame back until the next.
            "-threads",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgba",
            "pipe:1",
        ]
        .iter()
        .map(OsString::from)
        .collect();
        let mut child = Command::new(&self.ff.ffmpeg)
            .args(&list)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                VideoError::Tool(format!("{}: cannot start: {e}", self.ff.ffmpeg.display()))
            })?;
        let frame_bytes = self.size.0 as usize * self.size.1 as usize * 4;
        let mut stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let (px_tx, pixels) = mpsc::channel();
        let (info_tx, infos) = mpsc::channel();
        spawn_reader("ffmpeg-frames", move || {
            let Some(mut out) = stdout else { return };
            loop {
                let mut buf = vec![0u8; frame_bytes];
                if out.read_exact(&mut buf).is_err() || px_tx.send(buf).is_err() {
                    return;
                }
            }
        })?;
        spawn_reader("ffmpeg-log", move || {
            let Some(err) = stderr else { return };
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let info = match showinfo(&line) {
                    Some((pts, size)) => Info::Frame { pts, size },
                    None => match decoder_errors(&line).into_iter().next() {
                        Some(d) => Info::Damage(d),
                        None => continue,
                    },
                };
                if info_tx.send(info).is_err() {
                    return;
                }
            }
        })?;
        if let Some(input) = stdin.as_mut() {
            input
                .write_all(&self.header())
                .map_err(|e| VideoError::Tool(format!("ffmpeg: cannot write to it: {e}")))?;
        }
        Ok(Process {
            child,
            stdin,
            pixels,
            infos,
            timestamps: VecDeque::new(),
            produced: false,
            run: 0,
            next: 0,
            pending: HashSet::new(),
            window: (0, 0),
            batch: HashSet::new(),
        })
    }

    /// The Matroska header: one H.264 track with the file's `avcC`, millisecond ticks.
    fn header(&self) -> Vec<u8> {
        let mut out = element(
            0x1A45_DFA3,
            &[
                element(0x4286, &uint(1)),
                element(0x42F7, &uint(1)),
                element(0x42F2, &uint(4)),
                element(0x42F3, &uint(8)),
                element(0x4282, b"matroska"),
                element(0x4287, &uint(4)),
                element(0x4285, &uint(2)),
            ]
            .concat(),
        );
        // The segment's size is unknown (a stream).
        out.extend_from_slice(&[
            0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ]);
        out.extend(element(0x1549_A966, &element(0x2A_D7B1, &uint(1_000_000))));
        let video = [
            element(0xB0, &uint(u64::from(self.samples.coded_width))),
            element(0xBA, &uint(u64::from(self.samples.coded_height))),
        ]
        .concat();
        let track = [
            element(0xD7, &uint(1)),
            element(0x73C5, &uint(1)),
            element(0x83, &uint(1)),
            element(0x9C, &uint(0)),
            element(0x23_E383, &uint(1_000_000)),
            element(0x86, b"V_MPEG4/ISO/AVC"),
            element(0x63A2, &self.samples.avcc),
            element(0xE0, &video),
        ]
        .concat();
        out.extend(element(0x1654_AE6B, &element(0xAE, &track)));
        out
    }
}

fn spawn_reader(name: &str, work: impl FnOnce() + Send + 'static) -> Result<(), VideoError> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(work)
        .map(|_| ())
        .map_err(|e| VideoError::Tool(format!("cannot start a reader thread: {e}")))
}

/// One sample as a cluster of its own (timestamp, then a SimpleBlock).
fn write_block(p: &mut Process, pts: i64, key: bool, bytes: &[u8]) -> Result<(), VideoError> {
    let mut block = Vec::with_capacity(bytes.len() + 4);
    block.push(0x81); // track 1
    block.extend_from_slice(&[0, 0]); // relative timestamp
    block.push(if key { 0x80 } else { 0 });
    block.extend_from_slice(bytes);
    let cluster = element(
        0x1F43_B675,
        &[element(0xE7, &uint(pts as u64)), element(0xA3, &block)].concat(),
    );
    let Some(stdin) = p.stdin.as_mut() else {
        return Err(VideoError::Tool("ffmpeg's input is closed".into()));
    };

    stdin.write_all(&cluster).map_err(|_| stopped(p))
}

fn read_sample(
    file: &mut File,
    sample: &super::mp4_samples::Sample,
) -> Result<Vec<u8>, VideoError> {
    let mut bytes = vec![0u8; sample.size as usize];
    file.seek(SeekFrom::Start(sample.offset))
        .and_then(|_| file.read_exact(&mut bytes))
        .map_err(|e| {
            VideoError::Invalid(format!(
                "sample at byte {} ({} bytes) cannot be read: {e}",
                sample.offset, sample.size
            ))
        })?;
    Ok(bytes)
}

/// The decoder process, which every step after `spawn` needs.
fn running(process: &mut Option<Process>) -> Result<&mut Process, VideoError> {
    process
        .as_mut()
        .ok_or_else(|| VideoError::Tool("ffmpeg is not running".into()))
}

/// The sample a run for frame `index` starts from: its group's keyframe.
fn group_start(samples: &Mp4Samples, index: usize) -> Result<usize, VideoError> {
    samples.start_for(index).ok_or_else(|| {
        VideoError::Invalid(format!(
            "no keyframe before frame {index} starts a closed group"
        ))
    })
}

fn check_damage(p: &mut Process) -> Result<(), VideoError> {
    loop {
        match p.infos.try_recv() {
            Ok(Info::Frame { pts, size }) => p.timestamps.push_back((pts, size)),
            Ok(Info::Damage(line)) => return Err(damaged(&line)),
            Err(_) => return Ok(()),
        }
    }
}

fn damaged(line: &str) -> VideoError {
    VideoError::Invalid(format!("the decoder reported damage: {line}"))
}

fn stopped(p: &mut Process) -> VideoError {
    let status = p.child.try_wait().ok().flatten();
    VideoError::Tool(format!(
        "the running ffmpeg decoder stopped{}",
        status.map_or_else(String::new, |s| format!(" ({s})"))
    ))
}

/// `[Parsed_showinfo_1 @ 0x…] n:   0 pts:  15360 … s:320x240 …` → (15360, (320, 240)).
fn showinfo(line: &str) -> Option<(i64, (u32, u32))> {
    let pts = super::grab::showinfo_line_pts(line)?;
    let size = line.split(" s:").nth(1)?.split_whitespace().next()?;
    let (w, h) = size.split_once('x')?;
    Some((pts, (w.parse().ok()?, h.parse().ok()?)))
}

/// An EBML element with an 8-byte size.
fn element(id: u32, body: &[u8]) -> Vec<u8> {
    let id = id.to_be_bytes();
    let skip = id.iter().take_while(|b| **b == 0).count();
    let mut out = id[skip..].to_vec();
    out.push(0x01);
    out.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

fn uint(value: u64) -> Vec<u8> {
    value.to_be_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ebml_elements_and_showinfo_lines() {
        assert_eq!(element(0xE7, &[5]), [0xE7, 1, 0, 0, 0, 0, 0, 0, 1, 5]);
        assert_eq!(&element(0x1A45_DFA3, &[])[..4], &[0x1A, 0x45, 0xDF, 0xA3]);
        let line = "[Parsed_showinfo_1 @ 0x5] n:   3 pts:17179869193 pts_time:1.7e+07 \
                    duration:1 pos:-1 fmt:yuv420p sar:1/1 s:320x240 i:P iskey:0";
        assert_eq!(showinfo(line), Some((17_179_869_193, (320, 240))));
        assert_eq!(showinfo("[h264 @ 0x1] error"), None);
    }
}
