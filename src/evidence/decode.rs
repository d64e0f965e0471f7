//! Safe decoding of untrusted images: size limits checked from the header before any
//! pixel buffer is allocated, EXIF orientation applied, and a small preview produced
//! cheaply (JPEGs are decoded in the DCT domain at 1/2–1/8 scale).

use std::io::Cursor;

use image::{DynamicImage, ImageReader, Limits, RgbImage};

use super::MediaType;
use super::avif::{AvifError, AvifImage};
use super::heif::{HeifError, HeifImage};

/// The largest image (in pixels) geoproof will decode: well above a 100-megapixel
/// panorama, well below what a forged header can claim.
pub const MAX_PIXELS: u64 = 400_000_000;
/// The largest side accepted (TIFF and PNG allow far larger than anything real).
pub const MAX_SIDE: u32 = 65_535;
/// Upper bound for any single decoder allocation.
pub const MAX_ALLOC_BYTES: u64 = 3 * 1024 * 1024 * 1024;

/// Why an image could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("image is {width}×{height} pixels, above the decode limit of {} megapixels", MAX_PIXELS / 1_000_000)]
    TooLarge { width: u32, height: u32 },
    #[error("truncated {format}: {detail}")]
    Truncated {
        format: &'static str,
        detail: String,
    },
    #[error("corrupt {format}: {detail}")]
    Corrupt {
        format: &'static str,
        detail: String,
    },
    /// A valid file of a kind the decoder does not show (a palette or Float32 TIFF).
    #[error("unsupported {format}: {what} (a valid file, but not shown as a picture)")]
    Unsupported { format: &'static str, what: String },
}

/// Pixel size of an image as stored, read from the header only.
///
/// For HEIF this is the size as displayed: libheif rotates while decoding. For AVIF it
/// is the size as stored (`ispe`), checked against the limits; the size as displayed is
/// the decoded image's ([`Preview::displayed`], see [`super::avif`]).
pub fn stored_dimensions(bytes: &[u8], media: MediaType) -> Result<(u32, u32), DecodeError> {
    if media == MediaType::Avif {
        let (width, height) = AvifImage::open(bytes)
            .and_then(|avif| avif.stored_size())
            .map_err(avif_error)?;
        check_size(width, height)?;
        return Ok((width, height));
    }
    if is_heif(media) {
        let (width, height) = open_heif(bytes, media)?.size();
        check_size(width, height)?;
        return Ok((width, height));
    }
    let reader = ImageReader::with_format(Cursor::new(bytes), image_format(media)?);
    let (width, height) = reader.into_dimensions().map_err(|e| {
        header_truncated(bytes, media)
            .unwrap_or_else(|| unsupported_or(bytes, media, corrupt(media, e)))
    })?;
    check_size(width, height)?;
    Ok((width, height))
}

/// Refuses sizes above the limits, before anything is allocated.
pub fn check_size(width: u32, height: u32) -> Result<(), DecodeError> {
    if width == 0 || height == 0 {
        return Err(DecodeError::Corrupt {
            format: "image",
            detail: format!("header claims {width}×{height} pixels"),
        });
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(DecodeError::TooLarge { width, height });
    }
    Ok(())
}

/// A HEIF file opened through GDAL, or why not in our words.
fn open_heif(bytes: &[u8], media: MediaType) -> Result<HeifImage, DecodeError> {
    HeifImage::open(bytes).map_err(|e| heif_error(media, e))
}

/// HEIF/AVIF pixels as displayed, the size checked before any pixel is read.
fn decode_heif(bytes: &[u8], media: MediaType, max_side: u32) -> Result<DynamicImage, DecodeError> {
    if media == MediaType::Avif {
        return decode_avif(bytes);
    }
    let heif = open_heif(bytes, media)?;
    let (width, height) = heif.size();
    check_size(width, height)?;
    heif.read(max_side).map_err(|e| heif_error(media, e))
}

fn avif_error(e: AvifError) -> DecodeError {
    match e {
        AvifError::Truncated(detail) => DecodeError::Truncated {
            format: "AVIF",
            detail,
        },
        AvifError::Failed(detail) => DecodeError::Corrupt {
            format: "AVIF",
            detail,
        },
    }
}

