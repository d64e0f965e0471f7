//! The map workspace driven like a user would, with egui_kittest (no GPU, no window).
#![allow(clippy::unwrap_used)]

use crate::util;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use geoproof::case::{Case, Edit, Finding, FindingKind, ImportOptions};
use geoproof::ui::{CaseCommand, ImportCommand, MapCommand};
use geoproof::ui::{Command, GeoproofApp, Selection, Tool};

use std::time::Duration;
use util::app::{Holder, app, default_harness as harness, push, run_until};

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
    assert!(app(&h).state.map().goto_error.is_none());
    assert!(
        app(&h).state.map().memory.zoom() >= 12.0,
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
    let error = app(&h).state.map().goto_error.clone().unwrap();
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
    assert_eq!(app(&h).state.map().tool, Tool::PlaceFinding);
    assert_eq!(
        app(&h).state.shell().selection,
        Some(Selection::Finding(id.clone()))
    );
    let pos = egui::pos2(700.0, 430.0);
    h.hover_at(pos);
    h.run_steps(1);
    let hovered = app(&h)
        .state
        .map()
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
    // At town scale, where a straight screen line is close to a geodesic.
    h.state_mut()
        .app
        .as_mut()
        .unwrap()
        .state
        .map_mut()
        .memory
        .set_zoom(12.0)
        .unwrap();
    h.run_steps(1);
    h.get_by_label("Measure").click();
    h.run_steps(2);
    click_at(&mut h, egui::pos2(600.0, 400.0));
    click_at(&mut h, egui::pos2(800.0, 400.0));
    let points = app(&h).state.map().measure.clone();
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
    use geoproof::ui::basemap::SourceChoice;
    let mut h = harness(None);
    h.run_steps(2);
    let good = SourceChoice::PmTiles(util::data("landsat8-itaipu-z9-12.pmtiles"));
    push(&mut h, Command::Map(MapCommand::SetBasemap(good.clone())));
    h.run_steps(2);
    assert_eq!(app(&h).state.basemap().choice, good);

    let bad = SourceChoice::PmTiles(util::data("not-an-image.jpg"));
    push(&mut h, Command::Map(MapCommand::SetBasemap(bad)));
    h.run_steps(2);
    assert_eq!(
        app(&h).state.basemap().choice,
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
        util::data("not-an-image.jpg"),
    ];
    push(&mut h, Command::Import(ImportCommand::Files(files)));
    run_until(
        &mut h,
        "importing four files",
        Duration::from_secs(30),
        |h| {
            let s = &app(h).state;
            s.imports().import_progress.is_none() && s.case().unwrap().evidence().count() == 3
        },
    );
    h.run_steps(2);
    let state = &app(&h).state;
    let case = state.case().unwrap();
    assert_eq!(case.evidence().count(), 3);
    assert!(
        state.imports().import_progress.is_none(),
        "the job finished"
    );
    // The JPEG cut short is taken in as libjpeg reads it, the missing rows in its record.
    let cut = case
        .evidence()
        .find(|e| e.original_name == "truncated.jpg")
        .unwrap();
    assert!(
        cut.warnings
            .iter()
            .any(|w| w.contains("the bottom 291 of its 427 rows are missing")),
        "{:?}",
        cut.warnings
    );
    // The text file came last: its error is what the status bar shows.
    h.get_by_label_contains("not-an-image.jpg: not an image");
}

fn wait_until(h: &mut Harness<'static, Holder>, done: impl Fn(&GeoproofApp) -> bool) {
    run_until(h, "the condition", Duration::from_secs(30), |h| {
        done(app(h))
    });
}

