//! `geoproof snapshot` (#32) on an OpenStreetMap extract: the extract is indexed (into
//! a cache folder of the test) and drawn as a street map; pixel probes on the PNG find
//! the minor-road colour where the extract has residential roads and not elsewhere, an
//! extract without roads says so in one line and is still drawn, and below zoom 12 the
//! view says the street map starts deeper. With a case, its markers, circles and labels
//! are drawn over the map and the labels listed with their boxes, none overlapping. The
//! street map names its roads (the full Liechtenstein extract) and places: painted,
//! listed with their boxes, never overlapping each other or the case's marker and label,
//! which are placed first (a place name on a finding's marker moves off it).
#![allow(clippy::unwrap_used)]

mod util;

use std::path::Path;

use geoproof::osm::index::OsmIndex;
use geoproof::vector::snapshot::mercator;
use util::geoproof;

const VADUZ: &str = "tests/data/real/osm/vaduz.osm.pbf";
const NO_ROADS: &str = "tests/data/real/osm/vaduz-no-roads.osm.pbf";
const CENTER: [f64; 2] = [47.139, 9.524];
const ZOOM: f64 = 16.0;
const SIZE: u32 = 512;
const MINOR_ROAD: [u8; 4] = [255, 255, 255, 255];

fn snapshot(dir: &Path, extract: &str, zoom: f64) -> (image::RgbaImage, serde_json::Value) {
    let out = dir.join("snap.png");
    let run = geoproof([
        "snapshot",
        "--center",
        &format!("{},{}", CENTER[0], CENTER[1]),
        "--zoom",
        &zoom.to_string(),
        "--size",
        &format!("{SIZE}x{SIZE}"),
        "--basemap",
        extract,
        "--index-dir",
        dir.join("index").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    run.assert_ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    (image::open(&out).unwrap().to_rgba8(), json)
}

/// Pixel of a point (1e-7 degrees, longitude first) in the snapshot.
fn pixel(p: [i32; 2]) -> (i64, i64) {
    let world = 256.0 * 2f64.powf(ZOOM);
    let c = mercator(CENTER[0], CENTER[1]);
    let m = mercator(f64::from(p[1]) * 1e-7, f64::from(p[0]) * 1e-7);
    let half = f64::from(SIZE) / 2.0;
    (
        ((m[0] - c[0]) * world + half).floor() as i64,
        ((m[1] - c[1]) * world + half).floor() as i64,
    )
}

/// Midpoints of the segments of the extract's ways tagged `highway=residential`, and
/// the representative points of its buildings, that fall inside the image.
type Probes = Vec<(i64, i64)>;

fn probes() -> (Probes, Probes) {
    let index = OsmIndex::build_uncached(Path::new(VADUZ)).unwrap();
    let inside =
        |(x, y): (i64, i64)| (8..SIZE as i64 - 8).contains(&x) && (8..SIZE as i64 - 8).contains(&y);
    let mut roads = Vec::new();
    let mut buildings = Vec::new();
    for f in index.features() {
        if f.tag("highway") == Some("residential") && !f.is_area() {
            for part in f.parts() {
                for w in part.windows(2) {
                    let mid = [(w[0][0] + w[1][0]) / 2, (w[0][1] + w[1][1]) / 2];
                    roads.push(pixel(mid));
                }
            }
        } else if f.tag("building").is_some() && f.is_area() {
            let [lon, lat] = f.representative();
            buildings.push(pixel([(lon * 1e7) as i32, (lat * 1e7) as i32]));
        }
    }
    roads.retain(|p| inside(*p));
    buildings.retain(|p| inside(*p));
    (roads, buildings)
}

#[test]
fn an_extract_is_drawn_as_a_street_map_with_roads_where_osm_has_roads() {
    let dir = tempfile::tempdir().unwrap();
    let (img, json) = snapshot(dir.path(), VADUZ, ZOOM);
    assert_eq!(json["tiles"], "osm");
    assert_eq!(json["size"]["width"], SIZE);
    assert_eq!(json["source_zoom"], 16);
    assert!(json["tiles_drawn"].as_u64().unwrap() >= 4, "{json}");
    let (mut roads, buildings) = probes();
    // Probes under a road's name (drawn over the road) are left out.
    let names: Vec<[f64; 4]> = json["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| [0, 1, 2, 3].map(|k| l["box"][k].as_f64().unwrap()))
        .collect();
    assert!(names.len() >= 3, "{json}");
    let named = |(x, y): (i64, i64)| {
        let (x, y) = (x as f64, y as f64);
        names
            .iter()
            .any(|b| b[0] - 1.0 <= x && x <= b[2] + 1.0 && b[1] - 1.0 <= y && y <= b[3] + 1.0)
    };
    roads.retain(|p| !named(*p));
    assert!(roads.len() > 40, "{} road probes", roads.len());
    let is_road = |(x, y): (i64, i64)| img.get_pixel(x as u32, y as u32).0 == MINOR_ROAD;
    let on_roads = roads.iter().filter(|p| is_road(**p)).count();
    assert!(
        on_roads * 10 >= roads.len() * 9,
        "{on_roads} of {} residential road probes are road-coloured",
        roads.len()
    );
    // Building centres are not painted as roads (a map that is all road colour fails).
    let on_buildings = buildings.iter().filter(|p| is_road(**p)).count();
    assert!(
        buildings.len() > 40 && on_buildings * 10 < buildings.len(),
        "{on_buildings} of {}",
        buildings.len()
    );

    // The index is cached: a second snapshot does not index again.
    let again = geoproof([
        "snapshot",
        "--center",
        "47.139,9.524",
        "--zoom",
        "15",
        "--basemap",
        VADUZ,
        "--index-dir",
        dir.path().join("index").to_str().unwrap(),
        "--out",
        dir.path().join("b.png").to_str().unwrap(),
    ]);
    again.assert_ok();
    assert!(!again.stderr.contains("indexing"), "{}", again.stderr);
}

#[test]
fn an_extract_without_roads_says_so_and_is_still_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let (img, json) = snapshot(dir.path(), NO_ROADS, ZOOM);
    let notes: Vec<&str> = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("vaduz-no-roads.osm.pbf: the extract has no roads"),
        "{notes:?}"
    );
    let road = img.pixels().filter(|p| p.0 == MINOR_ROAD).count();
    let building = img.pixels().filter(|p| p.0 == [217, 208, 201, 255]).count();
    assert!(road < 50, "{road} road pixels");
    assert!(building > 5000, "{building} building pixels");
}

#[test]
fn below_zoom_12_the_street_map_says_where_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let (img, json) = snapshot(dir.path(), VADUZ, 10.0);
    assert_eq!(json["source_zoom"], serde_json::Value::Null);
    assert_eq!(json["tiles_drawn"], 0);
    let notes = json["notes"].to_string();
    assert!(notes.contains("drawn from zoom 12"), "{notes}");
    let first = *img.get_pixel(0, 0);
    assert!(img.pixels().all(|p| *p == first), "a blank paper");
}

