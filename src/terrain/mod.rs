//! Terrain: elevation from DEM files read with GDAL (any CRS, several tiles as one
//! surface), and what it says about sight: profiles and line of sight, viewsheds, the
//! horizon around a point and the skyline a camera would see. No UI here.
//!
//! Heights given for an observer, target or camera are above the ground unless marked
//! absolute; the Earth's curvature and refraction ([`Curvature`]) are applied throughout.

mod atan;
mod curvature;
mod error;
pub mod fit;
pub mod hillshade;
pub mod horizon;
mod layer;
pub mod map_tile;
pub mod profile;
mod sample;
pub mod skyline;
mod source;
pub mod viewshed;

pub use curvature::{Curvature, DEFAULT_REFRACTION, EARTH_RADIUS_M};
pub use error::TerrainError;
pub use layer::{ElevationFileRef, ElevationLayers};
pub use sample::{Surface, Tile, metres_per_degree};
pub use source::{Dem, MAX_CELLS, TileInfo};

use serde::{Deserialize, Serialize};

use crate::spatial::LatLon;

/// What a height is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HeightRef {
    /// Metres above the ground under the point.
    AboveGround,
    /// Metres in the DEM's vertical datum (usually above sea level).
    Absolute,
}

/// A point with a height: an observer, a target or a camera.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Site {
    pub at: LatLon,
    pub height_m: f64,
    pub reference: HeightRef,
}

/// Where a site stands, resolved on the surface.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Placed {
    pub at: LatLon,
    /// CRS coordinates.
    pub x: f64,
    pub y: f64,
    /// The ground under it, metres.
    pub ground_m: f64,
    /// Its absolute height, metres.
    pub z_m: f64,
}

impl Site {
    /// Places the site on the surface. `what` names it in errors ("observer", "camera").
    /// Refuses a point without ground under it and a height below the ground.
    pub fn place(&self, dem: &Dem, what: &str) -> Result<Placed, TerrainError> {
        if !self.height_m.is_finite() {
            return Err(TerrainError::bad(
                &format!("{what} height"),
                self.height_m,
                "not a number",
            ));
        }
        let missing = || TerrainError::NoElevation {
            what: what.to_owned(),
            lat: self.at.lat,
            lon: self.at.lon,
        };
        let (x, y) = dem.to_crs(self.at).ok_or_else(missing)?;
        let ground_m = dem.surface().bilinear(x, y).ok_or_else(missing)?;
        let z_m = match self.reference {
            HeightRef::AboveGround => ground_m + self.height_m,
            HeightRef::Absolute => self.height_m,
        };
        if z_m < ground_m {
            return Err(TerrainError::BelowGround {
                what: what.to_owned(),
                lat: self.at.lat,
                lon: self.at.lon,
                ground: ground_m,
                below: ground_m - z_m,
            });
        }
        Ok(Placed {
            at: self.at,
            x,
            y,
            ground_m,
            z_m,
        })
    }
}
