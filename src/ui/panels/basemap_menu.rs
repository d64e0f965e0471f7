//! The basemap menu: bundled, local and online sources, the case's imagery layers,
//! the network ledger switch.

use egui::{RichText, Ui};

use crate::ui::basemap::OnlineSource;
use crate::ui::state::MapCommand;
use crate::ui::state::{AppState, Command};
use crate::ui::theme;

/// Basemap menu: bundled, local and online sources, the case's imagery layers, the
/// ledger.
pub(super) fn basemap_menu_ui(
    ui: &mut Ui,
    state: &mut AppState,
    imagery: &crate::ui::imagery_layers::ImageryLayers,
    elevation: &crate::ui::terrain::Elevation,
) {
    use crate::ui::basemap::SourceChoice;
    if ui
        .selectable_label(
            state.basemap.choice == SourceChoice::BlueMarble,
            "Blue Marble (bundled, offline)",
        )
        .clicked()
    {
        state.commands.push(Command::Map(MapCommand::SetBasemap(
            SourceChoice::BlueMarble,
        )));
        ui.close();
    }
    if ui.button("Local .pmtiles archive…").clicked() {
        if let Some(file) = rfd::FileDialog::new()
            .add_filter("PMTiles", &["pmtiles"])
            .pick_file()
        {
            state
                .commands
                .push(Command::Map(MapCommand::SetBasemap(SourceChoice::PmTiles(
                    file,
                ))));
        }
        ui.close();
    }
    if ui.button("Local .mbtiles archive…").clicked() {
        if let Some(file) = rfd::FileDialog::new()
            .add_filter("MBTiles", &["mbtiles"])
            .pick_file()
        {
            state
                .commands
                .push(Command::Map(MapCommand::SetBasemap(SourceChoice::MbTiles(
                    file,
                ))));
        }
        ui.close();
    }
    osm_extract_items(ui, state);
    if ui.button("Local tile folder {z}/{x}/{y}…").clicked() {
        if let Some(dir) = rfd::FileDialog::new().pick_folder() {
            state
                .commands
                .push(Command::Map(MapCommand::SetBasemap(SourceChoice::Folder(
                    dir,
                ))));
        }
        ui.close();
    }
    ui.separator();
    ui.label(RichText::new("Online (reveals the area you view)").color(theme::WARNING));
    for source in [
        OnlineSource::openstreetmap(),
        OnlineSource::esri_world_imagery(),
    ] {
        let label = format!("{} (online)", source.name);
        let choice = SourceChoice::Online(source);
        if ui
            .selectable_label(state.basemap.choice == choice, label)
            .clicked()
        {
            state
                .commands
                .push(Command::Map(MapCommand::SetBasemap(choice)));
            ui.close();
        }
    }
    ui.horizontal(|ui| {
        let label = ui.label("Custom:");
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut state.basemap.custom_template)
                    .hint_text("https://host/{z}/{x}/{y}.png")
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
        let entered = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Use").clicked() || entered {
            match OnlineSource::custom(&state.basemap.custom_template) {
                Ok(source) => {
                    state.basemap.custom_template_error = None;
                    state.commands.push(Command::Map(MapCommand::SetBasemap(
                        SourceChoice::Online(source),
                    )));
                    ui.close();
                }
                Err(e) => state.basemap.custom_template_error = Some(e),
            }
        }
    });
    if let Some(e) = &state.basemap.custom_template_error {
        ui.label(RichText::new(e).color(theme::ERROR));
    }
    ui.separator();
    crate::ui::imagery_layers::layers_menu_ui(ui, state, imagery);
    ui.separator();
    ui.menu_button("Elevation…", |ui| {
        crate::ui::terrain::elevation_menu_ui(
            ui,
            state.case.as_ref(),
            &mut state.map.terrain,
            &mut state.commands,
            elevation.surface.as_ref().map(|s| &s.opening),
        )
    });
    ui.separator();
    ui.checkbox(&mut state.basemap.show_ledger, "Show network ledger");
}

/// The street map of an OSM extract: the one indexed for the candidate search, or one
/// picked here.
fn osm_extract_items(ui: &mut Ui, state: &mut AppState) {
    use crate::ui::basemap::SourceChoice;
    if let Some(extract) = state.osm_search().extract.clone() {
        let choice = SourceChoice::OsmExtract(extract);
        if ui
            .selectable_label(
                state.basemap.choice == choice,
                format!(
                    "Street map of {}",
                    choice.label().trim_end_matches(" (street map)")
                ),
            )
            .on_hover_text(
                "The extract indexed for the candidate search, drawn from zoom 12, offline",
            )
            .clicked()
        {
            state
                .commands
                .push(Command::Map(MapCommand::SetBasemap(choice)));
            ui.close();
        }
    }
    if ui
        .button("Street map of an OSM extract (.osm.pbf)…")
        .on_hover_text("Drawn from the extract's index from zoom 12, offline (indexed first)")
        .clicked()
    {
        if let Some(file) = rfd::FileDialog::new()
            .add_filter("OpenStreetMap extract", &["pbf"])
            .pick_file()
        {
            state.commands.push(Command::Map(MapCommand::SetBasemap(
                SourceChoice::OsmExtract(file),
            )));
        }
        ui.close();
    }
}
