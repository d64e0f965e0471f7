//! Taking a collection (see `crate::collect`) into the case: each post's files become
//! evidence with a source record; a file already in the case gains the post as one more
//! source; files the export did not include, paths that are not read and files that are
//! not images or videos are reported, never silently dropped. Importing the same
//! collection again adds nothing.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use super::collected::{CollectError, Collected, Item, Media};
use super::open;
use crate::case::{ATTACHMENTS_DIR, Case, CaseError, ImportOptions, ImportOutcome, short_hash};
use crate::evidence::{Inspection, IntakeError};

/// What an import did, item by item where it matters.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CollectionReport {
    pub kind: String,
    pub sha256: String,
    pub chats: usize,
    pub messages: usize,
    /// Evidence ids of files new to the case.
    pub added: Vec<String>,
    /// Files already in the case that gained this post as a source.
    pub sources_added: usize,
    /// Files already in the case from this very post (a re-import).
    pub unchanged: usize,
    /// Files the export says it did not include.
    pub missing: Vec<NotImported>,
    /// Files not taken in: paths not read (never read, so not kept either).
    pub not_imported: Vec<NotImported>,
    /// Files kept in the case but not analysed (not images or videos, or undecodable):
    /// stored read-only as `attachments/<sha256>.<ext>`.
    pub kept_unanalysed: Vec<KeptFile>,
    pub warnings: Vec<String>,
    pub cancelled: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NotImported {
    /// `channel #123`.
    pub post: String,
    pub path: String,
    pub reason: String,
}

/// A collected file kept by its hash without analysis, and why it was not analysed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeptFile {
    pub post: String,
    pub path: String,
    pub sha256: String,
    /// Where it is in the case, e.g. `attachments/<sha256>.pdf`.
    pub file: String,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CollectionError {
    #[error(transparent)]
    Collect(#[from] CollectError),
    #[error(transparent)]
    Case(#[from] CaseError),
}

impl CollectionReport {
    pub fn new(collected: &Collected) -> CollectionReport {
        CollectionReport {
            kind: collected.kind.to_owned(),
            sha256: collected.sha256.clone(),
            chats: collected.chats,
            messages: collected.messages,
            warnings: collected.warnings.clone(),
            ..CollectionReport::default()
        }
    }
}

impl Case {
    /// Reads and imports the collection at `path`; `progress(done, total)` hears each
    /// file, `cancel` stops between files (what was stored stays, and is reported).
    pub fn import_collection(
        &mut self,
        path: &std::path::Path,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<CollectionReport, CollectionError> {
        self.ensure_writable()?;
        let collected = open::read(path)?;
        let mut report = CollectionReport::new(&collected);
        let total = collected.items.len();
        // For each item, the evidence this very post already brought (a re-import).
        let known: Vec<Option<String>> = {
            let by_post: std::collections::HashMap<_, &str> = self
                .evidence()
                .flat_map(|r| {
                    r.sources
                        .iter()
                        .map(move |s| (s.post_key(), r.sha256.as_str()))
                })
                .collect();
            collected
                .items
                .iter()
                .map(|i| by_post.get(&i.source.post_key()).map(|s| (*s).to_owned()))
                .collect()
        };
        for (done, item) in collected.items.iter().enumerate() {
            if cancel.load(Ordering::Relaxed) {
                report.cancelled = true;
                break;
            }
            // A file this very post already brought (a re-import) is only hashed, to
            // confirm it is the same bytes; new files are hashed once, by intake.
            if let Media::File(file) = &item.media
                && let Some(sha256) = &known[done]
                && crate::evidence::sha256_file(file).is_ok_and(|h| h == *sha256)
            {
                report.unchanged += 1;
                progress(done + 1, total);
                continue;
            }
            let inspection = match &item.media {
                Media::File(file) => Some(crate::evidence::inspect_file(file)),
                _ => None,
            };
            self.store_collected(item, inspection, &mut report)?;
            progress(done + 1, total);
        }
        self.finish_collection(&report)?;
        Ok(report)
    }

    /// Stores one item of a collection (inspected elsewhere, e.g. on a worker thread).
    pub fn store_collected(
        &mut self,
        item: &Item,
        inspection: Option<Result<Inspection, IntakeError>>,
        report: &mut CollectionReport,
    ) -> Result<(), CaseError> {
        let post = item.source.title();
        let path = item.source.path_in_export.clone();
        let not = |reason: String| NotImported {
            post: post.clone(),
            path: path.clone(),
            reason,
        };
        match (&item.media, inspection) {
            (Media::Missing(reason), _) => report.missing.push(not(reason.clone())),
            (Media::Refused(reason), _) => report.not_imported.push(not(reason.clone())),
            (Media::File(_), None) => report.not_imported.push(not("not inspected".into())),
            (Media::File(file), Some(Err(e))) => {
                let (sha256, kept) = self.keep_attachment(file)?;
                report.kept_unanalysed.push(KeptFile {
                    post: post.clone(),
                    path: path.clone(),
                    sha256,
                    file: kept,
                    reason: format!("not analysed: {}", e.cause),
                });
            }
            (Media::File(_), Some(Ok(inspection))) => {
                let options = ImportOptions {
                    source: Some(item.source.clone()),
                    ..ImportOptions::default()
                };
                let before = self
                    .find_evidence(&inspection.sha256)
                    .ok()
                    .map(|r| r.sources.len());
                match self.add_inspected(inspection, &options)? {
                    ImportOutcome::Added(r) => report.added.push(r.sha256.clone()),
                    ImportOutcome::Duplicate(r) if Some(r.sources.len()) != before => {
                        report.sources_added += 1;
                    }
                    ImportOutcome::Duplicate(_) => report.unchanged += 1,
                }
            }
        }
        Ok(())
    }

    /// Stores a file that is not evidence read-only under its hash (once).
    fn keep_attachment(&self, source: &std::path::Path) -> Result<(String, String), CaseError> {
        let io = |source_err| CaseError::Io {
            path: source.to_owned(),
            source: source_err,
        };
        let sha256 = crate::evidence::sha256_file(source).map_err(io)?;
        let ext: String = source
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        let ext = if ext.is_empty() {
            "bin".to_owned()
        } else {
            ext
        };
        let file = format!("{ATTACHMENTS_DIR}/{sha256}.{ext}");
        let target = self.root().join(&file);
        if !crate::evidence::sha256_file(&target).is_ok_and(|h| h == sha256) {
            let dir = self.root().join(ATTACHMENTS_DIR);
            std::fs::create_dir_all(&dir).map_err(|source| CaseError::Io { path: dir, source })?;
            crate::case::store::copy_atomic_verified(source, &target, &sha256, true)?;
        }
        Ok((sha256, file))
    }

    /// Logs the import in the case and saves.
    pub fn finish_collection(&mut self, report: &CollectionReport) -> Result<(), CaseError> {
        self.log_event(
            "collection_imported",
            serde_json::json!({
                "kind": report.kind,
                "sha256": report.sha256,
                "chats": report.chats,
                "messages": report.messages,
                "added": report.added.iter().map(|id| short_hash(id)).collect::<Vec<_>>(),
                "sources_added": report.sources_added,
                "unchanged": report.unchanged,
                "missing": report.missing,
                "not_imported": report.not_imported,
                "kept_unanalysed": report.kept_unanalysed,
                "cancelled": report.cancelled,
            }),
        );
        self.save()
    }
}
