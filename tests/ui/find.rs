//! Find in case on the board (#35), driven like a user would with egui_kittest: a region
//! drawn on the rocket photo is searched for in a case of public photos (distractors
//! that share nothing with it, and a warped copy made here); the copy comes first, opens
//! beside the query with the matcher's proposals, and a link accepted from them records
//! the search, which the methods report names. A tiny region is refused in the domain's
//! words, and an import refreshes an existing index in the background.
#![allow(clippy::unwrap_used)]

use crate::util;

use std::time::Duration;

use egui::{Key, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use geoproof::case::{Case, ImportOptions, ImportOutcome};
use geoproof::ui::Command;
use geoproof::ui::{BoardCommand, ImportCommand};
use imageproc::geometric_transformations::{Border, Interpolation, Projection, warp};
use util::app::{Holder, app, app_harness, drag, push, run_until};

/// The region searched for in rocket-gps.jpg (640x427): the rocket's top half and the
/// service tower right of it.
const REGION: [f64; 4] = [250.0, 160.0, 450.0, 328.0];

fn sha_of(outcome: ImportOutcome) -> String {
    match outcome {
        ImportOutcome::Added(r) | ImportOutcome::Duplicate(r) => r.sha256,
    }
}

/// The rocket, its warped copy (scale 1.15, turned 5°, shifted) and four unrelated
/// photos. Returns the folder, the case, the rocket's and the copy's ids.
fn search_case() -> (tempfile::TempDir, Case, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let rocket = image::open(util::data("rocket-gps.jpg")).unwrap().to_rgb8();
    let h = Projection::translate(-40.0, -20.0)
        * Projection::rotate(5f32.to_radians())
        * Projection::scale(1.15, 1.15);
    let warped = warp(
        &rocket,
        h,
        Interpolation::Bilinear,
        Border::Constant(image::Rgb([0, 0, 0])),
    );
    let partner = dir.path().join("partner-warped.jpg");
    warped.save(&partner).unwrap();
    let mut case = Case::create(&dir.path().join("c"), "find in case").unwrap();
    let options = ImportOptions::default();
    let mut add = |path: std::path::PathBuf| sha_of(case.import(&path, &options).unwrap());
    let query = add(util::data("rocket-gps.jpg"));
    for name in ["coffee-no-gps.jpg", "astronaut-south-magnetic.jpg"] {
        add(util::data(name));
    }
    for name in ["camera.png", "chelsea.png"] {
        add(util::data("search").join(name));
    }
    let partner = add(partner);
    case.save().unwrap();
    (dir, case, query, partner)
}

fn board_of(case: Case, evidence: &str) -> Harness<'static, Holder> {
    // Tall enough that the inspector's sections are on screen without scrolling.
    let mut h = app_harness(Some(case), egui::vec2(1400.0, 2200.0));
    h.run_steps(2);
    push(
        &mut h,
        Command::Board(BoardCommand::NewComparison(vec![evidence.to_owned()])),
    );
    h.run_steps(2);
    run_until(&mut h, "decoding the photo", Duration::from_secs(30), |h| {
        !app(h).board_images.loading() && app(h).board_images.texture_count() > 0
    });
    h
}

fn screen(h: &Harness<'_, Holder>, panel: &str, p: [f64; 2]) -> Pos2 {
    let s = app(h).state.board().transforms[panel].to_screen(p);
    egui::pos2(s[0] as f32, s[1] as f32)
}

/// Draws a rectangle over `r` (x0, y0, x1, y1 in image pixels) on `panel`; it is
/// selected once drawn.
fn draw_region(h: &mut Harness<'static, Holder>, panel: &str, r: [f64; 4]) -> String {
    h.key_press(Key::R);
    h.run_steps(1);
    let (from, to) = (
        screen(h, panel, [r[0], r[1]]),
        screen(h, panel, [r[2], r[3]]),
    );
    drag(h, from, to);
    h.run_steps(1);
    app(h)
        .state
        .board()
        .selected
        .clone()
        .expect("the new rectangle is selected")
}

fn wait_for_search(h: &mut Harness<'static, Holder>) {
    run_until(h, "indexing and searching", Duration::from_secs(240), |h| {
        let find = &app(h).state.board().find;
        find.search_job.is_none() && find.index_job.is_none() && find.pending.is_none()
    });
    // The results strip takes its height in the frame after it first shows.
    h.run_steps(2);
}

