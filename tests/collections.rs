//! Collections: a Telegram Desktop JSON export built at test time is imported with every
//! post's provenance; missing files are reported, paths leaving the export are never
//! read, re-importing adds nothing, and bad exports fail with one line.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use geoproof::case::{Case, EvidenceKind};
use serde_json::{Value, json};
use util::collections::{NOT_INCLUDED, channel_export};
use util::{data, geoproof};

fn new_case(dir: &Path) -> Case {
    Case::create(&dir.join("case"), "collections").unwrap()
}

#[test]
fn a_channel_export_becomes_evidence_with_each_posts_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let export = channel_export(dir.path());
    let mut case = new_case(dir.path());
    let never = AtomicBool::new(false);
    let mut seen = Vec::new();
    let report = case
        .import_collection(&export, &never, &mut |done, total| seen.push((done, total)))
        .unwrap();
    assert_eq!(report.kind, "telegram");
    assert_eq!(
        (report.chats, report.messages),
        (1, 9),
        "the service message is not a post"
    );
    assert_eq!(report.added.len(), 3, "photo, video, the second photo");
    assert_eq!(report.sources_added, 1, "the forward of the first photo");
    assert_eq!(seen.last(), Some(&(8, 8)));
    assert_eq!(report.missing.len(), 1);
    assert_eq!(report.missing[0].post, "Bryansk Watch #3");
    assert!(report.missing[0].reason.starts_with("(File not included"));
    let reasons: Vec<&str> = report
        .not_imported
        .iter()
        .map(|n| n.reason.as_str())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("\"../secret.jpg\" leaves the export folder")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("link leading out")),
        "{reasons:?}"
    );
    // The document is kept by its hash, not analysed, and verify vouches for it.
    let pdf = &report.kept_unanalysed[0];
    assert_eq!(pdf.path, "files/statement.pdf");
    assert!(pdf.reason.starts_with("not analysed"), "{}", pdf.reason);
    assert_eq!(pdf.file, format!("attachments/{}.pdf", pdf.sha256));
    assert_eq!(
        std::fs::read(case.root().join(&pdf.file)).unwrap(),
        b"%PDF-1.4 not analysed"
    );
    assert!(case.verify().unwrap().intact.contains(&pdf.sha256));
    assert!(
        report.warnings.iter().any(|w| w.contains("-5")),
        "{:?}",
        report.warnings
    );

    let photo = case
        .evidence()
        .find(|e| e.original_name == "photo_1@23-03-2024.jpg")
        .unwrap();
    assert_eq!(photo.sources.len(), 2);
    let first = &photo.sources[0];
    assert_eq!(first.kind, "telegram");
    assert_eq!(first.chat.as_deref(), Some("Bryansk Watch"));
    assert_eq!(first.chat_type.as_deref(), Some("public_channel"));
    assert_eq!(first.chat_id, Some(1234567890));
    assert_eq!(first.message_id, Some(1));
    assert_eq!(
        first.posted_utc.unwrap().to_rfc3339(),
        "2024-03-23T07:15:00+00:00"
    );
    assert_eq!(first.author.as_deref(), Some("admin"));
    assert_eq!(first.text, "Launch pad, as promised");
    assert_eq!(first.location, Some([28.5619, -80.5774]));
    assert_eq!(first.path_in_export, "photos/photo_1@23-03-2024.jpg");
    let forward = &photo.sources[1];
    assert_eq!(forward.forwarded_from.as_deref(), Some("Other Channel"));
    assert_eq!(forward.reply_to, Some(1));
    assert_eq!(forward.text, "Again: t.me/x");
    let local = case
        .evidence()
        .find(|e| e.original_name == "photo_9@24-03-2024.jpg")
        .unwrap();
    assert_eq!(local.sources[0].posted_utc, None);
    assert_eq!(
        local.sources[0].posted_local_unknown_zone.as_deref(),
        Some("2024-03-24T09:00:00")
    );
    assert_eq!(local.sources[0].from, None);
    let video = case
        .evidence()
        .find(|e| e.kind() == EvidenceKind::Video)
        .unwrap();
    assert_eq!(video.sources[0].message_id, Some(2));
    // Nothing outside the export was read into the case.
    assert!(
        case.evidence()
            .all(|e| e.size_bytes != "outside the export".len() as u64)
    );
    // The import is in the audit log.
    let log = std::fs::read_to_string(case.root().join("log.jsonl")).unwrap();
    assert!(log.contains("\"collection_imported\""));

    // Again: nothing new.
    let again = case
        .import_collection(&export, &never, &mut |_, _| {})
        .unwrap();
    assert!(again.added.is_empty());
    assert_eq!(again.sources_added, 0);
    assert_eq!(again.unchanged, 4, "photo, video, forward, second photo");
    let reopened = Case::open_read_only(case.root()).unwrap();
    assert_eq!(reopened.evidence().count(), 3);
    assert_eq!(
        reopened.evidence().map(|e| e.sources.len()).sum::<usize>(),
        4
    );
}

