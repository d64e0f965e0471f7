//! The board's commands, carried out at the end of the frame like every other change:
//! commit a gesture, undo, redo, new comparisons, map snapshots, draft recovery and
//! exports of the board's finding.

use std::time::{Duration, Instant};

use super::{AppState, Selection, SnapshotStep, Status, Workspace};
use crate::board::{ops, recovery};
use crate::case::comparison::PanelSource;
use crate::case::{Edit, Finding, FindingKind};
use crate::export::figure::{self, FigureOptions};
use std::path::PathBuf;

/// Autosave at most this often while uncommitted work sits in the working copy.
const AUTOSAVE_EVERY: Duration = Duration::from_secs(2);

impl AppState {
    pub(crate) fn open_board(&mut self, id: &str) -> Result<(), String> {
        let case = self.case.as_ref().ok_or("no case is open")?;
        let finding = case.finding(id).map_err(|e| e.to_string())?.clone();
        self.commit_board()?;
        self.board.open(&finding);
        self.selection = Some(Selection::Finding(finding.id));
        self.workspace = Workspace::Board;
        Ok(())
    }

    /// Saves the working copy (with the live panel views) as one step of history.
    pub(crate) fn commit_board(&mut self) -> Result<(), String> {
        let (Some(case), Some(id)) = (self.case.as_mut(), self.board.finding.clone()) else {
            return Ok(());
        };
        if !self.board.has_uncommitted() {
            // Nothing changed on the board (at most the way panels are looked at, which
            // is saved with the next real change): no history step, and nothing made
            // elsewhere meanwhile is overwritten.
            return Ok(());
        }
        let Some(mut next) = self.board.working_with_views() else {
            return Ok(());
        };
        let saved = case.finding(&id).map_err(|e| e.to_string())?.clone();
        next.updated = chrono::Utc::now();
        let result = case
            .apply(Edit::PutFinding(Box::new(next.clone())))
            .and_then(|()| case.save());
        match result {
            Ok(()) => {
                self.board.record_step(&id, saved, next.clone());
                self.board.working = Some(next.clone());
                self.board.base = Some(next);
                recovery::discard_draft(case.root(), &id).map_err(|e| e.to_string())?;
                self.board.last_draft = None;
                Ok(())
            }
            Err(e) => {
                // The change was refused: show what is saved, not something that is not.
                self.board.working = Some(saved.clone());
                self.board.base = Some(saved);
                Err(e.to_string())
            }
        }
    }

    pub(crate) fn undo_board(&mut self, redo: bool) -> Result<(), String> {
        self.commit_board()?;
        let (Some(case), Some(id)) = (self.case.as_mut(), self.board.finding.clone()) else {
            return Ok(());
        };
        let current = case.finding(&id).map_err(|e| e.to_string())?.clone();
        let history = self.board.histories.entry(id.clone()).or_default();
        let step = if redo {
            history.redo(&current)
        } else {
            history.undo(&current)
        }
        .map_err(|e| e.to_string())?;
        let Some(target) = step else {
            self.status = Some(Status::Info(
                if redo {
                    "nothing to redo"
                } else {
                    "nothing to undo"
                }
                .into(),
            ));
            return Ok(());
        };
        case.apply(Edit::PutFinding(Box::new(target.clone())))
            .and_then(|()| case.save())
            .map_err(|e| e.to_string())?;
        self.board.working = Some(target.clone());
        self.board.base = Some(target);
        self.board.selected = None;
        self.board.gesture = None;
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
        self.workspace = Workspace::Map;
        self.snapshot = SnapshotStep::ShowMap;
        Ok(())
    }

    pub(crate) fn restore_draft(&mut self, id: &str) -> Result<(), String> {
        let Some(pos) = self.board.recovery.iter().position(|d| d.finding.id == id) else {
            return Ok(());
        };
        let draft = self.board.recovery.remove(pos);
        self.apply_recorded(Edit::PutFinding(Box::new(draft.finding)))?;
        let case = self.case.as_ref().ok_or("no case is open")?;
        recovery::discard_draft(case.root(), id).map_err(|e| e.to_string())?;
        self.status = Some(Status::Info(format!("restored the autosaved work on {id}")));
        self.open_board(id)
    }

    pub(crate) fn discard_draft(&mut self, id: &str) -> Result<(), String> {
        self.board.recovery.retain(|d| d.finding.id != id);
        let case = self.case.as_ref().ok_or("no case is open")?;
        recovery::discard_draft(case.root(), id).map_err(|e| e.to_string())
    }

    /// Follows changes made to the board's finding elsewhere (the map inspector, a
    /// marker drag) when the board holds nothing uncommitted; closes the board if the
    /// finding was removed.
    pub(crate) fn sync_board(&mut self) {
        let Some(id) = self.board.finding.clone() else {
            return;
        };
        let saved = self
            .case
            .as_ref()
            .and_then(|c| c.finding(&id).ok())
            .cloned();
        match saved {
            None => {
                let mut histories = std::mem::take(&mut self.board.histories);
                histories.remove(&id);
                self.board = crate::ui::board::BoardState {
                    recovery: std::mem::take(&mut self.board.recovery),
                    histories,
                    ..Default::default()
                };
                if self.workspace == Workspace::Board {
                    self.workspace = Workspace::Map;
                }
            }
            Some(saved) if self.board.base.as_ref() != Some(&saved) => {
                if !self.board.has_uncommitted() && self.board.gesture.is_none() {
                    self.board.working = Some(saved.clone());
                }
                self.board.base = Some(saved);
            }
            Some(_) => {}
        }
    }

    /// Writes the working copy to the case's autosave folder while it holds work not
    /// yet committed (at most every two seconds).
    pub(crate) fn autosave_board(&mut self) -> Result<(), String> {
        if !self.board.has_uncommitted() {
            return Ok(());
        }
        let (Some(case), Some(working)) = (self.case.as_ref(), self.board.working.as_ref()) else {
            return Ok(());
        };
        let due = match &self.board.last_draft {
            None => true,
            Some((at, written)) => written != working && at.elapsed() >= AUTOSAVE_EVERY,
        };
        if due {
            recovery::write_draft(case.root(), working).map_err(|e| e.to_string())?;
            self.board.last_draft = Some((Instant::now(), working.clone()));
        }
        Ok(())
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
        let done = figure::export(case, &id, png.as_deref(), svg.as_deref(), options, true)?;
        let names: Vec<String> = done
            .outputs
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        self.status = Some(Status::Info(format!(
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
        let pixels = figure::redacted_panel_image(case, &finding, panel)?;
        let png = crate::export::redact::encode_png(&pixels)?;
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
        self.status = Some(Status::Info(format!(
            "exported {} ({}×{} px, {redactions} redaction(s) applied, no metadata)",
            path.display(),
            pixels.width(),
            pixels.height()
        )));
        Ok(())
    }
}
