//! The case panel on the left: damaged records, the evidence and finding lists with
//! their filters.

use egui::{RichText, Ui};

use crate::ui::state::{AppState, Command};

use crate::ui::state::CaseCommand;
use crate::ui::theme;
use crate::ui::thumbnails::Thumbnails;

/// Record files that failed validation on open: named with their cause, not loaded.
fn damaged_records_ui(ui: &mut Ui, case: &crate::case::Case) {
    let damaged = case.damaged();
    if damaged.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(
        RichText::new(format!("Damaged records ({}) — not loaded", damaged.len()))
            .color(theme::ERROR),
    )
    .id_salt("damaged-records")
    .default_open(true)
    .show(ui, |ui| {
        egui::ScrollArea::vertical()
            .id_salt("damaged-list")
            .max_height(120.0)
            .show(ui, |ui| {
                for d in damaged {
                    ui.label(RichText::new(&d.file).strong())
                        .on_hover_text(&d.cause);
                    ui.label(RichText::new(crate::case::short_text(&d.cause, 160)).small());
                }
                ui.label(
                    RichText::new("Repair or remove these files; they cannot be edited here.")
                        .small()
                        .italics(),
                );
            });
    });
}

pub fn case_panel_ui(ui: &mut Ui, state: &mut AppState, thumbnails: &mut Thumbnails) {
    let Some(case) = &state.case else {
        ui.heading("No case open");
        ui.label("Case → Open case… to begin.");
        return;
    };
    ui.heading(&case.meta().title);
    if let Some(reason) = case.read_only_reason() {
        ui.label(RichText::new(format!("Read-only: {reason}")).color(theme::ERROR));
    }
    damaged_records_ui(ui, case);
    let mut commands = Vec::new();
    crate::ui::case_lists::evidence_list_ui(
        ui,
        case,
        &mut state.lists,
        state.shell.selection.as_ref(),
        thumbnails,
        &state.prefs.exposure,
        &mut commands,
    );
    ui.separator();
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Findings ({})", case.finding_count())).strong());
        if ui
            .button("+ New")
            .on_hover_text("New geolocation finding at the map centre")
            .clicked()
        {
            commands.push(Command::Case(CaseCommand::NewFinding));
        }
    });
    finding_filter_ui(ui, &mut state.lists.finding_filter);
    let review = &state.shell.review;
    crate::ui::case_lists::finding_list_ui(
        ui,
        case,
        &mut state.lists,
        state.shell.selection.as_ref(),
        &|id| review.hides(id),
        &mut commands,
    );
    state.commands.extend(commands);
}

/// Kind and confidence pickers over the finding list ("any" clears each).
fn finding_filter_ui(ui: &mut Ui, filter: &mut crate::case::FindingFilter) {
    use crate::case::{Confidence, FindingKind};
    ui.horizontal_wrapped(|ui| {
        let kind = filter.kinds.first().map_or("any kind", |k| k.as_str());
        let label = ui.label("Show");
        egui::ComboBox::from_id_salt("filter-kind")
            .selected_text(kind)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(filter.kinds.is_empty(), "any kind")
                    .clicked()
                {
                    filter.kinds.clear();
                }
                for k in FindingKind::ALL {
                    if ui
                        .selectable_label(filter.kinds == [k], k.as_str())
                        .clicked()
                    {
                        filter.kinds = vec![k];
                    }
                }
            })
            .response
            .labelled_by(label.id);
        let confidence = filter
            .confidences
            .first()
            .map_or("any confidence", |c| c.as_str());
        let label = ui.label("with");
        egui::ComboBox::from_id_salt("filter-confidence")
            .selected_text(confidence)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(filter.confidences.is_empty(), "any confidence")
                    .clicked()
                {
                    filter.confidences.clear();
                }
                for c in Confidence::ALL {
                    if ui
                        .selectable_label(filter.confidences == [c], c.as_str())
                        .clicked()
                    {
                        filter.confidences = vec![c];
                    }
                }
            })
            .response
            .labelled_by(label.id);
        review_filter_ui(ui, filter);
    });
}

/// The review-state picker ("any review state" clears it).
fn review_filter_ui(ui: &mut Ui, filter: &mut crate::case::FindingFilter) {
    use crate::case::review::ReviewStatus;
    let shown = filter
        .review
        .first()
        .map_or("any review state", |s| s.as_str());
    let label = ui.label("in");
    egui::ComboBox::from_id_salt("filter-review")
        .selected_text(shown)
        .show_ui(ui, |ui| {
            if ui
                .selectable_label(filter.review.is_empty(), "any review state")
                .clicked()
            {
                filter.review.clear();
            }
            for s in ReviewStatus::ALL {
                if ui
                    .selectable_label(filter.review == [s], s.as_str())
                    .clicked()
                {
                    filter.review = vec![s];
                }
            }
        })
        .response
        .labelled_by(label.id);
}
