//! The decoder that stays open (`video::PacketDecoder`) on 1080p H.264, against ffmpeg's
//! own CLI measured beside it, alternating in one run (the machine's speed drifts):
//!
//! - seek → exact frame, keyframe every second: median over 50 random seeks;
//! - keyframe every 250 frames: seek → exact frame vs `ffmpeg -ss T -i clip -frames:v 1`
//!   (rawvideo RGBA to a pipe: ffmpeg decoding from the keyframe to the frame);
//! - keyframe preview (the keyframe of another group, as shown while dragging);
//! - one-frame step forward;
//! - `geoproof frames CASE VIDEO --at` ×10 in one call vs ten
//!   `ffmpeg -ss T -i clip -frames:v 1 out.png` calls, each round on a fresh case, the
//!   two alternating; the ratio is the median of the rounds' ratios (the binary cargo
//!   builds for the bench, or GP_GEOPROOF=path; GP_BENCH_ROUNDS, default 9).
//!
//! `cargo bench --no-default-features --bench video_decoder` (or build it and run the
//! binary); `GP_BENCH_ONLY=frames` runs only the `frames --at` part. Clips are made
//! with ffmpeg first (GP_BENCH_CLIPS=DIR keeps them).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use geoproof::case::{Case, ImportOptions, ImportOutcome, OpenVideo};
use geoproof::video::PacketDecoder;

fn clip(dir: &Path, name: &str, gop: u32) -> PathBuf {
    let out = dir.join(name);
    if out.exists() {
        return out;
    }
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
        .arg("testsrc2=s=1920x1080:r=30:d=30")
        .args([
            "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-pix_fmt", "yuv420p",
        ])
        .args(["-g", &gop.to_string()])
        .arg(&out)
        .status()
        .expect("ffmpeg");
    assert!(status.success());
    out
}

fn open(dir: &Path, clip: &Path) -> (PathBuf, String, OpenVideo) {
    let root = dir.join(format!(
        "case-{}",
        clip.file_stem().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&root);
    let mut case = Case::create(&root, "bench").unwrap();
    let id = match case.import(clip, &ImportOptions::default()).unwrap() {
        ImportOutcome::Added(r) | ImportOutcome::Duplicate(r) => r.sha256,
    };
    case.save().unwrap();
    let video = case.open_video(&id).unwrap();
    (root, id, video)
}

fn decoder(v: &OpenVideo) -> PacketDecoder {
    PacketDecoder::open(v.ffmpeg, &v.path, &v.table, v.size(), 0).unwrap()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A fixed pseudo-random sequence, so runs compare.
fn targets(n: usize, frames: usize) -> Vec<usize> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % frames as u64) as usize
        })
        .collect()
}

fn time_s(us: i64) -> String {
    format!("{}.{:06}", us / 1_000_000, us % 1_000_000)
}

fn ffmpeg_grab(clip: &Path, us: i64, out: Option<&Path>) {
    let mut cmd = Command::new("ffmpeg");
    cmd.args([
        "-hide_banner",
        "-v",
        "error",
        "-y",
        "-ss",
        &time_s(us),
        "-i",
    ])
    .arg(clip)
    .args(["-frames:v", "1"]);
    match out {
        Some(png) => cmd.arg(png),
        None => cmd.args(["-f", "rawvideo", "-pix_fmt", "rgba", "pipe:1"]),
    };
    let o = cmd.output().unwrap();
    assert!(o.status.success());
}

