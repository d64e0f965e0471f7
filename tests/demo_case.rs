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
