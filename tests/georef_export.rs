//! `geoproof georef … --geotiff --kml --gcp-geojson`: the warped image, its KML overlay
//! and its control points, read back by GDAL (`gdalinfo`, `gdallocationinfo`, `ogrinfo`)
//! and `xmllint`.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::Path;
use std::process::Command;

use util::geoproof;

/// A 400×300 picture whose colour says where a pixel is: red grows with x, green with y.
fn gradient(path: &Path) {
    let image = image::RgbImage::from_fn(400, 300, |x, y| {
        image::Rgb([(x * 255 / 399) as u8, (y * 255 / 299) as u8, 90])
    });
    image.save(path).unwrap();
}

/// The ground truth: an affine map from pixels to degrees near Kyiv (north up, 0.5 m
/// pixels, a little rotation).
fn ground(x: f64, y: f64) -> (f64, f64) {
    let lat = 50.45 - y * 4.5e-6 + x * 0.4e-6;
    let lon = 30.52 + x * 7.0e-6 + y * 0.5e-6;
    (lat, lon)
}

fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn warped_geotiff_kml_and_control_points_read_back_by_gdal() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("frame.png");
    gradient(&image);
    let pixels = [
        (20.0, 20.0),
        (380.0, 30.0),
        (370.0, 280.0),
        (30.0, 270.0),
        (200.0, 150.0),
    ];
    let mut args: Vec<String> = vec!["georef".into(), image.display().to_string()];
    for (x, y) in pixels {
        let (lat, lon) = ground(x, y);
        args.extend(["--gcp".into(), format!("{x},{y},{lat},{lon}")]);
    }
    let tif = dir.path().join("out.tif");
    let kml = dir.path().join("out.kml");
    let gcps = dir.path().join("gcps.geojson");
    args.extend([
        "--method".into(),
        "affine".into(),
        "--geotiff".into(),
        tif.display().to_string(),
        "--kml".into(),
        kml.display().to_string(),
        "--gcp-geojson".into(),
        gcps.display().to_string(),
        "--json".into(),
    ]);
    let run = geoproof(&args);
    run.assert_ok();
    // Exact points: an affine recovers the affine, residuals vanish.
    assert!(run.json()["rms_m"].as_f64().unwrap() < 1e-6);

    // GeoTIFF: EPSG:4326, RGBA, and its extent is the image's footprint.
    let info: serde_json::Value =
        serde_json::from_str(&tool("gdalinfo", &["-json", tif.to_str().unwrap()])).unwrap();
    assert!(
        info["coordinateSystem"]["wkt"]
            .as_str()
            .unwrap()
            .contains("\"EPSG\",4326")
    );
    let bands = info["bands"].as_array().unwrap();
    assert_eq!(bands.len(), 4);
    assert_eq!(bands[3]["colorInterpretation"], "Alpha");
    let corners = &info["cornerCoordinates"];
    let (ul, lr) = (&corners["upperLeft"], &corners["lowerRight"]);
    let lats = [
        ground(0.0, 0.0).0,
        ground(400.0, 0.0).0,
        ground(0.0, 300.0).0,
        ground(400.0, 300.0).0,
    ];
    let lons = [
        ground(0.0, 0.0).1,
        ground(400.0, 0.0).1,
        ground(0.0, 300.0).1,
        ground(400.0, 300.0).1,
    ];
    let north = lats.iter().cloned().fold(f64::MIN, f64::max);
    let west = lons.iter().cloned().fold(f64::MAX, f64::min);
    let south = lats.iter().cloned().fold(f64::MAX, f64::min);
    let east = lons.iter().cloned().fold(f64::MIN, f64::max);
    let pixel = info["geoTransform"][1].as_f64().unwrap();
    assert!(
        (ul[0].as_f64().unwrap() - west).abs() < 2.0 * pixel,
        "{ul} vs {west}"
    );
    assert!(
        (ul[1].as_f64().unwrap() - north).abs() < 2.0 * pixel,
        "{ul} vs {north}"
    );
    assert!(
        (lr[0].as_f64().unwrap() - east).abs() < 2.0 * pixel,
        "{lr} vs {east}"
    );
    assert!(
        (lr[1].as_f64().unwrap() - south).abs() < 2.0 * pixel,
        "{lr} vs {south}"
    );

    // The pixel GDAL finds at a place is the image's pixel for that place.
    for (x, y) in [(100.0, 80.0), (300.0, 220.0), (210.0, 40.0)] {
        let (lat, lon) = ground(x, y);
        let values = tool(
            "gdallocationinfo",
            &[
                "-valonly",
                "-wgs84",
                tif.to_str().unwrap(),
                &lon.to_string(),
                &lat.to_string(),
            ],
        );
        let v: Vec<f64> = values.lines().map(|l| l.trim().parse().unwrap()).collect();
        let (red, green) = (x * 255.0 / 399.0, y * 255.0 / 299.0);
        assert!((v[0] - red).abs() <= 3.0, "{x},{y}: red {} vs {red}", v[0]);
        assert!(
            (v[1] - green).abs() <= 3.0,
            "{x},{y}: green {} vs {green}",
            v[1]
        );
        assert_eq!(v[3], 255.0);
    }
    // Outside the footprint it is transparent.
    let corner = tool(
        "gdallocationinfo",
        &["-valonly", tif.to_str().unwrap(), "0", "0"],
    );
    assert_eq!(corner.lines().nth(3).unwrap().trim(), "0", "{corner}");

    // Control points: five features with residual fields.
    let points = tool("ogrinfo", &["-al", "-geom=NO", gcps.to_str().unwrap()]);
    assert!(points.contains("Feature Count: 5"), "{points}");
    assert!(points.contains("residual_m (Real)"), "{points}");
    assert!(points.contains("leave_one_out_m (Real)"), "{points}");

    // KML: well-formed; OGR reads the control points; the quad holds the corners.
    let lint = Command::new("xmllint")
        .args(["--noout", kml.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );
    let placemarks = tool("ogrinfo", &["-al", "-so", kml.to_str().unwrap()]);
    assert!(placemarks.contains("Feature Count: 5"), "{placemarks}");
    let text = std::fs::read_to_string(&kml).unwrap();
    let quad = text
        .split("<gx:LatLonQuad>")
        .nth(1)
        .unwrap()
        .split("<coordinates>")
        .nth(1)
        .unwrap()
        .split("</coordinates>")
        .next()
        .unwrap();
    let corners: Vec<(f64, f64)> = quad
        .split_whitespace()
        .map(|c| {
            let mut it = c.split(',').map(|v| v.parse::<f64>().unwrap());
            (it.next().unwrap(), it.next().unwrap())
        })
        .collect();
    let expected = [
        ground(0.0, 300.0),
        ground(400.0, 300.0),
        ground(400.0, 0.0),
        ground(0.0, 0.0),
    ];
    for ((lon, lat), (elat, elon)) in corners.iter().zip(expected) {
        assert!((lat - elat).abs() < 1e-7 && (lon - elon).abs() < 1e-7);
    }
    assert!(text.contains("<href>out.png</href>"), "{text}");
    assert!(dir.path().join("out.png").exists());
}

