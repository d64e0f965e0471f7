//! Terrain in the app (#33) driven like a user would, with egui_kittest: an elevation
//! layer added to the case, its hillshade and the elevation under the pointer; the
//! profile's verdict along the Measure line; the viewshed overlay. Synthetic DEMs with
//! closed-form heights (tests/util/dem.rs).
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used)]

mod util;

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use geoproof::case::Case;
use geoproof::spatial::LatLon;
use geoproof::ui::{Command, Status};
use util::app::{Holder, app, default_harness as harness, push, run_until};
use util::dem::{synthetic, to_latlon, to_local};

const LIMIT: Duration = Duration::from_secs(60);

/// A plane rising 0.1 m per metre eastward from 100 m at the origin, 401 cells of 10 m.
fn plane(x: f64, _y: f64) -> f32 {
    (100.0 + 0.1 * x) as f32
}

fn empty_case() -> (tempfile::TempDir, Case) {
    let dir = tempfile::tempdir().unwrap();
    let case = Case::create(&dir.path().join("c"), "Terrain UI test").unwrap();
    (dir, case)
}

fn app_mut<'a>(h: &'a mut Harness<'static, Holder>) -> &'a mut geoproof::ui::GeoproofApp {
    h.state_mut().app.as_mut().unwrap()
}

/// Adds `files` as the analyst would (the menu's file dialog sends this command) and
/// waits until the case lists them and the surface is open.
fn add_elevation(h: &mut Harness<'static, Holder>, files: Vec<std::path::PathBuf>) {
    let n = files.len();
    push(h, Command::AddElevation(files));
    run_until(h, "the elevation files are added", LIMIT, |h| {
        app(h)
            .state
            .case()
            .is_some_and(|c| c.meta().elevation.files.len() == n)
    });
    run_until(h, "the surface opens", LIMIT, |h| {
        app_mut(h).elevation.idle()
    });
}

/// Centres the map on `p` at `zoom` and waits for the hillshade tiles.
fn look_at(h: &mut Harness<'static, Holder>, p: LatLon, zoom: f64) {
    push(h, Command::CenterOn(p, None));
    h.run_steps(1);
    app_mut(h).state.map_mut().memory.set_zoom(zoom).unwrap();
    h.run_steps(2);
    run_until(h, "the hillshade tiles render", LIMIT, |h| {
        app_mut(h).elevation.idle()
    });
}

fn screen_of(h: &Harness<'static, Holder>, p: LatLon) -> egui::Pos2 {
    let view = app(h).state.map().view.expect("the map was drawn");
    view.to_screen(p.lat, p.lon)
}

fn hover_and_wait(h: &mut Harness<'static, Holder>, pos: egui::Pos2) {
    h.hover_at(pos);
    h.run_steps(1);
    run_until(h, "the elevation under the pointer", LIMIT, |h| {
        app_mut(h).elevation.idle() && app(h).state.map().terrain.pointer.is_some()
    });
    h.run_steps(1);
}

#[test]
fn an_elevation_layer_is_added_shaded_and_read_under_the_pointer() {
    let (dir, case) = empty_case();
    let tif = synthetic(dir.path(), "plane.tif", 401, 10.0, plane);
    let mut h = harness(Some(case));
    h.run_steps(2);
    add_elevation(&mut h, vec![tif.clone()]);
    // Remembered in case.json with the file's SHA-256.
    let json = std::fs::read_to_string(dir.path().join("c/case.json")).unwrap();
    let sha = geoproof::fingerprint::sha256_file(&tif).unwrap();
    assert!(json.contains(&sha), "{json}");
    assert!(json.contains("plane.tif"), "{json}");

    let origin = to_latlon(0.0, 0.0);
    look_at(&mut h, origin, 14.0);
    let surface = app_mut(&mut h).elevation.surface.as_mut().unwrap();
    assert!(
        surface.hillshade_tiles() > 0,
        "the hillshade layer has rendered tiles"
    );
    // Under the pointer: the plane's height at the hovered place (bilinear on a plane
    // is exact).
    let at = to_latlon(300.0, -200.0);
    let pos = screen_of(&h, at);
    hover_and_wait(&mut h, pos);
    let hover = app(&h).state.map().hover.unwrap();
    let (x, _) = to_local(hover);
    let z = app(&h).state.map().terrain.pointer.unwrap().unwrap();
    assert!((z - (100.0 + 0.1 * x)).abs() < 0.05, "{z} at x = {x}");
    h.get_by_label_contains(&format!("elevation {z:.1} m"));

    // Outside the data: a dash, not a guess.
    let outside = to_latlon(2600.0, 0.0);
    let pos = screen_of(&h, outside);
    hover_and_wait(&mut h, pos);
    assert_eq!(app(&h).state.map().terrain.pointer, Some(None));
    h.get_by_label("elevation —");
}

#[test]
fn a_file_that_is_not_elevation_is_refused_with_the_domains_reason() {
    let (_dir, case) = empty_case();
    let mut h = harness(Some(case));
    h.run_steps(2);
    let rgb = util::data("real/rasters/sample_jpeg.tif");
    push(&mut h, Command::AddElevation(vec![rgb]));
    run_until(&mut h, "the refusal", LIMIT, |h| {
        matches!(app(h).state.shell().status, Some(Status::Error(_)))
    });
    let Some(Status::Error(e)) = &app(&h).state.shell().status else {
        unreachable!()
    };
    assert!(
        e.contains("sample_jpeg.tif") && e.contains("not elevation"),
        "{e}"
    );
    assert!(!e.contains('\n'), "one line: {e}");
    assert!(
        app(&h)
            .state
            .case()
            .unwrap()
            .meta()
            .elevation
            .files
            .is_empty()
    );
    assert!(app(&h).elevation.surface.is_none());
}
