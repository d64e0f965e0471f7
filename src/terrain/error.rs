//! What the terrain module refuses, and why: one line each, naming the file or the value.

use std::path::PathBuf;

/// A refusal with its cause. Every variant that comes from a file names it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TerrainError {
    #[error("no elevation file given")]
    NoDem,
    #[error("{}: not a local file path (GDAL virtual paths and URLs are not opened)", path.display())]
    NotLocal { path: PathBuf },
    #[error("{}: cannot read: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error("{}: GDAL cannot open it as an elevation raster (GeoTIFF, SRTM .hgt, DTED, ASCII grid): {reason}", path.display())]
    NotRaster { path: PathBuf, reason: String },
    #[error("{}: not elevation: {reason}", path.display())]
    NotElevation { path: PathBuf, reason: String },
    #[error("{}: has no georeferencing (no geotransform or no coordinate reference system)", path.display())]
    NoGeoreference { path: PathBuf },
    #[error("{}: its CRS ({crs}) differs from {}'s ({first_crs}): reproject the tiles to one CRS (gdalwarp -t_srs)", path.display(), first.display())]
    MixedCrs {
        path: PathBuf,
        crs: String,
        first: PathBuf,
        first_crs: String,
    },
    #[error("{}: vertical unit {unit:?} differs from {}'s {first_unit:?}: convert the tiles to one unit", path.display(), first.display())]
    MixedUnits {
        path: PathBuf,
        unit: String,
        first: PathBuf,
        first_unit: String,
    },
    #[error("{}: vertical unit {unit:?} is not metres or feet", path.display())]
    UnknownUnit { path: PathBuf, unit: String },
    #[error("{}: {width}×{height} cells is more than this program reads at once ({max} cells): clip it (gdal_translate -projwin)", path.display())]
    TooLarge {
        path: PathBuf,
        width: usize,
        height: usize,
        max: usize,
    },
    #[error("{}: truncated or damaged: {reason}", path.display())]
    Damaged { path: PathBuf, reason: String },
    #[error("{}: its CRS cannot be reached from WGS84 latitude/longitude: {reason}", path.display())]
    Transform { path: PathBuf, reason: String },
    #[error("the {what} at {lat:.6}, {lon:.6} is outside every elevation tile or on a nodata cell")]
    NoElevation { what: String, lat: f64, lon: f64 },
    #[error("the {what} at {lat:.6}, {lon:.6} is {below:.1} m below the ground ({ground:.1} m)")]
    BelowGround {
        what: String,
        lat: f64,
        lon: f64,
        ground: f64,
        below: f64,
    },
    #[error("{name} {value}: {reason}")]
    BadValue {
        name: String,
        value: f64,
        reason: String,
    },
    #[error("{}: has changed since it was added to the case (SHA-256 {found}, recorded {expected}): add it again if the change is wanted", path.display())]
    Changed {
        path: PathBuf,
        expected: String,
        found: String,
    },
    #[error("{}: recorded SHA-256 {sha256:?} is not 64 lowercase hex digits", path.display())]
    BadHash { path: PathBuf, sha256: String },
    #[error("{}: listed twice among the elevation files", path.display())]
    Listed { path: PathBuf },
    #[error("{}: cannot write: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
    #[error("the traced skyline has no points: trace it (or accept a suggestion) first")]
    NoTrace,
    #[error("traced point ({x}, {y}) is outside the {width}×{height} frame")]
    TraceOutside {
        x: f64,
        y: f64,
        width: u32,
        height: u32,
    },
    #[error("no candidate sites to scan")]
    NoSites,
    #[error(
        "the box west {west}, south {south}, east {east}, north {north} is not a box in degrees (west < east, south < north)"
    )]
    BadBox {
        west: f64,
        south: f64,
        east: f64,
        north: f64,
    },
    #[error("the scan was cancelled")]
    Cancelled,
    #[error("cannot start the scan's worker threads: {reason}")]
    Threads { reason: String },
    #[error("the frame is {width}×{height} pixels: too small to find a skyline in (at least 8×8)")]
    FrameTooSmall { width: u32, height: u32 },
}

impl TerrainError {
    pub(crate) fn bad(name: &str, value: f64, reason: &str) -> TerrainError {
        TerrainError::BadValue {
            name: name.to_owned(),
            value,
            reason: reason.to_owned(),
        }
    }
}

/// GDAL's messages can span lines; an error here is one line.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl From<crate::fsio::FileError> for TerrainError {
    fn from(e: crate::fsio::FileError) -> TerrainError {
        TerrainError::Write {
            path: e.path,
            reason: e.source.to_string(),
        }
    }
}
