//! The append-only audit log, `log.jsonl`: one JSON object a line, never rewritten.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::CaseError;

pub const LOG_FILE: &str = "log.jsonl";

/// One audit event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub at: DateTime<Utc>,
    /// What happened: `case_created`, `evidence_added`, `finding_saved`, `verify`, …
    pub event: String,
    /// The program and version that wrote the line.
    pub by: String,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub detail: Value,
}

impl LogEntry {
    pub fn new(event: &str, detail: Value) -> Self {
        LogEntry {
            at: Utc::now(),
            event: event.to_owned(),
            by: concat!("geoproof ", env!("CARGO_PKG_VERSION")).to_owned(),
            detail,
        }
    }
}

/// Appends entries (each a single line) and syncs them to disk.
pub fn append(root: &Path, entries: &[LogEntry]) -> Result<(), CaseError> {
    if entries.is_empty() {
        return Ok(());
    }
    let path = root.join(LOG_FILE);
    let io_err = |source| CaseError::Io {
        path: path.clone(),
        source,
    };
    let mut text = String::new();
    for entry in entries {
        let line = serde_json::to_string(entry).map_err(|source| CaseError::Json {
            path: path.clone(),
            source,
        })?;
        text.push_str(&line);
        text.push('\n');
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(io_err)?;
    // One write call per batch: with O_APPEND, lines from two writers never interleave.
    file.write_all(text.as_bytes()).map_err(io_err)?;
    file.sync_data().map_err(io_err)
}

/// Reads the whole log (for display and tests).
pub fn read(root: &Path) -> Result<Vec<LogEntry>, CaseError> {
    let path = root.join(LOG_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(CaseError::Io { path, source }),
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l).map_err(|source| CaseError::Json {
                path: path.clone(),
                source,
            })
        })
        .collect()
}
