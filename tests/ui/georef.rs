//! The georeference view driven like a user would (egui_kittest, no GPU): control points
//! placed by clicking the image then the map, moved by dragging on either side,
//! deleted with the Delete key; every gesture one saved, undoable edit; the fitted image
//! drawn on the map once the points define a fit.
#![allow(clippy::unwrap_used)]

use crate::util;

use egui::{Pos2, vec2};
use egui_kittest::Harness;
use geoproof::case::{Case, ImportOptions};
use geoproof::spatial::LatLon;
use geoproof::ui::{BesideCommand, BoardCommand, MapCommand};
use geoproof::ui::{Command, Workspace};

use util::app::{Holder, app, app_harness, click, drag, push, run_until};

/// A case with one photo on the board, opened in the georeference view at a known
/// place on the map.
fn georef_view() -> (tempfile::TempDir, Harness<'static, Holder>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::create(&dir.path().join("c"), "georef test").unwrap();
    let outcome = case
        .import(&util::data("coffee-no-gps.jpg"), &ImportOptions::default())
        .unwrap();
    let id = match outcome {
        geoproof::case::ImportOutcome::Added(r) | geoproof::case::ImportOutcome::Duplicate(r) => {
            r.sha256
        }
    };
    case.save().unwrap();
    let mut h = app_harness(Some(case), vec2(1400.0, 860.0));
    h.run_steps(2);
    push(
        &mut h,
        Command::Board(BoardCommand::NewComparison(vec![id])),
    );
    h.run_steps(3);
    let finding = app(&h).state.board().finding.clone().unwrap();
    push(
        &mut h,
        Command::Beside(BesideCommand::StartGeoref { panel: "P1".into() }),
    );
    h.run_steps(2);
    assert_eq!(app(&h).state.shell().workspace, Workspace::Map);
    push(
        &mut h,
        Command::Map(MapCommand::CenterOn(
            LatLon {
                lat: 50.45,
                lon: 30.52,
            },
            Some(16.0),
        )),
    );
    h.run_steps(4);
    (dir, h, finding)
}

/// The screen position of an image pixel in the image half.
fn on_image(h: &Harness<'_, Holder>, x: f64, y: f64) -> Pos2 {
    let s = app(h).state.georef().unwrap();
    let r = s.image_rect.unwrap();
    let k = r.width() / s.size[0] as f32;
    r.min + vec2(x as f32 * k, y as f32 * k)
}

fn on_map(h: &Harness<'_, Holder>, fx: f32, fy: f32) -> Pos2 {
    let r = app(h).state.map().view.unwrap().rect;
    r.min + vec2(r.width() * fx, r.height() * fy)
}

fn saved_points(dir: &tempfile::TempDir, id: &str) -> Vec<geoproof::spatial::georef::ControlPoint> {
    Case::open_read_only(&dir.path().join("c"))
        .unwrap()
        .finding(id)
        .unwrap()
        .georeference
        .as_ref()
        .map(|g| g.points.clone())
        .unwrap_or_default()
}

/// Adds a point: the image pixel, then the map position.
fn place(h: &mut Harness<'static, Holder>, px: (f64, f64), map: (f32, f32)) {
    let p = on_image(h, px.0, px.1);
    click(h, p);
    let m = on_map(h, map.0, map.1);
    click(h, m);
}

#[test]
fn points_are_placed_on_the_image_then_the_map_and_each_is_one_undo_step() {
    let (dir, mut h, finding) = georef_view();
    // The image half shows the photo (600×400): a click starts point 1.
    let p = on_image(&h, 100.0, 80.0);
    click(&mut h, p);
    // The click lands on the nearest screen pixel: within a pixel of the target.
    let pending = app(&h).state.georef().unwrap().pending.unwrap();
    assert!(
        (pending[0] - 100.0).abs() < 1.5 && (pending[1] - 80.0).abs() < 1.5,
        "{pending:?}"
    );
    let m = on_map(&h, 0.3, 0.3);
    let expected = app(&h).state.map().view.unwrap().to_geo(m);
    click(&mut h, m);
    let points = saved_points(&dir, &finding);
    assert_eq!(points.len(), 1, "saved at once");
    assert!((points[0].lat - expected.0).abs() < 1e-5 && (points[0].lon - expected.1).abs() < 1e-5);
    assert!(app(&h).state.georef().unwrap().pending.is_none());

    // Three more: the default projective method has its four.
    place(&mut h, (500.0, 90.0), (0.7, 0.3));
    place(&mut h, (520.0, 330.0), (0.72, 0.7));
    place(&mut h, (90.0, 320.0), (0.28, 0.72));
    assert_eq!(saved_points(&dir, &finding).len(), 4);
    let fit = app(&h).state.georef_record().unwrap().fit();
    assert!(fit.is_ok(), "{fit:?}");
    // n equals the minimum: the warning says the residuals prove nothing.
    assert!(fit.unwrap().warnings.iter().any(|w| w.contains("prove")));
    // The image is on the map.
    h.run_steps(2);
    assert!(app(&h).state.map().overlays_drawn().georef_triangles > 0);

    // Undo takes back the last point, redo brings it back.
    push(&mut h, Command::Board(BoardCommand::Undo));
    h.run_steps(2);
    assert_eq!(saved_points(&dir, &finding).len(), 3);
    push(&mut h, Command::Board(BoardCommand::Redo));
    h.run_steps(2);
    assert_eq!(saved_points(&dir, &finding).len(), 4);
}

