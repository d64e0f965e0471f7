//! The app driven as a user would (egui_kittest), one test binary for all its parts:
//! one link instead of one per part, and the kittests run in parallel threads.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../util/mod.rs"]
mod util;
#[path = "../util/vector_tiles.rs"]
mod vector_tiles;

mod board;
mod candidates;
mod date_compare;
mod demo_terrain;
mod find;
mod georef;
mod map;
mod map_labels;
mod osm_search;
mod review;
mod skyline;
mod terrain;
mod vector_basemap;
mod vector_labels;
mod video;
