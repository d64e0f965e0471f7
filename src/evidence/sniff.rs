//! Media type detection from the file's bytes; the extension is never trusted.

use serde::{Deserialize, Serialize};

/// Image and video formats geoproof takes in as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
    Tiff,
    /// HEIF with HEVC pictures (HEIC), as iPhones shoot; decoded through GDAL.
    Heif,
    /// HEIF with AV1 pictures; decoded through GDAL where it can.
    Avif,
    Mp4,
    QuickTime,
    M4v,
    WebM,
    Matroska,
    MpegTs,
    Avi,
}

impl MediaType {
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Tiff => "image/tiff",
            MediaType::Heif => "image/heic",
            MediaType::Avif => "image/avif",
            MediaType::Mp4 => "video/mp4",
            MediaType::QuickTime => "video/quicktime",
            MediaType::M4v => "video/x-m4v",
            MediaType::WebM => "video/webm",
            MediaType::Matroska => "video/x-matroska",
            MediaType::MpegTs => "video/mp2t",
            MediaType::Avi => "video/x-msvideo",
        }
    }

    /// The extension used for the stored original.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
            MediaType::Webp => "webp",
            MediaType::Tiff => "tif",
            MediaType::Heif => "heic",
            MediaType::Avif => "avif",
            MediaType::Mp4 => "mp4",
            MediaType::QuickTime => "mov",
            MediaType::M4v => "m4v",
            MediaType::WebM => "webm",
            MediaType::Matroska => "mkv",
            MediaType::MpegTs => "ts",
            MediaType::Avi => "avi",
        }
    }

    /// The container's name in a video record (`None` for images).
    pub fn container(self) -> Option<&'static str> {
        Some(match self {
            MediaType::Mp4 => "mp4",
            MediaType::QuickTime => "quicktime",
            MediaType::M4v => "m4v",
            MediaType::WebM => "webm",
            MediaType::Matroska => "matroska",
            MediaType::MpegTs => "mpegts",
            MediaType::Avi => "avi",
            MediaType::Jpeg
            | MediaType::Png
            | MediaType::Webp
            | MediaType::Tiff
            | MediaType::Heif
            | MediaType::Avif => return None,
        })
    }

    pub fn is_video(self) -> bool {
        self.container().is_some()
    }

    /// Whether a record's media type (a MIME type) is a video.
    pub fn mime_is_video(mime: &str) -> bool {
        mime.starts_with("video/")
    }

    /// The image crate's format; `None` for videos (decoded by ffmpeg) and HEIF/AVIF
    /// (decoded by GDAL).
    pub fn image_format(self) -> Option<image::ImageFormat> {
        Some(match self {
            MediaType::Jpeg => image::ImageFormat::Jpeg,
            MediaType::Png => image::ImageFormat::Png,
            MediaType::Webp => image::ImageFormat::WebP,
            MediaType::Tiff => image::ImageFormat::Tiff,
            _ => return None,
        })
    }
}

/// Why a file's bytes are not a supported image, phrased for the analyst.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SniffRefusal {
    /// A known image format that this version does not take in.
    Unsupported(&'static str),
    /// Not an image at all.
    NotAnImage(String),
}

/// Identifies the image format from the leading bytes.
pub fn sniff(bytes: &[u8]) -> Result<MediaType, SniffRefusal> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(MediaType::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(MediaType::Png);
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok(MediaType::Webp);
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return Ok(MediaType::Tiff);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        if let Some(still) = sniff_heif(bytes) {
            return Ok(still);
        }
        return match &bytes[8..12] {
            b"qt  " => Ok(MediaType::QuickTime),
            b"M4V " | b"M4VH" | b"M4VP" => Ok(MediaType::M4v),
            _ => Ok(MediaType::Mp4),
        };
    }
    if let Some(video) = sniff_video(bytes) {
        return Ok(video);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Err(SniffRefusal::Unsupported("GIF is not supported"));
    }
    if bytes.starts_with(b"BM") && bytes.len() > 14 {
        return Err(SniffRefusal::Unsupported("BMP is not supported"));
    }
    let head = &bytes[..bytes.len().min(512)];
    let looks_textual = !head.contains(&0) && std::str::from_utf8(head).is_ok();
    Err(SniffRefusal::NotAnImage(if looks_textual {
        "the file contains text".to_owned()
    } else {
        let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("unrecognised content (starts with {})", hex.join(" "))
    }))
}

