//! The serialised shapes of a case: `case.json`, evidence records and findings.
//!
//! Every struct keeps the fields it does not know in `extra`, so a case written by a
//! newer geoproof survives a save by this one.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::comparison::{Annotation, Confidence, LinkedFeature, Panel, PanelSource};
use super::kind::EvidenceKind;
use serde_json::Value;

use crate::evidence::{ExifSummary, PerceptualHash};
use crate::video::VideoFacts;

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
    /// The analyst's own imagery shown over the basemap, bottom first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imagery_layers: Vec<crate::imagery::ImageryLayerRef>,
    /// The elevation files (one surface) and its hillshade layer.
    #[serde(
        default,
        skip_serializing_if = "crate::terrain::ElevationLayers::is_empty"
    )]
    pub elevation: crate::terrain::ElevationLayers,
    /// The analysts whose signatures this case recognises (name and public key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub analysts: Vec<super::analyst::AnalystKey>,
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
    /// For a video: codec, frame rate, rotation, duration, hashed frames. Its camera
    /// metadata (creation time, location, make/model) is in `exif` like a photo's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<VideoFacts>,
    /// For a frame grabbed from a video in the case: exactly which frame, and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<DerivedFrom>,
    /// The analyst flagged this item as graphic (injuries, violence): the app shows it
    /// greyed and blurred until revealed. Viewing only; exports are unaffected.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub graphic: bool,
    /// Where the file was collected from: each post (or archived page) that carried it,
    /// as imported with `geoproof import`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceRecord>,
    /// The C2PA content credentials read and validated offline at intake (`status:
    /// none` when the file carries none). Absent in records taken in before geoproof
    /// read them: unknown, not "none".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_credentials: Option<crate::evidence::ContentCredentials>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One post (or archived page) that carried an evidence file, as its collection said.
/// Everything here is what the export claims; geoproof checked only the file's bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SourceRecord {
    /// `telegram` (Telegram Desktop JSON export), later also archives.
    pub kind: String,
    /// The chat or channel: name, Telegram type (`public_channel`…) and id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<i64>,
    /// When it was posted, UTC (from `date_unixtime`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_utc: Option<DateTime<Utc>>,
    /// The export's local time when no UTC time was given: the time zone is unknown
    /// (the exporting computer's), so it is kept as written and said so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_local_unknown_zone: Option<String>,
    /// Who posted it (`from`) and the post's signature (`author`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<i64>,
    /// The caption or message text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// The post's own location (latitude, longitude), not the file's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<[f64; 2]>,
    /// The file's path inside the export, as the export gave it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path_in_export: String,
    /// An archived page: its address, title and when it was archived (as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<String>,
    /// RFC 3161 timestamp tokens the collection came with, kept as they were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timestamps: Vec<KeptTimestamp>,
    /// The export's `result.json` SHA-256: which collection this came from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub collection_sha256: String,
    pub imported_at: DateTime<Utc>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A timestamp token that came with a collection: who issued it, the token (DER, base64)
/// and the exact data it stamps, so it can be checked later without the collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptTimestamp {
    pub authority: String,
    pub token_base64: String,
    /// The bytes the token's message imprint covers (auto-archiver: its `hashes.txt`).
    pub stamped_text: String,
    /// The authority's certificates that came beside the token (PEM), offered when it
    /// is checked; a token without its own needs them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub chain_pem: String,
}

/// See [`SourceRecord::post_key`].
pub type PostKey<'a> = (
    &'a str,
    Option<i64>,
    Option<&'a str>,
    Option<i64>,
    &'a str,
    Option<&'a str>,
);

impl SourceRecord {
    /// Whether `other` is the same post carrying the same file (a re-import).
    pub fn same_post(&self, other: &SourceRecord) -> bool {
        self.post_key() == other.post_key()
    }

    /// What names the post and the file in it: equal keys are the same post's file.
    pub fn post_key(&self) -> PostKey<'_> {
        (
            &self.kind,
            self.chat_id,
            self.chat.as_deref(),
            self.message_id,
            &self.path_in_export,
            self.url.as_deref(),
        )
    }

    /// `channel name #123` for lists (an archived page: its title or address).
    pub fn title(&self) -> String {
        if self.chat.is_none()
            && let Some(page) = self.title.as_ref().or(self.url.as_ref())
        {
            return page.clone();
        }
        let chat = self.chat.as_deref().unwrap_or("(unnamed chat)");
        match self.message_id {
            Some(id) => format!("{chat} #{id}"),
            None => chat.to_owned(),
        }
    }

    /// The post's time for people: UTC, or the export's local time marked unknown zone.
    pub fn time_text(&self) -> String {
        match (&self.posted_utc, &self.posted_local_unknown_zone) {
            (Some(t), _) => t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            (None, Some(local)) => format!("{local} (local time, zone unknown)"),
            (None, None) => "time unknown".into(),
        }
    }
}

