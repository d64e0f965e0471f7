//! A feature's geometry as the index builds and reads it: parts in 1e-7 degrees, and
//! the bounds and representative point every backend computes the same way. A leaf
//! module, so the index and its packed arrays both stand on it.

use super::OsmType;

/// A geometry part: a point (one vertex), a line or a ring, in 1e-7 degrees
/// (longitude, latitude), as OSM stores them.
pub type Part = Vec<[i32; 2]>;

/// A feature as the build assembles it, before it is packed.
#[derive(Debug, Clone)]
pub struct Feature {
    pub osm_type: OsmType,
    pub id: i64,
    /// Indices into the build's string table.
    pub tags: Vec<(u32, u32)>,
    pub parts: Vec<Part>,
    /// A closed way that is an area (or a multipolygon): distances from inside are zero.
    pub area: bool,
}

/// Degrees from 1e-7 degrees.
pub fn degrees(v: [i32; 2]) -> [f64; 2] {
    [f64::from(v[0]) * 1e-7, f64::from(v[1]) * 1e-7]
}

/// Bounding box (west, south, east, north) of parts, in degrees.
pub fn bounds_of(parts: &[Part]) -> [f64; 4] {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for p in parts.iter().flatten() {
        let [x, y] = degrees(*p);
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    }
    b
}

/// A point on the parts: the vertex nearest the middle of their vertices.
pub fn representative_of(parts: &[Part]) -> [f64; 2] {
    let all: Vec<[f64; 2]> = parts.iter().flatten().map(|p| degrees(*p)).collect();
    let n = all.len().max(1) as f64;
    let mid = all
        .iter()
        .fold([0.0, 0.0], |a, p| [a[0] + p[0] / n, a[1] + p[1] / n]);
    all.iter()
        .copied()
        .min_by(|a, b| {
            let da = (a[0] - mid[0]).powi(2) + (a[1] - mid[1]).powi(2);
            let db = (b[0] - mid[0]).powi(2) + (b[1] - mid[1]).powi(2);
            da.total_cmp(&db)
        })
        .unwrap_or(mid)
}

/// Tags that say nothing about what a feature is: editing notes, sources and import
/// bookkeeping (osm2pgsql's default style drops the same, so both backends see the same
/// tags).
const IGNORED_KEYS: &[&str] = &[
    "created_by",
    "source",
    "source_ref",
    "note",
    "fixme",
    "FIXME",
    "attribution",
    "comment",
    "odbl",
    "odbl:note",
];
const IGNORED_PREFIXES: &[&str] = &[
    "note:", "source:", "tiger:", "NHD:", "nhd:", "gnis:", "geobase:", "KSJ2:", "yh:",
];

/// Whether a tag is one of those that say nothing about what a feature is.
pub fn ignored_key(key: &str) -> bool {
    IGNORED_KEYS.contains(&key) || IGNORED_PREFIXES.iter().any(|p| key.starts_with(p))
}
