//! Basemap labels in the app (#32), driven with egui_kittest: the Vaduz vector archive
//! (tests/util/vector_tiles.rs) is chosen as the basemap and the map goes to Vaduz at
//! zoom 14; the map then shows the place name and road names, placed by the same code
//! as `geoproof snapshot` (the same labels the snapshot of that view lists), drawn as
//! textures of the painted text. An OSM extract chosen as the basemap names its roads
//! and places the same way, and basemap names keep clear of the case's marker and label.
#![allow(clippy::unwrap_used)]

use crate::util;
use crate::vector_tiles;

use std::time::Duration;

use geoproof::spatial::LatLon;
use geoproof::ui::Command;
use geoproof::ui::MapCommand;
use geoproof::ui::basemap::SourceChoice;
use geoproof::ui::basemap::vector_labels;
use util::app::{Holder, default_harness as harness, push, run_until};

fn on_screen(h: &egui_kittest::Harness<'_, Holder>) -> Vec<String> {
    vector_labels::current(&h.ctx)
        .map(|l| l.lock().unwrap().on_screen.clone())
        .unwrap_or_default()
}

#[test]
fn the_map_shows_place_and_road_names_at_zoom_14() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vaduz.pmtiles");
    vector_tiles::write_pmtiles(&path, &vector_tiles::vaduz_tiles().1);
    let mut h = harness(None);
    h.run_steps(2);
    push(
        &mut h,
        Command::Map(MapCommand::SetBasemap(SourceChoice::PmTiles(path))),
    );
    let at = vector_tiles::VADUZ;
    push(
        &mut h,
        Command::Map(MapCommand::CenterOn(
            LatLon {
                lat: at[0],
                lon: at[1],
            },
            Some(14.0),
        )),
    );
    run_until(
        &mut h,
        "basemap labels drawn",
        Duration::from_secs(30),
        |h| {
            let shown = on_screen(h);
            shown.iter().any(|t| t == "Vaduz") && shown.len() >= 3
        },
    );
    let shown = on_screen(&h);
    let textures = h
        .ctx
        .tex_manager()
        .read()
        .allocated()
        .filter(|(_, m)| m.name == "vector label")
        .count();
    assert!(textures >= shown.len(), "{textures} textures for {shown:?}");
    // OSM road names of Vaduz's centre.
    assert!(
        shown
            .iter()
            .any(|t| t.ends_with("strasse") || t.ends_with("weg")),
        "{shown:?}"
    );
}

/// The names the map shows now and their boxes.
fn shown_boxes(h: &egui_kittest::Harness<'_, Holder>) -> Vec<(String, egui::Rect)> {
    vector_labels::current(&h.ctx)
        .map(|l| {
            let l = l.lock().unwrap();
            l.on_screen
                .iter()
                .cloned()
                .zip(l.on_screen_boxes.iter().copied())
                .collect()
        })
        .unwrap_or_default()
}

/// The extract's `place=village name=Vaduz` node.
const VADUZ_NODE: [f64; 2] = [47.139_286_2, 9.522_796_2];

/// The app over the Vaduz extract as a street map, at its place node at zoom 15, with
/// `case` open (its index cached in a folder of the test).
fn street_map_at_vaduz(
    case: Option<geoproof::case::Case>,
    cache: &std::path::Path,
) -> egui_kittest::Harness<'static, Holder> {
    let mut h = harness(case);
    h.run_steps(2);
    h.state_mut()
        .app
        .as_mut()
        .unwrap()
        .state
        .osm_search_mut()
        .cache_dir = Some(cache.to_owned());
    let extract = std::path::PathBuf::from(vector_tiles::EXTRACT);
    push(
        &mut h,
        Command::Map(MapCommand::SetBasemap(SourceChoice::OsmExtract(extract))),
    );
    let at = LatLon {
        lat: VADUZ_NODE[0],
        lon: VADUZ_NODE[1],
    };
    push(&mut h, Command::Map(MapCommand::CenterOn(at, Some(15.0))));
    h
}

#[test]
fn the_osm_street_map_shows_road_and_place_names() {
    let cache = tempfile::tempdir().unwrap();
    let mut h = street_map_at_vaduz(None, cache.path());
    run_until(&mut h, "street names drawn", Duration::from_secs(60), |h| {
        let shown = on_screen(h);
        shown.iter().any(|t| t == "Vaduz")
            && shown.iter().filter(|t| t.ends_with("strasse")).count() >= 3
    });
    let shown = shown_boxes(&h);
    for (i, (a, ra)) in shown.iter().enumerate() {
        for (b, rb) in &shown[i + 1..] {
            assert!(
                !ra.intersects(*rb) || ra.intersect(*rb).area() < 0.01,
                "{a} {ra:?} overlaps {b} {rb:?}"
            );
        }
    }
    // Without a case, "Vaduz" is centred on its node, the centre of the map.
    let map = util::app::app(&h).state.map().view.expect("map drawn").rect;
    let vaduz = shown.iter().find(|(t, _)| t == "Vaduz").unwrap().1;
    assert!(vaduz.contains(map.center()), "{vaduz:?} {map:?}");
}

#[test]
fn basemap_names_keep_clear_of_the_case_marker_and_label() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut case = geoproof::case::Case::create(&dir.path().join("c"), "names").unwrap();
    let mut f = geoproof::case::Finding::new(geoproof::case::FindingKind::Geolocation, "Arrest");
    f.location = Some(geoproof::case::FindingLocation {
        lat: VADUZ_NODE[0],
        lon: VADUZ_NODE[1],
        precision_m: 20.0,
    });
    case.apply(geoproof::case::Edit::PutFinding(Box::new(f)))
        .unwrap();
    case.save().unwrap();
    let mut h = street_map_at_vaduz(Some(case), cache.path());
    run_until(&mut h, "street names drawn", Duration::from_secs(60), |h| {
        let shown = on_screen(h);
        shown.iter().any(|t| t == "Vaduz")
            && shown.iter().filter(|t| t.ends_with("strasse")).count() >= 3
    });
    h.run_steps(2);
    let marks = geoproof::ui::map_marks::last_drawn(&h.ctx);
    assert_eq!(marks.groups.len(), 1, "{marks:?}");
    assert_eq!(marks.labels.len(), 1, "{marks:?}");
    let marker = egui::Rect::from_center_size(marks.groups[0].0, egui::vec2(16.0, 16.0));
    let case_label = marks.labels[0].1;
    // "Vaduz" was on the marker's node; it moved off the marker and the case's label,
    // as every other basemap name keeps clear of them.
    let shown = shown_boxes(&h);
    assert!(shown.iter().any(|(t, _)| t == "Vaduz"), "{shown:?}");
    for (text, r) in &shown {
        for taken in [marker, case_label] {
            assert!(
                !r.intersects(taken) || r.intersect(taken).area() < 0.01,
                "{text} {r:?} under the case's mark {taken:?}"
            );
        }
    }
}
