//! Candidate-site search on a real extract (Liechtenstein, © OpenStreetMap contributors,
//! ODbL): results checked against distances computed independently here (the nodes read
//! straight from the PBF with `osmpbf`, distances by GeographicLib through `geo`), the
//! index cache (reused, rebuilt when stale, nothing left by a cancelled build), bad input,
//! and the `candidates` command.
#![allow(clippy::unwrap_used)]

mod util;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use geo::{Distance, Geodesic, Point};
use geoproof::osm::OsmType;
use geoproof::osm::filter::TagFilter;
use geoproof::osm::index::OsmIndex;
use geoproof::osm::query::{self, Area, Constraint, Query};
use util::geoproof;

fn extract() -> PathBuf {
    util::data("osm/liechtenstein-latest.osm.pbf")
}

/// Every tagged node of the extract with its tags, read without geoproof.
fn nodes_with(key: &str, value: &str) -> HashMap<i64, (f64, f64)> {
    let mut found = HashMap::new();
    osmpbf::ElementReader::from_path(extract())
        .unwrap()
        .for_each(|e| {
            let (id, lat, lon, hit) = match &e {
                osmpbf::Element::Node(n) => (
                    n.id(),
                    n.lat(),
                    n.lon(),
                    n.tags().any(|(k, v)| k == key && v == value),
                ),
                osmpbf::Element::DenseNode(n) => (
                    n.id(),
                    n.lat(),
                    n.lon(),
                    n.tags().any(|(k, v)| k == key && v == value),
                ),
                _ => return,
            };
            if hit {
                found.insert(id, (lat, lon));
            }
        })
        .unwrap();
    found
}

fn ways_with(key: &str, value: &str) -> usize {
    let mut n = 0;
    osmpbf::ElementReader::from_path(extract())
        .unwrap()
        .for_each(|e| {
            if let osmpbf::Element::Way(w) = e
                && w.tags().any(|(k, v)| k == key && v == value)
            {
                n += 1;
            }
        })
        .unwrap();
    n
}

