//! Terrain (#33) checked in closed form on synthetic DEMs (a cone, a ridge, a plateau, a
//! plane on the curved Earth), against GDAL's own tools on real DEMs
//! (`gdallocationinfo` for elevation, `gdal_viewshed` for viewsheds), and on bad input.
//! DEMs are written as GeoTIFF through GDAL in a temporary folder.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::Path;
use std::process::Command;

use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use geoproof::spatial::LatLon;
use geoproof::terrain::{Curvature, Dem, HeightRef, Site, horizon, profile, skyline, viewshed};
use util::dem::{LOCAL_TM, synthetic, to_latlon, write_tif};
use util::{data, geoproof};

fn above(at: LatLon, h: f64) -> Site {
    Site {
        at,
        height_m: h,
        reference: HeightRef::AboveGround,
    }
}

fn flat_earth() -> Curvature {
    Curvature::new(1.0).unwrap()
}

/// Whether a GDAL tool is installed (Debian: gdal-bin, which `.ci/run` installs); says
/// so if not. Only whether it starts: `gdal_viewshed --version` exits non-zero.
fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("--version").output().is_ok();
    if !ok {
        eprintln!("skipped: {tool} not installed (Debian package gdal-bin)");
    }
    ok
}

/// A cone 500 m high (slope 0.5) at the origin on flat ground at 0 m.
fn cone(x: f64, y: f64) -> f32 {
    (500.0 - 0.5 * x.hypot(y)).max(0.0) as f32
}

#[test]
fn cone_horizon_and_visibility_in_closed_form() {
    let dir = tempfile::tempdir().unwrap();
    let tif = synthetic(dir.path(), "cone.tif", 401, 10.0, cone);
    let dem = Dem::open(std::slice::from_ref(&tif)).unwrap();
    // Observer 2 m above the ground 1800 m west of the apex: the horizon toward it is
    // the apex, atan(498 / 1800) up (flat Earth).
    let eye = to_latlon(-1800.0, 0.0);
    let h = horizon::horizon(&dem, above(eye, 2.0), 0.5, 3000.0, flat_earth()).unwrap();
    let east = h.points.iter().find(|p| p.azimuth_deg == 90.0).unwrap();
    let expect = (498.0f64 / 1800.0).atan().to_degrees();
    assert!(
        (east.elevation_deg.unwrap() - expect).abs() < 0.05,
        "{east:?} vs {expect}"
    );
    assert!((east.distance_m.unwrap() - 1800.0).abs() < 15.0, "{east:?}");
    // 30° off the apex the cone's flank is lower: the tangent ray of a cone.
    let off = h.points.iter().find(|p| p.azimuth_deg == 120.0).unwrap();
    assert!(off.elevation_deg.unwrap() < expect - 5.0, "{off:?}");

    let v = viewshed::viewshed(
        &dem,
        above(eye, 2.0),
        &viewshed::ViewshedOptions {
            target_m: 0.0,
            radius_m: None,
            wedge: None,
            curvature: flat_earth(),
        },
    )
    .unwrap();
    let cell = |x: f64, y: f64| {
        let col = ((x + 2005.0) / 10.0).floor() as usize;
        let row = ((2005.0 - y) / 10.0).floor() as usize;
        v.get(col, row).unwrap()
    };
    assert_eq!(cell(-600.0, 0.0), viewshed::VISIBLE, "the near flank");
    assert_eq!(cell(600.0, 0.0), viewshed::HIDDEN, "the far flank");
    assert_eq!(
        cell(1500.0, 0.0),
        viewshed::HIDDEN,
        "the ground behind the cone"
    );
    assert_eq!(
        cell(-1800.0, 1500.0),
        viewshed::VISIBLE,
        "open ground to the north"
    );
    assert_eq!(
        cell(0.0, 1900.0),
        viewshed::VISIBLE,
        "ground beside the cone's shadow"
    );
}

/// A north-south ridge 100 m high along x = 0 with flanks of slope 1 (flat top 300 m
/// wide from x = 0 for the skyline test).
fn ridge(x: f64, _y: f64) -> f32 {
    (100.0 - (x.abs()).max(0.0)).max(0.0) as f32
}

fn plateau(x: f64, _y: f64) -> f32 {
    if (0.0..=300.0).contains(&x) {
        100.0
    } else if x < 0.0 {
        (100.0 + x).max(0.0) as f32
    } else {
        (400.0 - x).max(0.0) as f32
    }
}

