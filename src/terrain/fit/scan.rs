//! Ranking candidate sites by how well the traced skyline fits the best camera at each:
//! the horizon computed once per site (all round when the heading is free), then the
//! orientation searched on it ([`fit_on_table`]). Sites are taken one after another;
//! the work within a site (the horizon's rays, the orientations tried) runs in parallel
//! on a pool of the given size, while the calling thread places the next site's rays
//! (the elevation source's coordinate transform is not shared between threads).
//! Progress is reported, and the cancel flag checked, between sites.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use super::super::skyline::{self, Camera};
use super::super::{Dem, HeightRef, Site, TerrainError, metres_per_degree};
use super::score::{HorizonTable, PreparedHorizon, Trace};
use super::search::{Fit, FitOptions, Ranges, azimuth_span, fit_on_table};
use crate::spatial::LatLon;

/// The most sites one scan takes.
pub const MAX_SITES: usize = 100_000;

/// One site's place in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    /// 1 for the best fit; sites that could not be fitted come last.
    pub rank: usize,
    /// The site's position in the list given.
    pub index: usize,
    pub site: Site,
    pub fit: Option<Fit>,
    /// Why the site could not be fitted (outside the data, below the ground).
    #[serde(serialize_with = "as_text")]
    pub error: Option<TerrainError>,
}

fn as_text<S: serde::Serializer>(e: &Option<TerrainError>, s: S) -> Result<S::Ok, S::Error> {
    match e {
        Some(e) => s.serialize_some(&e.to_string()),
        None => s.serialize_none(),
    }
}

/// What a scan shares across sites.
#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    pub fit: FitOptions,
    pub ranges: Ranges,
    /// Worker threads (the figure is for two).
    pub threads: usize,
}

/// Ranks `sites` by the best fit of `trace` from each: `template` gives the frame size
/// and the orientation the search starts from (its own site is ignored). `progress`
/// gets (sites done, sites) after each site; setting `cancel` stops the scan between
/// sites with [`TerrainError::Cancelled`].
pub fn scan(
    dem: &Dem,
    sites: &[Site],
    template: Camera,
    trace: &Trace,
    options: &ScanOptions,
    progress: &dyn Fn(usize, usize),
    cancel: &AtomicBool,
) -> Result<Vec<Ranked>, TerrainError> {
    if sites.is_empty() {
        return Err(TerrainError::NoSites);
    }
    if sites.len() > MAX_SITES {
        return Err(TerrainError::bad(
            "sites",
            sites.len() as f64,
            &format!("a scan takes at most {MAX_SITES} sites"),
        ));
    }
    skyline::check(&template)?;
    trace.check(template.width, template.height)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.max(1))
        .thread_name(|i| format!("skyline-scan-{i}"))
        .build()
        .map_err(|e| TerrainError::Threads {
            reason: e.to_string(),
        })?;
    let points = trace.samples(options.fit.max_points);
    let span = azimuth_span(&template, &points, &options.ranges);
    let f = &options.fit;
    let prepare = |site: &Site| {
        site.place(dem, "site").and_then(|placed| {
            HorizonTable::prepare(dem, placed, span, f.step_deg, f.max_distance_m, f.curvature)
        })
    };
    let (surface, resolution_m) = (dem.surface(), dem.resolution_m());
    let work = |prepared: PreparedHorizon, camera: Camera| {
        let table = prepared.finish(surface, resolution_m);
        fit_on_table(&table, camera, &points, &options.ranges)
    };
    let mut ranked = Vec::with_capacity(sites.len());
    let mut next = sites.first().map(prepare);
    for (index, site) in sites.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(TerrainError::Cancelled);
        }
        let camera = Camera {
            site: *site,
            ..template
        };
        let prepared = next.take().unwrap_or(Err(TerrainError::NoSites));
        // The site's horizon and search on the pool while the next site's rays are
        // placed here (what needs the DEM's transform, which stays on this thread).
        let fitted = match prepared {
            Ok(p) => {
                let mut out = None;
                pool.in_place_scope(|scope| {
                    scope.spawn(|_| out = Some(work(p, camera)));
                    next = sites.get(index + 1).map(prepare);
                });
                // Always set: the scope returns once its job has.
                out.ok_or(TerrainError::Cancelled)
            }
            Err(e) => {
                next = sites.get(index + 1).map(prepare);
                Err(e)
            }
        };
        progress(index + 1, sites.len());
        let (fit, error) = match fitted {
            Ok(fit) => (Some(fit), None),
            Err(e @ (TerrainError::NoElevation { .. } | TerrainError::BelowGround { .. })) => {
                (None, Some(e))
            }
            Err(e) => return Err(e),
        };
        ranked.push(Ranked {
            rank: 0,
            index,
            site: *site,
            fit,
            error,
        });
    }
    let key = |r: &Ranked| r.fit.map_or(f64::INFINITY, |f| f.score.mean_deg);
    ranked.sort_by(|a, b| key(a).total_cmp(&key(b)).then(a.index.cmp(&b.index)));
    for (i, r) in ranked.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    Ok(ranked)
}

/// Sites every `step_m` metres over a box (west, south, east, north in degrees), each
/// `height_m` above the ground.
pub fn grid_sites(
    [west, south, east, north]: [f64; 4],
    step_m: f64,
    height_m: f64,
) -> Result<Vec<Site>, TerrainError> {
    let valid = [west, south, east, north].iter().all(|v| v.is_finite())
        && west < east
        && south < north
        && (-90.0..=90.0).contains(&south)
        && (-90.0..=90.0).contains(&north)
        && (-180.0..=180.0).contains(&west)
        && (-180.0..=180.0).contains(&east);
    if !valid {
        return Err(TerrainError::BadBox {
            west,
            south,
            east,
            north,
        });
    }
    if !step_m.is_finite() || step_m <= 0.0 {
        return Err(TerrainError::bad(
            "grid step",
            step_m,
            "must be a positive distance in metres",
        ));
    }
    let (m_lon, m_lat) = metres_per_degree((south + north) / 2.0);
    let (dlat, dlon) = (step_m / m_lat, step_m / m_lon.max(1e-6));
    let rows = ((north - south) / dlat).floor() as usize + 1;
    let cols = ((east - west) / dlon).floor() as usize + 1;
    if rows.saturating_mul(cols) > MAX_SITES {
        return Err(TerrainError::bad(
            "grid step",
            step_m,
            &format!("gives {rows}×{cols} sites, more than a scan takes ({MAX_SITES})"),
        ));
    }
    let mut sites = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for c in 0..cols {
            if let Ok(at) = LatLon::new(south + r as f64 * dlat, west + c as f64 * dlon) {
                sites.push(Site {
                    at,
                    height_m,
                    reference: HeightRef::AboveGround,
                });
            }
        }
    }
    Ok(sites)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_covers_the_box_at_the_step() {
        let sites = grid_sites([15.0, 45.0, 15.01, 45.01], 250.0, 2.0).unwrap();
        // 0.01° is about 1112 m north and 787 m east at 45°: 5 rows, 4 columns.
        assert_eq!(sites.len(), 5 * 4, "{}", sites.len());
        assert!(sites.iter().all(|s| s.height_m == 2.0));
        let e = grid_sites([15.0, 45.0, 14.0, 46.0], 100.0, 2.0).unwrap_err();
        assert!(e.to_string().contains("15"), "{e}");
        assert!(grid_sites([0.0, 0.0, 10.0, 10.0], 1.0, 2.0).is_err());
    }
}
