//! The case commands: `new`, `add`, `list`, `inspect`, `verify`, `show` and `similar`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde_json::json;

use geoproof::case::{Case, FindingFilter, ImportOptions, ImportOutcome};
use geoproof::evidence;

use super::inputs::open_for_logging;
use super::output::{self, Outcome, evidence_json, finding_json, print_json};
use super::review;

pub fn similar(path: PathBuf, id: &str, max_distance: u32, json: bool) -> Result<Outcome> {
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

pub fn new_case(path: PathBuf, title: &str, json: bool) -> Result<Outcome> {
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

pub fn add(
    path: PathBuf,
    files: &[PathBuf],
    source: Option<String>,
    note: Option<String>,
    json: bool,
) -> Result<Outcome> {
    let options = ImportOptions {
        source_url: source,
        note,
        derived_from: None,
        graphic: false,
        source: None,
    };
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

pub fn list(path: PathBuf, filter: &FindingFilter, json: bool) -> Result<Outcome> {
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

pub fn inspect(file: PathBuf, json: bool) -> Result<Outcome> {
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

pub fn verify(path: PathBuf, json: bool) -> Result<Outcome> {
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
    let signatures = case.signature_checks();
    let signatures_ok = review::signatures_ok(&signatures);
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
                "signatures": signatures.iter().map(|c| json!({"finding": c.finding,
                    "purpose": c.purpose, "fingerprint": c.fingerprint, "valid": c.valid,
                    "key_listed": c.key_listed, "changed_fields": c.changed_fields})).collect::<Vec<_>>(),
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
            "signatures": signatures,
            "logged": loggable,
        }))?;
    } else {
        print!("{}", output::verify_text(&report));
        for check in &stamps {
            println!("timestamp {}", check.summary());
        }
        for check in &signatures {
            println!("signature {}", check.summary());
        }
    }
    Ok(if report.is_intact() && stamps_ok && signatures_ok {
        Outcome::Success
    } else {
        Outcome::PartialFailure
    })
}

pub fn show(path: PathBuf, id: &str, json: bool) -> Result<Outcome> {
    let (mut case, loggable) = open_for_logging(&path)?;
    case.finding(id)?;
    // Seeing the answer rules out a blind review of it later: recorded in the log.
    if !review::record_opened(&mut case, id, loggable)? {
        eprintln!(
            "warning: {}: the case cannot be written now (open elsewhere or read-only); that \
             you saw {id} was not recorded",
            path.display()
        );
    }
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
        println!("review: {}", finding.review.status.as_str());
        if !finding.review.reason.is_empty() {
            println!("disputed: {}", finding.review.reason);
        }
        if let Some(c) = &finding.conclusion {
            println!("conclusion: {} — {}", c.scale.as_str(), c.scale.wording());
        }
        for w in geoproof::case::conclusion::warnings(finding.conclusion.as_ref(), &finding.links) {
            println!("warning: {w}");
        }
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
                "linked feature {}: {} <-> {}  {}  {}  {}",
                link.number,
                link.a,
                link.b,
                link.feature_class
                    .map_or("class not stated", |c| c.as_str()),
                link.assessment.label(),
                link.description
            );
            if !link.quality_limits.is_empty() {
                println!("  quality limits: {}", link.quality_limits.join("; "));
            }
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
