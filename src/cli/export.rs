//! `export`: a finding's figure (PNG/SVG) and/or the findings with a location as GeoJSON,
//! KML and CSV, printed as one JSON document with `--json`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;

use geoproof::case::FindingFilter;
use geoproof::export::GeoFormat;
use geoproof::export::figure::{FigureError, RequestError};

use super::filter::FilterArgs;
use super::inputs::open_for_logging;
use super::output::{Outcome, print_json};

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("format").required(true).multiple(true).args(["geojson", "kml", "csv", "png", "svg"])))]
pub struct ExportArgs {
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
}

pub fn export_command(args: ExportArgs) -> Result<Outcome> {
    let ExportArgs {
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
    } = args;
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
    .map_err(|e| match e {
        // The library says what is missing; the command line says how to give it.
        FigureError::Request(RequestError::NoOutput) => anyhow::anyhow!("give --png and/or --svg"),
        e => anyhow::Error::new(e),
    })
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
