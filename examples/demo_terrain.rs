//! Adds the demo case's terrain finding (#33): an honest synthetic scene. A small DEM of
//! invented mountains (256 × 256 cells of 40 m, Int16, placed at sea between Menorca and
//! Sardinia so it cannot be mistaken for real ground) is stored under `layers/` and becomes
//! the case's elevation layer, so that the Skyline tool (K on the board) works on the
//! finding as the demo opens; a frame is rendered from it at a known camera (sky above the DEM's skyline, ground below) and
//! imported as evidence; the frame's skyline is proposed by the edge detector, and the
//! camera is fitted from a perturbed start. The finding keeps the fit (camera, trace,
//! score, DEM and its SHA-256) and says plainly that the scene is synthetic. Run once:
//!
//! ```sh
//! cargo run --example demo_terrain -- assets/demo-case
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use gdal::raster::{Buffer, RasterCreationOptions};
use gdal::spatial_ref::SpatialRef;
use geoproof::board::ops;
use geoproof::case::comparison::PanelSource;
use geoproof::case::skyline_fit::SkylineFit;
use geoproof::case::{
    Case, Confidence, Edit, Finding, FindingKind, FindingLocation, ImportOptions, ImportOutcome,
};
use geoproof::terrain::fit::{self, FitOptions, Ranges};
use geoproof::terrain::skyline::{self, Camera};
use geoproof::terrain::{Curvature, Dem, ElevationFileRef, ElevationLayers, HeightRef, Site};

/// The finding's id (tests/demo_case.rs reads it).
const ID: &str = "F-demo-skyline-synthetic";
/// A transverse Mercator centred on open sea (40° N, 5.5° E): grid metres are ground
/// metres, grid north is true north on x = 0.
const TM: &str =
    "+proj=tmerc +lat_0=40 +lon_0=5.5 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs";
const SIZE: usize = 256;
const CELL: f64 = 40.0;
const DEM_FILE: &str = "layers/synthetic-mountains-dem.tif";
/// Where the camera stood (grid metres) and how it looked; tests/demo_case.rs holds the
/// same numbers.
const CAMERA_XY: (f64, f64) = (-600.0, -4000.0);
const HEADING: f64 = 12.0;
const PITCH: f64 = 1.5;
const ROLL: f64 = 0.8;
const FOV: f64 = 55.0;
const FRAME: (u32, u32) = (640, 400);
const MAX_DISTANCE_M: f64 = 12_000.0;

/// Invented mountains north of a valley: heights in metres.
fn relief(x: f64, y: f64) -> f64 {
    let hill = |cx: f64, cy: f64, h: f64, r: f64| {
        h * (-((x - cx).powi(2) + (y - cy).powi(2)) / (2.0 * r * r)).exp()
    };
    hill(-2600.0, 1400.0, 720.0, 900.0)
        + hill(400.0, 2600.0, 950.0, 750.0)
        + hill(2900.0, 900.0, 640.0, 650.0)
        + hill(-700.0, 4300.0, 560.0, 600.0)
        + hill(1700.0, -900.0, 260.0, 450.0)
        + hill(-3800.0, -600.0, 330.0, 700.0)
        + 25.0 * (x / 800.0).sin() * (y / 650.0).cos()
        + 200.0
}

/// Writes the DEM: Int16 metres, deflate with a predictor (a few tens of KB).
fn write_dem(path: &std::path::Path) {
    let half = SIZE as f64 * CELL / 2.0;
    let mut z = Vec::with_capacity(SIZE * SIZE);
    for row in 0..SIZE {
        for col in 0..SIZE {
            let x = -half + (col as f64 + 0.5) * CELL;
            let y = half - (row as f64 + 0.5) * CELL;
            z.push(relief(x, y).round() as i16);
        }
    }
    let driver = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
    let options = RasterCreationOptions::from_iter(["COMPRESS=DEFLATE", "PREDICTOR=2"]);
    let mut ds = driver
        .create_with_band_type_with_options::<i16, _>(path, SIZE, SIZE, 1, &options)
        .unwrap();
    ds.set_geo_transform(&[-half, CELL, 0.0, half, 0.0, -CELL])
        .unwrap();
    ds.set_spatial_ref(&SpatialRef::from_proj4(TM).unwrap())
        .unwrap();
    ds.rasterband(1)
        .unwrap()
        .write((0, 0), (SIZE, SIZE), &mut Buffer::new((SIZE, SIZE), z))
        .unwrap();
    ds.close().unwrap();
}

