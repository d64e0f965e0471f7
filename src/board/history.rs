//! Undo and redo for one finding on the board: one step per finished gesture. Steps are
//! whole finding snapshots (a finding is a few kilobytes), and undo re-applies the older
//! snapshot through `Edit`, so an undo is saved and audited like any other change.

use crate::case::Finding;

/// How many steps are kept; older ones are dropped.
pub const MAX_STEPS: usize = 200;

/// One change: the finding before it and as it left it.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    before: Finding,
    after: Finding,
}

/// Undo or redo could not run: the finding is no longer as the step left it (changed
/// somewhere this history did not see). Going back would silently revert that change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the finding was changed elsewhere since this step; undoing it would also revert that \
     change, so nothing was undone"
)]
pub struct Diverged;

#[derive(Debug, Default, Clone)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
}

impl History {
    /// Records a change from `before` to `after`; a new change forgets what could be
    /// redone.
    pub fn record(&mut self, before: Finding, after: Finding) {
        if before == after {
            return;
        }
        self.undo.push(Step { before, after });
        if self.undo.len() > MAX_STEPS {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    /// The state to go back to, given the current one; refused when `current` is not
    /// what the last step left.
    pub fn undo(&mut self, current: &Finding) -> Result<Option<Finding>, Diverged> {
        let Some(step) = self.undo.last() else {
            return Ok(None);
        };
        if step.after != *current {
            return Err(Diverged);
        }
        let step = self.undo.pop().ok_or(Diverged)?;
        let target = step.before.clone();
        self.redo.push(step);
        Ok(Some(target))
    }

    pub fn redo(&mut self, current: &Finding) -> Result<Option<Finding>, Diverged> {
        let Some(step) = self.redo.last() else {
            return Ok(None);
        };
        if step.before != *current {
            return Err(Diverged);
        }
        let step = self.redo.pop().ok_or(Diverged)?;
        let target = step.after.clone();
        self.undo.push(step);
        Ok(Some(target))
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

    fn titled(f: &Finding, title: &str) -> Finding {
        Finding {
            title: title.into(),
            ..f.clone()
        }
    }

    #[test]
    fn undo_and_redo_walk_the_steps_and_a_new_change_drops_redo() {
        let mut h = History::default();
        let v1 = Finding::new(FindingKind::Comparison, "v1");
        let v2 = titled(&v1, "v2");
        let v3 = titled(&v1, "v3");
        h.record(v1.clone(), v2.clone());
        h.record(v2.clone(), v3.clone());
        let back = h.undo(&v3).unwrap().unwrap();
        assert_eq!(back.title, "v2");
        assert_eq!(h.undo(&back).unwrap().unwrap().title, "v1");
        assert!(!h.can_undo());
        let fwd = h.redo(&v1).unwrap().unwrap();
        assert_eq!(fwd.title, "v2");
        h.record(fwd, titled(&v1, "v4"));
        assert!(!h.can_redo());
    }

    #[test]
    fn undo_refuses_to_jump_over_a_change_it_did_not_record() {
        let mut h = History::default();
        let v1 = Finding::new(FindingKind::Geolocation, "v1");
        let v2 = titled(&v1, "v2");
        h.record(v1, v2.clone());
        // Moved on the map, outside this history.
        let mut moved = v2.clone();
        moved.location = Some(crate::case::FindingLocation {
            lat: 53.0,
            lon: 34.0,
            precision_m: 10.0,
        });
        assert_eq!(h.undo(&moved), Err(Diverged));
        assert!(h.can_undo(), "a refused undo keeps the step");
        assert_eq!(h.undo(&v2).unwrap().unwrap().title, "v1");
    }
}
