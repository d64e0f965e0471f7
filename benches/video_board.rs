//! Video panel on the board (headless egui_kittest harness, real ffmpeg): median time
//! from a seek to that exact frame being drawn over 50 random seeks, one-frame steps
//! forward, and the frame cache of a 4K panel.
//!
//! `cargo bench --bench video_board` (release). Clips are made with ffmpeg first:
//! 1080p H.264 with a keyframe every second (phone footage) and every 250 frames
//! (x264's default), and a 4K clip for the cache.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command as Process;
use std::time::{Duration, Instant};

use egui::Key;
use geoproof::case::{Case, ImportOptions, ImportOutcome};
use geoproof::ui::BoardCommand;
use geoproof::ui::Command;

#[path = "../tests/util/app.rs"]
mod app;

fn clip(
    dir: &std::path::Path,
    name: &str,
    size: &str,
    seconds: u32,
    gop: u32,
) -> std::path::PathBuf {
    let out = dir.join(name);
    let status = Process::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("testsrc2=s={size}:r=30:d={seconds}"))
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

struct Board {
    h: egui_kittest::Harness<'static, app::Holder>,
    video: String,
}

fn board(dir: &std::path::Path, clip: &std::path::Path) -> Board {
    let mut case = Case::create(
        &dir.join(format!(
            "case-{}",
            clip.file_stem().unwrap().to_string_lossy()
        )),
        "bench",
    )
    .unwrap();
    let video = match case.import(clip, &ImportOptions::default()).unwrap() {
        ImportOutcome::Added(r) | ImportOutcome::Duplicate(r) => r.sha256,
    };
    case.save().unwrap();
    let mut h = app::app_harness_stepping(Some(case), egui::vec2(1400.0, 860.0), 1.0 / 60.0);
    h.run_steps(2);
    h.state_mut()
        .app
        .as_mut()
        .unwrap()
        .state
        .push(Command::Board(BoardCommand::NewComparison(vec![
            video.clone(),
        ])));
    let mut b = Board { h, video };
    wait(&mut b, 0);
    b
}

fn shown(b: &Board) -> Option<usize> {
    app::app(&b.h)
        .board_images
        .videos
        .get(&b.video)
        .and_then(|p| p.shown)
}

/// Steps the app until frame `index` is on screen; the time it took.
fn wait(b: &mut Board, index: usize) -> Duration {
    let start = Instant::now();
    loop {
        b.h.run_steps(1);
        if shown(b) == Some(index) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "frame {index} never shown"
        );
        std::thread::sleep(Duration::from_micros(500));
    }
}

fn seek(b: &mut Board, index: usize) {
    let app = b.h.state_mut().app.as_mut().unwrap();
    app.state.board_mut().video_seeks.insert("P1".into(), index);
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn measure_seeks(b: &mut Board, frames: usize, n: usize) -> Duration {
    // A fixed pseudo-random sequence, so runs compare.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut times = Vec::new();
    for _ in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let target = (x % frames as u64) as usize;
        seek(b, target);
        times.push(wait(b, target));
    }
    median(times)
}

fn measure_steps(b: &mut Board, from: usize, n: usize) -> Duration {
    seek(b, from);
    wait(b, from);
    let center = {
        let t = app::app(&b.h).state.board().transforms["P1"];
        egui::pos2(t.origin[0] as f32, t.origin[1] as f32)
    };
    b.h.hover_at(center);
    b.h.run_steps(1);
    let mut times = Vec::new();
    for k in 1..=n {
        // An analyst stepping through footage presses → a few times a second; between
        // presses the decoder reads ahead.
        let pause = Instant::now();
        while pause.elapsed() < Duration::from_millis(150) {
            b.h.run_steps(1);
            std::thread::sleep(Duration::from_millis(5));
        }
        b.h.key_press(Key::ArrowRight);
        times.push(wait(b, from + k));
    }
    median(times)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    println!("making clips …");
    let phone = clip(dir.path(), "phone-1080p.mp4", "1920x1080", 30, 30);
    let long_gop = clip(dir.path(), "gop250-1080p.mp4", "1920x1080", 30, 250);
    let uhd = clip(dir.path(), "uhd.mp4", "3840x2160", 4, 30);

    for (name, path) in [
        ("1080p, keyframe every 1 s", &phone),
        ("1080p, keyframe every 250 frames", &long_gop),
    ] {
        let mut b = board(dir.path(), path);
        let seeks = measure_seeks(&mut b, 900, 50);
        let steps = measure_steps(&mut b, 100, 30);
        let idle = {
            let start = Instant::now();
            b.h.run_steps(30);
            start.elapsed() / 30
        };
        println!(
            "{name}: seek → frame drawn, median of 50: {seeks:.0?}; one-frame step: median \
             of 30: {steps:.1?} (an idle app frame in this harness: {idle:.1?})"
        );
    }
    let mut b = board(dir.path(), &uhd);
    let _ = measure_steps(&mut b, 0, 60);
    let _ = measure_seeks(&mut b, 120, 20);
    let bytes = app::app(&b.h).board_images.videos.cache_bytes();
    println!(
        "4K panel after 80 frames: frame cache {} MB (budget {} MB)",
        bytes / 1_000_000,
        geoproof::ui::VIDEO_FRAME_CACHE_BYTES / 1_000_000
    );
}