fn main() {
    let dir = std::env::var_os("GP_BENCH_CLIPS")
        .map(PathBuf::from)
        .unwrap_or_else(|| tempfile::tempdir().unwrap().keep());
    std::fs::create_dir_all(&dir).unwrap();
    let short_gop = clip(&dir, "gop30.mp4", 30);
    if std::env::var("GP_BENCH_ONLY").as_deref() == Ok("frames") {
        frames_at(&dir, &short_gop);
        return;
    }
    let long_gop = clip(&dir, "gop250.mp4", 250);

    // Keyframe every second: seek → exact frame, keyframe preview, step.
    let (_, _, v) = open(&dir, &short_gop);
    let mut d = decoder(&v);
    d.frame(0, 0, &mut |_, _| {}).unwrap();
    let (mut seeks, mut previews, mut steps) = (Vec::new(), Vec::new(), Vec::new());
    for t in targets(50, v.table.frame_count() - 2) {
        let start = Instant::now();
        d.frame(t, 0, &mut |_, _| {}).unwrap();
        seeks.push(start.elapsed());
        // A step as the board makes it: the frame after, asked with 8 ahead (the
        // board's read-ahead), then the next step served by what came out.
        let mut ahead = std::collections::HashSet::new();
        d.frame(t + 1, 8, &mut |i, _| {
            ahead.insert(i);
        })
        .unwrap();
        d.read_ahead(
            &mut |i, _| {
                ahead.insert(i);
            },
            &|| true,
        )
        .unwrap();
        let start = Instant::now();
        if !ahead.contains(&(t + 2)) {
            d.frame(t + 2, 0, &mut |_, _| {}).unwrap();
        }
        steps.push(start.elapsed());
        // The keyframe of a group far away, as the drag shows it.
        let other = (t + v.table.frame_count() / 2) % v.table.frame_count();
        let key = v.table.keyframe_before(other).unwrap();
        let start = Instant::now();
        d.frame(key, 0, &mut |_, _| {}).unwrap();
        previews.push(start.elapsed());
    }
    println!(
        "keyframe every 1 s: seek → exact frame median {:.1} ms, keyframe preview {:.1} ms, \
         one-frame step {:.1} ms",
        ms(median(seeks)),
        ms(median(previews)),
        ms(median(steps))
    );

    // Keyframe every 250 frames: seek vs ffmpeg -ss, alternating.
    let (_, _, v) = open(&dir, &long_gop);
    let mut d = decoder(&v);
    d.frame(0, 0, &mut |_, _| {}).unwrap();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for t in targets(20, v.table.frame_count() - 1) {
        let start = Instant::now();
        d.frame(t, 0, &mut |_, _| {}).unwrap();
        ours.push(start.elapsed());
        let start = Instant::now();
        ffmpeg_grab(&long_gop, v.table.seek_us(t), None);
        theirs.push(start.elapsed());
    }
    let (o, t) = (median(ours), median(theirs));
    println!(
        "keyframe every 250 frames: seek → exact frame median {:.1} ms, ffmpeg -ss {:.1} ms, \
         ratio {:.2}",
        ms(o),
        ms(t),
        o.as_secs_f64() / t.as_secs_f64()
    );

    frames_at(&dir, &short_gop);
}

/// `geoproof frames CASE VIDEO --at` ×10 in one call vs ten `ffmpeg -ss T -i clip
/// -frames:v 1 out.png` calls: each round on a fresh case made outside the timing, the
/// two alternating which goes first; the ratio is the median of the rounds' ratios.
fn frames_at(dir: &Path, clip: &Path) {
    let geoproof = std::env::var_os("GP_GEOPROOF")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_geoproof")));
    if !geoproof.exists() {
        println!("frames --at: {} not built, skipped", geoproof.display());
        return;
    }
    let rounds: usize = std::env::var("GP_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(9);
    let (_, _, v) = open(dir, clip);
    let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let times: Vec<i64> = targets(10 + round, v.table.frame_count() - 1)[round..]
            .iter()
            .map(|&i| v.table.seek_us(i))
            .collect();
        let (root, id, _) = open(dir, clip);
        let mut cmd = Command::new(&geoproof);
        cmd.arg("frames").arg(&root).arg(&id[..12]);
        for t in &times {
            cmd.args(["--at", &time_s(*t)]);
        }
        let mut run_ours = || {
            let start = Instant::now();
            let o = cmd.output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            start.elapsed()
        };
        let run_theirs = || {
            let start = Instant::now();
            for (n, t) in times.iter().enumerate() {
                ffmpeg_grab(clip, *t, Some(&dir.join(format!("out{n}.png"))));
            }
            start.elapsed()
        };
        let (o, t) = if round % 2 == 0 {
            let o = run_ours();
            (o, run_theirs())
        } else {
            let t = run_theirs();
            (run_ours(), t)
        };
        ours.push(o);
        theirs.push(t);
        ratios.push(o.as_secs_f64() / t.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "frames --at ×10: {:.0} ms, 10 × ffmpeg -ss … out.png {:.0} ms (medians of {rounds} \
         rounds), ratio {:.2} (median of the rounds' ratios; range {:.2}–{:.2}); {}",
        ms(median(ours)),
        ms(median(theirs)),
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1],
        load_average()
    );
}

/// `load average: …` of this machine, for the record beside a figure.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "load average unknown".into(),
        |l| {
            let parts: Vec<&str> = l.split_whitespace().take(3).collect();
            format!("load average {}", parts.join(", "))
        },
    )
}
