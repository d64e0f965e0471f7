//! When imagery was taken: the dates a file states (GDAL metadata keys, the TIFF
//! `DateTime` tag, Sentinel and Landsat product names) and the date a case records for a
//! layer, with where it came from ("from file (key)" or "entered") and what kind of date
//! it is. A TIFF's `DateTime` is when the file was written (processing), never taken
//! for a capture date; a date nothing states is unknown, never guessed.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// What a date says about the picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateKind {
    /// When the scene was imaged.
    Capture,
    /// When the file or product was made (TIFF `DateTime`, a processing date).
    Processing,
    /// When a provider published the picture (a basemap's release), not when it was taken.
    Release,
}

impl DateKind {
    pub const ALL: [DateKind; 3] = [DateKind::Capture, DateKind::Processing, DateKind::Release];

    /// "captured", "processed (not a capture date)", "released (not a capture date)".
    pub fn label(self) -> &'static str {
        match self {
            DateKind::Capture => "captured",
            DateKind::Processing => "processed (not a capture date)",
            DateKind::Release => "released (not a capture date)",
        }
    }
}

/// Where a recorded date came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum DateSource {
    /// Read from the file: `key` names the metadata item (`IMAGERY/ACQUISITIONDATETIME`,
    /// `TIFFTAG_DATETIME`) or `file name` for a product name.
    File { key: String },
    /// Typed by the analyst.
    Entered,
}

impl DateSource {
    /// "from file (IMAGERY/ACQUISITIONDATETIME)" or "entered".
    pub fn label(&self) -> String {
        match self {
            DateSource::File { key } => format!("from file ({key})"),
            DateSource::Entered => "entered".into(),
        }
    }
}

/// A layer's date as the case records it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LayerDate {
    /// ISO 8601: `2023-05-14`, `2023-05-14T10:15:59` (zone not stated) or
    /// `2023-05-14T10:15:59Z` (UTC).
    pub date: String,
    pub kind: DateKind,
    pub source: DateSource,
}

/// A recorded date that is not a date.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DateError {
    #[error("date '{text}' is not a date (YYYY-MM-DD, optionally with THH:MM:SS and Z for UTC)")]
    NotADate { text: String },
    #[error("date '{date}' says it was read from a file but names no metadata key")]
    NoKey { date: String },
}

impl LayerDate {
    /// A date the analyst typed, normalised (`2023:05:14` and `20230514` accepted).
    pub fn entered(text: &str, kind: DateKind) -> Result<LayerDate, DateError> {
        Ok(LayerDate {
            date: normalise(text).ok_or_else(|| DateError::NotADate {
                text: text.trim().to_owned(),
            })?,
            kind,
            source: DateSource::Entered,
        })
    }

    pub fn check(&self) -> Result<(), DateError> {
        if normalise(&self.date).as_deref() != Some(self.date.as_str()) {
            return Err(DateError::NotADate {
                text: self.date.clone(),
            });
        }
        if matches!(&self.source, DateSource::File { key } if key.trim().is_empty()) {
            return Err(DateError::NoKey {
                date: self.date.clone(),
            });
        }
        Ok(())
    }

    /// "2023-05-14 captured, from file (file name)".
    pub fn caption(&self) -> String {
        format!(
            "{} {}, {}",
            self.date.replace('T', " "),
            self.kind.label(),
            self.source.label()
        )
    }
}

/// "2023-05-14 captured, from file (…)", or "date unknown".
pub fn caption(date: Option<&LayerDate>) -> String {
    date.map_or_else(|| "date unknown".into(), LayerDate::caption)
}

/// A date a file states, before anyone records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundDate {
    pub date: String,
    pub kind: DateKind,
    /// The metadata item or `file name`.
    pub key: String,
}

impl FoundDate {
    pub fn recorded(&self) -> LayerDate {
        LayerDate {
            date: self.date.clone(),
            kind: self.kind,
            source: DateSource::File {
                key: self.key.clone(),
            },
        }
    }
}

/// Metadata keys (any domain, case ignored) that state when the scene was imaged, most
/// specific first: GDAL's imagery readers (`IMAGERY` domain), Landsat MTL, Sentinel,
/// STAC-style and common GeoTIFF metadata written by processing tools.
const CAPTURE_KEYS: [&str; 12] = [
    "ACQUISITIONDATETIME",
    "ACQUISITION_DATETIME",
    "ACQUISITION_DATE",
    "DATE_ACQUIRED",
    "SENSING_TIME",
    "SENSING_START",
    "ACQUISITION_START_TIME",
    "FIRST_LINE_TIME",
    "PRODUCT_START_TIME",
    "DATATAKE_1_DATATAKE_SENSING_START",
    "CAPTURE_DATE",
    "DATETIME",
];

/// Keys that state a release or publication date.
const RELEASE_KEYS: [&str; 3] = ["RELEASE_DATE", "PUBLICATION_DATE", "PUBLISHED"];

/// Keys that state when the file was written.
const PROCESSING_KEYS: [&str; 3] = ["TIFFTAG_DATETIME", "PROCESSING_TIME", "PRODUCTION_TIME"];

