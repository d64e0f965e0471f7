//! The serialised shapes of a case: `case.json`, evidence records and findings.
//!
//! Every struct keeps the fields it does not know in `extra`, so a case written by a
//! newer geoproof survives a save by this one.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::comparison::{Annotation, Confidence, LinkedFeature, Panel, PanelSource};
use serde_json::Value;

use crate::evidence::{ExifSummary, PerceptualHash};

/// The case schema this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Fields not known to this version, kept verbatim (sorted by key when written).
pub type Extra = BTreeMap<String, Value>;

/// `case.json`: the case's identity and settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseMeta {
    pub schema_version: u32,
    pub title: String,
    pub created: DateTime<Utc>,
    #[serde(default)]
    pub settings: BTreeMap<String, Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `evidence/<sha256>.json`: what we know about one original file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// SHA-256 of the original bytes, lowercase hex; also the evidence id.
    pub sha256: String,
    /// The original's path relative to the case root, e.g. `evidence/<sha256>.jpg`.
    pub file: String,
    pub original_name: String,
    pub size_bytes: u64,
    pub media_type: String,
    /// Width and height after EXIF orientation is applied (what a viewer shows).
    pub width: u32,
    pub height: u32,
    #[serde(default)]
    pub exif: ExifSummary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perceptual_hash: Option<PerceptualHash>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// When the file was taken into the case.
    pub acquired_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// The camera's horizontal field of view, degrees, as the analyst set it (EXIF
    /// rarely says); `None` means the app's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fov_deg: Option<f64>,
    /// Things the analyst should know about this item (e.g. junk GPS dropped at intake).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl EvidenceRecord {
    /// The evidence id: the content hash.
    pub fn id(&self) -> &str {
        &self.sha256
    }

    /// A short id for people (12 hex digits, unique in any realistic case).
    pub fn short_id(&self) -> &str {
        short_hash(&self.sha256)
    }
}

/// What a finding asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Geolocation,
    Comparison,
    Other,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Geolocation => "geolocation",
            FindingKind::Comparison => "comparison",
            FindingKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<FindingKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "geolocation" => Some(FindingKind::Geolocation),
            "comparison" | "identity" | "object" => Some(FindingKind::Comparison),
            "other" => Some(FindingKind::Other),
            _ => None,
        }
    }
}

/// Which findings a list or an export includes; empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingFilter {
    pub kinds: Vec<FindingKind>,
    pub confidences: Vec<Confidence>,
}

impl FindingFilter {
    pub fn matches(&self, f: &Finding) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&f.kind))
            && (self.confidences.is_empty() || self.confidences.contains(&f.confidence))
    }
}

/// `findings/<id>.json`: one analytic conclusion. Fields this version does not know
/// (written by a newer geoproof) are kept in `extra` and written back unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub kind: FindingKind,
    pub title: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// For a geolocation: the candidate position and how precise it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<FindingLocation>,
    /// The conclusion in a sentence, and how sure the analyst is of it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub verdict: String,
    #[serde(default)]
    pub confidence: Confidence,
    /// When the observed scene happened, if known (with its UTC offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub panels: Vec<Panel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<LinkedFeature>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A candidate position with its precision radius.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FindingLocation {
    pub lat: f64,
    pub lon: f64,
    /// Radius within which the analyst is confident, metres.
    pub precision_m: f64,
}

impl Finding {
    /// A new, empty finding with a fresh id.
    pub fn new(kind: FindingKind, title: &str) -> Finding {
        let now = Utc::now();
        Finding {
            id: new_finding_id(now),
            kind,
            title: title.to_owned(),
            created: now,
            updated: now,
            location: None,
            verdict: String::new(),
            confidence: Confidence::default(),
            observed_at: None,
            notes: String::new(),
            author: String::new(),
            panels: Vec::new(),
            annotations: Vec::new(),
            links: Vec::new(),
            extra: Extra::new(),
        }
    }

    /// The evidence this finding compares (panel order, no repeats).
    pub fn evidence_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for p in &self.panels {
            if let PanelSource::Evidence { sha256 } = &p.source
                && !ids.contains(&sha256.as_str())
            {
                ids.push(sha256);
            }
        }
        ids
    }
}

/// `F-20240325-143012-1a2b`: sortable by time, and unique enough that two analysts
/// working on copies of a case never create the same file name.
fn new_finding_id(now: DateTime<Utc>) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(now.timestamp_nanos_opt().unwrap_or_default() as u128);
    format!(
        "F-{}-{:04x}",
        now.format("%Y%m%d-%H%M%S"),
        h.finish() & 0xffff
    )
}

/// Whether a finding id is safe to use as a file name (`findings/<id>.json`).
pub fn is_valid_finding_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The first 12 characters of a hash for people; never panics, whatever `hash` holds.
pub fn short_hash(hash: &str) -> &str {
    let end = hash.char_indices().nth(12).map_or(hash.len(), |(i, _)| i);
    &hash[..end]
}

/// Whether `s` looks like a lowercase SHA-256 hex digest.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let text = r#"{"schema_version":1,"title":"t","created":"2024-03-22T00:00:00Z",
            "settings":{"x":1},"future_field":{"a":[1,2]}}"#;
        let meta: CaseMeta = serde_json::from_str(text).unwrap();
        let back = serde_json::to_value(&meta).unwrap();
        assert_eq!(back["future_field"]["a"][1], 2);
    }

    #[test]
    fn finding_ids_must_be_plain_names() {
        assert!(is_valid_finding_id("F-2024-0001"));
        assert!(!is_valid_finding_id("../x"));
        assert!(!is_valid_finding_id("a/b"));
        assert!(!is_valid_finding_id(""));
    }
}
