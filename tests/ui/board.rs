//! The comparison board driven like a user would, with egui_kittest (no GPU).
#![allow(clippy::unwrap_used)]

use crate::util;

use egui::{Key, Modifiers, Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use geoproof::case::comparison::Shape;
use geoproof::case::{Case, FindingKind, ImportOptions};
use geoproof::ui::{BoardCommand, ShellCommand};
use geoproof::ui::{Command, Workspace};

use std::time::Duration;
use util::app::{Holder, app, app_harness, click, drag, push, run_until};

fn harness(case: Case) -> Harness<'static, Holder> {
    app_harness(Some(case), egui::vec2(1400.0, 860.0))
}

fn harness_sized(case: Case, size: egui::Vec2) -> Harness<'static, Holder> {
    app_harness(Some(case), size)
}

/// A case with two photos; returns the folder and the evidence ids.
fn two_photo_case() -> (tempfile::TempDir, Case, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::create(&dir.path().join("c"), "board test").unwrap();
    let mut ids = Vec::new();
    for name in ["rocket-gps.jpg", "coffee-no-gps.jpg"] {
        let outcome = case
            .import(&util::data(name), &ImportOptions::default())
            .unwrap();
        ids.push(match outcome {
            geoproof::case::ImportOutcome::Added(r)
            | geoproof::case::ImportOutcome::Duplicate(r) => r.sha256,
        });
    }
    case.save().unwrap();
    (dir, case, ids)
}

/// Opens a new comparison of both photos on the board and waits for them to decode.
fn board_with_two_panels() -> (tempfile::TempDir, Harness<'static, Holder>, String) {
    let (dir, case, ids) = two_photo_case();
    let mut h = harness(case);
    h.run_steps(2);
    push(&mut h, Command::Board(BoardCommand::NewComparison(ids)));
    h.run_steps(2);
    run_until(
        &mut h,
        "decoding both photos",
        Duration::from_secs(30),
        |h| !app(h).board_images.loading() && app(h).board_images.texture_count() > 0,
    );
    assert!(!app(&h).board_images.loading(), "images decoded");
    assert_eq!(app(&h).state.shell().workspace, Workspace::Board);
    let id = app(&h).state.board().finding.clone().unwrap();
    (dir, h, id)
}

fn panel_center(h: &Harness<'_, Holder>, panel: &str) -> Pos2 {
    let t = app(h).state.board().transforms[panel];
    egui::pos2(t.origin[0] as f32, t.origin[1] as f32)
}

fn image_point(h: &Harness<'_, Holder>, panel: &str, p: Pos2) -> [f64; 2] {
    app(h).state.board().transforms[panel].to_image([f64::from(p.x), f64::from(p.y)])
}

fn saved_finding(dir: &tempfile::TempDir, id: &str) -> geoproof::case::Finding {
    Case::open_read_only(&dir.path().join("c"))
        .unwrap()
        .finding(id)
        .unwrap()
        .clone()
}

fn rect_of(f: &geoproof::case::Finding, id: &str) -> [f64; 4] {
    match &f.annotations.iter().find(|a| a.id == id).unwrap().shape {
        Shape::Rectangle { x, y, w, h } => [*x, *y, *w, *h],
        other => panic!("{id} is not a rectangle: {other:?}"),
    }
}

fn close(a: [f64; 4], b: [f64; 4]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-3)
}

