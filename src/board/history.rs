//! Undo and redo for one finding on the board: one step per finished gesture. Steps are
//! whole finding snapshots (a finding is a few kilobytes), and undo re-applies the older
//! snapshot through `Edit`, so an undo is saved and audited like any other change.

use crate::case::Finding;

/// How many steps are kept; older ones are dropped.
pub const MAX_STEPS: usize = 200;

#[derive(Debug, Default, Clone)]
pub struct History {
    undo: Vec<Finding>,
    redo: Vec<Finding>,
}

impl History {
    /// Records the state before a change; a new change forgets what could be redone.
    pub fn record(&mut self, before: Finding) {
        if self.undo.last() == Some(&before) {
            return;
        }
        self.undo.push(before);
        if self.undo.len() > MAX_STEPS {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    /// The state to go back to, given the current one.
    pub fn undo(&mut self, current: Finding) -> Option<Finding> {
        let previous = self.undo.pop()?;
        self.redo.push(current);
        Some(previous)
    }

    pub fn redo(&mut self, current: Finding) -> Option<Finding> {
        let next = self.redo.pop()?;
        self.undo.push(current);
        Some(next)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::FindingKind;

    #[test]
    fn undo_and_redo_walk_the_steps_and_a_new_change_drops_redo() {
        let mut h = History::default();
        let mut f = Finding::new(FindingKind::Comparison, "v1");
        let v1 = f.clone();
        f.title = "v2".into();
        h.record(v1.clone());
        let v2 = f.clone();
        f.title = "v3".into();
        h.record(v2.clone());
        let back = h.undo(f.clone()).unwrap();
        assert_eq!(back.title, "v2");
        assert_eq!(h.undo(back).unwrap().title, "v1");
        assert!(!h.can_undo());
        let fwd = h.redo(v1.clone()).unwrap();
        assert_eq!(fwd.title, "v2");
        h.record(fwd);
        assert!(!h.can_redo());
    }
}
