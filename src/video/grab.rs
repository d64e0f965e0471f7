//! One exact frame, decoded by ffmpeg: seek to its time, keep only the frame with its
//! own timestamp (so a container whose seek lands late, such as MPEG-TS, cannot hand
//! back a neighbour), and check the timestamp ffmpeg reports for the frame it returned.

use std::ffi::OsString;
use std::path::Path;

use image::RgbaImage;

use super::frames::FrameTable;
use super::{Ffmpeg, GRAB_LIMIT_S, VideoError, input_arg, time_limit};

/// What to decode: frame `index` of the clip's table, at the displayed size or scaled.
#[derive(Debug, Clone, Copy)]
pub struct GrabRequest {
    pub index: usize,
    /// Displayed size (after rotation), the size of a full-resolution grab.
    pub width: u32,
    pub height: u32,
    /// Scale the frame to this size instead (previews).
    pub scale_to: Option<(u32, u32)>,
}

/// A decoded frame and how it was made.
#[derive(Debug, Clone)]
pub struct DecodedFrame {
    pub index: usize,
    /// Timestamp in the stream's time base.
    pub pts: i64,
    pub image: RgbaImage,
    /// The decoder's complaint when the frame (or one it depends on) was damaged.
    pub damage: Option<String>,
    /// The exact ffmpeg arguments that produced it.
    pub args: Vec<String>,
}

/// Decodes frame `request.index` at full displayed resolution with rotation applied.
pub fn grab_frame(
    ff: &Ffmpeg,
    path: &Path,
    table: &FrameTable,
    request: GrabRequest,
) -> Result<DecodedFrame, VideoError> {
    let target = *table.pts.get(request.index).ok_or_else(|| {
        VideoError::Invalid(format!(
            "frame {} does not exist (the clip has {})",
            request.index,
            table.frame_count()
        ))
    })?;
    let (width, height) = request.scale_to.unwrap_or((request.width, request.height));
    let frame_bytes = width as usize * height as usize * 4;
    let seek = table.seek_us(request.index);
    // A late seek is retried from further back, and finally from the very start.
    let mut attempts = vec![Some(seek)];
    if seek > 10_000_000 {
        attempts.push(Some(seek - 10_000_000));
    }
    if seek > 0 {
        attempts.push(None);
    }
    let mut last_problem = None;
    let tries = attempts.len();
    for (n, seek_us) in attempts.into_iter().enumerate() {
        let more_to_try = n + 1 < tries;
        let list = decode_args(
            path,
            table,
            request.index,
            seek_us,
            request.scale_to,
            "rgba",
            Some(1),
        );
        let out = ff.run_ffmpeg(&list, time_limit(GRAB_LIMIT_S))?;
        let shown = showinfo_pts(&out.stderr);
        match shown.first() {
            // A seek that starts decoding after a keyframe (MPEG-TS seeks by bytes) hands
            // back a frame built on missing references: decode it again from further back
            // before calling the damage the file's own.
            Some(&pts)
                if pts == target && more_to_try && !decoder_errors(&out.stderr).is_empty() =>
            {
                last_problem = Some(
                    "decoding from the seek point reported damage; retrying from earlier".into(),
                );
            }
            Some(&pts) if pts == target && out.stdout.len() >= frame_bytes => {
                let image = RgbaImage::from_raw(width, height, out.stdout[..frame_bytes].to_vec())
                    .ok_or_else(|| VideoError::Invalid("frame buffer of the wrong size".into()))?;
                return Ok(DecodedFrame {
                    index: request.index,
                    pts,
                    image,
                    damage: decoder_errors(&out.stderr).into_iter().next(),
                    args: list
                        .iter()
                        .map(|a| a.to_string_lossy().into_owned())
                        .collect(),
                });
            }
            Some(&pts) if pts == target => {
                last_problem = Some(format!(
                    "ffmpeg returned {} bytes for a {width}×{height} frame",
                    out.stdout.len()
                ));
            }
            Some(&pts) => {
                last_problem = Some(format!(
                    "seek returned timestamp {pts} instead of {target}; retrying from earlier"
                ));
            }
            None => {
                last_problem = Some(
                    decoder_errors(&out.stderr)
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| "ffmpeg decoded no frame".into()),
                );
            }
        }
    }
    Err(VideoError::Invalid(format!(
        "frame {} could not be decoded: {}",
        request.index,
        last_problem.unwrap_or_default()
    )))
}