#[test]
fn enabling_an_online_source_asks_first_and_nothing_is_sent_before() {
    use geoproof::ui::basemap::OnlineSource;
    use geoproof::ui::basemap::SourceChoice;
    let server = util::TileServer::start(util::ServerMode::Tiles);
    let online = SourceChoice::Online(OnlineSource::custom(&server.template()).unwrap());

    // Declining keeps the app offline.
    let mut h = harness(None);
    h.run_steps(2);
    push(&mut h, Command::Map(MapCommand::SetBasemap(online.clone())));
    h.run_steps(3);
    h.get_by_label_contains("Enable an online tile source?");
    h.get_by_label_contains(&format!("tiles from 127.0.0.1:{}", server.port));
    h.get_by_label("Stay offline").click();
    h.run_steps(5);
    assert_eq!(app(&h).state.basemap().choice, SourceChoice::BlueMarble);
    assert!(!app(&h).state.basemap().online_consent);
    h.get_by_label("Offline: no network requests");
    assert_eq!(server.connections(), 0, "declined: no connection at all");

    // Accepting switches the basemap; the requests are in the ledger.
    let mut h = harness(None);
    h.run_steps(2);
    push(&mut h, Command::Map(MapCommand::SetBasemap(online.clone())));
    h.run_steps(3);
    assert_eq!(
        server.connections(),
        0,
        "the question comes before any request"
    );
    assert!(app(&h).state.basemap().ledger.is_empty());
    h.get_by_label("Enable online source").click();
    wait_until(&mut h, |a| {
        a.state
            .basemap()
            .ledger
            .snapshot()
            .iter()
            .any(|e| matches!(e.outcome, geoproof::ui::ledger::Outcome::Ok { .. }))
    });
    assert_eq!(app(&h).state.basemap().choice, online);
    assert!(app(&h).state.basemap().online_consent);
    assert!(server.connections() > 0);
    h.run_steps(2);
    h.get_by_label_contains(&format!("ONLINE: 127.0.0.1:{}", server.port));

    // The explanation is shown once: a second online source opens without asking.
    let osm_like = SourceChoice::Online(
        OnlineSource::custom(&server.template().replace("127.0.0.1", "localhost")).unwrap(),
    );
    push(
        &mut h,
        Command::Map(MapCommand::SetBasemap(osm_like.clone())),
    );
    h.run_steps(3);
    assert_eq!(app(&h).state.basemap().choice, osm_like);

    // Going offline again stops the requests.
    h.get_by_label("Go offline").click();
    h.run_steps(3);
    assert_eq!(app(&h).state.basemap().choice, SourceChoice::BlueMarble);
    h.get_by_label_contains("Offline now");
}

#[test]
fn the_network_ledger_lists_requests_with_host_and_tile() {
    use geoproof::ui::basemap::OnlineSource;
    use geoproof::ui::basemap::SourceChoice;
    let server = util::TileServer::start(util::ServerMode::Tiles);
    let mut h = harness(None);
    h.run_steps(2);
    {
        let state = &mut h.state_mut().app.as_mut().unwrap().state;
        state.basemap_mut().online_consent = true;
        state.basemap_mut().show_ledger = true;
        state.push(Command::Map(MapCommand::SetBasemap(SourceChoice::Online(
            OnlineSource::custom(&server.template()).unwrap(),
        ))));
    }
    wait_until(&mut h, |a| {
        a.state
            .basemap()
            .ledger
            .snapshot()
            .iter()
            .any(|e| matches!(e.outcome, geoproof::ui::ledger::Outcome::Ok { .. }))
    });
    h.run_steps(2);
    // Rows show the tile as z/x/y; the newest rows are in view.
    let tiles: Vec<String> = app(&h)
        .state
        .basemap()
        .ledger
        .snapshot()
        .iter()
        .map(|e| format!("{}/{}/{}", e.tile.zoom, e.tile.x, e.tile.y))
        .collect();
    h.get_by_label("Network ledger");
    assert!(
        tiles.iter().any(|t| h.query_by_label(t).is_some()),
        "{tiles:?}"
    );
    let bytes = app(&h)
        .state
        .basemap()
        .ledger
        .snapshot()
        .iter()
        .find_map(|e| match e.outcome {
            geoproof::ui::ledger::Outcome::Ok { bytes, .. } => Some(bytes),
            _ => None,
        })
        .unwrap();
    assert!(
        h.query_all_by_label_contains(&format!("ok {bytes} B in"))
            .count()
            > 0
    );
    assert!(
        !h.query_all_by_label(&format!("127.0.0.1:{}", server.port))
            .collect::<Vec<_>>()
            .is_empty()
    );
}

#[test]
fn dragging_a_finding_marker_moves_it_as_one_saved_edit() {
    let (dir, mut case, id) = case_with_finding();
    case.apply(Edit::SetFindingLocation {
        id: id.clone(),
        location: Some(geoproof::case::FindingLocation {
            lat: 28.56,
            lon: -80.58,
            precision_m: 40.0,
        }),
    })
    .unwrap();
    case.save().unwrap();
    let mut h = harness(Some(case));
    h.run_steps(2);
    h.get_by_label("◆ Arrest site").click();
    h.run_steps(3);
    let start = app(&h)
        .state
        .map()
        .selected_marker_screen
        .expect("the selected marker is on screen");
    let events_before = log_events(&dir, "finding_located");
    let end = start + egui::vec2(120.0, 60.0);
    h.hover_at(start);
    h.run_steps(1);
    h.event(egui::Event::PointerButton {
        pos: start,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::default(),
    });
    h.run_steps(1);
    let center_before = app(&h).state.map_center().unwrap();
    for i in 1..=10 {
        h.hover_at(start + (end - start) * (i as f32 / 10.0));
        h.run_steps(1);
    }
    assert!(
        app(&h).state.map().dragging.is_some(),
        "the marker is being dragged"
    );
    assert_eq!(
        app(&h).state.map_center().unwrap(),
        center_before,
        "dragging a marker does not pan the map"
    );
    let target = app(&h).state.map().hover.unwrap();
    h.event(egui::Event::PointerButton {
        pos: end,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::default(),
    });
    h.run_steps(3);
    assert!(app(&h).state.map().dragging.is_none());
    let saved = Case::open_read_only(&dir.path().join("c")).unwrap();
    let l = saved.finding(&id).unwrap().location.unwrap();
    assert!(
        (l.lat - target.lat).abs() < 1e-9 && (l.lon - target.lon).abs() < 1e-9,
        "{l:?} vs {target:?}"
    );
    assert_eq!(l.precision_m, 40.0, "the precision is kept");
    assert_eq!(
        log_events(&dir, "finding_located"),
        events_before + 1,
        "one drag, one edit"
    );
}

