//! What the board's panels borrow from the app for a frame ([`BoardCtx`]), and the
//! board's side of find in case.

use super::figure_preview::FigureDialog;
use super::find;
use super::find_view;
use super::state::BoardState;

/// What the board's panels read and change besides the board itself: the case (read
/// only; changes are commands), what the analyst chose to see of graphic content, the
/// figure dialog, the sun panel (a measured shadow is sent there) and the command queue
/// (a message for the status line is a command too).
pub struct BoardCtx<'a> {
    pub case: Option<&'a crate::case::Case>,
    pub board: &'a mut BoardState,
    pub exposure: &'a mut crate::ui::command::Exposure,
    pub figure_dialog: &'a mut Option<FigureDialog>,
    pub sun: &'a mut crate::ui::map_sun::SunView,
    pub commands: &'a mut Vec<crate::ui::command::Command>,
    /// Where the map looks (the Skyline tool's camera when nothing else places it).
    pub map_centre: Option<crate::spatial::LatLon>,
}

/// Find in case (#35): the board's side of [`find`] — the region it searches with, and
/// what the find views ask for.
impl BoardCtx<'_> {
    pub(crate) fn find_query(&self) -> Result<find::QuerySpec, String> {
        find::find_query(
            self.case,
            self.board.working.as_ref(),
            self.board.selected.as_deref(),
            &self.board.video_frames,
        )
    }

    /// Collects the find jobs (once per frame, before the panels draw).
    pub(crate) fn poll_find(&mut self, ctx: &egui::Context) {
        if let Some(status) = self.board.find.poll(ctx, self.case) {
            self.commands
                .push(crate::ui::command::Command::notify(status));
        }
    }

    pub(crate) fn find_action(&mut self, ctx: &egui::Context, action: find_view::FindAction) {
        use find_view::FindAction;
        let result = match (action, self.case) {
            (_, None) => Err("no case is open".to_owned()),
            (FindAction::Find, Some(case)) => self
                .find_query()
                .and_then(|spec| self.board.find.start_find(ctx, case, spec)),
            (FindAction::Refresh, Some(case)) => {
                self.board.find.start_indexing(ctx, case);
                Ok(())
            }
            (FindAction::Open(rank), Some(case)) => self.open_result(ctx, case, rank),
            (FindAction::Close, Some(_)) => {
                self.board.find.results = None;
                self.board.find.textures.clear();
                Ok(())
            }
        };
        if let Err(e) = result {
            self.commands.push(crate::ui::command::Command::notify(
                crate::ui::command::Status::Error(e),
            ));
        }
    }

    /// Opens a result beside its query and hands its matching to the proposal view.
    fn open_result(
        &mut self,
        ctx: &egui::Context,
        case: &crate::case::Case,
        rank: usize,
    ) -> Result<(), String> {
        let f = self
            .board
            .working
            .as_mut()
            .ok_or("no finding on the board")?;
        let opened = self.board.find.open_result(ctx, case, f, rank)?;
        if let Some(frame) = opened.frame {
            let b = &mut *self.board;
            b.video_seeks
                .insert(opened.panel.clone(), frame.index as usize);
            b.video_frames.insert(opened.panel.clone(), frame);
        }
        self.commands.push(crate::ui::command::Command::Board(
            crate::ui::command::BoardCommand::Commit,
        ));
        let choice = &mut self.board.match_choice;
        choice.panel_a = Some(opened.panels.0.clone());
        choice.region_a = Some(opened.query_annotation);
        choice.panel_b = Some(opened.panel);
        choice.region_b = None;
        self.board.proposals = None;
        self.board.match_job = Some(super::match_state::MatchJob::new(opened.job, opened.panels));
        Ok(())
    }
}
