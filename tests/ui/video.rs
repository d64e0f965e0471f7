//! A video panel on the board driven like a user would (egui_kittest, real ffmpeg):
//! it shows the exact frame, steps, jumps, plays, scrubs, grabs a frame as evidence and
//! binds an annotation to the frame it was drawn on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;

use std::process::Command as Process;
use std::time::{Duration, Instant};

use egui::{Key, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use geoproof::case::{Case, ImportOptions, ImportOutcome};
use geoproof::ui::{BoardCommand, ShellCommand};
use geoproof::ui::{Command, Workspace};

use util::app::{Holder, app, app_harness_stepping, push, run_until};

const W: u32 = 320;
const H: u32 = 240;

/// A 4 s clip at 30 fps whose frames show their own index as 16 bars.
fn bars_clip(dir: &std::path::Path) -> std::path::PathBuf {
    let out = dir.join("bars.mp4");
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
        .arg(format!(
            "color=black:s={W}x{H}:r=30:d=4,format=gray,\
             geq=lum='255*mod(floor(N/pow(2\\,floor(X/20)))\\,2)',format=yuv420p"
        ))
        .args(["-c:v", "libx264", "-bf", "3", "-g", "40"])
        .arg(&out)
        .status()
        .expect("ffmpeg is needed for the video tests (apt install ffmpeg)");
    assert!(status.success());
    out
}

fn index_of(image: &image::RgbaImage) -> u32 {
    (0..16)
        .filter(|i| image.get_pixel(i * 20 + 10, H / 2)[0] > 128)
        .map(|i| 1 << i)
        .sum()
}

struct Board {
    _dir: tempfile::TempDir,
    h: Harness<'static, Holder>,
    video: String,
    root: std::path::PathBuf,
}

fn open_video_board() -> Board {
    let dir = tempfile::tempdir().unwrap();
    let clip = bars_clip(dir.path());
    let mut board = board_with(dir, &clip);
    wait_for_frame(&mut board, 0);
    board
}

/// A case holding `clip` (made in `dir`), opened on the board as a comparison of it.
fn board_with(dir: tempfile::TempDir, clip: &std::path::Path) -> Board {
    let root = dir.path().join("c");
    let mut case = Case::create(&root, "video board").unwrap();
    let video = match case.import(clip, &ImportOptions::default()).unwrap() {
        ImportOutcome::Added(r) | ImportOutcome::Duplicate(r) => r.sha256,
    };
    case.save().unwrap();
    let mut h = app_harness_stepping(Some(case), egui::vec2(1400.0, 860.0), 1.0 / 60.0);
    h.run_steps(2);
    h.state_mut()
        .app
        .as_mut()
        .unwrap()
        .state
        .push(Command::Board(BoardCommand::NewComparison(vec![
            video.clone(),
        ])));
    h.run_steps(2);
    Board {
        _dir: dir,
        h,
        video,
        root,
    }
}

fn shown(b: &Board) -> (Option<usize>, usize, Option<u32>) {
    let player = app(&b.h).board_images.videos.get(&b.video).unwrap();
    (
        player.shown,
        player.current,
        player.shown_image().map(|i| index_of(&i)),
    )
}

/// Steps the app until frame `index` is on screen; returns how long that took.
fn wait_for_frame(b: &mut Board, index: usize) -> Duration {
    let start = Instant::now();
    let video = b.video.clone();
    run_until(
        &mut b.h,
        &format!("showing frame {index}"),
        Duration::from_secs(30),
        |h| {
            app(h)
                .board_images
                .videos
                .get(&video)
                .is_some_and(|p| p.shown == Some(index))
        },
    );
    let (_, _, pixels) = shown(b);
    assert_eq!(
        pixels,
        Some(index as u32),
        "the frame on screen is frame {index}"
    );
    start.elapsed()
}

fn panel_center(b: &Board) -> Pos2 {
    let t = app(&b.h).state.board().transforms["P1"];
    egui::pos2(t.origin[0] as f32, t.origin[1] as f32)
}

fn press(h: &mut Harness<'static, Holder>, pos: Pos2, pressed: bool) {
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: Modifiers::default(),
    });
}

