//! An OpenStreetMap extract drawn as a street map from its index (#32), with no tile
//! build: each tile's features are read from the index ([`OsmIndex::near_box`]),
//! classified by their tags into the style's classes ([`style::classify_osm`]), clipped
//! to the tile and tessellated through the same mesh path as vector tiles
//! ([`mesh::mesh_of`]), so the street map and a vector basemap look alike.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPolygon, Polygon};
use image::RgbaImage;

use super::error::{TileAddr, VectorError};
use super::mesh::{self, Item, TileMesh};
use super::raster::{Placement, fill_mesh};
use super::snapshot::{TileSource, View, mercator, unmercator};
use super::style::{self, Schema, Theme};
use crate::osm::OsmType;
use crate::osm::feature::Part;
use crate::osm::index::OsmIndex;

/// The street map is drawn from this zoom on (a whole extract's features at lower
/// zooms would take too long to draw per tile).
pub const MIN_ZOOM: u8 = 12;
/// Deeper views draw this level enlarged, line widths still in pixels.
pub const MAX_LEVEL: u8 = 20;
/// How far past its edges a tile takes features, as a fraction of the tile: wide
/// lines and casings of roads just outside still show.
const MARGIN: f64 = 0.08;

/// An extract's index, ready to draw.
pub struct OsmStreets {
    index: Arc<OsmIndex>,
    path: PathBuf,
    has_roads: bool,
}

impl OsmStreets {
    /// The street map of `index`, the index of the extract at `path`.
    pub fn new(index: Arc<OsmIndex>, path: &Path) -> OsmStreets {
        let has_roads = index
            .features()
            .any(|f| f.osm_type() == OsmType::Way && !f.is_area() && f.tag("highway").is_some());
        OsmStreets {
            index,
            path: path.to_owned(),
            has_roads,
        }
    }

    /// The extract's index (its names are the street map's labels, `labels::osm`).
    pub fn index(&self) -> &OsmIndex {
        &self.index
    }

    /// Whether the extract has any road (way with a `highway` tag).
    pub fn has_roads(&self) -> bool {
        self.has_roads
    }

    /// The note shown beside a street map of an extract with no roads.
    pub fn no_roads_note(&self) -> Option<String> {
        (!self.has_roads).then(|| {
            format!(
                "{}: the extract has no roads (no way tagged highway); the street map shows only what it has",
                self.path.display()
            )
        })
    }

    /// Tile `t` styled for display at `zoom`, the tile spanning `px_per_tile` pixels.
    pub fn tile_mesh(
        &self,
        t: TileAddr,
        theme: Theme,
        zoom: f32,
        px_per_tile: f32,
    ) -> Result<TileMesh, VectorError> {
        let (bbox, to_tile) = tile_frame(t, MARGIN);
        let mut items: Vec<Item> = Vec::new();
        let mut seq = 0u32;
        for f in self.index.near_box(bbox) {
            let area = f.is_area();
            let Some(class) = style::classify_osm(|k| f.tag(k), area) else {
                continue;
            };
            let Some(paint) = style::paint(class, theme, zoom) else {
                continue;
            };
            let parts = f.parts();
            let Some(geometry) = clipped(&parts, area, &to_tile) else {
                continue;
            };
            seq = (seq + 1) & 0xF_FFFF;
            mesh::push_items(&mut items, geometry, paint, seq);
        }
        mesh::mesh_of(items, None, px_per_tile).map_err(|e| VectorError::Tile {
            path: self.path.clone(),
            tile: t,
            reason: e.to_string(),
        })
    }
}