/// The frame: a sky gradient above the rendered skyline, ground darkening downwards
/// below it. Nothing else: the scene is synthetic and looks it.
fn render_frame(lines: &[Vec<[f64; 2]>], w: u32, h: u32) -> image::RgbImage {
    let mut top: Vec<Option<f64>> = vec![None; w as usize];
    for pair in lines.iter().flat_map(|l| l.windows(2)) {
        let (a, b) = (pair[0], pair[1]);
        for x in (a[0].min(b[0]).ceil() as i64)..=(a[0].max(b[0]).floor() as i64) {
            if (0..i64::from(w)).contains(&x) {
                let t = if b[0] == a[0] {
                    0.0
                } else {
                    (x as f64 - a[0]) / (b[0] - a[0])
                };
                let y = a[1] + (b[1] - a[1]) * t;
                let slot = &mut top[x as usize];
                *slot = Some(slot.map_or(y, |old: f64| old.min(y)));
            }
        }
    }
    // Columns at the frame's edges the polylines stop short of take their neighbour's.
    for i in 1..top.len() {
        top[i] = top[i].or(top[i - 1]);
    }
    for i in (0..top.len() - 1).rev() {
        top[i] = top[i].or(top[i + 1]);
    }
    image::RgbImage::from_fn(w, h, |x, y| {
        let v = f64::from(y) / f64::from(h);
        match top[x as usize] {
            Some(t) if f64::from(y) + 0.5 >= t => {
                let d = ((f64::from(y) - t) / f64::from(h)).clamp(0.0, 1.0);
                let s = |c: f64| (c * (1.0 - 0.45 * d)) as u8;
                image::Rgb([s(118.0), s(122.0), s(96.0)])
            }
            _ => image::Rgb([
                (150.0 + 60.0 * v) as u8,
                (185.0 + 40.0 * v) as u8,
                (230.0 + 15.0 * v) as u8,
            ]),
        }
    })
}

