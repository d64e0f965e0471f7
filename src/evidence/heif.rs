//! HEIF/HEIC photos (what iPhones shoot by default) decoded through GDAL's HEIF driver.
//!
//! geoproof already links GDAL, and Debian's GDAL 3.6 is built with libheif 1.15.
//! libheif applies the container's rotation and mirror (`irot`, `imir`) while
//! decoding, so the pixels come out as displayed: the EXIF Orientation tag, which HEIF
//! readers are to ignore, must not be applied again. AVIF, which GDAL 3.6's HEIF
//! driver does not open, goes to libheif directly ([`super::avif`]).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use gdal::raster::{GdalDataType, ResampleAlg};
use gdal::{Dataset, DatasetOptions, GdalOpenFlags, Metadata};
use image::{DynamicImage, GrayAlphaImage, GrayImage, RgbImage, RgbaImage};

/// Why GDAL could not read a HEIF file: libheif's reason, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeifError {
    /// The file ends before the data its boxes point to.
    Truncated(String),
    /// Anything else GDAL or libheif refused.
    Failed(String),
}

/// A copy of the bytes in GDAL's in-memory file system, removed when dropped.
struct MemFile(PathBuf);

impl Drop for MemFile {
    fn drop(&mut self) {
        let _ = gdal::vsi::unlink_mem_file(&self.0);
    }
}

/// A HEIF file opened by GDAL (the memory file is dropped after the dataset).
pub struct HeifImage {
    dataset: Dataset,
    _file: MemFile,
}

impl HeifImage {
    /// Opens the file from its bytes; nothing is decoded yet.
    pub fn open(bytes: &[u8]) -> Result<HeifImage, HeifError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        crate::imagery::configure_gdal();
        let path = PathBuf::from(format!(
            "/vsimem/geoproof-evidence-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        gdal::vsi::create_mem_file(&path, bytes.to_vec())
            .map_err(|e| HeifError::Failed(format!("cannot hand the bytes to GDAL ({e})")))?;
        let file = MemFile(path);
        let dataset = Dataset::open_ex(
            &file.0,
            DatasetOptions {
                open_flags: GdalOpenFlags::GDAL_OF_RASTER | GdalOpenFlags::GDAL_OF_READONLY,
                allowed_drivers: Some(&["HEIF"]),
                ..Default::default()
            },
        )
        .map_err(|e| refusal(&e))?;
        Ok(HeifImage {
            dataset,
            _file: file,
        })
    }

    /// Width and height as displayed (libheif has applied the rotation).
    pub fn size(&self) -> (u32, u32) {
        let (w, h) = self.dataset.raster_size();
        let size = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        (size(w), size(h))
    }

    /// The pixels, as displayed, at most `max_side` on the longer side (GDAL averages
    /// them down as it reads). The caller checks [`HeifImage::size`] first.
    pub fn read(&self, max_side: u32) -> Result<DynamicImage, HeifError> {
        let (w, h) = self.dataset.raster_size();
        let scale = (f64::from(max_side) / w.max(h) as f64).min(1.0);
        let out = (
            ((w as f64 * scale).round() as usize).max(1),
            ((h as f64 * scale).round() as usize).max(1),
        );
        let bands = self.dataset.raster_count();
        let mut planes = Vec::with_capacity(bands);
        for b in 1..=bands {
            let band = self.dataset.rasterband(b).map_err(|e| refusal(&e))?;
            // Deeper than 8 bits (10-bit HEIC): scaled to 8 by the stored bit depth.
            let bits = band
                .metadata_item("NBITS", "IMAGE_STRUCTURE")
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(8);
            let plane: Vec<u8> = if band.band_type() == GdalDataType::UInt8 {
                band.read_as::<u8>((0, 0), (w, h), out, Some(ResampleAlg::Average))
                    .map_err(|e| refusal(&e))?
                    .into_shape_and_vec()
                    .1
            } else {
                let max = f64::from((1u32 << bits.clamp(1, 16)) - 1);
                band.read_as::<f64>((0, 0), (w, h), out, Some(ResampleAlg::Average))
                    .map_err(|e| refusal(&e))?
                    .into_shape_and_vec()
                    .1
                    .into_iter()
                    .map(|v| (v / max * 255.0).round().clamp(0.0, 255.0) as u8)
                    .collect()
            };
            planes.push(plane);
        }
        interleave(out, &planes)
    }
}

/// GDAL's own message (without the binding's "method returned a NULL pointer"), as
/// truncation or another failure.
fn refusal(e: &gdal::errors::GdalError) -> HeifError {
    let reason = match e {
        gdal::errors::GdalError::NullPointer { msg, .. } if !msg.trim().is_empty() => one_line(msg),
        e => one_line(&e.to_string()),
    };
    let lower = reason.to_ascii_lowercase();
    if lower.contains("end of file") || lower.contains("outside of file bounds") {
        HeifError::Truncated(reason)
    } else {
        HeifError::Failed(reason)
    }
}

/// Band planes (grey, grey + alpha, RGB or RGBA) as one image.
fn interleave((w, h): (usize, usize), planes: &[Vec<u8>]) -> Result<DynamicImage, HeifError> {
    if planes.iter().any(|p| p.len() != w * h) {
        return Err(HeifError::Failed(
            "GDAL returned fewer pixels than the image has".into(),
        ));
    }
    let (w32, h32) = (
        u32::try_from(w).unwrap_or(u32::MAX),
        u32::try_from(h).unwrap_or(u32::MAX),
    );
    let pixels: Vec<u8> = (0..w * h)
        .flat_map(|i| planes.iter().map(move |p| p[i]))
        .collect();
    let image = match planes.len() {
        1 => GrayImage::from_raw(w32, h32, pixels).map(DynamicImage::ImageLuma8),
        2 => GrayAlphaImage::from_raw(w32, h32, pixels).map(DynamicImage::ImageLumaA8),
        3 => RgbImage::from_raw(w32, h32, pixels).map(DynamicImage::ImageRgb8),
        4 => RgbaImage::from_raw(w32, h32, pixels).map(DynamicImage::ImageRgba8),
        _ => None,
    };
    image.ok_or_else(|| {
        HeifError::Failed(format!(
            "{} bands of pixels, not grey or colour",
            planes.len()
        ))
    })
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