#[test]
fn clicking_a_marker_with_the_pan_tool_selects_it() {
    let (_dir, mut case, id) = case_with_finding();
    case.apply(Edit::SetFindingLocation {
        id: id.clone(),
        location: Some(geoproof::case::FindingLocation {
            lat: 28.0,
            lon: -80.0,
            precision_m: 40.0,
        }),
    })
    .unwrap();
    let mut h = harness(Some(case));
    h.run_steps(2);
    h.get_by_label("◆ Arrest site").click();
    h.run_steps(3);
    let marker = app(&h).state.map().selected_marker_screen.unwrap();
    h.state_mut()
        .app
        .as_mut()
        .unwrap()
        .state
        .shell_mut()
        .selection = None;
    h.run_steps(1);
    click_at(&mut h, marker + egui::vec2(3.0, 2.0));
    assert_eq!(
        app(&h).state.shell().selection,
        Some(Selection::Finding(id))
    );
}

fn log_events(dir: &tempfile::TempDir, kind: &str) -> usize {
    std::fs::read_to_string(dir.path().join("c/log.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(&format!("\"{kind}\"")))
        .count()
}

#[test]
fn a_new_case_is_created_and_the_save_shortcut_confirms_it_is_on_disk() {
    use geoproof::ui::Command;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None);
    h.run_steps(2);
    push(
        &mut h,
        Command::Case(CaseCommand::New(dir.path().join("Bryansk"))),
    );
    h.run_steps(2);
    assert_eq!(
        Case::open_read_only(&dir.path().join("Bryansk"))
            .unwrap()
            .meta()
            .title,
        "Bryansk"
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run_steps(2);
    h.get_by_label_contains("saved: every change is on disk");
    // Creating a case where one already is fails visibly.
    push(
        &mut h,
        Command::Case(CaseCommand::New(dir.path().join("Bryansk"))),
    );
    h.run_steps(2);
    h.get_by_label_contains("already exists and is not empty");
}

#[test]
fn the_inspector_lists_near_duplicates_and_selects_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::create(&dir.path().join("c"), "dupes").unwrap();
    let rocket = case
        .import(&util::data("rocket-gps.jpg"), &ImportOptions::default())
        .unwrap()
        .record()
        .sha256
        .clone();
    let img = image::open(util::data("rocket-gps.jpg")).unwrap();
    let copy = dir.path().join("reposted.png");
    img.resize(400, 400, image::imageops::FilterType::Triangle)
        .save(&copy)
        .unwrap();
    let repost = case
        .import(&copy, &ImportOptions::default())
        .unwrap()
        .record()
        .clone();
    assert!(repost.warnings.iter().any(|w| w.contains("near duplicate")));
    let mut h = harness(Some(case));
    h.run_steps(2);
    h.get_by_label_contains("reposted.png").click();
    h.run_steps(2);
    h.get_by_label("Similar evidence").click();
    h.run_steps(2);
    h.get_by_label_contains("rocket-gps.jpg  (").click();
    h.run_steps(2);
    assert_eq!(
        app(&h).state.shell().selection,
        Some(Selection::Evidence(rocket))
    );
}

#[test]
fn the_finding_list_filters_by_confidence_and_the_inspector_changes_it() {
    use geoproof::case::Confidence;
    let (dir, mut case, id) = case_with_finding();
    let mut other = Finding::new(FindingKind::Comparison, "Same jacket");
    other.confidence = Confidence::Likely;
    case.apply(Edit::PutFinding(Box::new(other))).unwrap();
    let mut h = harness(Some(case));
    h.run_steps(2);
    h.get_by_label("◆ Arrest site");
    h.get_by_label("◆ Same jacket");
    h.get_by_label("with").click(); // the confidence picker over the list
    h.run_steps(2);
    h.get_by_label("likely").click();
    h.run_steps(2);
    assert!(
        h.query_by_label("◆ Arrest site").is_none(),
        "unverified is hidden"
    );
    h.get_by_label("◆ Same jacket");
    h.get_by_label("with").click();
    h.run_steps(2);
    h.get_by_label("any confidence").click();
    h.run_steps(2);
    h.get_by_label("◆ Arrest site").click();
    h.run_steps(2);
    // Raise the arrest site to "confirmed" in the inspector: saved through Edit.
    h.get_by_label("Confidence").click();
    h.run_steps(2);
    h.get_by_label("confirmed").click();
    h.run_steps(3);
    let saved = Case::open_read_only(&dir.path().join("c")).unwrap();
    assert_eq!(
        saved.finding(&id).unwrap().confidence,
        Confidence::Confirmed
    );
}

