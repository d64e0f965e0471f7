//! `coords`, `measure` and `border-distance` through the real binary.
#![allow(clippy::unwrap_used)]

mod util;

use util::geoproof;

#[test]
fn coords_prints_every_format_and_the_country() {
    let run = geoproof(["coords", "53°04'47.4\"N 34°33'15.6\"E", "--json"]);
    run.assert_ok();
    let v = run.json();
    assert!((v["lat"].as_f64().unwrap() - 53.079833).abs() < 1e-6);
    assert!((v["lon"].as_f64().unwrap() - 34.554333).abs() < 1e-6);
    for key in [
        "decimal",
        "dms",
        "ddm",
        "mgrs",
        "utm",
        "geo_uri",
        "google_maps",
        "osm",
    ] {
        assert!(v[key].is_string(), "missing {key}: {v}");
    }
    assert_eq!(v["country"]["iso_a3"], "RUS");
    assert_eq!(v["country"]["name_ru"], "Россия");
}

#[test]
fn coords_refuses_out_of_range_input_with_the_reason() {
    let run = geoproof(["coords", "95.0, 30.0"]);
    run.assert_failed();
    assert!(
        run.stderr.contains("latitude 95 is outside -90..90"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1);
}

#[test]
fn measure_accepts_any_coordinate_form() {
    let run = geoproof([
        "measure",
        "53.079839, 34.554344",
        "https://www.openstreetmap.org/?mlat=50.4501&mlon=30.5234",
        "--json",
    ]);
    run.assert_ok();
    let v = run.json();
    // GeographicLib Inverse: 403674.916309 m, azi1 -134.837662544795.
    assert!((v["distance_m"].as_f64().unwrap() - 403_674.916_309).abs() < 1e-3);
    assert!((v["azimuth_deg"].as_f64().unwrap() - (360.0 - 134.837_662_544_795)).abs() < 1e-6);
    assert!(v["back_azimuth_deg"].is_f64());
}

#[test]
fn border_distance_from_the_arrest_site_to_ukraine() {
    let run = geoproof([
        "border-distance",
        "53.079839, 34.554344",
        "--country",
        "UKR",
        "--json",
    ]);
    run.assert_ok();
    let v = run.json();
    assert!(
        (v["distance_m"].as_f64().unwrap() - 95_306.85).abs() < 5.0,
        "{v}"
    );
    assert_eq!(v["inside"], "RUS");
    let sides = v["between_iso3"].to_string();
    assert!(sides.contains("UKR") && sides.contains("RUS"), "{sides}");
}

#[test]
fn border_distance_rejects_unknown_country_codes() {
    let run = geoproof(["border-distance", "53.0, 34.0", "--country", "XYZ"]);
    run.assert_failed();
    assert!(
        run.stderr.contains("unknown country code \"XYZ\""),
        "{}",
        run.stderr
    );
}

/// West and south of Greenwich coordinates start with a minus sign; clap must not take
/// them for options.
#[test]
fn coordinates_starting_with_a_minus_sign_are_taken_everywhere() {
    let run = geoproof(["coords", "-25.408, -54.589", "--json"]);
    run.assert_ok();
    let v = run.json();
    assert_eq!(v["lat"].as_f64(), Some(-25.408));
    assert_eq!(v["lon"].as_f64(), Some(-54.589));
    assert_eq!(v["country"]["iso_a3"], "BRA");

    let run = geoproof(["measure", "-89.5 10", "89.5 -170", "--json"]);
    run.assert_ok();
    let d = run.json()["distance_m"].as_f64().unwrap();
    assert!((d - 20_003_931.5).abs() < 1.0, "{d}");

    let run = geoproof(["border-distance", "-25.408, -54.589", "--json"]);
    run.assert_ok();
    assert_eq!(
        run.json()["between_iso3"],
        serde_json::json!(["BRA", "PRY"])
    );
}

/// Built without the desktop app, `open` says so and fails; it never prints the help
/// and exits 0 as if something had opened.
#[cfg(not(feature = "gui"))]
#[test]
fn open_without_the_gui_feature_fails_with_a_reason() {
    let run = geoproof(["open", "some-case"]);
    run.assert_failed();
    assert!(
        run.stderr.contains("built without the `gui` feature"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn georef_reports_residuals_rms_and_leave_one_out_and_refuses_bad_points() {
    let image = util::data("coffee-no-gps.jpg"); // 600×400
    let gcps = [
        "10,10,53.0800,34.5500",
        "590,10,53.0800,34.5600",
        "590,390,53.0750,34.5600",
        "10,390,53.0750,34.5500",
        "300,200,53.07751,34.5551",
    ];
    let mut args: Vec<String> = vec!["georef".into(), image.display().to_string()];
    for g in gcps {
        args.extend(["--gcp".into(), g.into()]);
    }
    args.extend([
        "--method".into(),
        "affine".into(),
        "--at".into(),
        "300,200".into(),
        "--json".into(),
    ]);
    let run = geoproof(&args);
    run.assert_ok();
    let json = run.json();
    assert_eq!(json["method"], "affine");
    assert_eq!(json["minimum_points"], 3);
    let points = json["points"].as_array().unwrap();
    assert_eq!(points.len(), 5);
    // The centre point was placed 1 m-ish off the affine the corners define: it has the
    // largest leave-one-out residual.
    let loo: Vec<f64> = points
        .iter()
        .map(|p| p["leave_one_out_m"].as_f64().unwrap())
        .collect();
    let worst = loo.iter().cloned().fold(0.0, f64::max);
    assert_eq!(loo[4], worst);
    let rms = json["rms_m"].as_f64().unwrap();
    assert!(rms > 1.0 && rms < 10.0, "{rms}");
    assert!((json["at"]["lat"].as_f64().unwrap() - 53.0775).abs() < 1e-4);
    let outside = geoproof([
        "georef",
        &image.display().to_string(),
        "--gcp",
        "900,10,53.08,34.55",
        "--gcp",
        "10,10,53.08,34.56",
    ]);
    outside.assert_failed();
    assert!(
        outside.stderr.contains("outside the 600×400 image"),
        "{}",
        outside.stderr
    );
    let few = geoproof([
        "georef",
        &image.display().to_string(),
        "--gcp",
        "10,10,53.08,34.55",
        "--gcp",
        "20,20,53.081,34.551",
        "--method",
        "projective",
    ]);
    few.assert_failed();
    assert!(
        few.stderr.contains("needs at least 4 control points"),
        "{}",
        few.stderr
    );
}
