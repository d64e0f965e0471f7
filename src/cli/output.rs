//! How CLI results look: the JSON shapes scripts rely on and the human text.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;
use serde_json::{Value, json};

use geoproof::case::{Case, EvidenceRecord, Finding, VerifyReport};
use geoproof::evidence::{ExifSummary, Inspection};
use geoproof::video::{VideoFacts, format_timecode};

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

    /// Success when the command says all went well, else a partial failure.
    pub fn ok_if(ok: bool) -> Outcome {
        if ok {
            Outcome::Success
        } else {
            Outcome::PartialFailure
        }
    }
}

/// Prints one pretty JSON document on stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// The EXIF keys, always present (`null` when the file lacks them).
fn exif_fields(exif: &ExifSummary, into: &mut serde_json::Map<String, Value>) {
    let fields = [
        ("lat", json!(exif.lat)),
        ("lon", json!(exif.lon)),
        ("alt_m", json!(exif.alt_m)),
        ("direction_deg", json!(exif.direction_deg)),
        ("direction_ref", json!(exif.direction_ref)),
        ("taken_at", json!(exif.taken_at)),
        ("gps_time_utc", json!(exif.gps_time_utc)),
        ("make", json!(exif.make)),
        ("model", json!(exif.model)),
        ("orientation", json!(exif.orientation)),
    ];
    for (key, value) in fields {
        into.insert(key.to_owned(), value);
    }
}

/// One evidence record as the flat object `add`, `list` and `inspect` print.
pub fn evidence_json(record: &EvidenceRecord) -> Value {
    let mut map = serde_json::Map::new();
    map.insert("id".into(), json!(record.id()));
    map.insert("sha256".into(), json!(record.sha256));
    map.insert("original_name".into(), json!(record.original_name));
    map.insert("media_type".into(), json!(record.media_type));
    map.insert("size_bytes".into(), json!(record.size_bytes));
    map.insert("width".into(), json!(record.width));
    map.insert("height".into(), json!(record.height));
    exif_fields(&record.exif, &mut map);
    map.insert("perceptual_hash".into(), json!(record.perceptual_hash));
    map.insert("source_url".into(), json!(record.source_url));
    map.insert("acquired_at".into(), json!(record.acquired_at));
    map.insert("notes".into(), json!(record.notes));
    map.insert("warnings".into(), json!(record.warnings));
    if let Some(video) = &record.video {
        video_fields(video, &mut map);
    }
    if let Some(derived) = &record.derived_from {
        map.insert("derived_from".into(), json!(derived));
    }
    map.insert("graphic".into(), json!(record.graphic));
    map.insert("sources".into(), json!(record.sources));
    Value::Object(map)
}

/// A video's facts as flat fields beside the common ones, plus the hashed frames.
fn video_fields(v: &VideoFacts, map: &mut serde_json::Map<String, Value>) {
    map.insert("container".into(), json!(v.container));
    map.insert("codec".into(), json!(v.codec));
    map.insert("stream_index".into(), json!(v.stream_index));
    map.insert("time_base".into(), json!(v.time_base));
    map.insert("rotation_deg".into(), json!(v.rotation_deg));
    map.insert("duration_s".into(), json!(v.duration_s));
    map.insert("fps".into(), json!(v.fps));
    map.insert("variable_frame_rate".into(), json!(v.variable_frame_rate));
    map.insert("frame_count".into(), json!(v.frame_count));
    map.insert("start_time_s".into(), json!(v.start_time_s));
    map.insert("has_audio".into(), json!(v.has_audio));
    map.insert("time_tag".into(), json!(v.time_tag));
    map.insert("other_times".into(), json!(v.other_times));
    map.insert("frame_hashes".into(), json!(v.frame_hashes));
    if let Some(a) = &v.analysis {
        map.insert("scenes".into(), json!(a.scenes));
    }
}

fn video_text(v: &VideoFacts, out: &mut String) {
    let _ = writeln!(
        out,
        "video:       {} in {}, {}{}, {} frames, {}",
        v.codec,
        v.container,
        // Records written before the rate could be unknown say 0 for it.
        match v.fps.filter(|f| *f > 0.0) {
            Some(fps) => format!("{fps:.3} fps"),
            None => "frame rate unknown".into(),
        },
        if v.variable_frame_rate {
            " (variable)"
        } else {
            ""
        },
        v.frame_count,
        format_timecode((v.duration_s * 1e6).round() as i64)
    );
    let _ = writeln!(
        out,
        "             rotation {}°, starts at {} s, {}",
        v.rotation_deg,
        v.start_time_s,
        if v.has_audio {
            "with audio"
        } else {
            "no audio"
        }
    );
}

