//! A 12000×9000 (108-megapixel) image opens on the board without a panic, through tiles
//! within any GPU's texture limit, and the memory it costs stays under 600 MB.
//! Alone in its own test binary, so the process's memory is this test's.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used)]

mod util;

use egui_kittest::kittest::Queryable;
use geoproof::case::{Case, ImportOptions, ImportOutcome};
use geoproof::ui::BoardCommand;
use geoproof::ui::Command;

const W: u32 = 12_000;
const H: u32 = 9_000;

/// Writes a 12000×9000 RGB PNG one row at a time (a few kilobytes of memory).
fn write_large_png(path: &std::path::Path) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut encoder = png::Encoder::new(file, W, H);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fastest);
    let mut writer = encoder.write_header().unwrap();
    let mut stream = writer.stream_writer().unwrap();
    // Two rows, reused: a gradient crossed by white grid lines every 500 px.
    let plain: Vec<u8> = (0..W)
        .flat_map(|x| {
            let line = x % 500 < 4;
            [
                if line { 255 } else { (x / 47) as u8 },
                if line { 255 } else { 90 },
                (x & 0x3f) as u8,
            ]
        })
        .collect();
    let grid = vec![255u8; W as usize * 3];
    for y in 0..H {
        let row = if y % 500 < 4 { &grid } else { &plain };
        std::io::Write::write_all(&mut stream, row).unwrap();
    }
    stream.finish().unwrap();
}

/// (current, peak) resident memory of this process, bytes.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap()
            * 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[test]
fn a_108_megapixel_image_opens_in_tiles_within_600_mb() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("panorama.png");
    write_large_png(&png);
    let mut case = Case::create(&dir.path().join("c"), "large").unwrap();
    let ImportOutcome::Added(record) = case.import(&png, &ImportOptions::default()).unwrap() else {
        panic!("not added");
    };
    case.save().unwrap();
    assert_eq!((record.width, record.height), (W, H));

    let mut h = util::app::app_harness(Some(case), egui::vec2(1400.0, 860.0));
    h.run_steps(3);
    // Peak memory from here on is what the board's image costs.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let (baseline, _) = memory();
    h.state_mut()
        .app
        .as_mut()
        .unwrap()
        .state
        .push(Command::Board(BoardCommand::NewComparison(vec![
            record.sha256.clone(),
        ])));
    let started = std::time::Instant::now();
    let mut saw_progress = false;
    loop {
        h.run_steps(1);
        let app = h.state().app.as_ref().unwrap();
        if app.board_images.loading() {
            saw_progress |= h.query_by_label_contains("decoding").is_some()
                || h.query_by_label_contains("building levels").is_some();
        } else if app.board_images.texture_count() > 0 {
            break;
        }
        assert!(
            // Only a guard against a hang: a loaded CI machine can be many times slower.
            started.elapsed().as_secs() < 600,
            "decoding took over ten minutes"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(saw_progress, "a progress bar was shown while decoding");
    // Zoom to 1:1 somewhere in the middle: full-resolution tiles are uploaded.
    let t = h.state().app.as_ref().unwrap().state.board().transforms["P1"];
    let center = egui::pos2(t.origin[0] as f32, t.origin[1] as f32);
    h.hover_at(center);
    for _ in 0..6 {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, 300.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::default(),
        });
        h.run_steps(2);
    }
    h.run_steps(5);
    let app = h.state().app.as_ref().unwrap();
    assert!(
        app.state.board().transforms["P1"].zoom >= 1.0,
        "zoomed to full resolution"
    );
    let (_, peak) = memory();
    let cost = peak.saturating_sub(baseline);
    eprintln!(
        "12000x9000: decoded pyramid {} MB, {} tile textures, peak memory above baseline {} MB",
        app.board_images.cpu_bytes() / 1_000_000,
        app.board_images.texture_count(),
        cost / 1_000_000
    );
    assert!(
        cost < 600_000_000,
        "peak memory for the image: {} MB",
        cost / 1_000_000
    );
}
