//! A video into the index: one decoder at the working size over the whole clip; frame 0,
//! every scene change (the recorded analysis's, else a change of the picture measured
//! here) and one frame every few seconds are kept. A reader thread decodes and picks
//! while this one finds features. Frames that do not decode are counted and reported.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::mpsc;

use image::GrayImage;

use super::base::{FEATURES_PER_PICTURE, WORKING_SIDE, features_of};
use super::store::{Entry, Picture};
use crate::case::{EvidenceRecord, OpenVideo};
use crate::video::FrameStream;

/// Mean absolute difference (0–255) of consecutive frames' sampled grey levels above
/// which a frame starts a new scene, when the clip has no recorded analysis.
const SCENE_DIFFERENCE: f64 = 40.0;

struct Picked {
    index: usize,
    time_s: f64,
    why: String,
    gray: GrayImage,
}

/// What the reader thread ends with: frames decoded and ffmpeg's complaints.
struct Ended {
    decoded: usize,
    messages: Vec<String>,
}

/// Working size of a clip's frames: longer side [`WORKING_SIDE`] (never enlarged), even.
fn working_size(width: u32, height: u32) -> (u32, u32) {
    let long = width.max(height).max(1);
    let f = (f64::from(WORKING_SIDE) / f64::from(long)).min(1.0);
    let even = |v: u32| ((f64::from(v) * f / 2.0).round() as u32).max(1) * 2;
    (even(width), even(height))
}

/// The pictures of one video and what could not be indexed; `Err` when none could.
pub(super) fn index_video(
    record: &EvidenceRecord,
    path: &Path,
    every_s: f64,
    tick: &mut dyn FnMut(f64) -> bool,
) -> Result<(Vec<Picture>, Vec<String>), String> {
    let video = OpenVideo::open(record.clone(), path.to_owned()).map_err(|e| e.to_string())?;
    let scenes: BTreeSet<usize> = record
        .video
        .as_ref()
        .and_then(|v| v.analysis.as_ref())
        .map(|a| a.scenes.iter().map(|s| s.frame_index as usize).collect())
        .unwrap_or_default();
    let own_scenes = record.video.as_ref().is_none_or(|v| v.analysis.is_none());
    let (w, h) = working_size(record.width, record.height);
    let stream = FrameStream::start(
        video.ffmpeg,
        &video.path,
        &video.table,
        0,
        (record.width, record.height),
        Some((w, h)),
        "rgb24",
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    let total = video.table.frame_count();
    let (tx, rx) = mpsc::sync_channel::<Picked>(4);
    let (end_tx, end_rx) = mpsc::channel::<Ended>();
    let table = video.table.clone();
    let every_us = (every_s * 1e6).round() as i64;
    std::thread::Builder::new()
        .name("search-video".into())
        .spawn(move || {
            let ended = pick_frames(stream, &table, every_us, &scenes, own_scenes, &tx);
            let _ = end_tx.send(ended);
        })
        .map_err(|e| format!("cannot start a decoding thread: {e}"))?;
    let scale = f64::from(w) / f64::from(record.width.max(1));
    let mut pictures = Vec::new();
    for picked in rx.iter() {
        if !tick(picked.index as f64 / total.max(1) as f64) {
            // Dropping the receiver stops the reader, which stops ffmpeg.
            return Ok((pictures, vec!["cancelled".into()]));
        }
        let f = features_of(&picked.gray, FEATURES_PER_PICTURE);
        pictures.push((
            Entry {
                sha256: record.sha256.clone(),
                frame: Some(picked.index as u64),
                time_s: Some(picked.time_s),
                why: picked.why,
                width: record.width,
                height: record.height,
                scale,
                first_feature: 0,
                feature_count: 0,
            },
            f,
        ));
    }
    let ended = end_rx.recv().unwrap_or(Ended {
        decoded: 0,
        messages: vec!["the decoding thread stopped".into()],
    });
    let mut problems = Vec::new();
    if ended.decoded < total {
        let said = ended
            .messages
            .iter()
            .rev()
            .take(2)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        problems.push(format!(
            "{}: {} of {} frames decoded; the rest are not indexed (ffmpeg: {})",
            path.display(),
            ended.decoded,
            total,
            if said.is_empty() { "no message" } else { &said }
        ));
    }
    if pictures.is_empty() {
        return Err(problems
            .pop()
            .unwrap_or_else(|| format!("{}: no frame decoded", path.display())));
    }
    Ok((pictures, problems))
}

/// Reads every frame, sends the ones to index.
fn pick_frames(
    mut stream: FrameStream,
    table: &crate::video::FrameTable,
    every_us: i64,
    scenes: &BTreeSet<usize>,
    own_scenes: bool,
    tx: &mpsc::SyncSender<Picked>,
) -> Ended {
    let (w, h) = (stream.width, stream.height);
    let mut decoded = 0usize;
    let mut next_us = 0i64;
    let mut previous: Option<Vec<u8>> = None;
    while let Some((pts, pixels)) = stream.next_frame() {
        let Ok(index) = table.pts.binary_search(&pts) else {
            continue;
        };
        decoded += 1;
        let time_us = table.time_us(index);
        let sample = coarse(&pixels, w, h);
        let changed = own_scenes
            && previous
                .as_ref()
                .is_some_and(|p| difference(p, &sample) > SCENE_DIFFERENCE);
        previous = Some(sample);
        let why = if index == 0 || decoded == 1 {
            "first".to_owned()
        } else if scenes.contains(&index) || changed {
            "scene".to_owned()
        } else if time_us >= next_us {
            format!("every {:.3} s", every_us as f64 / 1e6)
        } else {
            continue;
        };
        next_us = time_us + every_us;
        let gray = GrayImage::from_fn(w, h, |x, y| {
            let i = (y as usize * w as usize + x as usize) * 3;
            let v = 77 * u32::from(pixels[i])
                + 150 * u32::from(pixels[i + 1])
                + 29 * u32::from(pixels[i + 2]);
            image::Luma([((v + 128) >> 8) as u8])
        });
        let picked = Picked {
            index,
            time_s: time_us as f64 / 1e6,
            why,
            gray,
        };
        if tx.send(picked).is_err() {
            break;
        }
    }
    Ended {
        decoded,
        messages: stream.messages(),
    }
}

/// Grey levels on a 32×18 grid (enough to see a cut, cheap on every frame).
fn coarse(rgb: &[u8], w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 * 18);
    for gy in 0..18u32 {
        for gx in 0..32u32 {
            let (x, y) = ((gx * w + w / 2) / 32, (gy * h + h / 2) / 18);
            let i = (y.min(h - 1) as usize * w as usize + x.min(w - 1) as usize) * 3;
            let v = (u32::from(rgb[i]) + u32::from(rgb[i + 1]) + u32::from(rgb[i + 2])) / 3;
            out.push(v as u8);
        }
    }
    out
}

fn difference(a: &[u8], b: &[u8]) -> f64 {
    let sum: u64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| u64::from(x.abs_diff(y)))
        .sum();
    sum as f64 / a.len().max(1) as f64
}
