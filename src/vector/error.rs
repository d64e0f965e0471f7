//! The tile address and the errors every part of `vector` shares (a leaf module).

use std::path::PathBuf;

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
    #[error("label fonts: {0}")]
    Fonts(crate::assets::AssetError),
}

/// Why one tile's bytes could not be turned into a mesh.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("corrupt gzip ({0})")]
    Gzip(std::io::Error),
    #[error("not a valid vector tile ({0})")]
    Mvt(String),
    #[error("layer '{layer}': {reason}")]
    Layer { layer: String, reason: String },
    #[error("tessellation failed ({0})")]
    Tessellation(String),
}
