//! What reading a collection gives: posts' files with their source records, or one
//! line naming the file and the cause. The readers (`telegram`, `archiver`, `wacz`) all
//! fill these.

use std::path::PathBuf;

use crate::case::SourceRecord;

/// One line naming the file and the cause.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {cause}", path.display())]
pub struct CollectError {
    pub path: PathBuf,
    pub cause: String,
}

/// A collection as read: its posts' files, in export order.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    /// `telegram`.
    pub kind: &'static str,
    /// SHA-256 of the collection's index file (`result.json`).
    pub sha256: String,
    pub chats: usize,
    pub messages: usize,
    pub items: Vec<Item>,
    /// Messages skipped, with why.
    pub warnings: Vec<String>,
    /// Where files taken out of an archive wait to be imported (removed when dropped).
    pub scratch: Option<std::sync::Arc<tempfile::TempDir>>,
}

/// One file of one post.
#[derive(Debug, Clone)]
pub struct Item {
    pub source: SourceRecord,
    pub media: Media,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Media {
    /// The file, inside the collection's folder.
    File(PathBuf),
    /// The export says the file was not included (its own words).
    Missing(String),
    /// A path that is not read (it leaves the folder, or names no file), with why.
    Refused(String),
}
