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
