//! auto-archiver output as its default local storage writes it: every file renamed to
//! the first 24 hex digits of its hash, metadata.json written before storage (so it
//! names only the temporary files). Timestamp tokens are found all the same, the
//! authority's certificate files serve as its chain, and what cannot be found is a
//! warning in the import report.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::Path;

use serde_json::json;
use util::data;

fn real(name: &str) -> Vec<u8> {
    std::fs::read(data(&format!("real/{name}"))).unwrap()
}

/// Stores `bytes` as the default local storage does: `<sha256[:24]><ext>`.
fn store(folder: &Path, bytes: &[u8], ext: &str) -> String {
    let name = format!("{}{ext}", &geoproof::evidence::sha256_hex(bytes)[..24]);
    std::fs::write(folder.join(&name), bytes).unwrap();
    name
}

/// A token media as the timestamping enricher describes it, with its chain.
fn token_media(tsa: &str, slug: &str, chain: &[&str]) -> serde_json::Value {
    let certs: Vec<_> = chain
        .iter()
        .enumerate()
        .map(|(i, cn)| {
            json!({"filename": format!("/tmp/tmpq1w2/{} – {}.crt", i + 1, 1000 + i),
                "_key": null, "urls": [], "properties": {"subject": cn}, "_mimetype": null})
        })
        .collect();
    json!({"filename": format!("/tmp/tmpq1w2/timestamp_token_{slug}"), "_key": null, "urls": [],
        "properties": {"tsa": tsa, "cert_chain": certs}, "_mimetype": null})
}

/// metadata.json as the JSON enricher writes it, for media of `hashes` and the
/// enricher's `tokens`.
fn metadata(hashes: &[String], tokens: Vec<serde_json::Value>) -> Vec<u8> {
    let mut media: Vec<_> = hashes
        .iter()
        .enumerate()
        .map(|(i, h)| {
            json!({"filename": format!("/tmp/tmpq1w2/{i}.jpg"), "_key": null, "urls": [],
                "properties": {"hash": format!("SHA-256:{h}")}, "_mimetype": "image/jpeg"})
        })
        .collect();
    media.push(
        json!({"filename": "/tmp/tmpq1w2/hashes.txt", "_key": null, "urls": [],
        "properties": {"timestamp_authority_files": tokens, "certifi v": "2025.1.31",
            "rfc3161-client v": "1.0.1", "cryptography v": "44.0.2"}, "_mimetype": "text/plain"}),
    );
    serde_json::to_vec_pretty(&json!({
        "status": "generic: success",
        "metadata": {"url": "https://example.org/post/1", "title": "A post",
            "timestamp": "2025-03-10T08:00:00+00:00", "_processed_at": "2025-03-11 10:43:50.000000",
            "timestamped": true},
        "media": media,
    }))
    .unwrap()
}

fn pem_certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    geoproof::timestamp::read_chain(pem, "test").unwrap()
}

#[test]
fn a_token_stored_under_its_hash_name_is_found_with_its_chain_and_kept_with_the_post() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("local_archive");
    std::fs::create_dir_all(&archive).unwrap();
    let rocket = std::fs::read(data("rocket-gps.jpg")).unwrap();
    let rocket_hash = geoproof::evidence::sha256_hex(&rocket);
    store(&archive, &rocket, ".jpg");
    store(&archive, rocket_hash.as_bytes(), ".txt");
    // The made token carries no certificates: the .crt files are its only chain.
    let token = real("autoarchiver/made-token-rocket-no-certificates");
    store(&archive, &token, "");
    store(&archive, &real("autoarchiver/made-tsa.pem"), ".crt");
    store(&archive, &real("autoarchiver/made-issuing-ca.pem"), ".crt");
    store(&archive, &real("timestamps/made-root.pem"), ".crt");
    // A second authority whose token did not survive storage.
    let tokens = vec![
        token_media(
            "http://tsa.example.org",
            "http-tsa-example-org",
            &["Example TSA", "Example Issuing CA", "Example Root"],
        ),
        token_media(
            "http://timestamp.identrust.com",
            "http-timestamp-identrust-com",
            &[],
        ),
    ];
    store(
        &archive,
        &metadata(std::slice::from_ref(&rocket_hash), tokens),
        ".json",
    );

    let case = dir.path().join("case");
    drop(geoproof::case::Case::create(&case, "t").unwrap());
    let run = util::geoproof(["import".as_ref(), case.as_os_str(), archive.as_os_str()]);
    run.assert_ok();
    assert!(run.stdout.contains("added"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("not imported"),
        "certificates are not failed media: {}",
        run.stdout
    );
    let warnings: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stdout);
    assert!(
        warnings[0].contains("http://timestamp.identrust.com")
            && warnings[0].contains("timestamp_token_http-timestamp-identrust-com")
            && warnings[0].contains("was not kept"),
        "{}",
        warnings[0]
    );

    let case = geoproof::case::Case::open_read_only(&case).unwrap();
    let photo = case.find_evidence(&rocket_hash).unwrap();
    let kept = &photo.sources[0].timestamps;
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].authority, "http://tsa.example.org");
    assert_eq!(kept[0].stamped_text, rocket_hash);
    // The kept chain verifies the token (with the made root trusted, as openssl does).
    let chain = pem_certificates(kept[0].chain_pem.as_bytes());
    assert_eq!(chain.len(), 3);
    let root_der = pem_certificates(&real("timestamps/made-root.pem"));
    let root_cert = rustls_pki_types::CertificateDer::from(root_der[0].clone());
    let anchor = webpki::anchor_from_trusted_cert(&root_cert).unwrap();
    let ok =
        geoproof::timestamp::verify_at(&token, rocket_hash.as_bytes(), &chain, &[anchor], None)
            .unwrap();
    assert_eq!(ok.signer, "Example TSA");
    // `verify` checks it with the kept chain: a private authority, not "no certificates".
    let checks = case.verify_stamps();
    assert_eq!(checks.len(), 1);
    let problem = checks[0].problem.as_deref().unwrap();
    assert!(problem.contains("private authority"), "{problem}");
}

