//! The review part of the finding inspector: the state with its badge, the actions
//! (mark ready, approve, dispute with a reason, sign, review blind) for the analyst at
//! this computer, the history of steps and every signature with how it stands today;
//! and, for a finding whose answer is hidden, the blind review itself.

use egui::{RichText, Ui};

use crate::case::review::ReviewStatus;
use crate::case::signature::SignatureCheck;
use crate::case::{Case, Finding};
use crate::ui::command::Command;
use crate::ui::command::ReviewCommand;
use crate::ui::review::ReviewCtx;
use crate::ui::theme;

/// A review state as a coloured badge.
pub fn status_badge(ui: &mut Ui, status: ReviewStatus) -> egui::Response {
    let text = match status {
        ReviewStatus::Ready => "ready for review",
        s => s.as_str(),
    };
    ui.label(
        RichText::new(format!(" {text} "))
            .color(theme::OUTLINE)
            .background_color(theme::review_colour(status))
            .strong(),
    )
}

/// How a signature stands, in a few words, and whether that is good.
pub fn check_text(c: &SignatureCheck) -> (String, bool) {
    if !c.valid {
        let why = c.problem.as_deref().unwrap_or("does not verify");
        return (format!("INVALID: {why}"), false);
    }
    if !c.changed_fields.is_empty() {
        return (
            format!(
                "changed after signing: {}",
                crate::case::short_text(&c.changed_fields.join(", "), 200)
            ),
            false,
        );
    }
    if !c.changed_inputs.is_empty() {
        return (
            format!("inputs changed since: {}", c.changed_inputs.join(", ")),
            false,
        );
    }
    if !c.key_listed {
        return (
            "valid, but by a key this case does not list (unknown key)".into(),
            false,
        );
    }
    ("valid".into(), true)
}

fn check_line(ui: &mut Ui, c: &SignatureCheck) {
    let (text, good) = check_text(c);
    let colour = if good {
        theme::SIGNATURE_OK
    } else {
        theme::ERROR
    };
    ui.label(RichText::new(format!("✍ {text}")).small().color(colour))
        .on_hover_text(format!("{} · {}", c.analyst, c.fingerprint));
}

/// The review section under a finding whose answer is shown.
pub fn review_ui(ui: &mut Ui, state: &mut ReviewCtx<'_>, id: &str) {
    let Some(f) = state.case().and_then(|c| c.finding(id).ok()).cloned() else {
        return;
    };
    ui.separator();
    ui.horizontal(|ui| {
        ui.heading("Review");
        status_badge(ui, f.review.status);
    });
    if f.review.status == ReviewStatus::Disputed && !f.review.reason.is_empty() {
        ui.label(format!("Disputed: {}", f.review.reason));
    }
    blind_result_ui(ui, state, &f);
    let mut commands = Vec::new();
    analyst_ui(ui, state, &f, &mut commands);
    let Some(case) = state.case else {
        return;
    };
    let checks = state.review.checks(case, id).to_vec();
    history_ui(ui, &f, &checks);
    blind_list_ui(ui, case, &f);
    state.commands.extend(commands);
}

/// Who the analyst is and what they may do; without a key, how to make one.
fn analyst_ui(ui: &mut Ui, state: &mut ReviewCtx<'_>, f: &Finding, commands: &mut Vec<Command>) {
    let me = match state.review.analyst() {
        Ok(me) => me,
        Err(why) => {
            no_key_ui(ui, state, &why, commands);
            return;
        }
    };
    ui.label(RichText::new(format!("You: {} ({})", me.name, me.fingerprint())).small());
    if state.case().is_some_and(|c| c.read_only_reason().is_some()) {
        ui.label("The case is read-only: no review here.");
        return;
    }
    let status = f.review.status;
    let step = |to: ReviewStatus, reason: &str| {
        Command::Review(ReviewCommand::Move {
            finding: f.id.clone(),
            to,
            reason: reason.to_owned(),
        })
    };
    ui.horizontal_wrapped(|ui| {
        if status.may_move_to(ReviewStatus::Ready)
            && ui
                .button("Mark ready")
                .on_hover_text("Ready for a second analyst's review (signed)")
                .clicked()
        {
            commands.push(step(ReviewStatus::Ready, ""));
        }
        if status.may_move_to(ReviewStatus::Approved)
            && ui
                .button("Approve")
                .on_hover_text("Approve as a second analyst (signed; not by its author)")
                .clicked()
        {
            commands.push(step(ReviewStatus::Approved, ""));
        }
        if ui
            .button("Sign")
            .on_hover_text("Sign the finding and the SHA-256 of every input as its author")
            .clicked()
        {
            commands.push(Command::Review(ReviewCommand::Sign(f.id.clone())));
        }
        let reviewed = (f.review.blind.iter()).any(|b| b.public_key == me.public_key_hex());
        if f.location.is_some()
            && !reviewed
            && ui
                .button("Blind review")
                .on_hover_text(
                    "Place your own location without seeing the author's (only before you open it)",
                )
                .clicked()
        {
            commands.push(Command::Review(ReviewCommand::StartBlind(f.id.clone())));
        }
    });
    if status.may_move_to(ReviewStatus::Disputed) {
        ui.horizontal(|ui| {
            let label = ui.label("Reason");
            ui.add(
                egui::TextEdit::singleline(&mut state.review.dispute_reason)
                    .hint_text("why it does not stand")
                    .desired_width(150.0),
            )
            .labelled_by(label.id);
            let reason = state.review.dispute_reason.trim().to_owned();
            if ui
                .add_enabled(!reason.is_empty(), egui::Button::new("Dispute"))
                .on_hover_text("Dispute the finding with this reason (signed)")
                .clicked()
            {
                commands.push(step(ReviewStatus::Disputed, &reason));
            }
        });
    }
}

