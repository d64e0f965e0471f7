//! `--kind`, `--confidence` and `--review`: the finding filter `list` and `export` share.

use geoproof::case::{Confidence, FindingFilter, FindingKind};

/// `--kind` and `--confidence`, shared by `list` and `export`.
#[derive(Debug, Clone, clap::Args)]
pub struct FilterArgs {
    /// Only findings of this kind (geolocation, comparison, other); repeatable.
    #[arg(long = "kind", value_parser = parse_kind)]
    kinds: Vec<FindingKind>,
    /// Only findings with this confidence (confirmed, likely, possible, unverified,
    /// ruled_out); repeatable.
    #[arg(long = "confidence", value_parser = parse_confidence)]
    confidences: Vec<Confidence>,
    /// Only findings in this review state (draft, ready, approved, disputed); repeatable.
    #[arg(long = "review", value_parser = parse_review_status)]
    review: Vec<geoproof::case::review::ReviewStatus>,
}

fn parse_review_status(
    text: &str,
) -> std::result::Result<geoproof::case::review::ReviewStatus, String> {
    geoproof::case::review::ReviewStatus::parse(text)
        .ok_or_else(|| format!("{text:?} is not a review state (draft, ready, approved, disputed)"))
}

impl FilterArgs {
    pub fn into_filter(self) -> FindingFilter {
        FindingFilter {
            kinds: self.kinds,
            confidences: self.confidences,
            review: self.review,
        }
    }
}

fn parse_kind(text: &str) -> std::result::Result<FindingKind, String> {
    FindingKind::parse(text)
        .ok_or_else(|| format!("{text:?} is not a finding kind (geolocation, comparison, other)"))
}

fn parse_confidence(text: &str) -> std::result::Result<Confidence, String> {
    Confidence::parse(text).ok_or_else(|| {
        format!("{text:?} is not a confidence (confirmed, likely, possible, unverified, ruled_out)")
    })
}
