//! Evidence intake: everything learned from a file's bytes without altering them —
//! media type, SHA-256, EXIF summary, oriented dimensions, a preview and a perceptual
//! hash. Writing into a case is `case`'s job.

mod avif;
pub mod credentials;
mod decode;
mod exif;
mod heif;
mod heif_exif;
mod inspection;
mod sniff;
// Not re-exported here: it builds on this module's readers, and a re-export would make
// the two import each other.
pub mod staged;
mod tiff_variant;
mod video;

use std::fs;
use std::io::Read;
use std::path::Path;

use image::DynamicImage;

pub use crate::fingerprint::{PerceptualHash, perceptual_hash, sha256_file, sha256_hex};
pub use credentials::ContentCredentials;
pub use decode::{DecodeError, MAX_PIXELS, check_size, decode_full, oriented_dimensions};
pub use exif::{ExifSummary, read_exif};
pub use inspection::{
    Inspection, IntakeCause, IntakeError, MAX_FILE_BYTES, Original, THUMBNAIL_SIDE,
};
pub use sniff::{MediaType, SniffRefusal, sniff};
pub use video::MAX_VIDEO_BYTES;

/// Reads and inspects one file (image or video). Never modifies it.
pub fn inspect_file(path: &Path) -> Result<Inspection, IntakeError> {
    let fail = |cause| IntakeError {
        path: path.to_owned(),
        cause,
    };
    let opened = open_for_intake(path)?;
    if let Some(media_type) = opened.video {
        return video::inspect_video(path, opened.name, media_type, opened.size_bytes)
            .map_err(fail);
    }
    let bytes = read_file(path)?;
    inspect_bytes(opened.name, bytes).map_err(fail)
}

/// What intake learns of a file before reading it whole: the name to record, its size,
/// and, when its first bytes say it is a video, the video's type (videos are streamed,
/// never read into memory).
struct Opened {
    name: String,
    size_bytes: u64,
    video: Option<MediaType>,
}

/// The first look at a file every intake path takes: directories refused, the head sniffed.
fn open_for_intake(path: &Path) -> Result<Opened, IntakeError> {
    let fail = |cause| IntakeError {
        path: path.to_owned(),
        cause,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let meta = fs::metadata(path).map_err(|e| fail(IntakeCause::Read(e)))?;
    if meta.is_dir() {
        return Err(fail(IntakeCause::Directory));
    }
    let head = video::read_head(path).map_err(|e| fail(IntakeCause::Read(e)))?;
    let video = media_type_of(&head).ok().filter(|t| t.is_video());
    Ok(Opened {
        name,
        size_bytes: meta.len(),
        video,
    })
}

/// A file's bytes, refusing directories and files over [`MAX_FILE_BYTES`] before reading.
fn read_file(path: &Path) -> Result<Vec<u8>, IntakeError> {
    let fail = |cause| IntakeError {
        path: path.to_owned(),
        cause,
    };
    let meta = fs::metadata(path).map_err(|e| fail(IntakeCause::Read(e)))?;
    if meta.is_dir() {
        return Err(fail(IntakeCause::Directory));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(IntakeCause::TooBig(meta.len())));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| fail(IntakeCause::Read(e)))?;
    Ok(bytes)
}

/// The media type of non-empty bytes, or why they cannot be taken in.
fn media_type_of(bytes: &[u8]) -> Result<MediaType, IntakeCause> {
    if bytes.is_empty() {
        return Err(IntakeCause::Empty);
    }
    sniff(bytes).map_err(|refusal| match refusal {
        SniffRefusal::Unsupported(why) => IntakeCause::Unsupported(why),
        SniffRefusal::NotAnImage(why) => IntakeCause::NotAnImage(why),
    })
}

/// A still loaded for analysis by [`load_oriented`].
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Oriented as a viewer shows it, at most the asked size on its longer side.
    pub image: DynamicImage,
    /// The full oriented size the image stands for.
    pub width: u32,
    pub height: u32,
    /// What the decoders warned about (rows missing from a file cut short, bytes
    /// skipped), in the words intake records them: a picture with missing rows must not
    /// reach a figure, a match or a redaction without the caller saying so.
    pub warnings: Vec<String>,
}

/// An image for analysis: oriented as a viewer shows it, at most `max_side` pixels on
/// its longer side, with the full oriented size it stands for and the decoders'
/// warnings.
pub fn load_oriented(path: &Path, max_side: u32) -> Result<Loaded, IntakeError> {
    let fail = |cause| IntakeError {
        path: path.to_owned(),
        cause,
    };
    let bytes = read_file(path)?;
    let media_type = media_type_of(&bytes).map_err(fail)?;
    let (w, h) = decode::stored_dimensions(&bytes, media_type).map_err(|e| fail(e.into()))?;
    let (exif, _) = read_exif(&bytes);
    let orientation = display_orientation(media_type, &exif);
    let preview = decode::decode_preview(&bytes, media_type, orientation, max_side)
        .map_err(|e| fail(e.into()))?;
    let (width, height) = preview
        .displayed
        .unwrap_or_else(|| oriented_dimensions(w, h, orientation));
    Ok(Loaded {
        image: preview.image,
        width,
        height,
        warnings: preview.warnings,
    })
}

