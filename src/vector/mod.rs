//! Vector basemaps without the UI (#32): tiles read from PMTiles v3, MBTiles or a
//! `z/x/y` folder (`archive`), Mapbox Vector Tiles decoded with `mvt-reader` and styled
//! for the Protomaps basemap and OpenMapTiles schemas (`style`), tessellated with lyon
//! into triangle meshes (`mesh`) that the egui map draws and the software rasteriser
//! (`raster`) fills for snapshots (`snapshot`), so a snapshot looks like the map. An
//! OSM extract's index is drawn as a street map through the same meshes (`streets`).

pub mod archive;
pub mod error;
pub mod mesh;
pub mod raster;
pub mod snapshot;
pub mod streets;
pub mod style;

pub use archive::{Archive, TileFormat};
pub use error::{DecodeError, TileAddr, VectorError};
pub use mesh::{Mesh, TileMesh, tile_mesh};
pub use snapshot::TileSource;
pub use streets::OsmStreets;
pub use style::{Schema, Theme};
