//! Georeferencing and imagery figures (#17), release build:
//!
//! 1. the live residual update: a fit of 50 control points with its residuals and 50
//!    leave-one-out refits, per method (target: under 1 ms);
//! 2. warping a 12-megapixel frame to a GeoTIFF: `geoproof georef --geotiff` against
//!    `gdalwarp` on the same JPEG, control points (affine, GDAL's `-order 1`), output grid,
//!    resampling, alpha and compression, alternating, each run a whole process (target:
//!    within 1.5× gdalwarp);
//! 3. map frames while panning over a 20 000 × 20 000 GeoTIFF layer (JPEG-compressed,
//!    with overviews; made once under target/bench-data) above the bundled PMTiles
//!    basemap, once its tiles are cached (target: under 16 ms).
//!
//! `cargo bench --bench georef`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use geoproof::spatial::georef::{self, ControlPoint, LocalFrame, Method};

#[path = "../tests/util/app.rs"]
mod app;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// 50 points of a projective mapping with half a metre of noise.
fn fifty_points() -> Vec<ControlPoint> {
    let frame = LocalFrame::at(50.45, 30.52);
    let mut seed = 7u64;
    let mut noise = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        ((seed >> 33) as f64 / f64::from(1u32 << 31) - 0.5) * 1.0
    };
    (0..50)
        .map(|i| {
            let (x, y) = (
                f64::from(i % 10) * 190.0 + 40.0,
                f64::from(i / 10) * 200.0 + 60.0,
            );
            let w = 1.0 + 0.0004 * y;
            let (e, n) = (
                (0.5 * x - 0.1 * y) / w + noise(),
                (0.05 * x - 0.6 * y) / w + noise(),
            );
            let (lat, lon) = frame.to_geo([e, n]);
            ControlPoint { x, y, lat, lon }
        })
        .collect()
}

fn residual_update() {
    let points = fifty_points();
    for method in [Method::Helmert, Method::Affine, Method::Projective] {
        let mut times = Vec::new();
        for _ in 0..300 {
            let t = Instant::now();
            let fit = georef::fit(&points, method).expect("fit");
            std::hint::black_box(&fit);
            times.push(t.elapsed());
        }
        println!(
            "residual update, 50 points, {method:?}: median {:.3} ms",
            median(times).as_secs_f64() * 1e3
        );
    }
}

fn geoproof_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("bench path");
    // target/release/deps/georef-… → target/release/geoproof
    exe.parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("geoproof")
}