#[test]
fn a_full_account_export_reads_every_chat() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("DataExport");
    std::fs::create_dir_all(root.join("chats/chat_001/photos")).unwrap();
    std::fs::copy(
        data("rocket-gps.jpg"),
        root.join("chats/chat_001/photos/p.jpg"),
    )
    .unwrap();
    let result = json!({"about": "export", "chats": {"about": "chats", "list": [
        {"name": "Group A", "type": "private_group", "id": 11, "messages": [
            {"id": 1, "type": "message", "date_unixtime": "1711178100",
             "photo": "chats/chat_001/photos/p.jpg", "text": "hello"}]},
        {"name": "Saved", "type": "saved_messages", "id": 12, "messages": []}
    ]}, "left_chats": {"list": [{"name": "Old", "type": "public_channel", "id": 13, "messages": [
        {"id": 7, "type": "message", "date_unixtime": "1711178100", "photo": NOT_INCLUDED}]}]}});
    std::fs::write(
        root.join("result.json"),
        serde_json::to_vec(&result).unwrap(),
    )
    .unwrap();
    let mut case = new_case(dir.path());
    let report = case
        .import_collection(
            &root.join("result.json"),
            &AtomicBool::new(false),
            &mut |_, _| {},
        )
        .unwrap();
    assert_eq!((report.chats, report.messages), (3, 2));
    assert_eq!(report.added.len(), 1);
    assert_eq!(report.missing[0].post, "Old #7");
    let e = case.evidence().next().unwrap();
    assert_eq!(e.sources[0].chat.as_deref(), Some("Group A"));
}