fn no_key_ui(ui: &mut Ui, state: &mut ReviewCtx<'_>, why: &str, commands: &mut Vec<Command>) {
    ui.label(
        RichText::new("No analyst key: signing and reviewing need one.").color(theme::WARNING),
    )
    .on_hover_text(format!(
        "{why}\nCreate it here or with `geoproof analyst init --name NAME`; the private \
         key stays in your config folder, never in the case."
    ));
    ui.horizontal(|ui| {
        let label = ui.label("Your name");
        ui.add(egui::TextEdit::singleline(&mut state.review.new_key_name).desired_width(140.0))
            .labelled_by(label.id);
        let name = state.review.new_key_name.trim().to_owned();
        if ui
            .add_enabled(!name.is_empty(), egui::Button::new("Create key"))
            .clicked()
        {
            commands.push(Command::Review(ReviewCommand::CreateKey(name)));
        }
    });
}

/// The steps, newest last, each with how its signature stands; then the author's
/// signatures.
fn history_ui(ui: &mut Ui, f: &Finding, checks: &[SignatureCheck]) {
    let r = &f.review;
    let mut checks = checks.iter();
    let authors: Vec<&SignatureCheck> = checks.by_ref().take(r.signatures.len()).collect();
    if r.history.is_empty() && authors.is_empty() {
        ui.label("No review step yet; not signed by its author.");
        return;
    }
    egui::CollapsingHeader::new(format!("History ({})", r.history.len()))
        .id_salt("review-history")
        .default_open(true)
        .show(ui, |ui| {
            if r.history.is_empty() {
                ui.label("No review step yet.");
            }
            for step in &r.history {
                ui.horizontal_wrapped(|ui| {
                    status_badge(ui, step.to);
                    ui.label(format!(
                        "from {} · {} · {}",
                        step.from.as_str(),
                        step.by,
                        step.at.format("%Y-%m-%d %H:%M UTC")
                    ));
                });
                if !step.reason.is_empty() {
                    ui.label(RichText::new(format!("“{}”", step.reason)).italics());
                }
                match (
                    &step.signature,
                    step.signature.is_some().then(|| checks.next()),
                ) {
                    (Some(_), Some(Some(c))) => check_line(ui, c),
                    _ => {
                        ui.label(RichText::new("automatic, unsigned").small());
                    }
                }
            }
        });
    egui::CollapsingHeader::new(format!("Signatures ({})", authors.len()))
        .id_salt("review-signatures")
        .default_open(true)
        .show(ui, |ui| {
            if authors.is_empty() {
                ui.label("Not signed by its author.");
            }
            for c in authors {
                ui.label(format!(
                    "{} · {} · {}",
                    c.analyst,
                    c.fingerprint,
                    c.signed_at.format("%Y-%m-%d %H:%M UTC")
                ));
                check_line(ui, c);
            }
        });
}