/// The parts in tile units, clipped to the tile and its margin; `None` when nothing is
/// left. Rings are clipped as polygons (Sutherland–Hodgman; all rings of a feature go in
/// one even-odd fill, so holes stay holes), lines keep the runs of segments that meet
/// the box.
fn clipped(
    parts: &[Part],
    area: bool,
    to_tile: &dyn Fn(&[i32; 2]) -> [f64; 2],
) -> Option<Geometry<f32>> {
    let (lo, hi) = (-MARGIN, 1.0 + MARGIN);
    let coord = |p: [f64; 2]| Coord {
        x: p[0] as f32,
        y: p[1] as f32,
    };
    if area {
        let mut polys = Vec::new();
        for part in parts.iter().filter(|p| p.len() >= 3) {
            let ring: Vec<[f64; 2]> = part.iter().map(to_tile).collect();
            let ring = clip_ring(ring, lo, hi);
            if ring.len() >= 3 {
                let ls = LineString(ring.into_iter().map(coord).collect());
                polys.push(Polygon::new(ls, Vec::new()));
            }
        }
        return (!polys.is_empty()).then_some(Geometry::MultiPolygon(MultiPolygon(polys)));
    }
    let lines: Vec<LineString<f32>> = clip_lines(parts, to_tile, MARGIN)
        .into_iter()
        .map(|run| LineString(run.into_iter().map(coord).collect()))
        .collect();
    (!lines.is_empty()).then_some(Geometry::MultiLineString(MultiLineString(lines)))
}

/// The runs of the lines' segments (in tile units) that meet the tile grown by
/// `margin` on each side: what a tile draws of a line, and where its name may go.
pub fn clip_lines(
    parts: &[Part],
    to_tile: &dyn Fn(&[i32; 2]) -> [f64; 2],
    margin: f64,
) -> Vec<Vec<[f64; 2]>> {
    let (lo, hi) = (-margin, 1.0 + margin);
    let inside = |a: [f64; 2], b: [f64; 2]| {
        a[0].min(b[0]) <= hi && a[0].max(b[0]) >= lo && a[1].min(b[1]) <= hi && a[1].max(b[1]) >= lo
    };
    let mut lines = Vec::new();
    for part in parts.iter().filter(|p| p.len() >= 2) {
        let pts: Vec<[f64; 2]> = part.iter().map(to_tile).collect();
        let mut run: Vec<[f64; 2]> = Vec::new();
        for w in pts.windows(2) {
            if inside(w[0], w[1]) {
                if run.is_empty() {
                    run.push(w[0]);
                }
                run.push(w[1]);
            } else if run.len() >= 2 {
                lines.push(std::mem::take(&mut run));
            } else {
                run.clear();
            }
        }
        if run.len() >= 2 {
            lines.push(run);
        }
    }
    lines
}

/// The box (west, south, east, north, degrees) of tile `t` grown by `margin` tiles, and
/// the map from a point of the extract (1e-7 degrees, longitude first) to tile units.
pub fn tile_frame(t: TileAddr, margin: f64) -> ([f64; 4], impl Fn(&[i32; 2]) -> [f64; 2]) {
    let n = f64::from(1u32 << t.z);
    let (x0, y0) = (f64::from(t.x) - margin, f64::from(t.y) - margin);
    let (x1, y1) = (f64::from(t.x) + 1.0 + margin, f64::from(t.y) + 1.0 + margin);
    let nw = unmercator(x0 / n, y0 / n);
    let se = unmercator(x1 / n, y1 / n);
    let (tx, ty) = (f64::from(t.x), f64::from(t.y));
    let to_tile = move |p: &[i32; 2]| {
        let m = mercator(f64::from(p[1]) * 1e-7, f64::from(p[0]) * 1e-7);
        [m[0] * n - tx, m[1] * n - ty]
    };
    ([nw[1], se[0], se[1], nw[0]], to_tile)
}

