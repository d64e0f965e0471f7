//! What leaves the case for publication. `geo`: findings as GeoJSON, KML and CSV.

pub mod geo;

pub use geo::{GeoExport, GeoFormat};
