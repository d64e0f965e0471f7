//! Geo export (GeoJSON, KML, CSV) read back by real readers: GDAL's `ogrinfo` and
//! `xmllint` against the OGC KML 2.2 schema kept in tests/data/kml. Both come from the
//! packages `gdal-bin` and `libxml2-utils` (README, `.ci/run`).
#![allow(clippy::unwrap_used)]

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use geoproof::case::comparison::{Panel, PanelSource, PanelView};
use geoproof::case::{
    Case, Confidence, Edit, Finding, FindingKind, FindingLocation, ImportOptions,
};
use util::{data, geoproof};

/// A case with a located, confirmed finding (with a camera panel), a located ruled-out
/// one, and a comparison without a location.
fn case() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("case");
    let mut case = Case::create(&root, "Export test").unwrap();
    let rocket = case
        .import(&data("rocket-gps.jpg"), &ImportOptions::default())
        .unwrap()
        .record()
        .sha256
        .clone();
    case.apply(Edit::SetEvidenceFov {
        id: rocket.clone(),
        fov_deg: Some(40.0),
    })
    .unwrap();

    let mut a = Finding::new(FindingKind::Geolocation, "Arrest site, Брянская область");
    a.id = "F-a".into();
    a.location = Some(FindingLocation {
        lat: 53.079839,
        lon: 34.554344,
        precision_m: 50.0,
    });
    a.confidence = Confidence::Confirmed;
    a.verdict = "Filmed here; \"same\" fence, road & roof line".into();
    a.observed_at =
        Some(chrono::DateTime::parse_from_rfc3339("2024-03-23T14:05:00+03:00").unwrap());
    a.notes = "line one\nline two".into();
    a.author = "analyst".into();
    a.panels = vec![Panel {
        id: "P1".into(),
        source: PanelSource::Evidence {
            sha256: rocket.clone(),
        },
        view: PanelView::default(),
        frame: None,
        caption: String::new(),
    }];
    let mut b = Finding::new(FindingKind::Geolocation, "Rejected candidate");
    b.id = "F-b".into();
    b.location = Some(FindingLocation {
        lat: -33.856784,
        lon: 151.215297,
        precision_m: 0.0,
    });
    b.confidence = Confidence::RuledOut;
    let mut c = Finding::new(FindingKind::Comparison, "Same jacket");
    c.id = "F-c".into();
    for f in [a, b, c] {
        case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    }
    case.save().unwrap();
    (dir, root)
}

fn tool(name: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e}; install gdal-bin and libxml2-utils (see README)"));
    assert!(
        out.status.success(),
        "{name} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn ogrinfo(path: &Path) -> String {
    tool(
        "ogrinfo",
        &[
            "-ro".as_ref(),
            "-al".as_ref(),
            "-q".as_ref(),
            path.as_os_str(),
        ],
    )
}

fn export(root: &Path, args: &[&str]) -> (tempfile::TempDir, util::Run) {
    let out = tempfile::tempdir().unwrap();
    let mut all: Vec<std::ffi::OsString> = vec!["export".into(), root.into()];
    for a in args {
        all.push(match a.strip_prefix('@') {
            Some(name) => out.path().join(name).into_os_string(),
            None => (*a).into(),
        });
    }
    let run = geoproof(&all);
    (out, run)
}

#[test]
fn geojson_reads_back_longitude_first_with_every_field() {
    let (_dir, root) = case();
    let (out, run) = export(&root, &["--geojson", "@f.geojson", "--json"]);
    run.assert_ok();
    let report = run.json();
    assert_eq!(
        report["written"][0]["findings"],
        serde_json::json!(["F-a", "F-b"])
    );
    assert_eq!(
        report["skipped"],
        serde_json::json!(["F-c: no location; skipped"])
    );
    assert!(run.stderr.contains("warning: F-c: no location; skipped"));
    assert_eq!(report["logged"], true);

    let info = ogrinfo(&out.path().join("f.geojson"));
    assert!(info.contains("POINT (34.554344 53.079839)"), "{info}");
    assert!(info.contains("POINT (151.215297 -33.856784)"), "{info}");
    assert!(
        info.contains("title (String) = Arrest site, Брянская область"),
        "{info}"
    );
    assert!(info.contains("confidence (String) = confirmed"), "{info}");
    assert!(info.contains("confidence (String) = ruled_out"), "{info}");
    assert!(info.contains("precision_m (Real) = 50"), "{info}");
    assert!(info.contains("kind (String) = geolocation"), "{info}");
    assert!(
        info.contains("observed_at (DateTime) = 2024/03/23 14:05:00+03"),
        "{info}"
    );
    assert!(info.contains("ae6a41c07b5eca7ccd652c4e4b642334e270de805a19dbffbc4bd22bcbd9d891"));

    // The raw text: RFC 7946 order, six decimals at most.
    let text = std::fs::read_to_string(out.path().join("f.geojson")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        json["features"][0]["geometry"]["coordinates"],
        serde_json::json!([34.554344, 53.079839])
    );
    // The export is in the audit log.
    let log = std::fs::read_to_string(root.join("log.jsonl")).unwrap();
    assert!(log.contains("\"export_geo\""), "{log}");
}

