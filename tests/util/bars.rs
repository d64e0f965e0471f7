//! Clips whose frames show their own index, made with ffmpeg, and the index read back:
//! the video tests check each frame geoproof returns against ffmpeg's accurate seek.
//! A frame is 16 vertical bars of 20 px, bar i white when bit i of its index is set.

use std::path::Path;
use std::process::Command;

pub const W: u32 = 320;
pub const H: u32 = 240;
/// The filter that paints a frame's index as its bars.
pub const BARS: &str = "format=gray,geq=lum='255*mod(floor(N/pow(2\\,floor(X/20)))\\,2)'";

/// Runs ffmpeg quietly, overwriting its output; fails the test with ffmpeg's words.
pub fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is needed for the video tests (Debian/Ubuntu: apt install ffmpeg)");
    assert!(
        out.status.success(),
        "ffmpeg {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The index shown by an upright W × H grey frame, row by row.
pub fn index_of_grey(pixels: &[u8]) -> u32 {
    (0..16)
        .filter(|i| pixels[((H / 2) * W + i * 20 + 10) as usize] > 128)
        .map(|i| 1 << i)
        .sum()
}

pub fn index_of(image: &image::GrayImage) -> u32 {
    assert_eq!(image.dimensions(), (W, H));
    index_of_grey(image.as_raw())
}

/// The index ffmpeg's own accurate seek returns for `time` (the reference), read from
/// its raw output.
pub fn ffmpeg_cli_index(clip: &Path, time: &str) -> u32 {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", time, "-i"])
        .arg(clip)
        .args(["-fps_mode", "passthrough", "-frames:v", "1"])
        .args(["-f", "rawvideo", "-pix_fmt", "gray", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.stdout.len() >= (W * H) as usize,
        "ffmpeg returned no frame at {time} of {}",
        clip.display()
    );
    index_of_grey(&out.stdout)
}