#[test]
fn a_region_is_found_in_the_case_opened_beside_the_query_and_its_link_names_the_search() {
    let (dir, case, query, partner) = search_case();
    let mut h = board_of(case, &query);
    let id = app(&h).state.board().finding.clone().unwrap();
    let drawn = draw_region(&mut h, "P1", REGION);
    assert!(
        !geoproof::search::index_dir(&dir.path().join("c")).exists(),
        "no index before the first search"
    );
    h.get_all_by_label("Find in case").next().unwrap().click();
    h.run_steps(1);
    assert!(
        app(&h).state.board().find.search_job.is_some(),
        "the search runs in the background"
    );
    wait_for_search(&mut h);
    let find = &app(&h).state.board().find;
    assert_eq!(find.error, None);
    let results = find.results.as_ref().expect("results");
    let note = find.index_note.clone().unwrap_or_default();
    assert!(
        note.contains("6 items"),
        "the index was built first: {note}"
    );
    assert_eq!(
        results.report.hits[0].sha256, partner,
        "{}",
        results.report.summary
    );
    assert!(
        results.report.hits.iter().all(|hit| hit.sha256 == partner),
        "no distractor is a match: {:?}",
        results.names
    );
    assert!(results.report.summary.contains("proposals to review"));
    assert!(find.textures.contains_key(&0), "the result has a thumbnail");
    let inliers = results.report.hits[0].inliers;
    h.get_by_label("Open result 1 beside the query").click();
    h.run_steps(2);
    let panels = &app(&h).state.board().working.as_ref().unwrap().panels;
    assert_eq!(
        panels.len(),
        2,
        "the result opens beside the query: {:?}",
        app(&h).state.shell().status
    );
    assert!(matches!(&panels[1].source,
        geoproof::case::comparison::PanelSource::Evidence { sha256 } if *sha256 == partner));
    run_until(
        &mut h,
        "matching the result",
        Duration::from_secs(60),
        |h| app(h).state.board().match_job.is_none(),
    );
    let proposals = app(&h).state.board().proposals.as_ref().expect("proposals");
    assert_eq!(proposals.panels, ("P1".to_owned(), "P2".to_owned()));
    assert!(proposals.inliers >= 15, "{}", proposals.summary);
    let (n, _) = proposals.items[0];
    h.get_by_label(&format!("Accept ?{n}")).click();
    h.run_steps(3);
    let case = Case::open_read_only(&dir.path().join("c")).unwrap();
    let f = case.finding(&id).unwrap();
    let link = f.links.last().expect("the accepted proposal is a link");
    let search = link.search.as_ref().expect("the link records the search");
    assert_eq!(search.query_sha256, query);
    assert_eq!(search.result_sha256, partner);
    // The region is the drawn rectangle's pixels (the drag lands within a pixel).
    let a = f.annotations.iter().find(|a| a.id == drawn).unwrap();
    let b = geoproof::board::geometry::bounds(&a.shape);
    let (x0, y0) = (b[0].floor() as u32, b[1].floor() as u32);
    let want = [x0, y0, b[2].ceil() as u32 - x0, b[3].ceil() as u32 - y0];
    assert_eq!(search.region, want);
    assert!(
        want.iter()
            .zip([250, 160, 200, 168])
            .all(|(a, b)| a.abs_diff(b) <= 1),
        "{want:?}"
    );
    assert_eq!(search.index_version, geoproof::search::INDEX_VERSION);
    assert_eq!((search.rank, search.inliers), (1, inliers));
    assert!(
        link.description
            .contains("found by a search of the case (result 1)")
    );
    let html = geoproof::export::report::html(&case, &id).unwrap();
    assert!(
        html.contains("Visual search of the case"),
        "the report names the search"
    );
    let [x, y, w, hh] = want;
    assert!(html.contains("rocket-gps.jpg") && html.contains(&format!("region {x},{y},{w},{hh}")));
    assert!(html.contains(&format!("version {}", geoproof::search::INDEX_VERSION)));
    assert!(html.contains("rank 1: partner-warped.jpg"));
}

#[test]
fn a_tiny_region_is_refused_and_an_import_refreshes_the_index() {
    let (dir, case, query, _partner) = search_case();
    let root = dir.path().join("c");
    let mut h = board_of(case, &query);
    draw_region(&mut h, "P1", [300.0, 200.0, 306.0, 205.0]);
    h.get_all_by_label("Find in case").next().unwrap().click();
    wait_for_search(&mut h);
    let find = &app(&h).state.board().find;
    let error = find.error.clone().expect("a refusal");
    assert!(
        error.contains("too little texture") && error.contains("too small"),
        "{error}"
    );
    assert!(find.results.is_none(), "nothing is shown as a match");
    let manifest = geoproof::search::index_dir(&root).join(geoproof::search::MANIFEST_FILE);
    assert!(manifest.exists(), "the index was built for the search");
    // Evidence arrives: the existing index is refreshed in the background.
    let copy = dir.path().join("rotated.jpg");
    std::fs::copy(util::data("rotated-orientation-6.jpg"), &copy).unwrap();
    push(&mut h, Command::Import(ImportCommand::Files(vec![copy])));
    run_until(&mut h, "importing", Duration::from_secs(60), |h| {
        app(h).state.case().unwrap().evidence().count() == 7
    });
    run_until(
        &mut h,
        "refreshing the index",
        Duration::from_secs(120),
        |h| {
            let find = &app(h).state.board().find;
            !find.evidence_changed && find.index_job.is_none()
        },
    );
    let note = app(&h).state.board().find.index_note.clone().unwrap();
    assert!(
        note.contains("7 items") && note.contains("1 added"),
        "{note}"
    );
    // A deleted index is rebuilt by the next search.
    std::fs::remove_dir_all(geoproof::search::index_dir(&root)).unwrap();
    draw_region(&mut h, "P1", REGION);
    h.get_all_by_label("Find in case").next().unwrap().click();
    wait_for_search(&mut h);
    let find = &app(&h).state.board().find;
    assert!(find.results.is_some(), "{:?}", find.error);
    let note = find.index_note.clone().unwrap();
    assert!(
        note.contains("no index yet") && note.contains("7 items"),
        "{note}"
    );
}

