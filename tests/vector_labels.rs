//! Basemap labels (#32): the Vaduz archive (tests/util/vector_tiles.rs: the extract's
//! roads and water with their OSM names, and one place point) rendered by
//! `geoproof snapshot --json`; the boxes it reports never overlap and stay in the
//! image, names in Cyrillic, Arabic and CJK are shaped and painted, a name on a tile
//! boundary is drawn whole, and the dark theme paints light letters.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

#[path = "util/vector_tiles.rs"]
mod vector_tiles;

use geoproof::vector::labels::{DrawnLabel, Kind, render_labelled};
use geoproof::vector::snapshot::{View, mercator, unmercator};
use geoproof::vector::{Archive, Theme};
use vector_tiles::{VADUZ, vaduz_tiles, vaduz_tiles_with_place, write_pmtiles};

fn snapshot_json(archive: &Path, out: &Path, zoom: &str, extra: &[&str]) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_geoproof"))
        .args(["snapshot", "--center", "47.1395,9.5215", "--zoom", zoom])
        .args(["--size", "900x700", "--basemap"])
        .arg(archive)
        .arg("--out")
        .arg(out)
        .arg("--json")
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn boxes(json: &serde_json::Value) -> Vec<(String, String, [f64; 4])> {
    json["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let b: Vec<f64> = l["box"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            (
                l["text"].as_str().unwrap().to_owned(),
                l["kind"].as_str().unwrap().to_owned(),
                [b[0], b[1], b[2], b[3]],
            )
        })
        .collect()
}

#[test]
fn snapshot_labels_never_overlap_and_stay_in_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let pm = dir.path().join("vaduz.pmtiles");
    write_pmtiles(&pm, &vaduz_tiles().1);
    for zoom in ["14", "15.5", "17"] {
        let json = snapshot_json(&pm, &dir.path().join("v.png"), zoom, &[]);
        let labels = boxes(&json);
        let roads = labels.iter().filter(|l| l.1 == "road").count();
        assert!(roads >= 3, "zoom {zoom}: {roads} road names: {labels:?}");
        if zoom != "17" {
            assert!(
                labels.iter().any(|l| l.0 == "Vaduz" && l.1 == "place"),
                "zoom {zoom}: {labels:?}"
            );
        }
        for (i, a) in labels.iter().enumerate() {
            let b = a.2;
            assert!(
                b[0] >= 0.0 && b[1] >= 0.0 && b[2] <= 900.0 && b[3] <= 700.0,
                "{a:?}"
            );
            for c in &labels[i + 1..] {
                let o = c.2;
                let overlap = b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3];
                assert!(!overlap, "zoom {zoom}: {a:?} overlaps {c:?}");
            }
        }
    }
}

fn view(zoom: f64, theme: Theme) -> View {
    View {
        center: [47.1395, 9.5215],
        zoom,
        size: [700, 500],
        theme,
    }
}

/// Pixels inside a label's box whose colour is near `ink`.
fn inked(img: &image::RgbaImage, l: &DrawnLabel, ink: [u8; 3]) -> usize {
    let [x0, y0, x1, y1] = l.bounds.map(|v| v.round() as i64);
    let mut n = 0;
    for y in y0.max(0)..y1.min(i64::from(img.height())) {
        for x in x0.max(0)..x1.min(i64::from(img.width())) {
            let p = img.get_pixel(x as u32, y as u32).0;
            if (0..3).all(|i| (i32::from(p[i]) - i32::from(ink[i])).abs() < 40) {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn place_names_in_cyrillic_arabic_and_cjk_are_shaped_and_painted() {
    let dir = tempfile::tempdir().unwrap();
    // Vaduz as Russian, Arabic and Chinese maps write it.
    for name in ["Вадуц", "فادوتس", "瓦杜兹"] {
        let pm = dir.path().join("named.pmtiles");
        write_pmtiles(&pm, &vaduz_tiles_with_place((name, VADUZ)).1);
        let archive = Archive::open(&pm).unwrap();
        let (snap, labels) = render_labelled(&archive, &view(14.0, Theme::Light)).unwrap();
        let l = labels
            .iter()
            .find(|l| l.text == name)
            .unwrap_or_else(|| panic!("{name} not drawn: {labels:?}"));
        assert_eq!(l.kind, Kind::Place);
        let w = l.bounds[2] - l.bounds[0];
        assert!(w > 25.0, "{name}: box {:?}", l.bounds);
        let ink = inked(&snap.image, l, [34, 34, 38]);
        assert!(ink > 40, "{name}: {ink} text pixels in its box");
    }
}

#[test]
fn a_name_on_a_tile_boundary_is_drawn_whole_once() {
    let dir = tempfile::tempdir().unwrap();
    // A point on the boundary between two z14 tiles near Vaduz: both tiles carry it.
    let n = f64::from(1u32 << 14);
    let m = mercator(VADUZ[0], VADUZ[1]);
    let edge_x = (m[0] * n).round() / n;
    let on_edge = unmercator(edge_x, m[1]);
    let pm = dir.path().join("edge.pmtiles");
    write_pmtiles(&pm, &vaduz_tiles_with_place(("Grenzort", on_edge)).1);
    let archive = Archive::open(&pm).unwrap();
    let v = View {
        center: on_edge,
        zoom: 14.0,
        size: [600, 400],
        theme: Theme::Light,
    };
    let (snap, labels) = render_labelled(&archive, &v).unwrap();
    let drawn: Vec<&DrawnLabel> = labels.iter().filter(|l| l.text == "Grenzort").collect();
    assert_eq!(drawn.len(), 1, "{labels:?}");
    let l = drawn[0];
    // The tile edge runs through the middle of the view (its centre is on it).
    assert!(l.bounds[0] < 299.0 && l.bounds[2] > 301.0, "{:?}", l.bounds);
    let (left, right) = {
        let mut a = l.clone();
        a.bounds[2] = 300.0;
        let mut b = l.clone();
        b.bounds[0] = 300.0;
        (a, b)
    };
    let ink = [34, 34, 38];
    assert!(inked(&snap.image, &left, ink) > 20 && inked(&snap.image, &right, ink) > 20);
}

#[test]
fn dark_labels_are_light_letters_on_a_dark_halo() {
    let dir = tempfile::tempdir().unwrap();
    let pm = dir.path().join("vaduz.pmtiles");
    write_pmtiles(&pm, &vaduz_tiles().1);
    let archive = Archive::open(&pm).unwrap();
    let (snap, labels) = render_labelled(&archive, &view(14.0, Theme::Dark)).unwrap();
    let l = labels.iter().find(|l| l.text == "Vaduz").unwrap();
    assert!(inked(&snap.image, l, [238, 238, 240]) > 40);
    assert!(inked(&snap.image, l, [16, 16, 18]) > 40);
}
