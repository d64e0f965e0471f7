//! The control-point fits (Helmert, affine, projective) checked against GDAL on real
//! rasters: control points are real pixels placed by `gdaltransform` through the raster's
//! own geotransform, and every method must put other pixels where GDAL puts them. The
//! affine fit is also checked against `gdaltransform -gcp … -order 1` with the same
//! points, and the Helmert GeoTIFF export against the raster's footprint (`gdalinfo`).
#![allow(clippy::unwrap_used)]

mod util;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use geoproof::spatial::georef::{self, ControlPoint, LocalFrame, Method};
use util::{data, geoproof};

/// Whether GDAL's command-line tools are installed (Debian: gdal-bin); says so if not.
fn have_gdal() -> bool {
    let ok = Command::new("gdaltransform")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: gdaltransform not installed (Debian package gdal-bin)");
    }
    ok
}

/// `gdaltransform ARGS` over pixels: (longitude, latitude) of each.
fn gdaltransform(args: &[&str], pixels: &[[f64; 2]]) -> Vec<(f64, f64)> {
    let mut child = Command::new("gdaltransform")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = String::new();
    for p in pixels {
        input.push_str(&format!("{} {}\n", p[0], p[1]));
    }
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "gdaltransform {args:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let points: Vec<(f64, f64)> = text
        .lines()
        .map(|l| {
            let v: Vec<f64> = l.split_whitespace().map(|t| t.parse().unwrap()).collect();
            (v[0], v[1])
        })
        .collect();
    assert_eq!(points.len(), pixels.len(), "gdaltransform {args:?}: {text}");
    points
}

/// A local transverse Mercator for rotated.tif, which has a geotransform but no CRS.
const LOCAL_TM: &str = "+proj=tmerc +lat_0=50 +lon_0=30 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m";

struct Raster {
    file: &'static str,
    width: f64,
    height: f64,
    /// The CRS given to gdaltransform when the file has none.
    s_srs: Option<&'static str>,
    /// Whether its pixels are (nearly) square: only then can a similarity fit.
    square: bool,
}

/// gdalinfo: byte.tif 20×20 at 60 m, north-up (NAD27 / UTM 11N); byte_rotated.tif the
/// same pixels turned 30°; labels.tif 186×169 at 29.906 × 29.883 m, north-up (UTM 17N);
/// rotated.tif 10×15, turned 30°, pixels 20 × 10 units.
const RASTERS: [Raster; 4] = [
    Raster {
        file: "byte.tif",
        width: 20.0,
        height: 20.0,
        s_srs: None,
        square: true,
    },
    Raster {
        file: "byte_rotated.tif",
        width: 20.0,
        height: 20.0,
        s_srs: None,
        square: true,
    },
    Raster {
        file: "labels.tif",
        width: 186.0,
        height: 169.0,
        s_srs: None,
        square: true,
    },
    Raster {
        file: "rotated.tif",
        width: 10.0,
        height: 15.0,
        s_srs: Some(LOCAL_TM),
        square: false,
    },
];

/// (longitude, latitude) of pixels through the raster's own geotransform.
fn placed(r: &Raster, pixels: &[[f64; 2]]) -> Vec<(f64, f64)> {
    let path = data(&format!("real/rasters/{}", r.file));
    let path = path.to_str().unwrap();
    let mut args = vec!["-t_srs", "EPSG:4326"];
    if let Some(s) = r.s_srs {
        args.extend(["-s_srs", s]);
    }
    args.push(path);
    gdaltransform(&args, pixels)
}

/// Five control pixels spread over the raster, and three others to check.
fn control_and_check(r: &Raster) -> (Vec<[f64; 2]>, Vec<[f64; 2]>) {
    let at = |fx: f64, fy: f64| [fx * r.width, fy * r.height];
    (
        vec![
            at(0.05, 0.05),
            at(0.95, 0.1),
            at(0.9, 0.95),
            at(0.1, 0.9),
            at(0.5, 0.4),
        ],
        vec![at(0.0, 0.0), at(0.3, 0.7), at(1.0, 1.0)],
    )
}

