//! What can go wrong reading a tag filter, a query, an extract or a PostGIS database.
//! Each variant carries the text, file or table that failed; the messages name no CLI
//! flag (the CLI prefixes its own).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum OsmError {
    #[error("an empty filter: write KEY=VALUE, KEY, KEY~PATTERN or KEY>=NUMBER")]
    EmptyFilter,
    /// A part of a filter failed; `cause` says how.
    #[error("filter {filter:?}: {cause}")]
    Filter {
        filter: String,
        #[source]
        cause: Box<OsmError>,
    },
    #[error("{key:?} is not an OSM key")]
    NotAKey { key: String },
    #[error("pattern {pattern:?}: {source}")]
    Pattern {
        pattern: String,
        source: regex::Error,
    },
    #[error("{part:?} has an empty value")]
    EmptyValue { part: String },
    #[error("{part:?} is not KEY=VALUE, KEY, KEY~PATTERN or KEY>=NUMBER[UNIT]")]
    NotACondition { part: String },
    #[error("{text:?} is not a number")]
    NotANumber { text: String },
    #[error("{text:?}: unknown unit {unit:?} (lengths: m, km, ft, mi; speeds: km/h, mph, knots)")]
    UnknownUnit { text: String, unit: String },
    #[error("{text:?}: a distance must be more than zero")]
    DistanceNotPositive { text: String },
    #[error("{text:?}: give the unit (m, km, ft or mi)")]
    DistanceWithoutUnit { text: String },
    #[error("{text:?} is a speed, not a distance")]
    SpeedNotDistance { text: String },
    #[error("{text:?}: write DISTANCE:FILTER, e.g. 200m:amenity=fuel")]
    ConstraintForm { text: String },
    #[error("{text:?}: expected W,S,E,N in degrees")]
    BboxNotNumbers { text: String },
    #[error("{text:?}: expected W,S,E,N with -180 ≤ W,E ≤ 180 and -90 ≤ S < N ≤ 90")]
    BboxOutOfRange { text: String },
    #[error("{code:?} is not an ISO 3166 alpha-3 code of the bundled borders")]
    UnknownCountry { code: String },
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: cannot create: {source}", path.display())]
    CreateCache {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: cannot write the index build's temporary files: {source}", path.display())]
    BuildFiles {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("index: {0}")]
    Encode(#[from] postcard::Error),
    #[error(transparent)]
    Write(#[from] crate::fsio::FileError),
    #[error("the index build was cancelled; nothing was kept")]
    Cancelled,
    #[error("{}: no OpenStreetMap data in it (not an .osm.pbf extract?)", path.display())]
    NoData { path: PathBuf },
    #[error(
        "{}: an OSM history file (every version of every object, deleted ones too); \
         a search needs a current extract (.osm.pbf), e.g. from `osmium time-filter`",
        path.display()
    )]
    HistoryFile { path: PathBuf },
    #[error(
        "{}: needs the .osm.pbf feature {feature:?}, which this reader does not support",
        path.display()
    )]
    UnsupportedFeature { path: PathBuf, feature: String },
    /// `detail` is the reader's own message, on one line.
    #[error(
        "{}: not a readable .osm.pbf (truncated or another format: {detail})",
        path.display()
    )]
    NotPbf { path: PathBuf, detail: String },
    #[error(
        "{}: too large for a local index (over 4 GiB of {what}); query a PostGIS database \
         loaded with osm2pgsql instead",
        path.display()
    )]
    TooLarge { path: PathBuf, what: &'static str },
    #[error("table prefix {prefix:?}: expected a lower-case identifier such as planet_osm")]
    TablePrefix { prefix: String },
    /// `detail` is the driver's message, on one line.
    #[error("the PostGIS connection string: {detail}")]
    Conninfo { detail: String },
    #[error("the PostGIS database: cannot connect: {detail}")]
    Connect { detail: String },
    #[error("the PostGIS database: {detail}")]
    Database { detail: String },
    #[error(
        "the PostGIS database has no table {table} (load an extract with \
         osm2pgsql --hstore-all, or give the prefix it was loaded with)"
    )]
    NoTable { table: String },
    #[error("{table} has no hstore column tags: load the extract with osm2pgsql --hstore-all")]
    NoHstore { table: String },
    #[error("{table} lacks osm2pgsql's way and osm_id columns: not an osm2pgsql table")]
    NotOsm2pgsql { table: String },
    #[error("{table}: no geometry SRID: {detail}")]
    NoSrid { table: String, detail: String },
    #[error("the osm2pgsql tables have different SRIDs {srids:?}: load them in one run")]
    MixedSrids { srids: Vec<i32> },
    #[error("the PostGIS query failed: {detail}")]
    Query { detail: String },
    #[error("a geometry PostGIS sent: {source}")]
    Geometry { source: serde_json::Error },
}