#[test]
fn points_move_by_dragging_on_either_side_without_panning_the_map() {
    let (dir, mut h, finding) = georef_view();
    place(&mut h, (100.0, 80.0), (0.3, 0.3));
    place(&mut h, (500.0, 90.0), (0.7, 0.3));
    let before = saved_points(&dir, &finding);

    // On the image: point 1 dragged 40 screen points right.
    let from = on_image(&h, before[0].x, before[0].y);
    let k = {
        let s = app(&h).state.georef().unwrap();
        f64::from(s.image_rect.unwrap().width()) / f64::from(s.size[0])
    };
    drag(&mut h, from, from + vec2(40.0, 0.0));
    let after = saved_points(&dir, &finding);
    assert!(
        (after[0].x - (before[0].x + 40.0 / k)).abs() < 1.5,
        "{:?} → {:?}",
        before[0],
        after[0]
    );
    assert_eq!((after[0].lat, after[0].lon), (before[0].lat, before[0].lon));

    // On the map: point 2 dragged; the map stays where it was.
    let extent = app(&h).state.map().view.unwrap();
    let from = extent.to_screen(before[1].lat, before[1].lon);
    let to = from + vec2(-30.0, 25.0);
    let centre_before = app(&h).state.map().memory.detached();
    drag(&mut h, from, to);
    let after = saved_points(&dir, &finding);
    let expected = extent.to_geo(to);
    assert!(
        (after[1].lat - expected.0).abs() < 2e-5,
        "{:?} vs {expected:?}",
        after[1]
    );
    assert!(
        (after[1].lon - expected.1).abs() < 2e-5,
        "{:?} vs {expected:?}",
        after[1]
    );
    assert_eq!((after[1].x, after[1].y), (before[1].x, before[1].y));
    assert_eq!(
        app(&h).state.map().memory.detached(),
        centre_before,
        "the map did not pan"
    );
}

#[test]
fn a_selected_point_is_deleted_with_the_delete_key() {
    let (dir, mut h, finding) = georef_view();
    place(&mut h, (100.0, 80.0), (0.3, 0.3));
    place(&mut h, (500.0, 90.0), (0.7, 0.3));
    place(&mut h, (300.0, 300.0), (0.5, 0.7));
    let before = saved_points(&dir, &finding);
    // Select point 2 on the map, press Delete.
    let extent = app(&h).state.map().view.unwrap();
    let at = extent.to_screen(before[1].lat, before[1].lon);
    click(&mut h, at);
    assert_eq!(app(&h).state.georef().unwrap().selected, Some(1));
    h.key_press(egui::Key::Delete);
    h.run_steps(2);
    let after = saved_points(&dir, &finding);
    assert_eq!(after.len(), 2);
    assert_eq!(after[0], before[0]);
    assert_eq!(after[1], before[2]);
    // Select on the image, delete.
    let p = on_image(&h, after[0].x, after[0].y);
    click(&mut h, p);
    h.key_press(egui::Key::Delete);
    h.run_steps(2);
    assert_eq!(saved_points(&dir, &finding), vec![before[2]]);
}

#[test]
fn the_demo_case_opens_its_landsat_layer_and_draws_it_under_the_overlay() {
    let (_demo, root) = util::demo_copy();
    let case = Case::open(&root).unwrap();
    let layer = case.imagery_path(&case.meta().imagery_layers[0]);
    let mut h = app_harness(Some(case), vec2(1400.0, 860.0));
    h.run_steps(2);
    push(
        &mut h,
        Command::Select(geoproof::ui::Selection::Finding(
            "F-demo-itaipu-georef".into(),
        )),
    );
    h.run_steps(2);
    {
        let state = &mut h.state_mut().app.as_mut().unwrap().state;
        state
            .map_mut()
            .memory
            .center_at(walkers::lon_lat(-54.59, -25.415));
        let _ = state.map_mut().memory.set_zoom(13.0);
    }
    let mut drawn = 0;
    run_until(
        &mut h,
        "rendering the layer's tiles",
        std::time::Duration::from_secs(30),
        |h| {
            let app = h.state_mut().app.as_mut().unwrap();
            drawn = app.imagery.get_mut(&layer).map_or(0, |t| t.cached());
            drawn > 0 && app.imagery.get_mut(&layer).is_some_and(|t| t.idle())
        },
    );
    assert!(drawn > 0, "the layer rendered tiles");
    // The selected finding's frame lies on the map.
    assert!(app(&h).state.map().overlays_drawn().georef_triangles > 0);
}

#[test]
fn a_graphic_image_is_shielded_in_the_georeference_view_until_revealed() {
    let (_dir, mut h, _finding) = georef_view();
    assert!(
        app(&h).side_image_size().is_some_and(|s| s[0] > 100),
        "the photo itself"
    );
    let sha = {
        let state = &app(&h).state;
        state
            .case()
            .unwrap()
            .evidence()
            .next()
            .unwrap()
            .sha256
            .clone()
    };
    push(
        &mut h,
        Command::Edit(geoproof::case::Edit::SetEvidenceGraphic {
            id: sha.clone(),
            graphic: true,
        }),
    );
    h.run_steps(3);
    let size = app(&h).side_image_size().unwrap();
    assert!(
        size[0] <= 20 && size[1] <= 20,
        "the 20 px stand-in: {size:?}"
    );
    h.state_mut()
        .app
        .as_mut()
        .unwrap()
        .state
        .prefs_mut()
        .exposure
        .revealed
        .insert(sha);
    h.run_steps(3);
    assert!(
        app(&h).side_image_size().is_some_and(|s| s[0] > 100),
        "revealed"
    );
}
