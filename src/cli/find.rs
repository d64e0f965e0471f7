//! `geoproof find`: search the whole case for what a region of one picture shows, and
//! `geoproof find --index` to build or refresh the case's search index.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use geoproof::case::{Case, EvidenceKind};
use geoproof::matching::Roi;
use geoproof::search::{
    DEFAULT_EVERY_S, IndexOptions, IndexProgress, IndexReport, Query, SearchIndex, SearchOptions,
    refresh_index,
};
use geoproof::video::{format_timecode, parse_time};

use super::matching::parse_roi;
use super::output::{Outcome, print_json};

#[derive(Debug, Args)]
pub struct FindArgs {
    /// The case folder.
    pub case: PathBuf,
    /// The evidence to search with (id or unique prefix).
    #[arg(required_unless_present = "index", conflicts_with = "index")]
    pub evidence: Option<String>,
    /// Build or refresh the case's search index (with progress) and stop.
    #[arg(long)]
    pub index: bool,
    /// The region to search for: X,Y,W,H in oriented pixels (default: the whole picture).
    #[arg(long, value_parser = parse_roi)]
    pub region: Option<Roi>,
    /// For a video: the time of the frame, e.g. 41.2 or 00:00:41.208.
    #[arg(long)]
    pub at: Option<String>,
    /// Results to print at most (1 or more).
    #[arg(long, default_value_t = 20, value_parser = parse_limit)]
    pub limit: usize,
    /// Seconds between video frames put into the index (besides scene changes).
    #[arg(long, default_value_t = DEFAULT_EVERY_S)]
    pub every: f64,
    #[arg(long)]
    pub json: bool,
}

pub fn find_command(args: FindArgs) -> Result<Outcome> {
    let case = Case::open_read_only(&args.case)?;
    let options = IndexOptions {
        every_s: args.every,
    };
    let Some(id) = args.evidence.as_deref() else {
        let report = refresh(&case, options, !args.json)?;
        if args.json {
            print_json(&report)?;
        } else {
            print_index_report(&report);
        }
        return Ok(Outcome::ok_if(
            report.added.iter().all(|i| i.problems.is_empty()),
        ));
    };
    let record = case.find_evidence(id)?.clone();
    let index = match open_current(&case, args.every) {
        Some(index) => index,
        None => {
            let report = refresh(&case, options, !args.json)?;
            if !args.json {
                print_index_report(&report);
            }
            SearchIndex::open(case.root())
                .map_err(|stale| anyhow::anyhow!("{}: {stale}", args.case.display()))?
        }
    };
    let (image, full, time) = match record.kind() {
        EvidenceKind::Video => {
            let text = args
                .at
                .as_deref()
                .context("the evidence is a video: give the frame's time with --at TIME")?;
            let t = parse_time(text).map_err(|e| anyhow::anyhow!("--at {text}: {e}"))?;
            let video = case.open_video(&record.sha256)?;
            let frame = video.decode(video.frame_at(t)?)?;
            let time = video.table.time_us(frame.index) as f64 / 1e6;
            let (w, h) = (frame.image.width(), frame.image.height());
            (
                image::DynamicImage::ImageRgba8(frame.image),
                (w, h),
                Some(time),
            )
        }
        EvidenceKind::Photo => {
            if args.at.is_some() {
                anyhow::bail!("--at: {} is a still, not a video", record.original_name);
            }
            let (image, w, h) = super::inputs::load_still(&case.evidence_path(&record), u32::MAX)?;
            (image, (w, h), None)
        }
    };
    let query = Query {
        image: &image,
        full,
        region: args.region,
        exclude: Some((record.sha256.clone(), time)),
    };
    let search = SearchOptions {
        limit: args.limit,
        ..SearchOptions::default()
    };
    let report = index
        .search(&query, &search)
        .with_context(|| format!("{} ({})", record.original_name, record.sha256))?;
    if args.json {
        print_json(&report)?;
        return Ok(Outcome::Success);
    }
    let r = report.query_region;
    println!(
        "index version {}: {} pictures (loaded in {:.2} s); region {},{},{},{} of {}: {} features",
        report.index_version,
        report.pictures,
        index.load_s,
        r.x,
        r.y,
        r.w,
        r.h,
        record.original_name,
        report.query_features
    );
    println!(
        "first pass {:.3} s; {} candidates verified in {:.3} s",
        report.first_pass_s, report.verified, report.verify_s
    );
    for (rank, hit) in report.hits.iter().enumerate() {
        let name = case
            .find_evidence(&hit.sha256)
            .map_or_else(|_| String::from("?"), |e| e.original_name.clone());
        let when = match (hit.frame, hit.time_s) {
            (Some(f), Some(t)) => format!(
                " frame {f} at {}",
                format_timecode((t * 1e6).round() as i64)
            ),
            _ => String::new(),
        };
        println!(
            "{:>3}. {} {}{}: {} inliers of {} matches, first-pass score {:.2} (rank {}), region {},{},{},{}{}",
            rank + 1,
            &hit.sha256[..12.min(hit.sha256.len())],
            name,
            when,
            hit.inliers,
            hit.matches,
            hit.score,
            hit.first_pass_rank,
            hit.region.x,
            hit.region.y,
            hit.region.w,
            hit.region.h,
            if hit.mirrored { " (mirrored)" } else { "" }
        );
    }
    println!("{}", report.summary);
    Ok(Outcome::Success)
}

/// The index when it is current for the case (same version and interval, every item in).
fn open_current(case: &Case, every_s: f64) -> Option<SearchIndex> {
    let index = SearchIndex::open(case.root()).ok()?;
    let indexed: std::collections::BTreeSet<&str> = index
        .manifest
        .items
        .iter()
        .map(|i| i.sha256.as_str())
        .collect();
    let wanted: std::collections::BTreeSet<&str> =
        case.evidence().map(|r| r.sha256.as_str()).collect();
    ((index.manifest.every_s - every_s).abs() < 1e-9 && indexed == wanted).then_some(index)
}

fn refresh(case: &Case, options: IndexOptions, show: bool) -> Result<IndexReport> {
    let mut last = std::time::Instant::now();
    let mut progress = |p: &IndexProgress| {
        if show && (last.elapsed().as_millis() > 500 || p.done == p.total) {
            last = std::time::Instant::now();
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "indexing {}/{} {}", p.done, p.total, p.current);
        }
        true
    };
    Ok(refresh_index(case, options, &mut progress)?)
}

fn print_index_report(report: &IndexReport) {
    if let Some(why) = &report.rebuilt {
        println!("{why}");
    }
    for item in &report.added {
        for problem in &item.problems {
            println!("not all indexed: {}: {problem}", item.original_name);
        }
    }
    println!(
        "search index: {} items, {} pictures ({} added, {} removed) in {:.1} s",
        report.items,
        report.entries,
        report.added.len(),
        report.removed,
        report.elapsed_s
    );
}

/// `--limit`: a count of results, at least one (0 would print nothing and look like "no
/// match").
fn parse_limit(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}
