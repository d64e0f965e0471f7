//! The EXIF fields an investigator needs, read with `kamadak-exif` and normalised:
//! signed decimal degrees, explicit direction reference, times as ISO 8601 text.

use std::io::Cursor;

pub use crate::metadata::ExifSummary;
use exif::{Exif, In, Tag, Value};

use super::heif_exif::Missing;

/// A JPEG's segments before its first scan (where EXIF must be), closed with an
/// end-of-image marker: kamadak-exif otherwise walks the image data too, and calls a
/// photo cut short inside it "Broken JPEG file" though its EXIF (or lack of one) is
/// whole. Other containers, and JPEGs whose segments cannot be walked, pass unchanged.
fn jpeg_header(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return bytes.into();
    }
    let mut i = 2;
    while let [0xFF, marker, hi, lo, ..] = bytes[i.min(bytes.len())..] {
        if marker == 0xDA {
            let mut header = bytes[..i].to_vec();
            header.extend([0xFF, 0xD9]);
            return header.into();
        }
        i += 2 + usize::from(u16::from_be_bytes([hi, lo]));
    }
    bytes.into()
}

/// Reads the EXIF summary from a JPEG, TIFF, PNG, WebP or HEIF container.
///
/// Returns the summary and warnings for the analyst (unreadable EXIF, junk GPS). A file
/// without EXIF yields an empty summary and no warning. EXIF is read entry by entry: a
/// broken IFD or field loses that part only, and a warning names it.
pub fn read_exif(bytes: &[u8]) -> (ExifSummary, Vec<String>) {
    let mut warnings = Vec::new();
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    // HEIF: the EXIF of the primary image, which kamadak-exif does not pick out.
    let read = if matches!(
        super::sniff(bytes),
        Ok(super::MediaType::Heif | super::MediaType::Avif)
    ) {
        match super::heif_exif::primary_exif(bytes) {
            Ok(tiff) => reader.read_raw(tiff),
            Err(Missing::None) => return (ExifSummary::default(), warnings),
            Err(Missing::Damaged(why)) => {
                warnings.push(format!(
                    "EXIF block could not be read ({why}); metadata ignored"
                ));
                return (ExifSummary::default(), warnings);
            }
        }
    } else {
        reader.read_from_container(&mut Cursor::new(jpeg_header(bytes).as_ref()))
    };
    let exif = match read {
        Ok(exif) => exif,
        Err(exif::Error::NotFound(_)) => return (ExifSummary::default(), warnings),
        Err(exif::Error::PartialResult(partial)) => {
            let (exif, errors) = partial.into_inner();
            warnings.push(partial_warning(&exif, &errors));
            exif
        }
        Err(err) => {
            warnings.push(format!(
                "EXIF block could not be read ({err}); metadata ignored"
            ));
            return (ExifSummary::default(), warnings);
        }
    };
    let mut summary = ExifSummary {
        alt_m: altitude(&exif),
        direction_deg: rational(&exif, Tag::GPSImgDirection, 0),
        direction_ref: ascii(&exif, Tag::GPSImgDirectionRef).map(|r| r.to_ascii_uppercase()),
        taken_at: taken_at(&exif),
        gps_time_utc: gps_time_utc(&exif),
        make: ascii(&exif, Tag::Make),
        model: ascii(&exif, Tag::Model),
        orientation: exif
            .get_field(Tag::Orientation, In::PRIMARY)
            .and_then(|f| f.value.get_uint(0))
            .and_then(|o| u16::try_from(o).ok())
            .filter(|o| (1..=8).contains(o)),
        focal_length_35mm: exif
            .get_field(Tag::FocalLengthIn35mmFilm, In::PRIMARY)
            .and_then(|f| f.value.get_uint(0))
            .filter(|f| (1..=10_000).contains(f))
            .map(f64::from),
        ..ExifSummary::default()
    };
    let lat = signed_degrees(&exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S');
    let lon = signed_degrees(&exif, Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W');
    match (lat, lon) {
        (Some(lat), Some(lon)) if lat == 0.0 && lon == 0.0 => warnings.push(
            "GPS is exactly 0, 0 (\"null island\", a common junk value); recorded as missing"
                .to_owned(),
        ),
        (Some(lat), Some(lon))
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) =>
        {
            warnings.push(format!(
                "GPS {lat}, {lon} is out of range; recorded as missing"
            ))
        }
        (Some(lat), Some(lon)) => {
            summary.lat = Some(round7(lat));
            summary.lon = Some(round7(lon));
        }
        (None, None) => {}
        _ => warnings.push("GPS has only one of latitude/longitude; recorded as missing".into()),
    }
    if summary.direction_deg.is_some() && summary.direction_ref.is_none() {
        warnings
            .push("camera direction has no reference (true or magnetic north unknown)".to_owned());
    }
    (summary, warnings)
}

/// What was lost when parts of the EXIF block could not be read: the sub-directories
/// (IFDs) that IFD0 points to but that yielded no field, else the number of entries.
fn partial_warning(exif: &Exif, errors: &[exif::Error]) -> String {
    let mut causes: Vec<String> = errors.iter().map(ToString::to_string).collect();
    causes.dedup();
    let causes = causes.join("; ");
    let lost = lost_directories(exif);
    if lost.is_empty() {
        format!(
            "EXIF partly unreadable: {} entr{} could not be read ({causes}); the other \
             fields are kept",
            errors.len(),
            if errors.len() == 1 { "y" } else { "ies" }
        )
    } else {
        format!(
            "EXIF partly unreadable: the {} could not be read ({causes}); the other fields \
             are kept",
            lost.join(" and the ")
        )
    }
}

/// The EXIF sub-directories that IFD0 points to (or, for IFD1, links to) but from
/// which no field was read.
fn lost_directories(exif: &Exif) -> Vec<&'static str> {
    let tiff = exif.buf();
    let little = tiff.starts_with(b"II");
    let u16_at = |at: usize| {
        tiff.get(at..at + 2).map(|b| {
            let b = [b[0], b[1]];
            if little {
                u16::from_le_bytes(b)
            } else {
                u16::from_be_bytes(b)
            }
        })
    };
    let u32_at = |at: usize| {
        tiff.get(at..at + 4).map(|b| {
            let b = [b[0], b[1], b[2], b[3]];
            if little {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            }
        })
    };
    let Some(ifd0) = u32_at(4).map(|o| o as usize) else {
        return Vec::new();
    };
    let count = usize::from(u16_at(ifd0).unwrap_or(0));
    let tags: Vec<u16> = (0..count)
        .filter_map(|k| u16_at(ifd0 + 2 + 12 * k))
        .collect();
    let has_thumbnail_link = u32_at(ifd0 + 2 + 12 * count).is_some_and(|o| o != 0);
    let read_from = |wanted: &dyn Fn(&exif::Field) -> bool| exif.fields().any(wanted);
    let mut lost = Vec::new();
    if tags.contains(&Tag::ExifIFDPointer.number())
        && !read_from(&|f| f.tag.context() == exif::Context::Exif)
    {
        lost.push("Exif IFD (capture time, lens, exposure)");
    }
    if tags.contains(&Tag::GPSInfoIFDPointer.number())
        && !read_from(&|f| f.tag.context() == exif::Context::Gps)
    {
        lost.push("GPS IFD (location, direction, GPS time)");
    }
    if has_thumbnail_link && !read_from(&|f| f.ifd_num == In::THUMBNAIL) {
        lost.push("IFD1 (embedded thumbnail)");
    }
    lost
}

