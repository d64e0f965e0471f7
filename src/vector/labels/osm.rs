//! Label candidates of an OSM extract's street map (#32), read from its index per
//! label tile: road names along the roads' lines (clipped to the tile and a margin, as
//! a vector tile's roads are), names of rivers and canals along their lines, of lakes
//! and other water areas at an interior point, and place names (`place=*` nodes and
//! areas) at their point. The same candidates as a vector tile's, with the same styles,
//! so `place` (the one placement) treats both alike.

use geo::{Coord, InteriorPoint, LineString, Polygon};

use super::extract::{Style, place_style, road_style, water_style};
use super::types::{Candidate, Shape};
use crate::osm::feature::Part;
use crate::osm::index::FeatureRef;
use crate::vector::error::TileAddr;
use crate::vector::streets::{self, OsmStreets};
use crate::vector::style::{self, Class, Road};

/// Labels are read from tiles of this level and deeper, as the street map is drawn.
pub const MIN_LEVEL: u8 = streets::MIN_ZOOM;
/// Deeper views read their labels from tiles of this level (fewer, larger tiles).
pub const MAX_LEVEL: u8 = 14;
/// How far past its edges a label tile takes the lines of roads and rivers, as a
/// fraction of the tile: a name may run across the tile's edge.
const MARGIN: f64 = 0.25;

/// How a road's name is set, and from which zoom.
fn road(class: Road) -> Style {
    let (tier, min_zoom) = match class {
        Road::Motorway => (0, 12.0),
        Road::Major => (1, 12.0),
        Road::Minor => (2, 14.0),
        Road::Path => (4, 15.0),
        Road::Service => (3, 16.0),
    };
    Style {
        min_zoom,
        ..road_style(tier)
    }
}

/// How a waterway's or water area's name is set; `None` for water not named on the map.
fn water(f: &FeatureRef<'_>) -> Option<Style> {
    let (tier, min_zoom) = if f.is_area() {
        let water = f.tag("natural") == Some("water")
            || f.tag("water").is_some()
            || matches!(f.tag("landuse"), Some("reservoir" | "basin"))
            || f.tag("waterway") == Some("riverbank");
        if !water {
            return None;
        }
        (2, 13.0)
    } else {
        match f.tag("waterway")? {
            "river" => (3, 12.0),
            "canal" => (4, 13.0),
            "stream" | "brook" | "ditch" | "drain" => (5, 15.0),
            _ => return None,
        }
    };
    Some(Style {
        min_zoom,
        ..water_style(tier)
    })
}

/// How a place's name is set: cities and towns at every zoom the street map has,
/// villages from 12, hamlets and suburbs from 13, neighbourhoods from 14, smaller
/// places from 15; a larger population ranks first within a tier.
fn place(f: &FeatureRef<'_>) -> Option<Style> {
    let (tier, min_zoom) = match f.tag("place")? {
        "city" => (2, 0.0),
        "town" => (3, 0.0),
        "village" => (4, 12.0),
        "suburb" | "hamlet" => (5, 13.0),
        "quarter" | "neighbourhood" => (5, 14.0),
        "locality" | "isolated_dwelling" | "farm" | "square" => (5, 15.0),
        _ => return None,
    };
    let people = f
        .tag("population")
        .and_then(|p| p.trim().replace([',', ' '], "").parse::<f64>().ok())
        .unwrap_or(1.0)
        .max(1.0);
    Some(place_style(tier, 60.0 - 10.0 * people.log10(), min_zoom))
}

/// The largest ring of an area, for its label's interior point.
fn largest_ring(parts: &[Part]) -> Option<&Part> {
    let area = |p: &Part| {
        let mut a = 0.0f64;
        for w in p.windows(2) {
            a += f64::from(w[0][0]) * f64::from(w[1][1]) - f64::from(w[1][0]) * f64::from(w[0][1]);
        }
        a.abs()
    };
    parts
        .iter()
        .filter(|p| p.len() >= 3)
        .max_by(|a, b| area(a).total_cmp(&area(b)))
}

