//! Vector basemaps without the UI (#32): tiles read from PMTiles v3, MBTiles or a
//! `z/x/y` folder (`archive`), Mapbox Vector Tiles decoded with `mvt-reader` and styled
//! for the Protomaps basemap and OpenMapTiles schemas (`style`), tessellated with lyon
//! into triangle meshes (`mesh`) that the egui map draws and the software rasteriser
//! (`raster`) fills for snapshots (`snapshot`), so a snapshot looks like the map.

use std::path::PathBuf;

pub mod archive;
pub mod mesh;
pub mod raster;
pub mod snapshot;
pub mod style;

pub use archive::{Archive, TileFormat};
pub use mesh::{Mesh, TileMesh, tile_mesh};
pub use style::{Schema, Theme};

/// A tile address: zoom, column, row from the north (XYZ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileAddr {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl std::fmt::Display for TileAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

impl TileAddr {
    /// The tile at `zoom` (≤ `self.z`) that covers this one, and where this one sits in
    /// it: offset and size in fractions of the ancestor.
    pub fn ancestor(self, zoom: u8) -> (TileAddr, [f64; 2], f64) {
        let shift = self.z.saturating_sub(zoom);
        let scale = f64::from(1u32 << shift);
        let a = TileAddr {
            z: self.z - shift,
            x: self.x >> shift,
            y: self.y >> shift,
        };
        let off = [
            f64::from(self.x - (a.x << shift)) / scale,
            f64::from(self.y - (a.y << shift)) / scale,
        ];
        (a, off, 1.0 / scale)
    }
}

/// Everything that can go wrong reading, decoding or drawing a basemap; each names the
/// file and the cause in one line.
#[derive(Debug, thiserror::Error)]
pub enum VectorError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a tile archive ({reason})")]
    NotAnArchive { path: PathBuf, reason: String },
    #[error(
        "{path}: tiles compressed with {compression}, which geoproof does not read (gzip or none)"
    )]
    UnsupportedCompression { path: PathBuf, compression: String },
    #[error("{path}: tiles of type {kind}, which geoproof does not draw")]
    UnsupportedTiles { path: PathBuf, kind: String },
    #[error("{path}: the metadata says format '{declared}' but tile {tile} is {found}")]
    FormatLies {
        path: PathBuf,
        declared: String,
        tile: TileAddr,
        found: String,
    },
    #[error("{path}: tile {tile}: {reason}")]
    Tile {
        path: PathBuf,
        tile: TileAddr,
        reason: String,
    },
    #[error("{path}: cannot write: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("{0}")]
    View(String),
}
