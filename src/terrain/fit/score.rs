//! How well a traced skyline fits a camera: the traced pixels turned into directions
//! through the camera (heading, pitch, roll, focal length from the field of view), each
//! compared with the terrain horizon in that direction.
//!
//! The horizon is computed once for a site ([`HorizonTable`]) over the azimuths any
//! orientation being tried can see; an orientation then costs only the projection of
//! the traced points, which is what makes a fit and a scan fast.

use serde::{Deserialize, Serialize};

use super::super::horizon::{ray_knots, rays_on};
use super::super::skyline::{Basis, Camera};
use super::super::{Curvature, Dem, Placed, Surface, TerrainError};

/// What a traced point costs when the camera sees no terrain in its direction (the
/// rendered skyline is missing there), degrees. Such points are counted in
/// [`Score::missing`] too.
pub const MISSING_PENALTY_DEG: f64 = 5.0;

/// The most points of a trace a score uses (the trace is resampled evenly along its
/// length down to this).
pub const MAX_TRACE_POINTS: usize = 200;

/// How far (degrees) around a traced point the rendered skyline is searched for a
/// nearer part than the one straight above or below it.
const NEAR_WINDOW_DEG: f64 = 1.0;

/// The frame's skyline as the analyst traced it: polylines in the frame's pixels
/// ((0, 0) the top-left corner, x right, y down). A polyline of one point is a point.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub polylines: Vec<Vec<[f64; 2]>>,
}

impl Trace {
    /// Refuses a trace without points and a point that is not a number or lies outside
    /// the `width`×`height` frame.
    pub fn check(&self, width: u32, height: u32) -> Result<(), TerrainError> {
        if self.polylines.iter().all(Vec::is_empty) {
            return Err(TerrainError::NoTrace);
        }
        let (w, h) = (f64::from(width), f64::from(height));
        for p in self.polylines.iter().flatten() {
            let inside = p[0].is_finite()
                && p[1].is_finite()
                && (0.0..=w).contains(&p[0])
                && (0.0..=h).contains(&p[1]);
            if !inside {
                return Err(TerrainError::TraceOutside {
                    x: p[0],
                    y: p[1],
                    width,
                    height,
                });
            }
        }
        Ok(())
    }

    /// At most `max` points spread evenly along the polylines' length (every point of a
    /// shorter trace's vertices when there are fewer).
    pub fn samples(&self, max: usize) -> Vec<[f64; 2]> {
        let vertices: usize = self.polylines.iter().map(Vec::len).sum();
        if vertices <= max {
            return self.polylines.iter().flatten().copied().collect();
        }
        let length: f64 = self.polylines.iter().map(|l| polyline_length(l)).sum();
        let spacing = (length / max.max(1) as f64).max(1e-9);
        let mut out = Vec::new();
        for line in &self.polylines {
            let Some(first) = line.first() else { continue };
            out.push(*first);
            let mut carried = 0.0;
            for pair in line.windows(2) {
                let d = (pair[1][0] - pair[0][0]).hypot(pair[1][1] - pair[0][1]);
                let mut at = spacing - carried;
                while at <= d {
                    let t = at / d;
                    out.push([
                        pair[0][0] + (pair[1][0] - pair[0][0]) * t,
                        pair[0][1] + (pair[1][1] - pair[0][1]) * t,
                    ]);
                    at += spacing;
                }
                carried = d - (at - spacing);
            }
        }
        out.truncate(max);
        out
    }
}

fn polyline_length(line: &[[f64; 2]]) -> f64 {
    line.windows(2)
        .map(|p| (p[1][0] - p[0][0]).hypot(p[1][1] - p[0][1]))
        .sum()
}

/// A fit's score: the mean angular distance between the traced points and the rendered
/// skyline, a point without rendered skyline counted as [`MISSING_PENALTY_DEG`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Mean over all points, missing ones at the penalty, degrees.
    pub mean_deg: f64,
    /// The largest distance of a matched point, degrees.
    pub max_deg: f64,
    /// Traced points used.
    pub points: usize,
    /// Points with no terrain in their direction (counted at the penalty).
    pub missing: usize,
    /// Points whose horizon ran off the elevation data (it may be higher there).
    pub incomplete: usize,
}