#[test]
fn rectangles_linked_described_undone_redone_and_reopened() {
    let (dir, mut h, id) = board_with_two_panels();
    let (c1, c2) = (panel_center(&h, "P1"), panel_center(&h, "P2"));

    // Draw a rectangle on each panel with the keyboard-chosen tool.
    h.key_press(Key::R);
    h.run_steps(1);
    let (a0, a1) = (c1 - vec2(40.0, 30.0), c1 + vec2(30.0, 20.0));
    let expected_a = {
        let p = image_point(&h, "P1", a0);
        let q = image_point(&h, "P1", a1);
        [p[0], p[1], q[0] - p[0], q[1] - p[1]]
    };
    drag(&mut h, a0, a1);
    let (b0, b1) = (c2 - vec2(25.0, 25.0), c2 + vec2(35.0, 15.0));
    let expected_b = {
        let p = image_point(&h, "P2", b0);
        let q = image_point(&h, "P2", b1);
        [p[0], p[1], q[0] - p[0], q[1] - p[1]]
    };
    drag(&mut h, b0, b1);
    let f = saved_finding(&dir, &id);
    assert_eq!(
        f.annotations.len(),
        2,
        "each drawn rectangle is saved at once"
    );
    assert!(
        close(rect_of(&f, "A1"), expected_a),
        "{:?} vs {expected_a:?}",
        rect_of(&f, "A1")
    );
    assert!(close(rect_of(&f, "A2"), expected_b));

    // Link them: Link tool, click one, then the other.
    h.key_press(Key::L);
    h.run_steps(1);
    click(&mut h, c1 - vec2(5.0, 5.0));
    click(&mut h, c2);
    let f = saved_finding(&dir, &id);
    assert_eq!(f.links.len(), 1, "{:?}", f.links);
    assert_eq!(
        (
            f.links[0].a.as_str(),
            f.links[0].b.as_str(),
            f.links[0].number
        ),
        ("A1", "A2", 1)
    );

    // Describe the link in the inspector; it is committed when the field loses focus.
    let field = h.get_by_label("Description of feature 1");
    field.focus();
    field.type_text("white stripe on left sleeve");
    h.run_steps(1);
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert_eq!(
        saved_finding(&dir, &id).links[0].description,
        "white stripe on left sleeve"
    );

    // Undo twice (description, then the link), redo once (the link comes back).
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(saved_finding(&dir, &id).links[0].description, "");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(
        saved_finding(&dir, &id).links.is_empty(),
        "undo removed the link"
    );
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    let f = saved_finding(&dir, &id);
    assert_eq!(f.links.len(), 1, "redo restored the link");
    assert_eq!(f.links[0].description, "white stripe on left sleeve");

    // Save, close, reopen: the same finding with the same coordinates.
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run_steps(2);
    drop(h);
    let reopened = Case::open(&dir.path().join("c")).unwrap();
    let f = reopened.finding(&id).unwrap();
    assert_eq!(f.kind, FindingKind::Comparison);
    assert!(close(rect_of(f, "A1"), expected_a));
    assert!(close(rect_of(f, "A2"), expected_b));
    assert_eq!(f.links[0].description, "white stripe on left sleeve");
    assert!(f.check().is_ok());
}