/// The ffmpeg arguments that decode frames from `index` on (at most `max_frames`),
/// keep timestamps as stored (`-copyts`) and log each frame's timestamp (`showinfo`).
pub(super) fn decode_args(
    path: &Path,
    table: &FrameTable,
    index: usize,
    seek_us: Option<i64>,
    scale_to: Option<(u32, u32)>,
    pix_fmt: &str,
    max_frames: Option<usize>,
) -> Vec<OsString> {
    let mut list: Vec<OsString> = [
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-v",
        "info",
        "-copyts",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    if let Some(us) = seek_us {
        list.push("-ss".into());
        list.push(
            format!(
                "{}.{:06}",
                us.div_euclid(1_000_000),
                us.rem_euclid(1_000_000)
            )
            .into(),
        );
    }
    list.push("-i".into());
    list.push(input_arg(path));
    let mut filters = format!("select='gte(pts,{})',showinfo", table.pts[index]);
    if let Some((w, h)) = scale_to {
        filters.push_str(&format!(",scale={w}:{h}:flags=area"));
    }
    for arg in [
        "-map".to_owned(),
        format!("0:{}", table.stream_index),
        "-an".into(),
        "-sn".into(),
        "-dn".into(),
        "-vf".into(),
        filters,
        "-fps_mode".into(),
        "passthrough".into(),
    ] {
        list.push(arg.into());
    }
    if let Some(n) = max_frames {
        list.push("-frames:v".into());
        list.push(n.to_string().into());
    }
    for arg in ["-f", "rawvideo", "-pix_fmt", pix_fmt, "pipe:1"] {
        list.push(arg.into());
    }
    list
}

/// Timestamps of the frames `showinfo` saw, in order.
pub(super) fn showinfo_pts(stderr: &str) -> Vec<i64> {
    stderr.lines().filter_map(showinfo_line_pts).collect()
}

/// `[Parsed_showinfo_1 @ 0x…] n:   0 pts:  15360 pts_time:1 …` → 15360.
pub(super) fn showinfo_line_pts(line: &str) -> Option<i64> {
    if !line.contains("Parsed_showinfo") || !line.contains(" n:") {
        return None;
    }
    let rest = line.split(" pts:").nth(1)?;
    rest.split_whitespace().next()?.parse().ok()
}

/// Lines where a decoder reported damage (`error while decoding MB …`, `concealing …`).
pub(super) fn decoder_errors(stderr: &str) -> Vec<String> {
    const SIGNS: &[&str] = &[
        "error while decoding",
        "concealing",
        "corrupt",
        "invalid nal",
        "missing reference",
        "decode_slice_header error",
        "no frame!",
        "illegal",
        "damaged",
        "overread",
        "invalid data",
    ];
    stderr
        .lines()
        .filter(|l| l.starts_with('[') && l.contains(" @ ") && !l.contains("Parsed_"))
        .filter(|l| {
            let lower = l.to_ascii_lowercase();
            SIGNS.iter().any(|s| lower.contains(s))
        })
        .map(super::last_error_line)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_showinfo_timestamps() {
        let err = "[Parsed_showinfo_1 @ 0x55f] config in time_base: 1/15360\n\
                   [Parsed_showinfo_1 @ 0x55f] n:   0 pts:  15360 pts_time:1       pos: 1\n\
                   [Parsed_showinfo_1 @ 0x55f] n:   1 pts:  15872 pts_time:1.03333 pos: 2\n";
        assert_eq!(showinfo_pts(err), vec![15360, 15872]);
    }

    #[test]
    fn finds_decoder_complaints_only() {
        let err = "[h264 @ 0x1] error while decoding MB 3 4, bytestream -5\n\
                   [h264 @ 0x1] concealing 120 DC, 120 AC, 120 MV errors in P frame\n\
                   [Parsed_showinfo_1 @ 0x2] n: 0 pts: 1\n\
                   Stream mapping:\n";
        let found = decoder_errors(err);
        assert_eq!(found.len(), 2);
        assert!(found[0].starts_with("error while decoding MB"));
    }
}
