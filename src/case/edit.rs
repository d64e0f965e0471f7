//! `Edit`: the one way to change a case. The GUI, the CLI and tests all go through
//! [`Case::apply`], so no change can bypass the audit log that [`Case::save`] appends to.
//! (Undo lives in the board's own history, `board::history`, not in `Case`.)

use super::analyst::AnalystKey;
use super::comparison::PanelSource;
use super::invalid::Invalid;
use super::review::{BlindReview, FindingSignature, ReviewStep};
use super::{
    Case, CaseError, EVIDENCE_DIR, EvidenceRecord, FINDINGS_DIR, Finding, FindingLocation,
    SNAPSHOTS_DIR, is_valid_finding_id, short_hash, store,
};

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
            Edit::SetImageryLayers(layers) => {
                for layer in &layers {
                    layer.check().map_err(|e| CaseError::InvalidValue {
                        what: "imagery layer".into(),
                        reason: e.into(),
                    })?;
                }
                self.log_event(
                    "imagery_layers_set",
                    serde_json::json!({ "layers": layers }),
                );
                self.meta.imagery_layers = layers;
                self.dirty.meta = true;
            }
            Edit::AddEvidence(record) => {
                record.check().map_err(|reason| CaseError::InvalidValue {
                    what: format!("evidence record {}", record.sha256),
                    reason,
                })?;
                let id = record.sha256.clone();
                self.ensure_not_damaged(&format!("{EVIDENCE_DIR}/{id}.json"))?;
                self.log_event(
                    "evidence_added",
                    serde_json::json!({
                        "sha256": id,
                        "original_name": record.original_name,
                        "source_url": record.source_url,
                    }),
                );
                self.evidence.insert(id.clone(), *record);
                self.dirty.evidence.insert(id);
            }
            Edit::SetEvidenceNotes { id, notes } => {
                let id = self.find_evidence(&id)?.sha256.clone();
                if let Some(record) = self.evidence.get_mut(&id) {
                    record.notes = notes;
                }
                self.dirty.evidence.insert(id);
            }
            Edit::SetEvidenceFov { id, fov_deg } => {
                if let Some(fov) = fov_deg.filter(|f| !(f.is_finite() && *f > 0.0 && *f <= 360.0)) {
                    return Err(CaseError::InvalidValue {
                        what: "field of view".into(),
                        reason: Invalid::rule(
                            "field of view",
                            format!("{fov}° is not between 0 and 360"),
                        ),
                    });
                }
                let id = self.find_evidence(&id)?.sha256.clone();
                if let Some(record) = self.evidence.get_mut(&id) {
                    record.fov_deg = fov_deg;
                }
                self.log_event(
                    "evidence_fov_set",
                    serde_json::json!({ "sha256": id, "fov_deg": fov_deg }),
                );
                self.dirty.evidence.insert(id);
            }
            Edit::SetEvidenceGraphic { id, graphic } => {
                let id = self.find_evidence(&id)?.sha256.clone();
                self.ensure_not_damaged(&format!("{EVIDENCE_DIR}/{id}.json"))?;
                if let Some(record) = self.evidence.get_mut(&id) {
                    record.graphic = graphic;
                }
                self.log_event(
                    "evidence_graphic_set",
                    serde_json::json!({ "sha256": id, "graphic": graphic }),
                );
                self.dirty.evidence.insert(id);
            }
            Edit::AddEvidenceSource { id, source } => {
                let id = self.find_evidence(&id)?.sha256.clone();
                self.ensure_not_damaged(&format!("{EVIDENCE_DIR}/{id}.json"))?;
                let Some(mut record) = self.evidence.get(&id).cloned() else {
                    return Ok(());
                };
                record.sources.push(*source);
                record.check().map_err(|reason| CaseError::InvalidValue {
                    what: format!("source of {}", short_hash(&id)),
                    reason,
                })?;
                self.evidence.insert(id.clone(), record);
                self.dirty.evidence.insert(id);
            }
            Edit::SetVideoAnalysis { id, analysis } => {
                let id = self.find_evidence(&id)?.sha256.clone();
                self.ensure_not_damaged(&format!("{EVIDENCE_DIR}/{id}.json"))?;
                let Some(mut record) = self.evidence.get(&id).cloned() else {
                    return Ok(());
                };
                let Some(video) = record.video.as_mut() else {
                    return Err(CaseError::InvalidValue {
                        what: format!("evidence {}", short_hash(&id)),
                        reason: Invalid::rule("kind", "is not a video"),
                    });
                };
                video.analysis = Some(*analysis);
                record.check().map_err(|reason| CaseError::InvalidValue {
                    what: format!("video analysis of {}", short_hash(&id)),
                    reason,
                })?;
                self.log_event(
                    "video_analysed",
                    serde_json::json!({
                        "sha256": id,
                        "scenes": video_scene_count(&record),
                    }),
                );
                self.evidence.insert(id.clone(), record);
                self.dirty.evidence.insert(id);
            }
            Edit::PutFinding(finding) => {
                if !is_valid_finding_id(&finding.id) {
                    return Err(CaseError::InvalidFindingId { id: finding.id });
                }
                self.ensure_not_damaged(&format!("{FINDINGS_DIR}/{}.json", finding.id))?;
                self.check_finding(&finding)
                    .map_err(|reason| CaseError::InvalidValue {
                        what: format!("finding {}", finding.id),
                        reason,
                    })?;
                let id = finding.id.clone();
                let mut finding = *finding;
                // The review record changes only through the review edits.
                finding.review = match self.findings.get(&id) {
                    Some(stored) => stored.review.clone(),
                    None => Default::default(),
                };
                self.log_event("finding_saved", serde_json::json!({ "id": id }));
                self.reset_review_if_changed(&mut finding);
                self.findings.insert(id.clone(), finding);
                self.dirty.findings.insert(id);
            }
            Edit::SetFindingLocation { id, location } => {
                let finding =
                    self.findings
                        .get_mut(&id)
                        .ok_or_else(|| CaseError::UnknownFinding {
                            case: self.root.clone(),
                            id: id.clone(),
                        })?;
                let mut changed = finding.clone();
                changed.location = location;
                if location.is_some() {
                    changed.check().map_err(|reason| CaseError::InvalidValue {
                        what: format!("location of {id}"),
                        reason,
                    })?;
                }
                changed.updated = chrono::Utc::now();
                self.log_event(
                    "finding_located",
                    serde_json::json!({ "id": id, "location": location }),
                );
                self.reset_review_if_changed(&mut changed);
                self.findings.insert(id.clone(), changed);
                self.dirty.findings.insert(id);
            }
            Edit::AddMapSnapshot(snapshot) => {
                let finding = self.finding(&snapshot.finding)?.clone();
                let bounds_ok = [snapshot.west, snapshot.south, snapshot.east, snapshot.north]
                    .iter()
                    .all(|v| v.is_finite())
                    && snapshot.south < snapshot.north
                    && (-90.0..=90.0).contains(&snapshot.south)
                    && (-90.0..=90.0).contains(&snapshot.north);
                if !bounds_ok || !snapshot.png.starts_with(b"\x89PNG\r\n\x1a\n") {
                    return Err(CaseError::InvalidValue {
                        what: "map snapshot".into(),
                        reason: Invalid::rule(
                            "map snapshot",
                            "not a PNG with valid geographic bounds",
                        ),
                    });
                }
                let sha256 = crate::evidence::sha256_hex(&snapshot.png);
                let file = format!("{SNAPSHOTS_DIR}/{sha256}.png");
                let path = self.root.join(&file);
                if !path.exists() {
                    let dir = self.root.join(SNAPSHOTS_DIR);
                    std::fs::create_dir_all(&dir)
                        .map_err(|source| CaseError::Io { path: dir, source })?;
                    store::write_atomic(&path, &snapshot.png, true)?;
                }
                let mut finding = finding;
                let panel = finding.add_panel(PanelSource::MapSnapshot {
                    file: file.clone(),
                    sha256: sha256.clone(),
                    west: snapshot.west,
                    south: snapshot.south,
                    east: snapshot.east,
                    north: snapshot.north,
                    zoom: snapshot.zoom,
                    basemap: snapshot.basemap.clone(),
                    taken_at: chrono::Utc::now(),
                });
                finding.updated = chrono::Utc::now();
                self.log_event(
                    "map_snapshot_added",
                    serde_json::json!({
                        "finding": finding.id, "panel": panel, "file": file, "sha256": sha256,
                        "bounds": [snapshot.west, snapshot.south, snapshot.east, snapshot.north],
                        "zoom": snapshot.zoom, "basemap": snapshot.basemap,
                    }),
                );
                let id = finding.id.clone();
                self.reset_review_if_changed(&mut finding);
                self.findings.insert(id.clone(), finding);
                self.dirty.findings.insert(id);
            }
            Edit::AddAnalyst(key) => self.add_analyst(*key)?,
            Edit::AddSignature { id, signature } => self.add_signature(&id, *signature)?,
            Edit::Review { id, step } => self.add_review_step(&id, *step)?,
            Edit::AddBlindReview { id, review } => self.add_blind_review(&id, *review)?,
            Edit::FindingOpened {
                id,
                analyst,
                public_key,
                via,
            } => {
                self.finding(&id)?;
                self.log_event(
                    "finding_opened",
                    serde_json::json!({
                        "id": id, "analyst": analyst, "public_key": public_key, "via": via,
                    }),
                );
            }
            Edit::ReportWritten {
                finding,
                format,
                path,
                sha256,
            } => {
                self.finding(&finding)?;
                self.log_event(
                    "report_written",
                    serde_json::json!({
                        "finding": finding, "format": format, "path": path, "sha256": sha256,
                    }),
                );
            }
            Edit::RemoveFinding { id } => {
                self.finding(&id)?;
                self.findings.remove(&id);
                self.log_event("finding_removed", serde_json::json!({ "id": id }));
                self.dirty.findings.insert(id);
            }
        }
        Ok(())
    }
}

fn video_scene_count(record: &EvidenceRecord) -> usize {
    record
        .video
        .as_ref()
        .and_then(|v| v.analysis.as_ref())
        .map_or(0, |a| a.scenes.len())
}
