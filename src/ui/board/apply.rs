//! The board's own commands on the case: commit the working copy as one undo step,
//! undo and redo, follow changes made elsewhere, autosave drafts. The app calls these
//! when it applies `CommitBoard`, `Undo`, `Redo` and at the end of every frame; what
//! else a command touches (selection, workspace, status) the app does itself.

use std::time::Duration;

use super::BoardState;
use crate::board::recovery;
use crate::case::{Case, Edit};

/// Autosave at most this often while uncommitted work sits in the working copy.
const AUTOSAVE_EVERY: Duration = Duration::from_secs(2);

/// What following the case did to the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synced {
    Unchanged,
    /// The board's finding was removed: the board is closed.
    Closed,
}

impl BoardState {
    /// Saves the working copy (with the live panel views) as one step of history.
    pub fn commit(&mut self, case: &mut Case) -> Result<(), String> {
        let Some(id) = self.finding.clone() else {
            return Ok(());
        };
        if !self.has_uncommitted() {
            // Nothing changed on the board (at most the way panels are looked at, which
            // is saved with the next real change): no history step, and nothing made
            // elsewhere meanwhile is overwritten.
            return Ok(());
        }
        let Some(mut next) = self.working_with_views() else {
            return Ok(());
        };
        let saved = case.finding(&id).map_err(|e| e.to_string())?.clone();
        next.updated = chrono::Utc::now();
        let result = case
            .apply(Edit::PutFinding(Box::new(next.clone())))
            .and_then(|()| case.save());
        match result {
            Ok(()) => {
                self.record_step(&id, saved, next.clone());
                self.working = Some(next.clone());
                self.base = Some(next);
                recovery::discard_draft(case.root(), &id).map_err(|e| e.to_string())?;
                self.last_draft = None;
                Ok(())
            }
            Err(e) => {
                // The change was refused: show what is saved, not something that is not.
                self.working = Some(saved.clone());
                self.base = Some(saved);
                Err(e.to_string())
            }
        }
    }