pub fn inspection_json(inspection: &Inspection) -> Value {
    let mut map = serde_json::Map::new();
    map.insert("original_name".into(), json!(inspection.original_name));
    map.insert("sha256".into(), json!(inspection.sha256));
    map.insert("media_type".into(), json!(inspection.media_type.mime()));
    map.insert("size_bytes".into(), json!(inspection.original.size_bytes()));
    map.insert("width".into(), json!(inspection.width));
    map.insert("height".into(), json!(inspection.height));
    exif_fields(&inspection.exif, &mut map);
    map.insert("perceptual_hash".into(), json!(inspection.perceptual_hash));
    map.insert("warnings".into(), json!(inspection.warnings));
    map.insert("content_credentials".into(), json!(inspection.credentials));
    if let Some(video) = &inspection.video {
        video_fields(video, &mut map);
    }
    Value::Object(map)
}

pub fn finding_json(finding: &Finding) -> Value {
    json!({
        "id": finding.id,
        "kind": finding.kind,
        "title": finding.title,
        "confidence": finding.confidence,
        "review": finding.review.status,
        "conclusion": finding.conclusion,
        "verdict": finding.verdict,
        "location": finding.location,
        "observed_at": finding.observed_at,
        "evidence": finding.evidence_ids(),
        "annotations": finding.annotations.len(),
        "linked_features": finding.links.len(),
        "created": finding.created,
        "updated": finding.updated,
    })
}

pub fn import_line(status: &str, file: &Path, record: &EvidenceRecord) -> String {
    format!(
        "{status:<9} {}  {}  {}×{}  {}",
        record.short_id(),
        file.display(),
        record.width,
        record.height,
        gps_text(&record.exif)
    )
}

fn gps_text(exif: &ExifSummary) -> String {
    match (exif.lat, exif.lon) {
        (Some(lat), Some(lon)) => format!("GPS {lat:.6}, {lon:.6}"),
        _ => "no GPS".to_owned(),
    }
}

pub fn list_text<'a>(case: &Case, findings: impl Iterator<Item = &'a Finding>) -> String {
    let mut out = String::new();
    let meta = case.meta();
    let _ = writeln!(out, "{} (schema {})", meta.title, meta.schema_version);
    let evidence: Vec<_> = case.evidence().collect();
    let _ = writeln!(out, "evidence: {}", evidence.len());
    for record in evidence {
        let _ = writeln!(
            out,
            "  {}  {:<28} {:>5}×{:<5} {}",
            record.short_id(),
            record.original_name,
            record.width,
            record.height,
            gps_text(&record.exif)
        );
    }
    let findings: Vec<_> = findings.collect();
    let _ = writeln!(out, "findings: {}", findings.len());
    for finding in findings {
        let place = finding.location.map_or(String::new(), |l| {
            format!("  {:.6}, {:.6} ±{} m", l.lat, l.lon, l.precision_m)
        });
        let review = match finding.review.status {
            geoproof::case::review::ReviewStatus::Draft => String::new(),
            s => format!("  [{}]", s.as_str()),
        };
        let _ = writeln!(
            out,
            "  {}  {:<11} {:<10} {}{place}{review}",
            finding.id,
            finding.kind.as_str(),
            finding.confidence.as_str(),
            finding.title
        );
    }
    out
}

/// A video's capture-time source and the disagreeing tags, one per line.
fn time_notes(video: Option<&VideoFacts>) -> Option<String> {
    let notes = video?.time_notes();
    (!notes.is_empty()).then(|| notes.join("\n             "))
}

