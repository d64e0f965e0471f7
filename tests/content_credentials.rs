//! Content credentials (C2PA) read and validated offline at intake (#34 item 6), on the
//! C2PA SDK's own test images (tests/data/real/c2pa/SOURCES): the values expected are
//! what exiftool and openssl read from the same files.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::PathBuf;

use geoproof::case::{Case, Edit, Finding, FindingKind};
use geoproof::evidence::{ContentCredentials, credentials, inspect_file};
use util::{add_to_new_case, geoproof};

fn c2pa(name: &str) -> PathBuf {
    util::data(&format!("real/c2pa/{name}"))
}

#[test]
fn a_signed_photo_is_valid_but_its_test_signer_is_on_no_trust_list() {
    let i = inspect_file(&c2pa("CA.jpg")).unwrap();
    let ContentCredentials::Untrusted(s) = &i.credentials else {
        panic!("{:?}", i.credentials)
    };
    // openssl x509 -subject on the COSE x5chain's first certificate.
    assert_eq!(s.signer.as_deref(), Some("C2PA Signer"));
    assert_eq!(s.organisation.as_deref(), Some("C2PA Test Signing Cert"));
    // exiftool: Claim generator, Actions Action, the ingredient's Title/Relationship.
    assert_eq!(
        s.claim_generator.as_deref(),
        Some("make_test_images/0.33.1 c2pa-rs/0.33.1")
    );
    assert_eq!(s.actions, ["c2pa.opened", "c2pa.color_adjustments"]);
    assert_eq!(s.ingredients.len(), 1);
    assert_eq!(s.ingredients[0].title.as_deref(), Some("A.jpg"));
    assert_eq!(s.ingredients[0].relationship, "parentOf");
    assert!(s.failures.is_empty(), "{:?}", s.failures);
    assert!(
        i.credentials
            .one_line()
            .starts_with("valid, signer not on a trust list (signed by C2PA Signer"),
        "{}",
        i.credentials.one_line()
    );
}

#[test]
fn a_photo_changed_after_signing_is_invalid_with_the_hash_mismatch_as_reason() {
    let i = inspect_file(&c2pa("XCA.jpg")).unwrap();
    let ContentCredentials::Invalid(s) = &i.credentials else {
        panic!("{:?}", i.credentials)
    };
    assert!(
        s.failures
            .iter()
            .any(|f| f.starts_with("assertion.dataHash.mismatch")),
        "{:?}",
        s.failures
    );
    assert_eq!(
        s.claim_generator.as_deref(),
        Some("make_test_images/0.33.1 c2pa-rs/0.33.1")
    );
    let line = i.credentials.one_line();
    assert!(
        line.starts_with("invalid: assertion.dataHash.mismatch"),
        "{line}"
    );
    assert!(!line.contains('\n'), "{line}");
}

#[test]
fn a_photo_without_a_manifest_has_none() {
    let i = inspect_file(&c2pa("no_manifest.jpg")).unwrap();
    assert_eq!(i.credentials, ContentCredentials::None);
    assert_eq!(i.credentials.one_line(), "none");
    // A photo from another source, too.
    let i = inspect_file(&util::data("coffee-no-gps.jpg")).unwrap();
    assert_eq!(i.credentials, ContentCredentials::None);
}

#[test]
fn a_signed_video_is_read_from_the_file() {
    let c = credentials::read_file(&c2pa("video1.mp4"), "video/mp4");
    let s = c.summary().unwrap_or_else(|| panic!("{c:?}"));
    assert!(
        s.claim_generator
            .as_deref()
            .is_some_and(|g| g.contains("c2pa-rs")),
        "{s:?}"
    );
    assert!(s.actions.iter().any(|a| a == "c2pa.opened"), "{s:?}");
}

