//! Label candidates read from a vector tile: place names (Protomaps `places`,
//! OpenMapTiles `place`), road names (`roads`, `transportation_name`) and water names
//! (`water`, `physical_line`, `water_name`, `waterway`), each with its text, kind, rank
//! and where it sits, in world Web Mercator units (0..1, y down) so candidates of
//! different tiles and zooms meet in one view.

use std::collections::HashMap;

use geo::{Geometry, InteriorPoint, LineString};
use mvt_reader::feature::Value;

use super::types::{Candidate, Kind, Shape};
use crate::vector::error::{DecodeError, TileAddr};
use crate::vector::style::Schema;

type Props = HashMap<String, Value>;

fn text<'a>(p: &'a Props, key: &str) -> &'a str {
    match p.get(key) {
        Some(Value::String(s)) => s,
        _ => "",
    }
}

fn number(p: &Props, key: &str) -> Option<f64> {
    Some(match p.get(key)? {
        Value::Float(v) => f64::from(*v),
        Value::Double(v) => *v,
        Value::Int(v) | Value::SInt(v) => *v as f64,
        Value::UInt(v) => *v as f64,
        _ => return None,
    })
}

/// How a label of a known layer is set: kind, rank (smaller first), text size, bold,
/// and the zoom it starts at.
pub(super) struct Style {
    pub kind: Kind,
    pub rank: f32,
    pub px: f32,
    pub bold: bool,
    pub min_zoom: f32,
}

impl Style {
    /// A candidate of this style.
    pub fn candidate(&self, text: &str, shape: Shape) -> Candidate {
        Candidate {
            text: text.to_owned(),
            kind: self.kind,
            rank: self.rank,
            px: self.px,
            bold: self.bold,
            min_zoom: self.min_zoom,
            shape,
        }
    }
}

pub(super) fn place_style(tier: u8, tie: f64, min_zoom: f32) -> Style {
    let (px, bold) = match tier {
        0 => (15.0, true),
        1 => (13.0, false),
        2 => (15.0, true),
        3 => (13.0, true),
        4 => (12.0, false),
        _ => (11.0, false),
    };
    Style {
        kind: Kind::Place,
        rank: f32::from(tier) * 100.0 + tie.clamp(0.0, 99.0) as f32,
        px,
        bold,
        min_zoom,
    }
}

pub(super) fn road_style(tier: u8) -> Style {
    Style {
        kind: Kind::Road,
        rank: f32::from(tier),
        px: 11.0,
        bold: false,
        min_zoom: 0.0,
    }
}

pub(super) fn water_style(tier: u8) -> Style {
    Style {
        kind: Kind::Water,
        rank: f32::from(tier),
        px: if tier < 3 { 12.0 } else { 11.0 },
        bold: false,
        min_zoom: 0.0,
    }
}

fn protomaps(layer: &str, p: &Props) -> Option<Style> {
    let kind = match text(p, "kind") {
        "" => text(p, "pmap:kind"),
        k => k,
    };
    let min_zoom = number(p, "min_zoom")
        .or_else(|| number(p, "pmap:min_zoom"))
        .unwrap_or(0.0) as f32;
    Some(match layer {
        "places" => {
            let pop = number(p, "population_rank")
                .or_else(|| number(p, "pmap:population_rank"))
                .unwrap_or(0.0);
            let tier = match kind {
                "country" => 0,
                "region" => 1,
                "locality" if pop >= 10.0 => 2,
                "locality" if pop >= 7.0 => 3,
                "locality" => 4,
                _ => 5,
            };
            place_style(tier, 20.0 - pop, min_zoom)
        }
        "roads" => road_style(match kind {
            "highway" => 0,
            "major_road" => 1,
            "minor_road" => 2,
            "path" => 4,
            _ => 3,
        }),
        "water" | "physical_line" | "physical_point" => water_style(match kind {
            "ocean" => 0,
            "sea" | "bay" | "strait" => 1,
            "lake" | "water" | "reservoir" => 2,
            "river" => 3,
            "canal" => 4,
            _ => 5,
        }),
        _ => return None,
    })
}

fn openmaptiles(layer: &str, p: &Props) -> Option<Style> {
    let class = text(p, "class");
    Some(match layer {
        "place" => {
            let tier = match class {
                "continent" | "country" => 0,
                "state" | "province" => 1,
                "city" => 2,
                "town" => 3,
                "village" => 4,
                _ => 5,
            };
            place_style(tier, number(p, "rank").unwrap_or(20.0), 0.0)
        }
        "transportation_name" => road_style(match class {
            "motorway" | "trunk" => 0,
            "primary" | "secondary" | "tertiary" => 1,
            "minor" | "residential" | "unclassified" => 2,
            "path" | "track" | "footway" | "cycleway" => 4,
            _ => 3,
        }),
        "water_name" | "waterway" => water_style(match class {
            "ocean" => 0,
            "sea" | "bay" | "strait" => 1,
            "lake" => 2,
            "river" => 3,
            "canal" => 4,
            _ => 5,
        }),
        _ => return None,
    })
}

