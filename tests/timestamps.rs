//! RFC 3161 tokens checked offline against real responses (auto-archiver's fixtures):
//! imprint, signature, chain to a shipped root at the stamp's time.
#![allow(clippy::unwrap_used)]

mod util;

use geoproof::timestamp::{StampError, shipped_roots, verify, verify_at};
use util::data;

const STAMPED: &[u8] = b"4b7b4e39f12b8c725e6e603e6d4422500316df94211070682ef10260ff5759ef";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(data(&format!("timestamping/{name}"))).unwrap()
}

#[test]
fn real_tokens_verify_offline_with_their_time_signer_and_root() {
    let ok = verify(&fixture("valid_timestamp.tsr"), STAMPED, shipped_roots()).unwrap();
    assert_eq!(ok.time.to_rfc3339(), "2025-03-11T10:43:58+00:00");
    assert_eq!(ok.root, "IdenTrust Commercial Root CA 1");
    assert_eq!(ok.hash, "SHA-512");
    assert!(ok.signer.contains("TrustID"), "{}", ok.signer);
    // The bare token (no response wrapper) is the same proof.
    let token = verify(&fixture("identrust-token.der"), STAMPED, shipped_roots()).unwrap();
    assert_eq!(token.time, ok.time);
    let digicert = verify(&fixture("digicert.tsr"), STAMPED, shipped_roots()).unwrap();
    assert_eq!(digicert.time.to_rfc3339(), "2025-03-24T11:17:47+00:00");
    assert!(digicert.root.contains("DigiCert"), "{}", digicert.root);
}

#[test]
fn a_token_for_other_data_a_self_signed_authority_or_garbage_is_refused() {
    assert_eq!(
        verify(
            &fixture("valid_timestamp.tsr"),
            b"other data",
            shipped_roots()
        ),
        Err(StampError::OtherData)
    );
    let e = verify(&fixture("self_signed.tsr"), STAMPED, shipped_roots()).unwrap_err();
    assert!(
        matches!(e, StampError::Untrusted(ref why) if why.contains("self-signed")),
        "{e}"
    );
    assert!(matches!(
        verify(b"not a token", STAMPED, shipped_roots()),
        Err(StampError::NotAToken(_))
    ));
    // One flipped bit in the signature breaks it.
    let mut tampered = fixture("identrust-token.der");
    let n = tampered.len();
    tampered[n - 10] ^= 1;
    assert!(verify(&tampered, STAMPED, shipped_roots()).is_err());
}

#[test]
fn the_chain_is_judged_at_the_stamps_time_not_today() {
    let token = fixture("valid_timestamp.tsr");
    // Certificates that expire later do not undo a stamp made while they were valid…
    assert!(verify(&token, STAMPED, shipped_roots()).is_ok());
    // …but a stamp dated after its certificate expired proves nothing.
    let long_after = "2099-01-01T00:00:00Z".parse().unwrap();
    let e = verify_at(&token, STAMPED, shipped_roots(), Some(long_after)).unwrap_err();
    assert!(
        matches!(e, StampError::Untrusted(ref why) if why.contains("expired")),
        "{e}"
    );
    let before = "2000-01-01T00:00:00Z".parse().unwrap();
    let e = verify_at(&token, STAMPED, shipped_roots(), Some(before)).unwrap_err();
    assert!(
        matches!(e, StampError::Untrusted(ref why) if why.contains("not yet valid")),
        "{e}"
    );
}

#[test]
fn requests_are_der_that_openssl_reads() {
    let req = geoproof::timestamp::request(b"manifest bytes", 42).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("req.tsq");
    std::fs::write(&path, &req).unwrap();
    let Ok(out) = std::process::Command::new("openssl")
        .args(["ts", "-query", "-in"])
        .arg(&path)
        .arg("-text")
        .output()
    else {
        eprintln!("openssl not installed; DER checked by our own parser only");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("sha256"), "{text}{err}");
    assert!(text.contains("Certificate required: yes"), "{text}");
    assert!(text.contains("Nonce: 0x2A"), "{text}");
}

