//! Vector basemaps (#32): archives made here from the Vaduz extract (OpenStreetMap,
//! ODbL; tests/data/real/osm/SOURCES), encoded as Mapbox Vector Tiles with the `mvt`
//! crate in the Protomaps basemap schema, written as PMTiles and MBTiles, rendered and
//! probed: road colours where OSM has roads, building colour inside buildings. Bad
//! archives fail with one line naming the file.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

#[path = "util/vector_tiles.rs"]
mod vector_tiles;

use geo::InteriorPoint;
use geoproof::osm::index::OsmIndex;
use geoproof::vector::snapshot::{View, mercator, render};
use geoproof::vector::{Archive, Theme, TileAddr, VectorError};
use vector_tiles::{gzip, vaduz_tiles, write_pmtiles};

fn write_mbtiles(path: &Path, format: &str, tiles: &[(TileAddr, Vec<u8>)]) {
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);",
    )
    .unwrap();
    db.execute("INSERT INTO metadata VALUES ('format', ?1)", [format])
        .unwrap();
    for (t, b) in tiles {
        let row = (1u32 << t.z) - 1 - t.y;
        db.execute(
            "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)",
            (t.z, t.x, row, b),
        )
        .unwrap();
    }
}

fn archives() -> (tempfile::TempDir, OsmIndex, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (index, tiles) = vaduz_tiles();
    let pm = dir.path().join("vaduz.pmtiles");
    let mb = dir.path().join("vaduz.mbtiles");
    write_pmtiles(&pm, &tiles);
    write_mbtiles(&mb, "pbf", &tiles);
    (dir, index, pm, mb)
}

const ROAD_COLOURS: [[u8; 4]; 5] = [
    [255, 255, 255, 255],
    [252, 214, 164, 255],
    [233, 144, 160, 255],
    [160, 150, 140, 255],
    [250, 128, 114, 255],
];
const BUILDING: [u8; 4] = [217, 208, 201, 255];

/// The pixel at a 1e-7 degree point of a view.
fn probe(snap: &image::RgbaImage, view: &View, p: [f64; 2]) -> Option<[u8; 4]> {
    let world = 256.0 * 2f64.powf(view.zoom);
    let c = mercator(view.center[0], view.center[1]);
    let m = mercator(p[1], p[0]);
    let x = ((m[0] - c[0]) * world + f64::from(view.size[0]) / 2.0).floor();
    let y = ((m[1] - c[1]) * world + f64::from(view.size[1]) / 2.0).floor();
    (x >= 0.0 && y >= 0.0 && x < f64::from(view.size[0]) && y < f64::from(view.size[1]))
        .then(|| snap.get_pixel(x as u32, y as u32).0)
}

const VADUZ: [f64; 2] = [47.139, 9.524];

#[test]
fn roads_and_buildings_of_vaduz_are_drawn_where_osm_has_them_and_both_archives_agree() {
    let (_dir, index, pm, mb) = archives();
    // z17 is past the archives' deepest level (14): drawn overzoomed.
    let view = View {
        center: VADUZ,
        zoom: 17.0,
        size: [1024, 1024],
        theme: Theme::Light,
    };
    let from_pm = render(&Archive::open(&pm).unwrap(), &view).unwrap();
    let from_mb = render(&Archive::open(&mb).unwrap(), &view).unwrap();
    assert!(from_pm.tile_errors.is_empty(), "{:?}", from_pm.tile_errors);
    assert_eq!(from_pm.source_zoom, Some(14));
    assert!(
        from_pm.notes.iter().any(|n| n.starts_with("overzoomed")),
        "{:?}",
        from_pm.notes
    );
    assert!(
        from_pm.image == from_mb.image,
        "PMTiles and MBTiles of the same tiles differ"
    );
    let (mut roads, mut on_road, mut buildings, mut in_building) = (0, 0, 0, 0);
    for f in index.features() {
        let parts = f.parts();
        if f.tag("highway")
            .is_some_and(|h| h == "residential" || h == "primary" || h == "secondary")
            && !f.is_area()
        {
            // The middle of the way's longest segment.
            let part = &parts[0];
            let Some(seg) = part.windows(2).max_by_key(|w| {
                (i64::from(w[0][0]) - i64::from(w[1][0])).pow(2)
                    + (i64::from(w[0][1]) - i64::from(w[1][1])).pow(2)
            }) else {
                continue;
            };
            let mid = [
                (f64::from(seg[0][0]) + f64::from(seg[1][0])) * 0.5e-7,
                (f64::from(seg[0][1]) + f64::from(seg[1][1])) * 0.5e-7,
            ];
            if let Some(px) = probe(&from_pm.image, &view, mid) {
                roads += 1;
                on_road += usize::from(ROAD_COLOURS.contains(&px));
            }
        }
        if f.tag("building").is_some() && f.is_area() && f.tag("highway").is_none() {
            let ring: Vec<(f64, f64)> = parts[0]
                .iter()
                .map(|p| (f64::from(p[0]) * 1e-7, f64::from(p[1]) * 1e-7))
                .collect();
            let Some(inside) = geo::Polygon::new(ring.into(), vec![]).interior_point() else {
                continue;
            };
            if let Some(px) = probe(&from_pm.image, &view, [inside.x(), inside.y()]) {
                buildings += 1;
                in_building += usize::from(px == BUILDING || ROAD_COLOURS.contains(&px));
            }
        }
    }
    assert!(
        roads >= 10 && buildings >= 50,
        "{roads} roads, {buildings} buildings in view"
    );
    assert!(
        on_road * 10 >= roads * 9,
        "{on_road} of {roads} road midpoints are road-coloured"
    );
    assert!(
        in_building * 10 >= buildings * 9,
        "{in_building} of {buildings} buildings are building-coloured"
    );
    // Not just paint everywhere: most of the view is neither road nor building.
    let paper = from_pm
        .image
        .pixels()
        .filter(|p| p.0 == [242, 239, 233, 255])
        .count();
    assert!(paper > 1024 * 1024 / 10, "{paper} background pixels");
}

