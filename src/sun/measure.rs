//! Shadows measured on the board: on a photo or frame, the base and top of a vertical
//! object and the tip of its shadow give shadow length ÷ height with an uncertainty from
//! the marks; on a north-up top-down view (a map snapshot), an object and its shadow's
//! tip give the shadow's bearing. Stored in the finding like annotations.

use serde::{Deserialize, Serialize};

/// How far a mark may be from where it should be, pixels, unless the analyst says.
pub const DEFAULT_MARK_ERROR_PX: f64 = 2.0;
/// The smallest relative tolerance a ratio is given (the flat-ground and
/// perpendicular-view assumptions are never better than this).
pub const MIN_RELATIVE_TOLERANCE: f64 = 0.03;

/// What was marked, in image pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "marks", rename_all = "snake_case")]
pub enum ShadowMarks {
    /// Base and top of a vertical object and the tip of its shadow (side view).
    Ratio {
        base: [f64; 2],
        top: [f64; 2],
        tip: [f64; 2],
    },
    /// An object and the tip of its shadow on a north-up top-down view.
    Bearing { object: [f64; 2], tip: [f64; 2] },
}

/// One shadow measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShadowMeasurement {
    /// Unique within the finding, e.g. `S1`.
    pub id: String,
    pub panel: String,
    #[serde(flatten)]
    pub marks: ShadowMarks,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// How far each mark may be off, pixels.
    #[serde(default = "default_mark_error")]
    pub mark_error_px: f64,
}

fn default_mark_error() -> f64 {
    DEFAULT_MARK_ERROR_PX
}

fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

impl ShadowMeasurement {
    /// Shadow length ÷ object height and its relative tolerance, for a side view.
    /// Each length has two marks, each off by up to `mark_error_px`; the relative
    /// errors of the two lengths add in quadrature.
    pub fn ratio(&self) -> Option<(f64, f64)> {
        let ShadowMarks::Ratio { base, top, tip } = self.marks else {
            return None;
        };
        let (height, shadow) = (distance(base, top), distance(base, tip));
        if height < 1.0 || shadow <= 0.0 {
            return None;
        }
        let per_length = std::f64::consts::SQRT_2 * self.mark_error_px.max(0.0);
        let relative = ((per_length / height).powi(2) + (per_length / shadow).powi(2)).sqrt();
        Some((
            shadow / height,
            relative.clamp(MIN_RELATIVE_TOLERANCE, 0.95),
        ))
    }

    /// The shadow's bearing (degrees from north, clockwise) and its uncertainty, for a
    /// north-up top-down view.
    pub fn bearing(&self) -> Option<(f64, f64)> {
        let ShadowMarks::Bearing { object, tip } = self.marks else {
            return None;
        };
        let (dx, dy) = (tip[0] - object[0], tip[1] - object[1]);
        let length = dx.hypot(dy);
        if length < 1.0 {
            return None;
        }
        // Image y grows downward, toward the south.
        let bearing = dx.atan2(-dy).to_degrees().rem_euclid(360.0);
        let error = (std::f64::consts::SQRT_2 * self.mark_error_px.max(0.0) / length)
            .atan()
            .to_degrees()
            .max(1.0);
        Some((bearing, error))
    }

    /// Every marked point (for checks and drawing).
    pub fn points(&self) -> Vec<[f64; 2]> {
        match self.marks {
            ShadowMarks::Ratio { base, top, tip } => vec![base, top, tip],
            ShadowMarks::Bearing { object, tip } => vec![object, tip],
        }
    }

    /// Moves mark `index` (in [`ShadowMeasurement::points`] order) to `p`.
    pub fn set_point(&mut self, index: usize, p: [f64; 2]) {
        match &mut self.marks {
            ShadowMarks::Ratio { base, top, tip } => match index {
                0 => *base = p,
                1 => *top = p,
                2 => *tip = p,
                _ => {}
            },
            ShadowMarks::Bearing { object, tip } => match index {
                0 => *object = p,
                1 => *tip = p,
                _ => {}
            },
        }
    }

    /// What the measurement says, in a line.
    pub fn summary(&self) -> String {
        if let Some((r, tol)) = self.ratio() {
            format!("shadow ÷ height {r:.3} ± {:.0} %", tol * 100.0)
        } else if let Some((b, e)) = self.bearing() {
            format!("shadow toward {b:.1}° ± {e:.1}°")
        } else {
            "too short to measure".into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(base: [f64; 2], top: [f64; 2], tip: [f64; 2], err: f64) -> ShadowMeasurement {
        ShadowMeasurement {
            id: "S1".into(),
            panel: "P1".into(),
            marks: ShadowMarks::Ratio { base, top, tip },
            label: String::new(),
            mark_error_px: err,
        }
    }

    #[test]
    fn ratio_is_shadow_over_height_with_mark_error() {
        let m = ratio([100.0, 500.0], [100.0, 300.0], [400.0, 500.0], 2.0);
        let (r, tol) = m.ratio().unwrap();
        assert!((r - 1.5).abs() < 1e-12);
        // √2·2 px on 200 px and on 300 px: √(0.01414² + 0.00943²) = 1.7 %, floored at 3 %.
        assert!((tol - MIN_RELATIVE_TOLERANCE).abs() < 1e-12);
        let rough = ratio([100.0, 500.0], [100.0, 300.0], [400.0, 500.0], 10.0);
        let (_, tol) = rough.ratio().unwrap();
        assert!(
            (tol - ((14.142 / 200.0f64).powi(2) + (14.142 / 300.0f64).powi(2)).sqrt()).abs() < 1e-4
        );
        assert!(
            ratio([0.0, 0.0], [0.0, 0.5], [10.0, 0.0], 2.0)
                .ratio()
                .is_none()
        );
    }

    #[test]
    fn bearing_is_clockwise_from_north_up() {
        let m = |tip: [f64; 2]| ShadowMeasurement {
            id: "S2".into(),
            panel: "P1".into(),
            marks: ShadowMarks::Bearing {
                object: [100.0, 100.0],
                tip,
            },
            label: String::new(),
            mark_error_px: 2.0,
        };
        assert!((m([100.0, 0.0]).bearing().unwrap().0 - 0.0).abs() < 1e-9);
        assert!((m([200.0, 100.0]).bearing().unwrap().0 - 90.0).abs() < 1e-9);
        assert!((m([100.0, 200.0]).bearing().unwrap().0 - 180.0).abs() < 1e-9);
        assert!((m([0.0, 0.0]).bearing().unwrap().0 - 315.0).abs() < 1e-9);
    }

    #[test]
    fn round_trips_as_json() {
        let m = ratio([1.0, 2.0], [1.0, 0.0], [5.0, 2.0], 2.0);
        let text = serde_json::to_string(&m).unwrap();
        assert!(text.contains("\"marks\":\"ratio\""), "{text}");
        let back: ShadowMeasurement = serde_json::from_str(&text).unwrap();
        assert_eq!(back, m);
    }
}
