//! Small previews of a few keyframes, decoded without their neighbours
//! (`-skip_frame nokey`): the poster and the frames hashed at intake cost one demux
//! pass and a handful of picture decodes, however long the clip.

use std::ffi::OsString;
use std::path::Path;

use image::RgbImage;

use super::analysis::preview_size;
use super::frames::FrameTable;
use super::grab::showinfo_pts;
use super::{Ffmpeg, GRAB_LIMIT_S, VideoError, input_arg, time_limit};

/// Fractions of the clip whose nearest keyframes are hashed at intake; the first is
/// the poster.
pub const SAMPLE_FRACTIONS: [f64; 5] = [0.1, 0.3, 0.5, 0.7, 0.9];

/// The keyframes nearest each of [`SAMPLE_FRACTIONS`] (frame 0 when the container marks
/// none), without repeats, poster first.
pub fn sample_keyframes(table: &FrameTable) -> Vec<usize> {
    let count = table.frame_count();
    if count == 0 {
        return Vec::new();
    }
    let candidates: &[usize] = if table.keyframes.is_empty() {
        &[0]
    } else {
        &table.keyframes
    };
    let mut picks: Vec<usize> = Vec::new();
    for fraction in SAMPLE_FRACTIONS {
        let wanted = ((count - 1) as f64 * fraction).round() as usize;
        let nearest = candidates
            .iter()
            .copied()
            .min_by_key(|&k| k.abs_diff(wanted))
            .unwrap_or(0);
        if !picks.contains(&nearest) {
            picks.push(nearest);
        }
    }
    picks
}

/// Decodes keyframes `picks` at preview size (longer side 256); returns those decoded,
/// in presentation order.
pub fn keyframe_previews(
    ff: &Ffmpeg,
    path: &Path,
    table: &FrameTable,
    displayed: (u32, u32),
    picks: &[usize],
) -> Result<Vec<(usize, RgbImage)>, VideoError> {
    let (w, h) = preview_size(displayed.0, displayed.1);
    let wanted: Vec<String> = picks
        .iter()
        .filter_map(|&i| table.pts.get(i))
        .map(|pts| format!("eq(pts,{pts})"))
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut list: Vec<OsString> = [
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-v",
        "info",
        "-copyts",
        "-skip_frame",
        "nokey",
        "-i",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    list.push(input_arg(path));
    for arg in [
        "-map".to_owned(),
        format!("0:{}", table.stream_index),
        "-an".into(),
        "-sn".into(),
        "-dn".into(),
        "-vf".into(),
        format!(
            "select='{}',showinfo,scale={w}:{h}:flags=area",
            wanted.join("+")
        ),
        "-fps_mode".into(),
        "passthrough".into(),
        "-f".into(),
        "rawvideo".into(),
        "-pix_fmt".into(),
        "rgb24".into(),
        "pipe:1".into(),
    ] {
        list.push(arg.into());
    }
    let out = ff.run_ffmpeg(&list, time_limit(GRAB_LIMIT_S))?;
    let frame_bytes = (w * h * 3) as usize;
    let mut previews = Vec::new();
    for (n, pts) in showinfo_pts(&out.stderr).into_iter().enumerate() {
        let Some(bytes) = out.stdout.get(n * frame_bytes..(n + 1) * frame_bytes) else {
            break;
        };
        if let (Ok(index), Some(image)) = (
            table.pts.binary_search(&pts),
            RgbImage::from_raw(w, h, bytes.to_vec()),
        ) {
            previews.push((index, image));
        }
    }
    Ok(previews)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::Rational;

    #[test]
    fn samples_the_keyframes_nearest_the_fractions() {
        let csv: String = (0..1000)
            .map(|i| format!("{},0,{}\n", i * 512, if i % 250 == 0 { "K_" } else { "__" }))
            .collect();
        let table = FrameTable::from_packets(0, Rational { num: 1, den: 15360 }, 0, &csv);
        assert_eq!(sample_keyframes(&table), vec![0, 250, 500, 750]);
        let none = FrameTable::from_packets(0, Rational { num: 1, den: 15360 }, 0, "0,0,__\n");
        assert_eq!(sample_keyframes(&none), vec![0]);
    }
}