#[test]
fn ridge_line_of_sight_in_closed_form() {
    let dir = tempfile::tempdir().unwrap();
    let tif = synthetic(dir.path(), "ridge.tif", 401, 10.0, ridge);
    let dem = Dem::open(&[tif]).unwrap();
    let (from, to) = (to_latlon(-1000.0, 0.0), to_latlon(1000.0, 0.0));
    // Flat Earth: the sight line from 2 m at −1000 to T at +1000 clears the 100 m crest
    // at the midpoint iff (2 + T) / 2 ≥ 100, T ≥ 198.
    for (t, hidden) in [(190.0, true), (206.0, false)] {
        let p = profile::profile(
            &dem,
            above(from, 2.0),
            above(to, t),
            Some(5.0),
            flat_earth(),
        )
        .unwrap();
        assert_eq!(
            p.verdict == profile::Verdict::Hidden,
            hidden,
            "T = {t}: {:?}",
            p.verdict
        );
        if hidden {
            let o = p.first_obstruction.unwrap();
            // The first sample above the line: where 100 − |x| > 2 + (T−2)·(x+1000)/2000.
            assert!((o.distance_m - 1000.0).abs() < 30.0, "{o:?}");
        }
        assert!(p.holes.is_empty());
    }
    // With curvature and refraction (k = 1/7) the far end sinks 0.27 m and the crest
    // 0.07 m: the threshold barely moves.
    let p = profile::profile(
        &dem,
        above(from, 2.0),
        above(to, 195.0),
        None,
        Curvature::default(),
    )
    .unwrap();
    assert_eq!(p.verdict, profile::Verdict::Hidden);
    let p = profile::profile(
        &dem,
        above(from, 2.0),
        above(to, 201.0),
        None,
        Curvature::default(),
    )
    .unwrap();
    assert_eq!(p.verdict, profile::Verdict::Visible);
}

#[test]
fn horizon_and_viewshed_over_a_flat_earth_follow_the_horizon_distance() {
    // Flat ground at 0 m, 100 km across (100 m cells). From 100 m up, with k = 1/7, the
    // horizon dips by 2·√(h·c) and lies √(h/c) away (38.55 km); a 10 m target is seen to
    // √(h/c) + √(10/c) (50.74 km).
    let dir = tempfile::tempdir().unwrap();
    let tif = synthetic(dir.path(), "flat.tif", 1000, 100.0, |_, _| 0.0);
    let dem = Dem::open(&[tif]).unwrap();
    let k = Curvature::default();
    let c = k.per_m2();
    let eye = to_latlon(0.0, 0.0);
    let h = horizon::horizon(&dem, above(eye, 100.0), 45.0, 45_000.0, k).unwrap();
    let dip = (-2.0 * (100.0 * c).sqrt()).atan().to_degrees();
    for p in &h.points {
        assert!(
            (p.elevation_deg.unwrap() - dip).abs() < 0.002,
            "{p:?} vs {dip}"
        );
        assert!(
            (p.distance_m.unwrap() - (100.0 / c).sqrt()).abs() < 3000.0,
            "{p:?}"
        );
    }
    let options = |target_m| viewshed::ViewshedOptions {
        target_m,
        radius_m: None,
        wedge: None,
        curvature: k,
    };
    let at_distance = |v: &viewshed::Viewshed, d: f64| {
        // Along the diagonal (NE) to reach beyond 50 km.
        let step = d / 2f64.sqrt() / 100.0;
        let (ox, oy) = v.observer_cell;
        v.get(ox + step as usize, oy - step as usize).unwrap()
    };
    let v = viewshed::viewshed(&dem, above(eye, 100.0), &options(0.0)).unwrap();
    assert_eq!(at_distance(&v, 36_000.0), viewshed::VISIBLE);
    assert_eq!(at_distance(&v, 41_000.0), viewshed::HIDDEN);
    let v = viewshed::viewshed(&dem, above(eye, 100.0), &options(10.0)).unwrap();
    assert_eq!(at_distance(&v, 48_000.0), viewshed::VISIBLE);
    assert_eq!(at_distance(&v, 54_000.0), viewshed::HIDDEN);
}

#[test]
fn skyline_of_a_straight_ridge_is_a_straight_line() {
    // A camera 2 m up, 1000 m west of a plateau's 100 m edge, looking east: the edge is
    // a straight line 98/1000 up, a level line (98/1000)·focal above the centre; rolled
    // 10° clockwise it tilts by tan 10°.
    let dir = tempfile::tempdir().unwrap();
    let tif = synthetic(dir.path(), "plateau.tif", 801, 10.0, plateau);
    let dem = Dem::open(&[tif]).unwrap();
    let camera = |roll| skyline::Camera {
        site: above(to_latlon(-1000.0, 0.0), 2.0),
        heading_deg: 90.0,
        pitch_deg: 0.0,
        roll_deg: roll,
        fov_deg: 60.0,
        width: 600,
        height: 400,
    };
    let focal = 300.0 / 30f64.to_radians().tan();
    let level = 200.0 - focal * 98.0 / 1000.0;
    let s = skyline::skyline(&dem, camera(0.0), 3000.0, flat_earth()).unwrap();
    let points: Vec<[f64; 2]> = s.polylines.concat();
    assert!(points.len() > 1000, "{} points", points.len());
    assert!(points.first().unwrap()[0] < 2.0 && points.last().unwrap()[0] > 598.0);
    for p in &points {
        assert!((p[1] - level).abs() < 1.5, "{p:?} vs y = {level}");
    }
    let s = skyline::skyline(&dem, camera(10.0), 3000.0, flat_earth()).unwrap();
    let points: Vec<[f64; 2]> = s.polylines.concat();
    let (a, b) = (points[points.len() / 4], points[3 * points.len() / 4]);
    let slope = (b[1] - a[1]) / (b[0] - a[0]);
    assert!(
        (slope + 10f64.to_radians().tan()).abs() < 0.01,
        "slope {slope}"
    );
    // The PNG: transparent but for the line.
    let image = skyline::draw(&s, [255, 0, 0, 255]);
    assert_eq!(image.get_pixel(0, 0)[3], 0);
    assert!(image.pixels().filter(|p| p[3] == 255).count() > 500);
}