#[test]
fn moving_an_annotation_over_many_frames_is_one_undo_step() {
    let (dir, mut h, id) = board_with_two_panels();
    let c1 = panel_center(&h, "P1");
    h.key_press(Key::R);
    h.run_steps(1);
    drag(&mut h, c1 - vec2(30.0, 30.0), c1 + vec2(30.0, 30.0));
    let drawn = rect_of(&saved_finding(&dir, &id), "A1");
    let saves = |dir: &tempfile::TempDir| {
        std::fs::read_to_string(dir.path().join("c/log.jsonl"))
            .unwrap()
            .matches("\"finding_saved\"")
            .count()
    };
    let before = saves(&dir);
    h.key_press(Key::V);
    h.run_steps(1);
    let t = app(&h).state.board().transforms["P1"];
    drag(&mut h, c1, c1 + vec2(50.0, 40.0));
    let moved = rect_of(&saved_finding(&dir, &id), "A1");
    assert_eq!(
        saves(&dir),
        before + 1,
        "ten frames of dragging, one saved edit"
    );
    assert!(
        (moved[0] - drawn[0] - 50.0 / t.zoom).abs() < 1e-3,
        "{moved:?} {drawn:?}"
    );
    assert_eq!(
        (moved[2], moved[3]),
        (drawn[2], drawn[3]),
        "a move keeps the size"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(
        close(rect_of(&saved_finding(&dir, &id), "A1"), drawn),
        "one undo undoes the whole drag"
    );
    // Delete with the key, undo brings it back.
    click(&mut h, c1);
    h.key_press(Key::Delete);
    h.run_steps(2);
    assert!(saved_finding(&dir, &id).annotations.is_empty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(saved_finding(&dir, &id).annotations.len(), 1);
}

#[test]
fn every_tool_draws_its_shape_in_image_pixels() {
    let (dir, mut h, id) = board_with_two_panels();
    let c = panel_center(&h, "P1");
    for (key, from, to) in [
        (Key::E, c - vec2(60.0, 40.0), c - vec2(20.0, 10.0)),
        (Key::A, c + vec2(10.0, 10.0), c + vec2(60.0, 30.0)),
        (Key::F, c - vec2(60.0, -40.0), c - vec2(10.0, -60.0)),
    ] {
        h.key_press(key);
        h.run_steps(1);
        drag(&mut h, from, to);
    }
    h.key_press(Key::P);
    h.run_steps(1);
    click(&mut h, c + vec2(70.0, -50.0));
    h.key_press(Key::T);
    h.run_steps(1);
    click(&mut h, c + vec2(-70.0, 60.0));
    h.key_press(Key::G);
    h.run_steps(1);
    for p in [vec2(80.0, 0.0), vec2(110.0, 0.0), vec2(95.0, 30.0)] {
        click(&mut h, c + p);
    }
    h.key_press(Key::Enter);
    h.run_steps(2);
    let f = saved_finding(&dir, &id);
    let kinds: Vec<&str> = f
        .annotations
        .iter()
        .map(|a| match a.shape {
            Shape::Ellipse { .. } => "ellipse",
            Shape::Arrow { .. } => "arrow",
            Shape::Freehand { .. } => "freehand",
            Shape::Point { .. } => "point",
            Shape::Text { .. } => "text",
            Shape::Polygon { .. } => "polygon",
            Shape::Rectangle { .. } => "rectangle",
        })
        .collect();
    assert_eq!(
        kinds,
        ["ellipse", "arrow", "freehand", "point", "text", "polygon"]
    );
    let t = app(&h).state.board().transforms["P1"];
    if let Shape::Point { x, y } = f.annotations[3].shape {
        let s = t.to_screen([x, y]);
        let want = c + vec2(70.0, -50.0);
        assert!((s[0] - f64::from(want.x)).abs() < 0.01 && (s[1] - f64::from(want.y)).abs() < 0.01);
    }
    // Zooming the panel changes the view, never the stored coordinates.
    h.hover_at(c);
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: vec2(0.0, 120.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
        modifiers: Modifiers::default(),
    });
    h.run_steps(3);
    assert!(app(&h).state.board().transforms["P1"].zoom > t.zoom);
    assert_eq!(saved_finding(&dir, &id).annotations, f.annotations);
}

#[test]
fn autosaved_work_is_offered_after_a_crash_and_restored() {
    let (dir, mut h, id) = board_with_two_panels();
    let c1 = panel_center(&h, "P1");
    h.key_press(Key::R);
    h.run_steps(1);
    drag(&mut h, c1 - vec2(30.0, 30.0), c1 + vec2(30.0, 30.0));
    // Type a label and leave the cursor in the field: nothing is committed yet…
    let field = h.get_by_label("Label");
    field.focus();
    field.type_text("red cap");
    h.run_steps(2);
    let saved_label =
        |dir: &tempfile::TempDir| saved_finding(dir, &id).annotations[0].label.clone();
    assert_eq!(saved_label(&dir), "");
    // …and the app dies (no save, no commit).
    drop(h);
    let case = Case::open(&dir.path().join("c")).unwrap();
    let mut h = harness(case);
    h.run_steps(3);
    h.get_by_label("Restore autosave").click();
    h.run_steps(3);
    assert_eq!(
        saved_label(&dir),
        "red cap",
        "the autosaved label is back and saved"
    );
    assert_eq!(app(&h).state.shell().workspace, Workspace::Board);
    drop(h);
    // Once restored, the draft is gone: the next start offers nothing.
    let case = Case::open(&dir.path().join("c")).unwrap();
    let mut h = harness(case);
    h.run_steps(3);
    assert!(h.query_by_label("Restore autosave").is_none());
}

#[test]
fn a_map_snapshot_becomes_a_panel_with_its_bounds_and_basemap() {
    let (dir, mut h, id) = board_with_two_panels();
    push(&mut h, Command::Board(BoardCommand::RequestMapSnapshot));
    // The map is shown and a screenshot is asked of the window; kittest has no renderer,
    // so this test plays the window and answers with a picture.
    let mut answered = false;
    for _ in 0..5 {
        h.run_steps(1);
        let requests: Vec<egui::ScreenshotCallback> = h
            .output()
            .viewport_output
            .values()
            .flat_map(|v| v.commands.iter())
            .filter_map(|c| match c {
                egui::ViewportCommand::Screenshot(cb) => Some(cb.clone()),
                _ => None,
            })
            .collect();
        for cb in requests {
            let image = egui::ColorImage::new(
                [1400, 860],
                vec![egui::Color32::from_rgb(10, 80, 160); 1400 * 860],
            );
            cb.complete(std::sync::Arc::new(image));
            answered = true;
        }
        if answered {
            break;
        }
    }
    assert!(answered, "a screenshot was requested");
    h.run_steps(4);
    let f = saved_finding(&dir, &id);
    assert_eq!(
        f.panels.len(),
        3,
        "status: {:?}",
        app(&h).state.shell().status
    );
    let geoproof::case::comparison::PanelSource::MapSnapshot {
        file,
        west,
        east,
        south,
        north,
        basemap,
        ..
    } = &f.panels[2].source
    else {
        panic!("third panel is not a map snapshot: {:?}", f.panels[2]);
    };
    assert!(
        west < east && south < north,
        "{west} {south} {east} {north}"
    );
    assert!(basemap.contains("Blue Marble"), "{basemap}");
    let png = image::open(dir.path().join("c").join(file)).unwrap();
    let extent = app(&h).state.map().view.unwrap();
    assert_eq!(png.width(), extent.rect.width().round() as u32);
    assert_eq!(
        app(&h).state.shell().workspace,
        Workspace::Board,
        "back on the board"
    );
}

#[test]
fn the_figure_dialog_previews_with_the_exporter_and_exports_with_a_manifest() {
    let (dir, mut h, id) = board_with_two_panels();
    let c1 = panel_center(&h, "P1");
    h.key_press(Key::R);
    h.run_steps(1);
    drag(&mut h, c1 - vec2(30.0, 30.0), c1 + vec2(30.0, 30.0));
    h.get_by_label("Export figure…").click();
    // The preview renders in the background at once, without asking.
    wait_for_preview(&mut h);
    let dialog = app(&h)
        .state
        .dialogs()
        .figure
        .as_ref()
        .expect("dialog open");
    assert!(dialog.error.is_none(), "{:?}", dialog.error);
    let preview = dialog.preview.as_ref().expect("a preview was rendered");
    assert_eq!(
        preview.size()[0],
        900,
        "the preview is the exported raster at preview width"
    );
    // The save dialogs are the system's; the command they send is what is tested.
    let png = dir.path().join("figure.png");
    let svg = dir.path().join("figure.svg");
    push(
        &mut h,
        Command::Board(BoardCommand::ExportFigure {
            png: Some(png.clone()),
            svg: Some(svg.clone()),
            options: geoproof::export::figure::FigureOptions {
                width: 1200,
                insets: vec!["A1".into()],
                ..Default::default()
            },
        }),
    );
    h.run_steps(2);
    assert_eq!(image::open(&png).unwrap().width(), 1200);
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    assert!(dir.path().join("figure.manifest.json").exists());
    let log = std::fs::read_to_string(dir.path().join("c/log.jsonl")).unwrap();
    assert!(log.contains("\"figure_exported\"") && log.contains(&id));
}

/// A case with a photo and an 80 % copy of it: the true mapping is b = 0.8 · a.
fn photo_and_scaled_copy() -> (tempfile::TempDir, Case, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let original = image::open(util::data("rocket-gps.jpg")).unwrap();
    let small = original.resize_exact(512, 342, image::imageops::FilterType::Triangle);
    let copy = dir.path().join("rocket-small.jpg");
    small.to_rgb8().save(&copy).unwrap();
    let mut case = Case::create(&dir.path().join("c"), "matching").unwrap();
    let mut ids = Vec::new();
    for path in [util::data("rocket-gps.jpg"), copy] {
        match case.import(&path, &ImportOptions::default()).unwrap() {
            geoproof::case::ImportOutcome::Added(r)
            | geoproof::case::ImportOutcome::Duplicate(r) => ids.push(r.sha256),
        }
    }
    case.save().unwrap();
    (dir, case, ids)
}

fn open_board(case: Case, ids: Vec<String>) -> Harness<'static, Holder> {
    // Tall enough that the inspector's matching section is on screen without scrolling.
    let mut h = harness_sized(case, egui::vec2(1400.0, 1800.0));
    h.run_steps(2);
    push(&mut h, Command::Board(BoardCommand::NewComparison(ids)));
    h.run_steps(3);
    h
}

