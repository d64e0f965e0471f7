//! `sun` and `shadow` through the real binary: positions, windows, the locus read back
//! by GDAL, and every bad input refused in one line.
#![allow(clippy::unwrap_used)]

mod util;

use util::geoproof;

const BRYANSK: &str = "53.079839, 34.554344";

#[test]
fn sun_reports_position_shadow_and_the_day_in_the_local_zone() {
    let run = geoproof(["sun", BRYANSK, "2024-03-23T09:00 local", "--json"]);
    run.assert_ok();
    let v = run.json();
    assert_eq!(v["time_zone"], "Europe/Moscow");
    assert_eq!(v["time_utc"], "2024-03-23T06:00:00Z");
    let elevation = v["apparent_elevation_deg"].as_f64().unwrap();
    let ratio = v["shadow_ratio"].as_f64().unwrap();
    assert!((ratio - 1.0 / elevation.to_radians().tan()).abs() < 1e-9);
    let azimuth = v["azimuth_deg"].as_f64().unwrap();
    assert!(
        (100.0..130.0).contains(&azimuth),
        "morning sun in the east-south-east: {azimuth}"
    );
    for key in ["sunrise_utc", "solar_noon_utc", "sunset_utc"] {
        assert!(v[key].is_string(), "{key}: {v}");
    }
}

#[test]
fn sun_at_night_and_in_polar_day_says_why_instead_of_numbers() {
    let night = geoproof(["sun", BRYANSK, "2024-03-23T23:00:00Z", "--json"]);
    night.assert_ok();
    let v = night.json();
    assert!(v["shadow_ratio"].is_null());
    assert_eq!(v["shadow_note"], "the sun is below the horizon: no shadow");
    let polar = geoproof(["sun", "78.22 15.65", "2024-06-21T12:00:00Z", "--json"]);
    polar.assert_ok();
    let v = polar.json();
    assert!(v["sunrise_utc"].is_null() && v["sunset_utc"].is_null());
    assert_eq!(v["no_sunrise_reason"], "polar day");
}

