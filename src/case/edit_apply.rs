//! How each [`Edit`](super::Edit) changes the case: one method per kind of edit, called
//! from [`Case::apply`] (which counts the revision and refuses read-only cases first).

use super::comparison::PanelSource;
use super::edit::MapSnapshot;
use super::invalid::Invalid;
use super::model::SourceRecord;
use super::{
    Case, CaseError, EVIDENCE_DIR, EvidenceRecord, FINDINGS_DIR, Finding, FindingLocation,
    SNAPSHOTS_DIR, is_valid_finding_id, short_hash, store,
};

impl Case {
    /// Replaces the case's imagery layers, each checked first.
    pub(super) fn set_imagery_layers(
        &mut self,
        layers: Vec<crate::imagery::ImageryLayerRef>,
    ) -> Result<(), CaseError> {
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
        Ok(())
    }

    /// Replaces the case's elevation files and hillshade settings, checked first.
    pub(super) fn set_elevation(
        &mut self,
        layers: crate::terrain::ElevationLayers,
    ) -> Result<(), CaseError> {
        layers.check().map_err(|e| CaseError::InvalidValue {
            what: "elevation".into(),
            reason: Invalid::rule("elevation", e.to_string()),
        })?;
        self.log_event("elevation_set", serde_json::json!({ "elevation": layers }));
        self.meta.elevation = layers;
        self.dirty.meta = true;
        Ok(())
    }

    /// Records a checked evidence item whose original is stored already.
    pub(super) fn add_evidence_record(
        &mut self,
        record: Box<EvidenceRecord>,
    ) -> Result<(), CaseError> {
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
        Ok(())
    }

    /// Replaces an item's notes.
    pub(super) fn set_evidence_notes(
        &mut self,
        id: String,
        notes: String,
    ) -> Result<(), CaseError> {
        let id = self.find_evidence(&id)?.sha256.clone();
        if let Some(record) = self.evidence.get_mut(&id) {
            record.notes = notes;
        }
        self.dirty.evidence.insert(id);
        Ok(())
    }

    /// Sets (or clears) an item's field of view, within 0–360°.
    pub(super) fn set_evidence_fov(
        &mut self,
        id: String,
        fov_deg: Option<f64>,
    ) -> Result<(), CaseError> {
        if let Some(fov) = fov_deg.filter(|f| !(f.is_finite() && *f > 0.0 && *f <= 360.0)) {
            return Err(CaseError::InvalidValue {
                what: "field of view".into(),
                reason: Invalid::rule("field of view", format!("{fov}° is not between 0 and 360")),
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
        Ok(())
    }

    /// Flags (or unflags) an item as graphic content.
    pub(super) fn set_evidence_graphic(
        &mut self,
        id: String,
        graphic: bool,
    ) -> Result<(), CaseError> {
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
        Ok(())
    }

    /// Adds one more post that carried an item, the record checked again.
    pub(super) fn add_evidence_source(
        &mut self,
        id: String,
        source: Box<SourceRecord>,
    ) -> Result<(), CaseError> {
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
        Ok(())
    }

    /// Records what the background analysis of a video found.
    pub(super) fn set_video_analysis_record(
        &mut self,
        id: String,
        analysis: crate::video::VideoAnalysis,
    ) -> Result<(), CaseError> {
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
        video.analysis = Some(analysis);
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
        Ok(())
    }

    /// Inserts or replaces a finding; its review record changes only through the review edits.
    pub(super) fn put_finding(&mut self, finding: Box<Finding>) -> Result<(), CaseError> {
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
        Ok(())
    }

    /// Sets (or clears) a finding's candidate location.
    pub(super) fn set_finding_location(
        &mut self,
        id: String,
        location: Option<FindingLocation>,
    ) -> Result<(), CaseError> {
        let finding = self
            .findings
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
        Ok(())
    }

    /// Sets (or clears) a finding's skyline fit, checked first; its frame must be
    /// evidence in the case.
    pub(super) fn set_skyline_fit(
        &mut self,
        id: String,
        fit: Option<super::skyline_fit::SkylineFit>,
    ) -> Result<(), CaseError> {
        let mut changed = self.finding(&id)?.clone();
        if let Some(f) = &fit {
            f.check().map_err(|reason| CaseError::InvalidValue {
                what: format!("skyline fit of {id}"),
                reason,
            })?;
            self.find_evidence(&f.evidence)?;
        }
        self.log_event(
            "skyline_fit_set",
            serde_json::json!({
                "id": id,
                "evidence": fit.as_ref().map(|f| &f.evidence),
                "score_deg": fit.as_ref().map(|f| f.score.mean_deg),
                "dem": fit.as_ref().map(|f| &f.dem),
            }),
        );
        changed.skyline_fit = fit;
        changed.updated = chrono::Utc::now();
        self.reset_review_if_changed(&mut changed);
        self.findings.insert(id.clone(), changed);
        self.dirty.findings.insert(id);
        Ok(())
    }

    /// Stores a map snapshot's PNG and adds it to its finding as a panel.
    pub(super) fn add_map_snapshot(&mut self, snapshot: MapSnapshot) -> Result<(), CaseError> {
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
                reason: Invalid::rule("map snapshot", "not a PNG with valid geographic bounds"),
            });
        }
        let sha256 = crate::evidence::sha256_hex(&snapshot.png);
        let file = format!("{SNAPSHOTS_DIR}/{sha256}.png");
        let path = self.root.join(&file);
        if !path.exists() {
            let dir = self.root.join(SNAPSHOTS_DIR);
            std::fs::create_dir_all(&dir).map_err(|source| CaseError::Io { path: dir, source })?;
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
        Ok(())
    }

    /// Logs that an analyst saw a finding's answer.
    pub(super) fn log_finding_opened(
        &mut self,
        id: String,
        analyst: String,
        public_key: Option<String>,
        via: String,
    ) -> Result<(), CaseError> {
        self.finding(&id)?;
        self.log_event(
            "finding_opened",
            serde_json::json!({
                "id": id, "analyst": analyst, "public_key": public_key, "via": via,
            }),
        );
        Ok(())
    }

    /// Logs a methods report written of a finding, with the file's SHA-256.
    pub(super) fn log_report_written(
        &mut self,
        finding: String,
        format: String,
        path: std::path::PathBuf,
        sha256: String,
    ) -> Result<(), CaseError> {
        self.finding(&finding)?;
        self.log_event(
            "report_written",
            serde_json::json!({
                "finding": finding, "format": format, "path": path, "sha256": sha256,
            }),
        );
        Ok(())
    }

    /// Removes a finding (logged).
    pub(super) fn remove_finding(&mut self, id: String) -> Result<(), CaseError> {
        self.finding(&id)?;
        self.findings.remove(&id);
        self.log_event("finding_removed", serde_json::json!({ "id": id }));
        self.dirty.findings.insert(id);
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
