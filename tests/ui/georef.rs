//! The georeference view driven like a user would (egui_kittest, no GPU): control points
//! placed by clicking the image then the map, moved by dragging on either side,
//! deleted with the Delete key; every gesture one saved, undoable edit; the fitted image
//! drawn on the map once the points define a fit.
#![allow(clippy::unwrap_used)]

use crate::util;

use egui::{Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
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

/// The camera the skyline test's frame was "shot" with, as the georeference estimated it.
fn sky_camera(heading_deg: f64) -> geoproof::terrain::skyline::Camera {
    use geoproof::terrain::{HeightRef, Site};
    geoproof::terrain::skyline::Camera {
        site: Site {
            at: util::dem::to_latlon(-1000.0, -500.0),
            height_m: 2.0,
            reference: HeightRef::AboveGround,
        },
        heading_deg,
        pitch_deg: 2.0,
        roll_deg: 0.0,
        fov_deg: 60.0,
        width: 800,
        height: 500,
    }
}

struct SkyScene {
    _dir: tempfile::TempDir,
    dem: geoproof::terrain::Dem,
    finding: String,
    frame_sha: String,
}

/// A case whose elevation is a synthetic DEM, with a frame painted from the skyline the
/// DEM shows `sky_camera(100)`, and a finding that georeferences it with that camera
/// estimated (tilt 2° up, no roll). The finding also keeps a skyline fit of the frame:
/// a camera 3° off in heading, and the frame's true skyline as its trace.
fn sky_scene() -> (SkyScene, Case) {
    use geoproof::case::georeference::{CameraEstimate, Georeference};
    use geoproof::case::skyline_fit::SkylineFit;
    use geoproof::case::{Edit, Finding, FindingKind};
    use geoproof::spatial::georef::Method;
    use geoproof::terrain::fit::{Score, Trace};
    use geoproof::terrain::{Curvature, Dem, ElevationFileRef, ElevationLayers};

    let dir = tempfile::tempdir().unwrap();
    let tif = util::dem::synthetic(dir.path(), "hills.tif", 401, 25.0, util::dem::hills);
    let dem = Dem::open(std::slice::from_ref(&tif)).unwrap();
    let truth = sky_camera(100.0);
    let sky =
        geoproof::terrain::skyline::skyline(&dem, truth, 50_000.0, Curvature::default()).unwrap();
    let png = dir.path().join("frame.png");
    crate::skyline::painted(&sky.polylines, truth.width, truth.height)
        .save(&png)
        .unwrap();
    let mut case = Case::create(&dir.path().join("c"), "georef skyline test").unwrap();
    let frame_sha = match case.import(&png, &ImportOptions::default()).unwrap() {
        geoproof::case::ImportOutcome::Added(r) | geoproof::case::ImportOutcome::Duplicate(r) => {
            r.sha256
        }
    };
    let file = ElevationFileRef::hash(&tif, &tif).unwrap();
    let layers = ElevationLayers {
        files: vec![file.clone()],
        ..ElevationLayers::default()
    };
    case.apply(Edit::SetElevation(Box::new(layers))).unwrap();

    let mut f = Finding::new(FindingKind::Geolocation, "Where was the frame shot?");
    let panel = geoproof::board::ops::add_panel(
        &mut f,
        geoproof::case::comparison::PanelSource::Evidence {
            sha256: frame_sha.clone(),
        },
    );
    let mut g = Georeference::new(&panel, Method::Projective);
    g.camera = Some(CameraEstimate {
        lat: truth.site.at.lat,
        lon: truth.site.at.lon,
        height_m: 2.0,
        heading_deg: 100.0,
        tilt_deg: Some(-2.0),
        fov_deg: 60.0,
        fov_source: "set on the evidence".into(),
        uncertainty_m: 5.0,
    });
    f.georeference = Some(g);
    // Every fourth point of the true skyline, as an analyst's trace.
    let trace = Trace {
        polylines: sky
            .polylines
            .iter()
            .map(|l| l.iter().step_by(4).copied().collect())
            .collect(),
    };
    f.skyline_fit = Some(SkylineFit {
        evidence: frame_sha.clone(),
        frame: None,
        camera: sky_camera(103.0),
        dem: vec![file],
        trace,
        score: Score {
            mean_deg: 1.0,
            max_deg: 2.0,
            points: 200,
            missing: 0,
            incomplete: 0,
        },
        horizon_step_deg: 0.1,
        max_distance_m: 50_000.0,
        curvature: Curvature::default(),
        fitted_at: chrono::Utc::now(),
    });
    let finding = f.id.clone();
    case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    case.save().unwrap();
    let scene = SkyScene {
        _dir: dir,
        dem,
        finding,
        frame_sha,
    };
    (scene, case)
}

/// Opens the scene's finding on the board, then its panel in the georeference view.
fn open_sky_view(case: Case, finding: &str) -> Harness<'static, Holder> {
    let mut h = app_harness(Some(case), vec2(1400.0, 860.0));
    h.run_steps(2);
    push(
        &mut h,
        Command::Board(BoardCommand::Open(finding.to_owned())),
    );
    h.run_steps(2);
    push(
        &mut h,
        Command::Beside(BesideCommand::StartGeoref { panel: "P1".into() }),
    );
    h.run_steps(3);
    assert!(app(&h).state.georef().is_some(), "the view is open");
    h
}