#[test]
fn the_cli_imports_and_prints_one_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let export = channel_export(dir.path());
    new_case(dir.path());
    let case = dir.path().join("case");
    let run = geoproof([
        "import".as_ref(),
        case.as_os_str(),
        export.as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let json: Value = run.json();
    assert_eq!(json["added"].as_array().unwrap().len(), 3);
    assert_eq!(json["missing"][0]["post"], "Bryansk Watch #3");
    let list = geoproof(["list".as_ref(), case.as_os_str(), "--json".as_ref()]);
    let items = list.json();
    let with_sources = items["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["sources"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(with_sources, 3, "{}", list.stdout);
    let text = geoproof(["import".as_ref(), case.as_os_str(), export.as_os_str()]);
    text.assert_ok();
    assert!(text.stdout.contains("0 file(s) added"), "{}", text.stdout);
    assert!(
        text.stdout.contains("missing: Bryansk Watch #3"),
        "{}",
        text.stdout
    );
}

#[test]
fn bad_collections_fail_with_one_line_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    new_case(dir.path());
    let html = dir.path().join("html");
    std::fs::create_dir_all(&html).unwrap();
    std::fs::write(html.join("messages.html"), "<html></html>").unwrap();
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("result.json"), r#"{"foo": 1}"#).unwrap();
    let truncated = dir.path().join("truncated");
    std::fs::create_dir_all(&truncated).unwrap();
    std::fs::write(
        truncated.join("result.json"),
        r#"{"name": "x", "messages": [{"id": 1,"#,
    )
    .unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    for (folder, cause) in [
        (&html, "Machine-readable JSON"),
        (&other, "neither `messages` nor `chats.list`"),
        (&truncated, "not a Telegram JSON export"),
        (&empty, "not a collection geoproof knows"),
    ] {
        let run = geoproof(["import".as_ref(), case.as_os_str(), folder.as_os_str()]);
        run.assert_failed();
        assert!(run.stderr.contains(cause), "{}", run.stderr);
        let name = folder.file_name().unwrap().to_string_lossy();
        assert!(run.stderr.contains(name.as_ref()), "{}", run.stderr);
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    }
    let c = Case::open_read_only(&case).unwrap();
    assert_eq!(c.evidence().count(), 0);
}

fn sha256_hex(bytes: &[u8]) -> String {
    geoproof::evidence::sha256_hex(bytes)
}

fn sha3_512_hex(bytes: &[u8]) -> String {
    use sha3::Digest as _;
    sha3::Sha3_512::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn auto_archiver_media_are_matched_by_hash_and_their_timestamps_kept() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("archive");
    std::fs::create_dir_all(root.join("stored/thumbs")).unwrap();
    let rocket = std::fs::read(data("rocket-gps.jpg")).unwrap();
    let coffee = std::fs::read(data("coffee-no-gps.jpg")).unwrap();
    // Stored under names that are not the metadata's: matching is by hash.
    std::fs::write(root.join("stored/4f1c.jpg"), &rocket).unwrap();
    std::fs::write(root.join("stored/thumbs/t0.jpg"), &coffee).unwrap();
    std::fs::write(root.join("renamed.jpg"), b"altered after archiving").unwrap();
    std::fs::write(
        root.join("timestamp_token_freetsa-org-tsr"),
        b"\x30\x03\x02\x01\x00",
    )
    .unwrap();
    let metadata = json!({
        "status": "telegram: success",
        "metadata": {"url": "https://t.me/bryansk_watch/12", "title": "Arrest in Bryansk",
            "timestamp": "2024-03-23T07:15:00+00:00", "_processed_at": "2024-03-25 10:00:00.123456",
            "content": "Caption of the post"},
        "media": [
            {"filename": "/tmp/aa/photo.jpg", "key": "photo.jpg", "urls": ["https://cdn/x"],
             "properties": {"hash": format!("SHA-256:{}", sha256_hex(&rocket)),
                 "thumbnails": [{"filename": "/tmp/aa/thumb_0.jpg",
                     "properties": {"hash": format!("SHA3-512:{}", sha3_512_hex(&coffee))}}]},
             "_mimetype": "image/jpeg"},
            {"filename": "/tmp/aa/renamed.jpg", "properties": {"hash": format!("SHA-256:{}", "ab".repeat(32))}},
            {"filename": "/tmp/aa/gone.mp4", "properties": {"hash": format!("SHA-256:{}", "cd".repeat(32))}},
            {"filename": "/tmp/aa/nohash.jpg", "properties": {}},
            {"filename": "/tmp/aa/hashes.txt", "properties": {"timestamp_authority_files": [
                {"filename": "/tmp/aa/timestamp_token_freetsa-org-tsr",
                 "properties": {"tsa": "http://freetsa.org/tsr"}}]}}
        ],
        "rearchivable": true
    });
    std::fs::write(
        root.join("metadata.json"),
        serde_json::to_vec(&metadata).unwrap(),
    )
    .unwrap();
    let mut case = new_case(dir.path());
    let report = case
        .import_collection(&root, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap();
    assert_eq!(report.kind, "auto_archiver");
    assert_eq!(report.added.len(), 2, "{report:?}");
    assert!(report.added.contains(&sha256_hex(&rocket)));
    assert!(
        report.added.contains(&sha256_hex(&coffee)),
        "the nested thumbnail, by SHA3-512"
    );
    assert_eq!(report.missing.len(), 1);
    assert!(
        report.missing[0]
            .reason
            .contains("no file in the folder has the archived hash")
    );
    let refused: Vec<&str> = report
        .not_imported
        .iter()
        .map(|n| n.reason.as_str())
        .collect();
    assert!(
        refused
            .iter()
            .any(|r| r.contains("renamed.jpg does not match its archived hash")),
        "{refused:?}"
    );
    assert!(
        refused
            .iter()
            .any(|r| r.contains("no hash in the metadata")),
        "{refused:?}"
    );
    let photo = case.find_evidence(&sha256_hex(&rocket)).unwrap();
    let s = &photo.sources[0];
    assert_eq!(s.kind, "auto_archiver");
    assert_eq!(s.url.as_deref(), Some("https://t.me/bryansk_watch/12"));
    assert_eq!(s.title.as_deref(), Some("Arrest in Bryansk"));
    assert_eq!(
        s.posted_utc.unwrap().to_rfc3339(),
        "2024-03-23T07:15:00+00:00"
    );
    assert_eq!(s.archived_at.as_deref(), Some("2024-03-25 10:00:00.123456"));
    assert_eq!(s.text, "Caption of the post");
    // The file named as the token is not one: a warning, and nothing kept as proof.
    assert!(s.timestamps.is_empty(), "{:?}", s.timestamps);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("http://freetsa.org/tsr")
                && w.contains("timestamp_token_freetsa-org-tsr")
                && w.contains("does not stamp this archive's hash list")),
        "{:?}",
        report.warnings
    );
    assert!(case.verify_stamps().is_empty());
    // Again: nothing new.
    let again = case
        .import_collection(
            &root.join("metadata.json"),
            &AtomicBool::new(false),
            &mut |_, _| {},
        )
        .unwrap();
    assert!(again.added.is_empty() && again.sources_added == 0);
}

