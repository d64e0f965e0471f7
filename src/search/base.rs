//! What every part of the search stands on: the recipe's constants, the error, a
//! feature as stored, and how a picture's features are found.

use std::path::PathBuf;

use image::GrayImage;

use crate::matching::features::detect;

/// Layout and recipe of the index; an index of another version is rebuilt.
pub const INDEX_VERSION: u32 = 1;
/// Longer side at which pictures are indexed, pixels.
pub const WORKING_SIDE: u32 = 640;
/// Features kept per indexed picture (strongest first).
pub const FEATURES_PER_PICTURE: usize = 1000;
/// Features looked for in a query region.
pub const QUERY_FEATURES: usize = 1000;
/// Below this many features in the query region there is nothing to search with.
pub const MIN_QUERY_FEATURES: usize = 25;
/// Default seconds between sampled video frames.
pub const DEFAULT_EVERY_S: f64 = 2.0;

/// Why an index could not be built or searched; each names the file or the value.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cancelled")]
    Cancelled,
    #[error(
        "the region {region} has {found} features, fewer than {MIN_QUERY_FEATURES}: too \
         little texture (sky, a plain wall) or too small to search with"
    )]
    TooFewFeatures { region: String, found: usize },
    #[error(transparent)]
    Region(#[from] crate::matching::RoiError),
    #[error("{what}: {reason}")]
    Invalid { what: String, reason: String },
}

/// Features of a working picture, keypoints in its pixels.
pub(super) fn features_of(gray: &GrayImage, max: usize) -> Vec<Feature> {
    let (keypoints, descriptors) = detect(gray, max);
    keypoints
        .iter()
        .zip(&descriptors)
        .map(|(k, d)| Feature::new(k.x, k.y, *d))
        .collect()
}

/// A picture scaled to the working side (never enlarged), in grey, and its scale.
pub(super) fn working_gray(image: &image::DynamicImage, full_width: u32) -> (GrayImage, f64) {
    let gray = image.to_luma8();
    let long = gray.width().max(gray.height());
    let gray = if long > WORKING_SIDE {
        let f = f64::from(WORKING_SIDE) / f64::from(long);
        let w = ((f64::from(gray.width()) * f).round() as u32).max(1);
        let h = ((f64::from(gray.height()) * f).round() as u32).max(1);
        image::imageops::resize(&gray, w, h, image::imageops::FilterType::Triangle)
    } else {
        gray
    };
    let scale = f64::from(gray.width()) / f64::from(full_width.max(1));
    (gray, scale)
}

/// A keypoint (x, y as f32 bits in the first word, in the entry's working pixels) and
/// its 256-bit descriptor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Feature(pub [u64; 5]);

impl Feature {
    pub fn new(x: f64, y: f64, d: [u64; 4]) -> Feature {
        let xy = u64::from((x as f32).to_bits()) | (u64::from((y as f32).to_bits()) << 32);
        Feature([xy, d[0], d[1], d[2], d[3]])
    }

    pub fn xy(&self) -> [f64; 2] {
        [
            f64::from(f32::from_bits(self.0[0] as u32)),
            f64::from(f32::from_bits((self.0[0] >> 32) as u32)),
        ]
    }

    pub fn descriptor(&self) -> [u64; 4] {
        [self.0[1], self.0[2], self.0[3], self.0[4]]
    }
}
