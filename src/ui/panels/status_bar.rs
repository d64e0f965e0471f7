//! The status bar: the last message, progress of imports and of a skyline scan, and
//! whether the app talks to the network.

use egui::{RichText, Ui};

use crate::ui::basemap::SourceChoice;
use crate::ui::state::{AppState, Command, Status};
use crate::ui::state::{ImportCommand, MapCommand};
use crate::ui::theme;

pub fn status_bar_ui(ui: &mut Ui, state: &mut AppState) {
    ui.horizontal(|ui| {
        match state.map.hover {
            Some(p) => ui.monospace(format!("{:.6}, {:.6}", p.lat, p.lon)),
            None => ui.monospace("—"),
        };
        if let Some(z) = state.map.terrain.pointer {
            match z {
                Some(z) => ui.monospace(format!("elevation {z:.1} m")),
                None => ui.monospace("elevation —"),
            };
        }
        ui.separator();
        if state.map.measure.len() >= 2 {
            let n = state.map.measure.len();
            let m = crate::spatial::measure(state.map.measure[n - 2], state.map.measure[n - 1]);
            ui.label(format!(
                "Measure: {:.1} m, azimuth {:.2}° (back {:.2}°), path {:.1} m",
                m.distance_m,
                m.azimuth_deg,
                m.back_azimuth_deg,
                crate::spatial::path_length_m(&state.map.measure)
            ));
            ui.separator();
        }
        if let Some((done, total)) = state.imports.import_progress {
            ui.spinner();
            ui.label(format!("Importing {done}/{total}…"));
            ui.separator();
        }
        if let Some((done, total)) = state.imports.collection_progress {
            ui.spinner();
            ui.label(format!("Importing the collection: {done}/{total} files…"));
            if ui.small_button("Cancel").clicked() {
                state
                    .commands
                    .push(Command::Import(ImportCommand::CancelCollection));
            }
            ui.separator();
        }
        if let Some((_, text)) = state.board.skyline.scan.running_progress() {
            ui.spinner();
            ui.label(format!("Skyline scan: {text}"));
            if ui.small_button("Cancel").clicked() {
                state.board.skyline.scan.cancel(&mut state.commands);
            }
            ui.separator();
        }
        network_status_ui(ui, state);
        if let Some(note) = crate::ui::basemap::note(ui.ctx()) {
            ui.separator();
            ui.label(note);
        }
        match &state.shell.status {
            Some(Status::Info(s)) => {
                ui.separator();
                ui.label(s);
            }
            Some(Status::Error(s)) => {
                ui.separator();
                ui.label(RichText::new(s).color(crate::ui::theme::ERROR));
            }
            None => {}
        }
    });
}

/// Says plainly whether the app is talking to the network, and to whom.
fn network_status_ui(ui: &mut Ui, state: &mut AppState) {
    let requests = state.basemap.ledger.len();
    match &state.basemap.choice {
        SourceChoice::Online(source) => {
            let failed = state.basemap.ledger.failed();
            let mut text = format!("ONLINE: {} · {requests} requests", source.host());
            if failed > 0 {
                text.push_str(&format!(" · {failed} failed"));
            }
            let color = if failed > 0 {
                theme::ERROR
            } else {
                theme::WARNING
            };
            if ui
                .link(RichText::new(text).color(color))
                .on_hover_text("Show the network ledger")
                .clicked()
            {
                state.basemap.show_ledger = true;
            }
            if ui.button("Go offline").clicked() {
                state.commands.push(Command::Map(MapCommand::SetBasemap(
                    SourceChoice::BlueMarble,
                )));
            }
        }
        _ if requests > 0 => {
            ui.label(format!(
                "Offline now ({requests} requests earlier this session)"
            ));
        }
        _ => {
            ui.label("Offline: no network requests");
        }
    }
}