/// One WARC response record, gzipped on its own (as WARC writers do).
fn warc_record(url: &str, id: u32, http_head: &str, body: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut block = http_head.replace('\n', "\r\n").into_bytes();
    block.extend_from_slice(b"\r\n\r\n");
    block.extend_from_slice(body);
    let mut record = format!(
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{id:012}>\r\n\
         WARC-Date: 2024-03-25T10:00:0{id}Z\r\nWARC-Target-URI: {url}\r\n\
         Content-Type: application/http;msgtype=response\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    record.extend_from_slice(&block);
    record.extend_from_slice(b"\r\n\r\n");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&record).unwrap();
    gz.finish().unwrap()
}

/// The request record of response `id`, sent from `page` (its Referer).
fn warc_request(url: &str, id: u32, page: &str) -> Vec<u8> {
    use std::io::Write as _;
    let block = format!("GET {url} HTTP/1.1\r\nReferer: {page}\r\n\r\n");
    let record = format!(
        "WARC/1.1\r\nWARC-Type: request\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-9000-{id:012}>\r\n\
         WARC-Concurrent-To: <urn:uuid:00000000-0000-4000-8000-{id:012}>\r\n\
         WARC-Date: 2024-03-25T10:00:0{id}Z\r\nWARC-Target-URI: {url}\r\n\
         Content-Type: application/http;msgtype=request\r\nContent-Length: {}\r\n\r\n{block}\r\n\r\n",
        block.len()
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(record.as_bytes()).unwrap();
    gz.finish().unwrap()
}

fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in body.chunks(100_000) {
        out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        out.extend_from_slice(part);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// A WACZ with a photo, a chunked video, an HTML page and a 404; `layout` picks how
/// datapackage.json lists digests (1.0: under `stats`), `tamper` alters the WARC after
/// its digest was taken.
fn wacz(dir: &Path, layout: &str, tamper: bool, signed: bool) -> PathBuf {
    use std::io::Write as _;
    let rocket = std::fs::read(data("rocket-gps.jpg")).unwrap();
    let video = std::fs::read(util::collections::demo_video()).unwrap();
    let mut warc = Vec::new();
    warc.extend(warc_record(
        "https://example.org/",
        1,
        "HTTP/1.1 200 OK\nContent-Type: text/html",
        b"<html></html>",
    ));
    warc.extend(warc_record(
        "https://example.org/img/arrest.jpg?w=1",
        2,
        "HTTP/1.1 200 OK\nContent-Type: image/jpeg",
        &rocket,
    ));
    warc.extend(warc_request(
        "https://example.org/img/arrest.jpg?w=1",
        2,
        "https://example.org/",
    ));
    warc.extend(warc_record(
        "https://example.org/v/clip.mp4",
        3,
        "HTTP/1.1 200 OK\nContent-Type: video/mp4\nTransfer-Encoding: chunked",
        &chunked(&video),
    ));
    warc.extend(warc_record(
        "https://example.org/missing.jpg",
        4,
        "HTTP/1.1 404 Not Found\nContent-Type: image/jpeg",
        b"x",
    ));
    let digest = format!("sha256:{}", sha256_hex(&warc));
    if tamper {
        let n = warc.len();
        warc[n - 30] ^= 0xff;
    }
    let resource = if layout == "1.0" {
        json!({"name": "data.warc.gz", "path": "archive/data.warc.gz", "stats": {"hash": digest, "bytes": warc.len()}})
    } else {
        json!({"name": "data.warc.gz", "path": "archive/data.warc.gz", "hash": digest, "bytes": warc.len()})
    };
    let pages = "{\"format\": \"json-pages-1.0\", \"id\": \"pages\", \"title\": \"All Pages\"}\n\
        {\"id\": \"p1\", \"url\": \"https://example.org/\", \"ts\": \"2024-03-25T10:00:01Z\", \"title\": \"Arrest photo\"}\n";
    let package = json!({"profile": "data-package", "wacz_version": layout, "title": "test crawl",
        "resources": [resource, {"name": "pages.jsonl", "path": "pages/pages.jsonl",
            "hash": format!("sha256:{}", sha256_hex(pages.as_bytes())), "bytes": pages.len()}]});
    let package = serde_json::to_vec(&package).unwrap();
    let path = dir.join(format!("crawl-{layout}-{tamper}.wacz"));
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in [
        ("archive/data.warc.gz", warc.clone()),
        ("pages/pages.jsonl", pages.as_bytes().to_vec()),
        ("datapackage.json", package.clone()),
    ] {
        zip.start_file(name, stored).unwrap();
        zip.write_all(&bytes).unwrap();
    }
    // The digest of datapackage.json, with a (not checked) signature when `signed`.
    let hash = format!("sha256:{}", sha256_hex(&package));
    let mut digest = json!({"path": "datapackage.json", "hash": hash});
    if signed {
        digest["signedData"] = json!({"hash": hash, "publicKey": "x", "signature": "y"});
    }
    zip.start_file("datapackage-digest.json", stored).unwrap();
    zip.write_all(&serde_json::to_vec(&digest).unwrap())
        .unwrap();
    zip.finish().unwrap();
    path
}

#[test]
fn a_wacz_yields_its_image_and_video_responses_after_every_digest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    for layout in ["1.0.0", "1.1.1", "1.2.0"] {
        let archive = wacz(dir.path(), layout, false, layout == "1.2.0");
        let mut case = Case::create(&dir.path().join(format!("case-{layout}")), "wacz").unwrap();
        let report = case
            .import_collection(&archive, &AtomicBool::new(false), &mut |_, _| {})
            .unwrap_or_else(|e| panic!("{layout}: {e}"));
        assert_eq!(report.kind, "wacz");
        assert_eq!(report.added.len(), 2, "{layout}: {report:?}");
        assert_eq!(report.messages, 2, "two image/video responses");
        let rocket = std::fs::read(data("rocket-gps.jpg")).unwrap();
        let photo = case.find_evidence(&sha256_hex(&rocket)).unwrap();
        let s = &photo.sources[0];
        assert_eq!(s.kind, "wacz");
        assert_eq!(
            s.url.as_deref(),
            Some("https://example.org/img/arrest.jpg?w=1")
        );
        assert_eq!(s.title.as_deref(), Some("Arrest photo"));
        assert_eq!(s.archived_at.as_deref(), Some("2024-03-25T10:00:02+00:00"));
        assert!(
            s.path_in_export
                .starts_with("archive/data.warc.gz#<urn:uuid:")
        );
        let video = std::fs::read(util::collections::demo_video()).unwrap();
        assert!(
            case.find_evidence(&sha256_hex(&video)).is_ok(),
            "the chunked video, dechunked"
        );
        assert_eq!(
            report.warnings.iter().any(|w| w.contains("signature")),
            layout == "1.2.0",
            "{:?}",
            report.warnings
        );
    }
}

#[test]
fn an_altered_or_damaged_wacz_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let tampered = wacz(dir.path(), "1.1.1", true, false);
    let case = dir.path().join("case");
    new_case(dir.path());
    let run = geoproof(["import".as_ref(), case.as_os_str(), tampered.as_os_str()]);
    run.assert_failed();
    assert!(
        run.stderr.contains("crawl-1.1.1-true.wacz"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("archive/data.warc.gz does not match its digest"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing imported"), "{}", run.stderr);
    let good = wacz(dir.path(), "1.1.1", false, false);
    let bytes = std::fs::read(&good).unwrap();
    let truncated = dir.path().join("truncated.wacz");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let run = geoproof(["import".as_ref(), case.as_os_str(), truncated.as_os_str()]);
    run.assert_failed();
    assert!(
        run.stderr.contains("truncated.wacz: not a readable WACZ"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.trim().lines().count(), 1);
    assert_eq!(Case::open_read_only(&case).unwrap().evidence().count(), 0);
}

/// A copy of `wacz` with `datapackage.json` changed after packaging (one byte added).
fn with_edited_package(wacz: &Path, out: &Path) {
    use std::io::{Read as _, Write as _};
    let mut src = zip::ZipArchive::new(std::fs::File::open(wacz).unwrap()).unwrap();
    let mut dst = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for i in 0..src.len() {
        let mut entry = src.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == "datapackage.json" {
            bytes.push(b' ');
        }
        dst.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        dst.write_all(&bytes).unwrap();
    }
    dst.finish().unwrap();
}

#[test]
fn a_real_wacz_digest_is_checked_and_only_a_signature_is_called_one() {
    // Unsigned: datapackage-digest.json holds only datapackage.json's SHA-256
    // (a4e1161d…, as sha256sum prints it): checked, and no signature is announced.
    let plain = geoproof::collect::read(&data("real/wacz/valid_example_2.wacz")).unwrap();
    assert!(
        plain.warnings.iter().all(|w| !w.contains("sign")),
        "{:?}",
        plain.warnings
    );
    // Signed by Browsertrix for a domain: said to be signed, never "verified".
    let signed = geoproof::collect::read(&data("real/wacz/valid_signed_example_1.wacz")).unwrap();
    assert!(
        signed
            .warnings
            .iter()
            .any(|w| w
                .starts_with("signed for btrix-sign-test.webrecorder.net, signature not checked")),
        "{:?}",
        signed.warnings
    );
    assert!(signed.warnings.iter().all(|w| !w.contains("verified")));
    // datapackage.json edited after packaging: refused in one line naming the file.
    let dir = tempfile::tempdir().unwrap();
    let edited = dir.path().join("edited.wacz");
    with_edited_package(&data("real/wacz/valid_example_2.wacz"), &edited);
    let e = geoproof::collect::read(&edited).unwrap_err().to_string();
    assert!(e.starts_with(&edited.display().to_string()), "{e}");
    assert!(
        e.contains("datapackage.json does not match its hash in datapackage-digest.json"),
        "{e}"
    );
    assert!(
        e.contains("listed a4e1161d1cf21460402f756a2ecf78fb7517a777385ee702f1cbfec4272df51c"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1);
    let case = dir.path().join("case");
    new_case(dir.path());
    let run = geoproof(["import".as_ref(), case.as_os_str(), edited.as_os_str()]);
    run.assert_failed();
    assert!(
        run.stderr.contains("altered after packaging"),
        "{}",
        run.stderr
    );
}
