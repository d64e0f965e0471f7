//! Ordering and filtering the evidence and finding lists the way an analyst browses a
//! large case: by name, by when it was taken in, by when it was captured (or observed),
//! by type; narrowed by a text, by type, and to located items.

use std::cmp::Ordering;

use super::{Case, EvidenceRecord, Finding, FindingFilter};

/// What a list is sorted by.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum SortKey {
    /// Original file name (evidence) or title (findings), case-insensitive.
    #[default]
    Name,
    /// When the item entered the case (evidence intake, finding creation).
    Added,
    /// When the scene was captured (EXIF time) or observed (a finding's time).
    Captured,
    /// Media type (evidence) or kind (findings).
    Type,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [
        SortKey::Name,
        SortKey::Added,
        SortKey::Captured,
        SortKey::Type,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Added => "intake time",
            SortKey::Captured => "capture time",
            SortKey::Type => "type",
        }
    }
}

/// A list's order and filter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct ListQuery {
    /// Case-insensitive text matched against the name and the type.
    pub text: String,
    pub sort: SortKey,
    pub descending: bool,
    /// Only items with a position (evidence GPS, a finding's location).
    pub located_only: bool,
}

/// Names with numbers in numeric order: `p2.jpg` before `p10.jpg`.
fn natural(a: &str, b: &str) -> Ordering {
    alphanumeric_sort::compare_str(a, b)
}

fn contains_folded(haystack: &str, needle_lower: &str) -> bool {
    needle_lower.is_empty() || haystack.to_lowercase().contains(needle_lower)
}