/// The horizon around one placed site, every `step_deg` over a span of azimuths.
#[derive(Debug, Clone)]
pub struct HorizonTable {
    pub placed: Placed,
    start_deg: f64,
    step_deg: f64,
    /// Elevation angles, degrees; NaN where no terrain was found.
    elevation: Vec<f64>,
    complete: Vec<bool>,
    full_circle: bool,
}

/// A horizon whose rays are placed in the CRS but not yet sampled: what needs the DEM's
/// coordinate transform is done, the rest can run on any thread.
#[derive(Debug, Clone)]
pub(crate) struct PreparedHorizon {
    placed: Placed,
    start_deg: f64,
    step_deg: f64,
    full_circle: bool,
    azimuths: Vec<f64>,
    knots: Vec<(f64, f64)>,
    max_distance_m: f64,
    curvature: Curvature,
}

impl PreparedHorizon {
    /// Samples the rays on the surface.
    pub(crate) fn finish(self, surface: &Surface, resolution_m: f64) -> HorizonTable {
        let points = rays_on(
            surface,
            resolution_m,
            &self.placed,
            &self.azimuths,
            &self.knots,
            self.max_distance_m,
            self.curvature,
        );
        HorizonTable {
            placed: self.placed,
            start_deg: self.start_deg,
            step_deg: self.step_deg,
            elevation: points
                .iter()
                .map(|p| p.elevation_deg.unwrap_or(f64::NAN))
                .collect(),
            complete: points.iter().map(|p| p.complete).collect(),
            full_circle: self.full_circle,
        }
    }
}

impl HorizonTable {
    /// The horizon from `placed` every `step_deg` from `start_deg` over `span_deg`
    /// (all round when the span is 360° or more).
    pub fn compute(
        dem: &Dem,
        placed: Placed,
        span: (f64, f64),
        step_deg: f64,
        max_distance_m: f64,
        curvature: Curvature,
    ) -> Result<HorizonTable, TerrainError> {
        let prepared =
            HorizonTable::prepare(dem, placed, span, step_deg, max_distance_m, curvature)?;
        Ok(prepared.finish(dem.surface(), dem.resolution_m()))
    }

    /// The horizon from `placed` all round, every `step_deg`: what an interactive view
    /// needs to draw and score any orientation of a camera standing there.
    pub fn all_round(
        dem: &Dem,
        placed: Placed,
        step_deg: f64,
        max_distance_m: f64,
        curvature: Curvature,
    ) -> Result<HorizonTable, TerrainError> {
        HorizonTable::compute(
            dem,
            placed,
            (0.0, 360.0),
            step_deg,
            max_distance_m,
            curvature,
        )
    }

    /// Whether the table goes all round (else it covers a span of azimuths only).
    pub fn is_all_round(&self) -> bool {
        self.full_circle
    }

    /// Degrees between the table's samples.
    pub fn step_deg(&self) -> f64 {
        self.step_deg
    }

    /// The part of [`HorizonTable::compute`] that needs the DEM's coordinate transform.
    pub(crate) fn prepare(
        dem: &Dem,
        placed: Placed,
        (start_deg, span_deg): (f64, f64),
        step_deg: f64,
        max_distance_m: f64,
        curvature: Curvature,
    ) -> Result<PreparedHorizon, TerrainError> {
        if !step_deg.is_finite() || !(0.001..=5.0).contains(&step_deg) {
            return Err(TerrainError::bad(
                "--step-deg",
                step_deg,
                "the horizon step must be between 0.001 and 5 degrees",
            ));
        }
        let full_circle = span_deg >= 360.0;
        let (start, n) = if full_circle {
            (0.0, (360.0 / step_deg).round() as usize)
        } else {
            (start_deg, (span_deg / step_deg).ceil() as usize + 1)
        };
        let n = n.clamp(2, super::super::horizon::MAX_AZIMUTHS);
        let step = if full_circle {
            360.0 / n as f64
        } else {
            step_deg
        };
        let azimuths: Vec<f64> = (0..n)
            .map(|i| (start + step * i as f64).rem_euclid(360.0))
            .collect();
        let knots = ray_knots(dem, &placed, &azimuths, max_distance_m)?;
        Ok(PreparedHorizon {
            placed,
            start_deg: start,
            step_deg: step,
            full_circle,
            azimuths,
            knots,
            max_distance_m,
            curvature,
        })
    }

