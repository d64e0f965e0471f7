//! The map workspace driven like a user would, with egui_kittest (no GPU, no window).
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used)]

mod util;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use geoproof::case::{Case, Edit, Finding, FindingKind, ImportOptions};
use geoproof::ui::{GeoproofApp, Selection, Tool};

struct Holder {
    case: Option<Case>,
    app: Option<GeoproofApp>,
}

fn harness(case: Option<Case>) -> Harness<'static, Holder> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 860.0))
        .build_ui_state(
            |ui, h: &mut Holder| {
                let app = h
                    .app
                    .get_or_insert_with(|| GeoproofApp::new(ui.ctx(), h.case.take()));
                app.frame_ui(ui);
            },
            Holder { case, app: None },
        )
}

fn app<'h>(h: &'h Harness<'_, Holder>) -> &'h GeoproofApp {
    h.state().app.as_ref().unwrap()
}

fn case_with_finding() -> (tempfile::TempDir, Case, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::create(&dir.path().join("c"), "UI test").unwrap();
    case.import(&util::data("rocket-gps.jpg"), &ImportOptions::default())
        .unwrap();
    let finding = Finding::new(FindingKind::Geolocation, "Arrest site");
    let id = finding.id.clone();
    case.apply(Edit::PutFinding(Box::new(finding))).unwrap();
    case.save().unwrap();
    (dir, case, id)
}

#[test]
fn typing_coordinates_in_the_go_to_box_centres_the_map() {
    let mut h = harness(None);
    h.run_steps(2);
    let field = h.get_by_label("Go to:");
    field.focus();
    field.type_text("53°04'47.4\"N 34°33'15.6\"E");
    h.run_steps(2);
    h.get_by_label("Go").click();
    h.run_steps(3);
    let c = app(&h)
        .state
        .map_center()
        .expect("map centred on the typed point");
    assert!(
        (c.lat - 53.079833).abs() < 1e-6 && (c.lon - 34.554333).abs() < 1e-6,
        "{c:?}"
    );
    assert!(app(&h).state.goto_error.is_none());
    assert!(
        app(&h).state.map.zoom() >= 12.0,
        "go-to zooms in to show the place"
    );
}

#[test]
fn a_bad_coordinate_in_the_go_to_box_shows_the_reason() {
    let mut h = harness(None);
    h.run_steps(2);
    let field = h.get_by_label("Go to:");
    field.focus();
    field.type_text("95, 30");
    h.run_steps(1);
    h.get_by_label("Go").click();
    h.run_steps(3);
    let error = app(&h).state.goto_error.clone().unwrap();
    assert!(error.contains("latitude 95"), "{error}");
    h.get_by_label_contains("latitude 95");
}

#[test]
fn clicking_the_map_sets_the_selected_findings_location() {
    let (dir, case, id) = case_with_finding();
    let mut h = harness(Some(case));
    h.run_steps(2);
    h.get_by_label("◆ Arrest site").click();
    h.run_steps(2);
    h.get_by_label("Place").click();
    h.run_steps(2);
    assert_eq!(app(&h).state.tool, Tool::PlaceFinding);
    assert_eq!(
        app(&h).state.selection,
        Some(Selection::Finding(id.clone()))
    );
    let pos = egui::pos2(700.0, 430.0);
    h.hover_at(pos);
    h.run_steps(1);
    let hovered = app(&h)
        .state
        .hover
        .expect("hovering the map shows coordinates");
    click_at(&mut h, pos);
    // The click is saved through Edit, at once: reopen from disk.
    let saved = Case::open_read_only(&dir.path().join("c")).unwrap();
    let location = saved
        .finding(&id)
        .unwrap()
        .location
        .expect("location saved to disk");
    assert!((location.lat - hovered.lat).abs() < 1e-9 && (location.lon - hovered.lon).abs() < 1e-9);
    assert_eq!(location.precision_m, 250.0);
}

fn click_at(h: &mut Harness<'static, Holder>, pos: egui::Pos2) {
    h.hover_at(pos);
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::default(),
        });
        h.run_steps(1);
    }
    h.run_steps(2);
}

#[test]
fn the_measure_tool_reports_distance_and_azimuth() {
    let mut h = harness(None);
    h.run_steps(2);
    h.get_by_label("Measure").click();
    h.run_steps(2);
    click_at(&mut h, egui::pos2(600.0, 400.0));
    click_at(&mut h, egui::pos2(800.0, 400.0));
    let points = app(&h).state.measure.clone();
    assert_eq!(points.len(), 2, "two clicks, two points");
    let m = geoproof::spatial::measure(points[0], points[1]);
    assert!(m.distance_m > 0.0);
    // Same latitude, east of the first point: azimuth near 90°.
    assert!((m.azimuth_deg - 90.0).abs() < 10.0, "{}", m.azimuth_deg);
    let readout = format!("Measure: {:.1} m", m.distance_m);
    h.get_by_label_contains(&readout);
}

#[test]
fn selecting_evidence_centres_the_map_on_its_gps() {
    let (_dir, case, _) = case_with_finding();
    let mut h = harness(Some(case));
    h.run_steps(2);
    h.get_by_label_contains("rocket-gps.jpg").click();
    h.run_steps(3);
    let c = app(&h).state.map_center().unwrap();
    assert!(
        (c.lat - 28.56194).abs() < 1e-6 && (c.lon + 80.57735).abs() < 1e-6,
        "{c:?}"
    );
}

#[test]
fn a_local_pmtiles_archive_can_replace_the_basemap_and_a_bad_one_is_reported() {
    use geoproof::ui::sources::SourceChoice;
    let mut h = harness(None);
    h.run_steps(2);
    let good = SourceChoice::PmTiles(util::data("landsat8-itaipu-z9-12.pmtiles"));
    h.state_mut().app.as_mut().unwrap().state.basemap_request = Some(good.clone());
    h.run_steps(2);
    assert_eq!(app(&h).state.basemap, good);

    let bad = SourceChoice::PmTiles(util::data("not-an-image.jpg"));
    h.state_mut().app.as_mut().unwrap().state.basemap_request = Some(bad);
    h.run_steps(2);
    assert_eq!(
        app(&h).state.basemap,
        good,
        "a bad archive must not replace the basemap"
    );
    h.get_by_label_contains("not-an-image.jpg: not a PMTiles archive");
}

#[test]
fn importing_runs_in_the_background_and_reports_bad_files() {
    use geoproof::ui::Command;
    let dir = tempfile::tempdir().unwrap();
    let case = Case::create(&dir.path().join("c"), "import").unwrap();
    let mut h = harness(Some(case));
    h.run_steps(2);
    let files = vec![
        util::data("rocket-gps.jpg"),
        util::data("coffee-no-gps.jpg"),
        util::data("truncated.jpg"),
    ];
    h.state_mut()
        .app
        .as_mut()
        .unwrap()
        .state
        .commands
        .push(Command::Import(files));
    for _ in 0..200 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
        let s = &app(&h).state;
        if s.import_progress.is_none() && s.case.as_ref().unwrap().evidence().count() == 2 {
            break;
        }
    }
    h.run_steps(2);
    let state = &app(&h).state;
    assert_eq!(state.case.as_ref().unwrap().evidence().count(), 2);
    assert!(state.import_progress.is_none(), "the job finished");
    // The truncated file came last: its error is what the status bar shows.
    h.get_by_label_contains("truncated.jpg: truncated JPEG");
}
