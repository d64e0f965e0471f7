//! Frame CPU time of the map workspace (headless egui_kittest harness, no GPU): an empty
//! case, cases with 10,000 and 100,000 labelled finding markers spread over the visible
//! map (clustered, labels placed without collisions), and a case of 5,000 evidence items
//! with the evidence list in view (target: under 8 ms a frame). The marker cases run
//! still, with the pointer moving over the map (`_hover`), dragged round a circle
//! (`_panning`) and with the zoom changing each frame (`_zooming`: every frame groups
//! and labels anew, the worst case). Then panning: the map moved
//! a step each frame around a loop of views whose tiles are all cached, over the bundled
//! Vaduz vector street map at zoom 15 (#32) and over the hillshade of a 3600 × 3600 DEM
//! at zoom 12 (#33); target under 16 ms a frame.
//!
//! `cargo bench --bench map_frame`

use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use geoproof::case::{Case, Edit, Finding, FindingKind, FindingLocation};

#[path = "../tests/util/app.rs"]
mod app;
#[path = "../tests/util/dem.rs"]
mod dem;

use geoproof::spatial::LatLon;
use geoproof::ui::{Command, ImportCommand, MapCommand};
use std::time::Duration;

fn harness(case: Case) -> Harness<'static, app::Holder> {
    let mut h = app::app_harness(Some(case), egui::vec2(1400.0, 860.0));
    h.run_steps(5);
    h
}

fn case_with_markers(dir: &std::path::Path, n: usize) -> Case {
    let mut case = Case::create(&dir.join("case"), "bench").expect("case");
    // A 20°×30° grid around the demo area: at the start zoom all of it is on screen.
    let side = (n as f64).sqrt().ceil() as usize;
    for i in 0..n {
        let mut f = Finding::new(FindingKind::Geolocation, &format!("candidate {i}"));
        f.id = format!("F-bench-{i:05}");
        f.location = Some(FindingLocation {
            lat: 43.0 + 20.0 * (i / side) as f64 / side as f64,
            lon: 20.0 + 30.0 * (i % side) as f64 / side as f64,
            precision_m: 500.0,
        });
        case.apply(Edit::PutFinding(Box::new(f))).expect("apply");
    }
    // 100,000 record files would take minutes to write; the map draws the case in memory.
    if n <= 10_000 {
        case.save().expect("save");
    }
    case
}

/// 5,000 evidence records (no originals: the list shows them as unreadable, which costs
/// the list nothing) with GPS spread around the demo area.
fn case_with_evidence(dir: &std::path::Path, n: usize) -> Case {
    let mut case = Case::create(&dir.join("evidence"), "bench").expect("case");
    for i in 0..n {
        let sha = format!("{:064x}", i + 1);
        let record = geoproof::case::EvidenceRecord {
            file: format!("evidence/{sha}.jpg"),
            sha256: sha,
            original_name: format!("still-{i:05}.jpg"),
            size_bytes: 1,
            media_type: "image/jpeg".into(),
            width: 1920,
            height: 1080,
            exif: geoproof::evidence::ExifSummary {
                lat: Some(50.0 + (i % 100) as f64 * 0.05),
                lon: Some(30.0 + (i / 100) as f64 * 0.05),
                ..Default::default()
            },
            perceptual_hash: None,
            source_url: None,
            acquired_at: chrono::Utc::now(),
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
        case.apply(Edit::AddEvidence(Box::new(record)))
            .expect("apply");
    }
    case.save().expect("save");
    case
}

/// The centres of a loop of views `radius_px` around `centre` at `zoom` (eight steps).
fn pan_loop(centre: LatLon, zoom: f64, radius_px: f64) -> Vec<walkers::Position> {
    // Degrees per screen pixel of Web Mercator at this zoom and latitude.
    let deg_per_px = 360.0 / (256.0 * 2f64.powf(zoom));
    let lat_scale = centre.lat.to_radians().cos();
    (0..8)
        .map(|k| {
            let a = k as f64 * std::f64::consts::TAU / 8.0;
            walkers::lat_lon(
                centre.lat + radius_px * a.sin() * deg_per_px * lat_scale,
                centre.lon + radius_px * a.cos() * deg_per_px,
            )
        })
        .collect()
}

/// Frames at each view of the loop until no texture is added for a while: every tile
/// the loop shows is then cached.
fn warm(h: &mut Harness<'static, app::Holder>, views: &[walkers::Position]) {
    for _ in 0..2 {
        for &view in views {
            app_mut(h).state.map_mut().memory.center_at(view);
            let mut quiet = 0;
            let mut seen = 0;
            app::run_until(h, "the tiles of the view", Duration::from_secs(120), |h| {
                let textures = h.ctx.tex_manager().read().allocated().count();
                quiet = if textures == seen { quiet + 1 } else { 0 };
                seen = textures;
                quiet >= 20
            });
        }
    }
}

fn app_mut<'a>(h: &'a mut Harness<'static, app::Holder>) -> &'a mut geoproof::ui::GeoproofApp {
    h.state_mut().app.as_mut().expect("app")
}

fn panning<'a>(
    h: &'a mut Harness<'static, app::Holder>,
    views: &'a [walkers::Position],
) -> impl FnMut() + 'a {
    let mut k = 0;
    move || {
        k = (k + 1) % views.len();
        app_mut(h).state.map_mut().memory.center_at(views[k]);
        h.step();
    }
}