/// HEIF stills by the brands of the `ftyp` box (major and compatible): HEVC brands make
/// HEIC, AV1 brands AVIF; a bare HEIF brand (`mif1`) is left to libheif as HEIF.
fn sniff_heif(bytes: &[u8]) -> Option<MediaType> {
    let size = usize::try_from(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
        .unwrap_or(usize::MAX)
        .clamp(12, bytes.len());
    let major = &bytes[8..12];
    let compatible = bytes.get(16..size).unwrap_or_default().chunks_exact(4);
    let brands: Vec<&[u8]> = std::iter::once(major).chain(compatible).collect();
    let any = |set: &[&[u8]]| brands.iter().any(|b| set.contains(b));
    if any(&[b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"]) {
        Some(MediaType::Heif)
    } else if any(&[b"avif", b"avis"]) {
        Some(MediaType::Avif)
    } else if matches!(major, b"mif1" | b"msf1") {
        Some(MediaType::Heif)
    } else {
        None
    }
}

/// Containers other than ISO media, by their signatures.
fn sniff_video(bytes: &[u8]) -> Option<MediaType> {
    // QuickTime files older than the `ftyp` box start with another top-level atom.
    if bytes.len() >= 8 && matches!(&bytes[4..8], b"moov" | b"mdat" | b"wide" | b"pnot") {
        return Some(MediaType::QuickTime);
    }
    if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        let head = &bytes[..bytes.len().min(64)];
        let webm = head.windows(4).any(|w| w == b"webm");
        return Some(if webm {
            MediaType::WebM
        } else {
            MediaType::Matroska
        });
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"AVI " {
        return Some(MediaType::Avi);
    }
    // MPEG-TS: a sync byte every 188 bytes (M2TS: every 192, after a 4-byte prefix).
    let synced = |offset: usize, stride: usize| {
        bytes.len() > offset + 2 * stride && (0..3).all(|k| bytes[offset + k * stride] == 0x47)
    };
    if synced(0, 188) || synced(4, 192) {
        return Some(MediaType::MpegTs);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats_by_magic_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Ok(MediaType::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Ok(MediaType::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Ok(MediaType::Webp));
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Ok(MediaType::Tiff));
        assert_eq!(sniff(b"MM\0*\0\0\0\x08"), Ok(MediaType::Tiff));
    }

    #[test]
    fn detects_video_containers() {
        assert_eq!(sniff(b"\0\0\0\x20ftypisom\0\0\x02\0"), Ok(MediaType::Mp4));
        assert_eq!(
            sniff(b"\0\0\0\x14ftypqt  \0\0\x02\0"),
            Ok(MediaType::QuickTime)
        );
        assert_eq!(sniff(b"\0\0\0\x14ftypM4V \0\0\x02\0"), Ok(MediaType::M4v));
        assert_eq!(sniff(b"\0\0\x10\0moov\0\0"), Ok(MediaType::QuickTime));
        assert_eq!(
            sniff(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"),
            Ok(MediaType::WebM)
        );
        assert_eq!(
            sniff(b"\x1a\x45\xdf\xa3\xa3\x42\x82\x88matroska"),
            Ok(MediaType::Matroska)
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0AVI LIST"), Ok(MediaType::Avi));
        let mut ts = vec![0u8; 188 * 3 + 1];
        for k in 0..4 {
            if let Some(b) = ts.get_mut(k * 188) {
                *b = 0x47;
            }
        }
        assert_eq!(sniff(&ts), Ok(MediaType::MpegTs));
        assert!(MediaType::MpegTs.is_video() && !MediaType::Png.is_video());
    }

    #[test]
    fn heif_stills_are_told_apart_by_their_brands() {
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"),
            Ok(MediaType::Heif)
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic"),
            Ok(MediaType::Heif)
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypavif\0\0\0\0avifmif1"),
            Ok(MediaType::Avif)
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypmif1\0\0\0\0mif1avif"),
            Ok(MediaType::Avif)
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2"),
            Ok(MediaType::Mp4)
        );
        assert!(!MediaType::Heif.is_video() && !MediaType::Avif.is_video());
    }

    #[test]
    fn text_is_not_an_image() {
        assert_eq!(
            sniff(b"hello, I am not a JPEG\n"),
            Err(SniffRefusal::NotAnImage("the file contains text".into()))
        );
    }
}
