//! Collections: what analysts gathered before analysing, read into posts that each name
//! the files they carried. Reading a collection changes nothing; `Case::store_collected`
//! takes its files in as evidence with a source record each.
//!
//! Recognised: Telegram Desktop JSON exports (single chat or full account; the HTML
//! export is recognised and refused with the advice to export as JSON) and Bellingcat's
//! auto-archiver output (`metadata.json` beside the stored files) and WACZ web archives.

pub mod archiver;
mod archiver_stamps;
mod files;
mod into_case;
pub mod telegram;
pub mod wacz;

pub use into_case::{CollectionError, CollectionReport, KeptFile, NotImported};

use std::path::{Path, PathBuf};

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

/// Reads the collection at `path` (a folder, or its index file: `result.json`, an
/// auto-archiver `metadata.json`).
pub fn read(path: &Path) -> Result<Collected, CollectError> {
    if path.is_file()
        && path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("wacz"))
    {
        return wacz::read(path);
    }
    if path.is_file() {
        let is_telegram = path.file_name().is_some_and(|n| n == "result.json");
        let folder = path.parent().unwrap_or(Path::new("."));
        return if is_telegram {
            telegram::read(folder)
        } else {
            archiver::read(path)
        };
    }
    let folder = path;
    if !folder.is_dir() {
        return Err(CollectError {
            path: path.to_owned(),
            cause: "no such file or folder".into(),
        });
    }
    if folder.join("result.json").is_file() {
        return telegram::read(folder);
    }
    if telegram::is_html_export(folder) {
        return Err(CollectError {
            path: folder.to_owned(),
            cause: "a Telegram HTML export, which has no machine-readable data: export the \
                    chat again with Format “Machine-readable JSON”"
                .into(),
        });
    }
    let archives = archiver::metadata_files(folder);
    if !archives.is_empty() {
        let mut all = Collected {
            kind: "auto_archiver",
            ..Collected::default()
        };
        let mut hashes = Vec::new();
        for file in &archives {
            let one = archiver::read(file)?;
            hashes.push(one.sha256.clone());
            all.chats += one.chats;
            all.messages += one.messages;
            all.items.extend(one.items);
            all.warnings.extend(one.warnings);
        }
        all.sha256 = hashes.join(",");
        return Ok(all);
    }
    Err(CollectError {
        path: folder.to_owned(),
        cause: "not a collection geoproof knows (a Telegram Desktop JSON export has a \
                result.json; auto-archiver output a metadata.json with `metadata` and `media`; a web \
                archive is a .wacz file)"
            .into(),
    })
}
