//! Taking a collection (see `crate::collect`) into the case: each post's files become
//! evidence with a source record; a file already in the case gains the post as one more
//! source; files the export did not include, paths that are not read and files that are
//! not images or videos are reported, never silently dropped. Importing the same
//! collection again adds nothing.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use super::{Case, CaseError, ImportOptions, ImportOutcome, short_hash};
use crate::collect::{self, CollectError, Collected, Item, Media};
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
    /// Files not taken in: paths not read, files that are not images or videos.
    pub not_imported: Vec<NotImported>,
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
        let collected = collect::read(path)?;
        let mut report = CollectionReport::new(&collected);
        let total = collected.items.len();
        for (done, item) in collected.items.iter().enumerate() {
            if cancel.load(Ordering::Relaxed) {
                report.cancelled = true;
                break;
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
            (Media::File(_), Some(Err(e))) => report.not_imported.push(not(e.cause.to_string())),
            (Media::File(_), Some(Ok(inspection))) => {
                let options = ImportOptions {
                    source: Some(item.source.clone()),
                    ..ImportOptions::default()
                };
                let before = self
                    .evidence
                    .get(&inspection.sha256)
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
                "cancelled": report.cancelled,
            }),
        );
        self.save()
    }
}
