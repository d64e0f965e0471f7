//! Where the sun is: azimuth, true and apparent elevation from NREL's Solar Position
//! Algorithm (Reda & Andreas 2003, via `solar-positioning`), and the day's sunrise,
//! solar noon and sunset in the local time zone.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use solar_positioning::{Horizon, Location, RefractionCorrection, SolarEvents, SolarPositions};

use super::error::SunError;
use crate::spatial::LatLon;

/// The air that bends sunlight near the horizon (refraction).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Atmosphere {
    pub pressure_hpa: f64,
    pub temperature_c: f64,
}

impl Default for Atmosphere {
    /// The standard atmosphere at sea level.
    fn default() -> Atmosphere {
        Atmosphere {
            pressure_hpa: 1013.25,
            temperature_c: 15.0,
        }
    }
}

impl Atmosphere {
    pub(crate) fn correction(&self) -> Result<RefractionCorrection, SunError> {
        RefractionCorrection::new(self.pressure_hpa, self.temperature_c)
            .map_err(|e| SunError::Input(format!("atmosphere: {e}")))
    }
}

/// The sun seen from a point at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SunPosition {
    /// Degrees clockwise from true north.
    pub azimuth_deg: f64,
    /// Geometric (topocentric) elevation, degrees.
    pub elevation_deg: f64,
    /// As seen through the atmosphere (refraction added), degrees: what shadows follow.
    pub apparent_elevation_deg: f64,
}

impl SunPosition {
    /// Shadow length ÷ object height on flat ground (1 / tan of the apparent elevation);
    /// `None` when the sun is not above the horizon.
    pub fn shadow_ratio(&self) -> Option<f64> {
        (self.apparent_elevation_deg > 0.0)
            .then(|| 1.0 / self.apparent_elevation_deg.to_radians().tan())
    }

    /// The direction a shadow points, degrees clockwise from true north.
    pub fn shadow_bearing_deg(&self) -> f64 {
        (self.azimuth_deg + 180.0) % 360.0
    }
}

/// ΔT (TT − UT, seconds) for the instant, from Espenak & Meeus' fits.
pub fn delta_t(instant: DateTime<Utc>) -> f64 {
    solar_positioning::delta_t::estimate_from_date_like(&instant.date_naive()).unwrap_or(69.0)
}

pub(crate) fn location(p: LatLon) -> Result<Location, SunError> {
    if !(p.lat.is_finite() && p.lon.is_finite() && (-90.0..=90.0).contains(&p.lat)) {
        return Err(SunError::Input(format!(
            "{}, {} is not a point on Earth",
            p.lat, p.lon
        )));
    }
    Ok(Location {
        latitude: p.lat,
        longitude: ((p.lon + 180.0).rem_euclid(360.0)) - 180.0,
    })
}

/// The sun at `p` (height in metres above sea level) at `instant`, with ΔT given in
/// seconds (`None`: estimated) and `atmosphere` for refraction.
pub fn sun_at(
    p: LatLon,
    height_m: f64,
    instant: DateTime<Utc>,
    delta_t_s: Option<f64>,
    atmosphere: Atmosphere,
) -> Result<SunPosition, SunError> {
    let location = location(p)?;
    let dt = delta_t_s.unwrap_or_else(|| delta_t(instant));
    let positions = SolarPositions::new();
    let fail = |e: solar_positioning::Error| SunError::Input(e.to_string());
    let geometric = positions
        .at(&instant, location, height_m, dt, None)
        .map_err(fail)?;
    let apparent = positions
        .at(
            &instant,
            location,
            height_m,
            dt,
            Some(atmosphere.correction()?),
        )
        .map_err(fail)?;
    Ok(SunPosition {
        azimuth_deg: geometric.azimuth(),
        elevation_deg: geometric.elevation_angle(),
        apparent_elevation_deg: apparent.elevation_angle(),
    })
}