#[test]
fn shadow_windows_at_a_place_and_the_bearing_that_picks_one() {
    // Take the sun's own ratio at 06:00 UTC as the measurement.
    let sun = geoproof(["sun", BRYANSK, "2024-03-23T06:00:00Z", "--json"]).json();
    let ratio = sun["shadow_ratio"].as_f64().unwrap().to_string();
    let bearing = sun["shadow_bearing_deg"].as_f64().unwrap().to_string();
    let run = geoproof([
        "shadow",
        "--ratio",
        &ratio,
        "--at",
        BRYANSK,
        "--date",
        "2024-03-23",
        "--bearing",
        &bearing,
        "--json",
    ]);
    run.assert_ok();
    let v = run.json();
    let windows = v["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 2, "{v}");
    let morning = &windows[0];
    assert!(morning["start_utc"].as_str().unwrap() <= "2024-03-23T06:00:00Z");
    assert!(morning["end_utc"].as_str().unwrap() >= "2024-03-23T06:00:00Z");
    assert_eq!(morning["bearing_fits"], true);
    assert_eq!(windows[1]["bearing_fits"], false);
}

#[test]
fn a_date_without_a_fitting_window_fails_saying_so() {
    let run = geoproof([
        "shadow",
        "--ratio",
        "0.3",
        "--at",
        BRYANSK,
        "--date",
        "2024-12-21",
    ]);
    run.assert_failed();
    assert!(
        run.stderr.contains("no time on 2024-12-21"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1);
}

#[test]
fn the_locus_is_geojson_that_gdal_reads_and_holds_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("locus.geojson");
    let sun = geoproof(["sun", BRYANSK, "2024-03-23T10:00:00Z", "--json"]).json();
    let ratio = sun["shadow_ratio"].as_f64().unwrap().to_string();
    let run = geoproof([
        "shadow".as_ref(),
        "--ratio".as_ref(),
        ratio.as_ref(),
        "--time".as_ref(),
        "2024-03-23T10:00:00Z".as_ref(),
        "--grid-deg".as_ref(),
        "0.5".as_ref(),
        "--geojson".as_ref(),
        out.as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    assert!(run.json()["cells"].as_u64().unwrap() > 100);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let feature = &doc["features"][0];
    assert_eq!(feature["geometry"]["type"], "MultiPolygon");
    // Longitude first: Bryansk's cell lies in a polygon whose x range covers 34.55.
    let polys = feature["geometry"]["coordinates"].as_array().unwrap();
    let holds = polys.iter().any(|p| {
        let ring = p[0].as_array().unwrap();
        let xs: Vec<f64> = ring.iter().map(|c| c[0].as_f64().unwrap()).collect();
        let ys: Vec<f64> = ring.iter().map(|c| c[1].as_f64().unwrap()).collect();
        let inside_box = |v: f64, vs: &[f64]| {
            vs.iter().cloned().fold(f64::INFINITY, f64::min) <= v
                && v <= vs.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
        };
        inside_box(34.554344, &xs) && inside_box(53.079839, &ys)
    });
    assert!(holds, "no polygon around the arrest site");
    if let Ok(o) = std::process::Command::new("ogrinfo")
        .args(["-so", "-al"])
        .arg(&out)
        .output()
    {
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{text}");
        assert!(
            text.contains("Multi Polygon") && text.contains("shadow_ratio"),
            "{text}"
        );
    }
}

#[test]
fn bad_sun_and_shadow_input_is_refused_in_one_line() {
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "shadow",
                "--ratio",
                "0",
                "--at",
                BRYANSK,
                "--date",
                "2024-03-23",
            ],
            "positive number",
        ),
        (
            vec![
                "shadow",
                "--ratio",
                "-1",
                "--at",
                BRYANSK,
                "--date",
                "2024-03-23",
            ],
            "positive number",
        ),
        (
            vec![
                "shadow",
                "--ratio",
                "NaN",
                "--at",
                BRYANSK,
                "--date",
                "2024-03-23",
            ],
            "positive number",
        ),
        (
            vec![
                "shadow",
                "--ratio",
                "1e9",
                "--at",
                BRYANSK,
                "--date",
                "2024-03-23",
            ],
            "too low to measure",
        ),
        (
            vec![
                "shadow",
                "--ratio",
                "1",
                "--tolerance",
                "1.5",
                "--at",
                BRYANSK,
                "--date",
                "2024-03-23",
            ],
            "between 0 and 1",
        ),
        (
            vec![
                "shadow",
                "--ratio",
                "1",
                "--at",
                BRYANSK,
                "--date",
                "23/03/2024",
            ],
            "not a date",
        ),
        (
            vec!["shadow", "--ratio", "1", "--at", BRYANSK],
            "give --at POINT --date",
        ),
        (
            vec!["shadow", "--ratio", "1", "--time", "2024-03-23T10:00:00Z"],
            "--geojson",
        ),
        (
            vec![
                "shadow",
                "--ratio",
                "1",
                "--at",
                BRYANSK,
                "--date",
                "2024-03-23",
                "--bearing",
                "west",
            ],
            "not a bearing",
        ),
        (vec!["sun", BRYANSK, "2024-03-23T10:00"], "has no time zone"),
        (
            vec!["sun", "52.52, 13.405", "2024-03-31T02:30 local"],
            "does not exist in Europe/Berlin",
        ),
        (
            vec!["sun", "52.52, 13.405", "2024-10-27T02:30 local"],
            "happens twice",
        ),
        (vec!["sun", "95, 30", "2024-03-23T10:00:00Z"], "latitude"),
    ];
    for (args, cause) in cases {
        let run = geoproof(&args);
        run.assert_failed();
        assert!(run.stderr.contains(cause), "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
    }
}

/// Two shadows at two instants: the places where both fit (the loci intersected) hold
/// the place they were computed for; both solutions are saved as chronolocation findings
/// and exported — the window finding as a point, the locus as an area GDAL and the KML
/// schema accept.
#[test]
fn two_shadows_intersect_and_results_are_saved_and_exported_as_findings() {
    let ratio_at = |time: &str| {
        let v = geoproof(["sun", BRYANSK, time, "--json"]).json();
        v["shadow_ratio"].as_f64().unwrap()
    };
    let (r1, r2) = (
        ratio_at("2024-03-22T08:00:00Z"),
        ratio_at("2024-03-22T11:00:00Z"),
    );
    let (_case_dir, case) = util::new_case();
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.geojson");
    let two = dir.path().join("two.geojson");
    let r1s = format!("{r1}");
    let also = format!("{r2}@2024-03-22T11:00:00Z");
    for (out, with_second) in [(&one, false), (&two, true)] {
        let mut args = vec![
            "shadow",
            "--ratio",
            &r1s,
            "--tolerance",
            "0.05",
            "--time",
            "2024-03-22T08:00:00Z",
            "--grid-deg",
            "0.25",
            "--geojson",
            out.to_str().unwrap(),
        ];
        if with_second {
            args.extend(["--also", &also, "--save", case.to_str().unwrap()]);
        }
        geoproof(args).assert_ok();
    }
    let area = |path: &std::path::Path| {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let polygons = v["features"][0]["geometry"]["coordinates"].clone();
        let points: Vec<(f64, f64)> = polygons
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p[0].as_array().unwrap().clone())
            .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
            .collect();
        let span = |f: fn(&(f64, f64)) -> f64| {
            let values: Vec<f64> = points.iter().map(f).collect();
            values.iter().cloned().fold(f64::INFINITY, f64::min)
                ..=values.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
        };
        (span(|p| p.0), span(|p| p.1))
    };
    let (lon1, _) = area(&one);
    let (lon2, lat2) = area(&two);
    assert!(
        lon2.contains(&34.554344) && lat2.contains(&53.079839),
        "{lon2:?} {lat2:?}"
    );
    assert!(
        lon2.end() - lon2.start() < lon1.end() - lon1.start(),
        "the second shadow narrows the band: {lon1:?} → {lon2:?}"
    );
    geoproof([
        "shadow",
        "--ratio",
        &r1s,
        "--at",
        BRYANSK,
        "--date",
        "2024-03-22",
        "--save",
        case.to_str().unwrap(),
        "--title",
        "Morning shadow",
    ])
    .assert_ok();
    let listed = geoproof([
        "list",
        case.to_str().unwrap(),
        "--kind",
        "chronolocation",
        "--json",
    ]);
    listed.assert_ok();
    assert_eq!(listed.json()["findings"].as_array().unwrap().len(), 2);
    let gj = dir.path().join("all.geojson");
    let kml = dir.path().join("all.kml");
    geoproof([
        "export",
        case.to_str().unwrap(),
        "--geojson",
        gj.to_str().unwrap(),
        "--kml",
        kml.to_str().unwrap(),
    ])
    .assert_ok();
    let info = std::process::Command::new("ogrinfo")
        .args(["-al", "-ro"])
        .arg(&gj)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.contains("MULTIPOLYGON") && info.contains("POINT (34.554344 53.079839)"),
        "{info}"
    );
    let schema = util::data("kml/ogckml22.xsd");
    let verdict = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&schema)
        .arg(&kml)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&verdict.stderr).contains("validates"));
}