/// The dates stated by metadata items `(domain, key, value)` (the default domain is
/// `""`) and by the file's name, capture dates first, then release, then processing.
pub fn found_dates<'a>(
    items: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    file_name: &str,
) -> Vec<FoundDate> {
    let mut capture = Vec::new();
    let mut release = Vec::new();
    let mut processing = Vec::new();
    for (domain, key, value) in items {
        let upper = key.to_ascii_uppercase();
        let named = if domain.is_empty() {
            key.to_owned()
        } else {
            format!("{domain}/{key}")
        };
        let Some(mut date) = normalise(value) else {
            continue;
        };
        // GDAL's imagery readers state ACQUISITIONDATETIME in UTC (RFC 46).
        if domain == "IMAGERY"
            && upper == "ACQUISITIONDATETIME"
            && date.contains('T')
            && !date.ends_with('Z')
        {
            date.push('Z');
        }
        let found = |kind| FoundDate {
            date: date.clone(),
            kind,
            key: named.clone(),
        };
        // TIFFTAG_DATETIME ends in DATETIME: the processing keys are matched first.
        if PROCESSING_KEYS.contains(&upper.as_str()) {
            processing.push(found(DateKind::Processing));
        } else if let Some(rank) = CAPTURE_KEYS.iter().position(|k| *k == upper) {
            capture.push((rank, found(DateKind::Capture)));
        } else if RELEASE_KEYS.contains(&upper.as_str()) {
            release.push(found(DateKind::Release));
        }
    }
    capture.sort_by_key(|(rank, _)| *rank);
    let mut out: Vec<FoundDate> = capture.into_iter().map(|(_, f)| f).collect();
    out.extend(product_name_dates(file_name));
    out.extend(release);
    out.extend(processing);
    out.dedup();
    out
}

/// The date to record for a file: its first capture date, else what it states (labelled
/// with its kind); `None` when it states nothing.
pub fn best(found: &[FoundDate]) -> Option<LayerDate> {
    found.first().map(FoundDate::recorded)
}

/// Dates in Sentinel-1/2 and Landsat (collection and pre-collection) product names:
/// `S2A_MSIL2A_20230514T101559_…` (sensing start, UTC), `S1A_IW_GRDH_1SDV_20210103T170304_…`,
/// `LC08_L2SP_196024_20230514_20230524_02_T1_…` (acquired, then processed),
/// `LC81970242014109LGN00` (year and day of year).
pub fn product_name_dates(file_name: &str) -> Vec<FoundDate> {
    use std::sync::LazyLock;
    static SENTINEL2: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)\bS2[A-D]_MSI(?:L1C|L2A|L1B)_(\d{8}T\d{6})_").expect("regex")
    });
    static SENTINEL1: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)\bS1[A-D]_[A-Z0-9]{2}_[A-Z_]{4}_[0-9A-Z]{4}_(\d{8}T\d{6})_")
            .expect("regex")
    });
    static LANDSAT: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)\bL[COTEM]0\d_L[0-9][A-Z]{2}_\d{6}_(\d{8})_(\d{8})_\d{2}_")
            .expect("regex")
    });
    static LANDSAT_SCENE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)\bL[COTEM]\d\d{6}(\d{4})(\d{3})[A-Z]{3}\d{2}").expect("regex")
    });
    let name = |what: &str| format!("file name ({what} product name)");
    let capture = |date: String, what| FoundDate {
        date,
        kind: DateKind::Capture,
        key: name(what),
    };
    let utc = |stamp: &str| normalise(stamp).map(|d| format!("{d}Z"));
    let mut out = Vec::new();
    if let Some(c) = SENTINEL2.captures(file_name) {
        out.extend(utc(&c[1]).map(|d| capture(d, "Sentinel-2")));
    } else if let Some(c) = SENTINEL1.captures(file_name) {
        out.extend(utc(&c[1]).map(|d| capture(d, "Sentinel-1")));
    } else if let Some(c) = LANDSAT.captures(file_name) {
        out.extend(normalise(&c[1]).map(|d| capture(d, "Landsat")));
        out.extend(normalise(&c[2]).map(|date| FoundDate {
            date,
            kind: DateKind::Processing,
            key: name("Landsat"),
        }));
    } else if let Some(c) = LANDSAT_SCENE.captures(file_name) {
        let year = c[1].parse().ok();
        let day = c[2].parse().ok();
        if let Some(d) = year
            .zip(day)
            .and_then(|(y, d)| NaiveDate::from_yo_opt(y, d))
        {
            out.push(capture(d.format("%Y-%m-%d").to_string(), "Landsat scene"));
        }
    }
    out
}

