//! The bundled demo case opens, is intact, and shows the whole workflow.
#![allow(clippy::unwrap_used)]

use geoproof::case::Case;

#[test]
fn bundled_demo_case_is_intact_and_complete() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-case");
    let case = Case::open_read_only(&root).unwrap();
    let report = case.verify().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert!(
        case.evidence()
            .any(|e| e.exif.lat.is_some() && e.exif.direction_deg.is_some())
    );
    assert!(case.findings().any(|f| f.location.is_some()));
}

#[test]
fn demo_case_has_a_finished_identity_comparison_and_geolocation() {
    use geoproof::case::comparison::Assessment;
    use geoproof::case::{Confidence, FindingKind};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-case");
    let case = Case::open_read_only(&root).unwrap();
    for f in case.findings() {
        assert!(f.check().is_ok(), "{}: {:?}", f.id, f.check());
        for sha in f.evidence_ids() {
            case.find_evidence(sha).unwrap();
        }
    }
    let comparison = case
        .findings()
        .find(|f| f.kind == FindingKind::Comparison)
        .expect("an identity comparison");
    assert_eq!(
        comparison.evidence_ids().len(),
        2,
        "two photos side by side"
    );
    let described = comparison
        .links
        .iter()
        .filter(|l| l.assessment == Assessment::Consistent && !l.description.is_empty())
        .count();
    assert!(described >= 3, "at least three described linked features");
    assert_ne!(comparison.confidence, Confidence::Unverified);
    assert!(case.findings().any(|f| f.kind == FindingKind::Geolocation
        && f.location.is_some()
        && !f.verdict.is_empty()));
}
