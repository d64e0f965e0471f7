//! The index on disk, under the case's `cache/search/`: `manifest.json` (version, what
//! was indexed and what could not be, one record per indexed picture) and
//! `features.bin` (every picture's keypoints and descriptors, 40 bytes each). Both are
//! written to a temporary file and renamed; the manifest last, naming the feature
//! count it goes with, so a half-written index is seen as damaged and rebuilt.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::base::{Feature, INDEX_VERSION, SearchError};
use crate::fsio::write_atomic;

pub const SEARCH_DIR: &str = "search";
pub const MANIFEST_FILE: &str = "manifest.json";
pub const FEATURES_FILE: &str = "features.bin";

/// A picture ready to go into the index: its record and its features.
pub type Picture = (Entry, Vec<Feature>);

/// One indexed picture: a still, or one frame of a video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The evidence item (SHA-256).
    pub sha256: String,
    /// For a video frame: its index in presentation order and time after the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_s: Option<f64>,
    /// Why this frame was taken: `still`, `first`, `scene` or `every N s`.
    pub why: String,
    /// Full displayed size of the picture.
    pub width: u32,
    pub height: u32,
    /// Working pixels per full pixel (features were found at this scale).
    pub scale: f64,
    /// Its features in `features.bin`.
    pub first_feature: u64,
    pub feature_count: u32,
}

/// How one evidence item went into the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemStatus {
    pub sha256: String,
    pub original_name: String,
    /// Pictures indexed from it.
    pub entries: usize,
    /// What could not be indexed (undecodable file, frames of a damaged video), as the
    /// decoder said it; empty when all went in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    /// Seconds between sampled video frames.
    pub every_s: f64,
    pub feature_total: u64,
    pub items: Vec<ItemStatus>,
    pub entries: Vec<Entry>,
}

impl Manifest {
    pub fn empty(every_s: f64) -> Manifest {
        Manifest {
            version: INDEX_VERSION,
            every_s,
            feature_total: 0,
            items: Vec::new(),
            entries: Vec::new(),
        }
    }
}

/// Where a case keeps its index.
pub fn index_dir(case_root: &Path) -> PathBuf {
    case_root.join(crate::case::CACHE_DIR).join(SEARCH_DIR)
}

/// Why an existing index was not used (it is then rebuilt).
#[derive(Debug, Clone, PartialEq)]
pub enum Stale {
    Missing,
    OtherVersion(u32),
    OtherInterval(f64),
    Damaged(String),
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Missing => write!(f, "no index yet"),
            Stale::OtherVersion(v) => write!(
                f,
                "the index is version {v}, this program writes version {INDEX_VERSION}: rebuilt"
            ),
            Stale::OtherInterval(s) => {
                write!(f, "the index sampled videos every {s} s: rebuilt")
            }
            Stale::Damaged(why) => write!(f, "the index is damaged ({why}): rebuilt"),
        }
    }
}

/// Reads the index of `dir`; `Err(Stale)` says why there is none usable.
pub fn load(dir: &Path) -> Result<(Manifest, Vec<Feature>), Stale> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let text = match std::fs::read(&manifest_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Stale::Missing),
        Err(e) => return Err(Stale::Damaged(format!("{}: {e}", manifest_path.display()))),
    };
    // The version first, so an index of another layout is named as such.
    #[derive(Deserialize)]
    struct Version {
        version: u32,
    }
    let version: Version = serde_json::from_slice(&text)
        .map_err(|e| Stale::Damaged(format!("{}: {e}", manifest_path.display())))?;
    if version.version != INDEX_VERSION {
        return Err(Stale::OtherVersion(version.version));
    }
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| Stale::Damaged(format!("{}: {e}", manifest_path.display())))?;
    let features_path = dir.join(FEATURES_FILE);
    let bytes = std::fs::read(&features_path)
        .map_err(|e| Stale::Damaged(format!("{}: {e}", features_path.display())))?;
    if bytes.len() as u64 != manifest.feature_total * 40 {
        return Err(Stale::Damaged(format!(
            "{}: {} bytes, the manifest expects {}",
            features_path.display(),
            bytes.len(),
            manifest.feature_total * 40
        )));
    }
    let features = bytes
        .chunks_exact(40)
        .map(|c| Feature(std::array::from_fn(|k| le_u64(&c[k * 8..k * 8 + 8]))))
        .collect();
    for e in &manifest.entries {
        if e.first_feature + u64::from(e.feature_count) > manifest.feature_total {
            return Err(Stale::Damaged(format!(
                "{}: an entry points past the features",
                manifest_path.display()
            )));
        }
    }
    Ok((manifest, features))
}

fn le_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    u64::from_le_bytes(a)
}

/// Writes the index: features first, then the manifest that names their count.
pub fn save(dir: &Path, manifest: &Manifest, features: &[Feature]) -> Result<(), SearchError> {
    std::fs::create_dir_all(dir).map_err(|source| SearchError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut bytes = Vec::with_capacity(features.len() * 40);
    for f in features {
        for w in f.0 {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
    }
    let io = |e: crate::fsio::FileError| SearchError::Io {
        path: e.path,
        source: e.source,
    };
    write_atomic(&dir.join(FEATURES_FILE), &bytes, false).map_err(io)?;
    let json = serde_json::to_vec(manifest).map_err(|e| SearchError::Io {
        path: dir.join(MANIFEST_FILE),
        source: std::io::Error::other(e),
    })?;
    write_atomic(&dir.join(MANIFEST_FILE), &json, false).map_err(io)
}