#[test]
fn kml_is_valid_against_the_ogc_schema_and_carries_circles_and_wedges() {
    let (_dir, root) = case();
    let (out, run) = export(&root, &["--kml", "@f.kml"]);
    run.assert_ok();
    let kml = out.path().join("f.kml");
    let schema = data("kml/ogckml22.xsd");
    let verdict = tool(
        "xmllint",
        &[
            "--noout".as_ref(),
            "--schema".as_ref(),
            schema.as_os_str(),
            kml.as_os_str(),
        ],
    );
    assert!(verdict.contains("validates"), "{verdict}");

    let info = ogrinfo(&kml);
    assert!(info.contains("POINT (34.554344 53.079839)"), "{info}");
    assert!(info.contains("confidence (String) = confirmed"), "{info}");
    assert!(info.contains("verdict (String) = Filmed here; \"same\" fence, road & roof line"));
    assert!(info.contains("Style = @confidence-confirmed"), "{info}");
    // One precision circle (F-b has precision 0: none) and one camera wedge.
    assert_eq!(
        info.matches("role (String) = precision_circle").count(),
        1,
        "{info}"
    );
    assert_eq!(
        info.matches("role (String) = camera_wedge").count(),
        1,
        "{info}"
    );
    assert_eq!(info.matches("POLYGON").count(), 2, "{info}");

    // The circle's vertices are 50 m from the point (geodesic, to the 6-decimal rounding).
    let text = std::fs::read_to_string(&kml).unwrap();
    let circle = text
        .split("<coordinates>")
        .nth(2)
        .unwrap()
        .split("</coordinates>")
        .next()
        .unwrap();
    let centre = geoproof::spatial::LatLon::new(53.079839, 34.554344).unwrap();
    for pair in circle.split_whitespace() {
        let (lon, lat) = pair.split_once(',').unwrap();
        let p = geoproof::spatial::LatLon::new(lat.parse().unwrap(), lon.parse().unwrap()).unwrap();
        let d = geoproof::spatial::distance_m(centre, p);
        assert!((d - 50.0).abs() < 0.2, "{d}");
    }
}

#[test]
fn csv_reads_back_as_points_with_decimal_degrees() {
    let (_dir, root) = case();
    let (out, run) = export(&root, &["--csv", "@f.csv", "--confidence", "confirmed"]);
    run.assert_ok();
    let csv = out.path().join("f.csv");
    let info = tool(
        "ogrinfo",
        &[
            "-ro".as_ref(),
            "-al".as_ref(),
            "-q".as_ref(),
            "-oo".as_ref(),
            "X_POSSIBLE_NAMES=lon".as_ref(),
            "-oo".as_ref(),
            "Y_POSSIBLE_NAMES=lat".as_ref(),
            csv.as_os_str(),
        ],
    );
    assert!(info.contains("POINT (34.554344 53.079839)"), "{info}");
    assert!(
        info.contains("notes (String) = line one\nline two"),
        "{info}"
    );
    assert!(!info.contains("Rejected candidate"), "filtered out: {info}");
    assert_eq!(info.matches("OGRFeature").count(), 1, "{info}");
}

#[test]
fn the_demo_case_exports_match_the_golden_files() {
    // The demo case has fixed times, so its exports are byte-for-byte stable.
    // Regenerate with GEOPROOF_BLESS=1 after an intended change, and review the diff.
    let (_demo, root) = util::demo_copy();
    let (out, run) = export(
        &root,
        &[
            "--geojson",
            "@demo.geojson",
            "--kml",
            "@demo.kml",
            "--csv",
            "@demo.csv",
        ],
    );
    run.assert_ok();
    for name in ["demo.geojson", "demo.kml", "demo.csv"] {
        let got = std::fs::read_to_string(out.path().join(name)).unwrap();
        let golden = data("golden").join(name);
        if std::env::var_os("GEOPROOF_BLESS").is_some() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &got).unwrap();
        }
        let want = std::fs::read_to_string(&golden)
            .unwrap_or_else(|e| panic!("{}: {e} (run with GEOPROOF_BLESS=1)", golden.display()));
        assert_eq!(got, want, "{name} differs from {}", golden.display());
    }
    // The demo's KML (findings, loci, candidate sites) is valid KML 2.2.
    let schema = data("kml/ogckml22.xsd");
    let kml = out.path().join("demo.kml");
    let verdict = tool(
        "xmllint",
        &[
            "--noout".as_ref(),
            "--schema".as_ref(),
            schema.as_os_str(),
            kml.as_os_str(),
        ],
    );
    assert!(verdict.contains("validates"), "{verdict}");
    // Candidate sites carry their status and reason.
    let geojson: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("demo.geojson")).unwrap())
            .unwrap();
    let sites: Vec<&serde_json::Value> = geojson["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["role"] == "candidate")
        .collect();
    assert_eq!(sites.len(), 4);
    assert_eq!(sites[0]["properties"]["status"], "confirmed");
    assert!(sites[1..].iter().all(|s| {
        s["properties"]["status"] == "ruled_out"
            && s["properties"]["reason"]
                .as_str()
                .is_some_and(|r| !r.is_empty())
    }));
}

#[test]
fn bad_export_requests_fail_with_the_file_and_the_cause() {
    let (_dir, root) = case();
    let run = geoproof([
        "export".as_ref(),
        root.as_os_str(),
        "--kml".as_ref(),
        "/nonexistent-dir/out.kml".as_ref(),
    ]);
    run.assert_failed();
    assert!(
        run.stderr.contains("/nonexistent-dir/out.kml"),
        "{}",
        run.stderr
    );
    assert!(!Path::new("/nonexistent-dir").exists());

    let run = geoproof(["export".as_ref(), root.as_os_str()]);
    run.assert_failed();
    assert!(run.stderr.contains("--geojson"), "{}", run.stderr);

    let (out, run) = export(&root, &["--csv", "@x.csv", "--confidence", "certain"]);
    run.assert_failed();
    assert!(
        run.stderr.contains("\"certain\" is not a confidence"),
        "{}",
        run.stderr
    );
    assert!(!out.path().join("x.csv").exists());

    let run = geoproof(["export", "/nonexistent-case", "--csv", "/tmp/x.csv"]);
    run.assert_failed();
    assert!(run.stderr.contains("/nonexistent-case"), "{}", run.stderr);
}