/// Blind reviews of the finding: who, how far from the author's location, agreement.
fn blind_list_ui(ui: &mut Ui, case: &Case, f: &Finding) {
    if f.review.blind.is_empty() {
        return;
    }
    ui.label(RichText::new("Blind reviews").strong());
    for b in &f.review.blind {
        match case.blind_comparison(&f.id, &b.public_key) {
            Some((_, c)) => ui.label(format!(
                "{}: {} from the author's ({})",
                b.analyst,
                crate::ui::review::distance_text(c.distance_m),
                if c.agrees() { "agree" } else { "disagree" }
            )),
            None => ui.label(format!("{}: no location to compare", b.analyst)),
        };
    }
}

/// After a blind review is recorded: both places, the distance and the circles.
fn blind_result_ui(ui: &mut Ui, state: &mut ReviewCtx<'_>, f: &Finding) {
    if state
        .review
        .blind
        .as_ref()
        .is_none_or(|b| b.finding != f.id)
    {
        return;
    }
    let (Ok(me), Some(case)) = (state.review.analyst(), state.case) else {
        return;
    };
    let Some((mine, c)) = case.blind_comparison(&f.id, &me.public_key_hex()) else {
        return;
    };
    let mine = mine.clone();
    let Some(author) = f.location else { return };
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(RichText::new("Blind review recorded").strong());
        egui::Grid::new("blind-result")
            .num_columns(2)
            .show(ui, |ui| {
                let rows = [
                    (
                        "Yours",
                        format!("{:.6}, {:.6} ± {} m", mine.lat, mine.lon, mine.precision_m),
                    ),
                    (
                        "Author's",
                        format!(
                            "{:.6}, {:.6} ± {} m",
                            author.lat, author.lon, author.precision_m
                        ),
                    ),
                    ("Distance", crate::ui::review::distance_text(c.distance_m)),
                    (
                        "Yours in the author's circle",
                        yes_no(c.reviewer_in_author_circle).into(),
                    ),
                    (
                        "Author's in your circle",
                        yes_no(c.author_in_reviewer_circle).into(),
                    ),
                ];
                for (k, v) in rows {
                    ui.label(k);
                    ui.label(v);
                    ui.end_row();
                }
            });
        if ui.button("Done").clicked() {
            state.push(Command::Review(ReviewCommand::EndBlind));
        }
    });
}

/// A finding whose answer is hidden: the blind review under way, or the choice between
/// reviewing it blind and seeing the answer.
pub fn hidden_finding_ui(ui: &mut Ui, state: &mut ReviewCtx<'_>, id: &str) {
    let Some(f) = state.case().and_then(|c| c.finding(id).ok()).cloned() else {
        return;
    };
    ui.heading(&f.title);
    ui.label(format!("{} · {}", f.kind.as_str(), f.id));
    status_badge(ui, f.review.status);
    let under_way = state
        .review
        .blind
        .as_ref()
        .is_some_and(|b| b.finding == f.id);
    if !under_way {
        ui.label(
            "Ready for your review. Its answer (location, candidates, verdict) stays hidden \
             until you review it blind or choose to see it; the case log records which.",
        );
        ui.horizontal(|ui| {
            if ui.button("Review blind").clicked() {
                state.push(Command::Review(ReviewCommand::StartBlind(f.id.clone())));
            }
            if ui
                .button("Show the answer")
                .on_hover_text("Logged as opened: a blind review is then refused")
                .clicked()
            {
                state.push(Command::Review(ReviewCommand::ShowAnswer(f.id.clone())));
            }
        });
        return;
    }
    ui.label(RichText::new("Blind review").strong());
    ui.label(
        "The author's location, candidates and verdict are hidden. Look at the evidence, \
         click your own location on the map and say how precise it is.",
    );
    evidence_names_ui(ui, state.case(), &f);
    let Some(b) = state.review.blind.as_mut() else {
        return;
    };
    match b.point {
        Some(p) => ui.label(format!("Your location: {:.6}, {:.6}", p.lat, p.lon)),
        None => ui.label(RichText::new("Click the map to place your location.").italics()),
    };
    ui.horizontal(|ui| {
        let label = ui.label("Precision radius");
        ui.add(
            egui::DragValue::new(&mut b.precision_m)
                .range(1.0..=1_000_000.0)
                .suffix(" m"),
        )
        .labelled_by(label.id);
    });
    let ready = b.point.is_some();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(ready, egui::Button::new("Record my location"))
            .on_hover_text("Signed and stored; then both locations are shown")
            .clicked()
        {
            state.push(Command::Review(ReviewCommand::SubmitBlind));
        }
        if ui.button("Cancel").clicked() {
            state.push(Command::Review(ReviewCommand::EndBlind));
        }
    });
}

