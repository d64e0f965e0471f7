//! Vector tiles made from the Vaduz extract (OpenStreetMap, ODbL;
//! tests/data/real/osm/SOURCES) in the Protomaps basemap schema, encoded with the `mvt`
//! crate: shared by tests/vector_basemap.rs, benches/vector_tile.rs and
//! examples/demo_street_map.rs (which makes the demo's bundled street map).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use geoproof::osm::index::OsmIndex;
use geoproof::vector::TileAddr;
use geoproof::vector::snapshot::{mercator, unmercator};

pub const EXTRACT: &str = "tests/data/real/osm/vaduz-locations-on-ways.osm.pbf";
pub const LEVELS: std::ops::RangeInclusive<u8> = 12..=14;

/// Protomaps layer and kind for an OSM feature, as the Protomaps basemap build maps them.
fn layer_of(tag: &dyn Fn(&str) -> Option<String>, area: bool) -> Option<(&'static str, String)> {
    if let Some(h) = tag("highway").filter(|_| !area) {
        let kind = match h.as_str() {
            "motorway" | "trunk" => "highway",
            "primary" | "secondary" | "tertiary" => "major_road",
            "residential" | "unclassified" | "living_street" => "minor_road",
            "footway" | "path" | "cycleway" | "steps" | "track" | "pedestrian" => "path",
            _ => "other",
        };
        return Some(("roads", kind.into()));
    }
    if tag("building").is_some() && area {
        return Some(("buildings", "building".into()));
    }
    if area
        && (tag("natural").as_deref() == Some("water")
            || tag("landuse").as_deref() == Some("reservoir"))
    {
        return Some(("water", "water".into()));
    }
    if let Some(w) = tag("waterway").filter(|_| !area) {
        return Some(("water", w));
    }
    if let Some(r) = tag("railway").filter(|r| r == "rail" && !area) {
        return Some(("transit", r));
    }
    let landuse = tag("leisure").or_else(|| tag("landuse"));
    landuse.filter(|_| area).map(|k| ("landuse", k))
}

/// Tile pixel coordinates (extent 4096) of a 1e-7 degree point in tile `t`.
fn tile_xy(t: TileAddr, p: [i32; 2]) -> (f64, f64) {
    let m = mercator(f64::from(p[1]) * 1e-7, f64::from(p[0]) * 1e-7);
    let n = f64::from(1u32 << t.z);
    (
        (m[0] * n - f64::from(t.x)) * 4096.0,
        (m[1] * n - f64::from(t.y)) * 4096.0,
    )
}

/// West, south, east, north of tile `t` widened by `margin` tiles, degrees.
pub fn tile_bounds(t: TileAddr, margin: f64) -> [f64; 4] {
    let n = f64::from(1u32 << t.z);
    let nw = unmercator((f64::from(t.x) - margin) / n, (f64::from(t.y) - margin) / n);
    let se = unmercator(
        (f64::from(t.x) + 1.0 + margin) / n,
        (f64::from(t.y) + 1.0 + margin) / n,
    );
    [nw[1], se[0], se[1], nw[0]]
}

