//! A vector basemap in the app (#32), driven with egui_kittest: a PMTiles of vector
//! tiles made from the Vaduz extract (tests/util/vector_tiles.rs) is chosen as the
//! basemap, the map goes to Vaduz at zoom 16 (past the archive's level 14), and the
//! tiles the map uploads are drawn street maps: road white and building colour, not a
//! blank square. An OSM extract chosen as the basemap is indexed and drawn as a street
//! map at zoom 15 the same way. In the demo case, selecting the Vaduz finding over the
//! bundled basemap flies to about zoom 15 and draws the bundled street map there.
#![allow(clippy::unwrap_used)]

use crate::util;
use crate::vector_tiles;

use std::time::Duration;

use geoproof::spatial::LatLon;
use geoproof::ui::Command;
use geoproof::ui::MapCommand;
use geoproof::ui::basemap::{SourceChoice, render_tile};
use util::app::{app, default_harness as harness, push, run_until};

#[test]
fn a_vector_basemap_draws_streets_at_zoom_16() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vaduz.pmtiles");
    let (_, tiles) = vector_tiles::vaduz_tiles();
    vector_tiles::write_pmtiles(&path, &tiles);
    let mut h = harness(None);
    h.run_steps(2);
    push(
        &mut h,
        Command::Map(MapCommand::SetBasemap(SourceChoice::PmTiles(path.clone()))),
    );
    push(
        &mut h,
        Command::Map(MapCommand::CenterOn(
            LatLon {
                lat: 47.139,
                lon: 9.524,
            },
            Some(16.0),
        )),
    );
    h.step();
    assert_eq!(app(&h).state.basemap().choice, SourceChoice::PmTiles(path));
    // The map's tiles are drawn off the UI thread and uploaded as textures (the
    // harness hands texture pixels to its renderer, so the pixels are checked below
    // through the same function the service runs).
    run_until(&mut h, "vector tiles drawn", Duration::from_secs(30), |h| {
        let textures = h
            .ctx
            .tex_manager()
            .read()
            .allocated()
            .filter(|(_, m)| m.name == "vector tile" && m.size == [256, 256])
            .count();
        textures >= 4
    });
    let archive = geoproof::vector::Archive::open(&dir.path().join("vaduz.pmtiles")).unwrap();
    let mut street_tiles = 0;
    for (x, y) in [
        (34501, 23013),
        (34501, 23014),
        (34502, 23013),
        (34502, 23014),
    ] {
        let tile = walkers::TileId { x, y, zoom: 16 };
        let img = render_tile(&archive, tile, geoproof::vector::Theme::Light).unwrap();
        let count = |c: [u8; 4]| img.pixels().filter(|p| p.0 == c).count();
        // Minor roads and buildings.
        street_tiles +=
            usize::from(count([255, 255, 255, 255]) > 200 && count([217, 208, 201, 255]) > 200);
    }
    assert!(street_tiles >= 2, "{street_tiles} of 4 tiles show streets");
}

#[test]
fn an_osm_extract_chosen_as_basemap_draws_street_tiles_at_zoom_15() {
    let extract = std::path::PathBuf::from(vector_tiles::EXTRACT);
    let cache = tempfile::tempdir().unwrap();
    let mut h = harness(None);
    h.run_steps(2);
    h.state_mut()
        .app
        .as_mut()
        .unwrap()
        .state
        .osm_search_mut()
        .cache_dir = Some(cache.path().to_owned());
    let choice = SourceChoice::OsmExtract(extract.clone());
    push(&mut h, Command::Map(MapCommand::SetBasemap(choice.clone())));
    push(
        &mut h,
        Command::Map(MapCommand::CenterOn(
            LatLon {
                lat: 47.139,
                lon: 9.524,
            },
            Some(15.0),
        )),
    );
    h.step();
    assert_eq!(app(&h).state.basemap().choice, choice);
    run_until(&mut h, "street tiles drawn", Duration::from_secs(60), |h| {
        h.ctx
            .tex_manager()
            .read()
            .allocated()
            .filter(|(_, m)| m.name == "vector tile" && m.size == [256, 256])
            .count()
            >= 2
    });
    // Indexed into the case's cache folder; the status bar says from which zoom.
    let note = geoproof::ui::basemap::note(&h.ctx).unwrap_or_default();
    assert!(note.contains("street map from zoom 12"), "{note}");
    assert!(std::fs::read_dir(cache.path()).unwrap().count() >= 1);
    let index = geoproof::osm::index::OsmIndex::build_uncached(&extract).unwrap();
    let streets = geoproof::vector::OsmStreets::new(std::sync::Arc::new(index), &extract);
    let mut street_tiles = 0;
    for (x, y) in [
        (17250, 11506),
        (17250, 11507),
        (17251, 11506),
        (17251, 11507),
    ] {
        let tile = walkers::TileId { x, y, zoom: 15 };
        let img = render_tile(&streets, tile, geoproof::vector::Theme::Light).unwrap();
        let count = |c: [u8; 4]| img.pixels().filter(|p| p.0 == c).count();
        street_tiles +=
            usize::from(count([255, 255, 255, 255]) > 200 && count([217, 208, 201, 255]) > 200);
    }
    assert!(street_tiles >= 2, "{street_tiles} of 4 tiles show streets");
}

#[test]
fn the_demo_vaduz_finding_shows_the_bundled_street_map_when_selected() {
    let (_dir, root) = util::demo_copy();
    let case = geoproof::case::Case::open(&root).unwrap();
    let mut h = harness(Some(case));
    h.run_steps(2);
    assert_eq!(app(&h).state.basemap().choice, SourceChoice::BlueMarble);
    push(
        &mut h,
        Command::Select(geoproof::ui::Selection::Finding(
            "F-demo-vaduz-street".into(),
        )),
    );
    run_until(&mut h, "flown to Vaduz", Duration::from_secs(20), |h| {
        let zoom = app(h).state.map().memory.zoom();
        let c = app(h).state.map_center();
        zoom >= 14.5 && c.is_some_and(|c| (c.lat - 47.1405).abs() < 0.01)
    });
    let zoom = app(&h).state.map().memory.zoom();
    assert!((14.5..17.0).contains(&zoom), "zoom {zoom}");
    run_until(&mut h, "street tiles drawn", Duration::from_secs(60), |h| {
        h.ctx
            .tex_manager()
            .read()
            .allocated()
            .filter(|(_, m)| m.name == "vector tile" && m.size == [256, 256])
            .count()
            >= 2
    });
}