fn main() {
    let Some(root) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: demo_terrain CASE_FOLDER");
        std::process::exit(2);
    };
    let mut case = Case::open(&root).expect("the case opens");
    assert!(case.finding(ID).is_err(), "{ID} is in the case already");
    let tif = root.join(DEM_FILE);
    write_dem(&tif);
    let dem = Dem::open(std::slice::from_ref(&tif)).unwrap();
    let at = dem.to_wgs84(CAMERA_XY.0, CAMERA_XY.1).unwrap();
    let truth = Camera {
        site: Site {
            at,
            height_m: 2.0,
            reference: HeightRef::AboveGround,
        },
        heading_deg: HEADING,
        pitch_deg: PITCH,
        roll_deg: ROLL,
        fov_deg: FOV,
        width: FRAME.0,
        height: FRAME.1,
    };
    let curvature = Curvature::default();
    let rendered = skyline::skyline(&dem, truth, MAX_DISTANCE_M, curvature).unwrap();
    println!(
        "rendered: {} polylines, {} azimuths whose rays left the DEM (its edge is lower \
         than the mountains in front of it)",
        rendered.polylines.len(),
        rendered.incomplete_azimuths
    );
    let frame = render_frame(&rendered.polylines, FRAME.0, FRAME.1);
    let tmp = tempfile::tempdir().unwrap();
    let png = tmp.path().join("synthetic-skyline-frame.png");
    frame.save(&png).unwrap();

    let file = ElevationFileRef::hash(std::path::Path::new(DEM_FILE), &tif).unwrap();
    // The case's elevation layer (its hillshade is drawn only where the DEM is: a 10 km
    // square at sea). An open surface costs the map nothing measurable; the Vaduz
    // kittest's miss that once kept it out was the Terrain panel widening the inspector
    // (the map narrower, the flight's zoom lower), fixed in src/ui/terrain/panel.rs.
    let mut layers: ElevationLayers = case.meta().elevation.clone();
    layers.files.push(file.clone());
    case.apply(Edit::SetElevation(Box::new(layers))).unwrap();
    let options = ImportOptions {
        note: Some(
            "SYNTHETIC: rendered by examples/demo_terrain.rs from the invented DEM \
             layers/synthetic-mountains-dem.tif; not a photograph."
                .into(),
        ),
        ..ImportOptions::default()
    };
    let sha = match case.import(&png, &options).unwrap() {
        ImportOutcome::Added(r) | ImportOutcome::Duplicate(r) => r.sha256,
    };

    // The analyst's side: the edge detector's proposal, fitted from a perturbed camera.
    let image = image::DynamicImage::ImageRgb8(frame);
    let trace = fit::suggest_skyline(&image).unwrap().trace;
    let start = Camera {
        heading_deg: HEADING + 4.0,
        pitch_deg: PITCH - 1.2,
        roll_deg: ROLL - 1.5,
        fov_deg: FOV + 4.0,
        ..truth
    };
    let ranges = Ranges {
        heading_deg: 8.0,
        pitch_deg: 3.0,
        roll_deg: 3.0,
        fov_deg: 8.0,
    };
    let fit_options = FitOptions {
        max_distance_m: MAX_DISTANCE_M,
        curvature,
        ..FitOptions::default()
    };
    let found = fit::fit_camera(&dem, start, &trace, ranges, &fit_options).unwrap();
    let c = found.camera;
    println!(
        "start {:.3}° → fit {:.3}° (max {:.3}°, {} points): heading {:.2} pitch {:.2} \
         roll {:.2} fov {:.2}",
        found.start_score.mean_deg,
        found.score.mean_deg,
        found.score.max_deg,
        found.score.points,
        c.heading_deg,
        c.pitch_deg,
        c.roll_deg,
        c.fov_deg
    );
    assert!((c.heading_deg - HEADING).abs() < 0.3, "heading {c:?}");
    assert!((c.pitch_deg - PITCH).abs() < 0.3, "pitch {c:?}");
    assert!((c.fov_deg - FOV).abs() < 1.0, "fov {c:?}");

    let mut f = Finding::new(
        FindingKind::Geolocation,
        "SYNTHETIC demo: a skyline fit recovers the camera of a frame rendered from a DEM",
    );
    f.id = ID.into();
    f.confidence = Confidence::Unverified;
    f.verdict = format!(
        "Synthetic test scene, not real footage. The frame was rendered from an invented DEM \
         at a known camera (heading {HEADING}°, pitch {PITCH}°, roll {ROLL}°, field of view \
         {FOV}°). Started 4° off in heading, 1.2° in pitch, 1.5° in roll and 4° in field of view \
         (mean distance {:.2}° between the traced and rendered skylines), the Fit found heading \
         {:.2}°, pitch {:.2}°, roll {:.2}°, field of view {:.2}° (mean distance {:.3}°).",
        found.start_score.mean_deg,
        c.heading_deg,
        c.pitch_deg,
        c.roll_deg,
        c.fov_deg,
        found.score.mean_deg
    );
    f.notes = "SYNTHETIC. Shows the Skyline tool end to end on a scene whose answer is \
               known: the mountains in layers/synthetic-mountains-dem.tif are invented and \
               placed at sea between Menorca and Sardinia; the frame is drawn from that DEM (sky above \
               its skyline, plain ground below) by examples/demo_terrain.rs. The trace is \
               the edge detector's proposal, accepted as it was. A good fit here says the \
               method works, nothing about any real place. That file is the case's elevation \
               layer: open the finding on the board and press K for the Skyline tool."
        .into();
    f.location = Some(FindingLocation {
        lat: at.lat,
        lon: at.lon,
        precision_m: 50.0,
    });
    ops::add_panel(
        &mut f,
        PanelSource::Evidence {
            sha256: sha.clone(),
        },
    );
    case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    let saved = SkylineFit {
        evidence: sha,
        frame: None,
        camera: c,
        dem: vec![file],
        trace,
        score: found.score,
        horizon_step_deg: fit_options.step_deg,
        max_distance_m: MAX_DISTANCE_M,
        curvature,
        fitted_at: chrono::Utc::now(),
    };
    case.apply(Edit::SetSkylineFit {
        id: ID.into(),
        fit: Some(Box::new(saved)),
    })
    .unwrap();
    case.save().unwrap();
    println!("{ID} added to {}", root.display());
}
