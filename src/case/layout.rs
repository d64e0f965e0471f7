//! Where things are in a case folder (its layout: README, "The case folder"). A leaf:
//! every part of `case` that names a file stands on it.

/// The case's own record: title, imagery layers, analysts.
pub const CASE_FILE: &str = "case.json";
/// Originals (`<sha256>.<ext>`, read-only) and their records (`<sha256>.json`).
pub const EVIDENCE_DIR: &str = "evidence";
/// One record per finding (`<id>.json`).
pub const FINDINGS_DIR: &str = "findings";
pub const EXPORTS_DIR: &str = "exports";
/// Map views captured for comparison panels (`<sha256>.png`, read-only).
pub const SNAPSHOTS_DIR: &str = "snapshots";
/// Derived or transient files (thumbnails, autosaved drafts); ignored by git and by
/// `verify`.
pub const CACHE_DIR: &str = "cache";
pub const LOCK_FILE: &str = ".geoproof.lock";
/// Where the files attached to collected posts are kept (by SHA-256).
pub const ATTACHMENTS_DIR: &str = "attachments";
/// The commit record of a save of several files, present only while it is being
/// completed (or after a crash, until the next open completes it).
pub const COMMIT_FILE: &str = ".geoproof-commit.json";
