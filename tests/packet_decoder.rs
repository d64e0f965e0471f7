//! The decoder that stays open (`video::PacketDecoder`) against ffmpeg's own accurate
//! seek: the frame it returns for a time is, pixel for pixel, what
//! `ffmpeg -ss T -i clip -frames:v 1` returns, whether it seeks forward, back, steps,
//! reads on or reaches the last frame; clips it cannot take are refused with a reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use geoproof::case::{Case, ImportOptions, ImportOutcome, OpenVideo};
use geoproof::video::{PacketDecoder, format_timecode};

const W: u32 = 320;
const H: u32 = 240;

/// A 6 s clip at 30 fps whose frames show their index as 16 bars over moving noise.
fn clip(dir: &Path, name: &str, encoder: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!(
            "testsrc2=s={W}x{H}:r=30:d=6,format=gray,\
             geq=lum='if(lt(Y\\,40)\\,255*mod(floor(N/pow(2\\,floor(X/20)))\\,2)\\,p(X\\,Y))',\
             format=yuv420p"
        ))
        .args(encoder)
        .arg(&out)
        .status()
        .expect("ffmpeg is needed for the video tests (apt install ffmpeg)");
    assert!(status.success());
    out
}

fn open(dir: &Path, clip: &Path) -> (Case, OpenVideo) {
    let mut case = Case::create(
        &dir.join(format!(
            "case-{}",
            clip.file_name().unwrap().to_string_lossy()
        )),
        "t",
    )
    .unwrap();
    let id = match case.import(clip, &ImportOptions::default()).unwrap() {
        ImportOutcome::Added(r) | ImportOutcome::Duplicate(r) => r.sha256,
    };
    let video = case.open_video(&id).unwrap();
    (case, video)
}

fn index_of(pixels: &[u8]) -> u32 {
    (0..16)
        .filter(|i| pixels[((20 * H as usize / 240) * W as usize + i * 20 + 10) * 4] > 128)
        .map(|i| 1 << i)
        .sum()
}

/// `ffmpeg -ss T -i clip -frames:v 1` as RGBA bytes.
fn ffmpeg_at(clip: &Path, time_us: i64) -> Vec<u8> {
    let t = format!("{}.{:06}", time_us / 1_000_000, time_us % 1_000_000);
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-ss", &t, "-i"])
        .arg(clip)
        .args([
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgba",
            "pipe:1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

#[test]
fn frames_match_ffmpeg_accurate_seek_pixel_for_pixel() {
    let dir = tempfile::tempdir().unwrap();
    for (name, encoder) in [
        (
            "bframes.mp4",
            &["-c:v", "libx264", "-bf", "3", "-g", "40"][..],
        ),
        (
            "gop250.mp4",
            &[
                "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "250",
            ],
        ),
        (
            "noref.mp4",
            &["-c:v", "libx264", "-bf", "0", "-g", "25", "-threads", "1"],
        ),
    ] {
        let path = clip(dir.path(), name, encoder);
        let (_case, video) = open(dir.path(), &path);
        let mut decoder =
            PacketDecoder::open(video.ffmpeg, &video.path, &video.table, video.size(), 0)
                .unwrap_or_else(|e| panic!("{name}: refused: {e}"));
        let last = video.table.frame_count() - 1;
        // Forward, back, a step, reading on, a far jump, the last frame, the first.
        let mut others = 0;
        for index in [37, 12, 13, 14, 20, 95, 94, 150, last, 0, 1, last - 1, 41] {
            let pixels = decoder
                .frame(index, 0, &mut |_, _| others += 1)
                .unwrap_or_else(|e| panic!("{name} frame {index}: {e}"));
            assert_eq!(index_of(&pixels), index as u32, "{name}: frame {index}");
            let time = video.table.seek_us(index);
            assert_eq!(video.table.frame_at(time), Some(index));
            let reference = ffmpeg_at(&path, time);
            assert!(
                pixels == reference,
                "{name}: frame {index} at {} differs from ffmpeg -ss",
                format_timecode(time)
            );
        }
    }
}

#[test]
fn frames_asked_ahead_come_out_exact_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = clip(
        dir.path(),
        "ahead.mp4",
        &["-c:v", "libx264", "-bf", "3", "-g", "30"],
    );
    let (_case, video) = open(dir.path(), &path);
    let mut decoder =
        PacketDecoder::open(video.ffmpeg, &video.path, &video.table, video.size(), 0).unwrap();
    let mut seen = Vec::new();
    let first = decoder
        .frame(50, 8, &mut |i, px| seen.push((i, index_of(&px))))
        .unwrap();
    assert_eq!(index_of(&first), 50);
    decoder
        .read_ahead(&mut |i, px| seen.push((i, index_of(&px))), &|| true)
        .unwrap();
    let indices: Vec<usize> = seen.iter().map(|(i, _)| *i).collect();
    assert_eq!(
        indices,
        (51..=58).collect::<Vec<_>>(),
        "the frames asked ahead"
    );
    assert!(seen.iter().all(|(i, shown)| *i as u32 == *shown));
}

#[test]
fn clips_it_cannot_take_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mkv = clip(dir.path(), "c.mkv", &["-c:v", "libx264"]);
    let (_c1, video) = open(dir.path(), &mkv);
    let refused = PacketDecoder::open(video.ffmpeg, &video.path, &video.table, video.size(), 0)
        .err()
        .expect("a Matroska file is refused");
    assert!(refused.to_string().contains("MP4"), "{refused}");
    let vp9 = clip(
        dir.path(),
        "v.mp4",
        &["-c:v", "libvpx-vp9", "-deadline", "realtime"],
    );
    let (_c2, video) = open(dir.path(), &vp9);
    let refused = PacketDecoder::open(video.ffmpeg, &video.path, &video.table, video.size(), 0)
        .err()
        .expect("VP9 is refused");
    assert!(refused.to_string().contains("H.264"), "{refused}");
    let rotated = PacketDecoder::open(video.ffmpeg, &video.path, &video.table, video.size(), 90)
        .err()
        .expect("a rotated clip is refused");
    assert!(rotated.to_string().contains("rotated"), "{rotated}");
}
