//! A candidate-site query: one feature to find, any number of proximity constraints to
//! other features (*within* or *not within* a distance, in true metres), inside a search
//! area. Distances are between the features' geometries (zero when one lies inside the
//! other's area): the nearest pair of points is found on the tangent plane at the found
//! feature, then measured on the ellipsoid (Karney). Results are ranked by how tightly
//! they meet the *within* constraints.

use std::collections::BTreeMap;

use serde::Serialize;

use super::feature::{Part, bounds_of, degrees, representative_of};
use super::filter::TagFilter;
use super::index::{FeatureRef, OsmIndex};
use super::{OsmError, OsmType};
use crate::spatial::georef::LocalFrame;
use crate::spatial::{Borders, LatLon};

/// Metres per degree of latitude, roughly (for search boxes only; distances are exact).
pub(super) const M_PER_DEG: f64 = 111_320.0;

#[derive(Debug, Clone)]
pub struct Constraint {
    pub filter: TagFilter,
    pub distance_m: f64,
    /// `false`: there must be no such feature within the distance.
    pub within: bool,
}

impl Constraint {
    /// `200m:amenity=fuel` (the CLI's form).
    pub fn parse(text: &str, within: bool) -> Result<Constraint, OsmError> {
        let (distance, filter) = text
            .split_once(':')
            .ok_or_else(|| OsmError::ConstraintForm {
                text: text.to_owned(),
            })?;
        Ok(Constraint {
            distance_m: super::filter::parse_distance(distance)?,
            filter: TagFilter::parse(filter)?,
            within,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub enum Area {
    #[default]
    Everywhere,
    /// West, south, east, north; west > east crosses the antimeridian.
    Bbox([f64; 4]),
    /// A ring of (longitude, latitude).
    Polygon(Vec<[f64; 2]>),
    /// A country of the bundled borders, by ISO 3166 alpha-3 code.
    Country(String),
}

impl Area {
    /// `W,S,E,N` in degrees.
    pub fn parse_bbox(text: &str) -> Result<Area, OsmError> {
        let v: Vec<f64> = text
            .split(',')
            .map(|p| p.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| OsmError::BboxNotNumbers {
                text: text.to_owned(),
            })?;
        let ok = v.len() == 4
            && v.iter().all(|x| x.is_finite())
            && (-180.0..=180.0).contains(&v[0])
            && (-180.0..=180.0).contains(&v[2])
            && (-90.0..=90.0).contains(&v[1])
            && (-90.0..=90.0).contains(&v[3])
            && v[1] < v[3];
        if !ok {
            return Err(OsmError::BboxOutOfRange {
                text: text.to_owned(),
            });
        }
        Ok(Area::Bbox([v[0], v[1], v[2], v[3]]))
    }

    /// The boxes to search (two when a bbox crosses the antimeridian).
    pub(super) fn boxes(&self, borders: Option<&Borders>) -> Vec<[f64; 4]> {
        match self {
            Area::Everywhere => vec![[-180.0, -90.0, 180.0, 90.0]],
            Area::Bbox([w, s, e, n]) if w > e => vec![[*w, *s, 180.0, *n], [-180.0, *s, *e, *n]],
            Area::Bbox(b) => vec![*b],
            Area::Polygon(ring) => {
                let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
                for p in ring {
                    b = [
                        b[0].min(p[0]),
                        b[1].min(p[1]),
                        b[2].max(p[0]),
                        b[3].max(p[1]),
                    ];
                }
                vec![b]
            }
            Area::Country(code) => {
                let shape = country(borders, code).map(|c| &c.shape);
                match shape.and_then(geo::BoundingRect::bounding_rect) {
                    Some(r) => vec![[r.min().x, r.min().y, r.max().x, r.max().y]],
                    None => Vec::new(),
                }
            }
        }
    }

    pub(super) fn contains(&self, p: [f64; 2], borders: Option<&Borders>) -> bool {
        match self {
            Area::Everywhere => true,
            Area::Bbox([w, s, e, n]) => {
                let lon_ok = if w > e {
                    p[0] >= *w || p[0] <= *e
                } else {
                    p[0] >= *w && p[0] <= *e
                };
                lon_ok && p[1] >= *s && p[1] <= *n
            }
            Area::Polygon(ring) => inside_ring(p, ring),
            Area::Country(code) => {
                let wanted = country(borders, code).map(|c| c.iso_a3.as_str());
                borders
                    .and_then(|b| {
                        b.country_at(LatLon {
                            lat: p[1],
                            lon: p[0],
                        })
                    })
                    .is_some_and(|c| Some(c.iso_a3.as_str()) == wanted)
            }
        }
    }
}

fn country<'a>(borders: Option<&'a Borders>, code: &str) -> Option<&'a crate::spatial::Country> {
    let b = borders?;
    b.country_index(code).map(|i| &b.countries()[i])
}

#[derive(Debug, Clone)]
pub struct Query {
    pub find: TagFilter,
    pub constraints: Vec<Constraint>,
    pub area: Area,
    pub limit: Option<usize>,
}

impl Query {
    /// The query as one line (kept with the candidates it produced).
    pub fn describe(&self) -> String {
        let mut text = format!("find {}", self.find.text());
        for c in &self.constraints {
            text.push_str(&format!(
                "; {} {:.0} m of {}",
                if c.within { "within" } else { "not within" },
                c.distance_m,
                c.filter.text()
            ));
        }
        match &self.area {
            Area::Everywhere => {}
            Area::Bbox(b) => text.push_str(&format!("; in {},{},{},{}", b[0], b[1], b[2], b[3])),
            Area::Polygon(r) => text.push_str(&format!("; in a polygon of {} points", r.len())),
            Area::Country(c) => text.push_str(&format!("; in {c}")),
        }
        text
    }
}

/// The nearest feature matching a constraint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nearest {
    pub osm_type: OsmType,
    pub osm_id: i64,
    pub distance_m: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConstraintResult {
    pub filter: String,
    pub relation: &'static str,
    pub limit_m: f64,
    /// For *not within*: the nearest one beyond the limit, if any within twice it.
    pub nearest: Option<Nearest>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub lat: f64,
    pub lon: f64,
    pub osm_type: OsmType,
    pub osm_id: i64,
    pub tags: BTreeMap<String, String>,
    /// Mean of distance ÷ limit over the *within* constraints: 0 is tightest.
    pub score: f64,
    pub constraints: Vec<ConstraintResult>,
}

/// A filter's answer per distinct tag list, worked out once each (a country has millions
/// of `building=yes` and a few thousand distinct lists among them).
struct Matcher<'q> {
    filter: &'q TagFilter,
    /// 0: not asked yet, 1: no, 2: yes.
    answers: std::cell::RefCell<Vec<u8>>,
}

impl<'q> Matcher<'q> {
    fn new(filter: &'q TagFilter, index: &OsmIndex) -> Matcher<'q> {
        Matcher {
            filter,
            answers: std::cell::RefCell::new(vec![0; index.tag_set_count()]),
        }
    }

    fn matches(&self, f: &FeatureRef<'_>) -> bool {
        let set = f.tag_set() as usize;
        let known = self.answers.borrow().get(set).copied().unwrap_or(0);
        if known != 0 {
            return known == 2;
        }
        let yes = self.filter.matches(|k| f.tag(k));
        if let Some(a) = self.answers.borrow_mut().get_mut(set) {
            *a = if yes { 2 } else { 1 };
        }
        yes
    }
}

impl Query {
    /// Refuses what no backend can answer (an unknown country code).
    pub(super) fn check(&self, borders: Option<&Borders>) -> Result<(), OsmError> {
        match &self.area {
            Area::Country(code) if country(borders, code).is_none() => {
                Err(OsmError::UnknownCountry { code: code.clone() })
            }
            _ => Ok(()),
        }
    }
}

/// Best first (lowest score, then id), cut to the query's limit.
pub(super) fn rank(hits: &mut Vec<Hit>, limit: Option<usize>) {
    hits.sort_by(|a, b| a.score.total_cmp(&b.score).then(a.osm_id.cmp(&b.osm_id)));
    if let Some(limit) = limit {
        hits.truncate(limit);
    }
}

/// Runs a query over the index; `borders` is needed for a country area.
pub fn run(
    index: &OsmIndex,
    query: &Query,
    borders: Option<&Borders>,
) -> Result<Vec<Hit>, OsmError> {
    query.check(borders)?;
    let find = Matcher::new(&query.find, index);
    let constraints: Vec<(&Constraint, Matcher<'_>)> = query
        .constraints
        .iter()
        .map(|c| (c, Matcher::new(&c.filter, index)))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut hits = Vec::new();
    for b in query.area.boxes(borders) {
        for anchor in index.near_box(b) {
            if !find.matches(&anchor) || !seen.insert((anchor.osm_type(), anchor.id())) {
                continue;
            }
            let parts = anchor.parts();
            let at = representative_of(&parts);
            if !query.area.contains(at, borders) {
                continue;
            }
            let anchor = Anchor {
                feature: anchor,
                bounds: bounds_of(&parts),
                parts,
                at,
            };
            let nearest = constraints
                .iter()
                .map(|(c, matcher)| nearest(index, &anchor, matcher, search_reach(c)));
            let tags = || {
                anchor
                    .feature
                    .tags()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect()
            };
            let found = (anchor.feature.osm_type(), anchor.feature.id());
            if let Some(hit) = hit(found, anchor.at, tags, &query.constraints, nearest) {
                hits.push(hit);
            }
        }
    }
    rank(&mut hits, query.limit);
    Ok(hits)
}

/// How far to look for a constraint's feature: its distance, and for *not within* twice
/// it, to say how far the nearest one is.
pub(super) fn search_reach(c: &Constraint) -> f64 {
    if c.within {
        c.distance_m
    } else {
        2.0 * c.distance_m
    }
}

/// A found feature with its geometry decoded once.
struct Anchor<'a> {
    feature: FeatureRef<'a>,
    parts: Vec<Part>,
    bounds: [f64; 4],
    /// Its representative point (longitude, latitude).
    at: [f64; 2],
}

/// The hit for a found feature at `at` (longitude, latitude), given the nearest feature
/// for each constraint (within its search reach), or `None` when a constraint fails.
/// Constraints are tried in order and the rest are not looked up once one fails.
pub(super) fn hit(
    (osm_type, osm_id): (OsmType, i64),
    at: [f64; 2],
    tags: impl FnOnce() -> BTreeMap<String, String>,
    constraints: &[Constraint],
    nearest: impl Iterator<Item = Option<Nearest>>,
) -> Option<Hit> {
    let mut results = Vec::new();
    let mut score = 0.0;
    let mut scored = 0;
    for (c, nearest) in constraints.iter().zip(nearest) {
        let ok = match (&nearest, c.within) {
            (Some(n), true) => n.distance_m <= c.distance_m,
            (None, true) => false,
            (Some(n), false) => n.distance_m > c.distance_m,
            (None, false) => true,
        };
        if !ok {
            return None;
        }
        if c.within
            && let Some(n) = &nearest
        {
            score += n.distance_m / c.distance_m;
            scored += 1;
        }
        results.push(ConstraintResult {
            filter: c.filter.text().to_owned(),
            relation: if c.within { "within" } else { "not_within" },
            limit_m: c.distance_m,
            nearest,
        });
    }
    Some(Hit {
        lat: at[1],
        lon: at[0],
        osm_type,
        osm_id,
        tags: tags(),
        score: if scored > 0 {
            score / f64::from(scored)
        } else {
            0.0
        },
        constraints: results,
    })
}

/// The nearest feature passing `filter` within `reach` metres of `anchor`.
fn nearest(
    index: &OsmIndex,
    anchor: &Anchor<'_>,
    filter: &Matcher<'_>,
    reach: f64,
) -> Option<Nearest> {
    let (b, at) = (anchor.bounds, anchor.at);
    let dlat = reach / M_PER_DEG * 1.01;
    let dlon = reach / (M_PER_DEG * at[1].to_radians().cos().max(0.01)) * 1.01;
    let frame = LocalFrame::at(at[1], at[0]);
    let anchor_local = to_local(&frame, &anchor.parts);
    let anchor_key = (anchor.feature.osm_type(), anchor.feature.id());
    let mut best: Option<Nearest> = None;
    let search = [b[0] - dlon, b[1] - dlat, b[2] + dlon, b[3] + dlat];
    for other in index.near_box(search) {
        if !filter.matches(&other) || (other.osm_type(), other.id()) == anchor_key {
            continue;
        }
        let parts = other.parts();
        let ob = bounds_of(&parts);
        if ob[0] > search[2] || ob[2] < search[0] || ob[1] > search[3] || ob[3] < search[1] {
            continue;
        }
        let other_local = to_local(&frame, &parts);
        let d = match closest_pair(
            &anchor_local,
            anchor.feature.is_area(),
            &other_local,
            other.is_area(),
        ) {
            None => 0.0,
            Some((p, q)) => {
                let (plat, plon) = frame.to_geo(p);
                let (qlat, qlon) = frame.to_geo(q);
                crate::spatial::distance_m(
                    LatLon {
                        lat: plat,
                        lon: plon,
                    },
                    LatLon {
                        lat: qlat,
                        lon: qlon,
                    },
                )
            }
        };
        if d <= reach && best.as_ref().is_none_or(|n| d < n.distance_m) {
            best = Some(Nearest {
                osm_type: other.osm_type(),
                osm_id: other.id(),
                distance_m: d,
            });
        }
    }
    best
}

fn to_local(frame: &LocalFrame, parts: &[Part]) -> Vec<Vec<[f64; 2]>> {
    parts
        .iter()
        .map(|part| {
            part.iter()
                .map(|p| {
                    let [lon, lat] = degrees(*p);
                    frame.to_local(lat, lon)
                })
                .collect()
        })
        .collect()
}

/// Segments of parts (a one-point part is a zero-length segment).
fn segments(parts: &[Vec<[f64; 2]>]) -> impl Iterator<Item = ([f64; 2], [f64; 2])> + '_ {
    parts.iter().flat_map(|p| {
        let single = (p.len() == 1).then(|| (p[0], p[0]));
        single.into_iter().chain(p.windows(2).map(|w| (w[0], w[1])))
    })
}

/// Even-odd test over all of an area's parts (member ways need not be joined into rings).
fn inside(p: [f64; 2], parts: &[Vec<[f64; 2]>]) -> bool {
    let mut inside = false;
    for (a, b) in segments(parts) {
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    inside
}

fn inside_ring(p: [f64; 2], ring: &[[f64; 2]]) -> bool {
    inside(p, &[ring.to_vec()])
}

/// The closest points of two features, or `None` when they touch or one is inside the
/// other's area (distance zero).
fn closest_pair(
    a: &[Vec<[f64; 2]>],
    a_area: bool,
    b: &[Vec<[f64; 2]>],
    b_area: bool,
) -> Option<([f64; 2], [f64; 2])> {
    if b_area && a.iter().flatten().any(|p| inside(*p, b)) {
        return None;
    }
    if a_area && b.iter().flatten().any(|p| inside(*p, a)) {
        return None;
    }
    let mut best: Option<(f64, [f64; 2], [f64; 2])> = None;
    let mut consider = |d: f64, p: [f64; 2], q: [f64; 2]| {
        if best.is_none_or(|(bd, _, _)| d < bd) {
            best = Some((d, p, q));
        }
    };
    for (a0, a1) in segments(a) {
        for (b0, b1) in segments(b) {
            if segments_cross(a0, a1, b0, b1) {
                return None;
            }
            for (p, (s0, s1), from_a) in [
                (a0, (b0, b1), true),
                (a1, (b0, b1), true),
                (b0, (a0, a1), false),
                (b1, (a0, a1), false),
            ] {
                let q = closest_on_segment(p, s0, s1);
                let d = (p[0] - q[0]).hypot(p[1] - q[1]);
                if from_a {
                    consider(d, p, q);
                } else {
                    consider(d, q, p);
                }
            }
        }
    }
    best.map(|(_, p, q)| (p, q))
}

fn closest_on_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return a;
    }
    let t = (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0);
    [a[0] + t * dx, a[1] + t * dy]
}

