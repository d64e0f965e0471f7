//! Find it everywhere (#35): an index of every picture in a case (each still; for
//! videos their scene changes and one frame every few seconds) by local features, and a
//! search by region over it. A fast first pass ranks the pictures by shared visual words
//! (hashed binary descriptors in an inverted file); the best candidates are then matched
//! feature to feature and verified by a RANSAC homography, and only those with enough
//! inliers are reported, as proposals with their inliers, never as conclusions. Mirrored
//! copies are searched too.
//!
//! The index is a cache under the case's `cache/search/`: deleting it loses nothing, an
//! index of another version is rebuilt, and refreshing it indexes only what is new.

mod build;
mod query;
mod store;
mod video;
mod words;

use std::path::PathBuf;

use image::GrayImage;

pub use build::{IndexOptions, IndexProgress, IndexReport, refresh_index, refresh_items};
pub use query::{Hit, Query, SearchIndex, SearchOptions, SearchReport};
pub use store::{Entry, ItemStatus, Manifest, Stale, index_dir};

use crate::matching::features::detect;
use store::Feature;

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
    #[error("{0}")]
    Region(#[from] crate::matching::RoiError),
    #[error("{what}: {reason}")]
    Invalid { what: String, reason: String },
}

/// Features of a working picture, keypoints in its pixels.
fn features_of(gray: &GrayImage, max: usize) -> Vec<Feature> {
    let (keypoints, descriptors) = detect(gray, max);
    keypoints
        .iter()
        .zip(&descriptors)
        .map(|(k, d)| Feature::new(k.x, k.y, *d))
        .collect()
}

/// A picture scaled to the working side (never enlarged), in grey, and its scale.
fn working_gray(image: &image::DynamicImage, full_width: u32) -> (GrayImage, f64) {
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
