//! geoproof: an offline-first workbench for proving where footage was shot and whether
//! two images show the same person or object.
//!
//! The domain (this library) has no UI dependency; the `gui` feature adds the desktop
//! app on top of it.

pub mod assets;
pub mod board;
pub mod case;
pub mod collect;
pub mod evidence;
pub mod export;
pub mod fingerprint;
pub mod fsio;
pub mod imagery;
pub mod matching;
pub mod metadata;
pub mod osm;
pub mod search;
pub mod spatial;
pub mod sun;
pub mod terrain;
pub mod timestamp;
#[cfg(feature = "gui")]
pub mod ui;
pub mod vector;
pub mod video;