/// Items without the sort value go last whatever the direction.
fn missing_last<T: Ord>(a: &Option<T>, b: &Option<T>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) if descending => b.cmp(a),
        (Some(a), Some(b)) => a.cmp(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn directed(order: Ordering, descending: bool) -> Ordering {
    if descending { order.reverse() } else { order }
}

impl ListQuery {
    /// The case's evidence in this order, filtered; ties broken by hash so the order is
    /// stable from frame to frame.
    pub fn evidence<'a>(&self, case: &'a Case) -> Vec<&'a EvidenceRecord> {
        let needle = self.text.trim().to_lowercase();
        let mut items: Vec<(&EvidenceRecord, String)> = case
            .evidence()
            .filter(|e| !self.located_only || (e.exif.lat.is_some() && e.exif.lon.is_some()))
            .filter(|e| {
                contains_folded(&e.original_name, &needle)
                    || contains_folded(&e.media_type, &needle)
            })
            .map(|e| (e, e.original_name.to_lowercase()))
            .collect();
        items.sort_by(|(a, an), (b, bn)| {
            let primary = match self.sort {
                SortKey::Name => directed(natural(an, bn), self.descending),
                SortKey::Added => directed(a.acquired_at.cmp(&b.acquired_at), self.descending),
                SortKey::Captured => missing_last(
                    &a.exif.taken_at.as_ref().or(a.exif.gps_time_utc.as_ref()),
                    &b.exif.taken_at.as_ref().or(b.exif.gps_time_utc.as_ref()),
                    self.descending,
                ),
                SortKey::Type => directed(a.media_type.cmp(&b.media_type), self.descending),
            };
            primary
                .then_with(|| natural(an, bn))
                .then_with(|| a.sha256.cmp(&b.sha256))
        });
        items.into_iter().map(|(e, _)| e).collect()
    }

    /// The case's findings in this order, filtered by the query and by `filter` (kind,
    /// confidence); ties broken by id.
    pub fn findings<'a>(&self, case: &'a Case, filter: &FindingFilter) -> Vec<&'a Finding> {
        let needle = self.text.trim().to_lowercase();
        let mut items: Vec<(&Finding, String)> = case
            .findings()
            .filter(|f| filter.matches(f))
            .filter(|f| !self.located_only || f.location.is_some())
            .filter(|f| {
                contains_folded(&f.title, &needle) || contains_folded(f.kind.as_str(), &needle)
            })
            .map(|f| (f, f.title.to_lowercase()))
            .collect();
        items.sort_by(|(a, an), (b, bn)| {
            let primary = match self.sort {
                SortKey::Name => directed(natural(an, bn), self.descending),
                SortKey::Added => directed(a.created.cmp(&b.created), self.descending),
                SortKey::Captured => missing_last(&a.observed_at, &b.observed_at, self.descending),
                SortKey::Type => directed(a.kind.as_str().cmp(b.kind.as_str()), self.descending),
            };
            primary
                .then_with(|| natural(an, bn))
                .then_with(|| a.id.cmp(&b.id))
        });
        items.into_iter().map(|(f, _)| f).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Edit, EvidenceRecord, Extra, FindingKind, FindingLocation};

    fn record(name: &str, n: u8, media: &str, taken: Option<&str>, gps: bool) -> EvidenceRecord {
        let sha = format!("{:064x}", n);
        EvidenceRecord {
            file: format!("evidence/{sha}.jpg"),
            sha256: sha,
            original_name: name.into(),
            size_bytes: 1,
            media_type: media.into(),
            width: 10,
            height: 10,
            exif: crate::evidence::ExifSummary {
                taken_at: taken.map(str::to_owned),
                lat: gps.then_some(50.0),
                lon: gps.then_some(30.0),
                ..Default::default()
            },
            perceptual_hash: None,
            source_url: None,
            acquired_at: chrono::DateTime::from_timestamp(1_700_000_000 + i64::from(n), 0).unwrap(),
            notes: String::new(),
            fov_deg: None,
            warnings: Vec::new(),
            video: None,
            derived_from: None,
            graphic: false,
            sources: Vec::new(),
            content_credentials: None,
            extra: Extra::new(),
        }
    }

    fn case() -> (tempfile::TempDir, Case) {
        let dir = tempfile::tempdir().unwrap();
        let mut case = Case::create(&dir.path().join("c"), "t").unwrap();
        for r in [
            record(
                "p175.jpg",
                1,
                "image/jpeg",
                Some("2024-03-22T18:00:00"),
                true,
            ),
            record("P127.jpg", 2, "image/png", None, false),
            record(
                "a-arrest.webp",
                3,
                "image/webp",
                Some("2024-03-21T09:00:00"),
                false,
            ),
        ] {
            case.apply(Edit::AddEvidence(Box::new(r))).unwrap();
        }
        (dir, case)
    }

    fn names(list: Vec<&EvidenceRecord>) -> Vec<&str> {
        list.into_iter().map(|e| e.original_name.as_str()).collect()
    }

    #[test]
    fn evidence_sorts_by_name_intake_capture_and_type() {
        let (_d, case) = case();
        let mut q = ListQuery::default();
        assert_eq!(
            names(q.evidence(&case)),
            ["a-arrest.webp", "P127.jpg", "p175.jpg"]
        );
        q.descending = true;
        assert_eq!(
            names(q.evidence(&case)),
            ["p175.jpg", "P127.jpg", "a-arrest.webp"]
        );
        q = ListQuery {
            sort: SortKey::Added,
            ..Default::default()
        };
        assert_eq!(
            names(q.evidence(&case)),
            ["p175.jpg", "P127.jpg", "a-arrest.webp"]
        );
        q.sort = SortKey::Captured;
        assert_eq!(
            names(q.evidence(&case)),
            ["a-arrest.webp", "p175.jpg", "P127.jpg"]
        );
        q.descending = true;
        // Newest first, still with the undated item last.
        assert_eq!(
            names(q.evidence(&case)),
            ["p175.jpg", "a-arrest.webp", "P127.jpg"]
        );
        q = ListQuery {
            sort: SortKey::Type,
            ..Default::default()
        };
        assert_eq!(
            names(q.evidence(&case)),
            ["p175.jpg", "P127.jpg", "a-arrest.webp"]
        );
    }

    #[test]
    fn numbered_names_sort_by_their_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let mut case = Case::create(&dir.path().join("c"), "t").unwrap();
        for (i, name) in ["p10.jpg", "p2.jpg", "p1.jpg", "P100.jpg"]
            .iter()
            .enumerate()
        {
            let r = record(name, i as u8 + 1, "image/jpeg", None, false);
            case.apply(Edit::AddEvidence(Box::new(r))).unwrap();
        }
        let q = ListQuery::default();
        assert_eq!(
            names(q.evidence(&case)),
            ["p1.jpg", "p2.jpg", "p10.jpg", "P100.jpg"]
        );
    }

    #[test]
    fn evidence_filters_by_text_type_and_location() {
        let (_d, case) = case();
        let q = ListQuery {
            text: " ARREST ".into(),
            ..Default::default()
        };
        assert_eq!(names(q.evidence(&case)), ["a-arrest.webp"]);
        let q = ListQuery {
            text: "png".into(),
            ..Default::default()
        };
        assert_eq!(names(q.evidence(&case)), ["P127.jpg"]);
        let q = ListQuery {
            located_only: true,
            ..Default::default()
        };
        assert_eq!(names(q.evidence(&case)), ["p175.jpg"]);
    }

    #[test]
    fn findings_sort_and_filter_with_the_kind_filter() {
        let (_d, mut case) = case();
        for (title, kind, located) in [
            ("Zeta roofline", FindingKind::Comparison, false),
            ("alpha junction", FindingKind::Geolocation, true),
        ] {
            let mut f = Finding::new(kind, title);
            if located {
                f.location = Some(FindingLocation {
                    lat: 1.0,
                    lon: 2.0,
                    precision_m: 5.0,
                });
            }
            case.apply(Edit::PutFinding(Box::new(f))).unwrap();
        }
        let titles = |q: &ListQuery, filter: &FindingFilter| -> Vec<String> {
            q.findings(&case, filter)
                .into_iter()
                .map(|f| f.title.clone())
                .collect()
        };
        let q = ListQuery::default();
        assert_eq!(
            titles(&q, &FindingFilter::default()),
            ["alpha junction", "Zeta roofline"]
        );
        let q = ListQuery {
            located_only: true,
            ..Default::default()
        };
        assert_eq!(titles(&q, &FindingFilter::default()), ["alpha junction"]);
        let only_comparisons = FindingFilter {
            kinds: vec![FindingKind::Comparison],
            ..Default::default()
        };
        assert_eq!(
            titles(&ListQuery::default(), &only_comparisons),
            ["Zeta roofline"]
        );
        let q = ListQuery {
            text: "geoloc".into(),
            ..Default::default()
        };
        assert_eq!(titles(&q, &FindingFilter::default()), ["alpha junction"]);
    }
}