/// Centres the map on `centre` at `zoom` and caches every tile of the loop of views
/// around it; returns the loop.
fn look_and_warm(
    h: &mut Harness<'static, app::Holder>,
    centre: LatLon,
    zoom: f64,
) -> Vec<walkers::Position> {
    app::push(h, Command::Map(MapCommand::CenterOn(centre, None)));
    h.run_steps(1);
    app_mut(h)
        .state
        .map_mut()
        .memory
        .set_zoom(zoom)
        .expect("zoom");
    let views = pan_loop(centre, zoom, 300.0);
    warm(h, &views);
    views
}

/// The bundled Vaduz street map chosen as basemap, at zoom 15 over the town.
fn vector_street_map() -> (Harness<'static, app::Holder>, Vec<walkers::Position>) {
    let mut h = app::app_harness(None, egui::vec2(1400.0, 860.0));
    h.run_steps(2);
    let archive = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/basemap/vaduz-streets.pmtiles");
    assert!(archive.exists(), "{}", archive.display());
    app::push(
        &mut h,
        Command::Map(MapCommand::SetBasemap(
            geoproof::ui::basemap::SourceChoice::PmTiles(archive),
        )),
    );
    let vaduz = LatLon {
        lat: 47.1405,
        lon: 9.5215,
    };
    let views = look_and_warm(&mut h, vaduz, 15.0);
    (h, views)
}

/// A 3600 × 3600 DEM (30 m cells, hills) as the case's elevation layer, its hillshade
/// shown at zoom 12 over the tile's centre.
fn hillshade(dir: &std::path::Path) -> (Harness<'static, app::Holder>, Vec<walkers::Position>) {
    let tif = dem::synthetic(dir, "hills.tif", 3600, 30.0, |x, y| {
        (400.0 + 300.0 * (x / 4000.0).sin() * (y / 5000.0).cos() + 0.01 * x) as f32
    });
    let case = Case::create(&dir.join("case"), "hillshade").expect("case");
    let mut h = app::app_harness(Some(case), egui::vec2(1400.0, 860.0));
    h.run_steps(2);
    app::push(&mut h, Command::Import(ImportCommand::Elevation(vec![tif])));
    app::run_until(&mut h, "the surface opens", Duration::from_secs(300), |h| {
        app_mut(h).elevation.surface.is_some() && app_mut(h).elevation.idle()
    });
    let views = look_and_warm(&mut h, dem::to_latlon(0.0, 0.0), 12.0);
    (h, views)
}

