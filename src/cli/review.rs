//! `geoproof analyst`, `geoproof sign` and `geoproof review`: analysts' keys, signed
//! findings, review states, blind review and the case's review summary. Each returns
//! whether everything it reported was fine.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::json;

use geoproof::case::analyst::{self, LocalAnalyst};
use geoproof::case::review::ReviewStatus;
use geoproof::case::signature::SignatureCheck;
use geoproof::case::{Case, Edit, review_rules};

use super::output::print_json;

#[derive(Debug, clap::Subcommand)]
pub enum AnalystCommand {
    /// Create your Ed25519 key pair (private key in your config folder, mode 0600).
    Init {
        #[arg(long)]
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Print your name, public key and its fingerprint.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// List your public key in a case (signing or reviewing does it the first time).
    Add {
        case: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct SignArgs {
    case: PathBuf,
    finding: String,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["status", "blind_location", "summary"])))]
pub struct ReviewArgs {
    case: PathBuf,
    /// The finding (not with --summary).
    #[arg(required_unless_present = "summary")]
    finding: Option<String>,
    /// Move the finding to ready, approved or disputed (signed with your key).
    #[arg(long, value_parser = parse_status)]
    status: Option<ReviewStatus>,
    /// Why it is disputed (required with --status disputed).
    #[arg(long, default_value = "")]
    reason: String,
    /// Your own location for the finding, found without seeing the author's: LAT,LON
    /// (any form `coords` takes). Prints the distance between the two.
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
    blind_location: Option<String>,
    /// How sure you are of the blind location: a radius, metres.
    #[arg(long, default_value_t = 0.0, value_name = "M")]
    precision: f64,
    /// The case's review states, dispute rate and blind-review agreement.
    #[arg(long, conflicts_with_all = ["status", "blind_location"])]
    summary: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("out").required(true).multiple(true).args(["html", "pdf"])))]