#[test]
fn a_case_is_drawn_over_the_street_map_with_its_labels_and_their_boxes() {
    let (_demo, root) = util::demo_copy();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("case.png");
    let run = geoproof([
        "snapshot",
        root.to_str().unwrap(),
        "--center",
        "47.1405,9.5215",
        "--zoom",
        "14",
        "--size",
        "800x600",
        "--basemap",
        VADUZ,
        "--index-dir",
        dir.path().join("index").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    run.assert_ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["case"]["marks"], 1, "{json}");
    assert_eq!(json["case"]["loci"], 1, "{json}");
    let label = json["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "case")
        .unwrap();
    assert_eq!(
        label["text"],
        "Vaduz town centre, Liechtenstein (street map offline)"
    );
    // The label sits right of the marker at the image centre (400, 300).
    let x0 = label["box"][0].as_f64().unwrap();
    let (y0, y1) = (
        label["box"][1].as_f64().unwrap(),
        label["box"][3].as_f64().unwrap(),
    );
    assert!(
        (400.0..420.0).contains(&x0) && y0 < 300.0 && y1 > 300.0,
        "{label}"
    );
    let img = image::open(&out).unwrap().to_rgba8();
    assert_eq!(
        img.get_pixel(400, 300).0,
        [200, 40, 40, 255],
        "the finding's marker"
    );
    // Inside the 800 m circle (about 82 px at zoom 14) the map is tinted; outside not.
    let paper = [242, 239, 233, 255];
    assert_ne!(img.get_pixel(400, 240).0, paper);
    assert_eq!(img.get_pixel(400, 60).0, paper);
}

#[test]
fn at_the_world_view_the_case_labels_never_overlap() {
    let (_demo, root) = util::demo_copy();
    let dir = tempfile::tempdir().unwrap();
    let run = geoproof([
        "snapshot",
        root.to_str().unwrap(),
        "--center",
        "30,0",
        "--zoom",
        "1.5",
        "--size",
        "700x500",
        "--basemap",
        "assets/basemap/bluemarble-z0-5.pmtiles",
        "--out",
        dir.path().join("world.png").to_str().unwrap(),
        "--json",
    ]);
    run.assert_ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(json["case"]["clusters"].as_u64().unwrap() >= 1, "{json}");
    let boxes: Vec<[f64; 4]> = json["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let b = &l["box"];
            [0, 1, 2, 3].map(|k| b[k].as_f64().unwrap())
        })
        .collect();
    assert!(boxes.len() >= 3, "{json}");
    for (i, a) in boxes.iter().enumerate() {
        assert!(
            a[0] >= 0.0 && a[1] >= 0.0 && a[2] <= 700.0 && a[3] <= 500.0,
            "{a:?}"
        );
        for b in &boxes[i + 1..] {
            let overlap = a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
            assert!(!overlap, "{a:?} overlaps {b:?}");
        }
    }
}

#[test]
fn the_case_imagery_layer_is_drawn_over_the_basemap() {
    let (_demo, root) = util::demo_copy();
    let dir = tempfile::tempdir().unwrap();
    let shot = |case: Option<&Path>, name: &str| {
        let out = dir.path().join(name);
        let mut args: Vec<String> = Vec::new();
        args.push("snapshot".into());
        args.extend(case.map(|c| c.to_str().unwrap().to_owned()));
        for a in [
            "--center",
            "-25.35,-54.55",
            "--zoom",
            "10",
            "--size",
            "400x300",
            "--basemap",
            "assets/basemap/bluemarble-z0-5.pmtiles",
            "--json",
            "--out",
        ] {
            args.push(a.into());
        }
        args.push(out.to_str().unwrap().into());
        let run = geoproof(&args);
        run.assert_ok();
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        (image::open(&out).unwrap().to_rgba8(), json)
    };
    let (bare, _) = shot(None, "bare.png");
    let (with, json) = shot(Some(&root), "case.png");
    assert_eq!(json["case"]["imagery_layers"], 1, "{json}");
    // The Landsat scene replaces the enlarged z5 Blue Marble over most of the view.
    let changed = bare
        .pixels()
        .zip(with.pixels())
        .filter(|(a, b)| a != b)
        .count();
    assert!(changed > 400 * 300 / 2, "{changed} pixels changed");
}

const LIECHTENSTEIN: &str = "tests/data/osm/liechtenstein-latest.osm.pbf";
/// The extract's `place=village name=Vaduz` node.
const VADUZ_NODE: [f64; 2] = [47.139_286_2, 9.522_796_2];

/// A snapshot at `center`, zoom `zoom`, 800×600, over `basemap`, with `case` drawn.
fn named_snapshot(
    dir: &Path,
    case: Option<&Path>,
    basemap: &str,
    center: [f64; 2],
    zoom: f64,
) -> (image::RgbaImage, Vec<(String, String, [f64; 4])>) {
    let out = dir.join("named.png");
    let mut args: Vec<String> = vec!["snapshot".into()];
    args.extend(case.map(|c| c.to_str().unwrap().to_owned()));
    for a in [
        "--center",
        &format!("{},{}", center[0], center[1]),
        "--zoom",
        &zoom.to_string(),
        "--size",
        "800x600",
        "--basemap",
        basemap,
        "--index-dir",
        dir.join("index").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ] {
        args.push(a.to_owned());
    }
    let run = geoproof(&args);
    run.assert_ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let labels = json["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let b = &l["box"];
            (
                l["text"].as_str().unwrap().to_owned(),
                l["kind"].as_str().unwrap().to_owned(),
                [0, 1, 2, 3].map(|k| b[k].as_f64().unwrap()),
            )
        })
        .collect();
    (image::open(&out).unwrap().to_rgba8(), labels)
}