#[test]
fn matching_runs_in_the_background_and_proposals_are_accepted_one_by_one() {
    let (dir, case, ids) = photo_and_scaled_copy();
    let mut h = open_board(case, ids);
    let id = app(&h).state.board().finding.clone().unwrap();
    h.get_by_label("Propose correspondences").click();
    h.run_steps(1);
    assert!(
        app(&h).state.board().match_job.is_some(),
        "matching runs in the background"
    );
    run_until(&mut h, "matching", Duration::from_secs(60), |h| {
        app(h).state.board().match_job.is_none()
    });
    let proposals = app(&h).state.board().proposals.as_ref().expect("a result");
    assert!(proposals.inliers >= 15, "{}", proposals.summary);
    assert!(!proposals.summary.contains("confirmed"));
    assert!(
        proposals.items.len() >= 5,
        "{} proposals",
        proposals.items.len()
    );
    let (n, c) = proposals.items[0];
    // Reject one, accept another: only the accepted one becomes a link.
    let (m, _) = proposals.items[1];
    h.get_by_label(&format!("Reject ?{m}")).click();
    h.run_steps(2);
    h.get_by_label(&format!("Accept ?{n}")).click();
    h.run_steps(3);
    let f = saved_finding(&dir, &id);
    assert_eq!(f.links.len(), 1, "one accepted proposal, one link");
    assert!(
        f.links[0]
            .description
            .contains("proposed by feature matching")
    );
    assert_eq!(
        f.links[0].assessment,
        geoproof::case::comparison::Assessment::Unclear
    );
    let point = |aid: &str| match f.annotations.iter().find(|a| a.id == aid).unwrap().shape {
        Shape::Point { x, y } => [x, y],
        _ => panic!("not a point"),
    };
    let (a, b) = (point(&f.links[0].a), point(&f.links[0].b));
    assert_eq!(a, c.a);
    assert!(
        (b[0] - 0.8 * a[0]).abs() < 3.0 && (b[1] - 0.8 * a[1]).abs() < 3.0,
        "{a:?} -> {b:?}"
    );
    let left = &app(&h).state.board().proposals.as_ref().unwrap().items;
    assert!(left.iter().all(|(k, _)| *k != n && *k != m));
}