fn segments_cross(a0: [f64; 2], a1: [f64; 2], b0: [f64; 2], b1: [f64; 2]) -> bool {
    let orient = |p: [f64; 2], q: [f64; 2], r: [f64; 2]| {
        (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    };
    let (d1, d2) = (orient(b0, b1, a0), orient(b0, b1, a1));
    let (d3, d4) = (orient(a0, a1, b0), orient(a0, a1, b1));
    ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_pairs_of_points_lines_and_areas() {
        let point = vec![vec![[0.0, 0.0]]];
        let line = vec![vec![[10.0, -5.0], [10.0, 5.0]]];
        let (p, q) = closest_pair(&point, false, &line, false).unwrap();
        assert_eq!((p, q), ([0.0, 0.0], [10.0, 0.0]));
        let square = vec![vec![
            [-1.0, -1.0],
            [1.0, -1.0],
            [1.0, 1.0],
            [-1.0, 1.0],
            [-1.0, -1.0],
        ]];
        assert!(
            closest_pair(&point, false, &square, true).is_none(),
            "inside the area"
        );
        assert!(
            closest_pair(&point, false, &square, false).is_some(),
            "a closed line is not"
        );
        let crossing = vec![vec![[-5.0, 0.0], [5.0, 0.0]]];
        let upright = vec![vec![[0.0, -5.0], [0.0, 5.0]]];
        assert!(closest_pair(&crossing, false, &upright, false).is_none());
    }

    #[test]
    fn bboxes_across_the_antimeridian_split_in_two() {
        let area = Area::parse_bbox("170,-20,-170,-10").unwrap();
        assert_eq!(area.boxes(None).len(), 2);
        assert!(area.contains([179.0, -15.0], None));
        assert!(area.contains([-179.0, -15.0], None));
        assert!(!area.contains([0.0, -15.0], None));
        assert!(Area::parse_bbox("1,2,3").is_err());
        assert!(Area::parse_bbox("0,10,1,5").is_err(), "south above north");
        // The library names no CLI flag: the CLI prefixes `--bbox` itself (#30).
        for bad in ["1,2,3", "0,10,1,5", "west,1,2,3"] {
            let e = Area::parse_bbox(bad).unwrap_err().to_string();
            assert!(e.starts_with(&format!("{bad:?}: expected W,S,E,N")), "{e}");
        }
    }
}
