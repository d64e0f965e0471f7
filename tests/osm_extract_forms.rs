//! The forms an OSM extract comes in (tests/data/real/osm, made with osmium-tool, see
//! SOURCES there): one with node locations on its ways (`osmium add-locations-to-ways`,
//! untagged nodes dropped) gives the same features and search results as the plain
//! one; a history file is refused with one line saying why.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use geoproof::osm::OsmType;
use geoproof::osm::index::OsmIndex;
use util::geoproof;

fn extract(name: &str) -> PathBuf {
    util::data(&format!("real/osm/{name}"))
}

/// Every feature as (type, id, tags, geometry, area), sorted.
type FeatureRow = (String, i64, Vec<(String, String)>, String, bool);

fn features(path: &Path) -> Vec<FeatureRow> {
    let index = OsmIndex::build_uncached(path).unwrap();
    let mut rows: Vec<FeatureRow> = index
        .features()
        .map(|f| {
            let mut tags: Vec<(String, String)> = f
                .tags()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            tags.sort();
            (
                format!("{:?}", f.osm_type()),
                f.id(),
                tags,
                format!("{:?}", f.parts()),
                f.is_area(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// What osmium says, or `None` with a notice when it is not installed (Debian:
/// osmium-tool).
fn osmium(args: &[&str]) -> Option<String> {
    match Command::new("osmium").args(args).output() {
        Ok(out) => {
            assert!(out.status.success(), "osmium {args:?}");
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Err(_) => {
            eprintln!("osmium not installed; not compared with it");
            None
        }
    }
}

#[test]
fn locations_on_ways_give_the_same_features_and_results() {
    let plain = extract("vaduz.osm.pbf");
    let located = extract("vaduz-locations-on-ways.osm.pbf");
    if let Some(info) = osmium(&[
        "fileinfo",
        "-g",
        "header.option.pbf_optional_feature_0",
        located.to_str().unwrap(),
    ]) {
        assert_eq!(info.trim(), "LocationsOnWays");
    }
    let (a, b) = (features(&plain), features(&located));
    let buildings = |rows: &[FeatureRow]| {
        rows.iter()
            .filter(|r| {
                r.0 == format!("{:?}", OsmType::Way) && r.2.iter().any(|t| t.0 == "building")
            })
            .count()
    };
    assert!(buildings(&a) > 100, "{} building ways", buildings(&a));
    assert_eq!(a.len(), b.len());
    assert!(
        a == b,
        "the extract with locations on ways reads differently"
    );
    // osmium's own count of the building ways.
    let dir = tempfile::tempdir().unwrap();
    let filtered = dir.path().join("b.osm.pbf");
    let args = [
        "tags-filter",
        located.to_str().unwrap(),
        "w/building",
        "-R",
        "-o",
        filtered.to_str().unwrap(),
    ];
    if osmium(&args).is_some()
        && let Some(ways) = osmium(&[
            "fileinfo",
            "-e",
            "-g",
            "data.count.ways",
            filtered.to_str().unwrap(),
        ])
    {
        assert_eq!(ways.trim().parse::<usize>().unwrap(), buildings(&b));
    }

    // The same search through the CLI: identical results.
    let search = |file: &Path| {
        let index_dir = dir.path().join("idx");
        let run = geoproof([
            "osm-search".as_ref(),
            file.as_os_str(),
            "--find".as_ref(),
            "building".as_ref(),
            "--within".as_ref(),
            "60m:highway=bus_stop".as_ref(),
            "--json".as_ref(),
            "--index-dir".as_ref(),
            index_dir.as_os_str(),
        ]);
        run.assert_ok();
        run.json()["results"].clone()
    };
    let (r1, r2) = (search(&plain), search(&located));
    assert!(!r1.as_array().unwrap().is_empty());
    assert_eq!(r1, r2);
}

#[test]
fn a_history_file_is_refused_with_one_line() {
    let history = extract("vaduz-history.osh.pbf");
    if let Some(info) = osmium(&["fileinfo", history.to_str().unwrap()]) {
        assert!(info.contains("With history: yes"), "{info}");
    }
    let dir = tempfile::tempdir().unwrap();
    let run = geoproof([
        "osm-search".as_ref(),
        history.as_os_str(),
        "--find".as_ref(),
        "building".as_ref(),
        "--index-dir".as_ref(),
        dir.path().as_os_str(),
    ]);
    run.assert_failed();
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("vaduz-history.osh.pbf") && run.stderr.contains("history file"),
        "{}",
        run.stderr
    );
    assert!(OsmIndex::build_uncached(&history).is_err());
}