    /// Commits, then steps the finding's history back (or forward with `redo`). Returns
    /// a note when there was nothing to step to.
    pub fn step_history(
        &mut self,
        case: &mut Case,
        redo: bool,
    ) -> Result<Option<&'static str>, String> {
        self.commit(case)?;
        let Some(id) = self.finding.clone() else {
            return Ok(None);
        };
        let current = case.finding(&id).map_err(|e| e.to_string())?.clone();
        let history = self.histories.entry(id).or_default();
        let step = if redo {
            history.redo(&current)
        } else {
            history.undo(&current)
        }
        .map_err(|e| e.to_string())?;
        let Some(target) = step else {
            return Ok(Some(if redo {
                "nothing to redo"
            } else {
                "nothing to undo"
            }));
        };
        case.apply(Edit::PutFinding(Box::new(target.clone())))
            .and_then(|()| case.save())
            .map_err(|e| e.to_string())?;
        self.working = Some(target.clone());
        self.base = Some(target);
        self.selected = None;
        self.gesture = None;
        Ok(None)
    }

    /// Follows changes made to the board's finding elsewhere (the map inspector, a
    /// marker drag) when the board holds nothing uncommitted; closes the board if the
    /// finding was removed.
    pub fn sync_with(&mut self, case: Option<&Case>) -> Synced {
        let Some(id) = self.finding.clone() else {
            return Synced::Unchanged;
        };
        let saved = case.and_then(|c| c.finding(&id).ok()).cloned();
        match saved {
            None => {
                let mut histories = std::mem::take(&mut self.histories);
                histories.remove(&id);
                *self = BoardState {
                    recovery: std::mem::take(&mut self.recovery),
                    histories,
                    ..Default::default()
                };
                Synced::Closed
            }
            Some(saved) if self.base.as_ref() != Some(&saved) => {
                if !self.has_uncommitted() && self.gesture.is_none() {
                    self.working = Some(saved.clone());
                }
                self.base = Some(saved);
                Synced::Unchanged
            }
            Some(_) => Synced::Unchanged,
        }
    }

    /// Writes the working copy to the case's autosave folder while it holds work not
    /// yet committed (at most every two seconds of egui's time `now`).
    pub fn autosave(&mut self, case: &Case, now: f64) -> Result<(), String> {
        if !self.has_uncommitted() {
            return Ok(());
        }
        let Some(working) = self.working.as_ref() else {
            return Ok(());
        };
        let due = match &self.last_draft {
            None => true,
            Some((at, written)) => written != working && now - at >= AUTOSAVE_EVERY.as_secs_f64(),
        };
        if due {
            recovery::write_draft(case.root(), working).map_err(|e| e.to_string())?;
            self.last_draft = Some((now, working.clone()));
        }
        Ok(())
    }

    /// Forgets the autosaved draft of finding `id`, on disk too.
    pub fn discard_draft(&mut self, case: &Case, id: &str) -> Result<(), String> {
        self.recovery.retain(|d| d.finding.id != id);
        recovery::discard_draft(case.root(), id).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Finding, FindingKind};

    fn case_with_finding(dir: &std::path::Path) -> (Case, Finding) {
        let mut case = Case::create(&dir.join("case"), "apply").unwrap();
        let f = Finding::new(FindingKind::Comparison, "first title");
        case.apply(Edit::PutFinding(Box::new(f.clone()))).unwrap();
        case.save().unwrap();
        (case, f)
    }

    #[test]
    fn a_commit_is_one_step_that_undo_and_redo_walk() {
        let dir = tempfile::tempdir().unwrap();
        let (mut case, f) = case_with_finding(dir.path());
        let mut board = BoardState::default();
        board.open(&f);
        // Nothing changed: no step.
        board.commit(&mut case).unwrap();
        assert_eq!(
            board.step_history(&mut case, false),
            Ok(Some("nothing to undo"))
        );

        board.working.as_mut().unwrap().title = "second title".into();
        board.commit(&mut case).unwrap();
        assert!(!board.has_uncommitted());
        assert_eq!(case.finding(&f.id).unwrap().title, "second title");

        assert_eq!(board.step_history(&mut case, false), Ok(None));
        assert_eq!(case.finding(&f.id).unwrap().title, "first title");
        assert_eq!(board.working.as_ref().unwrap().title, "first title");
        assert_eq!(board.step_history(&mut case, true), Ok(None));
        assert_eq!(case.finding(&f.id).unwrap().title, "second title");
        assert_eq!(
            board.step_history(&mut case, true),
            Ok(Some("nothing to redo"))
        );
    }

    #[test]
    fn the_board_follows_edits_made_elsewhere_and_closes_when_its_finding_goes() {
        let dir = tempfile::tempdir().unwrap();
        let (mut case, f) = case_with_finding(dir.path());
        let mut board = BoardState::default();
        board.open(&f);
        let mut elsewhere = f.clone();
        elsewhere.verdict = "set in the map inspector".into();
        case.apply(Edit::PutFinding(Box::new(elsewhere))).unwrap();
        assert_eq!(board.sync_with(Some(&case)), Synced::Unchanged);
        assert_eq!(
            board.working.as_ref().unwrap().verdict,
            "set in the map inspector"
        );

        case.apply(Edit::RemoveFinding { id: f.id.clone() })
            .unwrap();
        assert_eq!(board.sync_with(Some(&case)), Synced::Closed);
        assert!(board.finding.is_none() && board.working.is_none());
    }

    #[test]
    fn uncommitted_work_is_autosaved_as_a_draft_and_discarded_on_request() {
        let dir = tempfile::tempdir().unwrap();
        let (case, f) = case_with_finding(dir.path());
        let mut board = BoardState::default();
        board.open(&f);
        board.working.as_mut().unwrap().title = "not yet committed".into();
        board.autosave(&case, 10.0).unwrap();
        let (drafts, errors) = recovery::pending_drafts(&case);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(drafts[0].finding.title, "not yet committed");
        // At most every two seconds of egui's time.
        let draft_title = || recovery::pending_drafts(&case).0[0].finding.title.clone();
        board.working.as_mut().unwrap().title = "typed on".into();
        board.autosave(&case, 11.5).unwrap();
        assert_eq!(draft_title(), "not yet committed");
        board.autosave(&case, 12.0).unwrap();
        assert_eq!(draft_title(), "typed on");
        board.recovery = drafts;
        board.discard_draft(&case, &f.id).unwrap();
        assert!(board.recovery.is_empty());
        assert!(recovery::pending_drafts(&case).0.is_empty());
    }
}
