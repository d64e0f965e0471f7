//! Countries and international borders from Natural Earth 1:10m (bundled): the country
//! at a point, and the shortest distance from a point to a border.
//!
//! Land borders are the polygon edges two countries share (Natural Earth's polygons are
//! topologically clean, so shared edges have identical vertices); edges owned by one
//! country are coastline.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use geo::{BoundingRect, Contains, Coord, MultiPolygon, Rect};
use serde::Serialize;

use super::{LatLon, geodesic::distance_m};

#[derive(Debug, Clone, Serialize)]
pub struct Country {
    pub name_en: String,
    pub name_ru: String,
    pub name_ar: String,
    pub name_fa: String,
    pub iso_a2: String,
    pub iso_a3: String,
    #[serde(skip)]
    pub shape: MultiPolygon<f64>,
    #[serde(skip)]
    bbox: Option<Rect<f64>>,
}

/// A simplified ring for drawing.
#[derive(Debug, Clone)]
pub struct Outline {
    pub points: Vec<LatLon>,
    pub bbox: Rect<f64>,
}

/// One polygon edge, with the countries on either side (`right` is `None` on a coast).
#[derive(Debug, Clone, Copy)]
struct Edge {
    a: Coord<f64>,
    b: Coord<f64>,
    left: u16,
    right: Option<u16>,
    /// Endpoints as unit vectors, for a latitude-independent first ranking.
    va: [f64; 3],
    vb: [f64; 3],
}

/// The nearest point of a border to a query point.
#[derive(Debug, Clone, Serialize)]
pub struct BorderHit {
    pub distance_m: f64,
    pub nearest: LatLon,
    /// The countries the border separates there (one name: a coastline).
    pub between: Vec<String>,
    pub between_iso3: Vec<String>,
}

/// What "border" means for a query.
#[derive(Debug, Clone, Copy)]
pub enum BorderFilter {
    /// Any land border between two countries.
    International,
    /// The whole boundary of one country (its land borders and its coast).
    Country(usize),
}

pub struct Borders {
    countries: Vec<Country>,
    edges: Vec<Edge>,
}

#[derive(Debug, thiserror::Error)]
pub enum BordersError {
    #[error("bundled Natural Earth data is unreadable: {0}")]
    Data(String),
}

