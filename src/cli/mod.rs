//! Command-line interface: argument definitions and one function per subcommand.
//! Every subcommand prints human text by default and one JSON document with `--json`.

mod frames;
mod georef;
mod import;
mod osm;
mod output;
mod redact;
mod stamp;
mod sun;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use serde_json::json;

use geoproof::case::{
    Case, CaseError, Confidence, FindingFilter, FindingKind, ImportOptions, ImportOutcome,
};
use geoproof::evidence;
use geoproof::export::GeoFormat;
use geoproof::matching::{MatchOptions, Roi, match_images};
use geoproof::spatial::{self, BorderFilter, Borders, LatLon};

use output::{evidence_json, finding_json, print_json};

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
    /// Print one finding.
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

/// How a command that ran to the end went.
pub enum Outcome {
    Success,
    /// Something was reported as failed (a bad file in a batch, a broken case).
    PartialFailure,
}

impl Outcome {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::PartialFailure => ExitCode::FAILURE,
        }
    }
}

pub fn run(cli: Cli) -> Result<Outcome> {
    let Some(command) = cli.command else {
        return open_app(None);
    };
    match command {
        Command::Open { case } => open_app(Some(case)),
        Command::Demo { json } => demo(json),
        Command::New { case, title, json } => new_case(case, &title, json),
        Command::Add {
            case,
            files,
            source,
            note,
            json,
        } => add(
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
        Command::List { case, filter, json } => list(case, &filter.into_filter(), json),
        Command::Inspect { file, json } => inspect(file, json),
        Command::Verify { case, json } => verify(case, json),
        Command::Coords { text, json } => coords(&text, json),
        Command::Measure { a, b, json } => measure(&a, &b, json),
        Command::BorderDistance {
            point,
            country,
            json,
        } => border_distance(&point, country.as_deref(), json),
        Command::Show {
            case,
            finding,
            json,
        } => show(case, &finding, json),
        Command::Sun {
            point,
            time,
            elevation_m,
            json,
        } => sun::sun_command(&point, &time, elevation_m, json),
        Command::Shadow(args) => sun::shadow_command(args),
        Command::Frames(args) => frames::frames_command(args),
        Command::Redact(args) => redact::redact_command(args),
        Command::Import(args) => import::import_command(args),
        Command::Stamp(args) => stamp::stamp_command(args),
        Command::Georef(args) => georef::georef_command(args),
        Command::OsmSearch(args) => osm::osm_search_command(args),
        Command::Candidates(args) => osm::candidates_command(args),
        Command::Match {
            a,
            b,
            roi_a,
            roi_b,
            features,
            json,
        } => match_command(&a, &b, roi_a, roi_b, features, json),
        Command::Colours {
            a,
            b,
            roi_a,
            roi_b,
            json,
        } => colours(&a, &b, roi_a, roi_b, json),
        Command::Similar {
            case,
            evidence,
            max_distance,
            json,
        } => similar(case, &evidence, max_distance, json),
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

fn demo(json: bool) -> Result<Outcome> {
    let path = geoproof::assets::demo_case_path()?;
    if json {
        print_json(&json!({ "case": path }))?;
    } else {
        println!("{}", path.display());
    }
    Ok(Outcome::Success)
}

fn parse_roi(text: &str) -> std::result::Result<Roi, String> {
    Roi::parse(text).map_err(|e| e.to_string())
}

/// A still for a command, its decoders' warnings (rows missing from a photo cut short)
/// said on stderr, one line each naming the file: the result stands on that picture.
pub(crate) fn load_still(
    path: &std::path::Path,
    max_side: u32,
) -> Result<(image::DynamicImage, u32, u32)> {
    let loaded = evidence::load_oriented(path, max_side)?;
    for w in &loaded.warnings {
        eprintln!("warning: {}: {w}", path.display());
    }
    Ok((loaded.image, loaded.width, loaded.height))
}

fn match_command(
    a: &std::path::Path,
    b: &std::path::Path,
    roi_a: Option<Roi>,
    roi_b: Option<Roi>,
    features: usize,
    json: bool,
) -> Result<Outcome> {
    let options = MatchOptions {
        max_features: features.max(10),
        ..MatchOptions::default()
    };
    // Decoded at about twice the working size: enough detail, far less memory.
    let load = |p: &std::path::Path| load_still(p, options.working_side * 2);
    let (image_a, wa, ha) = load(a)?;
    let (image_b, wb, hb) = load(b)?;
    let report = match_images(
        (&image_a, (wa, ha)),
        (&image_b, (wb, hb)),
        roi_a,
        roi_b,
        &options,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
    .with_context(|| format!("{} vs {}", a.display(), b.display()))?;
    if json {
        print_json(&report)?;
    } else {
        println!(
            "keypoints: {} in A, {} in B; {} matches; {} inliers",
            report.keypoints_a, report.keypoints_b, report.matches, report.inliers
        );
        if let Some(h) = report.homography {
            println!("homography (A -> B):");
            for row in h {
                println!("  {:>14.6} {:>14.6} {:>14.6}", row[0], row[1], row[2]);
            }
        }
        println!("{}", report.summary);
    }
    Ok(Outcome::Success)
}

fn colours(
    a: &std::path::Path,
    b: &std::path::Path,
    roi_a: Option<Roi>,
    roi_b: Option<Roi>,
    json: bool,
) -> Result<Outcome> {
    use geoproof::matching::colour;
    // Full resolution: regions are given in full-image pixels.
    let load = |p: &std::path::Path| load_still(p, u32::MAX);
    let (image_a, _, _) = load(a)?;
    let (image_b, _, _) = load(b)?;
    let pa =
        colour::profile(&image_a, roi_a).map_err(|e| anyhow::anyhow!("{}: {e}", a.display()))?;
    let pb =
        colour::profile(&image_b, roi_b).map_err(|e| anyhow::anyhow!("{}: {e}", b.display()))?;
    let result = colour::compare(pa, pb);
    if json {
        print_json(&result)?;
    } else {
        println!(
            "colour similarity {:.2} (chroma {:.2}, lightness shape {:.2}); B is {:+.1} L* brighter",
            result.similarity,
            result.chroma_similarity,
            result.lightness_similarity,
            result.lightness_shift
        );
        for (name, p) in [("A", &result.a), ("B", &result.b)] {
            let swatches: Vec<String> = p
                .swatches
                .iter()
                .map(|s| {
                    format!(
                        "#{:02x}{:02x}{:02x} {:.0}%",
                        s.rgb[0],
                        s.rgb[1],
                        s.rgb[2],
                        s.share * 100.0
                    )
                })
                .collect();
            println!("{name}: {}", swatches.join(", "));
        }
    }
    Ok(Outcome::Success)
}

fn similar(path: PathBuf, id: &str, max_distance: u32, json: bool) -> Result<Outcome> {
    // Videos are compared through their per-second hashes, which the first `similar`
    // (or the app) computes and records; a read-only case is analysed in memory only.
    let mut case = Case::open(&path).or_else(|_| Case::open_read_only(&path))?;
    let records = records_with_video_analysis(&mut case)?;
    let record = case.find_evidence(id)?;
    let found = geoproof::case::similar_to(record, records.iter(), max_distance);
    if json {
        print_json(&json!({
            "evidence": record.sha256,
            "original_name": record.original_name,
            "max_distance": max_distance,
            "hash_bits": evidence::PerceptualHash::BITS,
            "similar": found,
        }))?;
    } else if found.is_empty() {
        println!(
            "nothing within {max_distance}/{} bits of {}",
            evidence::PerceptualHash::BITS,
            record.original_name
        );
    } else {
        for s in &found {
            println!(
                "{}  {:>2}/{}  {}",
                geoproof::case::short_hash(&s.sha256),
                s.distance,
                evidence::PerceptualHash::BITS,
                s.original_name
            );
        }
    }
    Ok(Outcome::Success)
}

/// The case's evidence, every video with its analysis (run now where missing).
fn records_with_video_analysis(case: &mut Case) -> Result<Vec<geoproof::case::EvidenceRecord>> {
    let pending: Vec<String> = case
        .evidence()
        .filter(|r| r.video.as_ref().is_some_and(|v| v.analysis.is_none()))
        .map(|r| r.sha256.clone())
        .collect();
    let mut analysed = std::collections::BTreeMap::new();
    for id in pending {
        let video = case.open_video(&id)?;
        eprintln!("analysing {} for comparison …", video.record.original_name);
        let (analysis, _) = video.analyse(Default::default(), &mut |_, _| true)?;
        if case.read_only_reason().is_none() {
            case.set_video_analysis(&id, analysis.clone())?;
        }
        analysed.insert(id, analysis);
    }
    Ok(case
        .evidence()
        .cloned()
        .map(|mut r| {
            if let (Some(v), Some(a)) = (r.video.as_mut(), analysed.get(&r.sha256)) {
                v.analysis = Some(a.clone());
            }
            r
        })
        .collect())
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

fn new_case(path: PathBuf, title: &str, json: bool) -> Result<Outcome> {
    let case = Case::create(&path, title)?;
    if json {
        print_json(
            &json!({ "case": path, "title": case.meta().title, "schema_version": case.meta().schema_version }),
        )?;
    } else {
        println!("created case {:?} in {}", case.meta().title, path.display());
    }
    Ok(Outcome::Success)
}

fn add(path: PathBuf, files: &[PathBuf], options: ImportOptions, json: bool) -> Result<Outcome> {
    let mut case = Case::open(&path)?;
    if let Some(reason) = case.read_only_reason() {
        anyhow::bail!("{}: case is read-only: {reason}", path.display());
    }
    // Intake does not touch damaged records; the analyst should still hear of them.
    for d in case.damaged() {
        eprintln!("warning: damaged record not loaded: {}/{d}", path.display());
    }
    let mut results = Vec::new();
    let mut failed = false;
    for file in files {
        match case.import(file, &options) {
            Ok(outcome) => {
                let (status, record) = match &outcome {
                    ImportOutcome::Added(r) => ("added", r),
                    ImportOutcome::Duplicate(r) => ("duplicate", r),
                };
                for warning in &record.warnings {
                    if status == "added" {
                        eprintln!("warning: {}: {warning}", file.display());
                    }
                }
                if !json {
                    println!("{}", output::import_line(status, file, record));
                }
                let mut value = evidence_json(record);
                value["status"] = json!(status);
                value["file"] = json!(file);
                results.push(value);
            }
            Err(err) => {
                failed = true;
                eprintln!("error: {err}");
                results.push(json!({ "status": "error", "file": file, "error": err.to_string() }));
            }
        }
    }
    if json {
        print_json(&results)?;
    }
    Ok(if failed {
        Outcome::PartialFailure
    } else {
        Outcome::Success
    })
}

fn list(path: PathBuf, filter: &FindingFilter, json: bool) -> Result<Outcome> {
    let case = Case::open_read_only(&path)?;
    let findings = || case.findings().filter(|f| filter.matches(f));
    if json {
        print_json(&json!({
            "case": path,
            "title": case.meta().title,
            "schema_version": case.meta().schema_version,
            "evidence": case.evidence().map(evidence_json).collect::<Vec<_>>(),
            "findings": findings().map(finding_json).collect::<Vec<_>>(),
            "damaged": case.damaged(),
        }))?;
    } else {
        print!("{}", output::list_text(&case, findings()));
    }
    Ok(report_damaged(&case))
}

fn inspect(file: PathBuf, json: bool) -> Result<Outcome> {
    let inspection = evidence::inspect_file(&file)?;
    if json {
        print_json(&output::inspection_json(&inspection))?;
    } else {
        print!("{}", output::inspection_text(&file, &inspection));
    }
    for warning in &inspection.warnings {
        eprintln!("warning: {}: {warning}", file.display());
    }
    Ok(Outcome::Success)
}

/// Names each damaged record of `case` on stderr (one line each); a listing that
/// leaves records out has not fully succeeded.
fn report_damaged(case: &Case) -> Outcome {
    for d in case.damaged() {
        eprintln!("damaged: {}/{d}", case.root().display());
    }
    if case.damaged().is_empty() {
        Outcome::Success
    } else {
        Outcome::PartialFailure
    }
}

/// Opens a case for a command that only reads it but records itself in the audit log:
/// writable if possible (then `true`), else read-only when another process holds it.
fn open_for_logging(path: &std::path::Path) -> Result<(Case, bool)> {
    match Case::open(path) {
        Ok(case) => {
            let writable = case.read_only_reason().is_none();
            Ok((case, writable))
        }
        Err(CaseError::Locked { .. }) => Ok((Case::open_read_only(path)?, false)),
        Err(e) => Err(e.into()),
    }
}

fn verify(path: PathBuf, json: bool) -> Result<Outcome> {
    // Verification is logged in the case's audit trail when we may write it; a case
    // being edited elsewhere, or from a newer version, is still verified.
    let (mut case, loggable) = open_for_logging(&path)?;
    let report = case.verify()?;
    let stamps = case.verify_stamps();
    // A case stamp that proves nothing, or evidence changed since one, fails the check;
    // a collection's own tokens are reported (they vouch for the collection, not the case).
    let stamps_ok = stamps
        .iter()
        .filter(|c| c.what.starts_with(geoproof::case::TIMESTAMPS_DIR))
        .all(|c| c.valid && c.changed.is_empty());
    if loggable {
        case.log_event(
            "verify",
            json!({
                "intact": report.intact.len(),
                "missing": report.missing,
                "altered": report.altered,
                "unexpected": report.unexpected,
                "damaged": report.damaged,
                "orphaned_frames": report.orphaned_frames,
                "timestamps": stamps.iter().map(|c| json!({"what": c.what, "authority": c.authority,
                    "valid": c.valid, "time": c.time, "problem": c.problem})).collect::<Vec<_>>(),
            }),
        );
        case.save()
            .context("recording the verification in the audit log")?;
    }
    if json {
        print_json(&json!({
            "case": path,
            "ok": report.is_intact(),
            "checked": report.intact.len() + report.missing.len() + report.altered.len(),
            "intact": report.intact,
            "missing": report.missing,
            "altered": report.altered,
            "unexpected": report.unexpected,
            "damaged": report.damaged,
            "unrecorded": report.unrecorded,
            "orphaned_frames": report.orphaned_frames,
            "timestamps": stamps,
            "logged": loggable,
        }))?;
    } else {
        print!("{}", output::verify_text(&report));
        for check in &stamps {
            println!("timestamp {}", check.summary());
        }
    }
    Ok(if report.is_intact() && stamps_ok {
        Outcome::Success
    } else {
        Outcome::PartialFailure
    })
}

fn show(path: PathBuf, id: &str, json: bool) -> Result<Outcome> {
    let case = Case::open_read_only(&path)?;
    let finding = case.finding(id)?;
    if json {
        print_json(finding)?;
    } else {
        println!(
            "{} [{}] {}",
            finding.id,
            finding.kind.as_str(),
            finding.title
        );
        println!("confidence: {}", finding.confidence.as_str());
        if !finding.verdict.is_empty() {
            println!("verdict: {}", finding.verdict);
        }
        if let Some(l) = finding.location {
            println!("location: {:.6}, {:.6} ±{} m", l.lat, l.lon, l.precision_m);
        }
        if let Some(t) = finding.observed_at {
            println!("observed: {}", t.to_rfc3339());
        }
        for sha256 in finding.evidence_ids() {
            println!("evidence: {sha256}");
        }
        for link in &finding.links {
            println!(
                "linked feature {}: {} <-> {}  {:?}  {}",
                link.number, link.a, link.b, link.assessment, link.description
            );
        }
        if let Some(g) = &finding.georeference {
            match g.fit() {
                Ok(fit) => println!(
                    "georeference of panel {}: {}",
                    g.panel,
                    geoproof::export::georef::describe(&fit, g.points.len())
                ),
                Err(e) => println!(
                    "georeference of panel {}: {} control points, no fit yet ({e})",
                    g.panel,
                    g.points.len()
                ),
            }
            if let Some(c) = &g.camera {
                println!(
                    "estimated camera (not GPS): {:.6}, {:.6} ±{:.0} m, {:.0} m up, heading {:.0}°, field of view {:.0}° ({})",
                    c.lat,
                    c.lon,
                    c.uncertainty_m,
                    c.height_m,
                    c.heading_deg,
                    c.fov_deg,
                    c.fov_source
                );
            }
        }
        if !finding.notes.is_empty() {
            println!("notes: {}", finding.notes);
        }
        println!("created {}  updated {}", finding.created, finding.updated);
    }
    Ok(Outcome::Success)
}

fn coords(text: &str, json: bool) -> Result<Outcome> {
    let p = spatial::parse_coordinate(text)?;
    let borders = Borders::bundled()?;
    let country = borders.country_at(p);
    if json {
        let mut value = json!({ "lat": p.lat, "lon": p.lon, "country": country });
        for (name, text) in p.all_formats() {
            value[name] = json!(text);
        }
        print_json(&value)?;
    } else {
        for (name, text) in p.all_formats() {
            println!("{name:<12} {text}");
        }
        println!(
            "{:<12} {}",
            "country",
            country.map_or("none (sea or unclaimed)".to_owned(), |c| format!(
                "{} ({})",
                c.name_en, c.iso_a3
            ))
        );
    }
    Ok(Outcome::Success)
}

fn measure(a: &str, b: &str, json: bool) -> Result<Outcome> {
    let (pa, pb) = (spatial::parse_coordinate(a)?, spatial::parse_coordinate(b)?);
    let m = spatial::measure(pa, pb);
    if json {
        print_json(&json!({
            "a": pa, "b": pb,
            "distance_m": m.distance_m,
            "azimuth_deg": m.azimuth_deg,
            "back_azimuth_deg": m.back_azimuth_deg,
        }))?;
    } else {
        println!("from      {pa}\nto        {pb}");
        println!("distance  {}", output::distance_text(m.distance_m));
        println!(
            "azimuth   {:.6}° (back {:.6}°), true north",
            m.azimuth_deg, m.back_azimuth_deg
        );
    }
    Ok(Outcome::Success)
}

fn border_distance(point: &str, country: Option<&str>, json: bool) -> Result<Outcome> {
    let p: LatLon = spatial::parse_coordinate(point)?;
    let borders = Borders::bundled()?;
    let filter = match country {
        Some(code) => BorderFilter::Country(borders.country_index(code).with_context(|| {
            format!("unknown country code {code:?} (use ISO 3166 alpha-3, e.g. UKR)")
        })?),
        None => BorderFilter::International,
    };
    let hit = borders
        .nearest_border(p, filter)
        .context("no border found for this query")?;
    let inside = borders.country_at(p);
    if json {
        print_json(&json!({
            "point": p,
            "inside": inside.map(|c| &c.iso_a3),
            "distance_m": hit.distance_m,
            "nearest": hit.nearest,
            "between": hit.between,
            "between_iso3": hit.between_iso3,
            "source": "Natural Earth 1:10m admin-0 countries 5.1.1",
        }))?;
    } else {
        println!(
            "point     {p} ({})",
            inside.map_or("outside any country".to_owned(), |c| c.name_en.clone())
        );
        println!("distance  {}", output::distance_text(hit.distance_m));
        println!("nearest   {}", hit.nearest);
        println!("border    {}", hit.between.join(" | "));
        println!("(Natural Earth 1:10m borders: positional accuracy is a few hundred metres)");
    }
    Ok(Outcome::Success)
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
}

impl FilterArgs {
    fn into_filter(self) -> FindingFilter {
        FindingFilter {
            kinds: self.kinds,
            confidences: self.confidences,
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
