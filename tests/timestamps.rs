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
    let e = verify_at(&token, STAMPED, &[], shipped_roots(), Some(long_after)).unwrap_err();
    assert!(
        matches!(e, StampError::Untrusted(ref why) if why.contains("expired")),
        "{e}"
    );
    let before = "2000-01-01T00:00:00Z".parse().unwrap();
    let e = verify_at(&token, STAMPED, &[], shipped_roots(), Some(before)).unwrap_err();
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

fn real(name: &str) -> Vec<u8> {
    std::fs::read(data(&format!("real/timestamps/{name}"))).unwrap()
}

/// A trust anchor made from a certificate the test names (the shipped roots do not
/// hold these authorities' roots).
fn anchor(der: &[u8]) -> rustls_pki_types::TrustAnchor<'static> {
    let cert = rustls_pki_types::CertificateDer::from(der.to_vec());
    webpki::anchor_from_trusted_cert(&cert).unwrap().to_owned()
}

/// `openssl ts -verify` of `token` over `data` with `ca` trusted (and `untrusted`
/// certificates offered), at unix time `at`; `None` when openssl is not installed.
fn openssl_verify(
    token: &[u8],
    data: &[u8],
    ca: &[u8],
    untrusted: &[u8],
    at: i64,
) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let (t, d, c) = (write("t.tsr", token), write("d", data), write("ca.pem", ca));
    let mut cmd = std::process::Command::new("openssl");
    cmd.args(["ts", "-verify", "-in"])
        .arg(&t)
        .arg("-data")
        .arg(&d);
    cmd.arg("-CAfile")
        .arg(&c)
        .args(["-attime", &at.to_string()]);
    if !untrusted.is_empty() {
        cmd.arg("-untrusted").arg(write("u.pem", untrusted));
    }
    match cmd.output() {
        Ok(out) => Some(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )),
        Err(_) => {
            eprintln!("openssl not installed: the reference check is skipped");
            None
        }
    }
}

fn plain_words(message: &str) {
    for raw in ["{", "}", "Context", "::", "Error(", "Some("] {
        assert!(!message.contains(raw), "library internals in {message:?}");
    }
}

#[test]
fn a_token_without_certificates_asks_for_the_chain_and_verifies_with_it() {
    let token = real("sigstage-no-certificates.tsr");
    let hello = real("hello.txt");
    let e = verify(&token, &hello, shipped_roots()).unwrap_err();
    assert_eq!(e, StampError::NeedsChain);
    assert!(e.to_string().contains("carries no certificates"), "{e}");
    assert!(
        !e.to_string().contains("does not verify"),
        "not called a forgery: {e}"
    );
    let pem = real("sigstage-chain.pem");
    let chain = geoproof::timestamp::read_chain(&pem, "sigstage-chain.pem").unwrap();
    assert_eq!(chain.len(), 2);
    // With the chain and its root trusted: the stamp's time and signer.
    let root = [anchor(&chain[1])];
    let ok = verify_at(&token, &hello, &chain, &root, None).unwrap();
    assert_eq!(ok.time.to_rfc3339(), "2025-06-18T08:13:02+00:00");
    assert_eq!(ok.signer, "sigstore-tsa");
    assert_eq!(ok.root, "sigstore-tsa-selfsigned");
    assert_eq!(ok.hash, "SHA-256");
    // With the chain but geoproof's shipped roots: a private authority, not a forgery.
    let e = verify_at(&token, &hello, &chain, shipped_roots(), None).unwrap_err();
    assert!(
        e.to_string().contains("self-signed or private authority"),
        "{e}"
    );
    // Only the TSA's root given: its signing certificate is still missing.
    let e = verify_at(&token, &hello, &chain[1..], &root, None).unwrap_err();
    assert_eq!(e, StampError::SignerNotGiven(1));
    plain_words(&e.to_string());
    // The reference: openssl finds the same time and verifies with the same chain.
    let split = String::from_utf8(pem).unwrap();
    let second = split.find("-----BEGIN CERTIFICATE-----\n").map(|_| {
        let end = split.find("-----END CERTIFICATE-----").unwrap() + 26;
        (split[..end].to_owned(), split[end..].to_owned())
    });
    let (leaf, ca) = second.unwrap();
    if let Some(out) = openssl_verify(
        &token,
        &hello,
        ca.as_bytes(),
        leaf.as_bytes(),
        ok.time.timestamp(),
    ) {
        assert!(out.contains("Verification: OK"), "{out}");
    }
    if let Some(out) = openssl_verify(&token, &hello, ca.as_bytes(), b"", ok.time.timestamp()) {
        assert!(out.contains("signer certificate not found"), "{out}");
    }
}

#[test]
fn the_time_stamping_purpose_is_asked_of_the_authoritys_certificate_only() {
    // Its issuing CA is limited to server and client authentication (made file, see
    // SOURCES); RFC 3161 §2.3 puts the time-stamping purpose on the TSA's certificate.
    let token = real("made-ca-without-timestamping-purpose.tsr");
    let hello = real("hello.txt");
    let root_pem = real("made-root.pem");
    let root_der = geoproof::timestamp::read_chain(&root_pem, "made-root.pem").unwrap();
    let ok = verify_at(&token, &hello, &[], &[anchor(&root_der[0])], None).unwrap();
    assert_eq!(ok.signer, "Example TSA");
    assert_eq!(ok.root, "Example Root");
    if let Some(out) = openssl_verify(&token, &hello, &root_pem, b"", ok.time.timestamp()) {
        assert!(out.contains("Verification: OK"), "{out}");
    }
    // Public roots do not know this one: said in words.
    let e = verify(&token, &hello, shipped_roots()).unwrap_err();
    plain_words(&e.to_string());
    assert!(e.to_string().contains("private authority"), "{e}");
}