pub struct ReportArgs {
    case: PathBuf,
    finding: String,
    /// Where to write the HTML report.
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    /// Where to write the PDF report (same content; fonts embedded, searchable text).
    #[arg(long, value_name = "OUT.pdf")]
    pdf: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

pub fn report_command(args: ReportArgs) -> Result<bool> {
    let (mut case, loggable) = match Case::open(&args.case) {
        Ok(c) if c.read_only_reason().is_none() => (c, true),
        _ => (Case::open_read_only(&args.case)?, false),
    };
    // One report, laid out once per format: both documents say the same thing.
    let report = geoproof::export::report::build(&case, &args.finding)?;
    let mut written = Vec::new();
    if let Some(path) = &args.html {
        written.push(("html", path, report.to_html().into_bytes()));
    }
    if let Some(path) = &args.pdf {
        let pdf = geoproof::export::report::pdf::render(&report)
            .map_err(|e| anyhow::anyhow!("finding {}: PDF: {e}", args.finding))?;
        written.push(("pdf", path, pdf));
    }
    let mut out = json!({ "finding": args.finding, "logged": loggable });
    for (format, path, bytes) in &written {
        geoproof::case::store::write_atomic(path, bytes, false)?;
        let sha = geoproof::evidence::sha256_hex(bytes);
        if loggable {
            case.log_event(
                "report_written",
                json!({ "finding": args.finding, "format": format, "path": path, "sha256": sha }),
            );
        }
        let key = if *format == "html" { "" } else { "pdf_" };
        out[format!("{key}sha256")] = json!(sha);
        out[format!("{key}bytes")] = json!(bytes.len());
        out[*format] = json!(path);
        if !args.json {
            println!(
                "wrote {} ({} bytes, sha256 {sha})",
                path.display(),
                bytes.len()
            );
        }
    }
    if loggable {
        case.save()?;
    }
    if args.json {
        print_json(&out)?;
    }
    Ok(true)
}

fn parse_status(text: &str) -> std::result::Result<ReviewStatus, String> {
    match ReviewStatus::parse(text) {
        Some(ReviewStatus::Draft) | None => Err(format!(
            "{text:?} is not a review status to set (ready, approved, disputed)"
        )),
        Some(s) => Ok(s),
    }
}

fn open_writable(path: &std::path::Path) -> Result<Case> {
    let case = Case::open(path)?;
    if let Some(reason) = case.read_only_reason() {
        bail!("{}: case is read-only: {reason}", path.display());
    }
    Ok(case)
}

fn load_analyst() -> Result<LocalAnalyst> {
    analyst::load().map_err(|e| match e {
        // The library says what is missing; the command line says how to make it.
        analyst::AnalystError::NoKey { path } => anyhow::anyhow!(
            "{}: no analyst key; create one with `geoproof analyst init --name NAME`",
            path.display()
        ),
        e => e.into(),
    })
}

pub fn analyst_command(command: AnalystCommand) -> Result<bool> {
    let (me, json, case) = match command {
        AnalystCommand::Init { name, json } => (analyst::init(&name)?, json, None),
        AnalystCommand::Show { json } => (load_analyst()?, json, None),
        AnalystCommand::Add { case, json } => {
            let me = load_analyst()?;
            let mut opened = open_writable(&case)?;
            let key = me.public_key_hex();
            if opened.meta().analysts.iter().any(|a| a.public_key == key) {
                eprintln!("{}: {} is listed already", case.display(), me.fingerprint());
            } else {
                opened.apply(Edit::AddAnalyst(Box::new(me.entry())))?;
                opened.save()?;
            }
            (me, json, Some(case))
        }
    };
    let path = analyst::key_path()?;
    if json {
        print_json(&json!({
            "name": me.name,
            "public_key": me.public_key_hex(),
            "fingerprint": me.fingerprint(),
            "key_file": path,
            "case": case,
        }))?;
    } else {
        println!("analyst     {}", me.name);
        println!("public key  {}", me.public_key_hex());
        println!("fingerprint {}", me.fingerprint());
        println!("key file    {}", path.display());
        if let Some(case) = case {
            println!("listed in   {}", case.display());
        }
    }
    Ok(true)
}

pub fn sign_command(args: SignArgs) -> Result<bool> {
    let me = load_analyst()?;
    let mut case = open_writable(&args.case)?;
    let finding = case.finding(&args.finding)?.clone();
    let warnings =
        geoproof::case::conclusion::warnings(finding.conclusion.as_ref(), &finding.links);
    let sig = case.sign_finding(&args.finding, &me)?;
    case.save()?;
    for w in &warnings {
        eprintln!("warning: {}: {w}", args.finding);
    }
    if args.json {
        print_json(&json!({
            "finding": args.finding,
            "analyst": sig.analyst,
            "fingerprint": me.fingerprint(),
            "signed_at": sig.signed_at,
            "inputs": sig.inputs,
            "finding_sha256": geoproof::evidence::sha256_hex(sig.finding.as_bytes()),
            "warnings": warnings,
        }))?;
    } else {
        println!(
            "signed {} as {} ({}), {} inputs",
            args.finding,
            sig.analyst,
            me.fingerprint(),
            sig.inputs.len()
        );
    }
    Ok(true)
}

pub fn review_command(args: ReviewArgs) -> Result<bool> {
    if args.summary {
        let case = Case::open_read_only(&args.case)?;
        let s = review_rules::summary(case.findings());
        if args.json {
            print_json(&s)?;
        } else {
            print!("{}", summary_text(&s));
        }
        return Ok(true);
    }
    let id = args.finding.clone().context("give the finding")?;
    let me = load_analyst()?;
    let mut case = open_writable(&args.case)?;
    if let Some(to) = args.status {
        if to == ReviewStatus::Disputed && args.reason.trim().is_empty() {
            bail!("finding {id}: a dispute needs a reason (--reason)");
        }
        let step = case.review_finding(&id, &me, to, &args.reason)?;
        case.save()?;
        if args.json {
            print_json(&json!({ "finding": id, "from": step.from, "to": step.to,
                "reason": step.reason, "by": step.by, "at": step.at }))?;
        } else {
            println!(
                "{id}: {} → {} by {}{}",
                step.from.as_str(),
                step.to.as_str(),
                step.by,
                if step.reason.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", step.reason)
                }
            );
        }
        return Ok(true);
    }
    let text = args.blind_location.as_deref().unwrap_or_default();
    let p = geoproof::spatial::parse_coordinate(text)
        .map_err(|e| anyhow!("--blind-location {text:?}: {e}"))?;
    let (_, c) = case.blind_review(&id, &me, p.lat, p.lon, args.precision)?;
    case.save()?;
    let author = case.finding(&id)?.location;
    if args.json {
        print_json(&json!({
            "finding": id, "reviewer": { "lat": p.lat, "lon": p.lon, "precision_m": args.precision },
            "author": author, "distance_m": c.distance_m,
            "reviewer_in_author_circle": c.reviewer_in_author_circle,
            "author_in_reviewer_circle": c.author_in_reviewer_circle,
            "agrees": c.agrees(),
        }))?;
    } else {
        if let Some(a) = author {
            println!(
                "author's location   {:.6}, {:.6} ±{} m",
                a.lat, a.lon, a.precision_m
            );
        }
        println!(
            "your location       {:.6}, {:.6} ±{} m",
            p.lat, p.lon, args.precision
        );
        println!(
            "distance            {:.1} m (geodesic, WGS84)",
            c.distance_m
        );
        let yes = |b: bool| if b { "yes" } else { "no" };
        println!(
            "yours in author's circle: {}; author's in yours: {}",
            yes(c.reviewer_in_author_circle),
            yes(c.author_in_reviewer_circle)
        );
    }
    Ok(true)
}

fn summary_text(s: &review_rules::ReviewSummary) -> String {
    let pct = |r: Option<f64>| r.map_or("n/a".to_owned(), |r| format!("{:.0}%", r * 100.0));
    let states: Vec<String> = s
        .by_status
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    format!(
        "findings {}: {}\napprovals {}, disputes {} (dispute rate {})\nblind reviews {}: \
         agreement {} (either point in the other's circle), within the author's circle {}, \
         median distance {}\n",
        s.findings,
        states.join(", "),
        s.approvals,
        s.disputes,
        pct(s.dispute_rate),
        s.blind_reviews,
        pct(s.blind_agreement_rate),
        pct(s.blind_within_author_circle_rate),
        s.median_blind_distance_m
            .map_or("n/a".to_owned(), |d| format!("{d:.1} m"))
    )
}

/// Whether the signature checks allow `verify` to pass: every signature valid and by a
/// listed key (a finding changed after signing is reported, not a failure).
pub fn signatures_ok(checks: &[SignatureCheck]) -> bool {
    checks.iter().all(|c| c.valid && c.key_listed)
}

/// Records that the analyst at this computer (or `$USER` without a key) saw a finding.
/// `Ok(false)` when it could not be recorded (the case is open elsewhere).
pub fn record_opened(case: &mut Case, id: &str, loggable: bool) -> Result<bool> {
    if !loggable {
        return Ok(false);
    }
    let me = analyst::load().ok();
    let name = me
        .as_ref()
        .map_or_else(geoproof::case::candidates::analyst, |m| m.name.clone());
    case.apply(Edit::FindingOpened {
        id: id.to_owned(),
        analyst: name,
        public_key: me.map(|m| m.public_key_hex()),
        via: "cli show".into(),
    })?;
    case.save()?;
    Ok(true)
}