/// A date or date-time as ISO 8601 (`2023-05-14`, `2023-05-14T10:15:59`, with `Z` when
/// the text says UTC), from the forms files use: `2023:05:14 10:15:59` (TIFF),
/// `2023-05-14 10:15:59`, `2023-05-14T10:15:59.024Z`, `20230514T101559`, `20230514`.
/// Fractions of a second are dropped; other zones are turned into UTC.
pub fn normalise(text: &str) -> Option<String> {
    let t = text.trim().trim_matches('"');
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return Some(
            dt.with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
        );
    }
    let (body, utc) = match t.strip_suffix('Z').or_else(|| t.strip_suffix('z')) {
        Some(b) => (b, true),
        None => (t, false),
    };
    let body = body.split('.').next().unwrap_or(body);
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y:%m:%d %H:%M:%S",
        "%Y%m%dT%H%M%S",
        "%Y/%m/%d %H:%M:%S",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(body, format) {
            let zone = if utc { "Z" } else { "" };
            return Some(format!("{}{zone}", dt.format("%Y-%m-%dT%H:%M:%S")));
        }
    }
    for format in ["%Y-%m-%d", "%Y:%m:%d", "%Y%m%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(body, format)
            && !utc
        {
            return Some(d.format("%Y-%m-%d").to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_date_forms_are_normalised_and_nonsense_is_not_a_date() {
        for (text, want) in [
            ("2021:01:03 17:03:04", Some("2021-01-03T17:03:04")),
            ("2010-04-01 12:00:00", Some("2010-04-01T12:00:00")),
            ("2023-05-14T10:15:59.024Z", Some("2023-05-14T10:15:59Z")),
            ("2023-05-14T12:15:59+02:00", Some("2023-05-14T10:15:59Z")),
            ("20230514T101559", Some("2023-05-14T10:15:59")),
            ("20230514", Some("2023-05-14")),
            (" 2023-05-14 ", Some("2023-05-14")),
            ("2023-02-30", None),
            ("yesterday", None),
            ("", None),
            ("12", None),
        ] {
            assert_eq!(normalise(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn product_names_give_capture_dates() {
        let s2 = product_name_dates(
            "S2A_MSIL2A_20230514T101559_N0509_R065_T32TNT_20230514T163027_TCI.tif",
        );
        assert_eq!(s2.len(), 1);
        assert_eq!(s2[0].date, "2023-05-14T10:15:59Z");
        assert_eq!(s2[0].kind, DateKind::Capture);
        assert_eq!(s2[0].key, "file name (Sentinel-2 product name)");
        let l8 = product_name_dates("LC08_L2SP_196024_20230514_20230524_02_T1_SR_B4.TIF");
        assert_eq!(
            l8.iter()
                .map(|f| (f.date.as_str(), f.kind))
                .collect::<Vec<_>>(),
            [
                ("2023-05-14", DateKind::Capture),
                ("2023-05-24", DateKind::Processing)
            ]
        );
        let old = product_name_dates("LC81970242014109LGN00_B4.TIF");
        assert_eq!(old[0].date, "2014-04-19");
        let s1 = product_name_dates(
            "S1A_IW_GRDH_1SDV_20210103T170304_20210103T170329_035979_043766_9B1C.tif",
        );
        assert_eq!(s1[0].date, "2021-01-03T17:03:04Z");
        for plain in [
            "byte.tif",
            "S2A_MSIL2A_2023.tif",
            "LC08_thing.tif",
            "photo.tif",
        ] {
            assert!(product_name_dates(plain).is_empty(), "{plain}");
        }
    }

    #[test]
    fn capture_keys_win_over_the_tiff_processing_date() {
        let found = found_dates(
            [
                ("", "TIFFTAG_DATETIME", "2022:01:04 08:54:59"),
                ("IMAGERY", "ACQUISITIONDATETIME", "2010-04-01 12:00:00"),
                ("", "DATE_ACQUIRED", "not a date"),
            ],
            "scene.tif",
        );
        assert_eq!(found.len(), 2);
        let best = best(&found).unwrap();
        assert_eq!(best.date, "2010-04-01T12:00:00Z");
        assert_eq!(best.kind, DateKind::Capture);
        assert_eq!(
            best.source.label(),
            "from file (IMAGERY/ACQUISITIONDATETIME)"
        );
        let tiff_only = found_dates([("", "TIFFTAG_DATETIME", "2022:01:04 08:54:59")], "a.tif");
        let date = super::best(&tiff_only).unwrap();
        assert_eq!(date.kind, DateKind::Processing);
        assert_eq!(
            date.caption(),
            "2022-01-04 08:54:59 processed (not a capture date), from file (TIFFTAG_DATETIME)"
        );
        assert!(super::best(&found_dates([], "a.tif")).is_none());
        assert_eq!(caption(None), "date unknown");
    }

    #[test]
    fn entered_dates_are_checked() {
        let d = LayerDate::entered("2019:07:02", DateKind::Release).unwrap();
        assert_eq!(d.date, "2019-07-02");
        assert_eq!(d.source, DateSource::Entered);
        assert!(d.check().is_ok());
        assert!(LayerDate::entered("July", DateKind::Capture).is_err());
        let bad = LayerDate {
            date: "2019-7-2".into(),
            ..d.clone()
        };
        assert!(bad.check().is_err());
        let keyless = LayerDate {
            source: DateSource::File { key: " ".into() },
            ..d
        };
        assert!(keyless.check().is_err());
    }
}
