//! The board's commands as the app applies them: the board's own part (commit, undo,
//! redo, follow, autosave: `ui/board/apply.rs`) plus what they change around it
//! (selection, workspace, status), new comparisons, map snapshots, draft recovery and
//! exports of the board's finding, and frames grabbed from its videos.

use super::{AppState, BoardCommand, Selection, SnapshotStep, Status, Workspace};
use crate::board::ops;
use crate::case::comparison::PanelSource;
use crate::case::{Edit, Finding, FindingKind, ImportOutcome};
use crate::export::figure::{self, FigureOptions};
use std::path::PathBuf;

impl AppState {
    pub(super) fn apply_board(&mut self, command: BoardCommand) -> Result<(), String> {
        match command {
            BoardCommand::Open(id) => {
                self.refuse_hidden(&id)?;
                self.open_board(&id)
            }
            BoardCommand::Commit => self.commit_board(),
            BoardCommand::Undo => self.undo_board(false),
            BoardCommand::Redo => self.undo_board(true),
            BoardCommand::NewComparison(ids) => self.new_comparison(ids),
            BoardCommand::RequestMapSnapshot => self.request_map_snapshot(),
            BoardCommand::RestoreDraft(id) => self.restore_draft(&id),
            BoardCommand::DiscardDraft(id) => self.discard_draft(&id),
            BoardCommand::ExportFigure { png, svg, options } => {
                self.export_figure(png, svg, &options)
            }
            BoardCommand::ExportPanelImage { panel, path } => {
                self.export_panel_image(&panel, &path)
            }
            BoardCommand::AddFrameGrab(result) => self.add_frame_grab(result),
        }
    }

    pub(crate) fn open_board(&mut self, id: &str) -> Result<(), String> {
        let case = self.case.as_ref().ok_or("no case is open")?;
        let finding = case.finding(id).map_err(|e| e.to_string())?.clone();
        self.commit_board()?;
        self.board.open(&finding);
        self.shell.selection = Some(Selection::Finding(finding.id));
        self.shell.workspace = Workspace::Board;
        Ok(())
    }

    /// Saves the board's working copy as one step of history (the board's own apply).
    pub(crate) fn commit_board(&mut self) -> Result<(), String> {
        match self.case.as_mut() {
            Some(case) => self.board.commit(case),
            None => Ok(()),
        }
    }

    pub(crate) fn undo_board(&mut self, redo: bool) -> Result<(), String> {
        let Some(case) = self.case.as_mut() else {
            return Ok(());
        };
        if let Some(note) = self.board.step_history(case, redo)? {
            self.shell.status = Some(Status::Info(note.into()));
        }
        Ok(())
    }

    pub(crate) fn new_comparison(&mut self, evidence: Vec<String>) -> Result<(), String> {
        let case = self.case.as_mut().ok_or("no case is open")?;
        let mut finding = Finding::new(FindingKind::Comparison, "New comparison");
        for id in evidence {
            let sha256 = case
                .find_evidence(&id)
                .map_err(|e| e.to_string())?
                .sha256
                .clone();
            ops::add_panel(&mut finding, PanelSource::Evidence { sha256 });
        }
        let id = finding.id.clone();
        case.apply(Edit::PutFinding(Box::new(finding)))
            .and_then(|()| case.save())
            .map_err(|e| e.to_string())?;
        self.open_board(&id)
    }

    pub(crate) fn request_map_snapshot(&mut self) -> Result<(), String> {
        if self.board.finding.is_none() {
            return Err("open a finding on the board before taking a map snapshot".into());
        }
        self.commit_board()?;
        self.shell.workspace = Workspace::Map;
        self.map.snapshot = SnapshotStep::ShowMap;
        Ok(())
    }

    pub(crate) fn restore_draft(&mut self, id: &str) -> Result<(), String> {
        let Some(pos) = self.board.recovery.iter().position(|d| d.finding.id == id) else {
            return Ok(());
        };
        let draft = self.board.recovery.remove(pos);
        self.apply_recorded(Edit::PutFinding(Box::new(draft.finding)))?;
        let case = self.case.as_ref().ok_or("no case is open")?;
        self.board.discard_draft(case, id)?;
        self.shell.status = Some(Status::Info(format!("restored the autosaved work on {id}")));
        self.open_board(id)
    }

