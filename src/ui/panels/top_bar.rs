//! The top bar: the case menu (new, open, save, import, collections, posts, stamping),
//! the go-to box, the map tools and the workspace switch.

use egui::{RichText, Ui};

use super::basemap_menu::basemap_menu_ui;
use crate::ui::state::{AppState, Command, Tool};
use crate::ui::state::{BoardCommand, CaseCommand, ImportCommand, MapCommand, ShellCommand};
use crate::ui::theme;

const NEW_CASE: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::N);
const OPEN_CASE: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::O);
const SAVE_CASE: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::S);

fn pick_new_case(state: &mut AppState) {
    if let Some(dir) = rfd::FileDialog::new()
        .set_title("New case: choose or create an empty folder")
        .pick_folder()
    {
        state.commands.push(Command::Case(CaseCommand::New(dir)));
    }
}

fn pick_case(state: &mut AppState) {
    if let Some(dir) = rfd::FileDialog::new()
        .set_title("Open a geoproof case folder")
        .pick_folder()
    {
        state.commands.push(Command::Case(CaseCommand::Open(dir)));
    }
}

pub fn top_bar_ui(
    ui: &mut Ui,
    state: &mut AppState,
    imagery: &crate::ui::imagery_layers::ImageryLayers,
    elevation: &crate::ui::terrain::Elevation,
) {
    if ui.input_mut(|i| i.consume_shortcut(&NEW_CASE)) {
        pick_new_case(state);
    }
    if ui.input_mut(|i| i.consume_shortcut(&OPEN_CASE)) {
        pick_case(state);
    }
    if ui.input_mut(|i| i.consume_shortcut(&SAVE_CASE)) {
        state.commands.push(Command::Case(CaseCommand::Save));
    }
    ui.horizontal(|ui| {
        use crate::ui::state::Workspace;
        for (w, name, tip) in [
            (Workspace::Map, "Map", "Map workspace"),
            (Workspace::Board, "Board", "Comparison board"),
        ] {
            if ui
                .selectable_label(state.shell.workspace == w, name)
                .on_hover_text(tip)
                .clicked()
            {
                state.commands.push(Command::Board(BoardCommand::Commit));
                state
                    .commands
                    .push(Command::Shell(ShellCommand::SetWorkspace(w)));
            }
        }
        ui.separator();
        ui.menu_button("Case", |ui| case_menu_ui(ui, state));
        ui.menu_button("Finding", |ui| finding_menu_ui(ui, state));
        // Stays open while layers, dates and the comparison are set (its items that
        // choose something close it themselves).
        egui::containers::menu::MenuButton::new("Basemap")
            .config(
                egui::containers::menu::MenuConfig::new()
                    .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside),
            )
            .ui(ui, |ui| basemap_menu_ui(ui, state, imagery, elevation));
        crate::ui::about::help_menu_ui(ui);
        ui.checkbox(&mut state.prefs.exposure.reduce, "Reduce exposure")
            .on_hover_text(
                "Panels and frames in greyscale, every thumbnail blurred (remembered). \
                 Videos never start on their own and geoproof plays no sound.",
            );
        ui.separator();
        let label = ui.label("Go to:");
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut state.map.goto_text)
                    .hint_text("53.079839, 34.554344 · DMS · MGRS · UTM · map link")
                    .desired_width(300.0),
            )
            .labelled_by(label.id);
        let submitted = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Go").clicked() || submitted {
            state.go_to();
        }
        if let Some(err) = &state.map.goto_error {
            ui.label(RichText::new(err).color(theme::ERROR));
        }
        ui.separator();
        if state.shell.workspace == crate::ui::state::Workspace::Board {
            // The board has its own tools; the map's would only confuse.
            return;
        }
        for (tool, label, tip) in [
            (Tool::Pan, "Pan", "Pan and zoom the map"),
            (
                Tool::PlaceFinding,
                "Place",
                "Click the map to set the selected finding's location",
            ),
            (
                Tool::Measure,
                "Measure",
                "Click points to measure geodesic distance and azimuth",
            ),
        ] {
            if ui
                .selectable_label(state.map.tool == tool, label)
                .on_hover_text(tip)
                .clicked()
            {
                state.commands.push(Command::Map(MapCommand::SetTool(tool)));
            }
        }
        if !state.map.measure.is_empty() && ui.button("Clear measure").clicked() {
            state.commands.push(Command::Map(MapCommand::ClearMeasure));
        }
    });
}