/// The provenance of a frame grab: enough to find and re-make the very same frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedFrom {
    /// The video's SHA-256 (its evidence id) and name.
    pub sha256: String,
    pub original_name: String,
    pub stream_index: u32,
    /// Presentation timestamp in time-base units, and the time base (`1/15360`).
    pub pts: i64,
    pub time_base: String,
    /// `pts × time_base`, seconds, as ffmpeg prints `pts_time`.
    pub pts_time_s: f64,
    /// Seconds after the clip's start, and the same as `HH:MM:SS.mmm`.
    pub time_s: f64,
    pub timecode: String,
    /// Frame number in presentation order, from 0.
    pub frame_index: u64,
    /// Whether the display rotation was applied, and which (clockwise degrees).
    pub rotation_applied: bool,
    pub rotation_deg: u32,
    /// The codec decoded and the decoder program.
    pub decoder: String,
    pub ffmpeg_version: String,
    /// The exact arguments given to ffmpeg (the input as the case-relative path).
    pub ffmpeg_args: Vec<String>,
    /// The decoder's complaint when the frame or one it depends on was damaged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub damage: Option<String>,
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

    /// What the item is, from the facts it carries: a record with video facts (frame
    /// table, codec, rotation) is a video, any other a still. A new kind brings its own
    /// facts field and its arm here.
    pub fn kind(&self) -> EvidenceKind {
        match self.video {
            Some(_) => EvidenceKind::Video,
            None => EvidenceKind::Photo,
        }
    }

    /// How a figure names this item's source: for a frame grab
    /// `frame 1234 at 00:00:41.208 of arrest.mp4 (sha256 …)`, else the file name.
    pub fn source_line(&self) -> String {
        match &self.derived_from {
            Some(d) => format!(
                "frame {} at {} of {} (sha256 {})",
                d.frame_index,
                d.timecode,
                d.original_name,
                short_hash(&d.sha256)
            ),
            None => self.original_name.clone(),
        }
    }

    /// The content credentials in one line: `none`, `valid, signer not on a trust list
    /// (…)`, `invalid: …`, or unknown for a record taken in before they were read.
    pub fn credentials_line(&self) -> String {
        match &self.content_credentials {
            Some(c) => c.one_line(),
            None => "unknown (taken in before geoproof read content credentials)".into(),
        }
    }
}

/// What a finding asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Geolocation,
    Comparison,
    /// When (or where) footage was shot, from the sun and shadows.
    Chronolocation,
    Other,
}

impl FindingKind {
    /// Every kind, in the order lists show them.
    pub const ALL: [FindingKind; 4] = [
        FindingKind::Geolocation,
        FindingKind::Comparison,
        FindingKind::Chronolocation,
        FindingKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Geolocation => "geolocation",
            FindingKind::Comparison => "comparison",
            FindingKind::Chronolocation => "chronolocation",
            FindingKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<FindingKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "geolocation" => Some(FindingKind::Geolocation),
            "comparison" | "identity" | "object" => Some(FindingKind::Comparison),
            "chronolocation" | "time" | "shadow" => Some(FindingKind::Chronolocation),
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
    pub review: Vec<super::review::ReviewStatus>,
}

impl FindingFilter {
    pub fn matches(&self, f: &Finding) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&f.kind))
            && (self.confidences.is_empty() || self.confidences.contains(&f.confidence))
            && (self.review.is_empty() || self.review.contains(&f.review.status))
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
    /// Shadows measured on the panels (for chronolocation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shadows: Vec<crate::sun::ShadowMeasurement>,
    /// For a chronolocation: what was solved, from which shadows, and the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chronolocation: Option<Chronolocation>,
    /// Control points pinning one of the panels to the ground, and its overlay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub georeference: Option<super::georeference::Georeference>,
    /// For a geolocation: the candidate sites being worked through.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<super::candidates::Candidate>,
    /// A frame's traced skyline and the camera whose terrain skyline fits it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skyline_fit: Option<super::skyline_fit::SkylineFit>,
    /// For a comparison: the conclusion on the written scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<super::conclusion::Conclusion>,
    /// Review state, its signed steps, authors' signatures and blind reviews. Changed
    /// only through the review edits, and left out of what a signature covers.
    #[serde(default, skip_serializing_if = "super::review::Review::is_empty")]
    pub review: super::review::Review,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A chronolocation as solved: the shadows, the question and the answer, kept with the
/// method so a reviewer can re-run it (`geoproof shadow`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chronolocation {
    /// `times_at_place` (when, at a known place) or `places_at_time` (where, at a known
    /// instant).
    pub method: String,
    pub shadows: Vec<ShadowInput>,
    /// The place (times at place): latitude, longitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_date: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Times at place: the UTC windows in which the shadow fits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<ChronoWindow>,
    /// Places at time: the grid the locus was evaluated on, degrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid_deg: Option<f64>,
    /// Places at time: the locus as GeoJSON MultiPolygon coordinates (longitude first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locus: Option<Vec<Vec<Vec<[f64; 2]>>>>,
    /// The solar model and its assumptions.
    pub solver: String,
}

/// One shadow given to the solver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShadowInput {
    /// Shadow length ÷ object height and its relative tolerance.
    pub ratio: f64,
    pub tolerance: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearing_deg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearing_tolerance_deg: Option<f64>,
    /// The instant of this shadow (places at time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_utc: Option<DateTime<Utc>>,
    /// Where it was measured, e.g. `F-…/S1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A time window in which a shadow fits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChronoWindow {
    pub start_utc: DateTime<Utc>,
    pub end_utc: DateTime<Utc>,
    pub shadow_bearing_deg: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearing_fits: Option<bool>,
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
            shadows: Vec::new(),
            chronolocation: None,
            georeference: None,
            candidates: Vec::new(),
            skyline_fit: None,
            conclusion: None,
            review: super::review::Review::default(),
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

impl Finding {
    /// Adds a panel showing `source` and returns its id.
    pub fn add_panel(&mut self, source: PanelSource) -> String {
        let id = super::comparison::next_id("P", self.panels.iter().map(|p| p.id.as_str()));
        self.panels.push(Panel {
            id: id.clone(),
            source,
            view: super::comparison::PanelView::default(),
            frame: None,
            caption: String::new(),
        });
        id
    }
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
