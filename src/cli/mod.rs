//! Command-line interface: argument definitions and one function per subcommand.
//! Every subcommand prints human text by default and one JSON document with `--json`.

mod case_cmds;
mod frames;
mod georef;
mod import;
mod inputs;
mod matching;
mod osm;
mod output;
mod redact;
mod review;
mod spatial;
mod stamp;
mod sun;
mod terrain;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use serde_json::json;

use geoproof::case::{Confidence, FindingFilter, FindingKind, ImportOptions};
use geoproof::export::GeoFormat;
use geoproof::matching::Roi;

use inputs::open_for_logging;
use output::{Outcome, print_json};

#[derive(Debug, Parser)]
#[command(
    name = "geoproof",
    version = geoproof::assets::VERSION,
    about = "Geolocation and image-comparison workbench for open-source investigators"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

// Parsed once per run: the size of the largest variant (export's options) costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
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
    /// inputs with SHA-256 and provenance, methods, review, signatures, version).
    Report(review::ReportArgs),
    /// Terrain from DEM files (--dem, repeatable): elevation, profile, viewshed,
    /// horizon, skyline.
    Terrain(terrain::TerrainArgs),
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
        #[arg(long, value_parser = matching::parse_roi)]
        roi_a: Option<Roi>,
        /// Only this region of B: X,Y,W,H in oriented pixels.
        #[arg(long, value_parser = matching::parse_roi)]
        roi_b: Option<Roi>,
        /// Features to detect in each image.
        #[arg(long, default_value_t = 2000)]
        features: usize,
        #[arg(long)]
        json: bool,
    },
    /// Compare the colours of two regions (CIELAB), robust to a brightness change.
    Colours {
        a: PathBuf,
        b: PathBuf,
        /// Region of A: X,Y,W,H in oriented pixels (default: the whole image).
        #[arg(long, value_parser = matching::parse_roi)]
        roi_a: Option<Roi>,
        /// Region of B: X,Y,W,H in oriented pixels (default: the whole image).
        #[arg(long, value_parser = matching::parse_roi)]
        roi_b: Option<Roi>,
        #[arg(long)]
        json: bool,
    },
    /// Export a finding's annotated figure (PNG/SVG), and/or findings with a location as
    /// GeoJSON, KML and CSV.
    #[command(group(clap::ArgGroup::new("format").required(true).multiple(true).args(["geojson", "kml", "csv", "png", "svg"])))]
    Export {
        case: PathBuf,
        /// The finding whose figure --png/--svg write.
        #[arg(long, value_name = "ID")]
        finding: Option<String>,
        /// Figure as PNG (no EXIF, GPS, XMP or names unless --with-metadata).
        #[arg(long, value_name = "OUT", requires = "finding")]
        png: Option<PathBuf>,
        /// Figure as SVG (annotations and text as vectors over the embedded images).
        #[arg(long, value_name = "OUT", requires = "finding")]
        svg: Option<PathBuf>,
        /// Figure width in pixels.
        #[arg(long, default_value_t = 2400, value_name = "PX")]
        width: u32,
        /// Annotation to show enlarged below the panels (repeatable).
        #[arg(long = "inset", value_name = "ANNOTATION")]
        insets: Vec<String>,
        #[arg(long, default_value_t = 1, value_name = "N")]
        figure_number: u32,
        /// Panels per row, e.g. 3,2 (default: one row up to three panels, else a grid).
        #[arg(long, value_name = "N,N…", value_delimiter = ',')]
        layout: Vec<usize>,
        /// Text under the title (default: the finding's verdict).
        #[arg(long, value_name = "TEXT")]
        caption: Option<String>,
        /// An extra source or credit line (repeatable).
        #[arg(long = "credit", value_name = "TEXT")]
        credits: Vec<String>,
        /// Write the title, finding id and program into the PNG as text chunks.
        #[arg(long)]
        with_metadata: bool,
        /// RFC 7946 GeoJSON (longitude first, six decimals).
        #[arg(long, value_name = "OUT")]
        geojson: Option<PathBuf>,
        /// KML 2.2 with precision circles and camera wedges.
        #[arg(long, value_name = "OUT")]
        kml: Option<PathBuf>,
        /// CSV with `lat`, `lon` in decimal degrees and every field.
        #[arg(long, value_name = "OUT")]
        csv: Option<PathBuf>,
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cli: Cli) -> Result<Outcome> {
    let Some(command) = cli.command else {
        return open_app(None);
    };
    match command {
        Command::Open { case } => open_app(Some(case)),
        Command::Demo { json } => demo(json),
        Command::New { case, title, json } => case_cmds::new_case(case, &title, json),
        Command::Add {
            case,
            files,
            source,
            note,
            json,
        } => case_cmds::add(
            case,
            &files,
            ImportOptions {
                source_url: source,
                note,
                derived_from: None,
                graphic: false,
                source: None,
            },
            json,
        ),
        Command::List { case, filter, json } => case_cmds::list(case, &filter.into_filter(), json),
        Command::Inspect { file, json } => case_cmds::inspect(file, json),
        Command::Verify { case, json } => case_cmds::verify(case, json),
        Command::Coords { text, json } => spatial::coords(&text, json),
        Command::Measure { a, b, json } => spatial::measure(&a, &b, json),
        Command::BorderDistance {
            point,
            country,
            json,
        } => spatial::border_distance(&point, country.as_deref(), json),
        Command::Show {
            case,
            finding,
            json,
        } => case_cmds::show(case, &finding, json),
        Command::Sun {
            point,
            time,
            elevation_m,
            json,
        } => sun::sun_command(&point, &time, elevation_m, json),
        Command::Shadow(args) => sun::shadow_command(args),
        Command::Frames(args) => frames::frames_command(args),
        Command::Redact(args) => redact::redact_command(args),
        Command::Analyst(command) => ok_if(review::analyst_command(command)?),
        Command::Sign(args) => ok_if(review::sign_command(args)?),
        Command::Review(args) => ok_if(review::review_command(args)?),
        Command::Report(args) => ok_if(review::report_command(args)?),
        Command::Import(args) => import::import_command(args),
        Command::Stamp(args) => stamp::stamp_command(args),
        Command::Georef(args) => georef::georef_command(args),
        Command::OsmSearch(args) => osm::osm_search_command(args),
        Command::Candidates(args) => osm::candidates_command(args),
        Command::Terrain(args) => terrain::terrain_command(args).map(|()| Outcome::Success),
        Command::Match {
            a,
            b,
            roi_a,
            roi_b,
            features,
            json,
        } => matching::match_command(&a, &b, roi_a, roi_b, features, json),
        Command::Colours {
            a,
            b,
            roi_a,
            roi_b,
            json,
        } => matching::colours(&a, &b, roi_a, roi_b, json),
        Command::Similar {
            case,
            evidence,
            max_distance,
            json,
        } => case_cmds::similar(case, &evidence, max_distance, json),
        Command::Export {
            case,
            finding,
            png,
            svg,
            width,
            insets,
            figure_number,
            layout,
            caption,
            credits,
            with_metadata,
            geojson,
            kml,
            csv,
            filter,
            json,
        } => {
            let mut figure = None;
            if let Some(id) = finding.filter(|_| png.is_some() || svg.is_some()) {
                let options = geoproof::export::figure::FigureOptions {
                    width,
                    figure_number,
                    description: caption,
                    credits,
                    insets,
                    include_metadata: with_metadata,
                    layout,
                };
                figure = Some(export_figure(&case, &id, png, svg, &options, json)?);
            }
            let targets: Vec<_> = [
                (GeoFormat::GeoJson, geojson),
                (GeoFormat::Kml, kml),
                (GeoFormat::Csv, csv),
            ]
            .into_iter()
            .filter_map(|(format, path)| Some((format, path?)))
            .collect();
            let geo = if targets.is_empty() {
                None
            } else {
                Some(export_geo(case, targets, &filter.into_filter(), json)?)
            };
            if json {
                // One document: the figure's or the geo export's, or the geo export's
                // with the figure's under "figure".
                let document = match (figure, geo) {
                    (Some(figure), Some(mut geo)) => {
                        geo["figure"] = figure;
                        geo
                    }
                    (Some(one), None) | (None, Some(one)) => one,
                    (None, None) => json!({}),
                };
                print_json(&document)?;
            }
            Ok(Outcome::Success)
        }
    }
}

