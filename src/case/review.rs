//! Second-analyst review of a finding: its state (draft → ready → approved or disputed,
//! back to draft when edited after approval), the signed steps that led there, and
//! blind re-geolocations by reviewers who had not seen the answer.
//!
//! Everything here lives in the finding's `review` field, which its canonical (signed)
//! form leaves out: signing or reviewing a finding does not change what was signed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use serde_json::Value;

/// A file a signed finding rests on, with its SHA-256 when signed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SignedInput {
    /// `evidence`, `source_video`, `map_snapshot` or `imagery_layer`.
    pub kind: String,
    /// The evidence id or the path inside the case.
    pub id: String,
    /// `None`: unknown (an imagery layer outside the case folder is never read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// One analyst's signature over a finding (see the module notes for what it covers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingSignature {
    /// `author`, `review:ready`, `review:approved`, `review:disputed` or `blind_review`.
    pub purpose: String,
    pub analyst: String,
    /// Ed25519 public key, lowercase hex.
    pub public_key: String,
    pub signed_at: DateTime<Utc>,
    pub inputs: Vec<SignedInput>,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub detail: Value,
    /// The canonical form of the finding as signed.
    pub finding: String,
    /// Ed25519 signature of the statement, lowercase hex (64 bytes).
    pub signature: String,
}

/// Where a finding stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    #[default]
    Draft,
    /// Ready for review.
    Ready,
    Approved,
    Disputed,
}

impl ReviewStatus {
    pub const ALL: [ReviewStatus; 4] = [
        ReviewStatus::Draft,
        ReviewStatus::Ready,
        ReviewStatus::Approved,
        ReviewStatus::Disputed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Draft => "draft",
            ReviewStatus::Ready => "ready",
            ReviewStatus::Approved => "approved",
            ReviewStatus::Disputed => "disputed",
        }
    }

    pub fn parse(text: &str) -> Option<ReviewStatus> {
        let t = text.trim().to_ascii_lowercase();
        ReviewStatus::ALL.into_iter().find(|s| s.as_str() == t)
    }

    /// The moves an analyst may make: draft → ready, ready → approved or disputed,
    /// approved → disputed (a later reviewer disagrees), disputed → ready (after a fix).
    /// approved → draft is never asked for: an edit after approval does it.
    pub fn may_move_to(self, to: ReviewStatus) -> bool {
        use ReviewStatus::*;
        matches!(
            (self, to),
            (Draft, Ready)
                | (Ready, Approved)
                | (Ready, Disputed)
                | (Approved, Disputed)
                | (Disputed, Ready)
        )
    }
}

/// One change of review state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewStep {
    pub from: ReviewStatus,
    pub to: ReviewStatus,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// The analyst's name, or `geoproof` for the automatic return to draft.
    pub by: String,
    pub at: DateTime<Utc>,
    /// Every step an analyst takes is signed; the automatic return to draft is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<FindingSignature>,
}

/// A reviewer's own location for a geolocation, made without seeing the author's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlindReview {
    pub analyst: String,
    pub public_key: String,
    pub lat: f64,
    pub lon: f64,
    pub precision_m: f64,
    pub at: DateTime<Utc>,
    pub signature: FindingSignature,
}

/// The review record of a finding.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Review {
    #[serde(default)]
    pub status: ReviewStatus,
    /// Why it is disputed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<ReviewStep>,
    /// Signatures by the finding's author(s) (`geoproof sign`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<FindingSignature>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blind: Vec<BlindReview>,
}

impl Review {
    pub fn is_empty(&self) -> bool {
        *self == Review::default()
    }

    /// Every signature the record holds, with what it is for.
    pub fn all_signatures(&self) -> impl Iterator<Item = &FindingSignature> {
        self.signatures
            .iter()
            .chain(self.history.iter().filter_map(|s| s.signature.as_ref()))
            .chain(self.blind.iter().map(|b| &b.signature))
    }

    /// The record is consistent: its state is where its last step leads, and sizes
    /// are sane. (Whether the signatures hold is `verify`'s question.)
    pub(super) fn check(&self) -> Result<(), super::invalid::Invalid> {
        use super::invalid::Invalid;
        use super::limits::{MAX_LONG_TEXT, count, text};
        count("review steps", self.history.len())?;
        count("signatures", self.signatures.len())?;
        count("blind reviews", self.blind.len())?;
        text("dispute reason", &self.reason, MAX_LONG_TEXT)?;
        let last = self.history.last().map_or(ReviewStatus::Draft, |s| s.to);
        if last != self.status {
            return Err(Invalid::rule(
                "review status",
                format!(
                    "review status {} is not where its history leads ({})",
                    self.status.as_str(),
                    last.as_str()
                ),
            ));
        }
        for s in &self.history {
            let automatic = s.from == ReviewStatus::Approved && s.to == ReviewStatus::Draft;
            if s.signature.is_none() && !automatic {
                return Err(Invalid::rule(
                    "review step",
                    format!(
                        "the step {} → {} is not signed",
                        s.from.as_str(),
                        s.to.as_str()
                    ),
                ));
            }
        }
        for b in &self.blind {
            if !((-90.0..=90.0).contains(&b.lat)
                && (-180.0..=180.0).contains(&b.lon)
                && b.precision_m.is_finite()
                && (0.0..=2.1e7).contains(&b.precision_m))
            {
                return Err(Invalid::rule(
                    "blind review",
                    format!("blind review by {:?} is not a place", b.analyst),
                ));
            }
        }
        Ok(())
    }
}

/// A blind location against the finding's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BlindComparison {
    /// Geodesic distance (WGS84, Karney), metres.
    pub distance_m: f64,
    /// The reviewer's point lies within the author's precision circle.
    pub reviewer_in_author_circle: bool,
    /// The author's point lies within the reviewer's precision circle.
    pub author_in_reviewer_circle: bool,
}

impl BlindComparison {
    /// Agreement: either point lies in the other's circle.
    pub fn agrees(&self) -> bool {
        self.reviewer_in_author_circle || self.author_in_reviewer_circle
    }
}

/// Compares a blind location with the author's `[lat, lon, precision_m]` (both already
/// range-checked).
pub fn compare_blind(author: [f64; 3], lat: f64, lon: f64, precision_m: f64) -> BlindComparison {
    use crate::spatial::{LatLon, distance_m};
    let distance_m = distance_m(
        LatLon {
            lat: author[0],
            lon: author[1],
        },
        LatLon { lat, lon },
    );
    BlindComparison {
        distance_m,
        reviewer_in_author_circle: distance_m <= author[2],
        author_in_reviewer_circle: distance_m <= precision_m,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listed_moves_are_allowed() {
        use ReviewStatus::*;
        assert!(Draft.may_move_to(Ready));
        assert!(Ready.may_move_to(Approved));
        assert!(!Draft.may_move_to(Approved));
        assert!(!Approved.may_move_to(Ready));
        assert!(!Disputed.may_move_to(Approved));
    }

    #[test]
    fn a_status_must_be_where_the_history_leads() {
        let mut r = Review {
            status: ReviewStatus::Approved,
            ..Review::default()
        };
        assert!(
            r.check()
                .unwrap_err()
                .to_string()
                .contains("not where its history leads")
        );
        r.status = ReviewStatus::Draft;
        assert!(r.check().is_ok());
    }
}