#[test]
fn step_jump_play_scrub_grab_and_a_frame_bound_annotation() {
    let mut b = open_video_board();
    assert_eq!(app(&b.h).state.shell().workspace, Workspace::Board);
    let center = panel_center(&b);
    b.h.hover_at(center);
    b.h.run_steps(1);
    // One frame forward and back, one second forward (from frame 1 at 0.033 s → 1.033 s).
    b.h.key_press(Key::ArrowRight);
    wait_for_frame(&mut b, 1);
    b.h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowRight);
    wait_for_frame(&mut b, 31);
    b.h.key_press(Key::ArrowLeft);
    wait_for_frame(&mut b, 30);
    b.h.get_by_label_contains("00:00:01.000  frame 30");

    // Play for 0.6 s of egui's time (36 frames of 1/60 s), then pause.
    b.h.key_press(Key::Space);
    b.h.run_steps(36);
    b.h.key_press(Key::Space);
    b.h.run_steps(2);
    let (_, current, _) = shown(&b);
    assert!(current > 36, "playing moved on: frame {current}");
    wait_for_frame(&mut b, current);

    // Scrub: a click in the middle of the bar lands on the middle of the clip.
    let bar = b.h.get_by_label("Scrub bar").rect();
    let middle = bar.center();
    b.h.hover_at(middle);
    b.h.run_steps(1);
    press(&mut b.h, middle, true);
    b.h.run_steps(1);
    press(&mut b.h, middle, false);
    b.h.run_steps(1);
    let (_, scrubbed, _) = shown(&b);
    assert!(
        (58..=61).contains(&scrubbed),
        "middle of 120 frames: {scrubbed}"
    );
    wait_for_frame(&mut b, scrubbed);
    let current = scrubbed;

    // Grab the frame on screen (Ctrl+G) and find it in the case with its provenance.
    b.h.hover_at(center);
    b.h.run_steps(1);
    b.h.key_press_modifiers(Modifiers::COMMAND, Key::G);
    let mut grabbed = None;
    run_until(
        &mut b.h,
        "grabbing the frame",
        Duration::from_secs(30),
        |h| {
            let case = app(h).state.case().unwrap();
            grabbed = case.evidence().find(|r| r.derived_from.is_some()).cloned();
            grabbed.is_some()
        },
    );
    let grabbed = grabbed.expect("a grab arrived");
    let d = grabbed.derived_from.unwrap();
    assert_eq!(d.frame_index as usize, current);
    assert_eq!(d.sha256, b.video);
    let png = image::open(b.root.join(&grabbed.file)).unwrap().to_rgba8();
    assert_eq!(
        index_of(&png),
        current as u32,
        "the grab is the frame on screen"
    );

    // Draw a rectangle on this frame: it belongs to the frame.
    b.h.key_press(Key::R);
    b.h.hover_at(center);
    b.h.run_steps(1);
    press(&mut b.h, center, true);
    b.h.run_steps(1);
    for i in 1..=6 {
        b.h.hover_at(center + egui::vec2(8.0 * i as f32, 6.0 * i as f32));
        b.h.run_steps(1);
    }
    press(&mut b.h, center + egui::vec2(48.0, 36.0), false);
    b.h.run_steps(3);
    let finding = app(&b.h).state.board().working.clone().unwrap();
    let a = finding.annotations.last().expect("annotation drawn");
    let frame = a.frame.expect("bound to its frame");
    assert_eq!(frame.index as usize, current);
    assert!(a.shows_on(Some(current as u64)) && !a.shows_on(Some(current as u64 + 1)));

    // Step away, then jump back from the inspector's list.
    b.h.key_press(Key::V);
    b.h.hover_at(center);
    b.h.key_press(Key::ArrowRight);
    wait_for_frame(&mut b, current + 1);
    b.h.get_by_label(&format!(
        "Go to frame {current} ({})",
        geoproof::video::format_timecode((frame.time_s * 1e6).round() as i64)
    ))
    .click();
    b.h.run_steps(1);
    wait_for_frame(&mut b, current);
}