    pub(crate) fn discard_draft(&mut self, id: &str) -> Result<(), String> {
        let case = self.case.as_ref().ok_or("no case is open")?;
        self.board.discard_draft(case, id)
    }

    /// Follows changes made to the board's finding elsewhere; leaves the board
    /// workspace when its finding was removed.
    pub(crate) fn sync_board(&mut self) {
        let closed = self.board.sync_with(self.case.as_ref()) == crate::ui::board::Synced::Closed;
        if closed && self.shell.workspace == Workspace::Board {
            self.shell.workspace = Workspace::Map;
        }
    }

    /// Autosaves the board's uncommitted work (at most every two seconds).
    pub(crate) fn autosave_board(&mut self, now: f64) -> Result<(), String> {
        match self.case.as_ref() {
            Some(case) => self.board.autosave(case, now),
            None => Ok(()),
        }
    }
}

impl AppState {
    pub(crate) fn export_figure(
        &mut self,
        png: Option<PathBuf>,
        svg: Option<PathBuf>,
        options: &FigureOptions,
    ) -> Result<(), String> {
        self.commit_board()?;
        let id = self
            .board
            .finding
            .clone()
            .ok_or("no finding on the board")?;
        let case = self.case.as_mut().ok_or("no case is open")?;
        let done = figure::export(case, &id, png.as_deref(), svg.as_deref(), options, true)
            .map_err(|e| e.to_string())?;
        let names: Vec<String> = done
            .outputs
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        self.shell.status = Some(Status::Info(format!(
            "exported {} ({}×{} px) with manifest {}",
            names.join(", "),
            done.width,
            done.height,
            done.manifest.display()
        )));
        Ok(())
    }

    /// The panel's picture with its redactions as a PNG with nothing but pixels,
    /// logged in the case like a figure.
    pub(crate) fn export_panel_image(
        &mut self,
        panel: &str,
        path: &std::path::Path,
    ) -> Result<(), String> {
        self.commit_board()?;
        let finding = self
            .board
            .working_with_views()
            .ok_or("no finding on the board")?;
        let case = self.case.as_mut().ok_or("no case is open")?;
        let pixels =
            figure::redacted_panel_image(case, &finding, panel).map_err(|e| e.to_string())?;
        let png = crate::export::redact::encode_png(&pixels).map_err(|e| e.to_string())?;
        crate::fsio::write_atomic(path, &png, false).map_err(|e| e.to_string())?;
        let redactions = finding
            .annotations
            .iter()
            .filter(|a| a.panel == panel && a.redaction.is_some())
            .count();
        case.log_event(
            "panel_image_exported",
            serde_json::json!({
                "finding": finding.id, "panel": panel, "file": path.display().to_string(),
                "sha256": crate::evidence::sha256_hex(&png), "redactions": redactions,
            }),
        );
        case.save().map_err(|e| e.to_string())?;
        self.shell.status = Some(Status::Info(format!(
            "exported {} ({}×{} px, {redactions} redaction(s) applied, no metadata)",
            path.display(),
            pixels.width(),
            pixels.height()
        )));
        Ok(())
    }

    fn add_frame_grab(
        &mut self,
        result: Result<Box<(crate::case::OpenVideo, crate::video::DecodedFrame)>, String>,
    ) -> Result<(), String> {
        let grabbed = result?;
        let (video, frame) = &*grabbed;
        let case = self.case.as_mut().ok_or("no case is open")?;
        let outcome = case
            .add_frame_grab(video, frame)
            .map_err(|e| e.to_string())?;
        let timecode = crate::video::format_timecode(video.table.time_us(frame.index));
        let message = match outcome {
            ImportOutcome::Added(r) => format!(
                "grabbed frame {} at {timecode} of {} as {}",
                frame.index,
                video.record.original_name,
                r.short_id()
            ),
            ImportOutcome::Duplicate(r) => format!(
                "frame {} at {timecode} is already in the case as {}",
                frame.index,
                r.short_id()
            ),
        };
        self.shell.status = Some(match &frame.damage {
            Some(damage) => {
                Status::Error(format!("{message}; the decoder reported damage: {damage}"))
            }
            None => Status::Info(message),
        });
        Ok(())
    }
}