#[test]
fn help_about_names_the_version_features_and_bundled_data_with_licences() {
    let mut h = harness(None);
    h.run_steps(2);
    h.get_by_label("Help").click();
    h.run_steps(2);
    h.get_by_label("About geoproof…").click();
    h.run_steps(2);
    h.get_by_label(&geoproof::assets::version_line());
    h.get_by_label(&format!(
        "Bundled data: {}",
        geoproof::assets::Origin::current().describe()
    ));
    for item in geoproof::assets::BUNDLED_DATA {
        h.get_by_label(item.name);
        assert!(
            h.query_all_by_label(item.licence).count() >= 1,
            "{}",
            item.licence
        );
    }
}

/// Scrolls the wheel by `notches` over the map at `pos` and returns (zoom before, zoom
/// after, position under the pointer before, after).
fn wheel_at(
    h: &mut Harness<'static, Holder>,
    pos: egui::Pos2,
    notches: f32,
    modifiers: egui::Modifiers,
) -> (
    f64,
    f64,
    geoproof::spatial::LatLon,
    geoproof::spatial::LatLon,
) {
    h.hover_at(pos);
    h.run_steps(2);
    let before = app(h).state.map().hover.expect("pointer over the map");
    let z0 = app(h).state.map().memory.zoom();
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: egui::vec2(0.0, notches),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers,
    });
    // egui spreads a wheel notch over several frames.
    for _ in 0..20 {
        h.run_steps(1);
    }
    let after = app(h).state.map().hover.expect("pointer over the map");
    (z0, app(h).state.map().memory.zoom(), before, after)
}

/// Degrees of longitude one screen pixel spans at `zoom` (256-px tiles).
fn degrees_per_pixel(zoom: f64) -> f64 {
    360.0 / (256.0 * 2f64.powf(zoom))
}

/// The point under the pointer stays under it, to a pixel, when the wheel zooms in and
/// out: at the centre, near the corners and at a high latitude, from world to street
/// zoom. (The plain wheel used to pan the map instead, by 4° of latitude a notch.)
#[test]
fn wheel_zoom_keeps_the_point_under_the_pointer() {
    let mut h = harness(None);
    h.run_steps(2);
    let rect = app(&h).state.map().view.expect("map drawn").rect;
    let spots = [
        rect.center(),
        rect.left_top() + egui::vec2(30.0, 30.0),
        rect.right_bottom() - egui::vec2(30.0, 30.0),
        egui::pos2(rect.left() + 40.0, rect.bottom() - 40.0),
    ];
    for (lat, zoom) in [(53.08, 3.0), (53.08, 10.0), (78.2, 6.0), (-54.8, 17.0)] {
        for (i, spot) in spots.iter().enumerate() {
            {
                let state = &mut h.state_mut().app.as_mut().unwrap().state;
                state
                    .map_mut()
                    .memory
                    .center_at(walkers::lon_lat(15.6, lat));
                state.map_mut().memory.set_zoom(zoom).unwrap();
            }
            h.run_steps(2);
            let notches = if i % 2 == 0 { 2.0 } else { -2.0 };
            let (z0, z1, before, after) = wheel_at(&mut h, *spot, notches, Default::default());
            assert!(
                (z1 - z0 - f64::from(notches) * 0.5).abs() < 1e-9,
                "two notches are one zoom level: {z0} -> {z1}"
            );
            let px = degrees_per_pixel(z1.max(z0));
            let dlon = (after.lon - before.lon).abs() / px;
            // A degree of latitude spans 1/cos(lat) times the pixels of longitude.
            let dlat = (after.lat - before.lat).abs() / px / before.lat.to_radians().cos();
            assert!(
                dlon < 1.0 && dlat < 1.0,
                "at {lat}° zoom {zoom} spot {spot:?}: {before:?} -> {after:?} ({dlon:.2}, {dlat:.2} px)"
            );
        }
    }
}

/// Double-click zooms in at the pointer (walkers' own gesture) and keeps the point too.
#[test]
fn double_click_zooms_in_at_the_pointer() {
    let mut h = util::app::app_harness_stepping(None, egui::vec2(1400.0, 860.0), 1.0 / 60.0);
    h.run_steps(2);
    {
        let state = &mut h.state_mut().app.as_mut().unwrap().state;
        state.map_mut().memory.set_zoom(5.0).unwrap();
    }
    h.run_steps(2);
    let rect = app(&h).state.map().view.unwrap().rect;
    let spot = rect.left_top() + egui::vec2(120.0, 90.0);
    h.hover_at(spot);
    h.run_steps(2);
    let before = app(&h).state.map().hover.unwrap();
    for pressed in [true, false, true, false] {
        h.event(egui::Event::PointerButton {
            pos: spot,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Default::default(),
        });
        h.run_steps(1);
    }
    h.run_steps(3);
    let z = app(&h).state.map().memory.zoom();
    assert!(z > 5.5, "double-click zoomed in: {z}");
    let after = app(&h).state.map().hover.unwrap();
    let px = degrees_per_pixel(z);
    assert!(
        (after.lon - before.lon).abs() < px,
        "{before:?} -> {after:?}"
    );
}

