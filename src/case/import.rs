//! Taking a file into a case: inspect it, store the original bytes read-only under
//! their hash, cache a preview, and record it through [`Edit::AddEvidence`].

use std::io::Cursor;
use std::path::Path;

use super::{
    CACHE_DIR, Case, CaseError, EVIDENCE_DIR, Edit, EvidenceKind, EvidenceRecord, Extra, store,
};
use crate::evidence::staged::StagedCopy;
use crate::evidence::{self, Inspection, IntakeError, Original};

/// What the analyst tells us about where a file came from.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub source_url: Option<String>,
    pub note: Option<String>,
    /// For a frame grab: the video frame it is.
    pub derived_from: Option<super::model::DerivedFrom>,
    /// Flag the item as graphic (a grab of a graphic video is graphic too).
    pub graphic: bool,
    /// The post the file came from (a collection import); added to an existing item's
    /// sources when the same bytes are already in the case.
    pub source: Option<super::model::SourceRecord>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ImportOutcome {
    Added(Box<EvidenceRecord>),
    /// The same bytes are already in the case; nothing was written.
    Duplicate(Box<EvidenceRecord>),
}

impl ImportOutcome {
    pub fn record(&self) -> &EvidenceRecord {
        match self {
            ImportOutcome::Added(r) | ImportOutcome::Duplicate(r) => r,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Intake(#[from] IntakeError),
    #[error(transparent)]
    Case(#[from] CaseError),
}

impl Case {
    /// Imports one file and saves the case. The source file is only read, once: its copy
    /// is written while it is inspected (see [`evidence::staged::inspect_and_stage`]).
    pub fn import(
        &mut self,
        path: &Path,
        options: &ImportOptions,
    ) -> Result<ImportOutcome, ImportError> {
        self.ensure_writable()?;
        let (inspection, staged) =
            evidence::staged::inspect_and_stage(path, &self.root.join(EVIDENCE_DIR))?;
        let outcome = self.add_checked(inspection, Some(staged), options)?;
        self.save()?;
        Ok(outcome)
    }

    /// Stores a file already inspected (possibly on another thread) and saves the case.
    pub fn add_inspected(
        &mut self,
        inspection: Inspection,
        options: &ImportOptions,
    ) -> Result<ImportOutcome, CaseError> {
        let outcome = self.add_checked(inspection, None, options)?;
        self.save()?;
        Ok(outcome)
    }

    /// [`Case::add_inspected`] without the save: the original is stored (its bytes
    /// synced), the record applied; the caller saves, once for many items.
    pub(super) fn add_unsaved(
        &mut self,
        inspection: Inspection,
        options: &ImportOptions,
    ) -> Result<ImportOutcome, CaseError> {
        self.add_checked(inspection, None, options)
    }

    /// [`Case::add_inspected`], with the copy already written when `staged` is given;
    /// not saved.
    fn add_checked(
        &mut self,
        inspection: Inspection,
        staged: Option<StagedCopy>,
        options: &ImportOptions,
    ) -> Result<ImportOutcome, CaseError> {
        self.ensure_writable()?;
        if let Some(existing) = self.evidence.get(&inspection.sha256) {
            let mut existing = existing.clone();
            if let Some(source) = &options.source
                && !existing.sources.iter().any(|s| s.same_post(source))
            {
                self.apply(Edit::AddEvidenceSource {
                    id: existing.sha256.clone(),
                    source: Box::new(source.clone()),
                })?;
                existing.sources.push(source.clone());
            }
            return Ok(ImportOutcome::Duplicate(Box::new(existing)));
        }
        let mut record = self.store_original(inspection, staged, options)?;
        let near = super::similar_to(&record, self.evidence(), super::NEAR_DUPLICATE_MAX_DISTANCE);
        // A grab resembles its own video and the other grabs of it: no news.
        let family = record.derived_from.as_ref().map(|d| d.sha256.clone());
        let same_family = |id: &str| {
            family.as_deref().is_some_and(|video| {
                id == video
                    || self
                        .evidence
                        .get(id)
                        .and_then(|r| r.derived_from.as_ref())
                        .is_some_and(|d| d.sha256 == video)
            })
        };
        for s in near.into_iter().filter(|s| !same_family(&s.sha256)) {
            let theirs = self
                .evidence
                .get(&s.sha256)
                .map_or(EvidenceKind::Photo, EvidenceRecord::kind);
            let what = match (record.kind(), theirs) {
                (EvidenceKind::Video, EvidenceKind::Video) => {
                    "the same clip re-posted or re-encoded?"
                }
                (EvidenceKind::Photo, EvidenceKind::Video) => "a frame of that video?",
                (EvidenceKind::Video, EvidenceKind::Photo) => {
                    "that still is a frame of this video?"
                }
                (EvidenceKind::Photo, EvidenceKind::Photo) => {
                    "the same picture re-posted, re-encoded or resized?"
                }
            };
            record.warnings.push(format!(
                "near duplicate of {} ({}): perceptual-hash distance {}/{} ({what})",
                super::short_hash(&s.sha256),
                s.original_name,
                s.distance,
                crate::evidence::PerceptualHash::BITS
            ));
        }
        self.apply(Edit::AddEvidence(Box::new(record.clone())))?;
        Ok(ImportOutcome::Added(Box::new(record)))
    }

    fn store_original(
        &mut self,
        inspection: Inspection,
        staged: Option<StagedCopy>,
        options: &ImportOptions,
    ) -> Result<EvidenceRecord, CaseError> {
        let file = format!(
            "{EVIDENCE_DIR}/{}.{}",
            inspection.sha256,
            inspection.media_type.extension()
        );
        let target = self.root.join(&file);
        // An original left by an interrupted import is reused only if it is intact.
        let intact = evidence::sha256_file(&target).is_ok_and(|h| h == inspection.sha256);
        if !intact {
            match (&inspection.original, staged) {
                // The copy holds exactly the bytes hashed into `inspection.sha256`.
                (_, Some(staged)) if staged.sha256() == inspection.sha256 => {
                    staged.persist(&target, crate::fsio::Access::ReadOnly)?;
                }
                (Original::Bytes(bytes), _) => {
                    let dir = crate::fsio::write_renamed(
                        &target,
                        bytes,
                        crate::fsio::Access::ReadOnly,
                        crate::fsio::Durability::FolderLater,
                    )?;
                    self.sync_folder_later(dir);
                }
                (Original::File { path, .. }, _) => {
                    store::copy_atomic_verified(path, &target, &inspection.sha256, true)?;
                }
            }
        }
        self.cache_thumbnail(&inspection);
        Ok(EvidenceRecord {
            sha256: inspection.sha256,
            file,
            original_name: inspection.original_name,
            size_bytes: inspection.original.size_bytes(),
            media_type: inspection.media_type.mime().to_owned(),
            width: inspection.width,
            height: inspection.height,
            exif: inspection.exif,
            perceptual_hash: Some(inspection.perceptual_hash),
            source_url: options.source_url.clone(),
            acquired_at: chrono::Utc::now(),
            notes: options.note.clone().unwrap_or_default(),
            fov_deg: None,
            warnings: inspection.warnings,
            video: inspection.video,
            derived_from: options.derived_from.clone(),
            graphic: options.graphic,
            sources: options.source.iter().cloned().collect(),
            content_credentials: Some(inspection.credentials),
            extra: Extra::new(),
        })
    }

    /// The preview is a cache: failing to write it must not fail the import.
    fn cache_thumbnail(&self, inspection: &Inspection) {
        let path = self.thumbnail_path(&inspection.sha256);
        let result = std::fs::create_dir_all(self.root.join(CACHE_DIR).join("thumbnails"))
            .map_err(|e| e.to_string())
            .and_then(|()| {
                let mut png = Vec::new();
                inspection
                    .thumbnail
                    .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
                    .map_err(|e| e.to_string())?;
                // A cache: rebuilt from the original when unreadable, so not synced.
                crate::fsio::write_renamed(
                    &path,
                    &png,
                    crate::fsio::Access::Shared,
                    crate::fsio::Durability::None,
                )
                .map_err(|e| e.to_string())
            });
        if let Err(e) = result {
            log::warn!("{}: thumbnail not cached: {e}", path.display());
        }
    }
}
