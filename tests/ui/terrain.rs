//! Terrain in the app (#33) driven like a user would, with egui_kittest: an elevation
//! layer added to the case, its hillshade and the elevation under the pointer; the
//! profile's verdict along the Measure line; the viewshed overlay. Synthetic DEMs with
//! closed-form heights (tests/util/dem.rs).
#![allow(clippy::unwrap_used)]

use crate::util;

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use geoproof::case::Case;
use geoproof::spatial::LatLon;
use geoproof::ui::{Command, Status};
use geoproof::ui::{ImportCommand, MapCommand};
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
    push(h, Command::Import(ImportCommand::Elevation(files)));
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
    push(h, Command::Map(MapCommand::CenterOn(p, None)));
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
        surface.hillshade.rendered() > 0,
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
    push(&mut h, Command::Import(ImportCommand::Elevation(vec![rgb])));
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

/// A north-south ridge 100 m high along x = 0 with flanks of slope 1.
fn ridge(x: f64, _y: f64) -> f32 {
    (100.0 - x.abs()).max(0.0) as f32
}

/// A case with the ridge as its elevation, the map on the ridge at zoom 13.
fn ridge_harness() -> (tempfile::TempDir, Harness<'static, Holder>) {
    let (dir, case) = empty_case();
    let tif = synthetic(dir.path(), "ridge.tif", 401, 10.0, ridge);
    let mut h = harness(Some(case));
    h.run_steps(2);
    add_elevation(&mut h, vec![tif]);
    look_at(&mut h, to_latlon(0.0, 0.0), 13.0);
    (dir, h)
}

fn click(h: &mut Harness<'static, Holder>, p: LatLon) {
    let pos = screen_of(h, p);
    util::app::click(h, pos);
}

fn settle(h: &mut Harness<'static, Holder>, what: &str) {
    run_until(h, what, LIMIT, |h| app_mut(h).elevation.idle());
    h.run_steps(2);
}

#[test]
fn the_profile_along_the_measure_line_says_where_the_ridge_hides_the_target() {
    let (_dir, mut h) = ridge_harness();
    {
        let terrain = &mut app_mut(&mut h).state.map_mut().terrain;
        terrain.observer_m = 2.0;
        terrain.target_m = 180.0;
    }
    h.get_by_label("Measure").click();
    h.run_steps(2);
    click(&mut h, to_latlon(-1000.0, 0.0));
    click(&mut h, to_latlon(1000.0, 0.0));
    settle(&mut h, "the profile");
    // Flat Earth: the sight line from 2 m at −1000 m to 180 m at +1000 m passes the
    // 100 m crest at 91 m: hidden at the crest, 1000 m from the observer. (Samples a
    // cell apart may straddle the sharp crest and see it up to 5 m low: the margin is
    // wider than that.)
    let surface = app(&h).elevation.surface.as_ref().unwrap();
    let Some(Ok(p)) = &surface.profile else {
        panic!(
            "no profile: {:?}",
            surface.profile.as_ref().map(|r| r.as_ref().err())
        )
    };
    assert_eq!(
        p.verdict,
        geoproof::terrain::profile::Verdict::Hidden,
        "{:.1} m, observer {:.1} m, target {:.1} m over {:.1} m, {:?}",
        p.distance_m,
        p.observer_m,
        p.target_m,
        p.target_ground_m,
        app(&h).state.map().measure
    );
    let o = p.first_obstruction.unwrap();
    assert!((o.distance_m - 1000.0).abs() < 40.0, "{o:?}");
    h.get_by_label_contains(&format!("hidden by terrain at {:.0} m", o.distance_m));
    // The obstruction is marked on the map, on the crest.
    let mark = app(&h).state.map().terrain.marks.obstruction.unwrap();
    assert!(to_local(mark).0.abs() < 40.0, "{mark:?}");

    // A target at 206 m: the line clears the crest at 104 m.
    app_mut(&mut h).state.map_mut().terrain.target_m = 206.0;
    h.run_steps(1);
    settle(&mut h, "the new profile");
    let surface = app(&h).elevation.surface.as_ref().unwrap();
    let Some(Ok(p)) = &surface.profile else {
        panic!("no profile")
    };
    assert_eq!(p.verdict, geoproof::terrain::profile::Verdict::Visible);
    assert!(p.holes.is_empty());
    h.get_by_label_contains("visible: the sight line clears the terrain by");
    assert!(app(&h).state.map().terrain.marks.obstruction.is_none());
}

