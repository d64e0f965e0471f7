//! The methods report of a finding: one self-contained HTML document (no network
//! reference; the figure embedded as a PNG data URI, rendered exactly as `export --png`
//! renders it, redactions applied) that a reader can check: the question and the
//! conclusion, every input with its SHA-256 and provenance, the methods with their
//! numbers, the review state and signatures with key fingerprints, and the program.

use std::fmt::Write;

use base64::Engine;

use crate::case::{Case, CaseError, Finding};

/// What can stop a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error("finding {finding}: figure: {source}")]
    Figure {
        finding: String,
        #[source]
        source: super::figure::FigureError,
    },
}

/// Text made safe for HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn row(out: &mut String, cells: &[String]) {
    out.push_str("<tr>");
    for c in cells {
        let _ = write!(out, "<td>{c}</td>");
    }
    out.push_str("</tr>\n");
}

/// The figure as an `<img>` with a data URI, or a line saying why there is none.
fn figure_html(case: &Case, finding: &Finding) -> Result<String, ReportError> {
    use super::figure::{FigureOptions, Typesetter, build, png};
    if finding.panels.is_empty() {
        return Ok("<p>No figure: the finding has no panels.</p>".into());
    }
    let fig_err = |source| ReportError::Figure {
        finding: finding.id.clone(),
        source,
    };
    let mut ts = Typesetter::new().map_err(|e| fig_err(e.into()))?;
    let options = FigureOptions {
        width: 1600,
        ..FigureOptions::default()
    };
    let figure = build(case, finding, &options, &mut ts).map_err(fig_err)?;
    let bytes = png(&figure, false).map_err(fig_err)?;
    Ok(format!(
        "<img alt=\"Figure of {}\" src=\"data:image/png;base64,{}\"><p>Figure PNG SHA-256 <code>{}</code></p>",
        esc(&finding.id),
        base64::engine::general_purpose::STANDARD.encode(&bytes),
        crate::fingerprint::sha256_hex(&bytes)
    ))
}

fn inputs_html(case: &Case, finding: &Finding, out: &mut String) {
    out.push_str(
        "<h2>Inputs</h2>\n<table><tr><th>Kind</th><th>SHA-256</th><th>Provenance</th></tr>\n",
    );
    for input in case.finding_inputs(finding) {
        let sha = input.sha256.clone().unwrap_or_else(|| "unknown".into());
        let provenance = match case.find_evidence(&input.id) {
            Ok(r) if input.kind == "evidence" || input.kind == "source_video" => {
                let mut p = format!(
                    "{} ({}, {} bytes, {}×{} px), taken into the case {}",
                    esc(&r.source_line()),
                    esc(&r.media_type),
                    r.size_bytes,
                    r.width,
                    r.height,
                    r.acquired_at.format("%Y-%m-%d %H:%M:%S UTC")
                );
                if let Some(url) = &r.source_url {
                    let _ = write!(p, "; source {}", esc(url));
                }
                for s in &r.sources {
                    let _ = write!(p, "; post {} ({})", esc(&s.title()), esc(&s.time_text()));
                    for t in &s.timestamps {
                        let _ = write!(p, "; RFC 3161 token by {}", esc(&t.authority));
                    }
                }
                let _ = write!(p, "; content credentials: {}", esc(&r.credentials_line()));
                if let Some(s) = r.content_credentials.as_ref().and_then(|c| c.summary()) {
                    credential_details(s, &mut p);
                }
                p
            }
            _ => esc(&input.id),
        };
        row(
            out,
            &[esc(&input.kind), format!("<code>{sha}</code>"), provenance],
        );
    }
    out.push_str("</table>\n");
}

/// What a manifest states beyond its status line: actions and ingredients.
fn credential_details(s: &crate::evidence::credentials::CredentialSummary, out: &mut String) {
    if !s.actions.is_empty() {
        let _ = write!(out, "; actions {}", esc(&s.actions.join(", ")));
    }
    for i in &s.ingredients {
        let _ = write!(
            out,
            "; ingredient {} ({})",
            esc(i.title.as_deref().unwrap_or("untitled")),
            esc(&i.relationship)
        );
    }
    if let Some(t) = &s.signed_at {
        let _ = write!(out, "; signed at {}", esc(t));
    }
}

