//! The camera that fits a traced skyline best: heading, pitch, roll and field of view
//! searched within bounded ranges around a starting camera, coarse to fine.
//!
//! Coarse: a grid over heading (steps of a sixtieth of the field of view), roll and
//! field of view (five values each across their ranges); at each node the pitch is
//! moved by the median vertical offset between trace and horizon (pitching up moves
//! every traced direction up by about as much), scored by vertical offsets alone. Fine:
//! from the best few nodes, a pattern search on all four values with the exact score,
//! halving its steps to 0.002°. The horizon is computed once, over every azimuth the
//! ranges can bring into view.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::super::skyline::{self, Basis, Camera};
use super::super::{Curvature, Dem, TerrainError};
use super::score::{HorizonTable, MAX_TRACE_POINTS, Score, Trace, evaluate, evaluate_directions};

/// Half-widths (degrees) of the search around the starting camera. A heading range of
/// 180 searches all round.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ranges {
    pub heading_deg: f64,
    pub pitch_deg: f64,
    pub roll_deg: f64,
    pub fov_deg: f64,
}

impl Ranges {
    /// No search: the starting camera only.
    pub fn none() -> Ranges {
        Ranges {
            heading_deg: 0.0,
            pitch_deg: 0.0,
            roll_deg: 0.0,
            fov_deg: 0.0,
        }
    }

    pub(crate) fn check(&self) -> Result<(), TerrainError> {
        for (name, v, max) in [
            ("--range-heading", self.heading_deg, 180.0),
            ("--range-pitch", self.pitch_deg, 45.0),
            ("--range-roll", self.roll_deg, 45.0),
            ("--range-fov", self.fov_deg, 90.0),
        ] {
            if !v.is_finite() || !(0.0..=max).contains(&v) {
                return Err(TerrainError::bad(
                    name,
                    v,
                    &format!("a search range must be between 0 and {max} degrees"),
                ));
            }
        }
        Ok(())
    }
}

/// How the horizon behind a fit is computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitOptions {
    /// Degrees between horizon rays (0.1 is the figure).
    pub step_deg: f64,
    pub max_distance_m: f64,
    pub curvature: Curvature,
    /// The most traced points scored (the trace resampled evenly).
    pub max_points: usize,
}

impl Default for FitOptions {
    fn default() -> FitOptions {
        FitOptions {
            step_deg: 0.1,
            max_distance_m: 50_000.0,
            curvature: Curvature::default(),
            max_points: MAX_TRACE_POINTS,
        }
    }
}

/// The best camera found and its score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    pub camera: Camera,
    pub score: Score,
    /// The starting camera's score.
    pub start_score: Score,
    /// Orientations scored.
    pub evaluations: usize,
}

/// The smallest step of the fine search, degrees.
const MIN_STEP_DEG: f64 = 0.002;
/// Coarse nodes the fine search starts from.
const STARTS: usize = 4;
/// A bound on the fine search's work per start.
const MAX_FINE_EVALUATIONS: usize = 3000;

/// [heading, pitch, roll, fov].
type Params = [f64; 4];

fn params(c: &Camera) -> Params {
    [c.heading_deg, c.pitch_deg, c.roll_deg, c.fov_deg]
}

fn with(base: &Camera, p: Params) -> Camera {
    Camera {
        heading_deg: p[0],
        pitch_deg: p[1],
        roll_deg: p[2],
        fov_deg: p[3],
        ..*base
    }
}

/// Where each value may go: the start ± its range, within what a camera allows.
struct Bounds {
    lo: Params,
    hi: Params,
    all_round: bool,
}

impl Bounds {
    fn new(c: &Camera, r: &Ranges) -> Bounds {
        let p = params(c);
        Bounds {
            lo: [
                p[0] - r.heading_deg,
                (p[1] - r.pitch_deg).max(-89.0),
                (p[2] - r.roll_deg).max(-180.0),
                (p[3] - r.fov_deg).max(0.1),
            ],
            hi: [
                p[0] + r.heading_deg,
                (p[1] + r.pitch_deg).min(89.0),
                (p[2] + r.roll_deg).min(180.0),
                (p[3] + r.fov_deg).min(170.0),
            ],
            all_round: r.heading_deg >= 180.0,
        }
    }

    fn clamp(&self, mut p: Params) -> Params {
        for (i, v) in p.iter_mut().enumerate() {
            if i == 0 && self.all_round {
                *v = v.rem_euclid(360.0);
            } else {
                *v = v.clamp(self.lo[i], self.hi[i]);
            }
        }
        p
    }
}

