//! Crash recovery for work not yet committed (a label half typed, a link description
//! being written): the board writes its working copy of a finding to
//! `cache/autosave/<id>.json` every few seconds while it differs from the saved finding,
//! and deletes it once the change is saved. A draft still there when the case is opened
//! again means the app stopped before saving; the analyst is offered it.

use std::path::{Path, PathBuf};

use crate::case::{CACHE_DIR, Case, CaseError, Finding, is_valid_finding_id, store};

pub fn autosave_dir(root: &Path) -> PathBuf {
    root.join(CACHE_DIR).join("autosave")
}

fn draft_path(root: &Path, id: &str) -> PathBuf {
    autosave_dir(root).join(format!("{id}.json"))
}

/// Writes the working copy atomically (a crash mid-write leaves the previous draft).
pub fn write_draft(root: &Path, finding: &Finding) -> Result<(), CaseError> {
    if !is_valid_finding_id(&finding.id) {
        return Err(CaseError::InvalidFindingId {
            id: finding.id.clone(),
        });
    }
    let dir = autosave_dir(root);
    std::fs::create_dir_all(&dir).map_err(|source| CaseError::Io { path: dir, source })?;
    store::write_json(&draft_path(root, &finding.id), finding)
}

/// Forgets a draft (after its content was saved, or the analyst declined it).
pub fn discard_draft(root: &Path, id: &str) -> Result<(), CaseError> {
    let path = draft_path(root, id);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(CaseError::Io { path, source: e })
        }
        _ => Ok(()),
    }
}

/// A draft that differs from what the case holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub finding: Finding,
    pub written: Option<std::time::SystemTime>,
}

/// Drafts worth offering, and one error line per draft that cannot be read (those files
/// are left in place, never deleted unseen).
pub fn pending_drafts(case: &Case) -> (Vec<Draft>, Vec<String>) {
    let dir = autosave_dir(case.root());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (Vec::new(), Vec::new());
    };
    let mut drafts = Vec::new();
    let mut errors = Vec::new();
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        match store::read_json::<Finding>(&path) {
            Ok(finding) => {
                let unchanged = case
                    .finding(&finding.id)
                    .is_ok_and(|saved| *saved == finding);
                if unchanged {
                    let _ = std::fs::remove_file(&path);
                } else {
                    let written = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
                    drafts.push(Draft { finding, written });
                }
            }
            Err(e) => errors.push(format!("unreadable autosave: {e}")),
        }
    }
    (drafts, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Edit, FindingKind};

    #[test]
    fn a_draft_that_differs_is_offered_and_an_identical_one_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("case");
        let mut case = Case::create(&root, "t").unwrap();
        let finding = Finding::new(FindingKind::Comparison, "saved");
        case.apply(Edit::PutFinding(Box::new(finding.clone())))
            .unwrap();
        case.save().unwrap();

        let mut typed = finding.clone();
        typed.notes = "half-typed note".into();
        write_draft(&root, &typed).unwrap();
        let (drafts, errors) = pending_drafts(&case);
        assert!(errors.is_empty());
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0].finding.notes, "half-typed note");

        write_draft(&root, &finding).unwrap();
        let (drafts, _) = pending_drafts(&case);
        assert!(drafts.is_empty());
        assert!(!draft_path(&root, &finding.id).exists());

        std::fs::write(draft_path(&root, "F-bad"), b"{not json").unwrap();
        let (_, errors) = pending_drafts(&case);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("F-bad.json"), "{}", errors[0]);
        assert!(draft_path(&root, "F-bad").exists());
    }
}