    /// The table's sample `i` (wrapped all round), if it exists.
    #[inline]
    fn sample(&self, i: i64) -> Option<(f64, f64, bool)> {
        let n = self.elevation.len() as i64;
        let j = if (0..n).contains(&i) {
            i
        } else if self.full_circle {
            i.rem_euclid(n)
        } else {
            return None;
        };
        let j = j as usize;
        let az = self.start_deg + self.step_deg * i as f64;
        Some((az, self.elevation[j], self.complete[j]))
    }

    /// The fractional sample index of an azimuth, degrees.
    #[inline]
    fn index_of(&self, az_deg: f64) -> f64 {
        let mut rel = wrap_360(az_deg - self.start_deg);
        if !self.full_circle && rel > self.step_deg * self.elevation.len() as f64 + 1.0 {
            // Just before the start: keep it negative so it falls outside the table.
            rel -= 360.0;
        }
        rel / self.step_deg
    }

    /// The horizon's elevation at an azimuth (linear between samples), and whether the
    /// data held out; None where no terrain was found or outside the table.
    pub fn at(&self, az_deg: f64) -> Option<(f64, bool)> {
        let f = self.index_of(az_deg);
        // Truncation is the floor from 0 up (and cheaper).
        let i = if f >= 0.0 { f as i64 } else { f.floor() as i64 };
        let t = f - i as f64;
        let (_, a, ca) = self.sample(i)?;
        let (_, b, cb) = self.sample(i + 1)?;
        let el = a + (b - a) * t;
        el.is_finite().then_some((el, ca && cb))
    }

    /// The angular distance from direction (az, el) to the horizon: the vertical offset,
    /// or less when a nearby stretch of the horizon passes closer (searched within
    /// [`NEAR_WINDOW_DEG`]). Small-angle geometry on the sphere around the point.
    fn distance(&self, az: f64, el: f64, horizon_el: f64, exact: bool) -> f64 {
        let vertical = (el - horizon_el).abs();
        if !exact || vertical < 1e-9 {
            return vertical;
        }
        let cos_el = el.to_radians().cos().max(0.05);
        let reach = vertical.min(NEAR_WINDOW_DEG) / cos_el;
        let centre = self.index_of(az);
        let from = (centre - reach / self.step_deg).floor() as i64;
        let to = (centre + reach / self.step_deg).ceil() as i64;
        let local = |i: i64| {
            self.sample(i)
                .filter(|s| s.1.is_finite())
                .map(|(a, e, _)| [wrap_180(a - az) * cos_el, e - el])
        };
        // How far sideways sample `i` lies (from its index; the slack covers rounding).
        let aside = |i: i64| (i as f64 - centre).abs() * self.step_deg * cos_el - 1e-9;
        // Outward from the centre each way; a segment whose nearer end lies further
        // aside than the best so far cannot come closer, nor can any beyond it.
        let mid = centre.floor() as i64;
        let mut best = vertical;
        let mut previous = local(mid);
        for i in mid..to {
            let current = local(i + 1);
            if let (Some(p), Some(q)) = (previous, current) {
                best = best.min(segment_distance(p, q));
            }
            if aside(i + 1) >= best {
                break;
            }
            previous = current;
        }
        let mut next = local(mid);
        for i in (from + 1..=mid).rev() {
            let current = local(i - 1);
            if let (Some(p), Some(q)) = (current, next) {
                best = best.min(segment_distance(p, q));
            }
            if aside(i - 1) >= best {
                break;
            }
            next = current;
        }
        best
    }
}

/// `x.rem_euclid(360.0)` for the few turns an azimuth difference spans, without the
/// division.
#[inline]
fn wrap_360(x: f64) -> f64 {
    if x.is_nan() || x.abs() >= 3600.0 {
        return x.rem_euclid(360.0);
    }
    let mut x = x;
    while x < 0.0 {
        x += 360.0;
    }
    while x >= 360.0 {
        x -= 360.0;
    }
    x
}

