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

mod base;
mod build;
mod query;
mod store;
mod video;
mod words;

pub use base::{
    DEFAULT_EVERY_S, FEATURES_PER_PICTURE, INDEX_VERSION, MIN_QUERY_FEATURES, QUERY_FEATURES,
    SearchError, WORKING_SIDE,
};
pub use build::{IndexOptions, IndexProgress, IndexReport, refresh_index, refresh_items};
pub use query::{Hit, Query, SearchIndex, SearchOptions, SearchReport};
pub use store::{Entry, ItemStatus, MANIFEST_FILE, Manifest, Stale, index_dir};
