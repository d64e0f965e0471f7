//! The review rules that need the finding itself: who its author is, and the case's
//! review figures.

use serde::Serialize;

use super::model::Finding;
use super::review::{ReviewStatus, compare_blind};

/// Whether `public_key` (or `name`) belongs to the finding's author: the `author` field
/// (names compared without case), an author signature, or the step that made it ready.
pub fn is_author(finding: &Finding, name: &str, public_key: &str) -> bool {
    let by_name = !finding.author.trim().is_empty()
        && finding.author.trim().eq_ignore_ascii_case(name.trim());
    let signed = finding
        .review
        .signatures
        .iter()
        .any(|s| s.public_key == public_key);
    let made_ready = finding.review.history.iter().any(|s| {
        s.to == ReviewStatus::Ready
            && s.signature
                .as_ref()
                .is_some_and(|sig| sig.public_key == public_key)
    });
    by_name || signed || made_ready
}

/// The case's review figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReviewSummary {
    pub findings: usize,
    /// Findings in each state, in [`ReviewStatus::ALL`] order.
    pub by_status: Vec<(String, usize)>,
    pub approvals: usize,
    pub disputes: usize,
    /// Disputes ÷ (approvals + disputes) over every review step; `None` with none.
    pub dispute_rate: Option<f64>,
    pub blind_reviews: usize,
    /// Blind reviews that agree (either point in the other's circle) ÷ blind reviews.
    pub blind_agreement_rate: Option<f64>,
    /// Blind reviews whose point lies in the author's circle ÷ blind reviews.
    pub blind_within_author_circle_rate: Option<f64>,
    pub median_blind_distance_m: Option<f64>,
}

/// Review figures over `findings`.
pub fn summary<'a>(findings: impl Iterator<Item = &'a Finding>) -> ReviewSummary {
    let mut s = ReviewSummary::default();
    let mut counts = [0usize; 4];
    let mut distances = Vec::new();
    let (mut agree, mut within) = (0, 0);
    for f in findings {
        s.findings += 1;
        let i = ReviewStatus::ALL
            .iter()
            .position(|x| *x == f.review.status)
            .unwrap_or(0);
        counts[i] += 1;
        for step in &f.review.history {
            match step.to {
                ReviewStatus::Approved => s.approvals += 1,
                ReviewStatus::Disputed => s.disputes += 1,
                _ => {}
            }
        }
        for b in &f.review.blind {
            s.blind_reviews += 1;
            if let Some(l) = &f.location {
                let c = compare_blind([l.lat, l.lon, l.precision_m], b.lat, b.lon, b.precision_m);
                distances.push(c.distance_m);
                agree += usize::from(c.agrees());
                within += usize::from(c.reviewer_in_author_circle);
            }
        }
    }
    s.by_status = ReviewStatus::ALL
        .iter()
        .zip(counts)
        .map(|(st, n)| (st.as_str().to_owned(), n))
        .collect();
    let rate = |n: usize, d: usize| (d > 0).then(|| n as f64 / d as f64);
    s.dispute_rate = rate(s.disputes, s.approvals + s.disputes);
    s.blind_agreement_rate = rate(agree, distances.len());
    s.blind_within_author_circle_rate = rate(within, distances.len());
    distances.sort_by(f64::total_cmp);
    s.median_blind_distance_m = match distances.len() {
        0 => None,
        n if n % 2 == 1 => Some(distances[n / 2]),
        n => Some((distances[n / 2 - 1] + distances[n / 2]) / 2.0),
    };
    s
}