/// A case with two findings a few kilometres apart near the arrest site, one 250 m
/// precise, and one photo with GPS in Cape Canaveral.
fn case_with_places() -> (tempfile::TempDir, Case, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::create(&dir.path().join("c"), "framing").unwrap();
    let mut ids = Vec::new();
    for (title, lat, lon, precision_m) in [
        ("Arrest site", 53.079839, 34.554344, 250.0),
        ("Road junction", 53.10, 34.60, 2000.0),
    ] {
        let mut f = Finding::new(FindingKind::Geolocation, title);
        f.location = Some(geoproof::case::FindingLocation {
            lat,
            lon,
            precision_m,
        });
        ids.push(f.id.clone());
        case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    }
    case.save().unwrap();
    (dir, case, ids[0].clone(), ids[1].clone())
}

fn view(h: &Harness<'static, Holder>) -> geoproof::ui::MapViewExtent {
    app(h).state.map().view.expect("map drawn")
}

fn shows(v: &geoproof::ui::MapViewExtent, lat: f64, lon: f64) -> bool {
    (v.south..=v.north).contains(&lat) && (v.west..=v.east).contains(&lon)
}

#[test]
fn opening_a_case_frames_its_located_items_and_an_empty_one_shows_the_world() {
    let (_dir, case, _, _) = case_with_places();
    let mut h = harness(Some(case));
    h.run_steps(3);
    let v = view(&h);
    assert!(
        shows(&v, 53.079839, 34.554344) && shows(&v, 53.10, 34.60),
        "{v:?}"
    );
    assert!(
        v.zoom <= geoproof::ui::CASE_MAX_ZOOM + 1e-9,
        "no deeper than the basemap reads: {}",
        v.zoom
    );

    let dir = tempfile::tempdir().unwrap();
    let empty = Case::create(&dir.path().join("e"), "empty").unwrap();
    let mut h = harness(Some(empty));
    h.run_steps(3);
    let v = view(&h);
    assert!(v.zoom < 3.0, "the world, not a green wall: zoom {}", v.zoom);
    assert!(
        shows(&v, 53.0, 34.0) && shows(&v, 40.7, -74.0) && shows(&v, -33.9, 151.2),
        "{v:?}"
    );
}

#[test]
fn selecting_a_finding_flies_to_its_precision_circle_and_f_keys_frame() {
    let (_dir, case, precise, _) = case_with_places();
    let mut h = harness(Some(case));
    h.run_steps(3);
    let case_zoom = view(&h).zoom;
    // The finding list selects it: a short flight ends on its 250 m circle.
    h.get_by_label("◆ Arrest site").click();
    h.run_steps(1);
    assert_eq!(
        app(&h).state.shell().selection,
        Some(Selection::Finding(precise.clone()))
    );
    h.run_steps(1);
    let mid = view(&h).zoom;
    h.run_steps(4);
    let v = view(&h);
    assert!(
        v.zoom > 14.0,
        "close enough to see a 250 m circle: {}",
        v.zoom
    );
    assert!(mid < v.zoom, "it flew ({case_zoom} → {mid} → {})", v.zoom);
    let circle = 250.0 / 111_320.0;
    assert!(
        shows(&v, 53.079839 + circle, 34.554344) && shows(&v, 53.079839 - circle, 34.554344),
        "{v:?}"
    );
    // Already in view: selecting it again does not move the map.
    h.get_by_label("◆ Arrest site").click();
    h.run_steps(5);
    assert_eq!(view(&h).zoom, v.zoom);

    // Shift+F frames the whole case, F the selection again.
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::F);
    h.run_steps(5);
    let all = view(&h);
    assert!(shows(&all, 53.10, 34.60) && all.zoom <= geoproof::ui::CASE_MAX_ZOOM + 1e-9);
    h.key_press(egui::Key::F);
    h.run_steps(5);
    assert!((view(&h).zoom - v.zoom).abs() < 1e-6);
}