#[test]
fn the_real_identrust_token_reads_as_openssl_reads_it() {
    let token = fixture("valid_timestamp.tsr");
    let ours = verify(&token, STAMPED, shipped_roots()).unwrap();
    let root = real("identrust-root.der");
    let dir = tempfile::tempdir().unwrap();
    let pem = geoproof::timestamp::pem(&[root]);
    if let Some(out) = openssl_verify(&token, STAMPED, pem.as_bytes(), b"", ours.time.timestamp()) {
        assert!(out.contains("Verification: OK"), "{out}");
        // The time openssl prints is ours.
        let path = dir.path().join("t.tsr");
        std::fs::write(&path, &token).unwrap();
        let text = std::process::Command::new("openssl")
            .args(["ts", "-reply", "-text", "-in"])
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        let printed = ours
            .time
            .format("Time stamp: %b %e %H:%M:%S %Y GMT")
            .to_string();
        assert!(text.contains(&printed), "{printed} not in {text}");
    }
}

#[test]
fn every_refusal_is_said_in_plain_words() {
    let hello = real("hello.txt");
    let mut tampered = real("sigstage-no-certificates.tsr");
    let n = tampered.len();
    tampered[n - 5] ^= 1;
    let chain = geoproof::timestamp::read_chain(&real("sigstage-chain.pem"), "c").unwrap();
    let cases = [
        verify(b"not a token", &hello, shipped_roots()),
        verify(&fixture("self_signed.tsr"), STAMPED, shipped_roots()),
        verify(&fixture("valid_timestamp.tsr"), &hello, shipped_roots()),
        verify_at(&tampered, &hello, &chain, &[anchor(&chain[1])], None),
        verify_at(
            &fixture("valid_timestamp.tsr"),
            STAMPED,
            &[],
            shipped_roots(),
            Some("2099-01-01T00:00:00Z".parse().unwrap()),
        ),
    ];
    for result in cases {
        plain_words(&result.unwrap_err().to_string());
    }
    let e = geoproof::timestamp::read_chain(b"junk", "chain.pem").unwrap_err();
    assert_eq!(
        e.to_string(),
        "chain.pem is not a certificate chain (PEM or DER certificates)"
    );
}

#[test]
fn a_chain_given_with_the_stamp_or_put_beside_it_is_used_by_verify() {
    use geoproof::case::{AuthorityReply, Case};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("c");
    let mut case = Case::create(&root, "stamps").unwrap();
    let hello = String::from_utf8(real("hello.txt")).unwrap();
    let reply = || AuthorityReply {
        url: "https://timestamp.sigstage.dev".into(),
        request: Vec::new(),
        response: Ok(real("sigstage-no-certificates.tsr")),
    };
    let chain = geoproof::timestamp::read_chain(&real("sigstage-chain.pem"), "c").unwrap();
    let bare = case.store_stamp(&hello, &[reply()]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let with = case
        .store_stamp_with_chain(&hello, &[reply()], &chain)
        .unwrap();
    assert!(with.join("chain.pem").is_file() && !bare.join("chain.pem").exists());
    let checks = case.verify_stamps();
    assert_eq!(checks.len(), 2);
    let by = |d: &std::path::Path| {
        checks
            .iter()
            .find(|c| d.ends_with(&c.what))
            .unwrap()
            .problem
            .clone()
            .unwrap()
    };
    assert!(
        by(&bare).contains("carries no certificates"),
        "{}",
        by(&bare)
    );
    // The chain was used: the signature checks, the root is not a shipped one.
    assert!(by(&with).contains("private authority"), "{}", by(&with));
    // A chain file put beside the bare token afterwards is used too.
    std::fs::write(bare.join("1-chain.pem"), real("sigstage-chain.pem")).unwrap();
    drop(case);
    let run = util::geoproof(["verify".as_ref(), root.as_os_str()]);
    assert!(
        !run.stdout.contains("carries no certificates"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("private authority").count(),
        2,
        "{}",
        run.stdout
    );
}

#[cfg(feature = "gui")]
#[test]
fn stamp_keeps_the_chain_it_is_given_and_refuses_a_bad_one_before_sending() {
    use geoproof::case::Case;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("c");
    drop(Case::create(&root, "stamps").unwrap());
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, b"not a certificate").unwrap();
    let run = util::geoproof([
        "stamp".as_ref(),
        root.as_os_str(),
        "--tsa".as_ref(),
        "http://127.0.0.1:9/".as_ref(),
        "--yes".as_ref(),
        "--chain".as_ref(),
        junk.as_os_str(),
    ]);
    run.assert_failed();
    assert!(
        run.stderr.contains("junk.pem is not a certificate chain"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(!root.join("timestamps").exists());
    let chain = data("real/timestamps/sigstage-chain.pem");
    let (url, server) = util::local_authority(real("sigstage-no-certificates.tsr"));
    let run = util::geoproof([
        "stamp".as_ref(),
        root.as_os_str(),
        "--tsa".as_ref(),
        url.as_ref(),
        "--yes".as_ref(),
        "--chain".as_ref(),
        chain.as_os_str(),
    ]);
    server.join().unwrap();
    // The canned token stamps other data; the chain is kept beside it all the same.
    assert!(
        run.stdout
            .contains("NOT VALID: the token is for other data"),
        "{}",
        run.stdout
    );
    let stamp = std::fs::read_dir(root.join("timestamps"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let kept = std::fs::read(stamp.path().join("chain.pem")).unwrap();
    assert_eq!(
        geoproof::timestamp::read_chain(&kept, "kept").unwrap(),
        geoproof::timestamp::read_chain(&real("sigstage-chain.pem"), "given").unwrap()
    );
}
