//! Candidate-site search in OpenStreetMap data, offline: a local index of a regional
//! `.osm.pbf` extract (`index`), tag filters with units and presets (`filter`), and
//! queries of one feature near (or not near) others inside an area (`query`), and the
//! same queries against a PostGIS database loaded by osm2pgsql (`postgis`).
//! OSM data is © OpenStreetMap contributors (ODbL): [`ATTRIBUTION`] goes wherever it is
//! shown or exported.

mod build;
mod error;
pub mod feature;
pub mod filter;
pub mod index;
mod mapped;
mod nodes;
mod pack;
mod packed;
pub mod postgis;
pub mod query;

pub use error::OsmError;
use serde::{Deserialize, Serialize};

pub const ATTRIBUTION: &str = "© OpenStreetMap contributors (ODbL)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OsmType {
    Node,
    Way,
    Relation,
}
