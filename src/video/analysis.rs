//! One pass over the whole clip at preview size: scene changes (content, not the
//! codec's keyframes) and a perceptual hash every second, so a still that is a frame
//! of the clip, or a re-encoded repost of it, can be found later.

use std::path::Path;

use image::RgbImage;
use serde::{Deserialize, Serialize};

use super::frames::FrameTable;
use super::stream::FrameStream;
use super::{Ffmpeg, VideoError};
use crate::fingerprint::perceptual_hash;

/// Default scene-change threshold (0–1, ffmpeg's `scene` score).
pub const DEFAULT_SCENE_THRESHOLD: f64 = 0.3;
/// Longer side of the analysis frames (and of the scene thumbnails).
pub const ANALYSIS_SIDE: u32 = 256;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalysisOptions {
    pub scene_threshold: f64,
}

impl Default for AnalysisOptions {
    fn default() -> AnalysisOptions {
        AnalysisOptions {
            scene_threshold: DEFAULT_SCENE_THRESHOLD,
        }
    }
}

/// A frame where the picture changes abruptly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SceneChange {
    pub frame_index: u64,
    pub time_s: f64,
    /// 0–1, computed as ffmpeg's `select` filter computes `scene`.
    pub score: f64,
}

/// A perceptual hash of one frame (same recipe as for stills).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameHash {
    pub frame_index: u64,
    pub time_s: f64,
    pub hash: crate::fingerprint::PerceptualHash,
}

/// What the analysis pass found (kept in the evidence record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoAnalysis {
    pub scene_threshold: f64,
    pub scenes: Vec<SceneChange>,
    /// One hash per second of footage.
    pub hashes: Vec<FrameHash>,
    /// Frames the pass decoded (fewer than the table's count means damage).
    pub frames_decoded: u64,
}

/// Preview size with the clip's aspect, longer side [`ANALYSIS_SIDE`], even sides.
pub fn preview_size(width: u32, height: u32) -> (u32, u32) {
    let long = width.max(height).max(1) as f64;
    let scale = f64::from(ANALYSIS_SIDE) / long;
    let even = |v: u32| ((f64::from(v) * scale / 2.0).round() as u32).max(1) * 2;
    (even(width), even(height))
}

/// Decodes every frame at preview size. `progress(done, total)` returns `false` to
/// cancel. Returns the analysis and the thumbnail of frame 0 and of every scene change.
pub fn analyse(
    ff: &Ffmpeg,
    path: &Path,
    table: &FrameTable,
    displayed: (u32, u32),
    options: AnalysisOptions,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<(VideoAnalysis, Vec<(usize, RgbImage)>), VideoError> {
    let (w, h) = preview_size(displayed.0, displayed.1);
    let mut stream = FrameStream::start(ff, path, table, 0, displayed, Some((w, h)), "rgb24")?;
    let mut previous: Option<Vec<u8>> = None;
    let mut previous_mafd: Option<f64> = None;
    let mut scenes = Vec::new();
    let mut thumbnails = Vec::new();
    let mut hashes = Vec::new();
    let mut next_hash_us = 0i64;
    let mut decoded = 0usize;
    while let Some((pts, pixels)) = stream.next_frame() {
        let Ok(index) = table.pts.binary_search(&pts) else {
            continue;
        };
        decoded += 1;
        let time_us = table.time_us(index);
        let score = match &previous {
            Some(prev) => {
                let mafd = mean_absolute_difference(prev, &pixels);
                let score = scene_score(mafd, previous_mafd);
                previous_mafd = Some(mafd);
                score
            }
            None => 0.0,
        };
        let is_scene = score > options.scene_threshold;
        if is_scene {
            scenes.push(SceneChange {
                frame_index: index as u64,
                time_s: time_us as f64 / 1e6,
                score: (score * 1e4).round() / 1e4,
            });
        }
        if (index == 0 || is_scene || time_us >= next_hash_us)
            && let Some(image) = RgbImage::from_raw(w, h, pixels.clone())
        {
            if time_us >= next_hash_us {
                hashes.push(FrameHash {
                    frame_index: index as u64,
                    time_s: time_us as f64 / 1e6,
                    hash: perceptual_hash(&image::DynamicImage::ImageRgb8(image.clone())),
                });
                next_hash_us = (time_us / 1_000_000 + 1) * 1_000_000;
            }
            if index == 0 || is_scene {
                thumbnails.push((index, image));
            }
        }
        previous = Some(pixels);
        if !progress(decoded, table.frame_count()) {
            return Err(VideoError::Invalid("analysis cancelled".into()));
        }
    }
    if decoded == 0 {
        let why = stream.messages().pop().unwrap_or_default();
        return Err(VideoError::Invalid(format!(
            "no frame could be decoded {}",
            why.trim()
        )));
    }
    Ok((
        VideoAnalysis {
            scene_threshold: options.scene_threshold,
            scenes,
            hashes,
            frames_decoded: decoded as u64,
        },
        thumbnails,
    ))
}

/// Mean absolute difference per sample, 0–255 (ffmpeg's `mafd`).
fn mean_absolute_difference(a: &[u8], b: &[u8]) -> f64 {
    let sum: u64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.len().max(1) as f64
}

/// ffmpeg's `scene` score: the change in `mafd` from the previous pair, bounded by
/// `mafd` itself, over 100 (a cut scores high, a steady pan or fade scores low).
fn scene_score(mafd: f64, previous_mafd: Option<f64>) -> f64 {
    let diff = (mafd - previous_mafd.unwrap_or(0.0)).abs();
    (mafd.min(diff) / 100.0).clamp(0.0, 1.0)
}

/// The frames of a contact sheet: frame 0 and every scene change, in order.
pub fn contact_sheet(analysis: &VideoAnalysis) -> Vec<u64> {
    let mut frames = vec![0];
    frames.extend(
        analysis
            .scenes
            .iter()
            .map(|s| s.frame_index)
            .filter(|&i| i != 0),
    );
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_scores_high_a_steady_change_low() {
        assert!(scene_score(120.0, Some(2.0)) > 0.9);
        assert!(scene_score(3.0, Some(2.5)) < 0.01);
        assert_eq!(scene_score(0.0, Some(50.0)), 0.0);
    }

    #[test]
    fn preview_keeps_aspect_with_even_sides() {
        assert_eq!(preview_size(1920, 1080), (256, 144));
        assert_eq!(preview_size(1080, 1920), (144, 256));
        assert_eq!(preview_size(321, 241), (256, 192));
    }
}