fn overlap(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// Pixels in a box near `ink`.
fn inked(img: &image::RgbaImage, b: [f64; 4], ink: [u8; 3]) -> usize {
    let [x0, y0, x1, y1] = b.map(|v| v.round() as i64);
    let mut n = 0;
    for y in y0.max(0)..y1.min(i64::from(img.height())) {
        for x in x0.max(0)..x1.min(i64::from(img.width())) {
            let p = img.get_pixel(x as u32, y as u32).0;
            n += usize::from((0..3).all(|i| (i32::from(p[i]) - i32::from(ink[i])).abs() < 40));
        }
    }
    n
}

/// A case with one finding at `at`, 20 m precision.
fn case_at(dir: &Path, title: &str, at: [f64; 2]) -> std::path::PathBuf {
    use geoproof::case::{Case, Edit, Finding, FindingKind, FindingLocation};
    let root = dir.join("case");
    let mut case = Case::create(&root, "names").unwrap();
    let mut f = Finding::new(FindingKind::Geolocation, title);
    f.location = Some(FindingLocation {
        lat: at[0],
        lon: at[1],
        precision_m: 20.0,
    });
    case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    case.save().unwrap();
    root
}

#[test]
fn the_street_map_names_its_roads_and_keeps_them_off_the_case_marker() {
    let dir = tempfile::tempdir().unwrap();
    let site = [47.1405, 9.5215];
    let root = case_at(dir.path(), "Arrest site", site);
    let (img, labels) = named_snapshot(dir.path(), Some(&root), LIECHTENSTEIN, site, 16.0);
    let roads: Vec<_> = labels.iter().filter(|l| l.1 == "road").collect();
    assert!(roads.len() >= 5, "{labels:?}");
    assert!(
        roads.iter().filter(|l| l.0.ends_with("strasse")).count() >= 3,
        "{roads:?}"
    );
    // Every road name is painted: dark road-label letters inside its box.
    for (text, _, b) in &roads {
        assert!(inked(&img, *b, [72, 68, 64]) > 15, "{text}: {b:?}");
    }
    // The finding's marker at the centre, its label beside it; no label overlaps
    // another or the marker's box.
    assert_eq!(img.get_pixel(400, 300).0, [200, 40, 40, 255]);
    let marker = [391.0, 291.0, 409.0, 309.0];
    assert!(labels.iter().any(|l| l.1 == "case" && l.0 == "Arrest site"));
    for (i, (text, _, a)) in labels.iter().enumerate() {
        assert!(a[0] >= 0.0 && a[1] >= 0.0 && a[2] <= 800.0 && a[3] <= 600.0);
        assert!(!overlap(*a, marker), "{text} {a:?} covers the marker");
        for (other, _, b) in &labels[i + 1..] {
            assert!(!overlap(*a, *b), "{text} {a:?} overlaps {other} {b:?}");
        }
    }
}

#[test]
fn a_place_name_under_a_case_marker_moves_off_it() {
    let dir = tempfile::tempdir().unwrap();
    // Without a case, the extract's "Vaduz" sits on its node at the image centre.
    let (_, bare) = named_snapshot(dir.path(), None, VADUZ, VADUZ_NODE, 15.0);
    let vaduz = |labels: &[(String, String, [f64; 4])]| {
        labels
            .iter()
            .find(|l| l.0 == "Vaduz" && l.1 == "place")
            .map(|l| l.2)
    };
    let b = vaduz(&bare).unwrap_or_else(|| panic!("{bare:?}"));
    assert!(
        b[0] < 400.0 && b[2] > 400.0 && b[1] < 300.0 && b[3] > 300.0,
        "{b:?}"
    );
    // A finding on that node: the case's marker and label are placed first, and the
    // basemap's "Vaduz" moves off them (above or below), painted where it went.
    let root = case_at(dir.path(), "Arrest site", VADUZ_NODE);
    let (img, labels) = named_snapshot(dir.path(), Some(&root), VADUZ, VADUZ_NODE, 15.0);
    assert_eq!(img.get_pixel(400, 300).0, [200, 40, 40, 255]);
    let case_label = labels.iter().find(|l| l.1 == "case").unwrap().2;
    let marker = [391.0, 291.0, 409.0, 309.0];
    let moved = vaduz(&labels).unwrap_or_else(|| panic!("{labels:?}"));
    assert!(
        !overlap(moved, marker) && !overlap(moved, case_label),
        "{moved:?}"
    );
    assert!(moved[3] <= 291.0 || moved[1] >= 309.0, "{moved:?}");
    assert!(inked(&img, moved, [34, 34, 38]) > 20, "{moved:?}");
    for (text, kind, a) in labels.iter().filter(|l| l.1 != "case") {
        assert!(
            !overlap(*a, case_label) && !overlap(*a, marker),
            "{kind} {text} {a:?} under the case's mark"
        );
    }
}