/// An azimuth difference in −180..180.
#[inline]
fn wrap_180(x: f64) -> f64 {
    let d = wrap_360(x);
    if d > 180.0 { d - 360.0 } else { d }
}

/// The distance from the origin to the segment p–q.
fn segment_distance(p: [f64; 2], q: [f64; 2]) -> f64 {
    let d = [q[0] - p[0], q[1] - p[1]];
    let len2 = d[0] * d[0] + d[1] * d[1];
    let t = if len2 > 0.0 {
        (-(p[0] * d[0] + p[1] * d[1]) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (x, y) = (p[0] + d[0] * t, p[1] + d[1] * t);
    (x * x + y * y).sqrt()
}

/// A score and the median signed vertical offset (horizon minus traced, degrees) of the
/// matched points: pitching the camera up by it moves the trace onto the horizon (found
/// for the coarse evaluations only, None for exact ones).
pub(crate) struct Evaluation {
    pub score: Score,
    pub median_offset_deg: Option<f64>,
}

/// Scores `camera` (its site placed where the table was computed) against traced
/// points. `exact` searches the horizon near each point; without it the vertical
/// offset alone counts (a coarse search's cheaper upper bound).
pub(crate) fn evaluate(
    table: &HorizonTable,
    camera: &Camera,
    points: &[[f64; 2]],
    exact: bool,
) -> Evaluation {
    let basis = Basis::new(camera);
    let directions = points.iter().map(|p| basis.direction(p[0], p[1]));
    evaluate_directions(table, directions, exact)
}

/// [`evaluate`] on the traced points' directions (azimuth, elevation in degrees) worked
/// out already.
pub(crate) fn evaluate_directions(
    table: &HorizonTable,
    directions: impl ExactSizeIterator<Item = (f64, f64)>,
    exact: bool,
) -> Evaluation {
    let n = directions.len();
    let mut sum = 0.0;
    let mut max_deg: f64 = 0.0;
    let (mut missing, mut incomplete) = (0, 0);
    let mut offsets = Vec::with_capacity(if exact { 0 } else { n });
    for (az, el) in directions {
        match table.at(az) {
            Some((horizon_el, complete)) => {
                let d = table.distance(az, el, horizon_el, exact);
                sum += d;
                max_deg = max_deg.max(d);
                if !exact {
                    offsets.push(horizon_el - el);
                }
                if !complete {
                    incomplete += 1;
                }
            }
            None => {
                missing += 1;
                sum += MISSING_PENALTY_DEG;
            }
        }
    }
    let median_offset_deg = (!offsets.is_empty()).then(|| {
        let mid = offsets.len() / 2;
        *offsets.select_nth_unstable_by(mid, f64::total_cmp).1
    });
    Evaluation {
        score: Score {
            mean_deg: sum / n.max(1) as f64,
            max_deg,
            points: n,
            missing,
            incomplete,
        },
        median_offset_deg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_spread_evenly_and_keep_short_traces() {
        let t = Trace {
            polylines: vec![vec![[0.0, 0.0], [100.0, 0.0]], vec![[0.0, 10.0]]],
        };
        assert_eq!(t.samples(10).len(), 3);
        let s = t.samples(2);
        assert_eq!(s.len(), 2);
        let long = Trace {
            polylines: vec![vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]],
        };
        let s = long.samples(3);
        // Total 30 px, spacing 10: the start, then (10, 0), (10, 10).
        assert_eq!(s, vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]]);
    }

    #[test]
    fn segment_distance_is_perpendicular_or_to_an_end() {
        assert!((segment_distance([-1.0, 2.0], [1.0, 2.0]) - 2.0).abs() < 1e-12);
        assert!((segment_distance([3.0, 4.0], [5.0, 4.0]) - 5.0).abs() < 1e-12);
    }

    #[test]
    fn check_names_the_cause() {
        let empty = Trace::default();
        assert!(matches!(empty.check(10, 10), Err(TerrainError::NoTrace)));
        let outside = Trace {
            polylines: vec![vec![[5.0, 11.0]]],
        };
        let e = outside.check(10, 10).unwrap_err().to_string();
        assert!(e.contains("10×10") && e.contains("11"), "{e}");
    }
}
