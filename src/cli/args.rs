//! The command line's shape: `Cli` and its subcommands (the larger ones' options live
//! beside their code, e.g. `sun::ShadowArgs`, `export::ExportArgs`).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use geoproof::matching::Roi;

use super::filter::FilterArgs;
use super::matching::parse_roi;
use super::{
    export, find, frames, georef, imagery_dates, import, osm, redact, review, snapshot, stamp, sun,
    terrain,
};

#[derive(Debug, Parser)]
#[command(
    name = "geoproof",
    version = geoproof::assets::VERSION,
    about = "Geolocation and image-comparison workbench for open-source investigators"
)]
pub struct Cli {
    #[command(subcommand)]
    pub(super) command: Option<Command>,
}

// Parsed once per run: the size of the largest variant (export's options) costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Open a case in the desktop app.
    Open { case: PathBuf },
    /// Write the bundled demo case into your data folder (once) and print where it is.
    Demo {
        #[arg(long)]
        json: bool,
    },
    /// Create a new, empty case folder.
    New {
        case: PathBuf,
        #[arg(long, default_value = "Untitled case")]
        title: String,
        #[arg(long)]
        json: bool,
    },
    /// Take image and video files into a case as evidence (originals are copied, never
    /// changed; videos need ffmpeg).
    Add {
        case: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Where the files were obtained (recorded with each item).
        #[arg(long)]
        source: Option<String>,
        /// A note recorded with each item.
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List a case's evidence and findings.
    List {
        case: PathBuf,
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long)]
        json: bool,
    },
    /// Print a file's metadata (hash, type, size, EXIF) without a case.
    Inspect {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Re-hash every original and report missing, altered and unexpected files.
    Verify {
        case: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Parse a coordinate in any accepted form and print it in every form.
    Coords {
        /// e.g. "53.079839, 34.554344", 53°04'47.4"N 34°33'15.6"E, MGRS, UTM, a map link
        #[arg(allow_hyphen_values = true)]
        text: String,
        #[arg(long)]
        json: bool,
    },
    /// Geodesic distance and azimuths between two points (WGS84, Karney).
    Measure {
        #[arg(allow_hyphen_values = true)]
        a: String,
        #[arg(allow_hyphen_values = true)]
        b: String,
        #[arg(long)]
        json: bool,
    },
    /// Shortest distance from a point to an international border (Natural Earth 1:10m).
    BorderDistance {
        #[arg(allow_hyphen_values = true)]
        point: String,
        /// Measure to this country's boundary instead (ISO 3166 alpha-3 or alpha-2).
        #[arg(long)]
        country: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Where the sun is at a point and time (NREL SPA): azimuth, elevation, the shadow
    /// it casts, sunrise, solar noon and sunset.
    Sun {
        /// Any coordinate form `coords` takes.
        #[arg(allow_hyphen_values = true)]
        point: String,
        /// RFC 3339 (2024-03-22T18:00:00+03:00 or …Z), or "2024-03-22T18:00 local" for the
        /// local time at the point.
        time: String,
        /// Height above sea level, metres.
        #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
        elevation_m: f64,
        #[arg(long)]
        json: bool,
    },
    /// What a shadow says: the times at a place (--at, --date) or the places at a time
    /// (--time, --geojson) where shadow length ÷ object height equals --ratio.
    Shadow(sun::ShadowArgs),
    /// Grab frames of a video in a case as evidence (lossless PNG with provenance):
    /// --at TIME, --every INTERVAL, --scenes; --contact-sheet OUT.png.
    Frames(frames::FramesArgs),
    /// Import a collection (a Telegram Desktop JSON export): its media become evidence,
    /// each with the post it came from (chat, message, time, author, caption).
    Import(import::ImportArgs),
    /// Timestamp the case: its manifest's SHA-256 sent to RFC 3161 authorities (--tsa URL,
    /// repeatable; --yes to agree); tokens stored and checked offline by `verify`.
    Stamp(stamp::StampArgs),
    /// Fit an image to the ground from control points (--gcp X,Y,LAT,LON, repeatable;
    /// --method helmert|affine|projective): residuals, RMS, leave-one-out; --at X,Y.
    Georef(georef::GeorefArgs),
    /// Candidate sites from a local OpenStreetMap extract: --find FILTER, --within and
    /// --not-within DIST:FILTER, --bbox W,S,E,N or --country ISO, --json / --geojson OUT.
    OsmSearch(osm::OsmSearchArgs),
    /// A finding's candidate sites: --add-from RESULTS.json, --set ID --status S --reason R,
    /// --list [--json].
    Candidates(osm::CandidatesArgs),
    /// Hide regions of one still for publication (--region/--ellipse X,Y,W,H, --method
    /// box|pixelate|blur): a PNG without metadata.
    Redact(redact::RedactArgs),
    /// Your analyst key: `init --name NAME`, `show`, `add CASE` (list it in a case).
    #[command(subcommand)]
    Analyst(review::AnalystCommand),
    /// Sign a finding as its author (Ed25519 over its canonical form and the SHA-256 of
    /// every file it uses); `verify` checks the signatures.
    Sign(review::SignArgs),
    /// Review a finding: --status ready|approved|disputed [--reason TEXT] (signed; the
    /// author cannot approve), --blind-location LAT,LON [--precision M], or the case's
    /// --summary.
    Review(review::ReviewArgs),
    /// A finding's methods report: --html OUT.html, self-contained (figure embedded;
    /// inputs with SHA-256 and provenance, methods, review, signatures, version), and/or
    /// --pdf OUT.pdf with the same content (fonts embedded, searchable text).
    Report(review::ReportArgs),
    /// Terrain from DEM files (--dem, repeatable): elevation, profile, viewshed,
    /// horizon, skyline.
    Terrain(terrain::TerrainArgs),
    /// A map view rendered offline to PNG from a vector or raster .pmtiles/.mbtiles, a
    /// z/x/y folder or an .osm.pbf extract (a street map from zoom 12): --center LAT,LON
    /// --zoom Z --size WxH --basemap FILE [--dark] --out PNG.
    Snapshot(snapshot::SnapshotArgs),
    /// The dates imagery files state: capture dates from metadata (GDAL IMAGERY
    /// ACQUISITIONDATETIME and similar keys) or Sentinel/Landsat product names, else the
    /// TIFF DateTime, which is a processing date and said to be one.
    ImageryDates(imagery_dates::ImageryDatesArgs),
    /// Two imagery layers at the same view side by side, each captioned with its date:
    /// A B --center LAT,LON --zoom Z [--size WxH] [--case CASE] --out OUT.png|svg.
    BeforeAfter(imagery_dates::BeforeAfterArgs),
    /// Print one finding (logged as seen by you: a blind review is refused afterwards).
    Show {
        case: PathBuf,
        finding: String,
        #[arg(long)]
        json: bool,
    },
    /// Evidence that looks like one item (perceptual-hash distance), closest first.
    Similar {
        case: PathBuf,
        evidence: String,
        /// Most differing hash bits (of 64) to list.
        #[arg(long, default_value_t = geoproof::case::NEAR_DUPLICATE_MAX_DISTANCE)]
        max_distance: u32,
        #[arg(long)]
        json: bool,
    },
    /// Propose correspondences between two images and fit a homography (A's pixels to
    /// B's). A proposal to review, never a conclusion.
    Match {
        a: PathBuf,
        b: PathBuf,
        /// Only this region of A: X,Y,W,H in oriented pixels.
        #[arg(long, value_parser = parse_roi)]
        roi_a: Option<Roi>,
        /// Only this region of B: X,Y,W,H in oriented pixels.
        #[arg(long, value_parser = parse_roi)]
        roi_b: Option<Roi>,
        /// Features to detect in each image.
        #[arg(long, default_value_t = 2000)]
        features: usize,
        #[arg(long)]
        json: bool,
    },
    /// Search the whole case for what a region of one picture shows (stills and video
    /// frames), or build the search index with --index. Results are proposals.
    Find(find::FindArgs),
    /// Compare the colours of two regions (CIELAB), robust to a brightness change.
    Colours {
        a: PathBuf,
        b: PathBuf,
        /// Region of A: X,Y,W,H in oriented pixels (default: the whole image).
        #[arg(long, value_parser = parse_roi)]
        roi_a: Option<Roi>,
        /// Region of B: X,Y,W,H in oriented pixels (default: the whole image).
        #[arg(long, value_parser = parse_roi)]
        roi_b: Option<Roi>,
        #[arg(long)]
        json: bool,
    },
    /// Export a finding's annotated figure (PNG/SVG), and/or findings with a location as
    /// GeoJSON, KML and CSV.
    Export(export::ExportArgs),
}
