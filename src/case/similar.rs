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

/// The items of `evidence` within `max_distance` of `hash`, closest first, except `skip`.
pub fn similar_to<'a>(
    hash: &PerceptualHash,
    evidence: impl Iterator<Item = &'a EvidenceRecord>,
    skip: &str,
    max_distance: u32,
) -> Vec<Similar> {
    let mut found: Vec<Similar> = evidence
        .filter(|e| e.sha256 != skip)
        .filter_map(|e| {
            let distance = hash.distance(e.perceptual_hash.as_ref()?)?;
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

impl Case {
    /// Evidence that looks like item `id` (a full id or unique prefix), closest first.
    pub fn similar(&self, id: &str, max_distance: u32) -> Result<Vec<Similar>, CaseError> {
        let record = self.find_evidence(id)?;
        let Some(hash) = &record.perceptual_hash else {
            return Ok(Vec::new());
        };
        Ok(similar_to(
            hash,
            self.evidence(),
            &record.sha256,
            max_distance,
        ))
    }
}