fn pans(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut streets, street_views) = vector_street_map();
    let (mut shaded, shaded_views) = hillshade(dir.path());
    let mut group = c.benchmark_group("map_pan");
    let mut step = panning(&mut streets, &street_views);
    group.bench_function("vector_streets_z15_cached", |b| b.iter(&mut step));
    let mut step = panning(&mut shaded, &shaded_views);
    group.bench_function("hillshade_3600_z12_cached", |b| b.iter(&mut step));
    group.finish();
}

/// A still map with the pointer moving over it (each move repaints the map).
fn hovering<'a>(h: &'a mut Harness<'static, app::Holder>) -> impl FnMut() + 'a {
    let map = app_mut(h).state.map().view.expect("map drawn").rect;
    let spots = [map.center(), map.center() + egui::vec2(40.0, 25.0)];
    let mut k = 0;
    move || {
        k = (k + 1) % spots.len();
        h.hover_at(spots[k]);
        h.step();
    }
}

/// The map dragged round a circle of 150 points in 64 steps (about 15 points a frame),
/// over cached tiles.
fn dragging<'a>(h: &'a mut Harness<'static, app::Holder>) -> impl FnMut() + 'a {
    let view = app_mut(h).state.map().view.expect("map drawn");
    let centre = LatLon {
        lat: (view.south + view.north) / 2.0,
        lon: (view.west + view.east) / 2.0,
    };
    let zoom = view.zoom;
    let deg_per_px = 360.0 / (256.0 * 2f64.powf(zoom));
    let lat_scale = centre.lat.to_radians().cos();
    let views: Vec<walkers::Position> = (0..64)
        .map(|k| {
            let a = k as f64 * std::f64::consts::TAU / 64.0;
            walkers::lat_lon(
                centre.lat + 150.0 * a.sin() * deg_per_px * lat_scale,
                centre.lon + 150.0 * a.cos() * deg_per_px,
            )
        })
        .collect();
    // The basemap's tiles along the circle cached first: this measures the markers.
    warm(h, &views);
    let mut k = 0;
    move || {
        k = (k + 1) % views.len();
        app_mut(h).state.map_mut().memory.center_at(views[k]);
        h.step();
    }
}

/// The zoom changed by a hundredth every frame (as while the wheel zooms): every frame
/// groups the markers and places the labels anew.
fn zooming<'a>(h: &'a mut Harness<'static, app::Holder>) -> impl FnMut() + 'a {
    let zoom = app_mut(h).state.map().view.expect("map drawn").zoom;
    let mut k = 0;
    move || {
        k = (k + 1) % 2;
        let z = zoom + 0.01 * k as f64;
        app_mut(h).state.map_mut().memory.set_zoom(z).expect("zoom");
        h.step();
    }
}

/// A marker case's frames with the pointer moving, the map dragged and the zoom changing.
fn moving_frames(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    h: &mut Harness<'static, app::Holder>,
) {
    {
        let mut step = hovering(h);
        group.bench_function(format!("{name}_hover"), |b| b.iter(&mut step));
    }
    {
        let mut step = dragging(h);
        group.bench_function(format!("{name}_panning"), |b| b.iter(&mut step));
    }
    let mut step = zooming(h);
    group.bench_function(format!("{name}_zooming"), |b| b.iter(&mut step));
}

fn frames(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = Case::create(&dir.path().join("empty"), "empty").expect("case");
    let mut empty = harness(empty);
    let mut full = harness(case_with_markers(dir.path(), 10_000));
    let mut listed = harness(case_with_evidence(dir.path(), 5_000));
    let huge_dir = tempfile::tempdir().expect("tempdir");
    let mut huge = harness(case_with_markers(huge_dir.path(), 100_000));
    let mut group = c.benchmark_group("map_frame");
    group.bench_function("empty_case", |b| b.iter(|| empty.step()));
    group.bench_function("10000_markers", |b| b.iter(|| full.step()));
    group.bench_function("100000_markers", |b| b.iter(|| huge.step()));
    moving_frames(&mut group, "10000_markers", &mut full);
    moving_frames(&mut group, "100000_markers", &mut huge);
    group.bench_function("5000_evidence_listed", |b| b.iter(|| listed.step()));
    group.finish();
}

criterion_group!(benches, frames, pans);
criterion_main!(benches);
