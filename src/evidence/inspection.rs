//! What intake learns from one file, and why it may fail: the records the inspectors
//! (images in `mod.rs`, videos in `video.rs`) fill in. A leaf of `evidence`, so both
//! inspectors stand on it without importing each other.

use std::io;
use std::path::PathBuf;

use image::DynamicImage;

use super::decode::DecodeError;
use super::exif::ExifSummary;
use super::sniff::MediaType;
use crate::fingerprint::PerceptualHash;

/// Longer side of the cached preview, in pixels.
pub const THUMBNAIL_SIDE: u32 = 256;
/// Files larger than this are refused before reading (no real still comes near it).
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// An intake failure: the file and the cause, displayed as one line.
#[derive(Debug, thiserror::Error)]
#[error("{}: {cause}", path.display())]
pub struct IntakeError {
    pub path: PathBuf,
    pub cause: IntakeCause,
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeCause {
    #[error("is a directory, not a file")]
    Directory,
    #[error("cannot read: {0}")]
    Read(#[source] io::Error),
    #[error("cannot write the case's copy: {0}")]
    Stage(#[source] io::Error),
    #[error("empty file (0 bytes)")]
    Empty,
    #[error("file is {0} bytes, above the 2 GiB limit")]
    TooBig(u64),
    #[error("not an image: {0}")]
    NotAnImage(String),
    #[error("unsupported format: {0}")]
    Unsupported(&'static str),
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error(transparent)]
    Video(crate::video::VideoError),
}

/// Where the original's bytes are: read into memory (images), or left in the file and
/// streamed when stored (videos, which may be many gigabytes).
#[derive(Debug, Clone)]
pub enum Original {
    Bytes(Vec<u8>),
    File { path: PathBuf, size_bytes: u64 },
}

impl Original {
    pub fn size_bytes(&self) -> u64 {
        match self {
            Original::Bytes(b) => b.len() as u64,
            Original::File { size_bytes, .. } => *size_bytes,
        }
    }
}

/// What intake learns from one file.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub original_name: String,
    pub original: Original,
    pub sha256: String,
    pub media_type: MediaType,
    /// Dimensions after EXIF orientation.
    pub width: u32,
    pub height: u32,
    pub exif: ExifSummary,
    pub perceptual_hash: PerceptualHash,
    /// Oriented preview, longer side at most [`THUMBNAIL_SIDE`].
    pub thumbnail: DynamicImage,
    pub warnings: Vec<String>,
    /// For a video: what the probe found and the hashed frames.
    pub video: Option<crate::video::VideoFacts>,
    /// The C2PA manifest the file carries, validated offline ("none" without one).
    pub credentials: super::ContentCredentials,
}