/// CA.jpg with its claim's CBOR overwritten: the manifest is present but broken.
fn malformed(dir: &std::path::Path) -> PathBuf {
    let mut bytes = std::fs::read(c2pa("CA.jpg")).unwrap();
    let label = b"c2pa.claim";
    let at = bytes
        .windows(label.len())
        .rposition(|w| w == label)
        .unwrap();
    // The claim box's content follows its description box: wreck the CBOR there.
    for b in &mut bytes[at + label.len() + 16..at + label.len() + 80] {
        *b = 0xff;
    }
    let path = dir.join("broken-manifest.jpg");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_malformed_manifest_gets_one_line_and_the_photo_is_still_taken_in() {
    let dir = tempfile::tempdir().unwrap();
    let file = malformed(dir.path());
    let c = inspect_file(&file).unwrap().credentials;
    assert!(
        matches!(
            c,
            ContentCredentials::Unreadable { .. } | ContentCredentials::Invalid(_)
        ),
        "{c:?}"
    );
    let line = c.one_line();
    assert!(!line.contains('\n') && line.len() < 400, "{line}");
    let (_d, root, _) = add_to_new_case(&file);
    let case = Case::open_read_only(&root).unwrap();
    let record = case.evidence().next().unwrap();
    assert_eq!(record.content_credentials.as_ref(), Some(&c));
    let run = geoproof(["inspect".as_ref(), file.as_os_str()]);
    run.assert_ok();
    let shown = run
        .stdout
        .lines()
        .find(|l| l.starts_with("credentials:"))
        .unwrap();
    assert_eq!(shown, format!("credentials: {line}"));
}

#[test]
fn inspect_shows_the_credentials_in_text_and_json() {
    let run = geoproof(["inspect".as_ref(), c2pa("CA.jpg").as_os_str()]);
    run.assert_ok();
    for want in [
        "credentials: valid, signer not on a trust list",
        "  signer:      C2PA Signer",
        "  actions:     c2pa.opened, c2pa.color_adjustments",
        "  ingredients: A.jpg (parentOf)",
    ] {
        assert!(run.stdout.contains(want), "{want}\n{}", run.stdout);
    }
    let run = geoproof([
        "inspect".as_ref(),
        c2pa("XCA.jpg").as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let c = &run.json()["content_credentials"];
    assert_eq!(c["status"], "invalid");
    assert!(
        c["failures"][0]
            .as_str()
            .unwrap()
            .starts_with("assertion.dataHash.mismatch")
    );
    let run = geoproof([
        "inspect".as_ref(),
        c2pa("no_manifest.jpg").as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(run.json()["content_credentials"]["status"], "none");
}

#[test]
fn the_record_keeps_the_credentials_and_old_records_read_as_unknown() {
    let (_d, root, _) = add_to_new_case(&c2pa("CA.jpg"));
    let case = Case::open_read_only(&root).unwrap();
    let record = case.evidence().next().unwrap().clone();
    let kept = record.content_credentials.clone().unwrap();
    assert!(matches!(kept, ContentCredentials::Untrusted(_)), "{kept:?}");
    // An evidence record written before credentials were read has no such field.
    let mut old = serde_json::to_value(&record).unwrap();
    old.as_object_mut().unwrap().remove("content_credentials");
    let old: geoproof::case::EvidenceRecord = serde_json::from_value(old).unwrap();
    assert_eq!(old.content_credentials, None);
    assert!(old.credentials_line().starts_with("unknown"));
    // And reads back unchanged.
    let again: geoproof::case::EvidenceRecord =
        serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
    assert_eq!(again, record);
}

#[test]
fn the_methods_report_states_each_inputs_credentials() {
    let (dir, root, _) = add_to_new_case(&c2pa("XCA.jpg"));
    let mut case = Case::open(&root).unwrap();
    let sha = case.evidence().next().unwrap().sha256.clone();
    let mut f = Finding::new(FindingKind::Geolocation, "Signed photo");
    f.add_panel(geoproof::case::comparison::PanelSource::Evidence { sha256: sha });
    let id = f.id.clone();
    case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    case.save().unwrap();
    let out = dir.path().join("r.html");
    geoproof([
        "report".as_ref(),
        root.as_os_str(),
        id.as_ref(),
        "--html".as_ref(),
        out.as_os_str(),
    ])
    .assert_ok();
    let html = std::fs::read_to_string(out).unwrap();
    assert!(
        html.contains("content credentials: invalid: assertion.dataHash.mismatch"),
        "{html}"
    );
    assert!(html.contains("actions c2pa.opened, c2pa.color_adjustments"));
    assert!(html.contains("ingredient A.jpg (parentOf)"));
}
