//! Times for chronolocation are UTC instants. A local time is accepted with an explicit
//! offset, or at a point, converted with the offline IANA database and the time zone
//! boundaries bundled in the program; a local time that a daylight-saving change skips
//! or repeats is refused, naming both candidates.

use std::sync::OnceLock;

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::error::SunError;
use crate::spatial::LatLon;

/// The IANA time zone at a point (the sea's nautical zones where no land zone applies).
pub fn zone_at(p: LatLon) -> Option<Tz> {
    static FINDER: OnceLock<tzf_rs::DefaultFinder> = OnceLock::new();
    let finder = FINDER.get_or_init(tzf_rs::DefaultFinder::new);
    finder.get_tz_name(p.lon, p.lat).parse().ok()
}

/// The zone in which to show times of day at a point: its own, or UTC where the bundled
/// boundaries name none (a display choice; [`parse_instant`] refuses instead of guessing).
pub fn zone_or_utc(p: LatLon) -> Tz {
    zone_at(p).unwrap_or(Tz::UTC)
}

/// `2024-03-22T18:00:00+03:00` or `…Z`; with a trailing ` local`, the local time at
/// `at` (a time without either is refused: a zone is never guessed).
pub fn parse_instant(text: &str, at: Option<LatLon>) -> Result<DateTime<Utc>, SunError> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let (local_text, wants_local) = match text.strip_suffix("local") {
        Some(rest) => (rest.trim(), true),
        None => (text, false),
    };
    let naive = parse_naive(local_text).ok_or_else(|| {
        SunError::Input(format!(
            "{text:?} is not a time (use RFC 3339, e.g. 2024-03-22T18:00:00+03:00)"
        ))
    })?;
    if !wants_local {
        return Err(SunError::Input(format!(
            "{text:?} has no time zone: add Z, an offset such as +03:00, or \" local\" for \
             the local time at the point"
        )));
    }
    let p = at.ok_or_else(|| SunError::Input(format!("{text:?}: a local time needs a point")))?;
    let zone = zone_at(p).ok_or_else(|| {
        SunError::Input(format!(
            "{text:?}: no time zone is known at {:.4}, {:.4}; give an offset",
            p.lat, p.lon
        ))
    })?;
    local_to_utc(naive, &zone)
}

fn parse_naive(text: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
}

/// The UTC instant of a local time in `zone`, refusing the times a daylight-saving
/// change skips (naming the instants on either side) or repeats (naming both).
pub fn local_to_utc(naive: NaiveDateTime, zone: &Tz) -> Result<DateTime<Utc>, SunError> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Err(SunError::Input(format!(
            "{naive} happens twice in {zone} (clocks go back): {} or {}; give the offset",
            a.to_rfc3339(),
            b.to_rfc3339()
        ))),
        LocalResult::None => {
            // The offsets in force an hour either side of the gap.
            let before = zone
                .offset_from_utc_datetime(&(naive - chrono::Duration::hours(3)))
                .fix();
            let after = zone
                .offset_from_utc_datetime(&(naive + chrono::Duration::hours(3)))
                .fix();
            let with = |o: chrono::FixedOffset| {
                o.from_local_datetime(&naive)
                    .single()
                    .map_or_else(|| "?".into(), |t| t.to_rfc3339())
            };
            Err(SunError::Input(format!(
                "{naive} does not exist in {zone} (clocks go forward): {} or {}; give the offset",
                with(before),
                with(after)
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::sun::BRYANSK;

    #[test]
    fn the_zone_at_a_point_comes_from_the_bundled_boundaries() {
        assert_eq!(zone_at(BRYANSK), Some(chrono_tz::Europe::Moscow));
        assert_eq!(
            zone_at(LatLon {
                lat: 40.7128,
                lon: -74.006
            }),
            Some(chrono_tz::America::New_York)
        );
    }

    #[test]
    fn instants_with_offsets_and_local_times_at_a_point() {
        let t = parse_instant("2024-03-22T18:00:00+03:00", None).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-03-22T15:00:00+00:00");
        let local = parse_instant("2024-03-22T18:00 local", Some(BRYANSK)).unwrap();
        assert_eq!(local, t, "Moscow time is UTC+3");
        let err = parse_instant("2024-03-22T18:00", Some(BRYANSK)).unwrap_err();
        assert!(err.to_string().contains("has no time zone"), "{err}");
        assert!(parse_instant("yesterday", None).is_err());
    }

    #[test]
    fn daylight_saving_gaps_and_repeats_name_both_candidates() {
        let berlin = chrono_tz::Europe::Berlin;
        let gap = NaiveDateTime::parse_from_str("2024-03-31T02:30", "%Y-%m-%dT%H:%M").unwrap();
        let err = local_to_utc(gap, &berlin).unwrap_err().to_string();
        assert!(
            err.contains("does not exist") && err.contains("+01:00") && err.contains("+02:00"),
            "{err}"
        );
        let twice = NaiveDateTime::parse_from_str("2024-10-27T02:30", "%Y-%m-%dT%H:%M").unwrap();
        let err = local_to_utc(twice, &berlin).unwrap_err().to_string();
        assert!(
            err.contains("happens twice")
                && err.contains("2024-10-27T02:30:00+02:00")
                && err.contains("2024-10-27T02:30:00+01:00"),
            "{err}"
        );
    }
}
