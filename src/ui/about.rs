//! Help → About: the version and features, where the bundled data comes from and under
//! which licence. The window's open flag is view state, kept in egui's memory.

use egui::{RichText, Ui};

use crate::assets;

fn open_id() -> egui::Id {
    egui::Id::unique("about-window-open")
}

/// The Help menu of the top bar.
pub fn help_menu_ui(ui: &mut Ui) {
    ui.menu_button("Help", |ui| {
        if ui.button("About geoproof…").clicked() {
            ui.ctx().data_mut(|d| d.insert_temp(open_id(), true));
            ui.close();
        }
    });
}

/// The About window, when it is open.
pub fn about_window_ui(ctx: &egui::Context) {
    let mut open = ctx.data(|d| d.get_temp::<bool>(open_id()).unwrap_or(false));
    if !open {
        return;
    }
    egui::Window::new("About geoproof")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.heading(assets::version_line());
            ui.label("Offline-first geolocation and image-comparison workbench.");
            ui.label(format!(
                "Bundled data: {}",
                assets::Origin::current().describe()
            ));
            ui.add_space(6.0);
            egui::Grid::new("bundled-data")
                .num_columns(3)
                .striped(true)
                .show(ui, |ui| {
                    ui.label(RichText::new("Data").strong());
                    ui.label(RichText::new("Used for").strong());
                    ui.label(RichText::new("Licence").strong());
                    ui.end_row();
                    for item in assets::BUNDLED_DATA {
                        ui.label(item.name);
                        ui.label(item.what);
                        ui.label(item.licence);
                        ui.end_row();
                    }
                });
            ui.add_space(6.0);
            ui.label("No network request is made unless you turn an online source on.");
        });
    ctx.data_mut(|d| d.insert_temp(open_id(), open));
}
