//! Terrain figures (#33), release build:
//!
//! 1. viewshed of a 3600 × 3600 DEM (30 m cells, a GLO-30 tile's size; synthetic
//!    hills, projected, made once under target/bench-data) from its centre, the
//!    computation alone (target: under 1 s);
//! 2. the same viewshed end to end as processes, `geoproof terrain viewshed` against
//!    `gdal_viewshed` (same observer, height, curvature coefficient; both write a
//!    GeoTIFF), alternating, and the share of cells on which they agree;
//! 3. a 360° horizon at 0.1° steps to 50 km (target: under 100 ms per site), and a
//!    skyline scan of 1,000 candidate sites on two threads (`terrain::fit::scan`: per
//!    site the horizon all round at 0.1° to 50 km, then heading all round, pitch ± 5°,
//!    roll ± 2° searched against a 1920 × 1080 trace rendered at one of them; target:
//!    under 2 min).
//!
//! `cargo build --release && cargo bench --bench terrain` (needs gdal-bin);
//! `cargo bench --bench terrain -- horizon` runs part 3 alone (`uptime` before and
//! after: the figures depend on the other load).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use gdal::raster::Buffer;
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use geoproof::spatial::LatLon;
use geoproof::terrain::fit::{self, FitOptions, Ranges, ScanOptions, Trace};
use geoproof::terrain::skyline::{self, Camera};
use geoproof::terrain::{Curvature, Dem, HeightRef, Site, horizon, viewshed};

const LOCAL_TM: &str =
    "+proj=tmerc +lat_0=45 +lon_0=15 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs";
const SIDE: usize = 3600;
const CELL: f64 = 30.0;

fn bin() -> PathBuf {
    let exe = std::env::current_exe().expect("bench path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target")
        .join("geoproof")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Hills of several wavelengths (200 to 2,000 m relief) written once.
fn dem_file() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench-data");
    let path = dir.join("terrain-3600.tif");
    if path.exists() {
        return path;
    }
    let half = SIDE as f64 * CELL / 2.0;
    let mut z = Vec::with_capacity(SIDE * SIDE);
    for row in 0..SIDE {
        for col in 0..SIDE {
            let x = -half + (col as f64 + 0.5) * CELL;
            let y = half - (row as f64 + 0.5) * CELL;
            let v = 800.0
                + 600.0 * (x / 9000.0).sin() * (y / 7000.0).cos()
                + 250.0 * (x / 2100.0 + y / 3300.0).sin()
                + 80.0 * (x / 430.0).cos() * (y / 610.0).sin()
                + 20.0 * (x / 97.0 + y / 131.0).sin();
            z.push(v as f32);
        }
    }
    let tmp = dir.join("terrain-3600.tmp.tif");
    let driver = gdal::DriverManager::get_driver_by_name("GTiff").expect("GTiff");
    let mut ds = driver
        .create_with_band_type::<f32, _>(&tmp, SIDE, SIDE, 1)
        .expect("create");
    ds.set_geo_transform(&[-half, CELL, 0.0, half, 0.0, -CELL])
        .expect("gt");
    ds.set_spatial_ref(&SpatialRef::from_proj4(LOCAL_TM).expect("srs"))
        .expect("srs");
    {
        let mut band = ds.rasterband(1).expect("band");
        band.write((0, 0), (SIDE, SIDE), &mut Buffer::new((SIDE, SIDE), z))
            .expect("write");
    }
    ds.close().expect("close");
    std::fs::rename(&tmp, &path).expect("rename");
    path
}

fn to_latlon(x: f64, y: f64) -> LatLon {
    let mut tm = SpatialRef::from_proj4(LOCAL_TM).expect("srs");
    tm.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let mut wgs = SpatialRef::from_epsg(4326).expect("wgs84");
    wgs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let t = CoordTransform::new(&tm, &wgs).expect("transform");
    let (mut xs, mut ys, mut zs) = ([x], [y], [0.0]);
    t.transform_coords(&mut xs, &mut ys, &mut zs)
        .expect("to wgs84");
    LatLon::new(ys[0], xs[0]).expect("latlon")
}

fn timed(cmd: &mut Command) -> Duration {
    let t = Instant::now();
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.elapsed()
}

fn read_u8(path: &Path) -> Vec<u8> {
    let ds = gdal::Dataset::open(path).expect("open");
    let (w, h) = ds.raster_size();
    let band = ds.rasterband(1).expect("band");
    band.read_as::<u8>((0, 0), (w, h), (w, h), None)
        .expect("read")
        .data()
        .to_vec()
}