/// A case with `n` photo records named `p000.jpg`… whose hashes run in the opposite
/// order of their names, every tenth with GPS. (Records only: the lists never need the
/// originals, and the missing thumbnails say "(unreadable)".)
fn case_with_many_photos(n: usize) -> (tempfile::TempDir, Case) {
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::create(&dir.path().join("c"), "many").unwrap();
    for i in 0..n {
        let sha = format!("{:064x}", n - i);
        let record = geoproof::case::EvidenceRecord {
            file: format!("evidence/{sha}.jpg"),
            sha256: sha,
            original_name: format!("p{i:03}.jpg"),
            size_bytes: 1,
            media_type: "image/jpeg".into(),
            width: 10,
            height: 10,
            exif: geoproof::evidence::ExifSummary {
                lat: (i % 10 == 0).then_some(50.0),
                lon: (i % 10 == 0).then_some(30.0),
                ..Default::default()
            },
            perceptual_hash: None,
            source_url: None,
            acquired_at: chrono::DateTime::from_timestamp(1_700_000_000 + (n - i) as i64, 0)
                .unwrap(),
            notes: String::new(),
            fov_deg: None,
            warnings: Vec::new(),
            video: None,
            derived_from: None,
            graphic: false,
            sources: Vec::new(),
            content_credentials: None,
            extra: Default::default(),
        };
        case.apply(Edit::AddEvidence(Box::new(record))).unwrap();
    }
    case.save().unwrap();
    (dir, case)
}

/// Names of the evidence rows the list built, top to bottom.
fn evidence_rows(h: &Harness<'static, Holder>) -> Vec<String> {
    h.query_all_by_label_contains(".jpg")
        .map(|n| {
            use egui_kittest::kittest::NodeT as _;
            n.accesskit_node().label().unwrap_or_default()
        })
        .filter(|l| l.starts_with("◉ p") || l.starts_with("○ p"))
        .collect()
}

#[test]
fn evidence_lists_sort_filter_and_build_only_visible_rows() {
    let (_dir, case) = case_with_many_photos(3000);
    let mut h = harness(Some(case));
    h.run_steps(3);
    // By name, not by hash; only the rows in view are built.
    let rows = evidence_rows(&h);
    assert_eq!(
        rows.first().map(String::as_str),
        Some("◉ p000.jpg"),
        "{rows:?}"
    );
    assert_eq!(
        rows.get(1).map(String::as_str),
        Some("○ p001.jpg"),
        "{rows:?}"
    );
    assert!(rows.len() < 40, "{} rows built for 3000 items", rows.len());

    // The evidence list's controls come before the finding list's.
    let first = |h: &Harness<'static, Holder>, label: &str| {
        h.query_all_by_label(label).next().unwrap().click();
    };
    // Descending.
    first(&h, "⬆");
    h.run_steps(2);
    assert_eq!(
        evidence_rows(&h).first().map(String::as_str),
        Some("○ p2999.jpg")
    );
    first(&h, "⬇");
    h.run_steps(2);

    // By intake time: the last one was taken in first.
    h.query_all(
        egui_kittest::kittest::By::new()
            .label("Sort")
            .role(egui::accesskit::Role::ComboBox),
    )
    .next()
    .unwrap()
    .click();
    h.run_steps(2);
    h.get_by_label("intake time").click();
    h.run_steps(2);
    assert_eq!(
        evidence_rows(&h).first().map(String::as_str),
        Some("○ p2999.jpg")
    );

    // A filter text, then located items only.
    let field = h.get_by_label("Filter evidence");
    field.focus();
    field.type_text("P129");
    h.run_steps(2);
    let rows = evidence_rows(&h);
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r.contains("p129")),
        "{rows:?}"
    );
    // p129 and p1290…p1299.
    h.get_by_label("11 of 3000 shown");
    first(&h, "located");
    h.run_steps(2);
    assert_eq!(evidence_rows(&h), ["◉ p1290.jpg"]);
}

/// The arrest site as a finding observed at 09:00 Moscow time on 2024-03-23, selected,
/// with the sun shown at that time.
fn sun_at_the_arrest_site() -> (
    tempfile::TempDir,
    Harness<'static, Holder>,
    chrono::DateTime<chrono::FixedOffset>,
) {
    use chrono::TimeZone;
    let (dir, mut case, id) = case_with_finding();
    let mut f = case.finding(&id).unwrap().clone();
    f.location = Some(geoproof::case::FindingLocation {
        lat: 53.079839,
        lon: 34.554344,
        precision_m: 100.0,
    });
    let observed = chrono::FixedOffset::east_opt(3 * 3600)
        .unwrap()
        .with_ymd_and_hms(2024, 3, 23, 9, 0, 0)
        .unwrap();
    f.observed_at = Some(observed);
    case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    let mut h = harness(Some(case));
    h.run_steps(2);
    h.get_by_label("◆ Arrest site").click();
    h.run_steps(2);
    h.get_by_label("Show the sun on the map").click();
    h.get_by_label("Use the finding's time").click();
    h.run_steps(2);
    (dir, h, observed)
}