impl Borders {
    /// The bundled dataset, parsed once per process (about 0.3 s in a release build).
    pub fn bundled() -> Result<&'static Borders, BordersError> {
        static CELL: OnceLock<Result<Borders, String>> = OnceLock::new();
        // Natural Earth 5.1.1 admin-0 countries, public domain, shipped in the binary.
        CELL.get_or_init(|| {
            crate::assets::read(crate::assets::path::BORDERS)
                .map_err(|e| e.to_string())
                .and_then(|gz| Borders::from_gzip(&gz).map_err(|e| e.to_string()))
        })
        .as_ref()
        .map_err(|e| BordersError::Data(e.clone()))
    }

    pub fn from_gzip(bytes: &[u8]) -> Result<Borders, BordersError> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .map_err(|e| BordersError::Data(e.to_string()))?;
        Self::from_geojson(&text)
    }

    pub fn from_geojson(text: &str) -> Result<Borders, BordersError> {
        let collection: geojson::FeatureCollection = text
            .parse()
            .map_err(|e: geojson::Error| BordersError::Data(e.to_string()))?;
        let mut countries = Vec::new();
        for feature in collection.features {
            let prop = |key: &str| {
                feature
                    .properties
                    .as_ref()
                    .and_then(|p| p.get(key))
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let Some(geometry) = feature.geometry.as_ref() else {
                continue;
            };
            let shape: MultiPolygon<f64> = match geo::Geometry::<f64>::try_from(geometry) {
                Ok(geo::Geometry::MultiPolygon(mp)) => mp,
                Ok(geo::Geometry::Polygon(p)) => MultiPolygon::new(vec![p]),
                Ok(_) | Err(_) => continue,
            };
            countries.push(Country {
                name_en: prop("NAME_EN"),
                name_ru: prop("NAME_RU"),
                name_ar: prop("NAME_AR"),
                name_fa: prop("NAME_FA"),
                iso_a2: prop("ISO_A2"),
                iso_a3: prop("ISO_A3"),
                bbox: shape.bounding_rect(),
                shape,
            });
        }
        if countries.is_empty() || countries.len() > usize::from(u16::MAX) {
            return Err(BordersError::Data(format!("{} countries", countries.len())));
        }
        let edges = shared_edges(&countries);
        Ok(Borders { countries, edges })
    }

    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    /// Finds a country by ISO 3166 alpha-3 (or alpha-2) code, case-insensitively.
    pub fn country_index(&self, code: &str) -> Option<usize> {
        self.countries.iter().position(|c| {
            c.iso_a3.eq_ignore_ascii_case(code) || c.iso_a2.eq_ignore_ascii_case(code)
        })
    }

    /// Country outlines simplified to `tolerance_deg` (Douglas–Peucker), for drawing at
    /// a given scale: one polyline per ring, with its bounding box for culling.
    pub fn outlines(&self, tolerance_deg: f64) -> Vec<Outline> {
        use geo::Simplify;
        let mut out = Vec::new();
        for country in &self.countries {
            for polygon in &country.shape {
                for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                    let simple = if tolerance_deg > 0.0 {
                        ring.simplify(tolerance_deg)
                    } else {
                        ring.clone()
                    };
                    if simple.0.len() < 3 {
                        continue;
                    }
                    if let Some(bbox) = simple.bounding_rect() {
                        out.push(Outline {
                            points: simple
                                .0
                                .iter()
                                .map(|c| LatLon { lat: c.y, lon: c.x })
                                .collect(),
                            bbox,
                        });
                    }
                }
            }
        }
        out
    }

    /// A point inside each country's largest polygon, for its name label.
    pub fn label_points(&self) -> Vec<(usize, LatLon)> {
        use geo::{Area, InteriorPoint};
        self.countries
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let largest = c
                    .shape
                    .iter()
                    .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
                let p = largest.interior_point()?;
                Some((
                    i,
                    LatLon {
                        lat: p.y(),
                        lon: p.x(),
                    },
                ))
            })
            .collect()
    }

    /// The country containing `point` (`None` at sea or in Antarctica's gaps).
    pub fn country_at(&self, point: LatLon) -> Option<&Country> {
        let p = point.to_point();
        self.countries.iter().find(|c| {
            c.bbox.is_some_and(|b| {
                b.min().x <= p.x() && p.x() <= b.max().x && b.min().y <= p.y() && p.y() <= b.max().y
            }) && c.shape.contains(&p)
        })
    }

    /// The nearest point of a border, by geodesic distance on WGS84.
    pub fn nearest_border(&self, point: LatLon, filter: BorderFilter) -> Option<BorderHit> {
        let q = unit_vector(point.lat, point.lon);
        let wanted = |e: &Edge| match filter {
            BorderFilter::International => e.right.is_some(),
            BorderFilter::Country(i) => {
                usize::from(e.left) == i || e.right.is_some_and(|r| usize::from(r) == i)
            }
        };
        // Rank by chord distance to the 3-D segment, then refine the best few exactly.
        let mut ranked: Vec<(f64, usize)> = self
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| wanted(e))
            .map(|(i, e)| (chord_distance_sq(q, e.va, e.vb), i))
            .collect();
        let keep = ranked.len().min(24);
        if keep == 0 {
            return None;
        }
        ranked.select_nth_unstable_by(keep - 1, |a, b| a.0.total_cmp(&b.0));
        ranked.truncate(keep);
        let best = ranked
            .iter()
            .map(|&(_, i)| {
                let (d, p) = nearest_on_edge(point, &self.edges[i]);
                (d, p, i)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))?;
        let edge = &self.edges[best.2];
        let mut sides = vec![usize::from(edge.left)];
        sides.extend(edge.right.map(usize::from));
        Some(BorderHit {
            distance_m: best.0,
            nearest: best.1,
            between: sides
                .iter()
                .map(|&i| self.countries[i].name_en.clone())
                .collect(),
            between_iso3: sides
                .iter()
                .map(|&i| self.countries[i].iso_a3.clone())
                .collect(),
        })
    }
}

/// A vertex quantised to the data's 1e-5° grid.
type VertexKey = (i64, i64);

/// Every distinct polygon edge with the countries that own it.
fn shared_edges(countries: &[Country]) -> Vec<Edge> {
    // Natural Earth coordinates are rounded to 1e-5°; quantising makes shared vertices
    // compare equal whatever their float noise.
    let key = |c: Coord<f64>| ((c.x * 1e5).round() as i64, (c.y * 1e5).round() as i64);
    let mut owners: HashMap<(VertexKey, VertexKey), usize> = HashMap::new();
    let mut edges: Vec<Edge> = Vec::new();
    for (index, country) in countries.iter().enumerate() {
        let index = index as u16;
        for polygon in &country.shape {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                for line in ring.lines() {
                    let (ka, kb) = (key(line.start), key(line.end));
                    if ka == kb {
                        continue;
                    }
                    let k = if ka < kb { (ka, kb) } else { (kb, ka) };
                    match owners.get(&k) {
                        Some(&e) if edges[e].left != index && edges[e].right.is_none() => {
                            edges[e].right = Some(index);
                        }
                        Some(_) => {}
                        None => {
                            owners.insert(k, edges.len());
                            edges.push(Edge {
                                a: line.start,
                                b: line.end,
                                left: index,
                                right: None,
                                va: unit_vector(line.start.y, line.start.x),
                                vb: unit_vector(line.end.y, line.end.x),
                            });
                        }
                    }
                }
            }
        }
    }
    edges
}

