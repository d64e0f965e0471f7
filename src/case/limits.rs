//! How large a record may be: the limits every record meets, from an edit or from a
//! file somebody else wrote ([`super::validate`] applies them). A leaf module, so the
//! record types' own checks (`comparison.rs`) and the validator both stand on it.

use super::invalid::Invalid;

/// A record file larger than this is not read (a record is a few kilobytes; a finding
/// with thousands of annotations is well under a megabyte).
pub const MAX_RECORD_BYTES: u64 = 16 << 20;
/// Titles, names, labels: things shown in one line (bytes).
pub const MAX_SHORT_TEXT: usize = 64 << 10;
/// Notes, verdicts, descriptions (bytes).
pub const MAX_LONG_TEXT: usize = 1 << 20;
/// Panels, annotations, links, polygon points, warnings: far above any real use.
pub const MAX_ITEMS: usize = 100_000;
/// Image coordinates beyond this (pixels) are not on any image geoproof can open.
pub const MAX_PIXEL_COORDINATE: f64 = 1e7;
/// A viewing zoom (screen points per image pixel) beyond this shows less than a pixel.
pub const MAX_VIEW_ZOOM: f64 = 1e4;
/// Oriented image sides beyond this are refused at intake long before.
pub const MAX_IMAGE_SIDE: u32 = 1_000_000;

pub(super) fn text(what: &str, value: &str, max: usize) -> Result<(), Invalid> {
    if value.len() > max {
        return Err(Invalid::TooLong {
            field: what.to_owned(),
            len: value.len(),
            max,
        });
    }
    Ok(())
}

pub(super) fn count(what: &str, n: usize) -> Result<(), Invalid> {
    if n > MAX_ITEMS {
        return Err(Invalid::TooMany {
            field: what.to_owned(),
            count: n,
            max: MAX_ITEMS,
        });
    }
    Ok(())
}
