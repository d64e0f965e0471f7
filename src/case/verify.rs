//! Integrity check: every original still hashes to its recorded SHA-256, nothing is
//! missing, and nothing unexplained sits in `evidence/`.

use std::collections::BTreeSet;
use std::fs;

use serde::Serialize;

use super::comparison::PanelSource;
use super::{Case, CaseError, DamagedRecord, EVIDENCE_DIR, is_sha256_hex};
use crate::evidence::sha256_file;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlteredFile {
    pub id: String,
    pub file: String,
    pub actual_sha256: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Ids whose original is present and hashes correctly.
    pub intact: Vec<String>,
    /// Records whose original file is gone (`file` paths).
    pub missing: Vec<String>,
    pub altered: Vec<AlteredFile>,
    /// Files in `evidence/` that no record accounts for (paths relative to the case).
    pub unexpected: Vec<String>,
    /// Record files that failed validation when the case was opened.
    pub damaged: Vec<DamagedRecord>,
    /// Originals stored under their own hash whose record was never written (an intake
    /// interrupted between the two writes): not evidence of the case yet, and not a
    /// fault; adding the file again completes the intake.
    pub unrecorded: Vec<String>,
    /// Frame grabs whose video is not in the case, or whose video's original is missing
    /// or altered: their provenance can no longer be shown.
    pub orphaned_frames: Vec<OrphanedFrame>,
}

/// A frame grab whose source video cannot vouch for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrphanedFrame {
    pub id: String,
    pub video_sha256: String,
    pub reason: String,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.missing.is_empty()
            && self.altered.is_empty()
            && self.unexpected.is_empty()
            && self.damaged.is_empty()
            && self.orphaned_frames.is_empty()
    }
}