fn methods_html(finding: &Finding, out: &mut String) {
    out.push_str("<h2>Methods</h2>\n");
    if let Some(g) = &finding.georeference {
        let _ = writeln!(out, "<h3>Georeference of panel {}</h3>", esc(&g.panel));
        match g.fit() {
            Ok(fit) => {
                let _ = writeln!(
                    out,
                    "<p>{}</p>",
                    esc(&super::georef::describe(&fit, g.points.len()))
                );
                out.push_str("<table><tr><th>x</th><th>y</th><th>lat</th><th>lon</th><th>residual m</th><th>leave-one-out m</th></tr>\n");
                for (p, r) in g.points.iter().zip(&fit.residuals) {
                    row(
                        out,
                        &[
                            format!("{:.1}", p.x),
                            format!("{:.1}", p.y),
                            format!("{:.6}", p.lat),
                            format!("{:.6}", p.lon),
                            format!("{:.2}", r.residual_m),
                            r.leave_one_out_m
                                .map_or("n/a".into(), |v| format!("{v:.2}")),
                        ],
                    );
                }
                out.push_str("</table>\n");
            }
            Err(e) => {
                let _ = writeln!(out, "<p>No fit: {}</p>", esc(&e));
            }
        }
    }
    if let Some(c) = &finding.chronolocation {
        let _ = writeln!(
            out,
            "<h3>Chronolocation</h3><p>Method {}, solver {}; {} shadow(s).</p>",
            esc(&c.method),
            esc(&c.solver),
            c.shadows.len()
        );
        for s in &c.shadows {
            let _ = writeln!(
                out,
                "<p>Shadow ratio {:.4} ± {:.3}{}</p>",
                s.ratio,
                s.tolerance,
                s.bearing_deg
                    .map_or(String::new(), |b| format!(", bearing {b:.1}°"))
            );
        }
        for w in &c.windows {
            let _ = writeln!(
                out,
                "<p>Window {} – {} UTC, shadow bearing {:.1}°</p>",
                w.start_utc.format("%Y-%m-%d %H:%M:%S"),
                w.end_utc.format("%H:%M:%S"),
                w.shadow_bearing_deg
            );
        }
    }
    if !finding.candidates.is_empty() {
        out.push_str("<h3>Candidate sites</h3><table><tr><th>Id</th><th>Place</th><th>Status</th><th>Reason</th><th>Origin</th></tr>\n");
        for c in &finding.candidates {
            row(
                out,
                &[
                    esc(&c.id),
                    format!("{:.6}, {:.6} {}", c.lat, c.lon, esc(&c.label)),
                    esc(c.status.as_str()),
                    esc(&c.reason),
                    esc(&format!(
                        "{} {}",
                        c.origin.kind,
                        c.origin.query.as_deref().unwrap_or("")
                    )),
                ],
            );
        }
        out.push_str("</table>\n");
    }
    if !finding.links.is_empty() {
        out.push_str("<h3>Linked features</h3><table><tr><th>No.</th><th>Class</th><th>Assessment</th><th>Description</th><th>Quality limits</th></tr>\n");
        for l in &finding.links {
            row(
                out,
                &[
                    l.number.to_string(),
                    l.feature_class
                        .map_or("not stated", |c| c.as_str())
                        .to_owned(),
                    l.assessment.label().to_owned(),
                    esc(&l.description),
                    esc(&l.quality_limits.join("; ")),
                ],
            );
        }
        out.push_str("</table>\n");
    }
}

fn review_html(case: &Case, finding: &Finding, out: &mut String) {
    let r = &finding.review;
    let _ = writeln!(
        out,
        "<h2>Review</h2>\n<p>State: <b>{}</b>{}</p>",
        r.status.as_str(),
        if r.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", esc(&r.reason))
        }
    );
    for s in &r.history {
        let _ = writeln!(
            out,
            "<p>{} → {} by {} at {} {}</p>",
            s.from.as_str(),
            s.to.as_str(),
            esc(&s.by),
            s.at.format("%Y-%m-%d %H:%M:%S UTC"),
            esc(&s.reason)
        );
    }
    out.push_str("<h3>Signatures</h3>\n<table><tr><th>Purpose</th><th>Analyst</th><th>Key fingerprint</th><th>Status</th></tr>\n");
    for c in case
        .signature_checks()
        .into_iter()
        .filter(|c| c.finding == finding.id)
    {
        row(
            out,
            &[
                esc(&c.purpose),
                esc(&c.analyst),
                format!("<code>{}</code>", esc(&c.fingerprint)),
                esc(&c.summary()),
            ],
        );
    }
    out.push_str("</table>\n");
}

/// The report of finding `id` as an HTML document.
pub fn html(case: &Case, id: &str) -> Result<String, ReportError> {
    let finding = case.finding(id)?;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Methods report: {title}</title>\
         <style>body{{font-family:sans-serif;max-width:60em;margin:auto}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:2px 6px;vertical-align:top}}\
         img{{max-width:100%}}</style></head><body>\n<h1>{title}</h1>\n\
         <p>Finding <code>{id}</code> ({kind}), case “{case}”. Author: {author}.</p>\n",
        title = esc(&finding.title),
        id = esc(&finding.id),
        kind = finding.kind.as_str(),
        case = esc(&case.meta().title),
        author = if finding.author.is_empty() {
            "not stated".into()
        } else {
            esc(&finding.author)
        },
    );
    let _ = writeln!(
        out,
        "<h2>Conclusion</h2>\n<p>{}</p>\n<p>Confidence: {}</p>",
        esc(&finding.verdict),
        finding.confidence.as_str()
    );
    if let Some(c) = &finding.conclusion {
        let _ = writeln!(
            out,
            "<p>On the scale: <b>{}</b> — {} {}</p>",
            c.scale.as_str(),
            esc(c.scale.wording()),
            esc(&c.note)
        );
    }
    for w in crate::case::conclusion::warnings(finding.conclusion.as_ref(), &finding.links) {
        let _ = writeln!(out, "<p><b>Warning:</b> {}</p>", esc(&w));
    }
    if let Some(l) = finding.location {
        let _ = writeln!(
            out,
            "<p>Location {:.6}, {:.6} ± {} m (WGS84)</p>",
            l.lat, l.lon, l.precision_m
        );
    }
    out.push_str("<h2>Figure</h2>\n");
    out.push_str(&figure_html(case, finding)?);
    inputs_html(case, finding, &mut out);
    methods_html(finding, &mut out);
    review_html(case, finding, &mut out);
    let _ = writeln!(
        out,
        "<h2>Program</h2>\n<p>geoproof {}; report written {}</p>\n</body></html>",
        esc(crate::assets::VERSION),
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
    );
    Ok(out)
}
