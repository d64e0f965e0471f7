//! The horizon around a point: for each azimuth, the highest elevation angle of the
//! terrain (curvature and refraction applied) out to a distance, and how far away that
//! terrain is.
//!
//! Each ray follows the geodesic: points on it every quarter of the distance are placed
//! exactly (Karney) and moved into the DEM's CRS in one call; between them the ray is
//! straight in the CRS, and sampled (bilinear) every cell. A ray stops early once no
//! terrain could rise above the angle found so far (the surface's highest cell bounds
//! it). Rays run in parallel.

use rayon::prelude::*;
use serde::Serialize;

use super::{Curvature, Dem, Placed, Site, TerrainError};
use crate::spatial::{LatLon, destination};

/// Exact points per ray (the ray is straight in the CRS between them).
const KNOTS: usize = 4;

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
    if !max_distance_m.is_finite() || max_distance_m <= 0.0 {
        return Err(TerrainError::bad(
            "--max-distance",
            max_distance_m,
            "must be a positive distance in metres",
        ));
    }
    // The exact knots of every ray, then one transform into the CRS.
    let knots: Vec<LatLon> = azimuths
        .par_iter()
        .flat_map_iter(|az| {
            (1..=KNOTS)
                .map(move |k| destination(eye.at, *az, max_distance_m * k as f64 / KNOTS as f64))
        })
        .collect();
    let knots = dem.to_crs_many(&knots)?;
    let surface = dem.surface();
    let step = dem.resolution_m().max(1e-3);
    let per_m2 = curvature.per_m2();
    let zmax = surface.max_m();
    Ok(azimuths
        .par_iter()
        .enumerate()
        .map(|(i, az)| {
            let ray = &knots[i * KNOTS..(i + 1) * KNOTS];
            let mut hint = 0usize;
            let mut best: Option<(f64, f64)> = None; // (tan of the angle, distance)
            let mut complete = true;
            let samples = (max_distance_m / step).ceil() as usize;
            for s in 1..=samples {
                let d = (s as f64 * step).min(max_distance_m);
                let drop = per_m2 * d * d;
                if let Some((t, _)) = best
                    && bound(zmax - eye.z_m, per_m2, d) <= t
                {
                    break;
                }
                let (x, y) = along(eye, ray, d / max_distance_m);
                match surface.bilinear_hinted(&mut hint, x, y) {
                    Some(z) => {
                        let t = (z - drop - eye.z_m) / d;
                        if best.is_none_or(|(b, _)| t > b) {
                            best = Some((t, d));
                        }
                    }
                    None => complete = false,
                }
            }
            HorizonPoint {
                azimuth_deg: *az,
                elevation_deg: best.map(|(t, _)| t.atan().to_degrees()),
                distance_m: best.map(|(_, d)| d),
                complete,
            }
        })
        .collect())
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