/// Where a feature's name may go in tile `t`: its lines clipped to the tile and margin,
/// or its point (a node, an area's interior point) when that lies in the tile itself
/// (so each point is labelled from one tile only).
fn shapes(f: &FeatureRef<'_>, t: TileAddr, as_line: bool) -> Vec<Shape> {
    let (_, to_tile) = streets::tile_frame(t, MARGIN);
    let n = f64::from(1u32 << t.z);
    let world = |p: [f64; 2]| [(f64::from(t.x) + p[0]) / n, (f64::from(t.y) + p[1]) / n];
    let parts = f.parts();
    if as_line {
        return streets::clip_lines(&parts, &to_tile, MARGIN)
            .into_iter()
            .map(|run| Shape::Line(run.into_iter().map(world).collect()))
            .collect();
    }
    let point = if f.is_area() {
        largest_ring(&parts).and_then(|ring| {
            let ls: LineString<f64> = ring
                .iter()
                .map(|p| {
                    let [x, y] = to_tile(p);
                    Coord { x, y }
                })
                .collect();
            Polygon::new(ls, Vec::new())
                .interior_point()
                .map(|p| [p.x(), p.y()])
        })
    } else {
        parts.first().and_then(|p| p.first()).map(&to_tile)
    };
    point
        .filter(|p| (0.0..1.0).contains(&p[0]) && (0.0..1.0).contains(&p[1]))
        .map(|p| vec![Shape::Point(world(p))])
        .unwrap_or_default()
}

/// The label candidates of label tile `t` of the extract's street map. Only names
/// shown at the zooms this tile serves are read: tiles of levels below
/// [`MAX_LEVEL`] serve their level and the next.
pub fn osm_candidates(streets: &OsmStreets, t: TileAddr) -> Vec<Candidate> {
    let (bbox, _) = streets::tile_frame(t, MARGIN);
    let deepest = if t.z >= MAX_LEVEL {
        f32::INFINITY
    } else {
        f32::from(t.z) + 1.0
    };
    let mut out = Vec::new();
    for f in streets.index().near_box(bbox) {
        let Some(name) = f.tag("name").map(str::trim).filter(|n| !n.is_empty()) else {
            continue;
        };
        let tag = |k: &str| f.tag(k);
        let (style, as_line) = if let Some(s) = place(&f) {
            (s, false)
        } else if let Some(s) = water(&f) {
            (s, !f.is_area())
        } else if let Some(Class::Road(class)) = style::classify_osm(tag, f.is_area()) {
            (road(class), true)
        } else {
            continue;
        };
        if style.min_zoom > deepest {
            continue;
        }
        for shape in shapes(&f, t, as_line) {
            out.push(style.candidate(name, shape));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osm::index::OsmIndex;
    use crate::vector::labels::types::Kind;
    use std::path::Path;
    use std::sync::Arc;

    #[test]
    fn the_vaduz_extract_gives_road_and_place_names_in_its_tile() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/real/osm/vaduz.osm.pbf");
        let index = OsmIndex::build_uncached(&path).unwrap();
        let streets = OsmStreets::new(Arc::new(index), &path);
        // The level-14 tile of Vaduz's centre (47.139, 9.524).
        let m = crate::vector::snapshot::mercator(47.139, 9.524);
        let t = TileAddr {
            z: 14,
            x: (m[0] * 16384.0) as u32,
            y: (m[1] * 16384.0) as u32,
        };
        let cs = osm_candidates(&streets, t);
        let roads: Vec<&Candidate> = cs.iter().filter(|c| c.kind == Kind::Road).collect();
        assert!(roads.len() > 10, "{} road names", roads.len());
        assert!(
            roads
                .iter()
                .all(|c| matches!(&c.shape, Shape::Line(l) if l.len() >= 2))
        );
        assert!(
            roads.iter().any(|c| c.text.ends_with("strasse")),
            "{:?}",
            roads.iter().map(|c| &c.text).collect::<Vec<_>>()
        );
        // Every line point lies within the tile and its margin.
        let n = 16384.0;
        for c in &roads {
            let Shape::Line(l) = &c.shape else { continue };
            for p in l {
                let (u, v) = (p[0] * n - f64::from(t.x), p[1] * n - f64::from(t.y));
                assert!((-1.0..2.0).contains(&u) && (-1.0..2.0).contains(&v));
            }
        }
    }
}
