//! `Edit`: the one way to change a case. The GUI, the CLI and tests all go through
//! [`Case::apply`], so no change can bypass the audit log that [`Case::save`] appends to.
//! (Undo lives in the board's own history, `board::history`, not in `Case`.)

use super::analyst::AnalystKey;
use super::review::{BlindReview, FindingSignature, ReviewStep};
use super::{Case, CaseError, EvidenceRecord, Finding, FindingLocation};

/// A map view captured for the board: PNG bytes and what they show.
#[derive(Debug, Clone, PartialEq)]
pub struct MapSnapshot {
    pub finding: String,
    pub png: Vec<u8>,
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
    pub zoom: f64,
    /// The basemap's name and attribution.
    pub basemap: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    SetTitle(String),
    /// Records evidence whose original is already stored under `evidence/`.
    AddEvidence(Box<EvidenceRecord>),
    SetEvidenceNotes {
        id: String,
        notes: String,
    },
    /// Sets (or clears, back to the default) the camera's field of view, degrees.
    SetEvidenceFov {
        id: String,
        fov_deg: Option<f64>,
    },
    /// Flags (or unflags) an item as graphic content, shown shielded in the app.
    SetEvidenceGraphic {
        id: String,
        graphic: bool,
    },
    /// Adds one more post that carried an evidence file.
    AddEvidenceSource {
        id: String,
        source: Box<super::model::SourceRecord>,
    },
    /// Records what the background analysis of a video found (scene changes, hashes).
    SetVideoAnalysis {
        id: String,
        analysis: Box<crate::video::VideoAnalysis>,
    },
    /// Inserts a finding or replaces the one with the same id.
    PutFinding(Box<Finding>),
    RemoveFinding {
        id: String,
    },
    /// Stores a picture of the map view in the case (`snapshots/<sha256>.png`, read-only)
    /// and adds it to a finding as a panel, with the view's bounds and basemap.
    AddMapSnapshot(Box<MapSnapshot>),
    /// Replaces the case's imagery layers (order, opacity, visibility).
    SetImageryLayers(Vec<crate::imagery::ImageryLayerRef>),
    /// Replaces the case's elevation files and hillshade settings.
    SetElevation(Box<crate::terrain::ElevationLayers>),
    /// Sets (or clears) a finding's skyline fit (the traced skyline, the fitted camera,
    /// the score and the elevation files with their hashes).
    SetSkylineFit {
        id: String,
        fit: Option<Box<super::skyline_fit::SkylineFit>>,
    },
    /// Sets (or clears) a finding's candidate location.
    SetFindingLocation {
        id: String,
        location: Option<FindingLocation>,
    },
    /// Lists an analyst's public key in the case (a key listed already is refused).
    AddAnalyst(Box<AnalystKey>),
    /// Adds an author's signature (`purpose` `author`), which must hold over the
    /// finding and inputs as they are now, by a key the case lists.
    AddSignature {
        id: String,
        signature: Box<FindingSignature>,
    },
    /// Moves a finding's review state: an allowed move, signed over the finding as it is
    /// by a listed key; approval by the finding's author is refused.
    Review {
        id: String,
        step: Box<ReviewStep>,
    },
    /// Records a reviewer's blind location for a geolocation; refused when the log shows
    /// the reviewer opened the finding, or the reviewer is its author.
    AddBlindReview {
        id: String,
        review: Box<BlindReview>,
    },
    /// Records that an analyst saw a finding's answer (logged only: `finding_opened`).
    /// Blind review reads these entries.
    FindingOpened {
        id: String,
        analyst: String,
        public_key: Option<String>,
        /// Where: `cli show`, `app inspector`…
        via: String,
    },
    /// Records that a methods report of a finding was written (logged only:
    /// `report_written`, with the file's SHA-256).
    ReportWritten {
        finding: String,
        format: String,
        path: std::path::PathBuf,
        sha256: String,
    },
}

impl Case {
    /// Applies one edit to the in-memory case; [`Case::save`] persists it.
    pub fn apply(&mut self, edit: Edit) -> Result<(), CaseError> {
        self.ensure_writable()?;
        // Counted before applying: a refused edit changes nothing but costs one refresh.
        self.revision += 1;
        match edit {
            Edit::SetTitle(title) => {
                self.meta.title = title;
                self.dirty.meta = true;
            }
            Edit::SetImageryLayers(layers) => self.set_imagery_layers(layers)?,
            Edit::SetElevation(layers) => self.set_elevation(*layers)?,
            Edit::AddEvidence(record) => self.add_evidence_record(record)?,
            Edit::SetEvidenceNotes { id, notes } => self.set_evidence_notes(id, notes)?,
            Edit::SetEvidenceFov { id, fov_deg } => self.set_evidence_fov(id, fov_deg)?,
            Edit::SetEvidenceGraphic { id, graphic } => self.set_evidence_graphic(id, graphic)?,
            Edit::AddEvidenceSource { id, source } => self.add_evidence_source(id, source)?,
            Edit::SetVideoAnalysis { id, analysis } => {
                self.set_video_analysis_record(id, *analysis)?
            }
            Edit::PutFinding(finding) => self.put_finding(finding)?,
            Edit::SetFindingLocation { id, location } => self.set_finding_location(id, location)?,
            Edit::SetSkylineFit { id, fit } => self.set_skyline_fit(id, fit.map(|f| *f))?,
            Edit::AddMapSnapshot(snapshot) => self.add_map_snapshot(*snapshot)?,
            Edit::AddAnalyst(key) => self.add_analyst(*key)?,
            Edit::AddSignature { id, signature } => self.add_signature(&id, *signature)?,
            Edit::Review { id, step } => self.add_review_step(&id, *step)?,
            Edit::AddBlindReview { id, review } => self.add_blind_review(&id, *review)?,
            Edit::FindingOpened {
                id,
                analyst,
                public_key,
                via,
            } => self.log_finding_opened(id, analyst, public_key, via)?,
            Edit::ReportWritten {
                finding,
                format,
                path,
                sha256,
            } => self.log_report_written(finding, format, path, sha256)?,
            Edit::RemoveFinding { id } => self.remove_finding(id)?,
        }
        Ok(())
    }
}
