//! The horizon around a point: for each azimuth, the highest elevation angle of the
//! terrain (curvature and refraction applied) out to a distance, and how far away that
//! terrain is.
//!
//! Each ray follows the geodesic: points on it every quarter of the distance are placed
//! exactly (Karney) and moved into the DEM's CRS in one call; between them the ray is
//! straight in the CRS, and sampled (bilinear) every quarter cell out to `cell / 0.4°`
//! (4.3 km for 30 m cells), then every `d · 0.1°` (as far apart as the rays of a 0.1°
//! horizon are there; a peak between two samples is missed by at most its slope ×
//! 0.05°). The distances, curvature drops and bounds are computed once for all rays. A
//! sample is skipped when the highest cell of its 16 × 16 block (nodata counts as
//! unbounded) could not rise above the angle found so far; then the ray leaps to where
//! it leaves the largest block (16 to 256 cells a side, maxima kept per tile) that
//! cannot either, instead of testing each sample in it. A ray stops once no terrain at
//! all could rise above (the surface's highest cell bounds it). Rays run in parallel.

use rayon::prelude::*;
use serde::Serialize;

use super::sample::{BLOCK, LEVELS};
use super::{Curvature, Dem, Placed, Site, Surface, TerrainError, Tile};
use crate::spatial::{LatLon, destination};

/// Exact points per ray (the ray is straight in the CRS between them).
const KNOTS: usize = 4;

/// Past `cell / ANGULAR_STEP_RAD` a ray is sampled every `d · ANGULAR_STEP_RAD` metres,
/// not every cell: 0.1°, as far apart as the rays of a 0.1° horizon are there.
const ANGULAR_STEP_RAD: f64 = 0.1 * std::f64::consts::PI / 180.0;

