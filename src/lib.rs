//! geoproof: an offline-first workbench for proving where footage was shot and whether
//! two images show the same person or object.
//!
//! The domain (this library) has no UI dependency; the `gui` feature adds the desktop
//! app on top of it.

pub mod board;
pub mod case;
pub mod evidence;
pub mod export;
pub mod matching;
pub mod spatial;
#[cfg(feature = "gui")]
pub mod ui;

/// Where the bundled assets (fonts, basemap, borders, demo case) live: `GEOPROOF_ASSETS`,
/// else the source tree's `assets/`.
pub fn assets_dir() -> std::path::PathBuf {
    std::env::var_os("GEOPROOF_ASSETS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/assets")))
}