/// The EXIF orientation still to apply after decoding: none for HEIF/AVIF, which
/// libheif decodes already turned by the container's `irot`/`imir` (the EXIF tag is
/// kept in the record as the file states it).
fn display_orientation(media_type: MediaType, exif: &ExifSummary) -> Option<u16> {
    if decode::is_heif(media_type) {
        None
    } else {
        exif.orientation
    }
}

/// Inspects image bytes already in memory (`name` is the original file name to record).
pub fn inspect_bytes(name: String, bytes: Vec<u8>) -> Result<Inspection, IntakeCause> {
    let analysis = analyse_image(&bytes)?;
    let sha256 = sha256_hex(&bytes);
    Ok(analysis.into_inspection(name, bytes, sha256))
}

/// What an image's bytes say, apart from their hash.
struct ImageAnalysis {
    media_type: MediaType,
    width: u32,
    height: u32,
    exif: ExifSummary,
    perceptual_hash: PerceptualHash,
    thumbnail: DynamicImage,
    warnings: Vec<String>,
    credentials: ContentCredentials,
}

impl ImageAnalysis {
    fn into_inspection(self, name: String, bytes: Vec<u8>, sha256: String) -> Inspection {
        Inspection {
            original_name: name,
            original: Original::Bytes(bytes),
            sha256,
            media_type: self.media_type,
            width: self.width,
            height: self.height,
            exif: self.exif,
            perceptual_hash: self.perceptual_hash,
            thumbnail: self.thumbnail,
            warnings: self.warnings,
            video: None,
            credentials: self.credentials,
        }
    }
}

/// Type, EXIF, oriented size, preview and perceptual hash of image bytes.
fn analyse_image(bytes: &[u8]) -> Result<ImageAnalysis, IntakeCause> {
    let media_type = media_type_of(bytes)?;
    if media_type.is_video() {
        return Err(IntakeCause::NotAnImage(format!(
            "{} video; take the file in from disk",
            media_type.mime()
        )));
    }
    let (stored_w, stored_h) = decode::stored_dimensions(bytes, media_type)?;
    let (exif, mut warnings) = read_exif(bytes);
    let orientation = display_orientation(media_type, &exif);
    let preview = decode::decode_preview(bytes, media_type, orientation, THUMBNAIL_SIDE)?;
    let (width, height) = preview
        .displayed
        .unwrap_or_else(|| oriented_dimensions(stored_w, stored_h, orientation));
    warnings.extend(preview.warnings);
    let thumbnail = preview.image;
    let perceptual_hash = perceptual_hash(&thumbnail);
    let credentials = credentials::read_bytes(bytes, media_type.mime());
    if exif.direction_ref.as_deref() == Some("M") {
        warnings.push("camera direction is relative to magnetic north, not true north".into());
    }
    Ok(ImageAnalysis {
        media_type,
        width,
        height,
        exif,
        perceptual_hash,
        thumbnail,
        warnings,
        credentials,
    })
}

/// The inspection of a PNG just encoded from `image` (a frame grab): what
/// [`inspect_bytes`] would find, without decoding the PNG again (it is lossless, so the
/// pixels are `image`'s) and without EXIF (none was written).
pub fn inspect_encoded_png(name: String, png: Vec<u8>, image: &DynamicImage) -> Inspection {
    let thumbnail = if image.width().max(image.height()) > THUMBNAIL_SIDE {
        image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    } else {
        image.clone()
    };
    Inspection {
        original_name: name,
        sha256: sha256_hex(&png),
        original: Original::Bytes(png),
        media_type: MediaType::Png,
        width: image.width(),
        height: image.height(),
        exif: ExifSummary::default(),
        perceptual_hash: perceptual_hash(&thumbnail),
        thumbnail,
        warnings: Vec::new(),
        video: None,
        // Bytes geoproof has just encoded carry no manifest.
        credentials: ContentCredentials::None,
    }
}

#[cfg(test)]
mod tests {
    use super::PerceptualHash;

    #[test]
    fn an_encoded_png_inspects_as_if_decoded_again() {
        let rgb = image::RgbImage::from_fn(640, 360, |x, y| {
            image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
        });
        let image = image::DynamicImage::ImageRgb8(rgb);
        let mut png = Vec::new();
        image
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let fast = super::inspect_encoded_png("f.png".into(), png.clone(), &image);
        let slow = super::inspect_bytes("f.png".into(), png).unwrap();
        assert_eq!(fast.sha256, slow.sha256);
        assert_eq!((fast.width, fast.height), (slow.width, slow.height));
        assert_eq!(fast.perceptual_hash, slow.perceptual_hash);
        assert_eq!(fast.thumbnail.to_rgb8(), slow.thumbnail.to_rgb8());
        assert_eq!(fast.exif, slow.exif);
    }

    fn hash(hex: &str, version: u32) -> PerceptualHash {
        PerceptualHash {
            algorithm: PerceptualHash::ALGORITHM.into(),
            version,
            hex: hex.into(),
        }
    }

    #[test]
    fn distance_counts_differing_bits_of_the_same_recipe_only() {
        let a = hash("00000000000000ff", 1);
        assert_eq!(a.distance(&a), Some(0));
        assert_eq!(a.distance(&hash("00000000000000f0", 1)), Some(4));
        assert_eq!(a.distance(&hash("ffffffffffffff00", 1)), Some(64));
        assert_eq!(
            a.distance(&hash("00000000000000ff", 2)),
            None,
            "other recipe"
        );
        assert_eq!(a.distance(&hash("00ff", 1)), None, "other length");
    }
}
