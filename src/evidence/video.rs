//! Video intake: the original is hashed as it streams from disk (never held in memory),
//! probed with ffprobe, and a few keyframes give the poster and the perceptual hashes.

use std::fs;
use std::io::Read;
use std::path::Path;

use image::DynamicImage;

use super::decode::check_size;
use super::inspection::{Inspection, IntakeCause, Original};
use super::sniff::MediaType;
use crate::fingerprint::{perceptual_hash, sha256_file};
use crate::video::{self, Ffmpeg, FrameHash, VideoError};

/// Video originals are streamed, so the limit is the disk's, within reason.
pub const MAX_VIDEO_BYTES: u64 = 64 * 1024 * 1024 * 1024;

/// The largest video frame decoded (8K is 33 megapixels): one RGBA frame of this size
/// is 256 MiB.
pub const MAX_VIDEO_PIXELS: u64 = 8192 * 8192;

/// The first bytes of a file, enough to recognise any supported format.
pub(super) fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(4096);
    fs::File::open(path)?.take(4096).read_to_end(&mut head)?;
    Ok(head)
}

/// Inspects a video file in place.
pub(super) fn inspect_video(
    path: &Path,
    name: String,
    media_type: MediaType,
    size_bytes: u64,
) -> Result<Inspection, IntakeCause> {
    if size_bytes > MAX_VIDEO_BYTES {
        return Err(IntakeCause::TooBig(size_bytes));
    }
    let mut inspection = inspect_video_unhashed(path, name, media_type, size_bytes)?;
    inspection.sha256 = sha256_file(path).map_err(IntakeCause::Read)?;
    Ok(inspection)
}

/// Everything [`inspect_video`] learns but the hash (left empty for the caller, who
/// hashes the bytes it reads).
pub(super) fn inspect_video_unhashed(
    path: &Path,
    name: String,
    media_type: MediaType,
    size_bytes: u64,
) -> Result<Inspection, IntakeCause> {
    let ff = Ffmpeg::locate().map_err(IntakeCause::Video)?;
    let container = media_type.container().unwrap_or("video");
    let probe = video::probe(ff, path, container).map_err(IntakeCause::Video)?;
    check_size(probe.width, probe.height)?;
    if u64::from(probe.width) * u64::from(probe.height) > MAX_VIDEO_PIXELS {
        return Err(IntakeCause::Video(VideoError::Invalid(format!(
            "declares frames of {}×{} pixels, above the limit of {} megapixels (8192×8192)",
            probe.width,
            probe.height,
            MAX_VIDEO_PIXELS / 1_000_000
        ))));
    }
    if probe.table.frame_count() == 0 {
        return Err(IntakeCause::Video(VideoError::Invalid(
            "the video stream holds no frames".into(),
        )));
    }
    let displayed = (probe.width, probe.height);
    let picks = video::sample_keyframes(&probe.table);
    let previews = video::keyframe_previews(ff, path, &probe.table, displayed, &picks)
        .map_err(IntakeCause::Video)?;
    let mut warnings = probe.warnings.clone();
    let mut facts = probe.facts.clone();
    facts.frame_hashes = previews
        .iter()
        .map(|(index, image)| FrameHash {
            frame_index: *index as u64,
            time_s: probe.table.time_us(*index) as f64 / 1e6,
            hash: perceptual_hash(&DynamicImage::ImageRgb8(image.clone())),
        })
        .collect();
    // The poster is the first sampled keyframe that decoded.
    let poster = picks
        .iter()
        .find_map(|p| previews.iter().find(|(i, _)| i == p))
        .map(|(_, image)| DynamicImage::ImageRgb8(image.clone()));
    let thumbnail = match poster {
        Some(image) => image,
        None => {
            warnings.push("no keyframe could be decoded for the poster (damaged clip?)".into());
            let (w, h) = video::preview_size(probe.width, probe.height);
            DynamicImage::new_rgb8(w, h)
        }
    };
    Ok(Inspection {
        original_name: name,
        original: Original::File {
            path: path.to_owned(),
            size_bytes,
        },
        sha256: String::new(),
        media_type,
        width: probe.width,
        height: probe.height,
        exif: probe.metadata,
        perceptual_hash: perceptual_hash(&thumbnail),
        thumbnail,
        warnings,
        video: Some(facts),
        credentials: super::credentials::read_file(path, media_type.mime()),
    })
}
