//! Media type detection from the file's bytes; the extension is never trusted.

use serde::{Deserialize, Serialize};

/// Image formats geoproof takes in as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
    Tiff,
}

impl MediaType {
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Tiff => "image/tiff",
        }
    }

    /// The extension used for the stored original.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
            MediaType::Webp => "webp",
            MediaType::Tiff => "tif",
        }
    }

    pub fn image_format(self) -> image::ImageFormat {
        match self {
            MediaType::Jpeg => image::ImageFormat::Jpeg,
            MediaType::Png => image::ImageFormat::Png,
            MediaType::Webp => image::ImageFormat::WebP,
            MediaType::Tiff => image::ImageFormat::Tiff,
        }
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
        let brand = &bytes[8..12];
        return Err(match brand {
            b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                SniffRefusal::Unsupported(
                    "HEIC/HEIF is not supported yet; convert a copy to JPEG or PNG and keep the original",
                )
            }
            b"avif" | b"avis" => SniffRefusal::Unsupported("AVIF is not supported yet"),
            _ => SniffRefusal::NotAnImage(
                "an ISO media file (video?); extract stills first".to_owned(),
            ),
        });
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
    fn refuses_heic_with_reason() {
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0";
        assert!(matches!(sniff(heic), Err(SniffRefusal::Unsupported(m)) if m.contains("HEIC")));
    }

    #[test]
    fn text_is_not_an_image() {
        assert_eq!(
            sniff(b"hello, I am not a JPEG\n"),
            Err(SniffRefusal::NotAnImage("the file contains text".into()))
        );
    }
}