pub fn inspection_text(file: &Path, i: &Inspection) -> String {
    let mut out = String::new();
    let e = &i.exif;
    let _ = writeln!(out, "file:        {}", file.display());
    let _ = writeln!(out, "sha256:      {}", i.sha256);
    let _ = writeln!(out, "type:        {}", i.media_type.mime());
    let _ = writeln!(out, "size:        {} bytes", i.original.size_bytes());
    let _ = writeln!(out, "dimensions:  {}×{} (as displayed)", i.width, i.height);
    if let Some(video) = &i.video {
        video_text(video, &mut out);
    }
    let _ = writeln!(out, "location:    {}", gps_text(e));
    let optional = [
        ("altitude", e.alt_m.map(|a| format!("{a} m"))),
        (
            "direction",
            e.direction_deg.map(|d| {
                let reference = match e.direction_ref.as_deref() {
                    Some("T") => "true north",
                    Some("M") => "MAGNETIC north",
                    _ => "unknown reference",
                };
                format!("{d}° ({reference})")
            }),
        ),
        ("taken at", e.taken_at.clone()),
        ("time from", time_notes(i.video.as_ref())),
        ("GPS time", e.gps_time_utc.clone()),
        (
            "camera",
            match (&e.make, &e.model) {
                (None, None) => None,
                (make, model) => Some(format!(
                    "{} {}",
                    make.as_deref().unwrap_or(""),
                    model.as_deref().unwrap_or("")
                )),
            },
        ),
        ("orientation", e.orientation.map(|o| o.to_string())),
    ];
    for (label, value) in optional {
        if let Some(value) = value {
            let _ = writeln!(out, "{:<12} {}", format!("{label}:"), value.trim());
        }
    }
    let _ = writeln!(
        out,
        "phash:       {} ({} v{})",
        i.perceptual_hash.hex, i.perceptual_hash.algorithm, i.perceptual_hash.version
    );
    credentials_text(&i.credentials, &mut out);
    out
}

/// The content credentials: the status line, then what the manifest states.
fn credentials_text(c: &geoproof::evidence::ContentCredentials, out: &mut String) {
    let _ = writeln!(out, "credentials: {}", c.one_line());
    let Some(s) = c.summary() else { return };
    let lines = [
        ("signer", s.signer.clone()),
        ("organisation", s.organisation.clone()),
        ("signed at", s.signed_at.clone()),
        ("generator", s.claim_generator.clone()),
        (
            "actions",
            (!s.actions.is_empty()).then(|| s.actions.join(", ")),
        ),
        (
            "ingredients",
            (!s.ingredients.is_empty()).then(|| {
                s.ingredients
                    .iter()
                    .map(|i| {
                        format!(
                            "{} ({})",
                            i.title.as_deref().unwrap_or("untitled"),
                            i.relationship
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        ),
        ("checked by", Some(s.validator.clone())),
    ];
    for (label, value) in lines {
        if let Some(value) = value {
            let _ = writeln!(out, "  {:<12} {}", format!("{label}:"), value);
        }
    }
}

pub fn verify_text(report: &VerifyReport) -> String {
    let mut out = String::new();
    for file in &report.missing {
        let _ = writeln!(out, "MISSING     {file}");
    }
    for altered in &report.altered {
        let _ = writeln!(
            out,
            "ALTERED     {} (now hashes to {})",
            altered.file, altered.actual_sha256
        );
    }
    for file in &report.unexpected {
        let _ = writeln!(out, "UNEXPECTED  {file}");
    }
    for damaged in &report.damaged {
        let _ = writeln!(out, "DAMAGED     {damaged}");
    }
    for frame in &report.orphaned_frames {
        let _ = writeln!(
            out,
            "ORPHANED    frame grab {} ({})",
            geoproof::case::short_hash(&frame.id),
            frame.reason
        );
    }
    for file in &report.unrecorded {
        let _ = writeln!(
            out,
            "UNRECORDED  {file} (an interrupted intake; add the file again to complete it)"
        );
    }
    let _ = writeln!(
        out,
        "{} intact, {} missing, {} altered, {} unexpected, {} damaged: {}",
        report.intact.len(),
        report.missing.len(),
        report.altered.len(),
        report.unexpected.len(),
        report.damaged.len(),
        if report.is_intact() {
            "OK"
        } else {
            "NOT INTACT"
        }
    );
    out
}

/// `95.31 km (95 306.8 m)` or `842.3 m`.
pub fn distance_text(m: f64) -> String {
    if m >= 1000.0 {
        format!("{:.2} km ({m:.1} m)", m / 1000.0)
    } else {
        format!("{m:.1} m")
    }
}
