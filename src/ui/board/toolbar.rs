//! The board's tool strip and keyboard shortcuts.

use egui::{Key, KeyboardShortcut, Modifiers, Ui};

use super::BoardCtx;
use super::{BoardTool, Layout};
use crate::board::{History, ops};
use crate::case::comparison::{Category, PanelSource, RedactMethod};
use crate::ui::command::{BoardCommand, ShellCommand};
use crate::ui::command::{Command, Workspace};

pub const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
pub const REDO: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
pub const REDO_Y: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Y);

pub fn toolbar_ui(ui: &mut Ui, state: &mut BoardCtx<'_>) {
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("◀ Map")
            .on_hover_text("Back to the map")
            .clicked()
        {
            state.commands.push(Command::Board(BoardCommand::Commit));
            state
                .commands
                .push(Command::Shell(ShellCommand::SetWorkspace(Workspace::Map)));
        }
        ui.separator();
        let current = state.board.tool();
        let elevation = has_elevation(state);
        for tool in BoardTool::ALL {
            let key = tool.key().name();
            let enabled = tool != BoardTool::Skyline || elevation;
            if ui
                .add_enabled(
                    enabled,
                    egui::Button::selectable(current == tool, tool.label()),
                )
                .on_disabled_hover_text(
                    "Add elevation files to the case first (Map → Basemap → Elevation…)",
                )
                .on_hover_text(format!("{} ({key}): {}", tool.label(), tool.hint()))
                .clicked()
            {
                state.board.tool = Some(tool);
            }
        }
        ui.separator();
        if current == BoardTool::Redact {
            redact_settings_ui(ui, state);
        } else {
            egui::ComboBox::from_label("Category")
                .selected_text(state.board.category.label())
                .show_ui(ui, |ui| {
                    for c in Category::ALL {
                        ui.selectable_value(&mut state.board.category, c, c.label());
                    }
                });
        }
        ui.checkbox(&mut state.board.preview_redactions, "Preview redactions")
            .on_hover_text(
                "Show redacted regions as figures and exported images will (else hatched)",
            );
        ui.separator();
        let undo_text = ui.ctx().format_shortcut(&UNDO);
        let redo_text = ui.ctx().format_shortcut(&REDO);
        if ui
            .add_enabled(
                state.board.history().is_some_and(History::can_undo),
                egui::Button::new("Undo").shortcut_text(undo_text),
            )
            .clicked()
        {
            state.commands.push(Command::Board(BoardCommand::Undo));
        }
        if ui
            .add_enabled(
                state.board.history().is_some_and(History::can_redo),
                egui::Button::new("Redo").shortcut_text(redo_text),
            )
            .clicked()
        {
            state.commands.push(Command::Board(BoardCommand::Redo));
        }
        ui.separator();
        add_panel_menu(ui, state);
        let query = state.find_query();
        if super::find_view::find_button(ui, &state.board.find, &query) {
            state.find_action(ui.ctx(), super::find_view::FindAction::Find);
        }
        if ui
            .button("Export figure…")
            .on_hover_text("PNG/SVG of the finding with its annotations, legend and caption")
            .clicked()
        {
            state.commands.push(Command::Board(BoardCommand::Commit));
            *state.figure_dialog = Some(super::FigureDialog::new());
        }
        egui::ComboBox::from_label("Layout")
            .selected_text(state.board.layout().label())
            .show_ui(ui, |ui| {
                for l in Layout::ALL {
                    if ui
                        .selectable_label(state.board.layout() == l, l.label())
                        .clicked()
                    {
                        state.board.layout = Some(l);
                    }
                }
            });
        ui.checkbox(&mut state.board.sync_zoom, "Sync zoom");
        let mut lines = !state.board.hide_link_lines;
        if ui.checkbox(&mut lines, "Link lines").changed() {
            state.board.hide_link_lines = !lines;
        }
        ui.checkbox(&mut state.board.loupe.on, "Loupe (M)");
        ui.menu_button("Loupe settings", |ui| {
            let l = &mut state.board.loupe;
            ui.add(egui::Slider::new(&mut l.magnification, 2.0..=16.0).text("magnification"));
            ui.add(egui::Slider::new(&mut l.brightness, -100.0..=100.0).text("brightness"));
            ui.add(egui::Slider::new(&mut l.contrast, 0.5..=3.0).text("contrast"));
            ui.add(egui::Slider::new(&mut l.sharpen, 0.0..=3.0).text("sharpen"));
            if ui.button("Reset").clicked() {
                *l = super::Loupe {
                    on: l.on,
                    ..super::Loupe::default()
                };
            }
            ui.label("Applies to the loupe only; the evidence is never altered.");
        });
    });
    ui.label(egui::RichText::new(state.board.tool().hint()).weak());
}

