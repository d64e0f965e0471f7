//! A finding's skyline fit (#33): the frame's skyline as the analyst traced it, the
//! camera whose terrain skyline fits it best, the score, and the elevation files (with
//! their SHA-256) the skyline was rendered from, so a reviewer can render it again
//! (`geoproof terrain fit`). The score measures agreement; it is not proof of a place.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::comparison::FrameRef;
use super::invalid::Invalid;
use crate::terrain::fit::{Score, Trace};
use crate::terrain::skyline::Camera;
use crate::terrain::{Curvature, ElevationFileRef};

/// The most points a stored trace may hold.
pub const MAX_TRACE_POINTS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkylineFit {
    /// The evidence item (SHA-256) whose frame was traced.
    pub evidence: String,
    /// For a video: the frame traced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<FrameRef>,
    /// The camera: position, height, heading, pitch, roll, field of view, frame size.
    pub camera: Camera,
    /// The elevation files the skyline was rendered from.
    pub dem: Vec<ElevationFileRef>,
    /// The traced skyline, frame pixels (EXIF orientation applied).
    pub trace: Trace,
    pub score: Score,
    /// Degrees between the horizon's rays, how far it was searched, and the curvature.
    pub horizon_step_deg: f64,
    pub max_distance_m: f64,
    pub curvature: Curvature,
    pub fitted_at: DateTime<Utc>,
}

impl SkylineFit {
    /// Structure only: numbers finite and in range, hashes well formed, the trace inside
    /// the frame and not absurdly long.
    pub fn check(&self) -> Result<(), Invalid> {
        let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex64(&self.evidence) {
            return Err(Invalid::rule(
                "skyline fit evidence",
                "is not an evidence SHA-256",
            ));
        }
        let c = &self.camera;
        crate::terrain::skyline::check(c)
            .map_err(|e| Invalid::rule("skyline fit camera", e.to_string()))?;
        let placed = (-90.0..=90.0).contains(&c.site.at.lat)
            && (-180.0..=180.0).contains(&c.site.at.lon)
            && c.site.height_m.is_finite();
        if !placed {
            return Err(Invalid::rule(
                "skyline fit camera",
                "the camera's position is not a valid place and height",
            ));
        }
        if self.dem.is_empty() {
            return Err(Invalid::rule(
                "skyline fit elevation",
                "names no elevation file",
            ));
        }
        for file in &self.dem {
            file.check()
                .map_err(|e| Invalid::rule("skyline fit elevation", e.to_string()))?;
        }
        let points: usize = self.trace.polylines.iter().map(Vec::len).sum();
        if points > MAX_TRACE_POINTS {
            return Err(Invalid::TooMany {
                field: "traced skyline points".into(),
                count: points,
                max: MAX_TRACE_POINTS,
            });
        }
        self.trace
            .check(c.width, c.height)
            .map_err(|e| Invalid::rule("skyline fit trace", e.to_string()))?;
        let s = &self.score;
        let numbers = [
            s.mean_deg,
            s.max_deg,
            self.horizon_step_deg,
            self.max_distance_m,
            self.curvature.refraction,
        ];
        if !numbers.iter().all(|v| v.is_finite() && *v >= -1.0) || s.mean_deg < 0.0 {
            return Err(Invalid::rule(
                "skyline fit score",
                "the score or horizon settings are not valid numbers",
            ));
        }
        Ok(())
    }
}