#[test]
fn matching_can_be_cancelled() {
    let (_dir, case, ids) = photo_and_scaled_copy();
    let mut h = open_board(case, ids);
    h.get_by_label("Propose correspondences").click();
    h.run_steps(2);
    h.get_by_label("Cancel matching").click();
    run_until(
        &mut h,
        "cancelling the match",
        Duration::from_secs(30),
        |h| app(h).state.board().match_job.is_none(),
    );
    assert!(app(&h).state.board().match_job.is_none());
    assert!(
        app(&h).state.board().proposals.is_none(),
        "a cancelled run proposes nothing"
    );
    assert_eq!(
        app(&h).state.shell().status,
        Some(geoproof::ui::Status::Info("matching cancelled".into()))
    );
}

/// Undo on the board never reverts what it did not record: a finding moved on the map
/// after a board change is a step of the same history, undone on its own, before the
/// board change; and leaving the board for another finding keeps both histories.
#[test]
fn undo_takes_back_a_map_edit_on_its_own_and_histories_survive_reopening() {
    let (dir, mut h, id) = board_with_two_panels();
    // A board change: a new title, committed as one step.
    {
        let state = &mut h.state_mut().app.as_mut().unwrap().state;
        state.board_mut().working.as_mut().unwrap().title = "Same jacket".into();
        state.push(Command::Board(BoardCommand::Commit));
    }
    h.run_steps(2);
    assert_eq!(saved_finding(&dir, &id).title, "Same jacket");

    // Meanwhile on the map, the finding is given a location.
    push(
        &mut h,
        Command::Shell(ShellCommand::SetWorkspace(Workspace::Map)),
    );
    h.run_steps(1);
    let location = geoproof::case::FindingLocation {
        lat: 53.079839,
        lon: 34.554344,
        precision_m: 50.0,
    };
    push(
        &mut h,
        Command::Edit(geoproof::case::Edit::SetFindingLocation {
            id: id.clone(),
            location: Some(location),
        }),
    );
    h.run_steps(2);

    // Another finding on the board, then back: the history is still there.
    let evidence: Vec<String> = app(&h)
        .state
        .case()
        .unwrap()
        .evidence()
        .map(|e| e.sha256.clone())
        .collect();
    push(
        &mut h,
        Command::Board(BoardCommand::NewComparison(evidence)),
    );
    h.run_steps(2);
    assert_ne!(app(&h).state.board().finding.as_deref(), Some(id.as_str()));
    push(&mut h, Command::Board(BoardCommand::Open(id.clone())));
    h.run_steps(2);

    // The first undo takes back the map edit only; the second the title.
    push(&mut h, Command::Board(BoardCommand::Undo));
    h.run_steps(2);
    let f = saved_finding(&dir, &id);
    assert_eq!(f.location, None, "the map edit is undone");
    assert_eq!(f.title, "Same jacket", "the board change is still there");
    push(&mut h, Command::Board(BoardCommand::Undo));
    h.run_steps(2);
    assert_ne!(saved_finding(&dir, &id).title, "Same jacket");
    // Redo brings back both, in order.
    push(&mut h, Command::Board(BoardCommand::Redo));
    push(&mut h, Command::Board(BoardCommand::Redo));
    h.run_steps(2);
    let f = saved_finding(&dir, &id);
    assert_eq!(
        (f.title.as_str(), f.location),
        ("Same jacket", Some(location))
    );
}