fn sky_lines(
    h: &Harness<'_, Holder>,
    which: geoproof::ui::georef::SkyCamera,
) -> Option<geoproof::ui::georef::SkyLines> {
    app(h).georef_skyline().lines(which).cloned()
}

/// Waits until `which`'s skyline is rendered (or failed) and returns it.
fn rendered(
    h: &mut Harness<'static, Holder>,
    which: geoproof::ui::georef::SkyCamera,
) -> geoproof::ui::georef::SkyLines {
    run_until(
        h,
        "the skyline renders",
        std::time::Duration::from_secs(120),
        |h| sky_lines(h, which).is_some_and(|s| s.lines.is_some()),
    );
    h.run_steps(1);
    sky_lines(h, which).unwrap()
}

/// The distances (pixels, along y) from each drawn point to the reference skyline at the
/// same x, where the reference covers that x.
fn vertical_gaps(drawn: &[Vec<[f64; 2]>], reference: &[Vec<[f64; 2]>]) -> Vec<f64> {
    let at = |x: f64| -> Option<f64> {
        reference
            .iter()
            .flat_map(|l| l.windows(2))
            .filter(|w| w[0][0].min(w[1][0]) <= x && x <= w[0][0].max(w[1][0]))
            .map(|w| {
                let t = if w[1][0] == w[0][0] {
                    0.0
                } else {
                    (x - w[0][0]) / (w[1][0] - w[0][0])
                };
                w[0][1] + (w[1][1] - w[0][1]) * t
            })
            .reduce(f64::min)
    };
    drawn
        .iter()
        .flatten()
        .filter_map(|p| at(p[0]).map(|y| (p[1] - y).abs()))
        .collect()
}

fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