fn ok_if(ok: bool) -> Result<Outcome> {
    Ok(if ok {
        Outcome::Success
    } else {
        Outcome::PartialFailure
    })
}

fn demo(json: bool) -> Result<Outcome> {
    let path = geoproof::assets::demo_case_path()?;
    if json {
        print_json(&json!({ "case": path }))?;
    } else {
        println!("{}", path.display());
    }
    Ok(Outcome::Success)
}

fn export_figure(
    path: &std::path::Path,
    finding: &str,
    png: Option<PathBuf>,
    svg: Option<PathBuf>,
    options: &geoproof::export::figure::FigureOptions,
    json: bool,
) -> Result<serde_json::Value> {
    let (mut case, loggable) = open_for_logging(path)?;
    let export = geoproof::export::figure::export(
        &mut case,
        finding,
        png.as_deref(),
        svg.as_deref(),
        options,
        loggable,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
    .with_context(|| format!("{}: figure of {finding}", path.display()))?;
    let value = json!({
        "finding": finding,
        "width": export.width,
        "height": export.height,
        "files": export.outputs.iter().map(|(p, sha)| json!({"path": p, "sha256": sha})).collect::<Vec<_>>(),
        "manifest": export.manifest,
        "logged": loggable,
    });
    if !json {
        for (p, sha) in &export.outputs {
            println!(
                "wrote {} ({}×{} px, sha256 {sha})",
                p.display(),
                export.width,
                export.height
            );
        }
        println!("manifest {}", export.manifest.display());
    }
    Ok(value)
}

fn export_geo(
    path: PathBuf,
    targets: Vec<(GeoFormat, PathBuf)>,
    filter: &FindingFilter,
    json: bool,
) -> Result<serde_json::Value> {
    // Like verify: logged in the audit trail when the case may be written.
    let (mut case, loggable) = open_for_logging(&path)?;
    let mut written = Vec::new();
    let mut warnings = Vec::new();
    for (format, out) in targets {
        let export = geoproof::export::geo::export(&case, filter, format);
        geoproof::case::store::write_atomic(&out, export.text.as_bytes(), false)?;
        let name = match format {
            GeoFormat::GeoJson => "geojson",
            GeoFormat::Kml => "kml",
            GeoFormat::Csv => "csv",
        };
        if warnings.is_empty() {
            warnings = export.warnings;
        }
        written.push(json!({
            "format": name,
            "path": out,
            "findings": export.exported,
        }));
    }
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if loggable {
        case.log_event(
            "export_geo",
            json!({ "files": written, "skipped": warnings }),
        );
        case.save()
            .context("recording the export in the audit log")?;
    }
    let value = json!({
        "case": path,
        "written": written,
        "skipped": warnings,
        "logged": loggable,
    });
    if !json {
        for w in &written {
            println!(
                "wrote {} ({} findings)",
                w["path"].as_str().unwrap_or_default(),
                w["findings"].as_array().map_or(0, Vec::len)
            );
        }
    }
    Ok(value)
}

#[cfg(feature = "gui")]
fn open_app(case: Option<PathBuf>) -> Result<Outcome> {
    geoproof::ui::run(case)?;
    Ok(Outcome::Success)
}

/// Built without the `gui` feature: there is no window to open. Plain `geoproof` shows
/// the help; `geoproof open` is an error, never a silent success.
#[cfg(not(feature = "gui"))]
fn open_app(case: Option<PathBuf>) -> Result<Outcome> {
    match case {
        Some(case) => anyhow::bail!(
            "{}: cannot open the desktop app: this geoproof was built without the `gui` \
             feature (build with default features); the command-line tools work",
            case.display()
        ),
        None => {
            <Cli as clap::CommandFactory>::command().print_help()?;
            println!();
            Ok(Outcome::Success)
        }
    }
}

/// `--kind` and `--confidence`, shared by `list` and `export`.
#[derive(Debug, Clone, clap::Args)]
pub struct FilterArgs {
    /// Only findings of this kind (geolocation, comparison, other); repeatable.
    #[arg(long = "kind", value_parser = parse_kind)]
    kinds: Vec<FindingKind>,
    /// Only findings with this confidence (confirmed, likely, possible, unverified,
    /// ruled_out); repeatable.
    #[arg(long = "confidence", value_parser = parse_confidence)]
    confidences: Vec<Confidence>,
    /// Only findings in this review state (draft, ready, approved, disputed); repeatable.
    #[arg(long = "review", value_parser = parse_review_status)]
    review: Vec<geoproof::case::review::ReviewStatus>,
}

fn parse_review_status(
    text: &str,
) -> std::result::Result<geoproof::case::review::ReviewStatus, String> {
    geoproof::case::review::ReviewStatus::parse(text)
        .ok_or_else(|| format!("{text:?} is not a review state (draft, ready, approved, disputed)"))
}

impl FilterArgs {
    fn into_filter(self) -> FindingFilter {
        FindingFilter {
            kinds: self.kinds,
            confidences: self.confidences,
            review: self.review,
        }
    }
}

fn parse_kind(text: &str) -> std::result::Result<FindingKind, String> {
    FindingKind::parse(text)
        .ok_or_else(|| format!("{text:?} is not a finding kind (geolocation, comparison, other)"))
}

fn parse_confidence(text: &str) -> std::result::Result<Confidence, String> {
    Confidence::parse(text).ok_or_else(|| {
        format!("{text:?} is not a confidence (confirmed, likely, possible, unverified, ruled_out)")
    })
}