/// The sun panel shows SPA's numbers for the selected finding at its observed time, and
/// the time slider moves them minute by minute.
#[test]
fn the_sun_panel_follows_the_time_slider_at_the_selected_finding() {
    use chrono::{Duration, Utc};
    let (_dir, mut h, observed) = sun_at_the_arrest_site();
    let t0 = app(&h).state.map().sun.time_utc;
    assert_eq!(t0, observed.with_timezone(&Utc));
    let p = geoproof::spatial::LatLon {
        lat: 53.079839,
        lon: 34.554344,
    };
    let sun = geoproof::sun::sun_at(p, 0.0, t0, None, Default::default()).unwrap();
    h.get_by_label(&format!("{:.2}°", sun.azimuth_deg));
    // One step of the slider is one minute later; the numbers follow.
    let slider = h
        .query_all(egui_kittest::kittest::By::new().role(egui::accesskit::Role::Slider))
        .next()
        .expect("the time slider");
    slider.focus();
    h.run_steps(1);
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(2);
    let t1 = app(&h).state.map().sun.time_utc;
    assert_eq!(t1 - t0, Duration::minutes(1));
    let later = geoproof::sun::sun_at(p, 0.0, t1, None, Default::default()).unwrap();
    h.get_by_label(&format!("{:.2}°", later.azimuth_deg));
}

/// A measured shadow in the sun panel: the day's windows at the finding, and the places
/// where it fits at the shown instant, computed in the background.
#[test]
fn a_measured_shadow_gives_the_days_windows_and_the_places() {
    let (_dir, mut h, observed) = sun_at_the_arrest_site();
    let p = geoproof::spatial::LatLon {
        lat: 53.079839,
        lon: 34.554344,
    };
    let t = observed.with_timezone(&chrono::Utc);
    let sun = geoproof::sun::sun_at(p, 0.0, t, None, Default::default()).unwrap();
    let ratio = sun.shadow_ratio().unwrap();
    let field = h.get_by_label("Shadow ÷ height");
    field.focus();
    field.type_text(&format!("{ratio:.4}"));
    h.run_steps(1);
    let field = h.get_by_label("Shadow toward (°, optional)");
    field.focus();
    field.type_text(&format!("{:.1}±10", sun.shadow_bearing_deg()));
    h.run_steps(1);
    // The inspector above the sun panel (review, signatures) may push it out of view.
    h.get_by_label("When, this day?").scroll_to_me();
    h.run_steps(3);
    h.get_by_label("When, this day?").click();
    h.run_steps(2);
    let windows = match &app(&h).state.map().sun.windows {
        Some(Ok(w)) => w.clone(),
        other => panic!("no windows: {other:?}"),
    };
    assert_eq!(windows.len(), 2, "{windows:?}");
    assert!(
        windows[0].start_utc <= t && t <= windows[0].end_utc,
        "{windows:?}"
    );
    // The shadow's direction picks the morning window.
    assert_eq!(
        (windows[0].bearing_fits, windows[1].bearing_fits),
        (Some(true), Some(false))
    );
    h.get_by_label_contains("bearing fits");
    h.get_by_label("Where, at this time?").click();
    run_until(&mut h, "finding the places", Duration::from_secs(60), |h| {
        !matches!(
            app(h).state.map().sun.locus,
            Some(geoproof::ui::Locus::Computing(_))
        )
    });
    match &app(&h).state.map().sun.locus {
        Some(geoproof::ui::Locus::Ready { area, .. }) => {
            use geo::Contains;
            assert!(area.contains(&geo::point!(x: p.lon, y: p.lat)));
        }
        Some(geoproof::ui::Locus::Failed(e)) => panic!("{e}"),
        _ => panic!("the places were never found"),
    }
    h.get_by_label_contains("Drawn on the map");
    // Both answers are saved as chronolocation findings, with what they were from.
    for button in [
        "Save as a chronolocation finding",
        "Save these places as a chronolocation finding",
    ] {
        // Scrolled into view with the wheel over the inspector, as a user would.
        let over = h.get_by_label(button).rect().left_top() + egui::vec2(10.0, -200.0);
        h.hover_at(over);
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -400.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::default(),
        });
        h.run_steps(3);
        h.get_by_label(button).click();
        h.run_steps(3);
    }
    let case = app(&h).state.case().unwrap();
    let saved: Vec<_> = case
        .findings()
        .filter(|f| f.kind == geoproof::case::FindingKind::Chronolocation)
        .collect();
    assert_eq!(saved.len(), 2);
    let times = saved
        .iter()
        .find_map(|f| {
            f.chronolocation
                .as_ref()
                .filter(|c| c.method == "times_at_place")
        })
        .expect("the windows");
    assert_eq!(times.windows.len(), 2);
    assert!((times.shadows[0].ratio - (ratio * 1e4).round() / 1e4).abs() < 1e-9);
    let places = saved
        .iter()
        .find_map(|f| {
            f.chronolocation
                .as_ref()
                .filter(|c| c.method == "places_at_time")
        })
        .expect("the places");
    assert!(!places.locus.as_ref().unwrap().is_empty());
}

