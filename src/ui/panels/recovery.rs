//! The recovery dialog: drafts autosaved before the app stopped.

use egui::Ui;

use crate::ui::state::{AppState, Command};

use crate::ui::state::BoardCommand;

/// Offers work autosaved before the app stopped: restore it, or discard it.
pub fn recovery_ui(ui: &mut Ui, state: &mut AppState) {
    let Some(draft) = state.board.recovery.first() else {
        return;
    };
    let id = draft.finding.id.clone();
    let when = draft
        .written
        .map(|t| {
            chrono::DateTime::<chrono::Local>::from(t)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| "an unknown time".into());
    let title = draft.finding.title.clone();
    egui::Modal::new(egui::Id::unique("recovery")).show(ui.ctx(), |ui| {
        ui.set_max_width(420.0);
        ui.heading("Recover unsaved work?");
        ui.label(format!(
            "geoproof stopped before saving changes to “{title}” ({id}). \
             The last autosave is from {when}."
        ));
        ui.horizontal(|ui| {
            if ui.button("Restore autosave").clicked() {
                state
                    .commands
                    .push(Command::Board(BoardCommand::RestoreDraft(id.clone())));
            }
            if ui
                .button("Discard")
                .on_hover_text("Keep the finding as it was last saved")
                .clicked()
            {
                state
                    .commands
                    .push(Command::Board(BoardCommand::DiscardDraft(id.clone())));
            }
        });
    });
}
