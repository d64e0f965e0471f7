//! Integrity check: every original still hashes to its recorded SHA-256, nothing is
//! missing, and nothing unexplained sits in `evidence/`.

use std::collections::BTreeSet;
use std::fs;

use serde::Serialize;

use super::{Case, CaseError, EVIDENCE_DIR};
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
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.missing.is_empty() && self.altered.is_empty() && self.unexpected.is_empty()
    }
}

impl Case {
    /// Re-hashes every original. Reads only inside the case folder.
    pub fn verify(&self) -> Result<VerifyReport, CaseError> {
        let mut report = VerifyReport::default();
        let mut accounted = BTreeSet::new();
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
            if !accounted.contains(&name) {
                report.unexpected.push(format!("{EVIDENCE_DIR}/{name}"));
            }
        }
        report.unexpected.sort();
        Ok(report)
    }
}