#[test]
fn the_dark_variant_repaints_the_same_map() {
    let (_dir, _index, pm, _mb) = archives();
    let archive = Archive::open(&pm).unwrap();
    let light = View {
        center: VADUZ,
        zoom: 15.0,
        size: [256, 256],
        theme: Theme::Light,
    };
    let dark = View {
        theme: Theme::Dark,
        ..light
    };
    let (l, d) = (
        render(&archive, &light).unwrap(),
        render(&archive, &dark).unwrap(),
    );
    let bright = |img: &image::RgbaImage| {
        img.pixels()
            .map(|p| u64::from(p.0[0]) + u64::from(p.0[1]) + u64::from(p.0[2]))
            .sum::<u64>()
    };
    assert!(
        bright(&d.image) * 3 < bright(&l.image),
        "dark is not darker"
    );
    assert!(
        d.image.pixels().any(|p| p.0 == [88, 88, 92, 255]),
        "no dark minor road"
    );
}

#[test]
fn the_protomaps_fixture_renders_with_a_note_on_its_schema() {
    let archive =
        Archive::open(Path::new("tests/data/real/basemaps/test_fixture_1.pmtiles")).unwrap();
    assert!(archive.format().is_vector());
    let view = View {
        center: [0.0, 0.0],
        zoom: 0.0,
        size: [256, 256],
        theme: Theme::Light,
    };
    let snap = render(&archive, &view).unwrap();
    assert_eq!(snap.tiles_drawn, 1);
    assert!(snap.tile_errors.is_empty(), "{:?}", snap.tile_errors);
}

fn message(e: VectorError) -> String {
    let m = e.to_string();
    assert!(!m.contains('\n'), "{m}");
    m
}

#[test]
fn bad_archives_fail_with_one_line_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (_, tiles) = vaduz_tiles();
    // Truncated PMTiles.
    let pm = dir.path().join("cut.pmtiles");
    write_pmtiles(&pm, &tiles);
    let bytes = std::fs::read(&pm).unwrap();
    std::fs::write(&pm, &bytes[..100]).unwrap();
    let m = message(Archive::open(&pm).err().unwrap());
    assert!(m.contains("cut.pmtiles") && m.contains("cut short"), "{m}");
    // Brotli tiles (compression byte 98 = 3).
    let br = dir.path().join("br.pmtiles");
    let mut b = bytes.clone();
    b[98] = 3;
    std::fs::write(&br, &b).unwrap();
    let m = message(Archive::open(&br).err().unwrap());
    assert!(m.contains("br.pmtiles") && m.contains("Brotli"), "{m}");
    // An MBTiles that says PNG but holds vector tiles.
    let lies = dir.path().join("lies.mbtiles");
    write_mbtiles(&lies, "png", &tiles);
    let m = message(Archive::open(&lies).err().unwrap());
    assert!(
        m.contains("lies.mbtiles") && m.contains("format 'png'") && m.contains("a vector tile"),
        "{m}"
    );
    // Corrupt tiles: one truncated gzip, one gzip of garbage; the others still draw.
    let mut bad = tiles.clone();
    let n = bad.len();
    bad[n - 1].1.truncate(20);
    bad[n - 2].1 = gzip(b"\x1a\xff\xff\xff\xff\x0fgarbage");
    let corrupt = dir.path().join("corrupt.mbtiles");
    write_mbtiles(&corrupt, "pbf", &bad);
    let archive = Archive::open(&corrupt).unwrap();
    for (t, _) in &bad[n - 2..] {
        let view = View {
            center: geoproof::vector::snapshot::unmercator(
                (f64::from(t.x) + 0.5) / f64::from(1u32 << t.z),
                (f64::from(t.y) + 0.5) / f64::from(1u32 << t.z),
            ),
            zoom: f64::from(t.z),
            size: [256, 256],
            theme: Theme::Light,
        };
        let snap = render(&archive, &view).unwrap();
        assert_eq!(snap.tile_errors.len(), 1, "{:?}", snap.tile_errors);
        assert!(
            snap.tile_errors[0].contains("corrupt.mbtiles")
                && snap.tile_errors[0].contains(&t.to_string()),
            "{:?}",
            snap.tile_errors
        );
    }
    // Not an archive at all.
    let junk = dir.path().join("junk.pmtiles");
    std::fs::write(&junk, b"hello").unwrap();
    let m = message(Archive::open(&junk).err().unwrap());
    assert!(m.contains("junk.pmtiles"), "{m}");
}
