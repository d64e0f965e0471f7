//! AVIF photos decoded through the system libheif (Debian 12: 1.15.1, which decodes AV1
//! with dav1d or aom), as libheif's own `heif-convert` decodes them.
//!
//! GDAL 3.6's HEIF driver, which reads HEIC here, does not open AVIF ("No 'meta' box"),
//! and the `image` crate's AVIF decoder needs libdav1d 1.3 (Debian 12 has 1.0), so AVIF
//! goes to libheif directly through the libheif-rs bindings. libheif applies the
//! container's clean aperture, rotation and mirror (`clap`, `irot`, `imir`) while
//! decoding, and converts YUV to RGB by the file's colour matrix and range (`nclx`, or
//! the AV1 sequence header): the pixels come out as displayed, and the EXIF Orientation
//! tag, which HEIF readers are to ignore, must not be applied again.
//!
//! The displayed size is the decoded image's. libheif 1.15 derives the size it reports
//! before decoding from the properties in the order the file lists them, so a file that
//! lists `irot` before `ispe` (link-u's kimono samples) is said to be 1024×722 by
//! `heif-info` and decodes to 722×1024, as `heif-convert` writes it. The stored size
//! (`ispe`) is checked against the limits before anything is decoded.

use image::{DynamicImage, RgbImage, RgbaImage};
use libheif_rs::{
    ColorSpace, HeifContext, HeifError, HeifErrorCode, HeifErrorSubCode, ImageHandle, LibHeif,
    RgbChroma,
};

/// Why an AVIF file could not be read: libheif's reason, or where the file ends, in
/// one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AvifError {
    /// The file ends before the data its boxes point to.
    Truncated(String),
    /// A box or the AV1 data is damaged, or a feature libheif does not decode.
    Failed(String),
}

/// An AVIF file parsed by libheif (boxes read, nothing decoded yet).
///
/// Fields drop in order: the handle and context before `lib`, libheif's init guard
/// (reference-counted: its decoders stay registered while any image is open).
pub struct AvifImage<'a> {
    handle: ImageHandle,
    _context: HeifContext<'a>,
    lib: LibHeif,
}

impl<'a> AvifImage<'a> {
    /// Reads the boxes and finds the primary image.
    pub fn open(bytes: &'a [u8]) -> Result<AvifImage<'a>, AvifError> {
        let lib = LibHeif::new();
        let context = HeifContext::read_from_bytes(bytes)
            .map_err(|e| cut_short(bytes).unwrap_or_else(|| refusal(&e)))?;
        let handle = context
            .primary_image_handle()
            .map_err(|e| cut_short(bytes).unwrap_or_else(|| refusal(&e)))?;
        Ok(AvifImage {
            handle,
            _context: context,
            lib,
        })
    }

    /// The size as stored (`ispe`), before rotation: what decoding allocates.
    pub fn stored_size(&self) -> Result<(u32, u32), AvifError> {
        let (w, h) = (self.handle.ispe_width(), self.handle.ispe_height());
        match (u32::try_from(w), u32::try_from(h)) {
            (Ok(w), Ok(h)) if w > 0 && h > 0 => Ok((w, h)),
            _ => Err(AvifError::Failed(format!(
                "the primary image has no usable size (ispe {w}×{h})"
            ))),
        }
    }

    /// The pixels as displayed (rotated and mirrored by libheif), 8 bits a channel:
    /// deeper samples (10, 12 bits) are scaled to 8 as the HEIC path scales them.
    pub fn decode(&self) -> Result<DynamicImage, AvifError> {
        let alpha = self.handle.has_alpha_channel();
        let deep = self.handle.luma_bits_per_pixel() > 8;
        let chroma = match (deep, alpha) {
            (false, false) => RgbChroma::Rgb,
            (false, true) => RgbChroma::Rgba,
            (true, false) => RgbChroma::HdrRgbLe,
            (true, true) => RgbChroma::HdrRgbaLe,
        };
        let decoded = self
            .lib
            .decode(&self.handle, ColorSpace::Rgb(chroma), None)
            .map_err(|e| refusal(&e))?;
        let (width, height) = (decoded.width(), decoded.height());
        let planes = decoded.planes();
        let plane = planes
            .interleaved
            .ok_or_else(|| AvifError::Failed("libheif returned no interleaved pixels".into()))?;
        let channels = if alpha { 4 } else { 3 };
        let pixels = if deep {
            // The sample depth (10 or 12), not the 16 bits each is stored in.
            let bits = u32::from(plane.bits_per_pixel).clamp(9, 16);
            samples_to_8bit(plane.data, plane.stride, width, height, channels, bits)
        } else {
            rows(
                plane.data,
                plane.stride,
                width,
                height,
                usize::from(channels),
            )
        }
        .ok_or_else(|| {
            AvifError::Failed("libheif returned fewer pixels than the image has".into())
        })?;
        let image = if alpha {
            RgbaImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgba8)
        } else {
            RgbImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8)
        };
        image.ok_or_else(|| AvifError::Failed("decoded buffer has the wrong size".into()))
    }
}