/// `n` values evenly from `lo` to `hi` (the middle one alone when they are equal).
fn spread(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if hi - lo < 1e-12 || n < 2 {
        return vec![(lo + hi) / 2.0];
    }
    (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect()
}

/// The azimuths (start, span in degrees) the traced points can look along for any
/// camera within the ranges (all round past 300°).
pub(crate) fn azimuth_span(c: &Camera, points: &[[f64; 2]], r: &Ranges) -> (f64, f64) {
    if r.heading_deg >= 180.0 {
        return (0.0, 360.0);
    }
    let b = Bounds::new(c, r);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for corner in 0..16 {
        let pick = |i: usize| {
            if corner >> i & 1 == 0 {
                b.lo[i]
            } else {
                b.hi[i]
            }
        };
        let cam = with(c, [pick(0), pick(1), pick(2), pick(3)]);
        let basis = Basis::new(&cam);
        let corners = [[0.0, 0.0], [f64::from(c.width), f64::from(c.height)]];
        for p in points.iter().chain(&corners) {
            let rel =
                (basis.direction(p[0], p[1]).0 - c.heading_deg + 180.0).rem_euclid(360.0) - 180.0;
            lo = lo.min(rel);
            hi = hi.max(rel);
        }
    }
    let span = hi - lo + 4.0;
    if span > 300.0 {
        return (0.0, 360.0);
    }
    ((c.heading_deg + lo - 2.0).rem_euclid(360.0), span)
}

/// Refuses what no fit can work with, naming it.
fn check_inputs(camera: &Camera, trace: &Trace, ranges: &Ranges) -> Result<(), TerrainError> {
    skyline::check(camera)?;
    ranges.check()?;
    trace.check(camera.width, camera.height)
}

/// The camera within `ranges` of `start` whose rendered skyline fits `trace` best.
pub fn fit_camera(
    dem: &Dem,
    start: Camera,
    trace: &Trace,
    ranges: Ranges,
    options: &FitOptions,
) -> Result<Fit, TerrainError> {
    let (table, points) = horizon_for(dem, &start, trace, &ranges, options)?;
    Ok(fit_on_table(&table, start, &points, &ranges))
}

/// The score of one camera against a trace, the horizon computed over the azimuths the
/// trace looks along.
pub fn score_camera(
    dem: &Dem,
    camera: Camera,
    trace: &Trace,
    options: &FitOptions,
) -> Result<Score, TerrainError> {
    let (table, points) = horizon_for(dem, &camera, trace, &Ranges::none(), options)?;
    Ok(evaluate(&table, &camera, &points, true).score)
}

/// The inputs checked, the trace's sample points, and the horizon around the camera
/// over the azimuths those points (and the search `ranges`) look along.
fn horizon_for(
    dem: &Dem,
    camera: &Camera,
    trace: &Trace,
    ranges: &Ranges,
    options: &FitOptions,
) -> Result<(HorizonTable, Vec<[f64; 2]>), TerrainError> {
    check_inputs(camera, trace, ranges)?;
    let placed = camera.site.place(dem, "camera")?;
    let points = trace.samples(options.max_points);
    let span = azimuth_span(camera, &points, ranges);
    let table = HorizonTable::compute(
        dem,
        placed,
        span,
        options.step_deg,
        options.max_distance_m,
        options.curvature,
    )?;
    Ok((table, points))
}

/// The search on a horizon computed already (inputs checked by the caller).
pub(crate) fn fit_on_table(
    table: &HorizonTable,
    start: Camera,
    points: &[[f64; 2]],
    ranges: &Ranges,
) -> Fit {
    let bounds = Bounds::new(&start, ranges);
    let start_score = evaluate(table, &start, points, true).score;
    let heading_step = (start.fov_deg / 60.0).clamp(0.05, 2.0);
    let (nodes, coarse_evaluations) = coarse(table, &start, points, &bounds, heading_step);
    let mut evaluations = coarse_evaluations + 1;
    let steps = [
        heading_step / 2.0,
        heading_step / 2.0,
        (bounds.hi[2] - bounds.lo[2]) / 8.0,
        (bounds.hi[3] - bounds.lo[3]) / 8.0,
    ];
    let refined: Vec<(Params, Score, usize)> = nodes
        .par_iter()
        .map(|node| refine(table, &start, points, &bounds, *node, steps))
        .collect();
    let mut best = (params(&start), start_score);
    for (p, s, n) in refined {
        evaluations += n;
        if s.mean_deg < best.1.mean_deg {
            best = (p, s);
        }
    }
    let mut camera = with(&start, best.0);
    camera.heading_deg = camera.heading_deg.rem_euclid(360.0);
    Fit {
        camera,
        score: best.1,
        start_score,
        evaluations,
    }
}

/// The coarse grid: the best nodes, far enough apart in heading, and the work done.
fn coarse(
    table: &HorizonTable,
    start: &Camera,
    points: &[[f64; 2]],
    bounds: &Bounds,
    heading_step: f64,
) -> (Vec<Params>, usize) {
    let headings = if bounds.all_round {
        let n = (360.0 / heading_step).ceil() as usize;
        (0..n).map(|i| i as f64 * 360.0 / n as f64).collect()
    } else {
        let n = ((bounds.hi[0] - bounds.lo[0]) / heading_step).ceil() as usize + 1;
        spread(bounds.lo[0], bounds.hi[0], n)
    };
    let rolls = spread(bounds.lo[2], bounds.hi[2], 5);
    let fovs = spread(bounds.lo[3], bounds.hi[3], 5);
    // Each node is first scored at the starting pitch: turning the camera only adds the
    // heading to every azimuth, so the directions are worked out once per roll and
    // field of view, looking north.
    let mut grid = Vec::with_capacity(headings.len() * rolls.len() * fovs.len());
    let mut north = Vec::with_capacity(rolls.len() * fovs.len());
    for r in &rolls {
        for f in &fovs {
            let p = bounds.clamp([headings[0], start.pitch_deg, *r, *f]);
            let basis = Basis::new(&with(start, [0.0, p[1], p[2], p[3]]));
            north.push(
                points
                    .iter()
                    .map(|q| basis.direction(q[0], q[1]))
                    .collect::<Vec<_>>(),
            );
        }
    }
    for h in &headings {
        for (i, r) in rolls.iter().enumerate() {
            for (j, f) in fovs.iter().enumerate() {
                grid.push(([*h, start.pitch_deg, *r, *f], i * fovs.len() + j));
            }
        }
    }
    let mut scored: Vec<(Params, f64)> = grid
        .par_iter()
        .map(|(node, looking_north)| {
            let mut p = bounds.clamp(*node);
            let turned = north[*looking_north]
                .iter()
                .map(|(az, el)| (az + p[0], *el));
            let mut e = evaluate_directions(table, turned, false);
            let mut best = (p, e.score.mean_deg);
            for _ in 0..2 {
                let Some(offset) = e.median_offset_deg else {
                    break;
                };
                p = bounds.clamp([p[0], p[1] + offset, p[2], p[3]]);
                e = evaluate(table, &with(start, p), points, false);
                if e.score.mean_deg < best.1 {
                    best = (p, e.score.mean_deg);
                }
            }
            best
        })
        .collect();
    let evaluations = scored.len() * 3;
    scored.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut nodes: Vec<Params> = Vec::new();
    for (p, _) in scored {
        let apart = nodes.iter().all(|n| {
            let d = (n[0] - p[0]).rem_euclid(360.0);
            d.min(360.0 - d) > 2.5 * heading_step
        });
        if apart {
            nodes.push(p);
            if nodes.len() == STARTS {
                break;
            }
        }
    }
    (nodes, evaluations)
}

/// Pattern search from `from`: try a step up and down each value, keep what improves,
/// halve the steps when nothing does.
fn refine(
    table: &HorizonTable,
    base: &Camera,
    points: &[[f64; 2]],
    bounds: &Bounds,
    from: Params,
    mut steps: Params,
) -> (Params, Score, usize) {
    let score = |p: Params| evaluate(table, &with(base, p), points, true).score;
    let mut best = (from, score(from));
    let mut evaluations = 1;
    while steps.iter().any(|s| *s >= MIN_STEP_DEG) && evaluations < MAX_FINE_EVALUATIONS {
        let mut moved = false;
        for d in 0..4 {
            if steps[d] < MIN_STEP_DEG {
                continue;
            }
            for sign in [1.0, -1.0] {
                let mut p = best.0;
                p[d] += sign * steps[d];
                let p = bounds.clamp(p);
                if p == best.0 {
                    continue;
                }
                let s = score(p);
                evaluations += 1;
                if s.mean_deg < best.1.mean_deg - 1e-12 {
                    best = (p, s);
                    moved = true;
                    break;
                }
            }
        }
        if !moved {
            steps = steps.map(|s| s / 2.0);
        }
    }
    (best.0, best.1, evaluations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_includes_both_ends() {
        assert_eq!(spread(1.0, 3.0, 3), vec![1.0, 2.0, 3.0]);
        assert_eq!(spread(2.0, 2.0, 5), vec![2.0]);
    }

    #[test]
    fn ranges_refuse_negative_and_huge_values() {
        let mut r = Ranges::none();
        assert!(r.check().is_ok());
        r.pitch_deg = -1.0;
        let e = r.check().unwrap_err().to_string();
        assert!(e.contains("--range-pitch") && e.contains("-1"), "{e}");
        r.pitch_deg = 1.0;
        r.heading_deg = f64::NAN;
        assert!(r.check().is_err());
    }
}