/// A damaged record is named in the case panel with its cause; the rest of the case is
/// there.
#[test]
fn the_case_panel_names_damaged_records() {
    let (dir, case, _) = case_with_finding();
    let root = case.root().to_owned();
    drop(case);
    std::fs::write(root.join("findings/F-broken.json"), b"{ not json").unwrap();
    let case = Case::open(&root).unwrap();
    assert_eq!(case.damaged().len(), 1);
    let mut h = harness(Some(case));
    h.run_steps(2);
    h.get_by_label_contains("Damaged records (1)");
    h.get_by_label("findings/F-broken.json");
    h.get_by_label("◆ Arrest site");
    drop(dir);
}

#[test]
fn a_collection_imports_in_the_background_and_its_posts_are_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let export = util::collections::channel_export(dir.path());
    let case = Case::create(&dir.path().join("c"), "collection").unwrap();
    let mut h = harness(Some(case));
    h.run_steps(2);
    push(
        &mut h,
        Command::Import(ImportCommand::Collection(export.clone())),
    );
    wait_until(&mut h, |a| {
        a.state.imports().last_collection.is_some()
            && a.state.imports().collection_progress.is_none()
    });
    h.run_steps(2);
    let state = &app(&h).state;
    assert_eq!(state.case().unwrap().evidence().count(), 3);
    h.get_by_label_contains("3 added, 1 gained a source, 0 unchanged, 1 missing from the export");
    // The posts window lists the four posts and narrows them by caption.
    h.get_by_label("Case").click();
    h.run_steps(2);
    h.get_by_label("Posts…").click();
    h.run_steps(2);
    h.get_by_label("4 of 4 posts");
    h.get_by_label("Search captions").click();
    h.run_steps(1);
    h.get_by_label("Search captions").type_text("promised");
    h.run_steps(2);
    h.get_by_label("1 of 4 posts");
    h.get_by_label("Launch pad, as promised");
    h.get_by_label("Open on board").click();
    h.run_steps(3);
    let board = app(&h)
        .state
        .board()
        .working
        .as_ref()
        .expect("opened on the board");
    let photo = app(&h)
        .state
        .case()
        .unwrap()
        .evidence()
        .find(|e| e.original_name.starts_with("photo_1"))
        .unwrap()
        .sha256
        .clone();
    assert_eq!(board.evidence_ids(), vec![photo.as_str()]);
}

#[test]
fn a_collection_import_can_be_cancelled_and_keeps_what_it_stored() {
    let dir = tempfile::tempdir().unwrap();
    let export = util::collections::channel_export(dir.path());
    let case = Case::create(&dir.path().join("c"), "collection").unwrap();
    let mut h = harness(Some(case));
    h.run_steps(2);
    {
        let state = &mut h.state_mut().app.as_mut().unwrap().state;
        state.push(Command::Import(ImportCommand::Collection(export)));
        // Asked before the first file is stored: the worker stops between files.
        state.push(Command::Import(ImportCommand::CancelCollection));
    }
    wait_until(&mut h, |a| a.state.imports().last_collection.is_some());
    h.run_steps(1);
    h.get_by_label_contains("(cancelled)");
    let log = std::fs::read_to_string(dir.path().join("c/log.jsonl")).unwrap();
    assert!(log.contains("\"cancelled\":true"), "{log}");
}

#[test]
fn stamping_asks_first_and_each_request_is_in_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::create(&dir.path().join("c"), "stamp").unwrap();
    case.import(&util::data("rocket-gps.jpg"), &ImportOptions::default())
        .unwrap();
    let mut h = harness(Some(case));
    h.run_steps(2);
    h.get_by_label("Case").click();
    h.run_steps(2);
    h.get_by_label("Stamp case…").click();
    h.run_steps(2);
    h.get_by_label_contains("Only the SHA-256 of the case manifest leaves this computer");
    assert!(
        app(&h).state.basemap().ledger.is_empty(),
        "nothing is sent before the analyst agrees"
    );
    // A local stand-in for an authority: this test never leaves the machine.
    let token = std::fs::read(util::data("timestamping/valid_timestamp.tsr")).unwrap();
    let (url, server) = util::local_authority(token);
    {
        let dialog = h
            .state_mut()
            .app
            .as_mut()
            .unwrap()
            .state
            .dialogs_mut()
            .stamp
            .as_mut()
            .unwrap();
        dialog.chosen = vec![false; 3];
        dialog.custom = url.clone();
    }
    h.run_steps(1);
    h.get_by_label("Agree and send to 1 authorities").click();
    wait_until(&mut h, |a| a.state.shell().status.is_some());
    server.join().unwrap();
    h.run_steps(2);
    let entries = app(&h).state.basemap().ledger.snapshot();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].url, url);
    assert_eq!(entries[0].purpose.as_deref(), Some("timestamp of the case"));
    assert!(dir.path().join("c/timestamps").is_dir());
    // The canned token stamps other data: the status says it proves nothing.
    h.get_by_label_contains("0 of 1 authorities gave a valid token");
}