/// An AVIF decoded whole through libheif, its stored size checked first.
fn decode_avif(bytes: &[u8]) -> Result<DynamicImage, DecodeError> {
    let avif = AvifImage::open(bytes).map_err(avif_error)?;
    let (width, height) = avif.stored_size().map_err(avif_error)?;
    check_size(width, height)?;
    let image = avif.decode().map_err(avif_error)?;
    check_size(image.width(), image.height())?;
    Ok(image)
}

/// libheif's reason (through GDAL) as a decode error.
fn heif_error(media: MediaType, e: HeifError) -> DecodeError {
    let format = format_name(media);
    match e {
        HeifError::Truncated(reason) => DecodeError::Truncated {
            format,
            detail: format!("libheif: {reason}"),
        },
        HeifError::Failed(reason) => DecodeError::Corrupt {
            format,
            detail: format!("libheif: {reason}"),
        },
    }
}

/// Whether the format is decoded through libheif, which applies the container's own
/// rotation: its EXIF Orientation must not be applied again.
pub fn is_heif(media: MediaType) -> bool {
    matches!(media, MediaType::Heif | MediaType::Avif)
}

/// Width and height as displayed, after EXIF orientation (5–8 swap the axes).
pub fn oriented_dimensions(width: u32, height: u32, orientation: Option<u16>) -> (u32, u32) {
    match orientation {
        Some(5..=8) => (height, width),
        _ => (width, height),
    }
}

/// A decoded preview and what the decoders warned about on the way (for the record).
#[derive(Debug, Clone)]
pub struct Preview {
    pub image: DynamicImage,
    pub warnings: Vec<String>,
    /// The full size as displayed, where only decoding tells it (AVIF: libheif 1.15's
    /// size before decoding can be the unrotated one); `None`: the header's size holds.
    pub displayed: Option<(u32, u32)>,
}

/// Decodes a preview whose longer side is at most `max_side`, oriented for display.
///
/// The caller must have checked the size with [`stored_dimensions`]. The whole file is
/// decoded (a truncated or corrupt file fails here), but a JPEG only at the smallest
/// DCT scale that still covers `max_side`.
pub fn decode_preview(
    bytes: &[u8],
    media: MediaType,
    orientation: Option<u16>,
    max_side: u32,
) -> Result<Preview, DecodeError> {
    let mut warnings = Vec::new();
    let mut displayed = None;
    let image = match media {
        MediaType::Jpeg => {
            let structure = check_jpeg_structure(bytes)?;
            warnings = structure.warnings;
            if structure.ends_early {
                decode_jpeg_cut_short(bytes, &mut warnings)?
            } else {
                decode_jpeg(bytes, max_side, &mut warnings)?
            }
        }
        MediaType::Avif => {
            let image = decode_avif(bytes)?;
            displayed = Some((image.width(), image.height()));
            image
        }
        MediaType::Heif => decode_heif(bytes, media, max_side)?,
        _ => decode_full(bytes, media)?,
    };
    let mut image = if image.width().max(image.height()) > max_side {
        image.thumbnail(max_side, max_side)
    } else {
        image
    };
    if let Some(o) = orientation
        .and_then(|o| u8::try_from(o).ok())
        .and_then(image::metadata::Orientation::from_exif)
    {
        image.apply_orientation(o);
    }
    Ok(Preview {
        image,
        warnings,
        displayed,
    })
}

/// A JPEG through the scaled decoder, or the full one when the scaled one cannot take
/// the pixel format or the data: accepted if either decodes it, with the other's
/// complaint kept as a warning.
fn decode_jpeg(
    bytes: &[u8],
    max_side: u32,
    warnings: &mut Vec<String>,
) -> Result<DynamicImage, DecodeError> {
    match decode_jpeg_scaled(bytes, max_side) {
        Ok(Some(image)) => Ok(image),
        Ok(None) => decode_full(bytes, MediaType::Jpeg),
        Err(e @ DecodeError::TooLarge { .. }) => Err(e),
        Err(scaled) => {
            let image = decode_full(bytes, MediaType::Jpeg)?;
            warnings.push(format!(
                "the downscaling JPEG decoder failed ({scaled}); decoded at full size instead"
            ));
            Ok(image)
        }
    }
}