/// Runs frames until the figure dialog's preview shows the current options.
fn wait_for_preview(h: &mut Harness<'static, Holder>) {
    run_until(h, "rendering the preview", Duration::from_secs(60), |h| {
        let dialog = app(h).state.dialogs().figure.as_ref().expect("dialog open");
        dialog.preview_is_current()
    });
}

/// The figure dialog shows a preview as soon as it opens and renders it again after a
/// change (once typing pauses), without an "Update preview" button.
#[test]
fn the_figure_preview_renders_at_once_and_follows_changes() {
    let (_dir, mut h, _id) = board_with_two_panels();
    h.get_by_label("Export figure…").click();
    h.run_steps(1);
    assert!(h.query_by_label("Update preview").is_none());
    wait_for_preview(&mut h);
    let field = h.get_by_label("Caption (empty: the finding's verdict)");
    field.focus();
    field.type_text("Same jacket, same patch");
    h.run_steps(1);
    assert!(
        !app(&h)
            .state
            .dialogs()
            .figure
            .as_ref()
            .unwrap()
            .preview_is_current(),
        "the change is pending"
    );
    h.get_by_label_contains("Rendering the preview");
    wait_for_preview(&mut h);
    let dialog = app(&h).state.dialogs().figure.as_ref().unwrap();
    assert!(dialog.error.is_none(), "{:?}", dialog.error);
    assert!(dialog.preview.is_some());
}