/// Rounds to 1e-7 degrees (about 1 cm), removing binary noise from DMS arithmetic.
fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

fn rational(exif: &Exif, tag: Tag, index: usize) -> Option<f64> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Rational(v) => v.get(index).filter(|r| r.denom != 0).map(|r| r.to_f64()),
        Value::SRational(v) => v.get(index).filter(|r| r.denom != 0).map(|r| r.to_f64()),
        _ => None,
    }
}

fn ascii(exif: &Exif, tag: Tag) -> Option<String> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Ascii(parts) => {
            let text = String::from_utf8_lossy(parts.first()?);
            let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
            (!text.is_empty()).then(|| text.to_owned())
        }
        _ => None,
    }
}

/// Degrees, minutes, seconds rationals + a hemisphere letter → signed degrees.
fn signed_degrees(exif: &Exif, tag: Tag, ref_tag: Tag, negative_ref: u8) -> Option<f64> {
    let d = rational(exif, tag, 0)?;
    let m = rational(exif, tag, 1).unwrap_or(0.0);
    let s = rational(exif, tag, 2).unwrap_or(0.0);
    let value = d + m / 60.0 + s / 3600.0;
    let negative = ascii(exif, ref_tag)
        .and_then(|r| r.bytes().next())
        .is_some_and(|c| c.to_ascii_uppercase() == negative_ref);
    Some(if negative { -value } else { value })
}

fn altitude(exif: &Exif) -> Option<f64> {
    let alt = rational(exif, Tag::GPSAltitude, 0)?;
    let below_sea_level = exif
        .get_field(Tag::GPSAltitudeRef, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        == Some(1);
    Some(if below_sea_level { -alt } else { alt })
}

/// `2015:02:11 18:03:42` (+ `-05:00`) → `2015-02-11T18:03:42-05:00`.
fn taken_at(exif: &Exif) -> Option<String> {
    let raw = ascii(exif, Tag::DateTimeOriginal)?;
    let naive = chrono::NaiveDateTime::parse_from_str(&raw, "%Y:%m:%d %H:%M:%S").ok()?;
    let mut text = naive.format("%Y-%m-%dT%H:%M:%S").to_string();
    if let Some(offset) = ascii(exif, Tag::OffsetTimeOriginal).filter(|o| is_utc_offset(o)) {
        text.push_str(&offset);
    }
    Some(text)
}

fn is_utc_offset(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 6
        && matches!(b[0], b'+' | b'-')
        && b[1..3].iter().all(u8::is_ascii_digit)
        && b[3] == b':'
        && b[4..6].iter().all(u8::is_ascii_digit)
}

fn gps_time_utc(exif: &Exif) -> Option<String> {
    let date = ascii(exif, Tag::GPSDateStamp)?;
    let date = chrono::NaiveDate::parse_from_str(&date, "%Y:%m:%d").ok()?;
    let h = rational(exif, Tag::GPSTimeStamp, 0)?;
    let m = rational(exif, Tag::GPSTimeStamp, 1)?;
    let s = rational(exif, Tag::GPSTimeStamp, 2)?;
    let secs = (h * 3600.0 + m * 60.0 + s).floor();
    if !(0.0..86400.0).contains(&secs) {
        return None;
    }
    let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs as u32, 0)?;
    Some(format!(
        "{}T{}Z",
        date.format("%Y-%m-%d"),
        time.format("%H:%M:%S")
    ))
}