/// A JPEG that ends inside its image data, read as libjpeg reads it ("Premature end of
/// JPEG file"): the rows the data never reached are mid-grey. Taken in only if the
/// decoder produced at least one row, with a warning saying how many rows are grey.
fn decode_jpeg_cut_short(
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> Result<DynamicImage, DecodeError> {
    // At full size: the grey rows are counted in the image as stored.
    let image = decode_full(bytes, MediaType::Jpeg)?;
    let rgb = image.to_rgb8();
    let height = rgb.height();
    let grey = rgb
        .rows()
        .rev()
        .take_while(|row| row.clone().all(|p| p.0 == [128; 3]))
        .count();
    let grey = u32::try_from(grey).unwrap_or(height);
    if grey >= height {
        return Err(DecodeError::Truncated {
            format: "JPEG",
            detail: format!(
                "file ends after {} bytes, before any row of the image",
                bytes.len()
            ),
        });
    }
    warnings.push(format!(
        "the file ends early, after {} bytes, before its end-of-image marker \
         (libjpeg: \"Premature end of JPEG file\"): the bottom {grey} of its {height} rows \
         are missing and shown grey, as libjpeg reads it",
        bytes.len()
    ));
    Ok(image)
}

/// Full-resolution decode with limits enforced by the decoder itself.
pub fn decode_full(bytes: &[u8], media: MediaType) -> Result<DynamicImage, DecodeError> {
    if is_heif(media) {
        return decode_heif(bytes, media, MAX_SIDE);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format(media)?);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC_BYTES);
    reader.limits(limits);
    reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => DecodeError::Corrupt {
            format: format_name(media),
            detail: format!("exceeds decode limits ({e})"),
        },
        e if is_eof(&e) => DecodeError::Truncated {
            format: format_name(media),
            detail: e.to_string(),
        },
        e => unsupported_or(bytes, media, corrupt(media, e)),
    })
}

/// A JPEG whose header the decoder could not read because the file ends inside it: said
/// in our words ("file ends inside a segment…") rather than the decoder's.
fn header_truncated(bytes: &[u8], media: MediaType) -> Option<DecodeError> {
    match check_jpeg_structure(bytes) {
        Err(e @ DecodeError::Truncated { .. }) if media == MediaType::Jpeg => Some(e),
        _ => None,
    }
}

/// A TIFF the decoder refused may be valid and only of a kind it does not show: then
/// that kind is the reason, not corruption.
fn unsupported_or(bytes: &[u8], media: MediaType, error: DecodeError) -> DecodeError {
    if media != MediaType::Tiff || !matches!(error, DecodeError::Corrupt { .. }) {
        return error;
    }
    match super::tiff_variant::unsupported_variant(bytes) {
        Some(what) => DecodeError::Unsupported {
            format: "TIFF",
            what,
        },
        None => error,
    }
}

/// DCT-domain downscaled decode. `None` for pixel formats the fast path does not handle
/// (CMYK, 16-bit), which then take the full decoder.
fn decode_jpeg_scaled(bytes: &[u8], max_side: u32) -> Result<Option<DynamicImage>, DecodeError> {
    let jpeg_err = |e: jpeg_decoder::Error| DecodeError::Corrupt {
        format: "JPEG",
        detail: e.to_string(),
    };
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(jpeg_err)?;
    let Some(info) = decoder.info() else {
        return Ok(None);
    };
    check_size(u32::from(info.width), u32::from(info.height))?;
    let side = u16::try_from(max_side).unwrap_or(u16::MAX);
    let (w, h) = decoder.scale(side, side).map_err(jpeg_err)?;
    let pixels = decoder.decode().map_err(jpeg_err)?;
    let (w, h) = (u32::from(w), u32::from(h));
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => RgbImage::from_raw(w, h, pixels),
        jpeg_decoder::PixelFormat::L8 => {
            image::GrayImage::from_raw(w, h, pixels).map(|g| DynamicImage::ImageLuma8(g).to_rgb8())
        }
        _ => return Ok(None),
    };
    rgb.map(DynamicImage::ImageRgb8)
        .map(Some)
        .ok_or_else(|| DecodeError::Corrupt {
            format: "JPEG",
            detail: "decoded pixel buffer has the wrong size".into(),
        })
}

/// What the walk of a JPEG's markers found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JpegStructure {
    /// libjpeg's warnings about the structure (bytes skipped between segments).
    pub warnings: Vec<String>,
    /// The file ends after its image data began, before the end-of-image marker:
    /// libjpeg decodes what is there and greys the rest.
    pub ends_early: bool,
}

