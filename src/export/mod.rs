//! What leaves the case for publication. `geo`: findings as GeoJSON, KML and CSV;
//! `figure`: annotated comparison figures as PNG and SVG with a provenance manifest.

pub mod contact_sheet;
pub mod figure;
pub mod geo;
pub mod georef;
pub mod map_snapshot;
pub mod redact;
pub mod report;

pub use geo::{GeoExport, GeoFormat};