fn warp_against_gdalwarp(dir: &Path) {
    let bin = geoproof_bin();
    if !bin.exists() {
        println!(
            "warp: {} not built (cargo build --release first); skipped",
            bin.display()
        );
        return;
    }
    // A 4000×3000 JPEG with structure everywhere (12 MP, like a phone frame).
    let input = dir.join("frame-12mp.jpg");
    let image = image::RgbImage::from_fn(4000, 3000, |x, y| {
        image::Rgb([
            ((x / 7 + y / 11) % 256) as u8,
            ((x * y / 97) % 256) as u8,
            (((x ^ y) / 3) % 256) as u8,
        ])
    });
    image.save(&input).expect("write frame");
    let gcps = [
        (100.0, 100.0, 50.4620, 30.5100),
        (3900.0, 150.0, 50.4615, 30.5380),
        (3850.0, 2900.0, 50.4450, 30.5375),
        (150.0, 2850.0, 50.4455, 30.5105),
        (2000.0, 1500.0, 50.4536, 30.5241),
    ];
    let ours = dir.join("ours.tif");
    let mut ours_cmd = Command::new(&bin);
    ours_cmd.arg("georef").arg(&input);
    for (x, y, lat, lon) in gcps {
        ours_cmd.args(["--gcp", &format!("{x},{y},{lat},{lon}")]);
    }
    ours_cmd
        .args(["--method", "affine", "--geotiff"])
        .arg(&ours);
    let run = |cmd: &mut Command| {
        let t = Instant::now();
        let out = cmd.output().expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        t.elapsed()
    };
    run(&mut ours_cmd);
    // GDAL gets the same grid: read ours back.
    let info: serde_json::Value = serde_json::from_slice(
        &Command::new("gdalinfo")
            .arg("-json")
            .arg(&ours)
            .output()
            .expect("gdalinfo")
            .stdout,
    )
    .expect("json");
    let gt: Vec<f64> = info["geoTransform"]
        .as_array()
        .expect("geoTransform")
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect();
    let size: Vec<f64> = info["size"]
        .as_array()
        .expect("size")
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect();
    let (west, north) = (gt[0], gt[3]);
    let (east, south) = (west + gt[1] * size[0], north + gt[5] * size[1]);
    let vrt = dir.join("frame-gcps.vrt");
    let mut translate = Command::new("gdal_translate");
    translate.args(["-q", "-of", "VRT", "-a_srs", "EPSG:4326"]);
    for (x, y, lat, lon) in gcps {
        translate.args([
            "-gcp",
            &x.to_string(),
            &y.to_string(),
            &lon.to_string(),
            &lat.to_string(),
        ]);
    }
    translate.arg(&input).arg(&vrt);
    run(&mut translate);
    let theirs = dir.join("gdalwarp.tif");
    let mut warp_cmd = Command::new("gdalwarp");
    warp_cmd
        .args([
            "-q",
            "-overwrite",
            "-order",
            "1",
            "-r",
            "bilinear",
            "-dstalpha",
        ])
        .args([
            "-co",
            "TILED=YES",
            "-co",
            "COMPRESS=DEFLATE",
            "-t_srs",
            "EPSG:4326",
        ])
        .args([
            "-te",
            &west.to_string(),
            &south.to_string(),
            &east.to_string(),
            &north.to_string(),
        ])
        .args(["-ts", &size[0].to_string(), &size[1].to_string()])
        .arg(&vrt)
        .arg(&theirs);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        a.push(run(&mut ours_cmd));
        b.push(run(&mut warp_cmd));
    }
    let (a, b) = (median(a), median(b));
    println!(
        "warp 12 MP → GeoTIFF {}×{}: geoproof {:.2} s, gdalwarp {:.2} s, ratio {:.2}",
        size[0],
        size[1],
        a.as_secs_f64(),
        b.as_secs_f64(),
        a.as_secs_f64() / b.as_secs_f64()
    );
}

/// A 20 000 × 20 000 RGB GeoTIFF (UTM 36N, 0.5 m pixels, JPEG tiles, overviews).
fn big_layer() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench-data");
    let path = dir.join("layer-20k.tif");
    if path.exists() {
        return path;
    }
    let t = Instant::now();
    let partial = dir.join("layer-20k.partial.tif");
    {
        use gdal::raster::{Buffer, RasterCreationOptions};
        let driver = gdal::DriverManager::get_driver_by_name("GTiff").expect("GTiff");
        let options = RasterCreationOptions::from_iter([
            "TILED=YES",
            "COMPRESS=JPEG",
            "PHOTOMETRIC=YCBCR",
            "BIGTIFF=YES",
        ]);
        let n = 20_000usize;
        let mut ds = driver
            .create_with_band_type_with_options::<u8, _>(&partial, n, n, 3, &options)
            .expect("create");
        ds.set_geo_transform(&[300_000.0, 0.5, 0.0, 5_600_000.0, 0.0, -0.5])
            .expect("gt");
        ds.set_spatial_ref(&gdal::spatial_ref::SpatialRef::from_epsg(32636).expect("srs"))
            .expect("srs");
        let rows = 512usize;
        for y0 in (0..n).step_by(rows) {
            let h = rows.min(n - y0);
            for b in 1..=3 {
                let data: Vec<u8> = (0..n * h)
                    .map(|k| {
                        let (x, y) = (k % n, y0 + k / n);
                        match b {
                            1 => ((x / 40 + y / 40) % 2 * 120 + (x % 256) / 4) as u8,
                            2 => ((y % 512) / 2) as u8,
                            _ => ((x ^ y) % 200) as u8,
                        }
                    })
                    .collect();
                ds.rasterband(b)
                    .expect("band")
                    .write((0, y0 as isize), (n, h), &mut Buffer::new((n, h), data))
                    .expect("write");
            }
        }
        ds.build_overviews("AVERAGE", &[2, 4, 8, 16, 32, 64, 128], &[])
            .expect("overviews");
    }
    std::fs::rename(&partial, &path).expect("rename");
    println!(
        "made {} in {:.0} s",
        path.display(),
        t.elapsed().as_secs_f64()
    );
    path
}