/// The rows of an 8-bit interleaved plane, without the stride's padding.
fn rows(data: &[u8], stride: usize, width: u32, height: u32, channels: usize) -> Option<Vec<u8>> {
    let row = usize::try_from(width).ok()? * channels;
    let mut out = Vec::with_capacity(row * usize::try_from(height).ok()?);
    for y in 0..usize::try_from(height).ok()? {
        out.extend_from_slice(data.get(y * stride..y * stride + row)?);
    }
    Some(out)
}

/// A little-endian 16-bit interleaved plane of `bits`-deep samples, scaled to 8 bits
/// (v / (2^bits − 1) × 255, rounded).
fn samples_to_8bit(
    data: &[u8],
    stride: usize,
    width: u32,
    height: u32,
    channels: u8,
    bits: u32,
) -> Option<Vec<u8>> {
    let max = f64::from((1u32 << bits) - 1);
    let wide = rows(data, stride, width, height, usize::from(channels) * 2)?;
    Some(
        wide.chunks_exact(2)
            .map(|v| {
                let v = f64::from(u16::from_le_bytes([v[0], v[1]]));
                (v / max * 255.0).round().clamp(0.0, 255.0) as u8
            })
            .collect(),
    )
}

/// A file that ends inside one of its top-level boxes (libheif then says only "No 'meta'
/// box" when the cut falls inside it): the box and where the file ends.
fn cut_short(bytes: &[u8]) -> Option<AvifError> {
    let mut at = 0usize;
    while at < bytes.len() {
        let Some(header) = bytes.get(at..at + 8) else {
            return Some(AvifError::Truncated(format!(
                "the file ends after {} bytes, inside a box header",
                bytes.len()
            )));
        };
        let kind = String::from_utf8_lossy(&header[4..8]).into_owned();
        let size = match u32::from_be_bytes([header[0], header[1], header[2], header[3]]) {
            0 => return None, // the box runs to the end of the file
            1 => {
                let large = bytes.get(at + 8..at + 16)?;
                usize::try_from(u64::from_be_bytes(large.try_into().ok()?)).ok()?
            }
            n => usize::try_from(n).ok()?,
        };
        if size < 8 {
            return None; // damaged, not short: libheif's reason stands
        }
        let end = at.checked_add(size)?;
        if end > bytes.len() {
            return Some(AvifError::Truncated(format!(
                "the file ends after {} bytes, inside its '{kind}' box (which claims {size} \
                 bytes from byte {at})",
                bytes.len()
            )));
        }
        at = end;
    }
    None
}

/// libheif's error as truncation (the data ends early) or another failure.
fn refusal(e: &HeifError) -> AvifError {
    let reason = format!("libheif: {}", one_line(&e.message));
    match (e.code, e.sub_code) {
        (_, HeifErrorSubCode::EndOfData) => AvifError::Truncated(reason),
        (HeifErrorCode::InvalidInput, _) if e.message.to_ascii_lowercase().contains("end of") => {
            AvifError::Truncated(reason)
        }
        _ => AvifError::Failed(reason),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_bit_samples_scale_to_the_full_8_bit_range() {
        // One row of two RGB pixels, 10-bit, little-endian, with 4 bytes of padding.
        let samples: [u16; 6] = [0, 1023, 512, 4, 1020, 3];
        let mut data: Vec<u8> = samples.iter().flat_map(|v| v.to_le_bytes()).collect();
        data.extend([9; 4]);
        let out = samples_to_8bit(&data, 16, 2, 1, 3, 10).unwrap();
        assert_eq!(out, vec![0, 255, 128, 1, 254, 1]);
        // A plane shorter than its rows claim is refused, not read past.
        assert!(samples_to_8bit(&data[..10], 16, 2, 1, 3, 10).is_none());
    }

    #[test]
    fn stride_padding_is_dropped() {
        let data = [1, 2, 3, 0, 4, 5, 6, 0];
        assert_eq!(rows(&data, 4, 1, 2, 3).unwrap(), vec![1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn a_file_ending_inside_a_box_is_named_as_cut_short() {
        // ftyp (16 bytes), then a meta box that claims 100 bytes of which 12 are here.
        let mut file = vec![0, 0, 0, 16];
        file.extend(b"ftypavif\0\0\0\0");
        file.extend([0, 0, 0, 100]);
        file.extend(b"meta\0\0\0\0");
        let Some(AvifError::Truncated(why)) = cut_short(&file) else {
            panic!("not truncated");
        };
        assert!(
            why.contains("after 28 bytes") && why.contains("'meta'"),
            "{why}"
        );
        // Whole boxes, or one that runs to the end (size 0): not cut short.
        assert_eq!(cut_short(&file[..16]), None);
        file[16..20].copy_from_slice(&[0, 0, 0, 0]);
        assert_eq!(cut_short(&file), None);
        // A header cut in two.
        assert!(matches!(
            cut_short(&file[..20]),
            Some(AvifError::Truncated(_))
        ));
    }
}