fn main() {
    let file = dem_file();
    let t = Instant::now();
    let dem = Dem::open(std::slice::from_ref(&file)).expect("dem");
    println!("open and read the 3600×3600 DEM: {:?}", t.elapsed());
    // The observer 0.3 of a cell past the centre cell's corner (gdal_viewshed rounds
    // to the same cell).
    let (ox, oy) = (0.3 * CELL, -0.3 * CELL);
    let eye = to_latlon(ox, oy);
    let site = Site {
        at: eye,
        height_m: 10.0,
        reference: HeightRef::AboveGround,
    };
    if std::env::args().skip(1).any(|a| a == "horizon") {
        horizons(&dem, site);
        return;
    }
    let options = viewshed::ViewshedOptions {
        target_m: 0.0,
        radius_m: None,
        wedge: None,
        curvature: Curvature::default(),
    };
    let mut times = Vec::new();
    let mut visible = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let v = viewshed::viewshed(&dem, site, &options).expect("viewshed");
        times.push(t.elapsed());
        visible = v.visible;
    }
    println!(
        "1. viewshed 3600×3600 from the centre (computation): median {:?} of 5 ({} visible cells; target < 1 s)",
        median(times),
        visible
    );

    let dir = tempfile::tempdir().expect("tmp");
    let ours = dir.path().join("ours.tif");
    let theirs = dir.path().join("gdal.tif");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        a.push(timed(
            Command::new(bin())
                .args(["terrain", "viewshed", "--dem"])
                .arg(&file)
                .args(["--at", &format!("{},{}", eye.lat, eye.lon)])
                .args(["--observer-height", "10", "--out"])
                .arg(&ours),
        ));
        b.push(timed(
            Command::new("gdal_viewshed")
                .args(["-q", "-oz", "10", "-tz", "0", "-cc", "0.85714"])
                .args(["-co", "TILED=YES", "-co", "COMPRESS=DEFLATE"])
                .args(["-ox", &ox.to_string(), "-oy", &oy.to_string()])
                .arg(&file)
                .arg(&theirs),
        ));
    }
    let (ma, mb) = (median(a), median(b));
    let (x, y) = (read_u8(&ours), read_u8(&theirs));
    let same = x.iter().zip(&y).filter(|(p, q)| p == q).count();
    println!(
        "2. end to end, alternating, median of 3: geoproof {ma:?}, gdal_viewshed {mb:?}: ratio {:.2} (geoproof / gdal); cells agreeing {:.3} %",
        ma.as_secs_f64() / mb.as_secs_f64(),
        100.0 * same as f64 / x.len() as f64
    );
    horizons(&dem, site);
}

/// Part 3: one site's horizon, and a skyline scan of 1,000 sites.
fn horizons(dem: &Dem, site: Site) {
    let k = Curvature::default();
    // Alternating with the sample-by-sample march the leaps replaced (same horizon).
    let (mut times, mut unleaped) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let t = Instant::now();
        let h = horizon::horizon(dem, site, 0.1, 50_000.0, k).expect("horizon");
        times.push(t.elapsed());
        assert_eq!(h.points.len(), 3600);
        let t = Instant::now();
        let u = horizon::horizon_unleaped(dem, site, 0.1, 50_000.0, k).expect("horizon");
        unleaped.push(t.elapsed());
        assert_eq!(h.points, u.points);
    }
    println!(
        "3. horizon 360° at 0.1° to 50 km: median {:?} of 5 (target < 100 ms); without the \
         leaps through coarser blocks, alternating: {:?}",
        median(times),
        median(unleaped)
    );
    // The frame: rendered at one of the sites (the 500th), looking south-east.
    let sites: Vec<Site> = (0..1000)
        .map(|i| Site {
            at: to_latlon(
                -20_000.0 + (i % 40) as f64 * 1000.0,
                -12_000.0 + (i / 40) as f64 * 1000.0,
            ),
            ..site
        })
        .collect();
    let truth = Camera {
        site: sites[500],
        heading_deg: 130.0,
        pitch_deg: 1.0,
        roll_deg: 0.5,
        fov_deg: 50.0,
        width: 1920,
        height: 1080,
    };
    let rendered = skyline::skyline(dem, truth, 50_000.0, k).expect("skyline");
    let trace = Trace {
        polylines: rendered.polylines,
    };
    let options = ScanOptions {
        fit: FitOptions::default(),
        ranges: Ranges {
            heading_deg: 180.0,
            pitch_deg: 5.0,
            roll_deg: 2.0,
            fov_deg: 0.0,
        },
        threads: 2,
    };
    let start = Camera {
        heading_deg: 0.0,
        pitch_deg: 0.0,
        roll_deg: 0.0,
        ..truth
    };
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let t = Instant::now();
    let ranked =
        fit::scan(dem, &sites, start, &trace, &options, &|_, _| {}, &cancel).expect("scan");
    let scan = t.elapsed();
    let true_rank = ranked.iter().find(|r| r.index == 500).map_or(0, |r| r.rank);
    println!(
        "   skyline scan of 1,000 sites on two threads: {scan:?} (target < 2 min); the true \
         site ranked {true_rank}, best score {:.3}°",
        ranked[0].fit.map_or(f64::NAN, |f| f.score.mean_deg)
    );
}