/// Dragging the scrub bar shows the keyframe before the frame under the pointer at once
/// (decoded from its own group by the decoder that stays open), and the exact frame
/// when the drag stops.
#[test]
fn dragging_the_scrub_bar_shows_a_keyframe_then_the_exact_frame() {
    let mut b = open_video_board();
    let bar = b.h.get_by_label("Scrub bar").rect();
    let start = bar.left_center() + egui::vec2(2.0, 0.0);
    let end = bar.lerp_inside(egui::vec2(0.74, 0.5));
    b.h.hover_at(start);
    b.h.run_steps(1);
    press(&mut b.h, start, true);
    b.h.run_steps(1);
    for i in 1..=8 {
        b.h.hover_at(start.lerp(end, i as f32 / 8.0));
        b.h.run_steps(1);
    }
    let video = b.video.clone();
    let player = |h: &Harness<'static, Holder>| {
        let p = app(h).board_images.videos.get(&video).unwrap();
        (
            p.current,
            p.shown,
            p.dragging,
            p.shown_image().map(|i| index_of(&i)),
        )
    };
    let (target, _, dragging, _) = player(&b.h);
    assert!(dragging, "the bar is being dragged");
    let key = app(&b.h)
        .board_images
        .videos
        .get(&video)
        .unwrap()
        .video()
        .unwrap()
        .table
        .keyframe_before(target)
        .unwrap();
    assert!(
        key < target && (85..=90).contains(&target),
        "target {target}, keyframe {key}"
    );
    run_until(
        &mut b.h,
        "a keyframe while dragging",
        Duration::from_secs(30),
        |h| player(h).1 == Some(key),
    );
    let (current, shown, dragging, pixels) = player(&b.h);
    assert!(
        dragging && current == target,
        "still dragging at frame {target}"
    );
    assert_eq!(
        (shown, pixels),
        (Some(key), Some(key as u32)),
        "the keyframe stands in while dragging"
    );
    press(&mut b.h, end, false);
    b.h.run_steps(1);
    wait_for_frame(&mut b, target);
    assert!(!player(&b.h).2, "the drag has stopped");
}

#[test]
fn seeks_and_steps_are_quick_and_the_cache_stays_in_budget() {
    let mut b = open_video_board();
    let center = panel_center(&b);
    b.h.hover_at(center);
    b.h.run_steps(1);
    let mut steps = Vec::new();
    for k in 1..=10 {
        b.h.key_press(Key::ArrowRight);
        steps.push(wait_for_frame(&mut b, k));
    }
    steps.sort();
    eprintln!("step forward: median {:?}", steps[steps.len() / 2]);
    assert!(
        app(&b.h).board_images.videos.cache_bytes() <= geoproof::ui::VIDEO_FRAME_CACHE_BYTES,
        "frame cache over budget"
    );
}