/// `gdallocationinfo -valonly -wgs84 FILE LON LAT`: the value of the cell there.
fn gdallocationinfo(file: &Path, p: LatLon) -> Option<f64> {
    let out = Command::new("gdallocationinfo")
        .args(["-valonly", "-wgs84"])
        .arg(file)
        .arg(p.lon.to_string())
        .arg(p.lat.to_string())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// Cell centres of a file as (lat, lon), from its geotransform (geographic files).
fn centre(gt: &[f64; 6], col: usize, row: usize) -> LatLon {
    LatLon::new(
        gt[3] + (row as f64 + 0.5) * gt[5],
        gt[0] + (col as f64 + 0.5) * gt[1],
    )
    .unwrap()
}

#[test]
fn real_dems_agree_with_gdallocationinfo() {
    if !have("gdallocationinfo") {
        return;
    }
    // dem-hills.tiff: 333×218 Float32; N10W110.hgt: SRTM 1201×1201 Int16 (Clipperton
    // Island; mostly sea at 0 m).
    let cases: [(&str, &[(usize, usize)]); 2] = [
        (
            "dem-hills.tiff",
            &[(0, 0), (10, 20), (166, 109), (300, 200), (332, 217)],
        ),
        (
            "N10W110.hgt",
            &[(0, 0), (600, 600), (455, 789), (456, 790), (1200, 1200)],
        ),
    ];
    for (name, cells) in cases {
        let file = data(&format!("real/dem/{name}"));
        let ds = gdal::Dataset::open(&file).unwrap();
        let gt = ds.geo_transform().unwrap();
        let nodata = ds.rasterband(1).unwrap().no_data_value();
        let dem = Dem::open(std::slice::from_ref(&file)).unwrap();
        for &(col, row) in cells {
            let p = centre(&gt, col, row);
            let gdal = gdallocationinfo(&file, p).unwrap();
            let ours = dem.elevation(p);
            if Some(gdal) == nodata {
                assert_eq!(ours, None, "{name} cell {col},{row} is nodata");
                continue;
            }
            let ours = ours.unwrap();
            assert!(
                (ours - gdal).abs() < 1e-3,
                "{name} cell {col},{row}: {ours} vs {gdal}"
            );
        }
        // Between four cell centres: the bilinear mean of GDAL's four values.
        let (c, r) = (cells[2].0, cells[2].1);
        let corners: Vec<f64> = [(c, r), (c + 1, r), (c, r + 1), (c + 1, r + 1)]
            .iter()
            .map(|&(c, r)| gdallocationinfo(&file, centre(&gt, c, r)).unwrap())
            .collect();
        let (a, b) = (centre(&gt, c, r), centre(&gt, c + 1, r + 1));
        let (fx, fy) = (0.25, 0.75);
        let p = LatLon::new(a.lat + (b.lat - a.lat) * fy, a.lon + (b.lon - a.lon) * fx).unwrap();
        let expect = corners[0] * (1.0 - fx) * (1.0 - fy)
            + corners[1] * fx * (1.0 - fy)
            + corners[2] * (1.0 - fx) * fy
            + corners[3] * fx * fy;
        let ours = dem.elevation(p).unwrap();
        assert!(
            (ours - expect).abs() < 1e-3,
            "{name}: bilinear {ours} vs {expect}"
        );
    }
}

#[test]
fn clipperton_island_rises_from_the_sea_in_the_srtm_tile() {
    let dem = Dem::open(&[data("real/dem/N10W110.hgt")]).unwrap();
    let info = &dem.tiles()[0];
    assert_eq!(
        (info.driver.as_str(), info.width, info.height),
        ("SRTMHGT", 1201, 1201)
    );
    assert_eq!(info.declared_unit, "m");
    assert_eq!(info.max_m, Some(9.0));
    assert!(dem.crs().contains("4326"), "{}", dem.crs());
}

/// `gdal_viewshed` on `tif` from CRS (x, y) and ours from the same point: the share of
/// cells that agree where both computed one.
fn agreement_with_gdal_viewshed(
    tif: &Path,
    dir: &Path,
    x: f64,
    y: f64,
    to_wgs: impl Fn(f64, f64) -> LatLon,
) -> f64 {
    let reference = dir.join("gdal_viewshed.tif");
    let out = Command::new("gdal_viewshed")
        .args(["-q", "-oz", "10", "-tz", "0", "-cc", "0.85714"])
        .args(["-ox", &x.to_string(), "-oy", &y.to_string()])
        .arg(tif)
        .arg(&reference)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours = dir.join("ours.tif");
    let at = to_wgs(x, y);
    let run = geoproof([
        "terrain".as_ref(),
        "viewshed".as_ref(),
        "--dem".as_ref(),
        tif.as_os_str(),
        "--at".as_ref(),
        format!("{},{}", at.lat, at.lon).as_ref(),
        "--observer-height".as_ref(),
        "10".as_ref(),
        "--out".as_ref(),
        ours.as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let read = |p: &Path| {
        let ds = gdal::Dataset::open(p).unwrap();
        let (w, h) = ds.raster_size();
        let b = ds.rasterband(1).unwrap();
        let v = b.read_as::<u8>((0, 0), (w, h), (w, h), None).unwrap();
        (w, h, ds.geo_transform().unwrap(), v.data().to_vec())
    };
    let (gw, gh, ggt, g) = read(&reference);
    let (ow, oh, ogt, o) = read(&ours);
    assert_eq!((gw, gh), (ow, oh), "same grid");
    assert!(
        ggt.iter().zip(&ogt).all(|(a, b)| (a - b).abs() < 1e-6),
        "{ggt:?} vs {ogt:?}"
    );
    let (mut same, mut total) = (0usize, 0usize);
    for (a, b) in g.iter().zip(&o) {
        if *b == viewshed::NODATA {
            continue;
        }
        total += 1;
        same += usize::from(a == b);
    }
    assert!(total > gw * gh / 2, "{total} cells compared");
    same as f64 / total as f64
}

#[test]
fn viewshed_agrees_with_gdal_viewshed_on_projected_dems() {
    if !have("gdal_viewshed") || !have("gdalwarp") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Rolling synthetic hills with a cone, 30 m cells.
    let hills = |x: f64, y: f64| {
        (200.0
            + 60.0 * (x / 700.0).sin() * (y / 900.0).cos()
            + 40.0 * (x / 260.0 + y / 410.0).sin()) as f32
            + cone(x - 2000.0, y + 1500.0) * 0.6
    };
    let tif = synthetic(dir.path(), "hills.tif", 400, 30.0, hills);
    // The observer 0.3 of a cell past a cell's corner: GDAL rounds to the same cell.
    let (x, y) = (-6000.0 + 180.3 * 30.0, 6000.0 - 210.3 * 30.0);
    let share = agreement_with_gdal_viewshed(&tif, dir.path(), x, y, to_latlon);
    eprintln!(
        "synthetic hills: {:.2} % of cells agree with gdal_viewshed",
        share * 100.0
    );
    assert!(share >= 0.98, "{share}");

    // The real DEM, warped to UTM 16N at 10 m.
    let utm = dir.path().join("hills-utm.tif");
    let ok = Command::new("gdalwarp")
        .args([
            "-q",
            "-t_srs",
            "EPSG:32616",
            "-tr",
            "10",
            "10",
            "-r",
            "bilinear",
        ])
        .arg(data("real/dem/dem-hills.tiff"))
        .arg(&utm)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let ds = gdal::Dataset::open(&utm).unwrap();
    let gt = ds.geo_transform().unwrap();
    let (w, h) = ds.raster_size();
    let (x, y) = (
        gt[0] + (w as f64 / 2.0).floor() * gt[1] + 0.3 * gt[1],
        gt[3] + (h as f64 / 2.0).floor() * gt[5] + 0.3 * gt[5],
    );
    let to_wgs = |x: f64, y: f64| {
        let mut s = SpatialRef::from_epsg(32616).unwrap();
        s.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        let mut wgs = SpatialRef::from_epsg(4326).unwrap();
        wgs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        let t = CoordTransform::new(&s, &wgs).unwrap();
        let (mut xs, mut ys, mut zs) = ([x], [y], [0.0]);
        t.transform_coords(&mut xs, &mut ys, &mut zs).unwrap();
        LatLon::new(ys[0], xs[0]).unwrap()
    };
    let share = agreement_with_gdal_viewshed(&utm, dir.path(), x, y, to_wgs);
    eprintln!(
        "dem-hills in UTM 16N: {:.2} % of cells agree with gdal_viewshed",
        share * 100.0
    );
    assert!(share >= 0.98, "{share}");
}

#[test]
fn dted_and_ascii_grid_read_like_the_geotiff_they_came_from() {
    if !have("gdal_translate") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tif = data("real/dem/dem-hills.tiff");
    let asc = dir.path().join("hills.asc");
    assert!(
        Command::new("gdal_translate")
            .args(["-q", "-of", "AAIGrid"])
            .arg(&tif)
            .arg(&asc)
            .status()
            .unwrap()
            .success()
    );
    let (a, b) = (Dem::open(&[tif]).unwrap(), Dem::open(&[asc]).unwrap());
    let p = LatLon::new(39.42, -87.49).unwrap();
    assert!((a.elevation(p).unwrap() - b.elevation(p).unwrap()).abs() < 1e-3);

    // A DTED level 0 tile (121 × 121 posts over 1°) made from a plane.
    let srs = SpatialRef::from_epsg(4326).unwrap();
    let half = 0.5 / 120.0;
    let z: Vec<f32> = (0..121 * 121)
        .map(|i| (100 + (i % 121) * 2) as f32)
        .collect();
    let src = write_tif(
        dir.path(),
        "plane.tif",
        121,
        121,
        [
            15.0 - half,
            1.0 / 120.0,
            0.0,
            46.0 + half,
            0.0,
            -1.0 / 120.0,
        ],
        &srs,
        z,
        None,
        "",
    );
    let dt0 = dir.path().join("n45.dt0");
    assert!(
        Command::new("gdal_translate")
            .args(["-q", "-of", "DTED"])
            .arg(&src)
            .arg(&dt0)
            .status()
            .unwrap()
            .success()
    );
    let dem = Dem::open(&[dt0]).unwrap();
    assert_eq!(dem.tiles()[0].driver, "DTED");
    // Column 30 is 100 + 60 m; halfway to column 31, 161 m.
    let p = LatLon::new(45.5, 15.0 + 30.5 / 120.0).unwrap();
    assert!(
        (dem.elevation(p).unwrap() - 161.0).abs() < 1e-3,
        "{:?}",
        dem.elevation(p)
    );
}

#[test]
fn two_tiles_form_one_surface() {
    // One plane split in two tiles side by side: sampling across the seam is the plane.
    let dir = tempfile::tempdir().unwrap();
    let srs = SpatialRef::from_proj4(LOCAL_TM).unwrap();
    let plane = |x: f64| (x * 0.1 + 500.0) as f32;
    let tile = |name: &str, x0: f64| {
        let z: Vec<f32> = (0..100 * 100)
            .map(|i| plane(x0 + ((i % 100) as f64 + 0.5) * 10.0))
            .collect();
        write_tif(
            dir.path(),
            name,
            100,
            100,
            [x0, 10.0, 0.0, 500.0, 0.0, -10.0],
            &srs,
            z,
            None,
            "",
        )
    };
    let (a, b) = (tile("a.tif", -1000.0), tile("b.tif", 0.0));
    let dem = Dem::open(&[a, b]).unwrap();
    for x in [-3.0, 0.0, 2.5, 700.0, -900.0] {
        let e = dem.elevation(to_latlon(x, 0.0)).unwrap();
        assert!((e - f64::from(plane(x))).abs() < 1e-3, "x {x}: {e}");
    }
    // A profile across the seam sees over the flat-topped plane, with no hole.
    let p = profile::profile(
        &dem,
        above(to_latlon(-900.0, 0.0), 2.0),
        above(to_latlon(900.0, 0.0), 2.0),
        Some(10.0),
        flat_earth(),
    )
    .unwrap();
    assert_eq!(p.verdict, profile::Verdict::Visible);
}

// ---- bad input: one-line errors naming the file, no panic ----

fn fails_with(args: &[&std::ffi::OsStr], needle: &str) {
    let run = geoproof(args);
    run.assert_failed();
    let message = run.stderr.trim();
    assert!(
        message.contains(needle),
        "expected {needle:?} in:\n{message}"
    );
    assert!(!message.contains("panicked"), "{message}");
}

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

#[test]
fn bad_inputs_are_refused_with_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let flat = synthetic(d, "flat.tif", 50, 10.0, |_, _| 10.0);
    let flat_s = flat.to_str().unwrap();
    // RGB imagery.
    let rgb = data("real/rasters/sample_jpeg.tif");
    fails_with(
        &[
            os("terrain"),
            os("elevation"),
            os("--dem"),
            rgb.as_os_str(),
            os("--at"),
            os("45,15"),
        ],
        "not elevation",
    );
    fails_with(
        &[
            os("terrain"),
            os("elevation"),
            os("--dem"),
            rgb.as_os_str(),
            os("--at"),
            os("45,15"),
        ],
        "sample_jpeg.tif",
    );
    // Not a raster at all.
    let text = d.join("notes.tif");
    std::fs::write(&text, "not a raster").unwrap();
    fails_with(
        &[
            os("terrain"),
            os("elevation"),
            os("--dem"),
            text.as_os_str(),
            os("--at"),
            os("45,15"),
        ],
        "notes.tif",
    );
    // Tiles in different CRSs.
    let geo = write_tif(
        d,
        "geo.tif",
        10,
        10,
        [15.0, 0.01, 0.0, 45.1, 0.0, -0.01],
        &SpatialRef::from_epsg(4326).unwrap(),
        vec![1.0; 100],
        None,
        "",
    );
    fails_with(
        &[
            os("terrain"),
            os("elevation"),
            os("--dem"),
            os(flat_s),
            os("--dem"),
            geo.as_os_str(),
            os("--at"),
            os("45,15"),
        ],
        "geo.tif: its CRS",
    );
    // Mixed vertical units.
    let srs = SpatialRef::from_proj4(LOCAL_TM).unwrap();
    let metres = write_tif(
        d,
        "m.tif",
        10,
        10,
        [1000.0, 10.0, 0.0, 0.0, 0.0, -10.0],
        &srs,
        vec![1.0; 100],
        None,
        "m",
    );
    let feet = write_tif(
        d,
        "ft.tif",
        10,
        10,
        [1100.0, 10.0, 0.0, 0.0, 0.0, -10.0],
        &srs,
        vec![1.0; 100],
        None,
        "ft",
    );
    fails_with(
        &[
            os("terrain"),
            os("elevation"),
            os("--dem"),
            metres.as_os_str(),
            os("--dem"),
            feet.as_os_str(),
            os("--at"),
            os("45,15"),
        ],
        "ft.tif: vertical unit",
    );
    // A tile in feet alone is converted.
    let run = geoproof([
        os("terrain"),
        os("elevation"),
        os("--dem"),
        feet.as_os_str(),
        os("--at"),
        format!(
            "{},{}",
            to_latlon(1150.0, -50.0).lat,
            to_latlon(1150.0, -50.0).lon
        )
        .as_ref(),
        os("--json"),
    ]);
    run.assert_ok();
    assert!((run.json()["points"][0]["elevation_m"].as_f64().unwrap() - 0.3048).abs() < 1e-6);
    // A point outside every tile: null for elevation, an error where a site must stand.
    let run = geoproof([
        os("terrain"),
        os("elevation"),
        os("--dem"),
        os(flat_s),
        os("--at"),
        os("10,10"),
        os("--json"),
    ]);
    run.assert_ok();
    assert!(run.json()["points"][0]["elevation_m"].is_null());
    fails_with(
        &[
            os("terrain"),
            os("horizon"),
            os("--dem"),
            os(flat_s),
            os("--at"),
            os("10,10"),
            os("--observer-height"),
            os("2"),
        ],
        "outside every elevation tile",
    );
    // A camera below the ground.
    let at = to_latlon(0.0, 0.0);
    let cam = format!("{},{},5", at.lat, at.lon);
    fails_with(
        &[
            os("terrain"),
            os("skyline"),
            os("--dem"),
            os(flat_s),
            os("--camera"),
            os(&cam),
            os("--absolute"),
            os("--heading"),
            os("0"),
            os("--fov"),
            os("60"),
            os("--size"),
            os("100x50"),
        ],
        "below the ground",
    );
    fails_with(
        &[
            os("terrain"),
            os("horizon"),
            os("--dem"),
            os(flat_s),
            os("--at"),
            format!("{},{}", at.lat, at.lon).as_ref(),
            os("--observer-height"),
            os("-3"),
        ],
        "below the ground",
    );
    // An absurd field of view.
    let cam = format!("{},{},5", at.lat, at.lon);
    fails_with(
        &[
            os("terrain"),
            os("skyline"),
            os("--dem"),
            os(flat_s),
            os("--camera"),
            os(&cam),
            os("--heading"),
            os("0"),
            os("--fov"),
            os("400"),
            os("--size"),
            os("100x50"),
        ],
        "--fov 400",
    );
    fails_with(
        &[
            os("terrain"),
            os("viewshed"),
            os("--dem"),
            os(flat_s),
            os("--at"),
            format!("{},{}", at.lat, at.lon).as_ref(),
            os("--observer-height"),
            os("2"),
            os("--heading"),
            os("0"),
            os("--fov"),
            os("0"),
            os("--out"),
            d.join("v.tif").as_os_str(),
        ],
        "--fov 0",
    );
    assert!(!d.join("v.tif").exists(), "nothing written");
    // A viewshed that cannot be written leaves nothing behind.
    fails_with(
        &[
            os("terrain"),
            os("viewshed"),
            os("--dem"),
            os(flat_s),
            os("--at"),
            format!("{},{}", at.lat, at.lon).as_ref(),
            os("--observer-height"),
            os("2"),
            os("--out"),
            d.join("no/such/dir/v.tif").as_os_str(),
        ],
        "v.tif",
    );
    // Absurd refraction.
    fails_with(
        &[
            os("terrain"),
            os("elevation"),
            os("--dem"),
            os(flat_s),
            os("--at"),
            os("45,15"),
            os("--refraction"),
            os("5"),
        ],
        "--refraction 5",
    );
}

#[test]
fn nodata_holes_along_a_profile_are_reported_not_crossed() {
    let dir = tempfile::tempdir().unwrap();
    let srs = SpatialRef::from_proj4(LOCAL_TM).unwrap();
    // 100 m flat, with a nodata band 50 m wide across the middle.
    let z: Vec<f32> = (0..200 * 20)
        .map(|i| {
            if (95..100).contains(&(i % 200)) {
                -9999.0
            } else {
                100.0
            }
        })
        .collect();
    let tif = write_tif(
        dir.path(),
        "holes.tif",
        200,
        20,
        [-1000.0, 10.0, 0.0, 100.0, 0.0, -10.0],
        &srs,
        z,
        Some(-9999.0),
        "",
    );
    let (a, b) = (to_latlon(-900.0, 0.0), to_latlon(900.0, 0.0));
    let run = geoproof([
        os("terrain"),
        os("profile"),
        os("--dem"),
        tif.as_os_str(),
        os("--from"),
        format!("{},{}", a.lat, a.lon).as_ref(),
        os("--to"),
        format!("{},{}", b.lat, b.lon).as_ref(),
        os("--step"),
        os("10"),
        os("--json"),
        os("--csv"),
        dir.path().join("p.csv").as_os_str(),
    ]);
    run.assert_ok();
    let j = run.json();
    assert_eq!(j["verdict"], "unknown");
    let holes = j["holes"].as_array().unwrap();
    assert_eq!(holes.len(), 1);
    let (from, to) = (
        holes[0]["from_m"].as_f64().unwrap(),
        holes[0]["to_m"].as_f64().unwrap(),
    );
    // Cells −50..0 m are nodata; bilinear leans on them from −55 to +5.
    assert!(
        (840.0..=860.0).contains(&from) && (890.0..=920.0).contains(&to),
        "{from}..{to}"
    );
    let csv = std::fs::read_to_string(dir.path().join("p.csv")).unwrap();
    assert!(csv.starts_with("distance_m,lat,lon,elevation_m"));
    assert!(
        csv.lines().any(|l| l.split(',').nth(3) == Some("")),
        "holes are empty cells"
    );
}

#[test]
fn cli_commands_print_json() {
    let dir = tempfile::tempdir().unwrap();
    let tif = synthetic(dir.path(), "cone.tif", 201, 20.0, cone);
    let eye = to_latlon(-1500.0, 0.0);
    let at = format!("{},{}", eye.lat, eye.lon);
    let run = geoproof([
        os("terrain"),
        os("horizon"),
        os("--dem"),
        tif.as_os_str(),
        os("--at"),
        os(&at),
        os("--observer-height"),
        os("2"),
        os("--step-deg"),
        os("90"),
        os("--json"),
    ]);
    run.assert_ok();
    let j = run.json();
    assert_eq!(j["points"].as_array().unwrap().len(), 4);
    assert!(j["points"][1]["elevation_deg"].as_f64().unwrap() > 15.0);
    let out = dir.path().join("v.tif");
    let run = geoproof([
        os("terrain"),
        os("viewshed"),
        os("--dem"),
        tif.as_os_str(),
        os("--at"),
        os(&at),
        os("--observer-height"),
        os("2"),
        os("--radius"),
        os("3000"),
        os("--heading"),
        os("90"),
        os("--fov"),
        os("90"),
        os("--out"),
        out.as_os_str(),
        os("--json"),
    ]);
    run.assert_ok();
    assert!(run.json()["hidden_cells"].as_u64().unwrap() > 0);
    let ds = gdal::Dataset::open(&out).unwrap();
    assert_eq!(ds.rasterband(1).unwrap().no_data_value(), Some(128.0));
    let png = dir.path().join("sky.png");
    let cam = format!("{at},2");
    let run = geoproof([
        os("terrain"),
        os("skyline"),
        os("--dem"),
        tif.as_os_str(),
        os("--camera"),
        os(&cam),
        os("--heading"),
        os("90"),
        os("--fov"),
        os("50"),
        os("--size"),
        os("320x200"),
        os("--out"),
        png.as_os_str(),
        os("--json"),
    ]);
    run.assert_ok();
    assert!(!run.json()["polylines"].as_array().unwrap().is_empty());
    let image = image::open(&png).unwrap();
    assert_eq!((image.width(), image.height()), (320, 200));
}

/// Brute force, for the horizon's check: along the exact geodesic every quarter of the
/// finest cell, each point moved into the CRS on its own and read bilinearly; the
/// highest elevation angle (degrees), None when no point had elevation.
fn dense_horizon(
    dem: &Dem,
    eye: LatLon,
    z_eye: f64,
    az: f64,
    max_m: f64,
    k: Curvature,
) -> Option<f64> {
    let step = dem.resolution_m() / 4.0;
    let n = (max_m / step).ceil() as usize;
    let ds: Vec<f64> = (1..=n).map(|s| (s as f64 * step).min(max_m)).collect();
    let points: Vec<LatLon> = ds
        .iter()
        .map(|d| geoproof::spatial::destination(eye, az, *d))
        .collect();
    let xy = dem.to_crs_many(&points).unwrap();
    ds.iter()
        .zip(xy)
        .filter_map(|(d, (x, y))| {
            let z = dem.surface().bilinear(x, y)?;
            Some((z - k.drop_m(*d) - z_eye) / d)
        })
        .fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.max(t))))
        .map(|t| t.atan().to_degrees())
}