#[test]
fn the_skyline_from_the_estimated_camera_is_drawn_over_the_frame() {
    use geoproof::terrain::Curvature;
    use geoproof::ui::georef::SkyCamera;

    let (scene, case) = sky_scene();
    let mut h = open_sky_view(case, &scene.finding);
    assert!(
        sky_lines(&h, SkyCamera::Estimate).is_none(),
        "off until asked"
    );
    h.get_by_label("Skyline").click();
    h.run_steps(1);
    let shown = rendered(&mut h, SkyCamera::Estimate);
    // The estimate's place, height, heading, tilt (as pitch) and field of view; roll 0.
    let camera = sky_camera(100.0);
    assert_eq!(shown.camera, camera);
    let drawn = shown.lines.unwrap().unwrap();
    let reference =
        geoproof::terrain::skyline::skyline(&scene.dem, camera, 50_000.0, Curvature::default())
            .unwrap()
            .polylines;
    let gaps = vertical_gaps(&drawn, &reference);
    let points: usize = drawn.iter().map(Vec::len).sum();
    assert!(points > 800, "{points} points drawn");
    assert!(
        gaps.len() * 10 >= points * 9,
        "{} of {points} over the reference",
        gaps.len()
    );
    let (median, p95) = (quantile(gaps.clone(), 0.5), quantile(gaps, 0.95));
    // Measured: median 0.0001 px, 95th percentile 0.003 px.
    assert!(
        median < 0.05 && p95 < 0.5,
        "median {median} px, 95 % {p95} px"
    );
    // The finding's trace is the frame's skyline: the estimate matches it.
    let score = shown.score.unwrap().unwrap();
    assert!(score.mean_deg < 0.05, "{score:?}");
    h.get_by_label_contains("mean distance to the traced skyline");
    h.get_by_label_contains("roll 0° (not estimated)");

    // The saved fit's camera, 3° off in heading, is drawn too when asked, and scores worse.
    h.get_by_label("Saved fit's skyline").click();
    h.run_steps(1);
    let saved = rendered(&mut h, SkyCamera::SavedFit);
    assert_eq!(saved.camera, sky_camera(103.0));
    let reference = geoproof::terrain::skyline::skyline(
        &scene.dem,
        sky_camera(103.0),
        50_000.0,
        Curvature::default(),
    )
    .unwrap()
    .polylines;
    let gaps = vertical_gaps(saved.lines.as_ref().unwrap().as_ref().unwrap(), &reference);
    assert!(quantile(gaps, 0.5) < 0.05);
    let worse = saved.score.unwrap().unwrap();
    assert!(
        worse.mean_deg > score.mean_deg + 0.1,
        "{worse:?} vs {score:?}"
    );
    assert!(sky_lines(&h, SkyCamera::Estimate).is_some(), "both shown");
    assert_eq!(
        app(&h).state.georef().unwrap().size,
        [800, 500],
        "{}",
        scene.frame_sha
    );
}

#[test]
fn the_skyline_says_in_one_line_why_it_cannot_be_drawn() {
    use geoproof::case::Edit;
    use geoproof::ui::georef::SkyCamera;

    let (scene, case) = sky_scene();
    let mut h = open_sky_view(case, &scene.finding);
    h.get_by_label("Skyline").click();
    h.run_steps(1);
    let put = |h: &mut Harness<'static, Holder>, edit: &dyn Fn(&mut geoproof::case::Finding)| {
        let mut f = app(h)
            .state
            .case()
            .unwrap()
            .finding(&scene.finding)
            .unwrap()
            .clone();
        edit(&mut f);
        push(h, Command::Edit(Edit::PutFinding(Box::new(f))));
        h.run_steps(2);
    };
    // A camera 20 km off the DEM: no ground under it.
    put(&mut h, &|f| {
        let at = util::dem::to_latlon(20_000.0, 0.0);
        let c = f.georeference.as_mut().unwrap().camera.as_mut().unwrap();
        (c.lat, c.lon) = (at.lat, at.lon);
    });
    let s = rendered(&mut h, SkyCamera::Estimate);
    let e = s.lines.unwrap().unwrap_err();
    assert!(e.contains("elevation"), "{e}");
    h.get_by_label_contains("no skyline");
    // Below the ground.
    put(&mut h, &|f| {
        let at = util::dem::to_latlon(-1000.0, -500.0);
        let c = f.georeference.as_mut().unwrap().camera.as_mut().unwrap();
        (c.lat, c.lon, c.height_m) = (at.lat, at.lon, -5.0);
    });
    let e = rendered(&mut h, SkyCamera::Estimate)
        .lines
        .unwrap()
        .unwrap_err();
    assert!(e.contains("below"), "{e}");
    // No estimate.
    put(&mut h, &|f| f.georeference.as_mut().unwrap().camera = None);
    assert!(sky_lines(&h, SkyCamera::Estimate).is_none());
    let m = app(&h).georef_skyline().message().unwrap().to_owned();
    assert!(m.contains("estimate the camera first"), "{m}");
    // No elevation layer: no toggle, one line that says so.
    push(&mut h, Command::Edit(Edit::SetElevation(Box::default())));
    h.run_steps(2);
    let m = app(&h).georef_skyline().message().unwrap().to_owned();
    assert!(m.contains("no elevation layer"), "{m}");
    assert!(h.query_by_label("Skyline").is_none());
}