#[test]
fn results_match_distances_computed_independently() {
    let index = OsmIndex::build_uncached(&extract()).unwrap();
    let stops = nodes_with("highway", "bus_stop");
    let boxes = nodes_with("amenity", "post_box");
    assert!(
        stops.len() > 50 && boxes.len() > 10,
        "{} {}",
        stops.len(),
        boxes.len()
    );
    assert_eq!(
        ways_with("amenity", "post_box"),
        0,
        "post boxes are all nodes here"
    );
    let limit = 250.0;
    // Brute force: each bus stop's nearest post box on the ellipsoid.
    let mut expected: HashMap<i64, f64> = HashMap::new();
    for (id, (lat, lon)) in &stops {
        let nearest = boxes
            .values()
            .map(|(blat, blon)| Geodesic.distance(Point::new(*lon, *lat), Point::new(*blon, *blat)))
            .fold(f64::MAX, f64::min);
        if nearest <= limit {
            expected.insert(*id, nearest);
        }
    }
    let q = Query {
        find: TagFilter::parse("highway=bus_stop").unwrap(),
        constraints: vec![Constraint::parse("250m:amenity=post_box", true).unwrap()],
        area: Area::Everywhere,
        limit: None,
    };
    let hits = query::run(&index, &q, None).unwrap();
    let got: HashMap<i64, f64> = hits
        .iter()
        .filter(|h| h.osm_type == OsmType::Node)
        .map(|h| {
            (
                h.osm_id,
                h.constraints[0].nearest.as_ref().unwrap().distance_m,
            )
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        got.keys().collect::<std::collections::BTreeSet<_>>(),
        expected.keys().collect::<std::collections::BTreeSet<_>>()
    );
    for (id, d) in &expected {
        assert!((got[id] - d).abs() < 0.01, "{id}: {} vs {d}", got[id]);
    }
    // Ranked: the tightest first.
    assert!(hits.windows(2).all(|w| w[0].score <= w[1].score));

    // Not within: exactly the complement among the bus stops.
    let q = Query {
        find: TagFilter::parse("highway=bus_stop").unwrap(),
        constraints: vec![Constraint::parse("250m:amenity=post_box", false).unwrap()],
        area: Area::Everywhere,
        limit: None,
    };
    let far = query::run(&index, &q, None).unwrap();
    let far_nodes = far.iter().filter(|h| h.osm_type == OsmType::Node).count();
    assert_eq!(far_nodes + expected.len(), stops.len());
}

#[test]
fn way_results_lie_on_their_way() {
    let index = OsmIndex::build_uncached(&extract()).unwrap();
    // Every way result lies on its way (its point is one of the way's vertices).
    let q = Query {
        find: TagFilter::parse("amenity=place_of_worship").unwrap(),
        constraints: vec![],
        area: Area::Everywhere,
        limit: None,
    };
    let hits = query::run(&index, &q, None).unwrap();
    assert!(hits.iter().any(|h| h.osm_type == OsmType::Way));
    for h in hits.iter().filter(|h| h.osm_type == OsmType::Way) {
        let f = index
            .features()
            .find(|f| f.osm_type() == OsmType::Way && f.id() == h.osm_id)
            .unwrap();
        let on = f.parts().iter().flatten().any(|p| {
            let d = geoproof::osm::feature::degrees(*p);
            (d[0] - h.lon).abs() < 1e-9 && (d[1] - h.lat).abs() < 1e-9
        });
        assert!(on, "{h:?}");
    }
}

#[test]
fn the_index_is_cached_rebuilt_when_stale_and_a_cancelled_build_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cancel = AtomicBool::new(true);
    let e = OsmIndex::open(&extract(), dir.path(), &|_| {}, &cancel)
        .err()
        .unwrap();
    assert!(e.to_string().contains("cancelled"), "{e}");
    assert_eq!(
        std::fs::read_dir(dir.path())
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );

    let go = AtomicBool::new(false);
    let progress = std::sync::Mutex::new(Vec::new());
    let first = OsmIndex::open(
        &extract(),
        dir.path(),
        &|p| progress.lock().unwrap().push(p),
        &go,
    )
    .unwrap();
    let progress = progress.into_inner().unwrap();
    assert!(progress.windows(2).all(|w| w[0] <= w[1]) && *progress.last().unwrap() == 1.0);
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let modified = std::fs::metadata(&files[0]).unwrap().modified().unwrap();
    let again = OsmIndex::open(&extract(), dir.path(), &|_| panic!("no rebuild"), &go).unwrap();
    assert_eq!(again.len(), first.len());
    assert_eq!(
        std::fs::metadata(&files[0]).unwrap().modified().unwrap(),
        modified
    );
    // A stale or damaged cache is rebuilt.
    std::fs::write(&files[0], b"an index of another version").unwrap();
    let rebuilt = OsmIndex::open(&extract(), dir.path(), &|_| {}, &go).unwrap();
    assert_eq!(rebuilt.len(), first.len());
    // Country-size memory is estimated from this real mix of features (see the benchmark):
    // 30 M features in 2 GB leave 66 bytes a feature.
    let per_feature = first.approximate_bytes() as f64 / first.len() as f64;
    assert!(
        (20.0..70.0).contains(&per_feature),
        "{per_feature:.1} bytes a feature"
    );
}

#[test]
fn osm_search_cli_writes_json_and_geojson_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let index_dir = dir.path().join("idx");
    let geojson = dir.path().join("r.geojson");
    let run = geoproof([
        "osm-search".as_ref(),
        extract().as_os_str(),
        "--find".as_ref(),
        "place_of_worship".as_ref(),
        "--within".as_ref(),
        "300m:amenity=fuel".as_ref(),
        "--json".as_ref(),
        "--geojson".as_ref(),
        geojson.as_os_str(),
        "--index-dir".as_ref(),
        index_dir.as_os_str(),
    ]);
    run.assert_ok();
    let json = run.json();
    let results = json["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        for key in ["lat", "lon", "osm_type", "osm_id", "tags", "constraints"] {
            assert!(!r[key].is_null(), "{key} missing: {r}");
        }
        let d = r["constraints"][0]["nearest"]["distance_m"]
            .as_f64()
            .unwrap();
        assert!(d <= 300.0);
        assert!(r["constraints"][0]["nearest"]["osm_id"].is_i64());
    }
    assert!(
        json["attribution"]
            .as_str()
            .unwrap()
            .contains("OpenStreetMap contributors")
    );
    let info = std::process::Command::new("ogrinfo")
        .args(["-al", "-so"])
        .arg(&geojson)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.contains(&format!("Feature Count: {}", results.len())),
        "{info}"
    );

    let bad = |args: &[&str], needle: &str| {
        let mut all: Vec<std::ffi::OsString> = vec!["osm-search".into()];
        all.extend(args.iter().map(Into::into));
        all.extend(["--index-dir".into(), index_dir.clone().into_os_string()]);
        let run = geoproof(&all);
        run.assert_failed();
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    };
    let x = extract();
    let x = x.to_str().unwrap();
    bad(
        &[
            x,
            "--find",
            "amenity=fuel",
            "--within",
            "200 parsecs:amenity=school",
        ],
        "unknown unit \"parsecs\"",
    );
    bad(&[x, "--find", "a b=c"], "not an OSM key");
    bad(&[x, "--find", "amenity=fuel", "--bbox", "1,2,3"], "--bbox");
    let not_pbf = util::data("not-an-image.jpg");
    bad(
        &[not_pbf.to_str().unwrap(), "--find", "amenity=fuel"],
        "not a readable .osm.pbf",
    );
    let truncated = dir.path().join("truncated.osm.pbf");
    let bytes = std::fs::read(extract()).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() * 2 / 5]).unwrap();
    bad(
        &[truncated.to_str().unwrap(), "--find", "amenity=fuel"],
        "truncated.osm.pbf",
    );

    // No such tag, or an area without data: an empty result, not an error.
    for args in [
        vec!["--find", "amenity=spaceport"],
        vec!["--find", "amenity=fuel", "--bbox", "170,-20,-170,-10"],
    ] {
        let mut all = vec!["osm-search", x];
        all.extend(args);
        all.extend(["--json", "--index-dir", index_dir.to_str().unwrap()]);
        let run = geoproof(&all);
        run.assert_ok();
        assert_eq!(run.json()["results"].as_array().unwrap().len(), 0);
    }
}

