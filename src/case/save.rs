//! Saving a case: every changed record written and synced under a temp name, then
//! renamed into place, each folder synced once, then the audit log appended. A save of
//! several records is one commit (see [`super::journal`]): the case on disk is as before
//! or as after it, never half of it. A save of many records (the grabs of one `frames`
//! call) costs one sync per file and a few per save, not two per file.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::folder::Case;
use super::journal::{self, Staged};
use super::layout::{CASE_FILE, EVIDENCE_DIR, FINDINGS_DIR};
use super::{CaseError, log, store};
use crate::fsio::{self, Access};

impl Case {
    /// Writes every changed file (a crash leaves each file old or new, never
    /// half-written, and several files all old or all new), then appends the audit log.
    /// Originals stored since the last save have their folder synced first, so no
    /// record ever names a file the disk does not hold.
    pub fn save(&mut self) -> Result<(), CaseError> {
        self.ensure_writable()?;
        while let Some(dir) = self.unsynced_dirs.pop_first() {
            if let Err(e) = fsio::sync_folder(&dir) {
                self.unsynced_dirs.insert(dir);
                return Err(e.into());
            }
        }
        let wrote = self.is_dirty() || !self.pending_log.is_empty();
        let mut staged = Vec::new();
        let mut removed = Vec::new();
        self.stage_changed(&mut staged, &mut removed)?;
        let folders: BTreeSet<PathBuf> = staged
            .iter()
            .filter_map(|s| s.path.parent().map(Path::to_owned))
            .chain(
                removed
                    .iter()
                    .filter_map(|p| p.parent().map(Path::to_owned)),
            )
            .collect();
        let committed = staged.len() > 1;
        if committed {
            // The temp files' names must be on disk before the commit names them.
            for dir in &folders {
                fsio::sync_folder(dir)?;
            }
            journal::write(&self.root, &staged)?;
        }
        if committed {
            // Past the commit point every temp file is kept whatever happens: the next
            // open completes the renames left undone.
            let mut kept = Vec::with_capacity(staged.len());
            for Staged { temp, path } in staged {
                kept.push((temp.keep().map_err(|e| io_err(&path, e.error))?, path));
            }
            for (temp, path) in kept {
                fs::rename(&temp, &path).map_err(|e| io_err(&path, e))?;
            }
        } else {
            for Staged { temp, path } in staged {
                temp.persist(&path).map_err(|e| io_err(&path, e.error))?;
            }
        }
        for path in &removed {
            match fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(CaseError::Io {
                        path: path.clone(),
                        source: e,
                    });
                }
                _ => {}
            }
        }
        for dir in &folders {
            fsio::sync_folder(dir)?;
        }
        if committed {
            journal::remove(&self.root)?;
        }
        log::append(&self.root, &self.pending_log)?;
        self.pending_log.clear();
        if wrote {
            self.saves += 1;
        }
        Ok(())
    }

    /// How many saves of this `Case` wrote something (each one durable commit: its
    /// files, their folders, then its log lines).
    pub fn saves(&self) -> u64 {
        self.saves
    }

    /// Writes each dirty record under a temp name (synced), and lists the findings'
    /// files to remove. A failure leaves the records dirty and nothing renamed.
    fn stage_changed(
        &mut self,
        staged: &mut Vec<Staged>,
        removed: &mut Vec<PathBuf>,
    ) -> Result<(), CaseError> {
        if self.dirty.meta {
            staged.push(stage_json(&self.root.join(CASE_FILE), &self.meta)?);
        }
        for id in &self.dirty.evidence {
            if let Some(record) = self.evidence.get(id) {
                let path = self.root.join(EVIDENCE_DIR).join(format!("{id}.json"));
                staged.push(stage_json(&path, record)?);
            }
        }
        for id in &self.dirty.findings {
            let path = self.root.join(FINDINGS_DIR).join(format!("{id}.json"));
            match self.findings.get(id) {
                Some(finding) => staged.push(stage_json(&path, finding)?),
                None => removed.push(path),
            }
        }
        self.dirty.meta = false;
        self.dirty.evidence.clear();
        self.dirty.findings.clear();
        Ok(())
    }

    /// Notes a folder where a file was renamed into place without syncing the folder
    /// (the next save syncs it before writing records).
    pub(super) fn sync_folder_later(&mut self, dir: PathBuf) {
        self.unsynced_dirs.insert(dir);
    }
}

fn io_err(path: &Path, source: std::io::Error) -> CaseError {
    CaseError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Deterministic JSON (see [`store::to_json_bytes`]) written and synced under a temp
/// name beside `path`.
fn stage_json<T: Serialize>(path: &Path, value: &T) -> Result<Staged, CaseError> {
    let bytes = store::to_json_bytes(value).map_err(|source| CaseError::Json {
        path: path.to_owned(),
        source,
    })?;
    Ok(Staged {
        temp: fsio::stage(path, &bytes, Access::Shared)?,
        path: path.to_owned(),
    })
}
