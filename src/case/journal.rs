//! A save of several records is one commit: each record is first written and synced
//! under a temp name, then the list of renames is written (atomically, synced) as the
//! commit record, then the renames are done and the commit record removed. A crash
//! before the commit record leaves the case as before the save (the temp files are
//! removed on the next open); after it, the next open completes the renames, so the
//! case is as after the save. Never half of it.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::layout::{COMMIT_FILE, EVIDENCE_DIR, FINDINGS_DIR};
use super::{CaseError, store};
use crate::fsio;

/// One rename of a commit, both paths relative to the case root.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Rename {
    from: String,
    to: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Commit {
    renames: Vec<Rename>,
}

/// A record written and synced under its temp name, to be renamed by the commit.
pub(super) struct Staged {
    pub(super) temp: tempfile::TempPath,
    pub(super) path: PathBuf,
}

/// Writes the commit record for `staged` (the commit point): synced with its folder.
pub(super) fn write(root: &Path, staged: &[Staged]) -> Result<(), CaseError> {
    let relative = |p: &Path| {
        p.strip_prefix(root)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default()
    };
    let commit = Commit {
        renames: staged
            .iter()
            .map(|s| Rename {
                from: relative(&s.temp),
                to: relative(&s.path),
            })
            .collect(),
    };
    store::write_json(&root.join(COMMIT_FILE), &commit)
}

/// Removes the commit record once every rename is durable.
pub(super) fn remove(root: &Path) -> Result<(), CaseError> {
    let path = root.join(COMMIT_FILE);
    fs::remove_file(&path).map_err(|source| CaseError::Io { path, source })
}

/// Completes a save a crash interrupted after its commit point: the renames whose temp
/// file is still there are done, their folders synced, the commit record removed.
/// Returns how many were done. Called on open, holding the lock, before the records
/// are read and before leftover temp files are removed.
pub(super) fn complete_interrupted(root: &Path) -> Result<usize, CaseError> {
    let path = root.join(COMMIT_FILE);
    if !path.is_file() {
        return Ok(0);
    }
    let commit: Commit = store::read_json(&path)?;
    let mut done = 0;
    for rename in &commit.renames {
        let (from, to) = checked(root, rename).map_err(|reason| CaseError::InvalidRecord {
            path: path.clone(),
            reason,
        })?;
        if from.is_file() {
            fs::rename(&from, &to).map_err(|source| CaseError::Io {
                path: to.clone(),
                source,
            })?;
            done += 1;
        }
    }
    for dir in [
        root.to_owned(),
        root.join(EVIDENCE_DIR),
        root.join(FINDINGS_DIR),
    ] {
        if dir.is_dir() {
            fsio::sync_folder(&dir)?;
        }
    }
    remove(root)?;
    Ok(done)
}

/// A rename read from disk may only move a temp file of a case folder onto a record
/// beside it.
fn checked(root: &Path, rename: &Rename) -> Result<(PathBuf, PathBuf), String> {
    let from = store::resolve_inside(root, &rename.from).map_err(|e| e.to_string())?;
    let to = store::resolve_inside(root, &rename.to).map_err(|e| e.to_string())?;
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    if !name(&from).starts_with(".tmp-")
        || !name(&to).ends_with(".json")
        || name(&to).starts_with('.')
        || from.parent() != to.parent()
    {
        return Err(format!(
            "a commit may only rename a temp file onto a record beside it, not {} → {}",
            rename.from, rename.to
        ));
    }
    Ok((from, to))
}
