//! What the terrain panels set and the map shows of terrain, kept with the map's state
//! between frames: the hillshade's light, the elevation under the pointer, observer and
//! target heights, the viewshed's settings, and the marks the map draws. The surface and
//! its work live in `ui::terrain`; nothing here touches the case.

use std::path::PathBuf;

use crate::spatial::LatLon;

/// The light of the hillshade, degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sun {
    pub azimuth_deg: f64,
    pub altitude_deg: f64,
}

/// What the map draws for terrain: the profile's sight line and first obstruction, the
/// viewshed's observer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    pub sight: Option<(LatLon, LatLon)>,
    pub obstruction: Option<LatLon>,
    pub observer: Option<LatLon>,
}

/// What the terrain panels set, kept with the map's state.
pub struct TerrainView {
    /// The hillshade's light as set by hand.
    pub sun: Sun,
    /// Light the hillshade with the sun of the selected finding's place and time.
    pub sun_of_finding: bool,
    /// Why the finding's sun is not used (no time, below the horizon).
    pub sun_note: Option<String>,
    /// Files asked to be added (picked in the menu), taken by the app.
    pub to_add: Vec<PathBuf>,
    /// The elevation under the pointer: None when the case has no surface; Some(None)
    /// outside the data or on nodata.
    pub pointer: Option<Option<f64>>,
    /// Observer and target heights above the ground, metres, and the refraction
    /// coefficient (profiles and viewsheds).
    pub observer_m: f64,
    pub target_m: f64,
    pub refraction: f64,
    /// Viewshed: where from (None: no viewshed), whether the next map click picks it,
    /// the radius (km, 0 = the whole surface) and an optional heading ± fov/2.
    pub viewshed_at: Option<LatLon>,
    pub picking_viewshed: bool,
    pub radius_km: f64,
    pub wedge: Option<(f64, f64)>,
    /// What the map draws of the last profile and viewshed (copied from the surface).
    pub marks: Marks,
}

impl Default for TerrainView {
    fn default() -> TerrainView {
        TerrainView {
            sun: Sun {
                azimuth_deg: 315.0,
                altitude_deg: 45.0,
            },
            sun_of_finding: false,
            sun_note: None,
            to_add: Vec::new(),
            pointer: None,
            observer_m: 1.7,
            target_m: 0.0,
            refraction: crate::terrain::DEFAULT_REFRACTION,
            viewshed_at: None,
            picking_viewshed: false,
            radius_km: 10.0,
            wedge: None,
            marks: Marks::default(),
        }
    }
}
