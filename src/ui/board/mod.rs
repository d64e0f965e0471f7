//! The comparison board: a finding's panels side by side, annotation tools, linked
//! features, undo/redo and autosave. The board edits a working copy of the finding;
//! every finished gesture becomes one `Edit::PutFinding` (one undo step), saved at once.

mod apply;
mod canvas;
mod conclusion;
mod ctx;
pub mod figure_dialog;
mod figure_preview;
pub mod find;
mod find_view;
mod gestures;
pub mod images;
mod inspector;
mod loupe;
mod match_state;
pub mod matching;
mod redaction;
pub mod skyline;
mod state;
mod toolbar;
mod tools;
mod transport;
pub mod video;

pub use apply::Synced;
pub use ctx::BoardCtx;
pub use figure_dialog::figure_dialog_ui;
pub use figure_preview::FigureDialog;
pub use images::BoardImages;
pub use inspector::board_inspector_ui;
pub use state::BoardState;
pub use tools::{BoardTool, Gesture, Layout, Loupe, RedactShape};

/// One frame of the board workspace: the toolbar (and its shortcuts) over the panels.
pub fn board_ui(ui: &mut egui::Ui, state: &mut BoardCtx<'_>, images: &mut BoardImages) {
    images.begin_frame();
    if state.board.tool() == BoardTool::Skyline {
        skyline::poll(
            ui.ctx(),
            state.case,
            state.board.working.as_ref(),
            state.map_centre,
            &mut state.board.skyline,
            state.commands,
        );
    }
    toolbar::toolbar_ui(ui, state);
    toolbar::shortcuts(ui, state);
    if let Some(action) = find_view::results_strip(ui, &state.board.find) {
        state.find_action(ui.ctx(), action);
    }
    canvas::panels_ui(ui, state, images);
}