/// Walks the JPEG marker structure to the end-of-image marker. Decoders pad a file cut
/// short with grey and report success; evidence that ends early must be flagged
/// (`ends_early`), and a file that ends before any scan is refused as truncated.
///
/// Bytes between segments are skipped as libjpeg skips them, and reported in libjpeg's
/// words ("Corrupt JPEG data: N extraneous bytes before marker 0xNN", which djpeg
/// prints while decoding the image whole); the returned warnings say so.
pub fn check_jpeg_structure(bytes: &[u8]) -> Result<JpegStructure, DecodeError> {
    let mut warnings = Vec::new();
    let mut scan_seen = false;
    match walk_jpeg_markers(bytes, &mut warnings, &mut scan_seen) {
        Ok(()) => Ok(JpegStructure {
            warnings,
            ends_early: false,
        }),
        Err(DecodeError::Truncated { .. }) if scan_seen => Ok(JpegStructure {
            warnings,
            ends_early: true,
        }),
        Err(e) => Err(e),
    }
}

/// The walk of [`check_jpeg_structure`]; `scan_seen` tells whether image data began
/// (a scan with at least one byte of entropy-coded data).
fn walk_jpeg_markers(
    bytes: &[u8],
    warnings: &mut Vec<String>,
    scan_seen: &mut bool,
) -> Result<(), DecodeError> {
    let truncated = |detail: String| DecodeError::Truncated {
        format: "JPEG",
        detail,
    };
    let ends_early = || {
        truncated(format!(
            "file ends after {} bytes, before the end-of-image marker",
            bytes.len()
        ))
    };
    let mut i = 2; // after SOI
    loop {
        let Some(found) = next_marker(bytes, i) else {
            return Err(ends_early());
        };
        if found.discarded > 0 {
            warnings.push(format!(
                "Corrupt JPEG data: {} extraneous bytes before marker 0x{:02x} \
                 (skipped, as libjpeg does; the image decodes whole)",
                found.discarded, found.marker
            ));
        }
        i = found.end;
        match found.marker {
            0xD9 => return Ok(()),
            0x01 | 0xD0..=0xD7 => {}
            marker => {
                let Some(len) = bytes.get(i..i + 2) else {
                    return Err(truncated("file ends inside a segment header".into()));
                };
                let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
                if len < 2 {
                    return Err(DecodeError::Corrupt {
                        format: "JPEG",
                        detail: format!("segment 0x{marker:02X} at byte {i} has length {len}"),
                    });
                }
                i += len;
                if i > bytes.len() {
                    return Err(truncated(format!(
                        "file ends inside a segment (marker 0x{marker:02X}) at byte {}",
                        bytes.len()
                    )));
                }
                if marker == 0xDA {
                    let data = i;
                    i = skip_entropy_coded(bytes, i);
                    // Image data only if the scan holds at least one byte of it.
                    *scan_seen |= i > data;
                }
            }
        }
    }
}

/// A marker found by [`next_marker`].
struct FoundMarker {
    marker: u8,
    /// Offset just after the marker byte.
    end: usize,
    /// Bytes skipped before it that were neither the marker nor fill bytes.
    discarded: usize,
}

/// libjpeg's `next_marker`: skips anything up to a 0xFF, any number of 0xFF fill
/// bytes, and stuffed `FF 00` pairs (counted as discarded); `None` at the end of data.
fn next_marker(bytes: &[u8], mut i: usize) -> Option<FoundMarker> {
    let mut discarded = 0;
    loop {
        while *bytes.get(i)? != 0xFF {
            discarded += 1;
            i += 1;
        }
        while *bytes.get(i)? == 0xFF {
            i += 1;
        }
        let marker = bytes[i];
        i += 1;
        if marker != 0 {
            return Some(FoundMarker {
                marker,
                end: i,
                discarded,
            });
        }
        discarded += 2;
    }
}

/// Returns the offset of the first real marker (or its fill bytes) after entropy-coded
/// data, skipping stuffed `FF 00` and restart markers, or the file length.
fn skip_entropy_coded(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        if bytes[i] == 0xFF {
            // Fill bytes may precede any marker, including EOI (`FF FF D9`).
            let mut j = i + 1;
            while bytes.get(j) == Some(&0xFF) {
                j += 1;
            }
            match bytes.get(j) {
                None => return bytes.len(),
                Some(0x00 | 0xD0..=0xD7) => {
                    i = j + 1;
                    continue;
                }
                Some(_) => return i,
            }
        }
        i += 1;
    }
    bytes.len()
}

