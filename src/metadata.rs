//! What a file's own metadata says about where, when and with what it was taken, in one
//! normalised form whichever container it came from (EXIF in stills, container tags in
//! videos). Reading it is the job of `evidence::read_exif` and `video::probe`.

use serde::{Deserialize, Serialize};

/// EXIF facts about one image. Every field is optional: most files carry few of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExifSummary {
    /// Latitude in signed decimal degrees (south negative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    /// Longitude in signed decimal degrees (west negative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// Altitude in metres relative to sea level (below sea level negative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_m: Option<f64>,
    /// Direction the camera pointed (GPSImgDirection), degrees clockwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction_deg: Option<f64>,
    /// `"T"` (true north) or `"M"` (magnetic north) as recorded; never assumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction_ref: Option<String>,
    /// DateTimeOriginal as `YYYY-MM-DDTHH:MM:SS`, with `±HH:MM` appended when
    /// OffsetTimeOriginal is present (without it the time zone is unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<String>,
    /// GPSDateStamp + GPSTimeStamp, always UTC: `YYYY-MM-DDTHH:MM:SSZ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps_time_utc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub make: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// EXIF Orientation 1–8 (1 = as stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orientation: Option<u16>,
    /// FocalLengthIn35mmFilm, millimetres: gives the field of view without knowing the
    /// sensor (a camera position estimated from a photo needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focal_length_35mm: Option<f64>,
}

impl ExifSummary {
    /// The horizontal field of view the 35 mm-equivalent focal length implies (a 36 mm
    /// wide frame), degrees.
    pub fn horizontal_fov_deg(&self) -> Option<f64> {
        let f = self
            .focal_length_35mm
            .filter(|f| f.is_finite() && *f > 0.0)?;
        Some(2.0 * (18.0 / f).atan().to_degrees())
    }
}
