//! A finding's georeference: control points pinning one of its image panels to the
//! ground, the method fitted through them, how the overlay is shown, and (for an oblique
//! photo) the camera position estimated from the fit. The fit itself is not stored: it is
//! recomputed from the points (`spatial::georef::fit`), so a reviewer's copy and the
//! analyst's can never disagree about residuals.

use serde::{Deserialize, Serialize};

use super::invalid::Invalid;
use crate::spatial::georef::{self, ControlPoint, Fit, FitError, Method};

/// How opaque the overlay is drawn when nothing was chosen.
pub const DEFAULT_OPACITY: f32 = 0.6;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Georeference {
    /// The panel (of this finding) whose image is georeferenced.
    pub panel: String,
    pub method: Method,
    /// Control points in image pixels (EXIF orientation applied) and degrees.
    #[serde(default)]
    pub points: Vec<ControlPoint>,
    /// Overlay opacity on the map, 0–1.
    #[serde(default = "default_opacity")]
    pub opacity: f32,
    /// Whether the fitted image is drawn on the map.
    #[serde(default = "yes")]
    pub show_overlay: bool,
    /// The camera position estimated from a projective fit, if the analyst asked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera: Option<CameraEstimate>,
}

fn default_opacity() -> f32 {
    DEFAULT_OPACITY
}

fn yes() -> bool {
    true
}

/// Where the camera stood, estimated from the ground plane's projective fit and a focal
/// length: never GPS, always marked as an estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CameraEstimate {
    pub lat: f64,
    pub lon: f64,
    /// Height above the fitted ground plane, metres.
    pub height_m: f64,
    /// Direction the camera looks, degrees clockwise from true north.
    pub heading_deg: f64,
    /// How far the camera looks below the horizon, degrees (90 = straight down); none in
    /// estimates made before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tilt_deg: Option<f64>,
    /// Horizontal field of view used, degrees, and where it came from.
    pub fov_deg: f64,
    pub fov_source: String,
    /// Radius (metres) within which the position moves when any one control point is
    /// left out: how much the estimate rests on single points.
    pub uncertainty_m: f64,
}

impl Georeference {
    pub fn new(panel: &str, method: Method) -> Georeference {
        Georeference {
            panel: panel.to_owned(),
            method,
            points: Vec::new(),
            opacity: DEFAULT_OPACITY,
            show_overlay: true,
            camera: None,
        }
    }

    /// The fit through the points, or why there is none yet.
    pub fn fit(&self) -> Result<Fit, FitError> {
        georef::fit(&self.points, self.method)
    }

    /// Structure only (numbers finite and in range); whether the points define a fit is
    /// not an error of the record, it is shown to the analyst.
    pub fn check(&self) -> Result<(), Invalid> {
        if self.points.len() > 10_000 {
            return Err(Invalid::TooMany {
                field: "control points".into(),
                count: self.points.len(),
                max: 10_000,
            });
        }
        for (i, p) in self.points.iter().enumerate() {
            let ok = [p.x, p.y].iter().all(|v| v.is_finite() && v.abs() <= 1e7)
                && (-90.0..=90.0).contains(&p.lat)
                && (-180.0..=180.0).contains(&p.lon);
            if !ok {
                return Err(Invalid::rule(
                    "control point",
                    format!("control point {} is not a valid pixel and place", i + 1),
                ));
            }
        }
        if !(self.opacity.is_finite() && (0.0..=1.0).contains(&self.opacity)) {
            return Err(Invalid::rule(
                "overlay opacity",
                format!("overlay opacity {} is not between 0 and 1", self.opacity),
            ));
        }
        if let Some(c) = &self.camera {
            let ok = (-90.0..=90.0).contains(&c.lat)
                && (-180.0..=180.0).contains(&c.lon)
                && c.height_m.is_finite()
                && c.heading_deg.is_finite()
                && c.tilt_deg.is_none_or(|t| (-90.0..=90.0).contains(&t))
                && c.fov_deg.is_finite()
                && c.fov_deg > 0.0
                && c.fov_deg < 180.0
                && c.uncertainty_m.is_finite()
                && c.uncertainty_m >= 0.0
                && c.fov_source.len() <= 256;
            if !ok {
                return Err(Invalid::rule(
                    "camera",
                    "the estimated camera position is not a valid place",
                ));
            }
        }
        Ok(())
    }
}