#[test]
fn georef_exports_refuse_bad_input_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("frame.png");
    gradient(&image);
    // Writing the GeoTIFF over the input is refused.
    let run = geoproof([
        "georef",
        image.to_str().unwrap(),
        "--gcp",
        "0,0,50.45,30.52",
        "--gcp",
        "400,300,50.44,30.53",
        "--method",
        "helmert",
        "--geotiff",
        image.to_str().unwrap(),
    ]);
    run.assert_failed();
    assert!(
        run.stderr.contains("refusing to write over the input"),
        "{}",
        run.stderr
    );
    // Points hundreds of kilometres apart: a local plane is wrong there, which the
    // CLI says as a warning, as the georeference view does; the file is written.
    let tif = dir.path().join("far.tif");
    let run = geoproof([
        "georef",
        image.to_str().unwrap(),
        "--gcp",
        "0,0,50.45,30.52",
        "--gcp",
        "400,0,50.45,36.52",
        "--gcp",
        "0,300,48.45,30.52",
        "--geotiff",
        tif.to_str().unwrap(),
    ]);
    run.assert_ok();
    assert!(
        run.stdout.contains("warning: the points are")
            && run.stdout.contains("a local plane is wrong"),
        "{}",
        run.stdout
    );
    assert!(tif.exists());
}