impl Case {
    /// Map snapshots shown by findings are content-addressed like originals: each must
    /// still hash to the SHA-256 its panel records.
    /// Collected files kept without analysis are named by their hash: check they still
    /// match it (links are not followed).
    fn verify_attachments(&self, report: &mut VerifyReport) -> Result<(), CaseError> {
        let dir = self.root.join(super::ATTACHMENTS_DIR);
        let Ok(entries) = fs::read_dir(&dir) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".tmp-") {
                continue;
            }
            let stem = name.split('.').next().unwrap_or_default().to_owned();
            let file = format!("{}/{name}", super::ATTACHMENTS_DIR);
            if !entry.file_type().is_ok_and(|t| t.is_file()) || !is_sha256_hex(&stem) {
                report.unexpected.push(file);
                continue;
            }
            match sha256_file(&entry.path()) {
                Ok(hash) if hash == stem => report.intact.push(stem),
                Ok(hash) => report.altered.push(AlteredFile {
                    id: stem,
                    file,
                    actual_sha256: hash,
                }),
                Err(source) => {
                    return Err(CaseError::Io {
                        path: entry.path(),
                        source,
                    });
                }
            }
        }
        Ok(())
    }

    fn verify_snapshots(&self, report: &mut VerifyReport) -> Result<(), CaseError> {
        let mut seen = BTreeSet::new();
        for finding in self.findings.values() {
            for panel in &finding.panels {
                let PanelSource::MapSnapshot { file, sha256, .. } = &panel.source else {
                    continue;
                };
                if !seen.insert(file.clone()) {
                    continue;
                }
                // A path leading outside the case cannot be the stored snapshot.
                let Ok(path) = self.panel_file(&panel.source).map(|p| p.path) else {
                    report.missing.push(file.clone());
                    continue;
                };
                match sha256_file(&path) {
                    Ok(hash) if hash == *sha256 => report.intact.push(sha256.clone()),
                    Ok(hash) => report.altered.push(AlteredFile {
                        id: sha256.clone(),
                        file: file.clone(),
                        actual_sha256: hash,
                    }),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        report.missing.push(file.clone())
                    }
                    Err(source) => return Err(CaseError::Io { path, source }),
                }
            }
        }
        Ok(())
    }

    /// Every frame grab's video must be evidence of this case, present and intact
    /// (checked after the originals were re-hashed, so their verdicts are reused).
    fn verify_frame_sources(&self, report: &mut VerifyReport) {
        for record in self.evidence.values() {
            let Some(derived) = &record.derived_from else {
                continue;
            };
            let video = self.evidence.get(&derived.sha256);
            let reason = match video {
                None => Some("its video is not evidence of this case".to_owned()),
                Some(v) if report.missing.contains(&v.file) => {
                    Some(format!("its video {} is missing", v.file))
                }
                Some(v) if report.altered.iter().any(|a| a.id == v.sha256) => {
                    Some(format!("its video {} is altered", v.file))
                }
                Some(_) => None,
            };
            if let Some(reason) = reason {
                report.orphaned_frames.push(OrphanedFrame {
                    id: record.sha256.clone(),
                    video_sha256: derived.sha256.clone(),
                    reason,
                });
            }
        }
    }

    /// Re-hashes every original. Reads only inside the case folder.
    pub fn verify(&self) -> Result<VerifyReport, CaseError> {
        let mut report = VerifyReport {
            damaged: self.damaged.clone(),
            ..VerifyReport::default()
        };
        let mut accounted = BTreeSet::new();
        // A damaged record and its original are reported as damaged, not as unexpected.
        let damaged_stems: BTreeSet<String> = self
            .damaged
            .iter()
            .filter_map(|d| d.file.strip_prefix(&format!("{EVIDENCE_DIR}/")))
            .filter_map(|name| name.strip_suffix(".json"))
            .map(str::to_owned)
            .collect();
        for record in self.evidence.values() {
            // Record paths were checked to stay inside the case when it was loaded.
            let path = self.root.join(&record.file);
            accounted.insert(format!("{}.json", record.sha256));
            if let Some(name) = path.file_name() {
                accounted.insert(name.to_string_lossy().into_owned());
            }
            match sha256_file(&path) {
                Ok(hash) if hash == record.sha256 => report.intact.push(record.sha256.clone()),
                Ok(hash) => report.altered.push(AlteredFile {
                    id: record.sha256.clone(),
                    file: record.file.clone(),
                    actual_sha256: hash,
                }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    report.missing.push(record.file.clone())
                }
                Err(source) => return Err(CaseError::Io { path, source }),
            }
        }
        self.verify_snapshots(&mut report)?;
        self.verify_attachments(&mut report)?;
        self.verify_frame_sources(&mut report);
        let dir = self.root.join(EVIDENCE_DIR);
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(report),
            Err(source) => return Err(CaseError::Io { path: dir, source }),
        };
        for entry in entries {
            let entry = entry.map_err(|source| CaseError::Io {
                path: dir.clone(),
                source,
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let stem = name.split('.').next().unwrap_or_default();
            if accounted.contains(&name) || damaged_stems.contains(stem) {
                continue;
            }
            if name.starts_with(".tmp-") {
                // An atomic write in progress, or one a crash interrupted: never evidence.
                continue;
            }
            let file = format!("{EVIDENCE_DIR}/{name}");
            // Hash only a regular file: a symlink could point anywhere outside the case.
            let regular = entry.file_type().is_ok_and(|t| t.is_file());
            let own_hash = regular
                && is_sha256_hex(stem)
                && !name.ends_with(".json")
                && sha256_file(&entry.path()).is_ok_and(|h| h == stem);
            if own_hash {
                report.unrecorded.push(file);
            } else {
                report.unexpected.push(file);
            }
        }
        report.unexpected.sort();
        report.unrecorded.sort();
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use crate::case::{Case, Edit, Finding, FindingKind, MapSnapshot};

    #[test]
    fn map_snapshots_are_verified_like_originals() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("c");
        let mut case = Case::create(&root, "t").unwrap();
        let finding = Finding::new(FindingKind::Geolocation, "f");
        let id = finding.id.clone();
        case.apply(Edit::PutFinding(Box::new(finding))).unwrap();
        let mut png = Vec::new();
        image::RgbImage::new(4, 4)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        case.apply(Edit::AddMapSnapshot(Box::new(MapSnapshot {
            finding: id,
            png,
            west: 10.0,
            south: 50.0,
            east: 10.1,
            north: 50.1,
            zoom: 12.0,
            basemap: "test".into(),
        })))
        .unwrap();
        case.save().unwrap();
        let report = case.verify().unwrap();
        assert!(report.is_intact(), "{report:?}");
        assert_eq!(report.intact.len(), 1);

        let file = std::fs::read_dir(root.join("snapshots"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let mut perms = std::fs::metadata(&file).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&file, perms).unwrap();
        std::fs::write(&file, b"tampered").unwrap();
        let report = case.verify().unwrap();
        assert_eq!(report.altered.len(), 1, "{report:?}");
        std::fs::remove_file(&file).unwrap();
        let report = case.verify().unwrap();
        assert_eq!(report.missing.len(), 1, "{report:?}");
    }
}

#[cfg(all(test, unix))]
mod untrusted_tests {
    use crate::case::Case;

    /// Found by the untrusted-case property test: an original whose record was removed
    /// and which was replaced by a symlink to a file outside the case must not be hashed.
    #[test]
    fn an_unrecorded_symlink_is_unexpected_and_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("c");
        Case::create(&root, "t").unwrap();
        // Named after the outside file's own hash: followed, it would pass as unrecorded.
        let sha = crate::evidence::sha256_hex(b"secret");
        let outside = dir.path().join("outside.jpg");
        std::fs::write(&outside, b"secret").unwrap();
        std::os::unix::fs::symlink(&outside, root.join(format!("evidence/{sha}.jpg"))).unwrap();
        let report = Case::open_read_only(&root).unwrap().verify().unwrap();
        assert_eq!(report.unexpected, vec![format!("evidence/{sha}.jpg")]);
        assert!(report.unrecorded.is_empty());
    }
}
