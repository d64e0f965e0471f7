//! What the surface's service is asked to compute: a profile, a viewshed (heights
//! above the ground, refraction coefficient k).

use crate::spatial::LatLon;
use crate::terrain::{Curvature, Dem, HeightRef, Site, profile, viewshed};

/// A profile to compute: between two points, heights above the ground.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfileAsk {
    pub from: LatLon,
    pub to: LatLon,
    pub observer_m: f64,
    pub target_m: f64,
    pub refraction: f64,
}

impl ProfileAsk {
    pub fn run(&self, dem: &Dem) -> Result<profile::Profile, String> {
        let curvature = Curvature::new(self.refraction).map_err(|e| e.to_string())?;
        profile::profile(
            dem,
            above(self.from, self.observer_m),
            above(self.to, self.target_m),
            None,
            curvature,
        )
        .map_err(|e| e.to_string())
    }
}

/// A viewshed to compute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewshedAsk {
    pub at: LatLon,
    pub observer_m: f64,
    pub target_m: f64,
    pub radius_m: Option<f64>,
    /// Heading and full field of view, degrees.
    pub wedge: Option<(f64, f64)>,
    pub refraction: f64,
}

impl ViewshedAsk {
    pub fn run(&self, dem: &Dem) -> Result<viewshed::Viewshed, String> {
        let curvature = Curvature::new(self.refraction).map_err(|e| e.to_string())?;
        let options = viewshed::ViewshedOptions {
            target_m: self.target_m,
            radius_m: self.radius_m,
            wedge: self.wedge,
            curvature,
        };
        viewshed::viewshed(dem, above(self.at, self.observer_m), &options)
            .map_err(|e| e.to_string())
    }
}

fn above(at: LatLon, height_m: f64) -> Site {
    Site {
        at,
        height_m,
        reference: HeightRef::AboveGround,
    }
}