/// The shadow tool: base, top and shadow tip on a photo give shadow ÷ height with its
/// tolerance, stored in the finding, listed in the inspector, editable, and taken to the
/// map's sun panel.
#[test]
fn the_shadow_tool_measures_a_ratio_and_takes_it_to_the_map() {
    let (dir, mut h, id) = board_with_two_panels();
    let c = panel_center(&h, "P1");
    let (base, top, tip) = (
        c + vec2(-40.0, 60.0),
        c + vec2(-40.0, -20.0),
        c + vec2(80.0, 60.0),
    );
    h.key_press(Key::S);
    h.run_steps(1);
    for p in [base, top, tip] {
        click(&mut h, p);
    }
    let [b, t, s] = [base, top, tip].map(|p| image_point(&h, "P1", p));
    let expected = (s[0] - b[0]).hypot(s[1] - b[1]) / (t[0] - b[0]).hypot(t[1] - b[1]);
    let saved = saved_finding(&dir, &id);
    assert_eq!(saved.shadows.len(), 1, "stored in the finding");
    let (ratio, tolerance) = saved.shadows[0].ratio().unwrap();
    assert!((ratio - expected).abs() < 1e-9, "{ratio} vs {expected}");
    assert!((0.03..0.5).contains(&tolerance));
    h.get_by_label("S1 on P1");
    h.get_by_label(&saved.shadows[0].summary());
    // Editable on the panel: the Select tool drags a mark, here the shadow's tip.
    h.key_press(Key::V);
    h.run_steps(1);
    let tip_now = {
        let t = app(&h).state.board().transforms["P1"];
        let q = t.to_screen(s);
        egui::pos2(q[0] as f32, q[1] as f32)
    };
    drag(&mut h, tip_now, tip_now + vec2(40.0, 0.0));
    let moved = saved_finding(&dir, &id).shadows[0].ratio().unwrap().0;
    let s2 = image_point(&h, "P1", tip_now + vec2(40.0, 0.0));
    let expected = (s2[0] - b[0]).hypot(s2[1] - b[1]) / (t[0] - b[0]).hypot(t[1] - b[1]);
    assert!(
        (moved - expected).abs() < 1e-6 && moved > ratio,
        "{ratio} → {moved}"
    );
    // Editable in the inspector: its label here (the mark error likewise).
    // (The inspector scrolls it into view first, as a user would.)
    h.get_by_label("Label of S1").scroll_to_me();
    h.run_steps(2);
    let field = h.get_by_label("Label of S1");
    field.focus();
    field.type_text("lamp post");
    h.run_steps(1);
    h.key_press(Key::Escape);
    h.run_steps(2);
    let edited = saved_finding(&dir, &id).shadows[0].clone();
    assert_eq!(edited.label, "lamp post");
    h.get_by_label("Marks good to ±");
    // To the map's sun panel, with the ratio and its tolerance.
    h.get_by_label("Use on the map").scroll_to_me();
    h.run_steps(2);
    h.get_by_label("Use on the map").click();
    h.run_steps(3);
    let sun = &app(&h).state.map().sun;
    assert!(sun.enabled);
    assert_eq!(sun.ratio_text, format!("{:.4}", edited.ratio().unwrap().0));
    assert_eq!(app(&h).state.shell().workspace, Workspace::Map);
}

/// Marks being placed are cancelled with Escape; a top-down bearing measurement reads
/// clockwise from north (image up).
#[test]
fn shadow_marks_cancel_with_escape_and_bearings_read_clockwise() {
    let (_dir, mut h, _id) = board_with_two_panels();
    let m = geoproof::sun::ShadowMeasurement {
        id: "S1".into(),
        panel: "P1".into(),
        marks: geoproof::sun::ShadowMarks::Bearing {
            object: [10.0, 10.0],
            tip: [20.0, 20.0],
        },
        label: String::new(),
        mark_error_px: 2.0,
    };
    assert!((m.bearing().unwrap().0 - 135.0).abs() < 1e-9);
    // Escape cancels marks being placed.
    let c = panel_center(&h, "P1");
    h.key_press(Key::S);
    click(&mut h, c);
    assert!(app(&h).state.board().shadow_marks.is_some());
    h.key_press(Key::Escape);
    h.run_steps(1);
    assert!(app(&h).state.board().shadow_marks.is_none());
}