fn panning_frames(dir: &Path) {
    use geoproof::imagery::ImageryLayerRef;
    let layer = big_layer();
    let mut case = geoproof::case::Case::create(&dir.join("case"), "bench").expect("case");
    case.apply(geoproof::case::Edit::SetImageryLayers(vec![
        ImageryLayerRef {
            path: layer.clone(),
            opacity: 1.0,
            visible: true,
            date: None,
        },
    ]))
    .expect("layer");
    case.save().expect("save");
    let mut h = app::app_harness(Some(case), egui::vec2(1400.0, 860.0));
    h.run_steps(3);
    // The layer's centre, about 50.45 N 30.14 E, at zoom 15 (≈ 3 m per screen pixel).
    let centre = (50.4435, 30.1765);
    let positions: Vec<(f64, f64)> = (0..8)
        .map(|i| {
            let a = f64::from(i) * std::f64::consts::TAU / 8.0;
            (centre.0 + 0.02 * a.sin(), centre.1 + 0.03 * a.cos())
        })
        .collect();
    let set_view = |h: &mut egui_kittest::Harness<'static, app::Holder>, p: (f64, f64)| {
        let state = &mut h.state_mut().app.as_mut().expect("app").state;
        state.map_mut().memory.center_at(walkers::lon_lat(p.1, p.0));
        let _ = state.map_mut().memory.set_zoom(15.0);
    };
    // Warm up: visit every position until the layer has all its tiles.
    let t = Instant::now();
    for _ in 0..3 {
        for p in &positions {
            set_view(&mut h, *p);
            for _ in 0..400 {
                h.run_steps(1);
                let idle = h
                    .state_mut()
                    .app
                    .as_mut()
                    .expect("app")
                    .imagery
                    .get_mut(&layer)
                    .is_some_and(|t| t.idle());
                if idle {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
    let cached = h
        .state_mut()
        .app
        .as_mut()
        .expect("app")
        .imagery
        .get_mut(&layer)
        .map_or(0, |t| t.cached());
    assert!(cached > 10, "the layer drew nothing: {cached} tiles");
    println!(
        "{cached} layer tiles for 8 views rendered in {:.1} s (background)",
        t.elapsed().as_secs_f64()
    );
    let mut times = Vec::new();
    for round in 0..25 {
        for (i, p) in positions.iter().enumerate() {
            // Pan a little around each cached view.
            let d = f64::from((round + i) as u32 % 5) * 0.0002;
            set_view(&mut h, (p.0 + d, p.1 - d));
            let t = Instant::now();
            h.run_steps(1);
            times.push(t.elapsed());
        }
    }
    times.sort();
    let p95 = times[times.len() * 95 / 100];
    println!(
        "map frame panning over a 20000×20000 GeoTIFF layer + PMTiles basemap: median {:.2} ms, 95th percentile {:.2} ms, worst {:.2} ms ({} frames)",
        median(times.clone()).as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3,
        times.last().expect("frames").as_secs_f64() * 1e3,
        times.len()
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("tmp");
    residual_update();
    warp_against_gdalwarp(dir.path());
    panning_frames(dir.path());
}
