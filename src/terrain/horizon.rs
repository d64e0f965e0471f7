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
//! unbounded) could not rise above the angle found so far, and a ray stops once no
//! terrain at all could (the surface's highest cell bounds it). Rays run in parallel.

use rayon::prelude::*;
use serde::Serialize;

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
    let points = rays(dem, &placed, &azimuths, max_distance_m, curvature)?;
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
    let plan = Schedule::new(
        resolution_m.max(1e-3),
        max_distance_m,
        curvature.per_m2(),
        surface.max_m() - eye.z_m,
    );
    azimuths
        .par_iter()
        .enumerate()
        .map(|(i, az)| one_ray(surface, eye, *az, &knots[i * KNOTS..(i + 1) * KNOTS], &plan))
        .collect()
}

/// The distances every ray is sampled at, and what depends on distance alone.
struct Schedule {
    max_distance_m: f64,
    /// Distance, curvature drop, and the highest tangent terrain at that distance or
    /// beyond could reach ([`bound`]).
    samples: Vec<(f64, f64, f64)>,
}

impl Schedule {
    /// Every quarter `step` out to `step / (4 · ANGULAR_STEP_RAD)`, then every
    /// `d · ANGULAR_STEP_RAD` (as far apart as rays 0.1° apart are).
    fn new(step: f64, max_distance_m: f64, per_m2: f64, rise: f64) -> Schedule {
        let mut samples = Vec::new();
        let mut d = 0.0;
        while d < max_distance_m {
            d = (d + (step / 4.0).max(d * ANGULAR_STEP_RAD)).min(max_distance_m);
            samples.push((d, per_m2 * d * d, bound(rise, per_m2, d)));
        }
        Schedule {
            max_distance_m,
            samples,
        }
    }
}

/// One ray: the highest tangent along it and where.
fn one_ray(
    surface: &Surface,
    eye: &Placed,
    az: f64,
    ray: &[(f64, f64)],
    plan: &Schedule,
) -> HorizonPoint {
    let tiles = surface.tiles();
    let mut hint = 0usize;
    let mut best: Option<(f64, f64)> = None; // (tan of the angle, distance)
    let mut t_best = f64::NEG_INFINITY;
    let mut complete = true;
    for &(d, drop, reach) in &plan.samples {
        if best.is_some() && reach <= t_best {
            break;
        }
        let (x, y) = along(eye, ray, d / plan.max_distance_m);
        let z = match tiles.get(hint).and_then(|tile| inside(tile, x, y)) {
            Some((tile, col, row, fx, fy)) => {
                // No cell the sample leans on can lift it above the best: skip it.
                let top = f64::from(tile.block_max(col, row));
                if (top - drop - eye.z_m) <= t_best * d {
                    continue;
                }
                tile.bilinear_inside(col, row, fx, fy)
            }
            None => surface.bilinear_hinted(&mut hint, x, y),
        };
        match z {
            Some(z) => {
                let t = (z - drop - eye.z_m) / d;
                if t > t_best {
                    t_best = t;
                    best = Some((t, d));
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

/// The top-left cell and fractions of a bilinear sample at (x, y) when its four cells
/// lie inside `tile` (else the general, slower path reads across tiles and edges).
#[inline]
fn inside(tile: &Tile, x: f64, y: f64) -> Option<(&Tile, usize, usize, f64, f64)> {
    let (px, py) = tile.pixel(x, y);
    let (c, r) = (px - 0.5, py - 0.5);
    let (c0, r0) = (c.floor(), r.floor());
    (c0 >= 0.0 && r0 >= 0.0 && c0 + 1.0 < tile.width as f64 && r0 + 1.0 < tile.height as f64)
        .then_some((tile, c0 as usize, r0 as usize, c - c0, r - r0))
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

/// The CRS point at fraction `f` (0..1) of a ray given by its knots.
fn along(eye: &Placed, knots: &[(f64, f64)], f: f64) -> (f64, f64) {
    let pos = f * KNOTS as f64;
    let k = (pos.ceil() as usize).clamp(1, KNOTS);
    let (a, b) = (
        if k == 1 { (eye.x, eye.y) } else { knots[k - 2] },
        knots[k - 1],
    );
    let t = pos - (k - 1) as f64;
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}
