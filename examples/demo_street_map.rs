//! Makes the demo case's street map, `assets/basemap/vaduz-streets.pmtiles`: vector
//! tiles of Vaduz (Liechtenstein) at zoom 12 to 15 in the Protomaps basemap schema,
//! encoded from the Liechtenstein extract (OpenStreetMap, © OpenStreetMap contributors,
//! ODbL 1.0) with the same encoder as the tests (tests/util/vector_tiles.rs). Run once:
//!
//! ```sh
//! cargo run --release --no-default-features --example demo_street_map -- \
//!     ../shared/data/osm/liechtenstein-latest.osm.pbf assets/basemap/vaduz-streets.pmtiles
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/util/vector_tiles.rs"]
mod vector_tiles;

use std::path::PathBuf;

use geoproof::osm::index::OsmIndex;
use geoproof::vector::TileAddr;
use geoproof::vector::snapshot::mercator;

/// West, south, east, north of the area drawn: Vaduz and its edges.
const AREA: [f64; 4] = [9.495, 47.118, 9.555, 47.165];
const LEVELS: std::ops::RangeInclusive<u8> = 12..=15;
const METADATA: &str = r#"{"name":"Vaduz streets (geoproof demo)","attribution":"© OpenStreetMap contributors (ODbL)","license":"ODbL 1.0, https://opendatacommons.org/licenses/odbl/","source":"liechtenstein-latest.osm.pbf (Geofabrik), encoded by examples/demo_street_map.rs"}"#;

fn main() {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(extract), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: demo_street_map EXTRACT.osm.pbf OUT.pmtiles");
        std::process::exit(2);
    };
    let index = OsmIndex::build_uncached(&extract).expect("extract indexed");
    let mut tiles = Vec::new();
    for z in LEVELS {
        let n = f64::from(1u32 << z);
        let a = mercator(AREA[3], AREA[0]);
        let b = mercator(AREA[1], AREA[2]);
        for x in (a[0] * n) as u32..=(b[0] * n) as u32 {
            for y in (a[1] * n) as u32..=(b[1] * n) as u32 {
                let t = TileAddr { z, x, y };
                tiles.push((t, vector_tiles::gzip(&vector_tiles::encode_tile(&index, t))));
            }
        }
    }
    let tmp = out.with_extension("pmtiles.tmp");
    vector_tiles::write_pmtiles_with(&tmp, &tiles, METADATA);
    std::fs::rename(&tmp, &out).expect("renamed into place");
    let bytes: usize = tiles.iter().map(|(_, b)| b.len()).sum();
    println!(
        "{}: {} tiles, {bytes} bytes of gzipped tiles",
        out.display(),
        tiles.len()
    );
}
