//! When a clip was shot, from its container's tags. A phone's capture date comes first:
//! Apple's `com.apple.quicktime.creationdate` (local time with its UTC offset), then other
//! capture-date tags; the container's `creation_time` is only a fallback, since it is when
//! the file was last written (an edit, an export or a transfer rewrites it). When the
//! tags disagree by more than a minute, the record keeps the others beside the one used.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Capture-date tags (ffprobe's keys, lower-cased), most trusted first. `date` is
/// QuickTime's `©day`, `date_recorded` Matroska's `DATE_RECORDED`.
const CAPTURE_TAGS: &[&str] = &["com.apple.quicktime.creationdate", "date", "date_recorded"];

/// The container's own time: when the file was written, not when it was shot.
pub const WRITTEN_TAG: &str = "creation_time";

/// Times further apart than this are reported as a disagreement.
const AGREEMENT_S: i64 = 60;

/// A time tag as the file carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeTag {
    /// ffprobe's key, e.g. `creation_time`.
    pub tag: String,
    /// The value as written in the file.
    pub value: String,
}

impl TimeTag {
    pub fn meaning(&self) -> &'static str {
        tag_meaning(&self.tag)
    }
}

/// What a time tag means, for people: `creation_time` is often taken for the shooting
/// time, and is not.
pub fn tag_meaning(tag: &str) -> &'static str {
    if tag == WRITTEN_TAG {
        "when the file was last written"
    } else {
        "the capture date"
    }
}

/// The capture time found in a clip's tags.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaptureTime {
    /// `YYYY-MM-DDTHH:MM:SS±HH:MM` when the tag gives an offset, `…Z` when it is UTC.
    pub taken_at: Option<String>,
    /// The tag `taken_at` was read from.
    pub tag: Option<String>,
    /// Readable time tags more than a minute away from the one used.
    pub disagreeing: Vec<TimeTag>,
    pub warnings: Vec<String>,
}

/// Reads the capture time from `tags` (key lower-cased, value), the first readable tag
/// in order of trust.
pub fn capture_time(tags: &[(String, String)]) -> CaptureTime {
    let mut found = CaptureTime::default();
    let mut readable: Vec<(TimeTag, DateTime<FixedOffset>, bool)> = Vec::new();
    for key in CAPTURE_TAGS.iter().chain(std::iter::once(&WRITTEN_TAG)) {
        let Some(text) = tags
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
        else {
            continue;
        };
        let tag = TimeTag {
            tag: (*key).to_owned(),
            value: text.to_owned(),
        };
        match parse(text) {
            Some((time, utc)) => readable.push((tag, time, utc)),
            // A bare year or day (`©day` of a music video) is no capture time.
            None if date_only(text) => {}
            None => found.warnings.push(format!(
                "time tag {key} {text:?} could not be read; ignored"
            )),
        }
    }
    let Some((used, time, utc)) = readable.first().cloned() else {
        return found;
    };
    found.taken_at = Some(if utc {
        time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        time.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
    });
    for (other, other_time, _) in &readable[1..] {
        let apart = (other_time.timestamp() - time.timestamp()).abs();
        if apart > AGREEMENT_S {
            found.warnings.push(format!(
                "{} {} and {} {} ({}) are {} apart; the capture time is taken from {}",
                used.tag,
                used.value,
                other.tag,
                other.value,
                other.meaning(),
                span_text(apart),
                used.tag
            ));
            found.disagreeing.push(other.clone());
        }
    }
    found.tag = Some(used.tag);
    found
}

/// `2024-03-22T15:04:05.000000Z` (UTC), `2019-02-12T15:27:12+0800` or `…+08:00` (Apple,
/// local time with offset), `2024-03-22 15:04:05` (MP4 without zone: UTC by definition).
/// The flag says the time is UTC.
pub fn parse(text: &str) -> Option<(DateTime<FixedOffset>, bool)> {
    let utc = |t: DateTime<FixedOffset>| {
        let zulu = text.ends_with('Z') || text.ends_with('z');
        (t, zulu)
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(utc(t));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(utc(t));
        }
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some((t.and_utc().fixed_offset(), true));
        }
    }
    None
}

/// `2019`, `2019-02-12`: a date without a time of day.
fn date_only(text: &str) -> bool {
    let year = text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit());
    year || NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

/// `4 years 356 days`, `3 h 12 min`, `5 min`.
fn span_text(seconds: i64) -> String {
    let days = seconds / 86_400;
    if days >= 365 {
        format!("{} years {} days", days / 365, days % 365)
    } else if days >= 1 {
        format!("{days} days {} h", seconds % 86_400 / 3600)
    } else if seconds >= 3600 {
        format!("{} h {} min", seconds / 3600, seconds % 3600 / 60)
    } else {
        format!("{} min", seconds / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_utc(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        parse(text).map(|(t, _)| t.with_timezone(&chrono::Utc))
    }

    fn tags(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_apple_capture_date_wins_and_keeps_its_offset() {
        let t = capture_time(&tags(&[
            ("creation_time", "2024-02-02T08:09:57.000000Z"),
            (
                "com.apple.quicktime.creationdate",
                "2019-02-12T15:27:12+0800",
            ),
        ]));
        assert_eq!(t.taken_at.as_deref(), Some("2019-02-12T15:27:12+08:00"));
        assert_eq!(t.tag.as_deref(), Some("com.apple.quicktime.creationdate"));
        assert_eq!(t.disagreeing.len(), 1);
        assert_eq!(t.disagreeing[0].tag, "creation_time");
        assert!(t.warnings[0].contains("4 years"), "{:?}", t.warnings);
    }

    #[test]
    fn tags_within_a_minute_agree() {
        let t = capture_time(&tags(&[
            ("creation_time", "2019-02-12T07:27:40.000000Z"),
            (
                "com.apple.quicktime.creationdate",
                "2019-02-12T15:27:12+08:00",
            ),
        ]));
        assert_eq!(t.taken_at.as_deref(), Some("2019-02-12T15:27:12+08:00"));
        assert!(t.disagreeing.is_empty() && t.warnings.is_empty());
    }

    #[test]
    fn creation_time_is_the_fallback_in_utc() {
        let t = capture_time(&tags(&[
            ("date", "2010"),
            ("creation_time", "2024-03-22T15:04:05.000000Z"),
        ]));
        assert_eq!(t.taken_at.as_deref(), Some("2024-03-22T15:04:05Z"));
        assert_eq!(t.tag.as_deref(), Some("creation_time"));
        assert!(t.warnings.is_empty());
        let t = capture_time(&tags(&[("creation_time", "yesterday")]));
        assert_eq!(t.taken_at, None);
        assert_eq!(t.warnings.len(), 1);
    }

    #[test]
    fn times_become_utc() {
        let t = to_utc("2024-03-22T18:04:05+0300").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-03-22T15:04:05+00:00");
        let t = to_utc("2024-03-22T15:04:05.000000Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-03-22T15:04:05+00:00");
        assert!(to_utc("yesterday").is_none());
    }
}
