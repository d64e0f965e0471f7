//! The Earth's curvature and the atmosphere's refraction as one drop in height with
//! distance: a point `d` metres away sits `(1 − k)·d²/(2R)` lower than on a flat Earth,
//! `k` the refraction coefficient. With the default k = 1/7 this is GDAL's
//! `gdal_viewshed -cc 0.85714`.

use serde::{Deserialize, Serialize};

use super::error::TerrainError;

/// The mean Earth radius (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The standard refraction coefficient for visible light near the ground.
pub const DEFAULT_REFRACTION: f64 = 1.0 / 7.0;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Curvature {
    /// Refraction coefficient k: 0 is no refraction, 1 cancels the curvature.
    pub refraction: f64,
}

impl Default for Curvature {
    fn default() -> Self {
        Curvature {
            refraction: DEFAULT_REFRACTION,
        }
    }
}

impl Curvature {
    /// Refuses a coefficient outside −1..1 (beyond it light bends more than the Earth).
    pub fn new(refraction: f64) -> Result<Curvature, TerrainError> {
        if !refraction.is_finite() || !(-1.0..=1.0).contains(&refraction) {
            return Err(TerrainError::bad(
                "--refraction",
                refraction,
                "the refraction coefficient must be between -1 and 1 (standard 0.14)",
            ));
        }
        Ok(Curvature { refraction })
    }

    /// `(1 − k) / (2R)`: the drop per square metre of distance.
    pub fn per_m2(&self) -> f64 {
        (1.0 - self.refraction) / (2.0 * EARTH_RADIUS_M)
    }

    /// How much lower a point `distance_m` away appears than on a flat Earth, metres.
    pub fn drop_m(&self, distance_m: f64) -> f64 {
        self.per_m2() * distance_m * distance_m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matches_gdal_cc() {
        let c = Curvature::default();
        // gdal_viewshed: height -= 0.85714 · d² / diameter.
        let d: f64 = 10_000.0;
        let gdal = 0.85714 * d * d / (2.0 * EARTH_RADIUS_M);
        assert!(
            (c.drop_m(d) - gdal).abs() < 1e-4,
            "{} vs {gdal}",
            c.drop_m(d)
        );
        assert!((c.drop_m(d) - 6.727).abs() < 0.01);
    }

    #[test]
    fn refuses_absurd_coefficients() {
        assert!(Curvature::new(f64::NAN).is_err());
        assert!(Curvature::new(3.0).is_err());
        assert_eq!(Curvature::new(1.0).unwrap().drop_m(1e5), 0.0);
    }
}
