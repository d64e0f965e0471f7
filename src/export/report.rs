//! The methods report of a finding, as one self-contained HTML document (no network
//! reference; the figure embedded as a PNG data URI) or a PDF with the same content
//! (fonts embedded, real text): the question and the conclusion, every input with its
//! SHA-256, provenance and content credentials, the methods with their numbers, the
//! review state and signatures with key fingerprints, and the program. The figure is
//! rendered once, exactly as `export --png` renders it, redactions applied, and the
//! same PNG goes into either document.
//!
//! The content is built once as [`Report`] blocks; `to_html` and [`pdf::render`] only
//! lay it out.

pub mod doc;
pub mod pdf;

pub use doc::{Block, Report, Span};

use std::fmt::Write;

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
    #[error("finding {finding}: PDF: {source}")]
    Pdf {
        finding: String,
        #[source]
        source: pdf::PdfError,
    },
}

fn t(text: impl Into<String>) -> Span {
    Span::Text(text.into())
}

fn code(text: impl Into<String>) -> Span {
    Span::Code(text.into())
}

fn para(text: impl Into<String>) -> Block {
    Block::Para(vec![t(text)])
}

/// The figure block and its hash line, or a line saying why there is none.
fn figure(case: &Case, finding: &Finding, out: &mut Vec<Block>) -> Result<(), ReportError> {
    use super::figure::{FigureOptions, Typesetter, build, png};
    out.push(Block::Heading("Figure".into()));
    if finding.panels.is_empty() {
        out.push(para("No figure: the finding has no panels."));
        return Ok(());
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
    let fig = build(case, finding, &options, &mut ts).map_err(fig_err)?;
    let bytes = png(&fig, false).map_err(fig_err)?;
    let sha = crate::fingerprint::sha256_hex(&bytes);
    out.push(Block::Figure {
        png: bytes,
        width: fig.width,
        height: fig.height,
        alt: format!("Figure of {}", finding.id),
    });
    out.push(Block::Para(vec![t("Figure PNG SHA-256 "), code(sha)]));
    Ok(())
}

/// Where an evidence item came from, and its content credentials.
fn provenance(r: &crate::case::EvidenceRecord) -> String {
    let mut p = format!(
        "{} ({}, {} bytes, {}×{} px), taken into the case {}",
        r.source_line(),
        r.media_type,
        r.size_bytes,
        r.width,
        r.height,
        r.acquired_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    if let Some(url) = &r.source_url {
        let _ = write!(p, "; source {url}");
    }
    for s in &r.sources {
        let _ = write!(p, "; post {} ({})", s.title(), s.time_text());
        for stamp in &s.timestamps {
            let _ = write!(p, "; RFC 3161 token by {}", stamp.authority);
        }
    }
    let _ = write!(p, "; content credentials: {}", r.credentials_line());
    if let Some(s) = r.content_credentials.as_ref().and_then(|c| c.summary()) {
        if !s.actions.is_empty() {
            let _ = write!(p, "; actions {}", s.actions.join(", "));
        }
        for i in &s.ingredients {
            let _ = write!(
                p,
                "; ingredient {} ({})",
                i.title.as_deref().unwrap_or("untitled"),
                i.relationship
            );
        }
        if let Some(at) = &s.signed_at {
            let _ = write!(p, "; signed at {at}");
        }
    }
    p
}

fn inputs(case: &Case, finding: &Finding, out: &mut Vec<Block>) {
    out.push(Block::Heading("Inputs".into()));
    let rows = case
        .finding_inputs(finding)
        .into_iter()
        .map(|input| {
            let sha = input.sha256.clone().unwrap_or_else(|| "unknown".into());
            let prov = match case.find_evidence(&input.id) {
                Ok(r) if input.kind == "evidence" || input.kind == "source_video" => provenance(r),
                _ => input.id.clone(),
            };
            vec![vec![t(input.kind.clone())], vec![code(sha)], vec![t(prov)]]
        })
        .collect();
    out.push(Block::Table {
        head: vec!["Kind".into(), "SHA-256".into(), "Provenance".into()],
        rows,
    });
}

fn georeference(g: &crate::case::georeference::Georeference, out: &mut Vec<Block>) {
    out.push(Block::Subheading(format!(
        "Georeference of panel {}",
        g.panel
    )));
    match g.fit() {
        Ok(fit) => {
            out.push(para(super::georef::describe(&fit, g.points.len())));
            let rows = g
                .points
                .iter()
                .zip(&fit.residuals)
                .map(|(p, r)| {
                    vec![
                        vec![t(format!("{:.1}", p.x))],
                        vec![t(format!("{:.1}", p.y))],
                        vec![t(format!("{:.6}", p.lat))],
                        vec![t(format!("{:.6}", p.lon))],
                        vec![t(format!("{:.2}", r.residual_m))],
                        vec![t(r
                            .leave_one_out_m
                            .map_or("n/a".into(), |v| format!("{v:.2}")))],
                    ]
                })
                .collect();
            out.push(Block::Table {
                head: ["x", "y", "lat", "lon", "residual m", "leave-one-out m"]
                    .map(String::from)
                    .to_vec(),
                rows,
            });
        }
        Err(e) => out.push(para(format!("No fit: {e}"))),
    }
}

fn chronolocation(c: &crate::case::Chronolocation, out: &mut Vec<Block>) {
    out.push(Block::Subheading("Chronolocation".into()));
    out.push(para(format!(
        "Method {}, solver {}; {} shadow(s).",
        c.method,
        c.solver,
        c.shadows.len()
    )));
    for s in &c.shadows {
        out.push(para(format!(
            "Shadow ratio {:.4} ± {:.3}{}",
            s.ratio,
            s.tolerance,
            s.bearing_deg
                .map_or(String::new(), |b| format!(", bearing {b:.1}°"))
        )));
    }
    for w in &c.windows {
        out.push(para(format!(
            "Window {} – {} UTC, shadow bearing {:.1}°",
            w.start_utc.format("%Y-%m-%d %H:%M:%S"),
            w.end_utc.format("%H:%M:%S"),
            w.shadow_bearing_deg
        )));
    }
}

/// The skyline fit: the camera, the score, the horizon's settings and the elevation
/// files with their SHA-256.
fn skyline_fit(f: &crate::case::skyline_fit::SkylineFit, out: &mut Vec<Block>) {
    let c = &f.camera;
    out.push(Block::Subheading("Skyline fit".into()));
    let frame = f.frame.map_or_else(String::new, |fr| {
        format!(", frame {} at {:.3} s", fr.index, fr.time_s)
    });
    out.push(Block::Para(vec![
        t("The frame's skyline, traced by the analyst on evidence "),
        code(f.evidence.clone()),
        t(format!(
            "{frame} ({} points in {} run(s)), compared with the terrain skyline rendered \
             for a pinhole camera at {:.6}, {:.6}, {:.1} m {}, heading {:.2}°, pitch \
             {:.2}°, roll {:.2}°, horizontal field of view {:.2}°, {}×{} px.",
            f.trace.polylines.iter().map(Vec::len).sum::<usize>(),
            f.trace.polylines.len(),
            c.site.at.lat,
            c.site.at.lon,
            c.site.height_m,
            match c.site.reference {
                crate::terrain::HeightRef::AboveGround => "above the ground",
                crate::terrain::HeightRef::Absolute => "in the DEM's vertical datum",
            },
            c.heading_deg,
            c.pitch_deg,
            c.roll_deg,
            c.fov_deg,
            c.width,
            c.height,
        )),
    ]));
    let s = &f.score;
    out.push(para(format!(
        "Score: mean angular distance {:.3}° (largest {:.3}°) over {} traced points; {} \
         point(s) with no terrain in their direction, counted {}° each; {} where the \
         elevation data ran out. Horizon every {}° to {:.0} m, refraction coefficient \
         {:.4}. A score measures agreement between two lines; it does not prove the place.",
        s.mean_deg,
        s.max_deg,
        s.points,
        s.missing,
        crate::terrain::fit::MISSING_PENALTY_DEG,
        s.incomplete,
        f.horizon_step_deg,
        f.max_distance_m,
        f.curvature.refraction,
    )));
    let rows = f
        .dem
        .iter()
        .map(|d| {
            vec![
                vec![t(d.path.display().to_string())],
                vec![code(d.sha256.clone())],
            ]
        })
        .collect();
    out.push(Block::Table {
        head: vec!["Elevation file".into(), "SHA-256".into()],
        rows,
    });
}

fn methods(finding: &Finding, out: &mut Vec<Block>) {
    out.push(Block::Heading("Methods".into()));
    if let Some(g) = &finding.georeference {
        georeference(g, out);
    }
    if let Some(f) = &finding.skyline_fit {
        skyline_fit(f, out);
    }
    if let Some(c) = &finding.chronolocation {
        chronolocation(c, out);
    }
    if !finding.candidates.is_empty() {
        out.push(Block::Subheading("Candidate sites".into()));
        let rows = finding
            .candidates
            .iter()
            .map(|c| {
                vec![
                    vec![t(c.id.clone())],
                    vec![t(format!("{:.6}, {:.6} {}", c.lat, c.lon, c.label))],
                    vec![t(c.status.as_str())],
                    vec![t(c.reason.clone())],
                    vec![t(format!(
                        "{} {}",
                        c.origin.kind,
                        c.origin.query.as_deref().unwrap_or("")
                    ))],
                ]
            })
            .collect();
        out.push(Block::Table {
            head: ["Id", "Place", "Status", "Reason", "Origin"]
                .map(String::from)
                .to_vec(),
            rows,
        });
    }
    if !finding.links.is_empty() {
        out.push(Block::Subheading("Linked features".into()));
        let rows = finding
            .links
            .iter()
            .map(|l| {
                vec![
                    vec![t(l.number.to_string())],
                    vec![t(l.feature_class.map_or("not stated", |c| c.as_str()))],
                    vec![t(l.assessment.label())],
                    vec![t(l.description.clone())],
                    vec![t(l.quality_limits.join("; "))],
                ]
            })
            .collect();
        out.push(Block::Table {
            head: [
                "No.",
                "Class",
                "Assessment",
                "Description",
                "Quality limits",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        });
    }
}

/// The visual searches of the case (#35) that proposed linked features: what was
/// searched for, with which index, and where the result stood. Results of a search are
/// proposals; the analyst's link is the judgement.
fn searches(case: &Case, finding: &Finding, out: &mut Vec<Block>) {
    let found: Vec<_> = finding
        .links
        .iter()
        .filter_map(|l| l.search.as_ref().map(|s| (l.number, s)))
        .collect();
    if found.is_empty() {
        return;
    }
    let name = |sha: &str| {
        case.find_evidence(sha).map_or_else(
            |_| format!("evidence {}", &sha[..12.min(sha.len())]),
            |r| format!("{} ({})", r.original_name, r.short_id()),
        )
    };
    let frame = |f: Option<crate::case::comparison::FrameRef>| {
        f.map_or_else(String::new, |f| {
            format!(", frame {} at {:.3} s", f.index, f.time_s)
        })
    };
    out.push(Block::Subheading("Visual search of the case".into()));
    out.push(para(
        "These linked features were proposed by a search of the case's pictures by region \
         (local features, an inverted file, then a RANSAC homography; geoproof find). A \
         result is a candidate that the analyst then compared; the search does not \
         conclude that two pictures show the same place.",
    ));
    let rows = found
        .iter()
        .map(|(number, s)| {
            let [x, y, w, h] = s.region;
            vec![
                vec![t(number.to_string())],
                vec![t(format!(
                    "{}{}, region {x},{y},{w},{h}",
                    name(&s.query_sha256),
                    frame(s.query_frame)
                ))],
                vec![t(format!("version {}", s.index_version))],
                vec![t(format!(
                    "rank {}: {}{}, {} inliers{}",
                    s.rank,
                    name(&s.result_sha256),
                    frame(s.result_frame),
                    s.inliers,
                    if s.mirrored { ", mirrored" } else { "" }
                ))],
            ]
        })
        .collect();
    out.push(Block::Table {
        head: ["Link", "Searched for", "Index", "Result"]
            .map(String::from)
            .to_vec(),
        rows,
    });
}

fn review(case: &Case, finding: &Finding, out: &mut Vec<Block>) {
    let r = &finding.review;
    out.push(Block::Heading("Review".into()));
    let mut state = vec![t("State: "), Span::Bold(r.status.as_str().into())];
    if !r.reason.is_empty() {
        state.push(t(format!(" ({})", r.reason)));
    }
    out.push(Block::Para(state));
    for s in &r.history {
        out.push(para(format!(
            "{} → {} by {} at {} {}",
            s.from.as_str(),
            s.to.as_str(),
            s.by,
            s.at.format("%Y-%m-%d %H:%M:%S UTC"),
            s.reason
        )));
    }
    out.push(Block::Subheading("Signatures".into()));
    let rows = case
        .signature_checks()
        .into_iter()
        .filter(|c| c.finding == finding.id)
        .map(|c| {
            vec![
                vec![t(c.purpose.clone())],
                vec![t(c.analyst.clone())],
                vec![code(c.fingerprint.clone())],
                vec![t(c.summary())],
            ]
        })
        .collect();
    out.push(Block::Table {
        head: ["Purpose", "Analyst", "Key fingerprint", "Status"]
            .map(String::from)
            .to_vec(),
        rows,
    });
}

fn conclusion(finding: &Finding, out: &mut Vec<Block>) {
    out.push(Block::Heading("Conclusion".into()));
    out.push(para(finding.verdict.clone()));
    out.push(para(format!("Confidence: {}", finding.confidence.as_str())));
    if let Some(c) = &finding.conclusion {
        out.push(Block::Para(vec![
            t("On the scale: "),
            Span::Bold(c.scale.as_str().into()),
            t(format!(" — {} {}", c.scale.wording(), c.note)),
        ]));
    }
    for w in crate::case::conclusion::warnings(finding.conclusion.as_ref(), &finding.links) {
        out.push(Block::Para(vec![
            Span::Bold("Warning:".into()),
            t(format!(" {w}")),
        ]));
    }
    if let Some(l) = finding.location {
        out.push(para(format!(
            "Location {:.6}, {:.6} ± {} m (WGS84)",
            l.lat, l.lon, l.precision_m
        )));
    }
}

/// The content of finding `id`'s report.
pub fn build(case: &Case, id: &str) -> Result<Report, ReportError> {
    let finding = case.finding(id)?;
    let mut blocks = vec![
        Block::Title(finding.title.clone()),
        Block::Para(vec![
            t("Finding "),
            code(finding.id.clone()),
            t(format!(
                " ({}), case “{}”. Author: {}.",
                finding.kind.as_str(),
                case.meta().title,
                if finding.author.is_empty() {
                    "not stated"
                } else {
                    &finding.author
                }
            )),
        ]),
    ];
    conclusion(finding, &mut blocks);
    figure(case, finding, &mut blocks)?;
    inputs(case, finding, &mut blocks);
    methods(finding, &mut blocks);
    searches(case, finding, &mut blocks);
    review(case, finding, &mut blocks);
    blocks.push(Block::Heading("Program".into()));
    blocks.push(para(format!(
        "geoproof {}; report written {}",
        crate::assets::VERSION,
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
    )));
    Ok(Report {
        title: finding.title.clone(),
        blocks,
    })
}

/// The report of finding `id` as an HTML document.
pub fn html(case: &Case, id: &str) -> Result<String, ReportError> {
    Ok(build(case, id)?.to_html())
}

/// The report of finding `id` as PDF bytes.
pub fn pdf(case: &Case, id: &str) -> Result<Vec<u8>, ReportError> {
    let report = build(case, id)?;
    pdf::render(&report).map_err(|source| ReportError::Pdf {
        finding: id.to_owned(),
        source,
    })
}