#[test]
fn the_real_enricher_token_is_found_by_what_it_stamps_and_verifies_with_shipped_roots() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("local_archive");
    std::fs::create_dir_all(&archive).unwrap();
    let token = real("autoarchiver/timestamp_token_http-timestamp-identrust-com");
    store(&archive, &token, "");
    // The chain files the enricher saves: the token's certificates, then the root.
    let mut certs = pem_certificates(geoproof::timestamp::certificates_pem(&token).as_bytes());
    certs.push(real("timestamps/identrust-root.der"));
    for der in &certs {
        store(
            &archive,
            geoproof::timestamp::pem(std::slice::from_ref(der)).as_bytes(),
            ".crt",
        );
    }
    // The stamped media was not downloaded; its post keeps the token all the same.
    let stamped = "4b7b4e39f12b8c725e6e603e6d4422500316df94211070682ef10260ff5759ef".to_owned();
    let tokens = vec![token_media(
        "http://timestamp.identrust.com",
        "http-timestamp-identrust-com",
        &[
            "TrustID Timestamp Authority",
            "TrustID Timestamping CA 3",
            "IdenTrust Commercial Root CA 1",
        ],
    )];
    store(
        &archive,
        &metadata(std::slice::from_ref(&stamped), tokens),
        ".json",
    );
    let collected = geoproof::collect::read(&archive).unwrap();
    assert!(collected.warnings.is_empty(), "{:?}", collected.warnings);
    assert_eq!(collected.items.len(), 1, "the certificates are no items");
    let kept = &collected.items[0].source.timestamps;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].stamped_text, stamped);
    let chain = pem_certificates(kept[0].chain_pem.as_bytes());
    assert_eq!(
        chain.len(),
        certs.len(),
        "every certificate file, the root included"
    );
    let ok = geoproof::timestamp::verify_at(
        &token,
        stamped.as_bytes(),
        &chain,
        geoproof::timestamp::shipped_roots(),
        None,
    )
    .unwrap();
    assert_eq!(ok.time.to_rfc3339(), "2025-03-11T10:43:58+00:00");
    assert_eq!(ok.root, "IdenTrust Commercial Root CA 1");
}

#[test]
fn a_token_that_stamps_something_else_is_a_warning_not_a_kept_proof() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("out");
    std::fs::create_dir_all(&archive).unwrap();
    let rocket = std::fs::read(data("rocket-gps.jpg")).unwrap();
    let rocket_hash = geoproof::evidence::sha256_hex(&rocket);
    store(&archive, &rocket, ".jpg");
    // Under its original name, but a token for other data.
    std::fs::write(
        archive.join("timestamp_token_http-timestamp-identrust-com"),
        real("autoarchiver/timestamp_token_http-timestamp-identrust-com"),
    )
    .unwrap();
    let tokens = vec![token_media(
        "http://timestamp.identrust.com",
        "http-timestamp-identrust-com",
        &[],
    )];
    std::fs::write(
        archive.join("metadata.json"),
        metadata(&[rocket_hash], tokens),
    )
    .unwrap();
    let collected = geoproof::collect::read(&archive).unwrap();
    assert!(collected.items[0].source.timestamps.is_empty());
    assert_eq!(collected.warnings.len(), 1, "{:?}", collected.warnings);
    assert!(
        collected.warnings[0].contains("does not stamp this archive's hash list"),
        "{}",
        collected.warnings[0]
    );
}
