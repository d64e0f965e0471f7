//! The network ledger panel: every request of this session.

use egui::{RichText, Ui};

use crate::ui::ledger::Outcome;
use crate::ui::state::AppState;
use crate::ui::theme;

/// Every request this session: when, to which host, which tile, what came back.
pub fn ledger_ui(ui: &mut Ui, state: &mut AppState) {
    let count = state.basemap.ledger.len();
    ui.horizontal(|ui| {
        ui.label(RichText::new("Network ledger").strong());
        ui.label(format!(
            "{count} requests, {} failed",
            state.basemap.ledger.failed()
        ));
        if ui.button("Hide").clicked() {
            state.basemap.show_ledger = false;
        }
    });
    if count == 0 {
        ui.label("No network request has been made in this session.");
        return;
    }
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace);
    egui::ScrollArea::vertical()
        .id_salt("ledger-rows")
        .stick_to_bottom(true)
        .auto_shrink([false, false])
        .show_rows(ui, row_height, count, |ui, rows| {
            for entry in state.basemap.ledger.rows(rows) {
                let (result, color) = match &entry.outcome {
                    Outcome::InFlight => ("in flight".to_owned(), ui.visuals().text_color()),
                    Outcome::Ok { bytes, millis } => (
                        format!("ok {bytes} B in {millis} ms"),
                        ui.visuals().text_color(),
                    ),
                    Outcome::Failed(e) => (format!("FAILED: {e}"), theme::ERROR),
                };
                ui.horizontal(|ui| {
                    ui.monospace(entry.time.format("%H:%M:%S%.3f").to_string());
                    ui.monospace(&entry.host);
                    let what = entry.purpose.clone().unwrap_or_else(|| {
                        format!("{}/{}/{}", entry.tile.zoom, entry.tile.x, entry.tile.y)
                    });
                    ui.monospace(what).on_hover_text(&entry.url);
                    ui.label(RichText::new(result).monospace().color(color));
                });
            }
        });
}