/// Control points of ground (east, north metres from the camera's foot, flat) seen by a
/// camera `height_m` up looking along `heading_deg` and `tilt_deg` down, 60° field of
/// view, in an 800×500 frame.
fn ground_points(
    at: LatLon,
    height_m: f64,
    heading_deg: f64,
    tilt_deg: f64,
) -> Vec<geoproof::spatial::georef::ControlPoint> {
    let frame = geoproof::spatial::georef::LocalFrame::at(at.lat, at.lon);
    let (w, h) = (800.0, 500.0);
    let f = w / 2.0 / 30f64.to_radians().tan();
    let (hd, tl) = (heading_deg.to_radians(), tilt_deg.to_radians());
    let fwd = [hd.sin() * tl.cos(), hd.cos() * tl.cos(), -tl.sin()];
    let right = [hd.cos(), -hd.sin(), 0.0];
    // down = fwd × right
    let down = [
        fwd[1] * right[2] - fwd[2] * right[1],
        fwd[2] * right[0] - fwd[0] * right[2],
        fwd[0] * right[1] - fwd[1] * right[0],
    ];
    let dot = |a: [f64; 3], b: [f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    [
        [-40.0, 60.0],
        [35.0, 70.0],
        [-20.0, 140.0],
        [50.0, 160.0],
        [0.0, 100.0],
        [-60.0, 110.0],
    ]
    .iter()
    .map(|g| {
        // The layout turned to the heading: `g` is (across, along) the view.
        let e = g[0] * hd.cos() + g[1] * hd.sin();
        let n = -g[0] * hd.sin() + g[1] * hd.cos();
        let d = [e, n, -height_m];
        let (x, y, z) = (dot(d, right), dot(d, down), dot(d, fwd));
        let (lat, lon) = frame.to_geo([e, n]);
        geoproof::spatial::georef::ControlPoint {
            x: w / 2.0 + f * x / z,
            y: h / 2.0 + f * y / z,
            lat,
            lon,
        }
    })
    .collect()
}

#[test]
fn the_estimated_camera_keeps_its_tilt_and_the_skyline_looks_down_with_it() {
    use geoproof::case::Edit;
    use geoproof::ui::georef::SkyCamera;

    let (scene, mut case) = sky_scene();
    let at = util::dem::to_latlon(-1000.0, -500.0);
    let mut f = case.finding(&scene.finding).unwrap().clone();
    let g = f.georeference.as_mut().unwrap();
    g.camera = None;
    g.points = ground_points(at, 25.0, 100.0, 15.0);
    case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    let mut h = open_sky_view(case, &scene.finding);
    h.get_by_label("Estimate camera position").click();
    h.run_steps(3);
    let c = app(&h)
        .state
        .georef_record()
        .unwrap()
        .camera
        .clone()
        .expect("estimated");
    let tilt = c.tilt_deg.expect("the tilt is kept");
    assert!((tilt - 15.0).abs() < 0.05, "{c:?}");
    assert!((c.heading_deg - 100.0).abs() < 0.05, "{c:?}");
    assert!((c.height_m - 25.0).abs() < 0.05, "{c:?}");
    h.get_by_label("Skyline").click();
    h.run_steps(1);
    let shown = rendered(&mut h, SkyCamera::Estimate);
    assert!(
        (shown.camera.pitch_deg + 15.0).abs() < 0.05,
        "{:?}",
        shown.camera
    );
    assert!((shown.camera.site.height_m - 25.0).abs() < 0.05);
    // Looking 15° down, the hills' skyline lies near the top of the frame.
    let lines = shown.lines.unwrap().unwrap();
    let ys: Vec<f64> = lines.iter().flatten().map(|p| p[1]).collect();
    assert!(!ys.is_empty() && ys.iter().all(|y| *y < 200.0), "{ys:?}");
    h.get_by_label_contains("pitch -15.0° (estimated)");
}