/// A day's sunrise, solar noon and sunset, or why there are none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayEvents {
    /// The local calendar date the events belong to.
    pub date: NaiveDate,
    pub sunrise_utc: Option<DateTime<Utc>>,
    pub solar_noon_utc: Option<DateTime<Utc>>,
    pub sunset_utc: Option<DateTime<Utc>>,
    /// `polar day` or `polar night` when the sun neither rises nor sets that day.
    pub polar: Option<&'static str>,
}

/// Sunrise, solar noon and sunset at `p` on local date `date` in time zone `zone`.
pub fn day_events<Tz: TimeZone>(
    p: LatLon,
    date: NaiveDate,
    zone: &Tz,
) -> Result<DayEvents, SunError> {
    let location = location(p)?;
    let noon = date
        .and_hms_opt(12, 0, 0)
        .map(|t| t.and_utc())
        .ok_or_else(|| SunError::Input(format!("{date}: not a date")))?;
    let events = SolarEvents::new()
        .for_date(date, zone, location, delta_t(noon), Horizon::SunriseSunset)
        .map_err(|e| SunError::Input(e.to_string()))?;
    let utc = |t: Option<&DateTime<Tz>>| t.map(|t| t.with_timezone(&Utc));
    let polar = if events.always_above() {
        Some("polar day")
    } else if events.always_below() {
        Some("polar night")
    } else {
        None
    };
    Ok(DayEvents {
        date,
        sunrise_utc: utc(events.rises.first()),
        solar_noon_utc: utc(events.transits.first()),
        sunset_utc: utc(events.sets.last()),
        polar,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NREL's `spa_tester` reference (Reda & Andreas 2003, table A4.1).
    #[test]
    fn nrel_reference_point_to_a_ten_thousandth_of_a_degree() {
        let instant = DateTime::parse_from_rfc3339("2003-10-17T12:30:30-07:00")
            .unwrap()
            .with_timezone(&Utc);
        let p = LatLon {
            lat: 39.742476,
            lon: -105.1786,
        };
        let sun = sun_at(
            p,
            1830.14,
            instant,
            Some(67.0),
            Atmosphere {
                pressure_hpa: 820.0,
                temperature_c: 11.0,
            },
        )
        .unwrap();
        let zenith = 90.0 - sun.apparent_elevation_deg;
        assert!((zenith - 50.111622).abs() < 1e-4, "zenith {zenith}");
        assert!(
            (sun.azimuth_deg - 194.340241).abs() < 1e-4,
            "azimuth {}",
            sun.azimuth_deg
        );
        assert!(
            sun.apparent_elevation_deg > sun.elevation_deg,
            "refraction lifts the sun"
        );
    }

    #[test]
    fn polar_day_and_night_have_no_sunrise() {
        let svalbard = LatLon {
            lat: 78.22,
            lon: 15.65,
        };
        let summer = day_events(
            svalbard,
            NaiveDate::from_ymd_opt(2024, 6, 21).unwrap(),
            &Utc,
        )
        .unwrap();
        assert_eq!(summer.polar, Some("polar day"));
        assert!(summer.sunrise_utc.is_none() && summer.sunset_utc.is_none());
        let winter = day_events(
            svalbard,
            NaiveDate::from_ymd_opt(2024, 12, 21).unwrap(),
            &Utc,
        )
        .unwrap();
        assert_eq!(winter.polar, Some("polar night"));
        let bryansk = LatLon {
            lat: 53.079839,
            lon: 34.554344,
        };
        let march =
            day_events(bryansk, NaiveDate::from_ymd_opt(2024, 3, 23).unwrap(), &Utc).unwrap();
        let (rise, noon, set) = (
            march.sunrise_utc.unwrap(),
            march.solar_noon_utc.unwrap(),
            march.sunset_utc.unwrap(),
        );
        assert!(rise < noon && noon < set, "{march:?}");
        // Near the equinox the day is about 12 h long.
        let hours = (set - rise).num_minutes() as f64 / 60.0;
        assert!((11.9..12.6).contains(&hours), "{hours}");
    }
}
