//! An elevation profile along the geodesic between two points, and whether a target at
//! the end can be seen from an observer at the start: the sight line is drawn in the
//! curvature-corrected frame (each sample lowered by [`Curvature::drop_m`] of its distance
//! from the observer), and the first sample above it is the first obstruction.
//!
//! Samples without elevation (outside the tiles, nodata) are reported as holes; they are
//! never interpolated across. If nothing obstructs but there are holes, the verdict is
//! unknown.

use serde::Serialize;

use super::{Curvature, Dem, Site, TerrainError};
use crate::spatial::{LatLon, destination, measure};

/// The most samples one profile may have.
pub const MAX_SAMPLES: usize = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    pub distance_m: f64,
    pub at: LatLon,
    /// Bilinear elevation, metres (None in a hole).
    pub elevation_m: Option<f64>,
    /// Elevation lowered for curvature and refraction as seen from the observer.
    pub corrected_m: Option<f64>,
    /// The sight line's height here, in the same corrected frame.
    pub sightline_m: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Visible,
    Hidden,
    /// Nothing obstructs where there is data, but the line crosses holes.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Obstruction {
    pub distance_m: f64,
    pub at: LatLon,
    pub elevation_m: f64,
    /// How far the terrain rises above the sight line there, metres.
    pub above_sightline_m: f64,
}

/// A run of samples without elevation, by distance from the observer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Hole {
    pub from_m: f64,
    pub to_m: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub distance_m: f64,
    pub azimuth_deg: f64,
    pub step_m: f64,
    pub observer_ground_m: f64,
    pub observer_m: f64,
    pub target_ground_m: f64,
    pub target_m: f64,
    pub curvature: Curvature,
    pub verdict: Verdict,
    pub first_obstruction: Option<Obstruction>,
    /// The least clearance of the sight line over the terrain between the ends, metres
    /// (negative when obstructed; None when no sample between has elevation).
    pub min_clearance_m: Option<f64>,
    pub holes: Vec<Hole>,
    pub samples: Vec<Sample>,
}

/// The profile from `observer` to `target`, a sample every `step_m` (default: the DEM's
/// cell size).
pub fn profile(
    dem: &Dem,
    observer: Site,
    target: Site,
    step_m: Option<f64>,
    curvature: Curvature,
) -> Result<Profile, TerrainError> {
    let from = observer.place(dem, "observer")?;
    let to = target.place(dem, "target")?;
    let m = measure(from.at, to.at);
    let step = step_m.unwrap_or_else(|| dem.resolution_m());
    if !step.is_finite() || step <= 0.0 {
        return Err(TerrainError::bad(
            "--step",
            step,
            "must be a positive distance in metres",
        ));
    }
    if m.distance_m <= 0.0 {
        return Err(TerrainError::bad(
            "profile length",
            m.distance_m,
            "the two ends are the same point",
        ));
    }
    let n = (m.distance_m / step).ceil().max(1.0);
    if n > MAX_SAMPLES as f64 {
        return Err(TerrainError::bad(
            "--step",
            step,
            &format!(
                "gives more than {MAX_SAMPLES} samples over {:.0} m",
                m.distance_m
            ),
        ));
    }
    let n = n as usize;
    let total = m.distance_m;
    let target_corrected = to.z_m - curvature.drop_m(total);
    let mut samples = Vec::with_capacity(n + 1);
    for i in 0..=n {
        let d = total * i as f64 / n as f64;
        let at = match i {
            0 => from.at,
            i if i == n => to.at,
            _ => destination(from.at, m.azimuth_deg, d),
        };
        let elevation_m = dem.elevation(at);
        let sightline_m = from.z_m + (target_corrected - from.z_m) * d / total;
        samples.push(Sample {
            distance_m: d,
            at,
            elevation_m,
            corrected_m: elevation_m.map(|e| e - curvature.drop_m(d)),
            sightline_m,
        });
    }
    let inner = &samples[1..n];
    let first_obstruction = inner.iter().find_map(|s| {
        let c = s.corrected_m?;
        (c > s.sightline_m).then(|| Obstruction {
            distance_m: s.distance_m,
            at: s.at,
            elevation_m: s.elevation_m.unwrap_or(c),
            above_sightline_m: c - s.sightline_m,
        })
    });
    let min_clearance_m = inner
        .iter()
        .filter_map(|s| Some(s.sightline_m - s.corrected_m?))
        .reduce(f64::min);
    let holes = holes(&samples);
    let verdict = match (&first_obstruction, holes.is_empty()) {
        (Some(_), _) => Verdict::Hidden,
        (None, true) => Verdict::Visible,
        (None, false) => Verdict::Unknown,
    };
    Ok(Profile {
        distance_m: total,
        azimuth_deg: m.azimuth_deg,
        step_m: total / n as f64,
        observer_ground_m: from.ground_m,
        observer_m: from.z_m,
        target_ground_m: to.ground_m,
        target_m: to.z_m,
        curvature,
        verdict,
        first_obstruction,
        min_clearance_m,
        holes,
        samples,
    })
}

fn holes(samples: &[Sample]) -> Vec<Hole> {
    let mut out: Vec<Hole> = Vec::new();
    let mut open: Option<f64> = None;
    let mut last = 0.0;
    for s in samples {
        match (s.elevation_m.is_none(), open) {
            (true, None) => open = Some(s.distance_m),
            (false, Some(from)) => {
                out.push(Hole {
                    from_m: from,
                    to_m: last,
                });
                open = None;
            }
            _ => {}
        }
        last = s.distance_m;
    }
    if let Some(from) = open {
        out.push(Hole {
            from_m: from,
            to_m: last,
        });
    }
    out
}

/// The samples as CSV (distance, position, elevation, corrected elevation, sight line).
pub fn to_csv(profile: &Profile) -> String {
    let mut out = String::from("distance_m,lat,lon,elevation_m,corrected_m,sightline_m\n");
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
    for s in &profile.samples {
        out.push_str(&format!(
            "{:.3},{:.7},{:.7},{},{},{:.3}\n",
            s.distance_m,
            s.at.lat,
            s.at.lon,
            opt(s.elevation_m),
            opt(s.corrected_m),
            s.sightline_m
        ));
    }
    out
}