fn unit_vector(lat: f64, lon: f64) -> [f64; 3] {
    let (lat, lon) = (lat.to_radians(), lon.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

fn chord_distance_sq(q: [f64; 3], a: [f64; 3], b: [f64; 3]) -> f64 {
    let ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let aq = [q[0] - a[0], q[1] - a[1], q[2] - a[2]];
    let len_sq = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
    let t = if len_sq > 0.0 {
        ((aq[0] * ab[0] + aq[1] * ab[1] + aq[2] * ab[2]) / len_sq).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let d = [aq[0] - t * ab[0], aq[1] - t * ab[1], aq[2] - t * ab[2]];
    d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
}

/// The point of an edge (straight in longitude/latitude, as the data draws it) nearest
/// to `point` by geodesic distance: golden-section search, to well under a millimetre
/// of parameter for 10m-scale edges.
fn nearest_on_edge(point: LatLon, edge: &Edge) -> (f64, LatLon) {
    let at = |t: f64| LatLon {
        lat: edge.a.y + t * (edge.b.y - edge.a.y),
        lon: edge.a.x + t * (edge.b.x - edge.a.x),
    };
    let f = |t: f64| distance_m(point, at(t));
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut x1 = hi - ratio * (hi - lo);
    let mut x2 = lo + ratio * (hi - lo);
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..60 {
        if f1 < f2 {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - ratio * (hi - lo);
            f1 = f(x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + ratio * (hi - lo);
            f2 = f(x2);
        }
    }
    // The distance along a short edge is unimodal; still compare with the endpoints.
    [
        (f(0.0), 0.0),
        (f(1.0), 1.0),
        (f((lo + hi) / 2.0), (lo + hi) / 2.0),
    ]
    .into_iter()
    .min_by(|a, b| a.0.total_cmp(&b.0))
    .map(|(d, t)| (d, at(t)))
    .unwrap_or((f(0.0), at(0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn borders() -> &'static Borders {
        Borders::bundled().expect("bundled data")
    }

    #[test]
    fn country_at_known_points() {
        let at = |lat, lon| {
            borders()
                .country_at(LatLon::new(lat, lon).unwrap())
                .map(|c| c.iso_a3.clone())
        };
        assert_eq!(at(53.079839, 34.554344).as_deref(), Some("RUS"));
        assert_eq!(at(50.4501, 30.5234).as_deref(), Some("UKR"));
        assert_eq!(at(-33.86882, 151.20929).as_deref(), Some("AUS"));
        assert_eq!(at(0.0, -30.0), None); // mid-Atlantic
    }

    #[test]
    fn arrest_site_is_about_100_km_from_ukraine() {
        let b = borders();
        let p = LatLon::new(53.079839, 34.554344).unwrap();
        let ukr = b.country_index("UKR").unwrap();
        let hit = b.nearest_border(p, BorderFilter::Country(ukr)).unwrap();
        assert!(hit.between_iso3.contains(&"UKR".to_owned()), "{hit:?}");
        assert!(hit.between_iso3.contains(&"RUS".to_owned()), "{hit:?}");
        // The nearest border point really is that far: check against the geodesic.
        let d = distance_m(p, hit.nearest);
        assert!((d - hit.distance_m).abs() < 1e-6);
        // Independent check (Python GeographicLib, brute force over points every 1/20 of
        // each Ukrainian boundary edge): 95 306.85 m at 52.35461, 33.80407.
        assert!(
            (hit.distance_m - 95_306.85).abs() < 5.0,
            "{}",
            hit.distance_m
        );
        assert!(
            (hit.nearest.lat - 52.35461).abs() < 1e-3 && (hit.nearest.lon - 33.80407).abs() < 1e-3
        );
        // Nearest international border of any kind is at most that distance.
        let any = b.nearest_border(p, BorderFilter::International).unwrap();
        assert!(any.distance_m <= hit.distance_m + 1e-6);
    }

    #[test]
    fn nearest_border_is_no_farther_than_any_border_vertex() {
        // Brute force over every vertex of the Russia–Ukraine border: none may be closer
        // than the reported nearest point.
        let b = borders();
        let p = LatLon::new(51.5, 36.0).unwrap();
        let rus = b.country_index("RUS").unwrap() as u16;
        let ukr = b.country_index("UKR").unwrap() as u16;
        let hit = b
            .nearest_border(p, BorderFilter::Country(usize::from(ukr)))
            .unwrap();
        let brute = b
            .edges
            .iter()
            .filter(|e| {
                (e.left == rus && e.right == Some(ukr)) || (e.left == ukr && e.right == Some(rus))
            })
            .flat_map(|e| [e.a, e.b])
            .map(|c| distance_m(p, LatLon { lat: c.y, lon: c.x }))
            .fold(f64::INFINITY, f64::min);
        assert!(
            hit.distance_m <= brute + 1e-6,
            "{} > {brute}",
            hit.distance_m
        );
        assert!(
            brute - hit.distance_m < 2_000.0,
            "implausibly far from every vertex"
        );
    }
}