/// A ring clipped to the square `lo..hi` on both axes (Sutherland–Hodgman).
fn clip_ring(mut ring: Vec<[f64; 2]>, lo: f64, hi: f64) -> Vec<[f64; 2]> {
    // Each edge of the square: the axis, the bound, and whether inside is below it.
    for (axis, bound, below) in [(0, lo, false), (0, hi, true), (1, lo, false), (1, hi, true)] {
        if ring.is_empty() {
            break;
        }
        let inside = |p: &[f64; 2]| {
            if below {
                p[axis] <= bound
            } else {
                p[axis] >= bound
            }
        };
        let cut = |a: &[f64; 2], b: &[f64; 2]| {
            let t = (bound - a[axis]) / (b[axis] - a[axis]);
            [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
        };
        let mut out = Vec::with_capacity(ring.len() + 4);
        for i in 0..ring.len() {
            let (a, b) = (&ring[(i + ring.len() - 1) % ring.len()], &ring[i]);
            match (inside(a), inside(b)) {
                (true, true) => out.push(*b),
                (true, false) => out.push(cut(a, b)),
                (false, true) => {
                    out.push(cut(a, b));
                    out.push(*b);
                }
                (false, false) => {}
            }
        }
        ring = out;
    }
    ring
}

impl TileSource for OsmStreets {
    fn path(&self) -> &Path {
        &self.path
    }
    fn level_for(&self, zoom: f64) -> Option<u8> {
        (zoom >= f64::from(MIN_ZOOM)).then(|| (zoom.floor() as u8).min(MAX_LEVEL))
    }
    fn draw(
        &self,
        addr: TileAddr,
        view: &View,
        at: Placement,
        image: &mut RgbaImage,
    ) -> Result<Option<Option<Schema>>, VectorError> {
        let tm = self.tile_mesh(addr, view.theme, view.zoom as f32, at.scale as f32)?;
        fill_mesh(image, &tm.mesh, at);
        Ok(Some(None))
    }
    fn notes(&self, zoom: f64) -> Vec<String> {
        let mut notes: Vec<String> = self.no_roads_note().into_iter().collect();
        if zoom < f64::from(MIN_ZOOM) {
            notes.push(format!(
                "the street map of an OSM extract is drawn from zoom {MIN_ZOOM}; zoom in to see it"
            ));
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_is_clipped_to_the_square_and_one_inside_is_kept() {
        let inside = vec![[0.2, 0.2], [0.8, 0.2], [0.5, 0.8]];
        assert_eq!(clip_ring(inside.clone(), 0.0, 1.0), inside);
        let big = vec![[-1.0, -1.0], [2.0, -1.0], [2.0, 2.0], [-1.0, 2.0]];
        let c = clip_ring(big, 0.0, 1.0);
        assert!(
            c.iter()
                .all(|p| (0.0..=1.0).contains(&p[0]) && (0.0..=1.0).contains(&p[1]))
        );
        let outside = vec![[2.0, 2.0], [3.0, 2.0], [3.0, 3.0]];
        assert!(clip_ring(outside, 0.0, 1.0).is_empty());
    }

    #[test]
    fn an_extract_without_roads_is_told_apart() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/real/osm");
        let open = |name: &str| {
            let path = dir.join(name);
            let index = OsmIndex::build_uncached(&path).unwrap();
            OsmStreets::new(Arc::new(index), &path)
        };
        assert!(open("vaduz.osm.pbf").has_roads());
        let none = open("vaduz-no-roads.osm.pbf");
        assert!(!none.has_roads());
        assert!(
            none.no_roads_note()
                .unwrap()
                .ends_with("the street map shows only what it has")
        );
    }

    #[test]
    fn osm_tags_take_the_style_classes() {
        use style::{Class, Road, classify_osm};
        let tags = |kv: &'static [(&'static str, &'static str)]| {
            move |k: &str| kv.iter().find(|(a, _)| *a == k).map(|(_, v)| *v)
        };
        assert_eq!(
            classify_osm(tags(&[("highway", "primary_link")]), false),
            Some(Class::Road(Road::Major))
        );
        assert_eq!(classify_osm(tags(&[("highway", "proposed")]), false), None);
        assert_eq!(
            classify_osm(tags(&[("building", "yes"), ("landuse", "retail")]), true),
            Some(Class::Building)
        );
        assert_eq!(
            classify_osm(tags(&[("natural", "water")]), true),
            Some(Class::Water)
        );
        assert_eq!(
            classify_osm(tags(&[("landuse", "forest")]), true),
            Some(Class::Wood)
        );
        assert_eq!(classify_osm(tags(&[("amenity", "bench")]), false), None);
    }
}
