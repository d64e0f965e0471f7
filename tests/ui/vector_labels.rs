//! Basemap labels in the app (#32), driven with egui_kittest: the Vaduz vector archive
//! (tests/util/vector_tiles.rs) is chosen as the basemap and the map goes to Vaduz at
//! zoom 14; the map then shows the place name and road names, placed by the same code
//! as `geoproof snapshot` (the same labels the snapshot of that view lists), drawn as
//! textures of the painted text.
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
