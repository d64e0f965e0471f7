//! Chronolocation: where the sun was (NREL's SPA), times and time zones offline, and
//! what a shadow says about the time at a place and the place at a time. No UI here.

mod error;
pub mod measure;
pub mod position;
pub mod shadow;
pub mod time;

pub use error::SunError;
pub use measure::{ShadowMarks, ShadowMeasurement};
pub use position::{Atmosphere, DayEvents, SunPosition, day_events, delta_t, sun_at};
pub use shadow::{BearingMeasure, Locus, RatioMeasure, Window, locus, windows_on};
pub use time::{local_to_utc, parse_instant, zone_at, zone_or_utc};

/// The published arrest point of the seed investigation, for tests.
#[cfg(test)]
pub(crate) const BRYANSK: crate::spatial::LatLon = crate::spatial::LatLon {
    lat: 53.079839,
    lon: 34.554344,
};