/// A clip panning across the rocket photo at twice its size: a 640x360 window from row
/// 300 moving right by 80 px a second for 8 s (the region is in view from about 3 s).
fn pan_clip(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("pan.mp4");
    let rocket = util::data("rocket-gps.jpg");
    let out = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-loop", "1"])
        .args(["-framerate", "25", "-t", "8", "-i"])
        .arg(&rocket)
        .args([
            "-vf",
            "scale=1280:854,crop=640:360:x='80*t':y=300,format=yuv420p",
        ])
        .args(["-c:v", "libx264", "-g", "50", "-movflags", "+faststart"])
        .arg(&path)
        .output()
        .expect("ffmpeg is needed (Debian/Ubuntu: apt install ffmpeg)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

#[test]
fn a_clip_is_found_at_its_frame_opened_there_and_searched_from() {
    let dir = tempfile::tempdir().unwrap();
    let clip = pan_clip(dir.path());
    let mut case = Case::create(&dir.path().join("c"), "find in a clip").unwrap();
    let options = ImportOptions::default();
    let mut add = |path: std::path::PathBuf| sha_of(case.import(&path, &options).unwrap());
    let rocket = add(util::data("rocket-gps.jpg"));
    let clip = add(clip);
    add(util::data("coffee-no-gps.jpg"));
    add(util::data("search").join("camera.png"));
    case.save().unwrap();
    let mut h = board_of(case, &rocket);
    draw_region(&mut h, "P1", REGION);
    h.get_all_by_label("Find in case").next().unwrap().click();
    wait_for_search(&mut h);
    let find = &app(&h).state.board().find;
    let results = find
        .results
        .as_ref()
        .unwrap_or_else(|| panic!("{:?}", find.error));
    let (rank, hit) = results
        .report
        .hits
        .iter()
        .enumerate()
        .find(|(_, hit)| hit.sha256 == clip)
        .unwrap_or_else(|| panic!("the clip is found: {}", results.report.summary));
    let (frame, time) = (hit.frame.unwrap(), hit.time_s.unwrap());
    // At t the frame shows the photo's (x, y) at (2x - 80t, 2y - 300).
    let want = [500.0 - 80.0 * time, 20.0];
    let got = hit.corners[0];
    assert!(
        (got[0] - want[0]).abs() < 12.0 && (got[1] - want[1]).abs() < 12.0,
        "at {time} s the region's corner is at {got:?}, the pan puts it at {want:?}"
    );
    let region = hit.region;
    h.get_by_label(&format!("Open result {} beside the query", rank + 1))
        .click();
    h.run_steps(2);
    let panel = app(&h).state.board().working.as_ref().unwrap().panels[1].clone();
    assert_eq!(
        panel.frame.map(|f| f.index),
        Some(frame),
        "opened at its frame"
    );
    run_until(
        &mut h,
        "matching the frame",
        Duration::from_secs(120),
        |h| {
            let b = app(h).state.board();
            b.match_job.is_none() && b.video_frames.get("P2").is_some_and(|f| f.index == frame)
        },
    );
    let proposals = app(&h).state.board().proposals.as_ref().expect("proposals");
    assert!(proposals.inliers >= 15, "{}", proposals.summary);
    // And back: the region on the clip's frame finds the photo.
    let r = [
        f64::from(region.x),
        f64::from(region.y),
        f64::from(region.x + region.w),
        f64::from(region.y + region.h),
    ];
    h.key_press(Key::Escape);
    draw_region(&mut h, "P2", r);
    h.get_all_by_label("Find in case").next().unwrap().click();
    wait_for_search(&mut h);
    let find = &app(&h).state.board().find;
    let results = find
        .results
        .as_ref()
        .unwrap_or_else(|| panic!("{:?}", find.error));
    assert_eq!(results.query.frame.map(|f| f.index), Some(frame));
    // The photo, and other moments of the clip (not the frames next to the query's).
    let hits = &results.report.hits;
    assert!(
        hits.iter().any(|h| h.sha256 == rocket),
        "{:?}",
        results.names
    );
    for h in hits.iter().filter(|h| h.sha256 == clip) {
        let t = h.time_s.unwrap();
        assert!((t - time).abs() >= 2.0, "the query's own moment {t} s");
    }
    assert!(hits.iter().all(|h| h.sha256 == rocket || h.sha256 == clip));
}