#[test]
fn candidates_come_from_search_results_and_are_worked_through() {
    let (dir, root) = util::new_case();
    let _ = dir;
    let finding = {
        let mut case = geoproof::case::Case::open(&root).unwrap();
        let f = geoproof::case::Finding::new(geoproof::case::FindingKind::Geolocation, "where?");
        let id = f.id.clone();
        case.apply(geoproof::case::Edit::PutFinding(Box::new(f)))
            .unwrap();
        case.save().unwrap();
        id
    };
    let tmp = tempfile::tempdir().unwrap();
    let run = geoproof([
        "osm-search".as_ref(),
        extract().as_os_str(),
        "--find".as_ref(),
        "place_of_worship".as_ref(),
        "--limit".as_ref(),
        "3".as_ref(),
        "--json".as_ref(),
        "--index-dir".as_ref(),
        tmp.path().as_os_str(),
    ]);
    run.assert_ok();
    let results = tmp.path().join("results.json");
    std::fs::write(&results, &run.stdout).unwrap();
    let add = geoproof([
        "candidates".as_ref(),
        root.as_os_str(),
        finding.as_ref(),
        "--add-from".as_ref(),
        results.as_os_str(),
    ]);
    add.assert_ok();
    // Adding the same results again adds nothing.
    geoproof([
        "candidates".as_ref(),
        root.as_os_str(),
        finding.as_ref(),
        "--add-from".as_ref(),
        results.as_os_str(),
    ])
    .assert_ok();
    let no_reason = geoproof([
        "candidates",
        root.to_str().unwrap(),
        &finding,
        "--set",
        "C2",
        "--status",
        "ruled out",
    ]);
    no_reason.assert_failed();
    assert!(
        no_reason.stderr.contains("needs a --reason"),
        "{}",
        no_reason.stderr
    );
    geoproof([
        "candidates",
        root.to_str().unwrap(),
        &finding,
        "--set",
        "C2",
        "--status",
        "ruled out",
        "--reason",
        "roof line does not match",
    ])
    .assert_ok();
    geoproof([
        "candidates",
        root.to_str().unwrap(),
        &finding,
        "--set",
        "C1",
        "--status",
        "confirmed",
    ])
    .assert_ok();
    let list = geoproof([
        "candidates",
        root.to_str().unwrap(),
        &finding,
        "--list",
        "--json",
    ]);
    list.assert_ok();
    let c = list.json();
    let c = c.as_array().unwrap();
    assert_eq!(c.len(), 3);
    assert_eq!(c[0]["status"], "confirmed");
    assert_eq!(c[1]["status"], "ruled_out");
    assert_eq!(c[1]["reason"], "roof line does not match");
    assert_eq!(c[2]["status"], "unchecked");
    assert_eq!(c[0]["origin"]["kind"], "osm_query");
    assert!(
        c[0]["origin"]["query"]
            .as_str()
            .unwrap()
            .contains("place_of_worship")
    );
}
