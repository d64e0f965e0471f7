//! Undo and Redo, as the board, the georeference view and the candidate session show
//! them.

use super::command::Command;

use super::command::BoardCommand;

/// Undo and Redo buttons for the finding being worked on (the board's history).
pub(crate) fn undo_redo_buttons(ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    if ui.button("Undo").clicked() {
        commands.push(Command::Board(BoardCommand::Undo));
    }
    if ui.button("Redo").clicked() {
        commands.push(Command::Board(BoardCommand::Redo));
    }
}