/// Control points from pixels and the (lon, lat) they are placed at.
fn control_points(pixels: &[[f64; 2]], ground: &[(f64, f64)]) -> Vec<ControlPoint> {
    pixels
        .iter()
        .zip(ground)
        .map(|(p, g)| ControlPoint {
            x: p[0],
            y: p[1],
            lat: g.1,
            lon: g.0,
        })
        .collect()
}

fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let frame = LocalFrame::at(a.1, a.0);
    let d = frame.to_local(b.1, b.0);
    d[0].hypot(d[1])
}

/// How far a fit may miss GDAL: the local plane (degrees scaled by the metres per
/// degree at the points' centre) departs from a conformal projection by about
/// extent / R relative, so by extent² / R at the edges (R: the Earth's radius); half
/// of that is allowed. labels.tif's pixels are also 0.08% off square, which a similarity
/// cannot follow.
fn tolerance_m(r: &Raster, method: Method) -> f64 {
    let corners = placed(r, &[[0.0, 0.0], [r.width, r.height]]);
    let extent = distance_m(corners[0], corners[1]);
    let plane = extent.powi(2) / (2.0 * 6_371_000.0);
    if method == Method::Helmert && r.file == "labels.tif" {
        plane + 1e-3 * extent
    } else {
        plane
    }
}

#[test]
fn every_method_puts_pixels_where_the_rasters_geotransform_does() {
    if !have_gdal() {
        return;
    }
    for r in &RASTERS {
        let (control, check) = control_and_check(r);
        let ground = placed(r, &control);
        let points = control_points(&control, &ground);
        let want = placed(r, &check);
        for method in [Method::Helmert, Method::Affine, Method::Projective] {
            let fit = georef::fit(&points, method).unwrap();
            if method == Method::Helmert && !r.square {
                // A similarity cannot shear: 20 × 10 unit pixels leave residuals far
                // above the points' spread, and the fit says so.
                assert!(
                    fit.warnings.iter().any(|w| w.contains("does not fit")),
                    "{}: {:?}",
                    r.file,
                    fit.warnings
                );
                continue;
            }
            let rms = fit.rms_m.unwrap();
            let tolerance = tolerance_m(r, method);
            assert!(rms < tolerance, "{} {method:?}: RMS {rms} m", r.file);
            assert!(
                fit.warnings.is_empty(),
                "{} {method:?}: {:?}",
                r.file,
                fit.warnings
            );
            for (p, w) in check.iter().zip(&want) {
                let (lat, lon) = fit.image_to_geo(p[0], p[1]).unwrap();
                let off = distance_m((lon, lat), *w);
                assert!(
                    off < tolerance,
                    "{} {method:?}: pixel {p:?} lands {off} m from GDAL's {w:?}",
                    r.file
                );
            }
        }
    }
}

#[test]
fn north_up_raster_mapped_by_helmert_is_north_up_and_to_scale() {
    if !have_gdal() {
        return;
    }
    // byte.tif: 60 m pixels, north-up. Image rows grow south: the fit must send +y to
    // the south (a rotation and scale alone would mirror it) at 60 m per pixel.
    let r = &RASTERS[0];
    let (control, _) = control_and_check(r);
    let ground = placed(r, &control);
    let points = control_points(&control, &ground);
    let fit = georef::fit(&points, Method::Helmert).unwrap();
    let a = fit.image_to_local(10.0, 10.0).unwrap();
    let b = fit.image_to_local(10.0, 11.0).unwrap();
    let c = fit.image_to_local(11.0, 10.0).unwrap();
    assert!(b[1] < a[1], "one row down is south");
    assert!(c[0] > a[0], "one column right is east");
    let step = (b[0] - a[0]).hypot(b[1] - a[1]);
    assert!((step - 60.0).abs() < 0.5, "{step} m per pixel");
}

