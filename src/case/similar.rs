//! Near duplicates: the same frame re-posted, re-encoded or resized has a perceptual hash
//! a few bits away from the original's, while unrelated pictures differ in about half.

use serde::Serialize;

use super::{Case, CaseError, EvidenceRecord};
use crate::evidence::PerceptualHash;

/// Up to this many differing bits (of 64) counts as a near duplicate. Re-encoding and
/// resizing move a gradient hash by 0–6 bits; unrelated photographs differ by ~32.
pub const NEAR_DUPLICATE_MAX_DISTANCE: u32 = 10;

/// Another evidence item and how far its perceptual hash is from the one asked about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Similar {
    pub sha256: String,
    pub original_name: String,
    pub distance: u32,
}

/// The items of `evidence` within `max_distance` of `record`, closest first, except
/// itself. Videos are compared by their hashed frames: a still matches a video when it
/// is close to one of its frames; two videos match when most of one's sampled frames
/// are close to frames of the other (a re-encoded repost).
pub fn similar_to<'a>(
    record: &EvidenceRecord,
    evidence: impl Iterator<Item = &'a EvidenceRecord>,
    max_distance: u32,
) -> Vec<Similar> {
    let mut found: Vec<Similar> = evidence
        .filter(|e| e.sha256 != record.sha256)
        .filter_map(|e| {
            let distance = record_distance(record, e)?;
            (distance <= max_distance).then(|| Similar {
                sha256: e.sha256.clone(),
                original_name: e.original_name.clone(),
                distance,
            })
        })
        .collect();
    found.sort_by(|a, b| a.distance.cmp(&b.distance).then(a.sha256.cmp(&b.sha256)));
    found
}

/// The hashes that stand for an item: a still's own, a video's informative frames.
fn hashes(record: &EvidenceRecord) -> Vec<&PerceptualHash> {
    match &record.video {
        Some(video) => video
            .all_hashes()
            .map(|h| &h.hash)
            .filter(|h| is_informative(h))
            .collect(),
        None => record.perceptual_hash.iter().collect(),
    }
}

/// A uniform frame (black, white, a flat colour) hashes to all zeros or all ones and
/// would match every other uniform frame.
fn is_informative(hash: &PerceptualHash) -> bool {
    let ones: u32 = hex::decode(&hash.hex)
        .map(|b| b.iter().map(|x| x.count_ones()).sum())
        .unwrap_or(0);
    ones > 4 && ones < PerceptualHash::BITS - 4
}

/// How far apart two items look, in differing hash bits (`None`: not comparable).
fn record_distance(a: &EvidenceRecord, b: &EvidenceRecord) -> Option<u32> {
    let (ha, hb) = (hashes(a), hashes(b));
    let nearest = |h: &PerceptualHash, others: &[&PerceptualHash]| {
        others.iter().filter_map(|o| h.distance(o)).min()
    };
    if a.kind().has_frames() && b.kind().has_frames() {
        // Median over the shorter list's frames of the distance to the nearest frame of
        // the other: one similar frame (a shared title card) is not a repost.
        let (short, long) = if ha.len() <= hb.len() {
            (&ha, &hb)
        } else {
            (&hb, &ha)
        };
        let mut minima: Vec<u32> = short.iter().filter_map(|h| nearest(h, long)).collect();
        minima.sort_unstable();
        minima.get(minima.len() / 2).copied()
    } else {
        ha.iter().filter_map(|h| nearest(h, &hb)).min()
    }
}

impl Case {
    /// Evidence that looks like item `id` (a full id or unique prefix), closest first.
    pub fn similar(&self, id: &str, max_distance: u32) -> Result<Vec<Similar>, CaseError> {
        let record = self.find_evidence(id)?;
        Ok(similar_to(record, self.evidence(), max_distance))
    }
}
