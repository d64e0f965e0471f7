//! The case: an investigation kept as a folder (its layout: README, "The case folder").
//!
//! `Case` holds the loaded model in memory. The only way to change it is
//! [`Case::apply`] with an [`Edit`]; [`Case::save`] then writes what changed, each file
//! atomically, and appends the audit log. A read-write `Case` holds an exclusive lock on
//! the folder for its lifetime, so two processes never write one case.

pub mod analyst;
pub mod candidates;
pub mod chronolocation;
pub mod comparison;
pub mod conclusion;
mod edit;
mod edit_apply;
mod error;
mod folder;
pub mod georeference;
mod import;
mod invalid;
mod journal;
mod kind;
mod layout;
mod limits;
pub mod listing;
mod lock;
pub mod log;
mod model;
pub mod review;
mod review_edits;
pub mod review_rules;
mod save;
pub mod signature;
mod similar;
pub mod skyline_fit;
mod stamp;
pub mod store;
mod validate;
mod verify;
mod video;

pub use comparison::Confidence;
pub use edit::{Edit, MapSnapshot};
pub use error::CaseError;
pub use folder::{Case, DamagedRecord, PanelFile};
pub use import::{ImportError, ImportOptions, ImportOutcome};
pub use invalid::{Invalid, short_text};
pub use kind::EvidenceKind;
pub use layout::{
    ATTACHMENTS_DIR, CACHE_DIR, CASE_FILE, EVIDENCE_DIR, EXPORTS_DIR, FINDINGS_DIR, LOCK_FILE,
    SNAPSHOTS_DIR,
};
pub use limits::{
    MAX_ITEMS, MAX_LONG_TEXT, MAX_PIXEL_COORDINATE, MAX_RECORD_BYTES, MAX_SHORT_TEXT,
};
pub use model::{
    CaseMeta, ChronoWindow, Chronolocation, DerivedFrom, EvidenceRecord, Extra, Finding,
    FindingFilter, FindingKind, FindingLocation, KeptTimestamp, PostKey, SCHEMA_VERSION,
    ShadowInput, SourceRecord, is_sha256_hex, is_valid_finding_id, short_hash,
};
pub use similar::{NEAR_DUPLICATE_MAX_DISTANCE, Similar, similar_to};
pub use stamp::{AuthorityReply, StampCheck, TIMESTAMPS_DIR};
pub use verify::{AlteredFile, VerifyReport};
pub use video::{FrameError, OpenVideo, StoredGrab, StoredGrabs};