#[test]
fn a_stored_stamp_is_checked_by_verify_with_what_it_covers() {
    use geoproof::case::{AuthorityReply, Case, ImportOptions};
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::create(&dir.path().join("c"), "stamps").unwrap();
    case.import(&data("rocket-gps.jpg"), &ImportOptions::default())
        .unwrap();
    let manifest = case.stamp_manifest().unwrap();
    let lines: Vec<&str> = manifest.lines().collect();
    assert_eq!(lines.len(), 2, "{manifest}");
    assert!(
        lines[0].ends_with(".jpg") && lines[1].ends_with(".json"),
        "sorted by path"
    );
    // A real token, but for other data: stored, and reported as proving nothing.
    case.store_stamp(
        &manifest,
        &[AuthorityReply {
            url: "http://timestamp.identrust.com".into(),
            request: geoproof::timestamp::request(manifest.as_bytes(), 1).unwrap(),
            response: Ok(fixture("valid_timestamp.tsr")),
        }],
    )
    .unwrap();
    // A stamp whose manifest is the token's own data: valid, covering nothing of ours.
    case.store_stamp(
        std::str::from_utf8(STAMPED).unwrap(),
        &[AuthorityReply {
            url: "http://timestamp.identrust.com".into(),
            request: Vec::new(),
            response: Ok(fixture("valid_timestamp.tsr")),
        }],
    )
    .unwrap();
    let checks = case.verify_stamps();
    assert_eq!(checks.len(), 2);
    assert!(!checks[0].valid);
    assert!(checks[0].problem.as_deref().unwrap().contains("other data"));
    assert!(checks[1].valid, "{:?}", checks[1]);
    assert_eq!(
        checks[1].time.unwrap().to_rfc3339(),
        "2025-03-11T10:43:58+00:00"
    );
    let stamp_dir = dir.path().join("c").join(&checks[0].what);
    assert!(
        stamp_dir.join("1-chain.pem").exists(),
        "the chain is stored too"
    );
    // `verify` reports both and fails on the one that proves nothing.
    let run = util::geoproof(["verify".as_ref(), dir.path().join("c").as_os_str()]);
    run.assert_failed();
    assert!(
        run.stdout
            .contains("NOT VALID: the token is for other data"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("stamped 2025-03-11 10:43:58 UTC"),
        "{}",
        run.stdout
    );
}

#[cfg(feature = "gui")]
#[test]
fn the_stamp_command_asks_first_then_sends_only_the_hash_and_stores_the_answer() {
    use geoproof::case::{Case, ImportOptions};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("c");
    let mut case = Case::create(&root, "stamps").unwrap();
    case.import(&data("rocket-gps.jpg"), &ImportOptions::default())
        .unwrap();
    drop(case);
    let refused = util::geoproof([
        "stamp".as_ref(),
        root.as_os_str(),
        "--tsa".as_ref(),
        "http://127.0.0.1:9/".as_ref(),
    ]);
    refused.assert_failed();
    assert!(
        refused.stderr.contains("add --yes to agree"),
        "{}",
        refused.stderr
    );
    assert!(!root.join("timestamps").exists());
    let (url, server) = util::local_authority(fixture("valid_timestamp.tsr"));
    let run = util::geoproof([
        "stamp".as_ref(),
        root.as_os_str(),
        "--tsa".as_ref(),
        url.as_ref(),
        "--yes".as_ref(),
    ]);
    let request = server.join().unwrap();
    let body = &request[request.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4..];
    // What left the machine: a DER request (no file names, no evidence), 80-odd bytes.
    assert!(body.len() < 120, "{}", body.len());
    assert!(!String::from_utf8_lossy(body).contains("rocket"));
    // The canned answer stamps other data: stored, and said to prove nothing.
    run.assert_failed();
    assert!(run.stdout.contains("NOT VALID"), "{}", run.stdout);
    let stamps: Vec<_> = std::fs::read_dir(root.join("timestamps"))
        .unwrap()
        .collect();
    assert_eq!(stamps.len(), 1);
    let log = std::fs::read_to_string(root.join("log.jsonl")).unwrap();
    assert!(log.contains("\"case_stamped\""));
}