/// The most azimuths one call may compute.
pub const MAX_AZIMUTHS: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HorizonPoint {
    pub azimuth_deg: f64,
    /// Elevation angle of the horizon, degrees (None when no terrain was found).
    pub elevation_deg: Option<f64>,
    /// Distance to the terrain that forms it, metres.
    pub distance_m: Option<f64>,
    /// Whether every sample that could have mattered had elevation; false when the ray
    /// ran off the data or through a hole before the horizon was settled.
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Horizon {
    pub observer: Placed,
    pub max_distance_m: f64,
    pub step_m: f64,
    pub curvature: Curvature,
    pub points: Vec<HorizonPoint>,
}

/// The horizon every `step_deg` degrees all round, to `max_distance_m`.
pub fn horizon(
    dem: &Dem,
    observer: Site,
    step_deg: f64,
    max_distance_m: f64,
    curvature: Curvature,
) -> Result<Horizon, TerrainError> {
    horizon_with(dem, observer, step_deg, max_distance_m, curvature, true)
}

/// [`horizon`] testing every sample against its own 16 × 16 block only, without the
/// leaps through coarser blocks: the march before them, slower, kept as their reference
/// (tests and the benchmark check that both give the same horizon).
#[doc(hidden)]
pub fn horizon_unleaped(
    dem: &Dem,
    observer: Site,
    step_deg: f64,
    max_distance_m: f64,
    curvature: Curvature,
) -> Result<Horizon, TerrainError> {
    horizon_with(dem, observer, step_deg, max_distance_m, curvature, false)
}

fn horizon_with(
    dem: &Dem,
    observer: Site,
    step_deg: f64,
    max_distance_m: f64,
    curvature: Curvature,
    leap: bool,
) -> Result<Horizon, TerrainError> {
    if !step_deg.is_finite() || step_deg <= 0.0 || step_deg > 90.0 {
        return Err(TerrainError::bad(
            "--step-deg",
            step_deg,
            "must be more than 0 and at most 90 degrees",
        ));
    }
    let n = (360.0 / step_deg).round() as usize;
    if n > MAX_AZIMUTHS {
        return Err(TerrainError::bad(
            "--step-deg",
            step_deg,
            &format!("gives more than {MAX_AZIMUTHS} azimuths"),
        ));
    }
    let placed = observer.place(dem, "observer")?;
    let azimuths: Vec<f64> = (0..n).map(|i| i as f64 * 360.0 / n as f64).collect();
    let knots = ray_knots(dem, &placed, &azimuths, max_distance_m)?;
    let points = rays_with(
        dem.surface(),
        dem.resolution_m(),
        &placed,
        &azimuths,
        &knots,
        max_distance_m,
        curvature,
        leap,
    );
    Ok(Horizon {
        observer: placed,
        max_distance_m,
        step_m: dem.resolution_m(),
        curvature,
        points,
    })
}

/// The horizon along each azimuth from a placed observer.
pub fn rays(
    dem: &Dem,
    eye: &Placed,
    azimuths: &[f64],
    max_distance_m: f64,
    curvature: Curvature,
) -> Result<Vec<HorizonPoint>, TerrainError> {
    let knots = ray_knots(dem, eye, azimuths, max_distance_m)?;
    Ok(rays_on(
        dem.surface(),
        dem.resolution_m(),
        eye,
        azimuths,
        &knots,
        max_distance_m,
        curvature,
    ))
}

/// The part of [`rays`] that needs the DEM's coordinate transform (which cannot be
/// shared between threads): the exact knots of every ray, in the CRS.
pub(crate) fn ray_knots(
    dem: &Dem,
    eye: &Placed,
    azimuths: &[f64],
    max_distance_m: f64,
) -> Result<Vec<(f64, f64)>, TerrainError> {
    if !max_distance_m.is_finite() || max_distance_m <= 0.0 {
        return Err(TerrainError::bad(
            "--max-distance",
            max_distance_m,
            "must be a positive distance in metres",
        ));
    }
    let knots: Vec<LatLon> = azimuths
        .par_iter()
        .flat_map_iter(|az| {
            (1..=KNOTS)
                .map(move |k| destination(eye.at, *az, max_distance_m * k as f64 / KNOTS as f64))
        })
        .collect();
    dem.to_crs_many(&knots)
}

/// The rest of [`rays`]: every ray sampled on the surface (`resolution_m` its finest
/// cell), in parallel.
pub(crate) fn rays_on(
    surface: &Surface,
    resolution_m: f64,
    eye: &Placed,
    azimuths: &[f64],
    knots: &[(f64, f64)],
    max_distance_m: f64,
    curvature: Curvature,
) -> Vec<HorizonPoint> {
    rays_with(
        surface,
        resolution_m,
        eye,
        azimuths,
        knots,
        max_distance_m,
        curvature,
        true,
    )
}

/// [`rays_on`], skipping runs of samples whole through the coarser block maxima or not
/// (`leap` false: every sample is tested against its own 16 × 16 block alone, the march
/// before the leaps; the results are the same, see the test).
#[allow(clippy::too_many_arguments)]
pub(crate) fn rays_with(
    surface: &Surface,
    resolution_m: f64,
    eye: &Placed,
    azimuths: &[f64],
    knots: &[(f64, f64)],
    max_distance_m: f64,
    curvature: Curvature,
    leap: bool,
) -> Vec<HorizonPoint> {
    let plan = Schedule::new(
        resolution_m.max(1e-3),
        max_distance_m,
        curvature.per_m2(),
        surface.max_m() - eye.z_m,
    );
    azimuths
        .par_iter()
        .enumerate()
        .map(|(i, az)| {
            let ray = Ray::new(eye, &knots[i * KNOTS..(i + 1) * KNOTS]);
            one_ray(surface, eye, *az, &ray, &plan, leap)
        })
        .collect()
}

/// One distance of the [`Schedule`].
struct Sample {
    d: f64,
    /// Curvature drop at `d`.
    drop: f64,
    /// The highest tangent terrain at `d` or beyond could reach ([`bound`]).
    reach: f64,
    /// The ray's stretch (1 to [`KNOTS`]) and the fraction along it.
    k: usize,
    t: f64,
}

/// The distances every ray is sampled at, and what depends on distance alone.
struct Schedule {
    samples: Vec<Sample>,
}

impl Schedule {
    /// Every quarter `step` out to `step / (4 · ANGULAR_STEP_RAD)`, then every
    /// `d · ANGULAR_STEP_RAD` (as far apart as rays 0.1° apart are).
    fn new(step: f64, max_distance_m: f64, per_m2: f64, rise: f64) -> Schedule {
        let mut samples = Vec::new();
        let mut d = 0.0;
        while d < max_distance_m {
            d = (d + (step / 4.0).max(d * ANGULAR_STEP_RAD)).min(max_distance_m);
            let pos = d / max_distance_m * KNOTS as f64;
            let k = (pos.ceil() as usize).clamp(1, KNOTS);
            samples.push(Sample {
                d,
                drop: per_m2 * d * d,
                reach: bound(rise, per_m2, d),
                k,
                t: pos - (k - 1) as f64,
            });
        }
        Schedule { samples }
    }

    /// The distance at fraction `t` of stretch `k` (what [`Sample::t`] inverts).
    fn distance(&self, k: usize, t: f64) -> f64 {
        let max = self.samples.last().map_or(0.0, |s| s.d);
        (k as f64 - 1.0 + t) / KNOTS as f64 * max
    }
}

/// A ray's straight stretches in the CRS: start and change over the stretch.
struct Ray {
    stretches: [(f64, f64, f64, f64); KNOTS],
}

impl Ray {
    fn new(eye: &Placed, knots: &[(f64, f64)]) -> Ray {
        let mut stretches = [(0.0, 0.0, 0.0, 0.0); KNOTS];
        for (k, s) in stretches.iter_mut().enumerate() {
            let a = if k == 0 { (eye.x, eye.y) } else { knots[k - 1] };
            let b = knots[k];
            *s = (a.0, a.1, b.0 - a.0, b.1 - a.1);
        }
        Ray { stretches }
    }

    /// The CRS point of a sample.
    #[inline]
    fn at(&self, s: &Sample) -> (f64, f64) {
        let (x, y, dx, dy) = self.stretches[s.k - 1];
        (x + dx * s.t, y + dy * s.t)
    }
}

/// One ray: the highest tangent along it and where.
fn one_ray(
    surface: &Surface,
    eye: &Placed,
    az: f64,
    ray: &Ray,
    plan: &Schedule,
    leap: bool,
) -> HorizonPoint {
    let tiles = surface.tiles();
    let samples = &plan.samples;
    let mut hint = 0usize;
    let mut best: Option<(f64, f64)> = None; // (tan of the angle, distance)
    let mut t_best = f64::NEG_INFINITY;
    let mut complete = true;
    let mut i = 0;
    while let Some(s) = samples.get(i) {
        if best.is_some() && s.reach <= t_best {
            break;
        }
        let (x, y) = ray.at(s);
        let z = match tiles.get(hint).and_then(|tile| inside(tile, x, y)) {
            Some((tile, col, row, fx, fy)) => {
                // No cell the sample leans on can lift it above the best: skip it, and
                // every later sample in the largest block that cannot either.
                let top = f64::from(tile.block_max(col, row));
                if (top - s.drop - eye.z_m) <= t_best * s.d {
                    i = if leap {
                        let here = (col as f64 + fx, row as f64 + fy);
                        leap_past(tile, ray, plan, i, (col, row), here, t_best, eye.z_m)
                    } else {
                        i + 1
                    };
                    continue;
                }
                tile.bilinear_inside(col, row, fx, fy)
            }
            None => surface.bilinear_hinted(&mut hint, x, y),
        };
        i += 1;
        match z {
            Some(z) => {
                let t = (z - s.drop - eye.z_m) / s.d;
                if t > t_best {
                    t_best = t;
                    best = Some((t, s.d));
                }
            }
            None => complete = false,
        }
    }
    HorizonPoint {
        azimuth_deg: az,
        elevation_deg: best.map(|(t, _)| t.atan().to_degrees()),
        distance_m: best.map(|(_, d)| d),
        complete,
    }
}

/// Sample `i` (top-left cell `cell`, continuous position `here` in cells, inside `tile`)
/// cannot rise above `t_best`: the index of the first later sample that may, passing
/// every sample in the largest block of [`Tile::level_max`] whose highest value cannot
/// lift any of them above `t_best` either. Such samples would be skipped one by one, or
/// read and found no higher, so the horizon is the same.
#[allow(clippy::too_many_arguments)]
fn leap_past(
    tile: &Tile,
    ray: &Ray,
    plan: &Schedule,
    i: usize,
    cell: (usize, usize),
    here: (f64, f64),
    t_best: f64,
    eye_z: f64,
) -> usize {
    let s = &plan.samples[i];
    // The ray's speed through the tile's cells per unit of the stretch's fraction.
    let (_, _, dx, dy) = ray.stretches[s.k - 1];
    let g = tile.inverse();
    let (vc, vr) = (g[1] * dx + g[2] * dy, g[4] * dx + g[5] * dy);
    let mut until = None;
    for level in 0..LEVELS {
        let side = BLOCK << level;
        let exit = |at: f64, v: f64, first: usize, last: usize| -> f64 {
            // Block [first, last) of top-left cells (c0 = ⌊c⌋), with a margin for rounding.
            if v > 0.0 {
                (last as f64 - MARGIN_CELLS - at) / v
            } else if v < 0.0 {
                (first as f64 + MARGIN_CELLS - at) / v
            } else {
                f64::INFINITY
            }
        };
        // Past the tile's last column or row but one a sample takes the general path.
        let (bc, br) = ((cell.0 / side) * side, (cell.1 / side) * side);
        let t_exit = (s.t
            + exit(here.0, vc, bc, (bc + side).min(tile.width - 1)).min(exit(
                here.1,
                vr,
                br,
                (br + side).min(tile.height - 1),
            )))
        .min(1.0);
        let top = f64::from(tile.level_max(level, cell.0, cell.1));
        // Past `d` the drop grows: at `d` the block is at its highest; the bound t·d is
        // lowest at `d` when t ≥ 0, at the block's far end when t < 0.
        let far = if t_best >= 0.0 {
            s.d
        } else {
            plan.distance(s.k, t_exit)
        };
        if top - s.drop - eye_z > t_best * far || t_exit <= s.t {
            break;
        }
        until = Some(t_exit);
    }
    let mut j = i + 1;
    if let Some(t_exit) = until {
        while plan
            .samples
            .get(j)
            .is_some_and(|n| n.k == s.k && n.t < t_exit)
        {
            j += 1;
        }
    }
    j
}

/// How far inside a block (in cells) a leap stops, against rounding.
const MARGIN_CELLS: f64 = 1e-4;

/// The top-left cell and fractions of a bilinear sample at (x, y) when its four cells
/// lie inside `tile` (else the general, slower path reads across tiles and edges).
#[inline]
fn inside(tile: &Tile, x: f64, y: f64) -> Option<(&Tile, usize, usize, f64, f64)> {
    let (px, py) = tile.pixel(x, y);
    let (c, r) = (px - 0.5, py - 0.5);
    // Not below 0 (and not NaN): truncation is the floor.
    if !(c >= 0.0 && r >= 0.0) {
        return None;
    }
    let (c0, r0) = (c as usize, r as usize);
    (c0 < tile.width.saturating_sub(1) && r0 < tile.height.saturating_sub(1)).then_some((
        tile,
        c0,
        r0,
        c - c0 as f64,
        r - r0 as f64,
    ))
}

/// The highest tangent any terrain at distance ≥ `d` could reach: the most of
/// (rise − c·d′²)/d′ over d′ ≥ d, where `rise` is the surface's highest cell above the
/// eye. Infinite (no early stop) when refraction bends light more than the Earth.
fn bound(rise: f64, per_m2: f64, d: f64) -> f64 {
    if per_m2 <= 0.0 {
        return f64::INFINITY;
    }
    let turn = if rise < 0.0 {
        (-rise / per_m2).sqrt()
    } else {
        0.0
    };
    let d = d.max(turn);
    (rise - per_m2 * d * d) / d
}
