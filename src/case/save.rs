//! Saving a case: every changed record written through a temp file renamed into place,
//! then each folder touched synced once, then the audit log appended. A save of many
//! records (the grabs of one `frames` call) costs one sync per file and one per folder,
//! not two per file.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::folder::Case;
use super::layout::{CASE_FILE, EVIDENCE_DIR, FINDINGS_DIR};
use super::{CaseError, log, store};
use crate::fsio::{self, Access, Durability};

impl Case {
    /// Writes every changed file atomically (a crash leaves each file old or new, never
    /// half-written), syncs each folder it touched once, then appends the audit log.
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
        let mut touched = BTreeSet::new();
        let result = self.write_changed(&mut touched);
        // What was renamed into place is made durable even when a later file failed.
        for dir in &touched {
            fsio::sync_folder(dir)?;
        }
        result?;
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

    /// Writes the dirty records (synced, not their folders: those go in `touched`).
    fn write_changed(&mut self, touched: &mut BTreeSet<PathBuf>) -> Result<(), CaseError> {
        if self.dirty.meta {
            touched.insert(write_json(&self.root.join(CASE_FILE), &self.meta)?);
            self.dirty.meta = false;
        }
        while let Some(id) = self.dirty.evidence.pop_first() {
            if let Some(record) = self.evidence.get(&id) {
                let path = self.root.join(EVIDENCE_DIR).join(format!("{id}.json"));
                match write_json(&path, record) {
                    Ok(dir) => touched.insert(dir),
                    Err(e) => {
                        self.dirty.evidence.insert(id);
                        return Err(e);
                    }
                };
            }
        }
        while let Some(id) = self.dirty.findings.pop_first() {
            let path = self.root.join(FINDINGS_DIR).join(format!("{id}.json"));
            let result = match self.findings.get(&id) {
                Some(finding) => write_json(&path, finding),
                None => match fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(CaseError::Io {
                        path: path.clone(),
                        source: e,
                    }),
                    _ => Ok(self.root.join(FINDINGS_DIR)),
                },
            };
            match result {
                Ok(dir) => touched.insert(dir),
                Err(e) => {
                    self.dirty.findings.insert(id);
                    return Err(e);
                }
            };
        }
        Ok(())
    }

    /// Notes a folder where a file was renamed into place without syncing the folder
    /// (the next save syncs it before writing records).
    pub(super) fn sync_folder_later(&mut self, dir: PathBuf) {
        self.unsynced_dirs.insert(dir);
    }
}

/// Deterministic JSON (see [`store::to_json_bytes`]) written and synced, its folder not:
/// returns the folder.
fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<PathBuf, CaseError> {
    let bytes = store::to_json_bytes(value).map_err(|source| CaseError::Json {
        path: path.to_owned(),
        source,
    })?;
    Ok(fsio::write_renamed(
        path,
        &bytes,
        Access::Shared,
        Durability::FolderLater,
    )?)
}