/// The fast horizon (growing step, skipped blocks) against [`dense_horizon`] every 1°.
fn horizon_agrees_with_dense_sampling(dem: &Dem, eye: LatLon, max_m: f64, tolerance_deg: f64) {
    let k = Curvature::default();
    let h = horizon::horizon(dem, above(eye, 2.0), 1.0, max_m, k).unwrap();
    let mut worst = 0.0f64;
    for p in &h.points {
        let dense = dense_horizon(dem, eye, h.observer.z_m, p.azimuth_deg, max_m, k);
        assert_eq!(p.elevation_deg.is_some(), dense.is_some(), "{p:?}");
        if let (Some(a), Some(b)) = (p.elevation_deg, dense) {
            worst = worst.max((a - b).abs());
            assert!((a - b).abs() < tolerance_deg, "{p:?} vs dense {b}");
        }
    }
    eprintln!(
        "horizon vs dense sampling: worst {worst:.4}° over {} azimuths",
        h.points.len()
    );
}

#[test]
fn fast_horizon_agrees_with_dense_sampling() {
    // Real: the hills (1/3″ cells, 2 km across) from their centre, and Clipperton
    // Island (3″ SRTM) out to 50 km of sea.
    let hills = Dem::open(&[data("real/dem/dem-hills.tiff")]).unwrap();
    let gt = gdal::Dataset::open(data("real/dem/dem-hills.tiff"))
        .unwrap()
        .geo_transform()
        .unwrap();
    horizon_agrees_with_dense_sampling(&hills, centre(&gt, 166, 109), 1500.0, 0.05);
    let srtm = Dem::open(&[data("real/dem/N10W110.hgt")]).unwrap();
    let gt = gdal::Dataset::open(data("real/dem/N10W110.hgt"))
        .unwrap()
        .geo_transform()
        .unwrap();
    horizon_agrees_with_dense_sampling(&srtm, centre(&gt, 455, 789), 50_000.0, 0.05);
    // Synthetic rough ground, 10 m cells, 20 km across: hills and ridges of several
    // wavelengths and a hashed roughness of ±3 m per cell (slopes up to about 1); out
    // to 9.5 km, past where the step starts to grow (5.7 km).
    let dir = tempfile::tempdir().unwrap();
    let rough = |x: f64, y: f64| {
        let h = ((x * 12.9898 + y * 78.233).sin() * 43_758.545).fract();
        (400.0
            + 300.0 * (x / 1700.0).sin() * (y / 2300.0).cos()
            + 120.0 * (x / 410.0 + y / 530.0).sin()
            + 15.0 * (x / 37.0).sin() * (y / 43.0).cos()
            + 3.0 * h) as f32
    };
    let tif = synthetic(dir.path(), "rough.tif", 2000, 10.0, rough);
    let dem = Dem::open(&[tif]).unwrap();
    for (x, y) in [(0.0, 0.0), (-3000.0, 2000.0), (2500.0, -1500.0)] {
        horizon_agrees_with_dense_sampling(&dem, to_latlon(x, y), 9500.0, 0.05);
    }
}

