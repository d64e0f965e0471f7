//! The files of a collection folder, indexed by hash and name, with the small ones
//! (tokens, certificates, hash lists) kept in memory for the timestamp search.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sha2::Digest as _;

/// Files this small are kept in memory while reading: timestamp tokens, certificates
/// and hash lists are a few kilobytes.
const SMALL: usize = 64 * 1024;

/// Every regular file under `root` (links are not followed), by SHA-256 and SHA3-512.
pub(super) struct FileIndex {
    pub(super) sha256: HashMap<String, PathBuf>,
    pub(super) sha3_512: HashMap<String, PathBuf>,
    pub(super) by_name: HashMap<String, PathBuf>,
    all: Vec<PathBuf>,
    small: Vec<(PathBuf, Vec<u8>)>,
}

impl FileIndex {
    /// Every file, in walk order.
    pub(super) fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.all.iter()
    }

    /// The small files with their bytes.
    pub(super) fn small(&self) -> impl Iterator<Item = &(PathBuf, Vec<u8>)> {
        self.small.iter()
    }

    pub(super) fn build(root: &Path) -> FileIndex {
        let mut index = FileIndex {
            sha256: HashMap::new(),
            sha3_512: HashMap::new(),
            by_name: HashMap::new(),
            all: Vec::new(),
            small: Vec::new(),
        };
        for entry in walkdir::WalkDir::new(root)
            .follow_links(false)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            let path = entry.path().to_owned();
            index
                .sha256
                .insert(hex(&sha2::Sha256::digest(&bytes)), path.clone());
            index
                .sha3_512
                .insert(hex(&sha3::Sha3_512::digest(&bytes)), path.clone());
            if let Some(name) = path.file_name() {
                index
                    .by_name
                    .insert(name.to_string_lossy().into_owned(), path.clone());
            }
            index.all.push(path.clone());
            if bytes.len() <= SMALL {
                index.small.push((path, bytes));
            }
        }
        index
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