/// The finding's evidence by name (what the reviewer works from).
fn evidence_names_ui(ui: &mut Ui, case: Option<&Case>, f: &Finding) {
    let Some(case) = case else { return };
    ui.label(RichText::new("Evidence").strong());
    for id in f.evidence_ids() {
        let name = case.find_evidence(id).map_or_else(
            |_| crate::case::short_hash(id).to_owned(),
            |e| e.original_name.clone(),
        );
        ui.label(format!("• {name}"));
    }
}

/// *Methods report…*: the finding's methods as HTML, PDF or both (same content).
pub fn methods_report_ui(ui: &mut Ui, f: &Finding, commands: &mut Vec<Command>) {
    ui.menu_button("Methods report…", |ui| {
        let save = |ext: &str| {
            rfd::FileDialog::new()
                .add_filter(ext.to_uppercase(), &[ext])
                .set_file_name(format!("{}-methods.{ext}", f.id))
                .save_file()
        };
        let report = |html, pdf| {
            Command::Review(ReviewCommand::MethodsReport {
                finding: f.id.clone(),
                html,
                pdf,
            })
        };
        if ui.button("HTML…").clicked() {
            if let Some(p) = save("html") {
                commands.push(report(Some(p), None));
            }
            ui.close();
        }
        if ui.button("PDF…").clicked() {
            if let Some(p) = save("pdf") {
                commands.push(report(None, Some(p)));
            }
            ui.close();
        }
        if ui
            .button("HTML and PDF…")
            .on_hover_text("The PDF is written beside the HTML, with the same name")
            .clicked()
        {
            if let Some(p) = save("html") {
                let pdf = p.with_extension("pdf");
                commands.push(report(Some(p), Some(pdf)));
            }
            ui.close();
        }
    })
    .response
    .on_hover_text(
        "A self-contained document of how the finding was reached: inputs with SHA-256, \
         methods with their numbers, review and signatures",
    );
}

/// The item's content credentials (C2PA): status, signer, claim generator, actions and
/// ingredients; "none" when it has none, "unknown" when never read.
pub fn credentials_ui(ui: &mut Ui, e: &crate::case::EvidenceRecord) {
    use crate::evidence::ContentCredentials as C;
    let colour = match &e.content_credentials {
        Some(C::Valid(_)) => theme::SIGNATURE_OK,
        Some(C::Untrusted(_)) => theme::WARNING,
        Some(C::Invalid(_) | C::Unreadable { .. }) => theme::ERROR,
        _ => theme::MUTED,
    };
    egui::CollapsingHeader::new("Content credentials (C2PA)")
        .id_salt("content-credentials")
        .default_open(true)
        .show(ui, |ui| {
            ui.label(RichText::new(format!("Status: {}", e.credentials_line())).color(colour));
            let Some(s) = e.content_credentials.as_ref().and_then(|c| c.summary()) else {
                return;
            };
            let unknown = || "unknown".to_owned();
            let rows = [
                ("Signer", s.signer.clone().unwrap_or_else(unknown)),
                (
                    "Organisation",
                    s.organisation.clone().unwrap_or_else(unknown),
                ),
                ("Signed", s.signed_at.clone().unwrap_or_else(unknown)),
                (
                    "Made with",
                    s.claim_generator.clone().unwrap_or_else(unknown),
                ),
                (
                    "Actions",
                    if s.actions.is_empty() {
                        "none stated".into()
                    } else {
                        s.actions.join(", ")
                    },
                ),
                ("Checked by", s.validator.clone()),
            ];
            egui::Grid::new("c2pa-grid").num_columns(2).show(ui, |ui| {
                for (k, v) in rows {
                    ui.label(k);
                    ui.label(v);
                    ui.end_row();
                }
            });
            if !s.ingredients.is_empty() {
                ui.label(RichText::new("Ingredients").strong());
                for i in &s.ingredients {
                    ui.label(format!(
                        "• {} ({}{})",
                        i.title.as_deref().unwrap_or("untitled"),
                        i.relationship,
                        i.format
                            .as_deref()
                            .map_or(String::new(), |f| format!(", {f}"))
                    ));
                }
            }
            for f in &s.failures {
                ui.label(RichText::new(format!("✗ {f}")).color(theme::ERROR));
            }
            ui.label(
                RichText::new(
                    "No trust list is configured: the signer is what the certificate says, \
                     not a confirmed identity.",
                )
                .small(),
            );
        });
}