#[test]
fn affine_fit_agrees_with_gdaltransform_given_the_same_control_points() {
    if !have_gdal() {
        return;
    }
    for r in &RASTERS {
        let (control, check) = control_and_check(r);
        let ground = placed(r, &control);
        // Not exact points: move two by a few metres so least squares has work to do.
        let ground: Vec<(f64, f64)> = ground
            .iter()
            .enumerate()
            .map(|(i, g)| match i {
                1 => (g.0 + 3e-5, g.1),
                3 => (g.0, g.1 - 2e-5),
                _ => *g,
            })
            .collect();
        let mut args: Vec<String> = Vec::new();
        let mut points = Vec::new();
        for (p, g) in control.iter().zip(&ground) {
            args.extend(["-gcp".into(), p[0].to_string(), p[1].to_string()]);
            args.extend([format!("{:.12}", g.0), format!("{:.12}", g.1)]);
            points.push(ControlPoint {
                x: p[0],
                y: p[1],
                lat: g.1,
                lon: g.0,
            });
        }
        args.extend(["-order".into(), "1".into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let want = gdaltransform(&args, &check);
        let fit = georef::fit(&points, Method::Affine).unwrap();
        for (p, w) in check.iter().zip(&want) {
            let (lat, lon) = fit.image_to_geo(p[0], p[1]).unwrap();
            let off = distance_m((lon, lat), *w);
            assert!(
                off < 0.001,
                "{}: pixel {p:?} {off} m from gdaltransform",
                r.file
            );
        }
    }
}

/// gdalinfo's geotransform of a file: [west, pixel width, 0, north, 0, -pixel height].
fn geotransform(path: &Path) -> Vec<f64> {
    let out = Command::new("gdalinfo")
        .args(["-json", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["geoTransform"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn helmert_geotiff_of_a_north_up_raster_covers_its_footprint() {
    if !have_gdal() {
        return;
    }
    // byte.tif through `geoproof georef --method helmert --geotiff`: the warped file's
    // extent is the raster's footprint that gdaltransform gives for its corners.
    let r = &RASTERS[0];
    let (control, _) = control_and_check(r);
    let ground = placed(r, &control);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("byte-helmert.tif");
    let input = data("real/rasters/byte.tif");
    let mut args: Vec<String> = vec!["georef".into(), input.display().to_string()];
    for (p, g) in control.iter().zip(&ground) {
        args.extend(["--gcp".into(), format!("{},{},{},{}", p[0], p[1], g.1, g.0)]);
    }
    args.extend([
        "--method".into(),
        "helmert".into(),
        "--geotiff".into(),
        out.display().to_string(),
    ]);
    let run = geoproof(&args);
    run.assert_ok();
    assert!(!run.stdout.contains("warning"), "{}", run.stdout);
    let corners = placed(r, &[[0.0, 0.0], [20.0, 0.0], [20.0, 20.0], [0.0, 20.0]]);
    let west = corners.iter().map(|c| c.0).fold(f64::MAX, f64::min);
    let east = corners.iter().map(|c| c.0).fold(f64::MIN, f64::max);
    let south = corners.iter().map(|c| c.1).fold(f64::MAX, f64::min);
    let north = corners.iter().map(|c| c.1).fold(f64::MIN, f64::max);
    let gt = geotransform(&out);
    let (w, h) = {
        let text = Command::new("gdalinfo").arg(&out).output().unwrap().stdout;
        let text = String::from_utf8(text).unwrap();
        let size = text.lines().find(|l| l.starts_with("Size is")).unwrap();
        let v: Vec<f64> = size["Size is ".len()..]
            .split(", ")
            .map(|t| t.trim().parse().unwrap())
            .collect();
        (v[0], v[1])
    };
    let (out_east, out_south) = (gt[0] + w * gt[1], gt[3] + h * gt[5]);
    for (got, want, pixel) in [
        (gt[0], west, gt[1]),
        (out_east, east, gt[1]),
        (gt[3], north, -gt[5]),
        (out_south, south, -gt[5]),
    ] {
        assert!(
            (got - want).abs() <= pixel,
            "extent {got} against gdaltransform's {want} (pixel {pixel})"
        );
    }
}