#[test]
fn a_redaction_is_drawn_previewed_applied_and_undone() {
    let (dir, mut h, id) = board_with_two_panels();
    let c = panel_center(&h, "P1");
    h.key_press(Key::X);
    h.run_steps(1);
    assert_eq!(
        app(&h).state.board().tool(),
        geoproof::ui::BoardTool::Redact
    );
    let (from, to) = (c - vec2(50.0, 40.0), c + vec2(30.0, 20.0));
    drag(&mut h, from, to);
    let f = saved_finding(&dir, &id);
    assert_eq!(f.annotations.len(), 1);
    let a = &f.annotations[0];
    let r = a.redaction.expect("drawn with the Redact tool");
    assert_eq!(r.method, geoproof::case::comparison::RedactMethod::Pixelate);
    let (p, q) = (image_point(&h, "P1", from), image_point(&h, "P1", to));
    assert!(close(
        rect_of(&f, &a.id),
        [p[0], p[1], q[0] - p[0], q[1] - p[1]]
    ));
    // Hatched while working; with the preview on, the region as outputs will hide it.
    let drawn = |h: &Harness<'static, Holder>| app(h).board_images.overlays_drawn().to_vec();
    assert!(!drawn(&h).contains(&"redact-P1-A1".to_owned()));
    h.get_by_label("Preview redactions").click();
    h.run_steps(2);
    assert!(app(&h).state.board().preview_redactions);
    assert!(
        drawn(&h).contains(&"redact-P1-A1".to_owned()),
        "{:?}",
        drawn(&h)
    );
    // The panel's exported picture is redacted (the evidence is not).
    let case = Case::open_read_only(&dir.path().join("c")).unwrap();
    let hidden = geoproof::export::figure::redacted_panel_image(&case, &f, "P1").unwrap();
    let record = case.find_evidence(f.evidence_ids()[0]).unwrap();
    let original = geoproof::evidence::load_oriented(&case.evidence_path(record), u32::MAX)
        .unwrap()
        .image
        .into_rgb8();
    let inside = [(p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0];
    let block = |img: &image::RgbImage| -> Vec<[u8; 3]> {
        (0..12)
            .map(|d| img.get_pixel(inside[0] as u32 + d, inside[1] as u32).0)
            .collect()
    };
    assert_ne!(block(&hidden), block(&original));
    assert_eq!(hidden.get_pixel(2, 2), original.get_pixel(2, 2));
    // A brush stroke keeps its width in image pixels.
    app_mut(&mut h).state.board_mut().redact.shape = geoproof::ui::RedactShape::Brush;
    drag(&mut h, c + vec2(-60.0, 60.0), c + vec2(40.0, 70.0));
    let f = saved_finding(&dir, &id);
    let brush = f.annotations[1].redaction.unwrap().brush_px.unwrap();
    let zoom = app(&h).state.board().transforms["P1"].zoom;
    assert!(
        (brush - 24.0 / zoom).abs() < 1e-6,
        "{brush} vs {}",
        24.0 / zoom
    );
    assert!(matches!(f.annotations[1].shape, Shape::Freehand { .. }));
    // One undo step each.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(saved_finding(&dir, &id).annotations.len(), 1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(saved_finding(&dir, &id).annotations.is_empty());
    assert!(!drawn(&h).iter().any(|k| k.starts_with("redact-")));
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    assert!(saved_finding(&dir, &id).annotations[0].redaction.is_some());
}

fn app_mut<'h>(h: &'h mut Harness<'static, Holder>) -> &'h mut geoproof::ui::GeoproofApp {
    h.state_mut().app.as_mut().unwrap()
}

#[test]
fn a_graphic_item_stays_shielded_until_revealed() {
    let (_dir, mut case, ids) = two_photo_case();
    case.apply(geoproof::case::Edit::SetEvidenceGraphic {
        id: ids[0].clone(),
        graphic: true,
    })
    .unwrap();
    case.save().unwrap();
    let mut h = harness(case);
    h.run_steps(2);
    push(
        &mut h,
        Command::Board(BoardCommand::NewComparison(vec![ids[0].clone()])),
    );
    let shield = format!("shield-{}", ids[0]);
    run_until(&mut h, "drawing the shield", Duration::from_secs(30), |h| {
        app(h).board_images.overlays_drawn().contains(&shield)
    });
    // Shielded: a blurred grey stand-in, no tile of the picture uploaded, no loupe.
    assert!(app(&h).board_images.overlays_drawn().contains(&shield));
    assert_eq!(app(&h).board_images.texture_count(), 0);
    // Hovering reveals nothing; one click does, for this session.
    h.hover_at(panel_center(&h, "P1") + vec2(40.0, 40.0));
    h.run_steps(2);
    assert_eq!(app(&h).board_images.texture_count(), 0);
    h.get_by_label("Graphic content: click to reveal").click();
    h.run_steps(3);
    assert!(app(&h).state.prefs().exposure.revealed.contains(&ids[0]));
    assert!(app(&h).board_images.texture_count() > 0);
    assert!(!app(&h).board_images.overlays_drawn().contains(&shield));
    assert!(
        h.query_by_label("Graphic content: click to reveal")
            .is_none()
    );
    // The flag is viewing only: the record says graphic, the original is untouched.
    let case = app(&h).state.case().unwrap();
    assert!(case.find_evidence(&ids[0]).unwrap().graphic);
    // Reduce exposure is a remembered preference.
    h.get_by_label("Reduce exposure").click();
    h.run_steps(2);
    assert!(app(&h).state.saved_prefs().reduce_exposure);
}
