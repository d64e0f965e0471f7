//! The online-source consent dialog, shown once before the first online source.

use egui::Ui;

use crate::ui::basemap::SourceChoice;
use crate::ui::state::AppState;

/// Shown once, before the first online source is enabled.
pub fn online_consent_ui(ui: &mut Ui, state: &mut AppState) {
    let Some(SourceChoice::Online(source)) = &state.basemap.consent_request else {
        return;
    };
    let host = source.host();
    let name = source.name.clone();
    let mut answer = None;
    egui::Modal::new(egui::Id::unique("online-consent")).show(ui.ctx(), |ui| {
        ui.set_max_width(460.0);
        ui.heading("Enable an online tile source?");
        ui.label(format!(
            "Showing {name} means downloading map tiles from {host}. Every tile request \
             tells that server, and anyone who can see your traffic, which area you are \
             looking at and how closely, together with your IP address."
        ));
        ui.label(
            "geoproof makes no network request unless you enable an online source. Every \
             request is listed in the network ledger (Basemap → Show network ledger), and \
             you can go offline again at any time from the status bar.",
        );
        ui.label("This explanation is shown once.");
        ui.horizontal(|ui| {
            if ui.button("Enable online source").clicked() {
                answer = Some(true);
            }
            if ui.button("Stay offline").clicked() {
                answer = Some(false);
            }
        });
    });
    if let Some(enable) = answer {
        state.answer_consent(enable);
    }
}