#[test]
fn scene_changes_are_found_in_the_background_and_line_the_scrub_bar() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("cuts.mp4");
    let status = Process::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=1"])
        .args(["-f", "lavfi", "-i", "smptebars=s=320x240:r=30:d=1"])
        .args([
            "-f",
            "lavfi",
            "-i",
            "mandelbrot=s=320x240:r=30,trim=duration=1",
        ])
        .args([
            "-filter_complex",
            "[0:v][1:v][2:v]concat=n=3:v=1,format=yuv420p",
        ])
        .args(["-c:v", "libx264"])
        .arg(&clip)
        .status()
        .unwrap();
    assert!(status.success());
    // (`_case` keeps the case folder for the test's length.)
    let Board {
        _dir: _case,
        mut h,
        video,
        ..
    } = board_with(dir, &clip);
    let mut scenes = None;
    run_until(&mut h, "the scene analysis", Duration::from_secs(60), |h| {
        let app = app(h);
        let recorded = app
            .state
            .case()
            .and_then(|c| c.find_evidence(&video).ok())
            .and_then(|r| r.video.as_ref())
            .and_then(|v| v.analysis.as_ref())
            .map(|a| a.scenes.iter().map(|s| s.frame_index).collect::<Vec<_>>());
        let thumbs = app
            .board_images
            .videos
            .get(&video)
            .map_or(0, |p| p.scene_thumbs.len());
        scenes = recorded.filter(|_| thumbs == 3);
        scenes.is_some()
    });
    assert_eq!(
        scenes,
        Some(vec![30, 60]),
        "the two cuts, recorded in the case"
    );
    // A click on the last thumbnail goes to the second cut.
    let thumbs: Vec<_> = h.query_all_by_label_contains("Scene at frame").collect();
    assert!(!thumbs.is_empty());
    h.get_by_label("Scene at frame 60").click();
    run_until(
        &mut h,
        "going to the second cut",
        Duration::from_secs(30),
        |h| app(h).board_images.videos.get(&video).unwrap().shown == Some(60),
    );
}

/// A grab that finishes while the map is shown is recorded at once, without the board
/// being drawn: the app collects background results at the top of every frame
/// (`ui::jobs`), not in the board's drawing code.
#[test]
fn a_grab_finishing_while_the_map_is_shown_is_recorded_without_drawing_the_board() {
    let mut b = open_video_board();
    let center = panel_center(&b);
    b.h.hover_at(center);
    b.h.run_steps(1);
    // One frame: the board starts the grab, then the map replaces the board. A result is
    // handed over only at the top of a frame, so it cannot arrive before the switch.
    // (`key_press` would take two frames, one for the key going down, one for it going
    // up; here the key goes down alone.)
    let key = |pressed| egui::Event::Key {
        key: Key::G,
        physical_key: None,
        pressed,
        repeat: false,
        modifiers: Modifiers::COMMAND,
    };
    b.h.event(key(true));
    push(
        &mut b.h,
        Command::Shell(ShellCommand::SetWorkspace(Workspace::Map)),
    );
    b.h.run_steps(1);
    {
        let app = b.h.state_mut().app.as_mut().unwrap();
        assert_eq!(app.state.shell().workspace, Workspace::Map);
        assert!(
            app.board_images.videos.get(&b.video).unwrap().grabbing(),
            "the grab is running"
        );
        // Forget the board's last drawing: it comes back only if the board is drawn.
        app.state.board_mut().transforms.clear();
    }
    b.h.event(key(false));
    let mut grabbed = None;
    run_until(
        &mut b.h,
        "grabbing on the map",
        Duration::from_secs(30),
        |h| {
            assert_eq!(app(h).state.shell().workspace, Workspace::Map);
            let case = app(h).state.case().unwrap();
            grabbed = case.evidence().find(|r| r.derived_from.is_some()).cloned();
            grabbed.is_some()
        },
    );
    let grabbed = grabbed.expect("the grab arrived");
    assert!(
        app(&b.h).state.board().transforms.is_empty(),
        "the board was not drawn"
    );
    assert!(
        !app(&b.h)
            .board_images
            .videos
            .get(&b.video)
            .unwrap()
            .grabbing(),
        "the grab was collected once"
    );
    let d = grabbed.derived_from.unwrap();
    assert_eq!((d.frame_index, d.sha256.as_str()), (0, b.video.as_str()));
    let png = image::open(b.root.join(&grabbed.file)).unwrap().to_rgba8();
    assert_eq!(
        index_of(&png),
        0,
        "the grab is the frame that was on screen"
    );
}
