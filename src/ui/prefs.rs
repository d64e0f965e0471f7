//! Preferences: the defaults new work starts from (field of view, precision radius),
//! what the analyst chose to see of graphic content, and [`Prefs`], what is kept between
//! runs.

use serde::{Deserialize, Serialize};

use super::basemap::SourceChoice;
use super::command::Exposure;

/// The preferences in use this session.
pub struct Preferences {
    /// Camera field of view for direction wedges, degrees.
    pub fov_deg: f64,
    /// Default precision radius for a newly placed candidate location, metres.
    pub default_precision_m: f64,
    /// What the analyst chose to see of graphic content.
    pub exposure: Exposure,
}

impl Default for Preferences {
    fn default() -> Preferences {
        Preferences {
            fov_deg: 60.0,
            default_precision_m: 250.0,
            exposure: Exposure::default(),
        }
    }
}

/// UI preferences kept between runs (the case itself is saved only by the case module).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Greyscale panels and frames, blurred thumbnails, for every item.
    pub reduce_exposure: bool,
    pub basemap: SourceChoice,
    pub online_consent: bool,
    pub show_ledger: bool,
    pub fov_deg: f64,
    pub default_precision_m: f64,
}

impl Default for Prefs {
    fn default() -> Prefs {
        Prefs {
            reduce_exposure: false,
            basemap: SourceChoice::BlueMarble,
            online_consent: false,
            show_ledger: false,
            fov_deg: 60.0,
            default_precision_m: 250.0,
        }
    }
}