/// The features of `index` near tile `t` in the Protomaps basemap schema, as an MVT.
pub fn encode_tile(index: &OsmIndex, t: TileAddr) -> Vec<u8> {
    let mut tile = mvt::Tile::new(4096);
    let mut layers: Vec<(&str, mvt::Layer)> = Vec::new();
    for f in index.near_box(tile_bounds(t, 0.1)) {
        let tag = |k: &str| f.tag(k).map(str::to_owned);
        let Some((name, kind)) = layer_of(&tag, f.is_area()) else {
            continue;
        };
        let kind_of = if f.is_area() {
            mvt::GeomType::Polygon
        } else {
            mvt::GeomType::Linestring
        };
        let mut enc = mvt::GeomEncoder::new(kind_of);
        for part in f.parts() {
            let mut pts: Vec<(f64, f64)> = part
                .iter()
                .map(|p| {
                    let (x, y) = tile_xy(t, *p);
                    (x.round(), y.round())
                })
                .collect();
            // Points that round to the same tile pixel are one point; a ring or line
            // left with too few is not encoded (it would be an invalid geometry).
            pts.dedup();
            if pts.len() < if f.is_area() { 4 } else { 2 } {
                continue;
            }
            if f.is_area() {
                pts.pop(); // the closing point: ClosePath closes the ring
                // Exterior rings have positive area in tile coordinates (MVT 2.1).
                let area: f64 = (0..pts.len())
                    .map(|i| {
                        let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                        a.0 * b.1 - b.0 * a.1
                    })
                    .sum();
                if area < 0.0 {
                    pts.reverse();
                }
            }
            for (x, y) in pts {
                enc.add_point(x, y).unwrap();
            }
            enc.complete_geom().unwrap();
        }
        let Ok(data) = enc.encode() else { continue };
        if data.is_empty() {
            continue;
        }
        let at = match layers.iter().position(|(n, _)| *n == name) {
            Some(i) => i,
            None => {
                layers.push((name, tile.create_layer(name)));
                layers.len() - 1
            }
        };
        let (n, layer) = layers.swap_remove(at);
        let mut feature = layer.into_feature(data);
        feature.add_tag_string("kind", &kind);
        layers.push((n, feature.into_layer()));
    }
    for (_, layer) in layers {
        tile.add_layer(layer).unwrap();
    }
    tile.to_bytes().unwrap()
}

/// The tiles of levels 12 to 14 that cover Vaduz, gzipped.
pub fn vaduz_tiles() -> (OsmIndex, Vec<(TileAddr, Vec<u8>)>) {
    let index = OsmIndex::build_uncached(Path::new(EXTRACT)).expect("extract indexed");
    let mut tiles = Vec::new();
    for z in LEVELS {
        let n = f64::from(1u32 << z);
        let a = mercator(47.144, 9.518);
        let b = mercator(47.134, 9.530);
        for x in (a[0] * n) as u32..=(b[0] * n) as u32 {
            for y in (a[1] * n) as u32..=(b[1] * n) as u32 {
                let t = TileAddr { z, x, y };
                tiles.push((t, gzip(&encode_tile(&index, t))));
            }
        }
    }
    (index, tiles)
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

pub fn write_pmtiles(path: &Path, tiles: &[(TileAddr, Vec<u8>)]) {
    write_pmtiles_with(path, tiles, "{}");
}

/// Gzipped MVT tiles written as a PMTiles v3 archive, its zoom range and bounds those of
/// the tiles, with `metadata` (JSON: attribution, licence).
pub fn write_pmtiles_with(path: &Path, tiles: &[(TileAddr, Vec<u8>)], metadata: &str) {
    let min_z = tiles.iter().map(|(t, _)| t.z).min().unwrap();
    let max_z = tiles.iter().map(|(t, _)| t.z).max().unwrap();
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for (t, _) in tiles.iter().filter(|(t, _)| t.z == max_z) {
        let tb = tile_bounds(*t, 0.0);
        b = [
            b[0].min(tb[0]),
            b[1].min(tb[1]),
            b[2].max(tb[2]),
            b[3].max(tb[3]),
        ];
    }
    let mut sorted: Vec<_> = tiles
        .iter()
        .map(|(t, b)| (pmtiles::TileCoord::new(t.z, t.x, t.y).unwrap(), b))
        .collect();
    sorted.sort_by_key(|(c, _)| pmtiles::TileId::from(*c).value());
    let file = std::fs::File::create(path).unwrap();
    let mut w = pmtiles::PmTilesWriter::new(pmtiles::TileType::Mvt)
        .tile_compression(pmtiles::Compression::Gzip)
        .min_zoom(min_z)
        .max_zoom(max_z)
        .bounds(b[0], b[1], b[2], b[3])
        .center((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
        .center_zoom(max_z)
        .metadata(metadata)
        .create(file)
        .unwrap();
    for (c, b) in sorted {
        w.add_raw_tile(c, b).unwrap();
    }
    w.finalize().unwrap();
}