/// Finding menu: the selected finding's methods report.
fn finding_menu_ui(ui: &mut Ui, state: &mut AppState) {
    let finding = state
        .selected_finding()
        .filter(|f| !state.hides_answer(&f.id))
        .cloned();
    match finding {
        Some(f) => super::review_panel::methods_report_ui(ui, &f, &mut state.commands),
        None => {
            ui.add_enabled(false, egui::Button::new("Methods report…"))
                .on_disabled_hover_text("Select a finding (whose answer you may see) first");
        }
    }
}

/// Case menu: new, open, save, import, collections, posts, stamping, candidate search.
fn case_menu_ui(ui: &mut Ui, state: &mut AppState) {
    let shortcut = |s: &egui::KeyboardShortcut| ui.ctx().format_shortcut(s);
    let (new, open, save) = (
        shortcut(&NEW_CASE),
        shortcut(&OPEN_CASE),
        shortcut(&SAVE_CASE),
    );
    if ui
        .add(egui::Button::new("New case…").shortcut_text(new))
        .clicked()
    {
        pick_new_case(state);
        ui.close();
    }
    if ui
        .add(egui::Button::new("Open case…").shortcut_text(open))
        .clicked()
    {
        pick_case(state);
        ui.close();
    }
    if ui
        .add(egui::Button::new("Save").shortcut_text(save))
        .on_hover_text("Every change is saved as you make it; this confirms it")
        .clicked()
    {
        state.commands.push(Command::Case(CaseCommand::Save));
        ui.close();
    }
    if ui.button("Import evidence…").clicked() {
        if let Some(files) = rfd::FileDialog::new()
            .add_filter(
                "Images and videos",
                &[
                    "jpg", "jpeg", "png", "webp", "tif", "tiff", "heic", "heif", "hif", "avif",
                    "mp4", "mov", "m4v", "webm", "mkv", "ts", "mts", "m2ts", "avi",
                ],
            )
            .pick_files()
        {
            state
                .commands
                .push(Command::Import(ImportCommand::Files(files)));
        }
        ui.close();
    }
    if ui
        .button("Import collection…")
        .on_hover_text(
            "A Telegram Desktop JSON export or auto-archiver output: its media with \
             the posts they came from",
        )
        .clicked()
    {
        if let Some(dir) = rfd::FileDialog::new().pick_folder() {
            state
                .commands
                .push(Command::Import(ImportCommand::Collection(dir)));
        }
        ui.close();
    }
    if ui
        .button("Import web archive (.wacz)…")
        .on_hover_text("Image and video responses of a WACZ, after every digest is checked")
        .clicked()
    {
        if let Some(file) = rfd::FileDialog::new()
            .add_filter("Web archive", &["wacz"])
            .pick_file()
        {
            state
                .commands
                .push(Command::Import(ImportCommand::Collection(file)));
        }
        ui.close();
    }
    if ui
        .button("Stamp case…")
        .on_hover_text("Trusted timestamps (RFC 3161) of the case, after you agree")
        .clicked()
    {
        state.dialogs.stamp = Some(crate::ui::stamp_dialog::StampDialog::new());
        ui.close();
    }
    if ui
        .button("Find candidate sites (OpenStreetMap)…")
        .on_hover_text("Search a local .osm.pbf extract for places that fit the clues")
        .clicked()
    {
        state.osm_search.open = true;
        ui.close();
    }
    if ui
        .button("Posts…")
        .on_hover_text("The posts the evidence came from, searchable by caption")
        .clicked()
    {
        state.dialogs.posts.open = true;
        ui.close();
    }
}