/// The label candidates of one decompressed Mapbox Vector Tile at `tile`. Features
/// without a `name`, or of layers that carry no labels, give none.
pub fn tile_candidates(bytes: &[u8], tile: TileAddr) -> Result<Vec<Candidate>, DecodeError> {
    let reader =
        mvt_reader::Reader::new(bytes.to_vec()).map_err(|e| DecodeError::Mvt(e.to_string()))?;
    let layers = reader
        .get_layer_metadata()
        .map_err(|e| DecodeError::Mvt(e.to_string()))?;
    let schema = Schema::detect(layers.iter().map(|l| l.name.as_str()));
    let n = f64::from(1u32 << tile.z);
    let mut out = Vec::new();
    for layer in &layers {
        let named = match schema {
            Schema::Protomaps => [
                "places",
                "roads",
                "water",
                "physical_line",
                "physical_point",
            ]
            .contains(&layer.name.as_str()),
            Schema::OpenMapTiles => ["place", "transportation_name", "water_name", "waterway"]
                .contains(&layer.name.as_str()),
            Schema::Generic => false,
        };
        if !named {
            continue;
        }
        let features = reader
            .get_features(layer.layer_index)
            .map_err(|e| DecodeError::Layer {
                layer: layer.name.clone(),
                reason: e.to_string(),
            })?;
        let scale = 1.0 / f64::from(layer.extent.max(1));
        let world = |x: f32, y: f32| {
            [
                (f64::from(tile.x) + f64::from(x) * scale) / n,
                (f64::from(tile.y) + f64::from(y) * scale) / n,
            ]
        };
        for f in features {
            let Some(props) = f.properties.as_ref() else {
                continue;
            };
            let name = text(props, "name").trim();
            if name.is_empty() {
                continue;
            }
            let style = match schema {
                Schema::Protomaps => protomaps(&layer.name, props),
                _ => openmaptiles(&layer.name, props),
            };
            let Some(style) = style else { continue };
            for shape in shapes(&f.geometry, &world) {
                out.push(style.candidate(name, shape));
            }
        }
    }
    Ok(out)
}

/// Where a feature's label may go: a point (points, and areas at an interior point) or
/// each of its lines.
fn shapes(g: &Geometry<f32>, world: &dyn Fn(f32, f32) -> [f64; 2]) -> Vec<Shape> {
    let line = |l: &LineString<f32>| Shape::Line(l.0.iter().map(|c| world(c.x, c.y)).collect());
    match g {
        Geometry::Point(p) => vec![Shape::Point(world(p.x(), p.y()))],
        Geometry::MultiPoint(m) => {
            m.0.iter()
                .map(|p| Shape::Point(world(p.x(), p.y())))
                .collect()
        }
        Geometry::LineString(l) => vec![line(l)],
        Geometry::MultiLineString(m) => m.0.iter().map(line).collect(),
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => g
            .interior_point()
            .map(|p| vec![Shape::Point(world(p.x(), p.y()))])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile_with(layer: &str, tags: &[(&str, &str)], rank: Option<u64>, line: bool) -> Vec<u8> {
        let mut tile = mvt::Tile::new(4096);
        let kind = if line {
            mvt::GeomType::Linestring
        } else {
            mvt::GeomType::Point
        };
        let mut enc = mvt::GeomEncoder::new(kind);
        enc.add_point(1024.0, 2048.0).unwrap();
        if line {
            enc.add_point(3072.0, 2048.0).unwrap();
        }
        let mut f = tile.create_layer(layer).into_feature(enc.encode().unwrap());
        for (k, v) in tags {
            f.add_tag_string(k, v);
        }
        if let Some(r) = rank {
            f.add_tag_uint("rank", r);
        }
        tile.add_layer(f.into_layer()).unwrap();
        // A layer only OpenMapTiles has, so the schema is told.
        let mut enc = mvt::GeomEncoder::new(mvt::GeomType::Linestring);
        enc.add_point(0.0, 0.0).unwrap();
        enc.add_point(10.0, 10.0).unwrap();
        let road = tile
            .create_layer("transportation")
            .into_feature(enc.encode().unwrap());
        tile.add_layer(road.into_layer()).unwrap();
        tile.to_bytes().unwrap()
    }

    #[test]
    fn openmaptiles_places_and_road_names_become_candidates_in_world_units() {
        let t = TileAddr { z: 1, x: 1, y: 0 };
        let bytes = tile_with(
            "place",
            &[("class", "city"), ("name", "Київ")],
            Some(2),
            false,
        );
        let cs = tile_candidates(&bytes, t).unwrap();
        assert_eq!(cs.len(), 1);
        assert_eq!((cs[0].kind, cs[0].text.as_str()), (Kind::Place, "Київ"));
        assert!(cs[0].bold && cs[0].rank == 202.0);
        // (1 + 1024/4096) / 2 across, (0 + 2048/4096) / 2 down.
        assert_eq!(cs[0].shape, Shape::Point([0.625, 0.25]));
        let bytes = tile_with(
            "transportation_name",
            &[("class", "primary"), ("name", "A")],
            None,
            true,
        );
        let cs = tile_candidates(&bytes, t).unwrap();
        assert_eq!(cs[0].kind, Kind::Road);
        assert!(matches!(&cs[0].shape, Shape::Line(l) if l.len() == 2));
        let unnamed = tile_with("place", &[("class", "town")], None, false);
        assert!(tile_candidates(&unnamed, t).unwrap().is_empty());
    }

    #[test]
    fn a_corrupt_tile_is_an_error_not_a_panic() {
        let t = TileAddr { z: 0, x: 0, y: 0 };
        assert!(tile_candidates(b"\x1a\xff\xff\xff", t).is_err());
    }
}