/// Whether the case has elevation layers (the Skyline tool needs them).
fn has_elevation(state: &BoardCtx<'_>) -> bool {
    state.case.is_some_and(|c| !c.meta().elevation.is_empty())
}

/// The Redact tool's shape, method and brush width.
fn redact_settings_ui(ui: &mut Ui, state: &mut BoardCtx<'_>) {
    let r = &mut state.board.redact;
    egui::ComboBox::from_label("Redact shape")
        .selected_text(r.shape.label())
        .show_ui(ui, |ui| {
            for shape in super::RedactShape::ALL {
                ui.selectable_value(&mut r.shape, shape, shape.label());
            }
        });
    egui::ComboBox::from_label("Method")
        .selected_text(r.method.as_str())
        .show_ui(ui, |ui| {
            for method in RedactMethod::ALL {
                ui.selectable_value(&mut r.method, method, method.as_str())
                    .on_hover_text(match method {
                        RedactMethod::Box => "A solid black box",
                        RedactMethod::Pixelate => {
                            "Blocks of at least 1/8 of the region's shorter side"
                        }
                        RedactMethod::Blur => {
                            "Those blocks blended: looks blurred, cannot be sharpened back"
                        }
                    });
            }
        });
    if r.shape == super::RedactShape::Brush {
        ui.add(egui::Slider::new(&mut r.brush_pt, 4.0..=120.0).text("brush"));
    }
}

fn add_panel_menu(ui: &mut Ui, state: &mut BoardCtx<'_>) {
    ui.menu_button("Add panel", |ui| {
        let Some(case) = &state.case else { return };
        let on_board: Vec<String> = state
            .board
            .working
            .as_ref()
            .map(|f| f.evidence_ids().into_iter().map(str::to_owned).collect())
            .unwrap_or_default();
        let mut chosen = None;
        for e in case.evidence() {
            let shown = on_board.contains(&e.sha256);
            let text = format!(
                "{}{}",
                e.original_name,
                if shown { " (on the board)" } else { "" }
            );
            if ui.button(text).clicked() {
                chosen = Some(e.sha256.clone());
                ui.close();
            }
        }
        if ui
            .button("Map snapshot (current map view)")
            .on_hover_text("Takes a picture of the map as shown, with its bounds and basemap")
            .clicked()
        {
            state
                .commands
                .push(Command::Board(BoardCommand::RequestMapSnapshot));
            ui.close();
        }
        if let Some(sha256) = chosen
            && let Some(f) = state.board.working.as_mut()
        {
            ops::add_panel(f, PanelSource::Evidence { sha256 });
            state.commands.push(Command::Board(BoardCommand::Commit));
        }
    });
}

/// Tool keys, undo/redo, delete, escape. Ignored while a text field has the keyboard.
pub fn shortcuts(ui: &mut Ui, state: &mut BoardCtx<'_>) {
    if state.board.working.is_none() {
        return;
    }
    let typing = ui.ctx().egui_wants_keyboard_input();
    if typing {
        return;
    }
    if state.board.tool() == BoardTool::Skyline {
        super::skyline::keys(ui, &mut state.board.skyline);
    }
    let elevation = has_elevation(state);
    ui.input_mut(|i| {
        if i.consume_shortcut(&REDO) || i.consume_shortcut(&REDO_Y) {
            state.commands.push(Command::Board(BoardCommand::Redo));
        }
        if i.consume_shortcut(&UNDO) {
            state.commands.push(Command::Board(BoardCommand::Undo));
        }
        if i.modifiers.any() {
            return;
        }
        for tool in BoardTool::ALL {
            if i.key_pressed(tool.key()) && (tool != BoardTool::Skyline || elevation) {
                state.board.tool = Some(tool);
                state.board.link_from = None;
            }
        }
        if i.key_pressed(Key::M) {
            state.board.loupe.on = !state.board.loupe.on;
        }
        if i.key_pressed(Key::Num0) {
            for v in state.board.views.values_mut() {
                v.zoom = 0.0;
            }
        }
        if i.key_pressed(Key::Escape) {
            state.board.polygon = None;
            state.board.shadow_marks = None;
            state.board.link_from = None;
            state.board.selected = None;
        }
        if (i.key_pressed(Key::Delete) || i.key_pressed(Key::Backspace))
            && let (Some(id), Some(f)) = (state.board.selected.take(), state.board.working.as_mut())
        {
            ops::remove_annotation(f, &id);
            state.commands.push(Command::Board(BoardCommand::Commit));
        }
    });
    if ui.input(|i| i.key_pressed(Key::Enter)) {
        state
            .commands
            .extend(super::gestures::close_polygon(state.board));
    }
}
