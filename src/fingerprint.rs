//! Content fingerprints: SHA-256 of bytes and files (evidence identity), and the
//! perceptual hash of an image (near duplicates, video scene changes). Used by intake,
//! video analysis and the OSM cache alike, so it sits below all of them.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use image::DynamicImage;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A perceptual hash with the exact recipe that produced it, so hashes from different
/// versions are never compared as if they were alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerceptualHash {
    /// e.g. `gradient-8x8` (dHash over the oriented 256-px preview).
    pub algorithm: String,
    /// The recipe version; bump whenever the computation changes.
    pub version: u32,
    /// The hash bits, lowercase hex.
    pub hex: String,
}

impl PerceptualHash {
    pub const ALGORITHM: &'static str = "gradient-8x8";
    pub const VERSION: u32 = 1;
    /// Bits in a hash of this recipe.
    pub const BITS: u32 = 64;

    /// How many bits differ (0 = the same picture as far as the hash can tell); `None`
    /// when the two were made by different recipes and cannot be compared.
    pub fn distance(&self, other: &PerceptualHash) -> Option<u32> {
        if self.algorithm != other.algorithm || self.version != other.version {
            return None;
        }
        let (a, b) = (hex::decode(&self.hex).ok()?, hex::decode(&other.hex).ok()?);
        if a.len() != b.len() {
            return None;
        }
        Some(a.iter().zip(&b).map(|(x, y)| (x ^ y).count_ones()).sum())
    }
}

/// SHA-256 of a byte slice, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 of a file, streamed (for verifying large originals).
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// dHash ("gradient") over the oriented preview, 64 bits.
pub fn perceptual_hash(preview: &DynamicImage) -> PerceptualHash {
    let hasher = image_hasher::HasherConfig::new()
        .hash_alg(image_hasher::HashAlg::Gradient)
        .hash_size(8, 8)
        .to_hasher();
    PerceptualHash {
        algorithm: PerceptualHash::ALGORITHM.to_owned(),
        version: PerceptualHash::VERSION,
        hex: hex::encode(hasher.hash_image(preview).as_bytes()),
    }
}