#[test]
fn a_viewshed_from_a_clicked_point_is_drawn_on_the_map() {
    let (_dir, mut h) = ridge_harness();
    {
        let terrain = &mut app_mut(&mut h).state.map_mut().terrain;
        terrain.observer_m = 2.0;
        terrain.radius_km = 0.0;
        // What the "Pick on map" toggle sets.
        terrain.picking_viewshed = true;
    }
    click(&mut h, to_latlon(-500.0, 0.0));
    settle(&mut h, "the viewshed");
    // The frame after the result asks for the layer's tiles.
    settle(&mut h, "the viewshed's tiles");
    let at = app(&h).state.map().terrain.viewshed_at.unwrap();
    assert!((to_local(at).0 + 500.0).abs() < 40.0, "{at:?}");
    let surface = app_mut(&mut h).elevation.surface.as_mut().unwrap();
    let Some(Ok(r)) = &surface.viewshed else {
        panic!("no viewshed")
    };
    // The plain on the observer's side is seen; behind the crest is hidden.
    use geoproof::terrain::viewshed::{HIDDEN, VISIBLE};
    assert_eq!(r.view.at(-1500.0, 300.0), Some(VISIBLE));
    assert_eq!(r.view.at(-50.0, 0.0), Some(VISIBLE), "the near flank");
    assert_eq!(r.view.at(500.0, 0.0), Some(HIDDEN));
    assert_eq!(r.view.at(1500.0, -300.0), Some(HIDDEN));
    assert!(
        surface.viewshed_tiles.rendered() > 0,
        "the visible ground is drawn as a map layer"
    );
    h.get_by_label_contains("visible: ");
    // Cleared: the layer goes.
    app_mut(&mut h).state.map_mut().terrain.viewshed_at = None;
    h.run_steps(2);
    assert!(
        app(&h)
            .elevation
            .surface
            .as_ref()
            .unwrap()
            .viewshed
            .is_none()
    );
}

#[test]
fn a_profile_across_a_nodata_strip_names_the_hole_and_gives_no_verdict() {
    let (dir, case) = empty_case();
    // The plane, with no data (NaN) in a strip 300 to 400 m east of the origin.
    let tif = synthetic(dir.path(), "holed.tif", 401, 10.0, |x, y| {
        if (300.0..400.0).contains(&x) {
            f32::NAN
        } else {
            plane(x, y)
        }
    });
    let mut h = harness(Some(case));
    h.run_steps(2);
    add_elevation(&mut h, vec![tif]);
    look_at(&mut h, to_latlon(0.0, 0.0), 13.0);
    app_mut(&mut h).state.map_mut().terrain.target_m = 2.0;
    h.get_by_label("Measure").click();
    h.run_steps(2);
    click(&mut h, to_latlon(-1000.0, 0.0));
    click(&mut h, to_latlon(1000.0, 0.0));
    settle(&mut h, "the profile");
    let surface = app(&h).elevation.surface.as_ref().unwrap();
    let Some(Ok(p)) = &surface.profile else {
        panic!("no profile")
    };
    // A rising plane hides nothing; across the hole the answer is not known.
    assert_eq!(p.verdict, geoproof::terrain::profile::Verdict::Unknown);
    assert_eq!(p.holes.len(), 1, "{:?}", p.holes);
    let hole = p.holes[0];
    assert!(
        (hole.from_m - 1300.0).abs() < 30.0 && (hole.to_m - 1400.0).abs() < 30.0,
        "{hole:?}"
    );
    h.get_by_label_contains(
        "unknown: nothing in the way where there is data · no elevation data at",
    );
}

#[test]
fn a_tile_in_another_crs_is_refused_and_the_case_keeps_its_surface() {
    let (dir, case) = empty_case();
    let tif = synthetic(dir.path(), "plane.tif", 101, 10.0, plane);
    let wgs84 = gdal::spatial_ref::SpatialRef::from_epsg(4326).unwrap();
    let other = util::dem::write_tif(
        dir.path(),
        "wgs84.tif",
        10,
        10,
        [15.0, 0.001, 0.0, 45.0, 0.0, -0.001],
        &wgs84,
        vec![5.0; 100],
        None,
        "",
    );
    let mut h = harness(Some(case));
    h.run_steps(2);
    add_elevation(&mut h, vec![tif]);
    push(
        &mut h,
        Command::Import(ImportCommand::Elevation(vec![other])),
    );
    run_until(&mut h, "the refusal", LIMIT, |h| {
        matches!(app(h).state.shell().status, Some(Status::Error(_)))
    });
    let Some(Status::Error(e)) = &app(&h).state.shell().status else {
        unreachable!()
    };
    assert!(e.contains("wgs84.tif") && e.contains("differs"), "{e}");
    assert_eq!(
        app(&h).state.case().unwrap().meta().elevation.files.len(),
        1
    );
    assert!(matches!(
        app(&h).elevation.surface.as_ref().unwrap().opening,
        geoproof::ui::terrain::Opening::Ready(_)
    ));
}