/// Both marches' horizons at 0.1° from `eye`, compared point by point: the leaps through
/// coarser blocks must not change a single value (not even in the last bit).
fn leaps_change_nothing(dem: &Dem, eye: Site, max_m: f64, k: Curvature) -> usize {
    let t = std::time::Instant::now();
    let fast = horizon::horizon(dem, eye, 0.1, max_m, k).unwrap();
    let leaping = t.elapsed();
    let t = std::time::Instant::now();
    let slow = horizon::horizon_unleaped(dem, eye, 0.1, max_m, k).unwrap();
    eprintln!(
        "leaping {leaping:?}, sample by sample {:?} ({} azimuths)",
        t.elapsed(),
        fast.points.len()
    );
    assert_eq!(fast.points.len(), 3600);
    for (a, b) in fast.points.iter().zip(&slow.points) {
        assert_eq!(a, b);
    }
    fast.points
        .iter()
        .filter(|p| p.elevation_deg.is_some())
        .count()
}

#[test]
fn horizon_leaps_give_the_same_horizon_as_the_sample_by_sample_march() {
    let k = Curvature::default();
    // Real: the hills (1/3″ cells) from their centre and from a corner, Clipperton
    // Island's SRTM tile (3″, geographic) to 50 km from the island and from open sea.
    let hills = data("real/dem/dem-hills.tiff");
    let gt = gdal::Dataset::open(&hills)
        .unwrap()
        .geo_transform()
        .unwrap();
    let hills = Dem::open(&[hills]).unwrap();
    for (col, row) in [(166, 109), (20, 15), (300, 200)] {
        leaps_change_nothing(&hills, above(centre(&gt, col, row), 2.0), 1500.0, k);
    }
    let srtm = data("real/dem/N10W110.hgt");
    let gt = gdal::Dataset::open(&srtm).unwrap().geo_transform().unwrap();
    let srtm = Dem::open(&[srtm]).unwrap();
    for (col, row) in [(455, 789), (300, 600)] {
        let found = leaps_change_nothing(&srtm, above(centre(&gt, col, row), 2.0), 50_000.0, k);
        assert!(found > 0);
    }
    // Synthetic, the benchmark's kind of ground (hills of 200 m to 2 km relief, 30 m
    // cells) in two tiles side by side, with a nodata hole: from a valley, from a
    // summit (every tangent negative), next to the hole and near the outer edge, with
    // the standard refraction and over a flat Earth.
    let dir = tempfile::tempdir().unwrap();
    let srs = SpatialRef::from_proj4(LOCAL_TM).unwrap();
    let ground = |x: f64, y: f64| {
        (800.0
            + 600.0 * (x / 9000.0).sin() * (y / 7000.0).cos()
            + 250.0 * (x / 2100.0 + y / 3300.0).sin()
            + 80.0 * (x / 430.0).cos() * (y / 610.0).sin()
            + 20.0 * (x / 97.0 + y / 131.0).sin()) as f32
    };
    let (w, h, cell) = (600usize, 1200usize, 30.0);
    let tile = |name: &str, x0: f64| {
        let mut z = Vec::with_capacity(w * h);
        for row in 0..h {
            for col in 0..w {
                let (x, y) = (
                    x0 + (col as f64 + 0.5) * cell,
                    18_000.0 - (row as f64 + 0.5) * cell,
                );
                let hole = (x - 4000.0).abs() < 300.0 && (y + 2000.0).abs() < 450.0;
                z.push(if hole { -9999.0 } else { ground(x, y) });
            }
        }
        let gt = [x0, cell, 0.0, 18_000.0, 0.0, -cell];
        write_tif(dir.path(), name, w, h, gt, &srs, z, Some(-9999.0), "")
    };
    let dem = Dem::open(&[tile("w.tif", -18_000.0), tile("e.tif", 0.0)]).unwrap();
    // The highest point of a 60 m grid over the middle 12 km.
    let summit = (0..200 * 200)
        .map(|i| {
            (
                -6000.0 + 60.0 * f64::from(i % 200),
                -6000.0 + 60.0 * f64::from(i / 200),
            )
        })
        .max_by(|a, b| ground(a.0, a.1).total_cmp(&ground(b.0, b.1)))
        .unwrap();
    for (x, y) in [
        (0.3, -0.3),
        (-5000.0, 3000.0),
        summit,
        (4000.0, -1200.0),
        (16_500.0, 0.0),
    ] {
        for k in [k, flat_earth()] {
            leaps_change_nothing(&dem, above(to_latlon(x, y), 10.0), 30_000.0, k);
        }
    }
}