fn format_name(media: MediaType) -> &'static str {
    match media {
        MediaType::Jpeg => "JPEG",
        MediaType::Png => "PNG",
        MediaType::Webp => "WebP",
        MediaType::Tiff => "TIFF",
        MediaType::Heif => "HEIF",
        MediaType::Avif => "AVIF",
        _ => "video",
    }
}

/// The image decoder for a media type; a video is never decoded as a picture.
fn image_format(media: MediaType) -> Result<image::ImageFormat, DecodeError> {
    media.image_format().ok_or(DecodeError::Corrupt {
        format: "video",
        detail: format!("{} is a video, decoded through ffmpeg", media.mime()),
    })
}

fn is_eof(e: &image::ImageError) -> bool {
    let text = e.to_string().to_ascii_lowercase();
    matches!(e, image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof)
        || text.contains("eof")
        || text.contains("end of file")
        || text.contains("truncated")
}

fn corrupt(media: MediaType, e: image::ImageError) -> DecodeError {
    if is_eof(&e) {
        return DecodeError::Truncated {
            format: format_name(media),
            detail: e.to_string(),
        };
    }
    DecodeError::Corrupt {
        format: format_name(media),
        detail: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orientation_5_to_8_swaps_axes() {
        assert_eq!(oriented_dimensions(640, 427, Some(6)), (427, 640));
        assert_eq!(oriented_dimensions(640, 427, Some(3)), (640, 427));
        assert_eq!(oriented_dimensions(640, 427, None), (640, 427));
    }

    #[test]
    fn size_limits_refuse_absurd_headers() {
        assert!(check_size(12000, 9000).is_ok());
        assert!(matches!(
            check_size(100_000, 100_000),
            Err(DecodeError::TooLarge { .. })
        ));
        assert!(matches!(
            check_size(30_000, 30_000),
            Err(DecodeError::TooLarge { .. })
        ));
        assert!(check_size(0, 10).is_err());
    }

    #[test]
    fn jpeg_structure_walk_finds_the_end_marker() {
        // SOI, APP0 (len 4: 2 bytes payload), SOS (len 2), data with stuffing, EOI.
        let ok = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 1, 2, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0x00,
            0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD9,
        ];
        let whole = JpegStructure {
            warnings: Vec::new(),
            ends_early: false,
        };
        assert_eq!(check_jpeg_structure(&ok), Ok(whole));
        // Cut inside the image data: decodable as far as it goes.
        assert!(check_jpeg_structure(&ok[..15]).unwrap().ends_early);
        // Cut before any image data: nothing to decode.
        for cut in [5, 10, 12] {
            assert!(
                matches!(
                    check_jpeg_structure(&ok[..cut]),
                    Err(DecodeError::Truncated { .. })
                ),
                "{cut}"
            );
        }
    }

    #[test]
    fn fill_bytes_before_the_end_marker_are_not_truncation() {
        // SOI, SOS (len 2), one data byte, fill bytes, EOI.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x12];
        for fills in 1..4 {
            let mut bytes = jpeg.clone();
            bytes.extend(std::iter::repeat_n(0xFF, fills));
            bytes.push(0xD9);
            let found = check_jpeg_structure(&bytes).unwrap();
            assert!(found.warnings.is_empty() && !found.ends_early, "{fills}");
        }
        jpeg.extend([0xFF, 0xFF]);
        assert!(check_jpeg_structure(&jpeg).unwrap().ends_early);
    }

    #[test]
    fn stray_bytes_between_segments_are_skipped_with_libjpegs_warning() {
        // SOI, APP0 (len 4), two stray bytes, SOS (len 2), data, EOI.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 1, 2, 0x00, 0x07, 0xFF, 0xDA, 0x00, 0x02, 0x12,
            0xFF, 0xD9,
        ];
        assert_eq!(
            check_jpeg_structure(&jpeg).unwrap().warnings,
            vec![
                "Corrupt JPEG data: 2 extraneous bytes before marker 0xda (skipped, as \
                 libjpeg does; the image decodes whole)"
                    .to_owned()
            ]
        );
    }
}
