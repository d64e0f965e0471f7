//! WACZ web archives (1.0, 1.1, 1.2): a ZIP with `datapackage.json` listing every
//! resource with its digest, the WARCs under `archive/`, and the pages under `pages/`.
//! Every resource is hashed and compared with its digest before anything is read from
//! it: one mismatch refuses the whole import (the archive was altered or damaged). Image
//! and video responses are taken from the WARCs with their target URL and WARC date, and
//! the title of the page they were loaded by (`pages/*.jsonl`, through the request's
//! `Referer`). `datapackage-digest.json` must hold `datapackage.json`'s hash; a signature
//! in it is reported as not checked.

use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use chrono::Utc;
use serde_json::Value;
use sha2::Digest as _;

use super::collected::{CollectError, Collected, Item, Media};
use crate::case::SourceRecord;

/// Largest payload taken from a WARC, bytes (the intake limit applies after).
const MAX_PAYLOAD: usize = 2 << 30;

pub fn read(path: &Path) -> Result<Collected, CollectError> {
    let fail = |cause: String| CollectError {
        path: path.to_owned(),
        cause,
    };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| fail(format!("not a readable WACZ (ZIP) file: {e}")))?;
    let package_bytes = read_entry(&mut zip, "datapackage.json")
        .map_err(|e| fail(format!("no datapackage.json: not a WACZ ({e})")))?;
    let package: Value = serde_json::from_slice(&package_bytes)
        .map_err(|e| fail(format!("datapackage.json: {e}")))?;
    let digest_note = package_digest(&mut zip, &package_bytes).map_err(fail)?;
    let resources = package
        .get("resources")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("datapackage.json lists no resources".into()))?;
    let mut collected = Collected {
        kind: "wacz",
        sha256: crate::evidence::sha256_file(path).map_err(|e| fail(e.to_string()))?,
        ..Collected::default()
    };
    collected.warnings.extend(digest_note);
    let warcs = check_resources(&mut zip, resources, &mut collected.warnings).map_err(fail)?;
    let scratch = Arc::new(tempfile::tempdir().map_err(|e| fail(e.to_string()))?);
    collected.chats = 1;
    let mut harvest = Harvest {
        titles: page_titles(&mut zip),
        scratch: scratch.path(),
        now: Utc::now(),
        referers: HashMap::new(),
        responses: Vec::new(),
    };
    for name in warcs {
        harvest
            .warc(&mut zip, &name, &mut collected)
            .map_err(fail)?;
    }
    harvest.titles_from_referers(&mut collected);
    collected.scratch = Some(scratch);
    Ok(collected)
}

/// One entry of the archive, whole.
fn read_entry(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> std::io::Result<Vec<u8>> {
    let mut entry = zip.by_name(name).map_err(std::io::Error::other)?;
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Every resource must match its digest before any of it is used. Returns the WARCs
/// among them; resources without a digest are noted in `warnings`.
fn check_resources(
    zip: &mut zip::ZipArchive<std::fs::File>,
    resources: &[Value],
    warnings: &mut Vec<String>,
) -> Result<Vec<String>, String> {
    let mut warcs = Vec::new();
    for r in resources {
        let Some(name) = r.get("path").and_then(Value::as_str) else {
            continue;
        };
        let want = r
            .get("hash")
            .or_else(|| r.get("stats").and_then(|s| s.get("hash")))
            .and_then(Value::as_str)
            .map(|h| h.trim_start_matches("sha256:").to_ascii_lowercase());
        let mut entry = zip
            .by_name(name)
            .map_err(|e| format!("resource {name} is listed but not in the archive ({e})"))?;
        let mut hasher = sha2::Sha256::new();
        std::io::copy(&mut entry, &mut hasher).map_err(|e| format!("{name}: {e}"))?;
        let got: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        match want {
            Some(want) if want != got => {
                return Err(format!(
                    "resource {name} does not match its digest in datapackage.json (sha256 \
                     {got}, listed {want}): the archive was altered or damaged; nothing imported"
                ));
            }
            None => warnings.push(format!("resource {name} has no digest to check")),
            _ => {}
        }
        if name.ends_with(".warc") || name.ends_with(".warc.gz") {
            warcs.push(name.to_owned());
        }
    }
    Ok(warcs)
}

/// What the WARCs of one archive yield, gathered record by record.
struct Harvest<'a> {
    titles: HashMap<String, String>,
    scratch: &'a Path,
    now: chrono::DateTime<Utc>,
    /// Response record id → the page that loaded it (its request's Referer).
    referers: HashMap<String, String>,
    /// Item index → its response record id.
    responses: Vec<(usize, String)>,
}

impl Harvest<'_> {
    /// The image and video responses of one WARC, written to the scratch folder.
    fn warc(
        &mut self,
        zip: &mut zip::ZipArchive<std::fs::File>,
        name: &str,
        collected: &mut Collected,
    ) -> Result<(), String> {
        let entry = zip.by_name(name).map_err(|e| format!("{name}: {e}"))?;
        let reader: Box<dyn Read> = if name.ends_with(".gz") {
            Box::new(flate2::read::MultiGzDecoder::new(entry))
        } else {
            Box::new(entry)
        };
        let records = warc::WarcReader::new(BufReader::new(reader)).iter_records();
        for record in records {
            let record = record.map_err(|e| format!("{name}: damaged WARC record ({e})"))?;
            let kind = record.warc_type().to_string();
            if kind == "request" {
                if let (Some(response), Some(referer)) = (
                    record.header(warc::WarcHeader::ConcurrentTo),
                    http_header(record.body(), "referer"),
                ) {
                    self.referers.insert(response.into_owned(), referer);
                }
            } else if kind == "response" {
                self.response(name, &record, collected)?;
            }
        }
        Ok(())
    }

    fn response(
        &mut self,
        name: &str,
        record: &warc::Record<warc::BufferedBody>,
        collected: &mut Collected,
    ) -> Result<(), String> {
        let Some(url) = record.header(warc::WarcHeader::TargetURI) else {
            return Ok(());
        };
        let Some((content_type, payload)) = http_payload(record.body()) else {
            return Ok(());
        };
        if !(content_type.starts_with("image/") || content_type.starts_with("video/"))
            || payload.is_empty()
            || payload.len() > MAX_PAYLOAD
        {
            return Ok(());
        }
        collected.messages += 1;
        let file = self
            .scratch
            .join(format!("{:06}-{}", collected.messages, file_name(&url)));
        std::fs::write(&file, &payload).map_err(|e| e.to_string())?;
        let url = url.into_owned();
        self.responses
            .push((collected.items.len(), record.warc_id().to_owned()));
        collected.items.push(Item {
            source: SourceRecord {
                kind: "wacz".into(),
                title: self.titles.get(&url).cloned(),
                url: Some(url),
                archived_at: Some(record.date().to_rfc3339()),
                path_in_export: format!("{name}#{}", record.warc_id()),
                collection_sha256: collected.sha256.clone(),
                imported_at: self.now,
                ..SourceRecord::default()
            },
            media: Media::File(file),
        });
        Ok(())
    }

    /// A resource that is no page itself takes the title of the page that loaded it.
    fn titles_from_referers(&self, collected: &mut Collected) {
        for (i, id) in &self.responses {
            let source = &mut collected.items[*i].source;
            if source.title.is_none() {
                source.title = self
                    .referers
                    .get(id)
                    .and_then(|page| self.titles.get(page))
                    .cloned();
            }
        }
    }
}

/// Checks `datapackage-digest.json` (when there is one) against `datapackage.json`'s
/// bytes: a mismatch is why the archive is refused. Returns what to tell the analyst
/// about a signature: the digest alone is no signature (WACZ 1.1.1: `signedData` holds
/// one), and geoproof does not check signatures, so a signed archive is said to be
/// signed with its signature not checked.
fn package_digest(
    zip: &mut zip::ZipArchive<std::fs::File>,
    package: &[u8],
) -> Result<Option<String>, String> {
    let Ok(mut entry) = zip.by_name("datapackage-digest.json") else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| format!("datapackage-digest.json: {e}"))?;
    let digest: Value = serde_json::from_slice(&bytes)
        .map_err(|e| format!("datapackage-digest.json is not JSON ({e}); nothing imported"))?;
    let listed = digest
        .get("hash")
        .and_then(Value::as_str)
        .ok_or("datapackage-digest.json has no `hash`; nothing imported")?;
    let got = crate::evidence::sha256_hex(package);
    let want = listed.strip_prefix("sha256:").ok_or_else(|| {
        format!("datapackage-digest.json: hash {listed:?} is not SHA-256; nothing imported")
    })?;
    if !want.eq_ignore_ascii_case(&got) {
        return Err(format!(
            "datapackage.json does not match its hash in datapackage-digest.json (sha256 {got}, \
             listed {want}): the archive was altered after packaging; nothing imported"
        ));
    }
    let Some(signed) = digest.get("signedData").filter(|v| v.is_object()) else {
        return Ok(None);
    };
    let by = signed
        .get("domain")
        .and_then(Value::as_str)
        .map(|d| format!(" for {d}"))
        .unwrap_or_else(|| " with a key".into());
    Ok(Some(format!(
        "signed{by}, signature not checked: geoproof checks datapackage.json against its \
         digest, not the signature"
    )))
}

/// Page titles by URL from `pages/*.jsonl` (the first line is a header).
fn page_titles(zip: &mut zip::ZipArchive<std::fs::File>) -> HashMap<String, String> {
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| n.starts_with("pages/") && n.ends_with(".jsonl"))
        .map(|n| n.into_owned())
        .collect();
    let mut titles = HashMap::new();
    for name in names {
        let mut text = String::new();
        if let Ok(mut entry) = zip.by_name(&name) {
            let _ = entry.read_to_string(&mut text);
        }
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            if let (Some(url), Some(title)) = (
                v.get("url").and_then(Value::as_str),
                v.get("title").and_then(Value::as_str),
            ) {
                titles.insert(url.to_owned(), title.to_owned());
            }
        }
    }
    titles
}

/// One header of an HTTP message (request or response), by lower-case name.
fn http_header(block: &[u8], name: &str) -> Option<String> {
    let end = block.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&block[..end]).ok()?;
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_owned())
    })
}

/// An HTTP response's content type and body (chunked transfer decoded; gzip or deflate
/// content decoded).
fn http_payload(block: &[u8]) -> Option<(String, Vec<u8>)> {
    let end = block.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&block[..end]).ok()?;
    let mut body = block[end + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines.next()?;
    if !status.starts_with("HTTP/") || status.split_whitespace().nth(1) != Some("200") {
        return None;
    }
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let content_type = headers.get("content-type").map(|t| {
        t.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    })?;
    if headers
        .get("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body).unwrap_or(body);
    }
    let encoding = headers
        .get("content-encoding")
        .map(|e| e.to_ascii_lowercase());
    let mut decoded = Vec::new();
    let read = match encoding.as_deref() {
        Some("gzip") => {
            Some(flate2::read::MultiGzDecoder::new(&body[..]).read_to_end(&mut decoded))
        }
        Some("deflate") => {
            Some(flate2::read::ZlibDecoder::new(&body[..]).read_to_end(&mut decoded))
        }
        _ => None,
    };
    match read {
        Some(result) => {
            result.ok()?;
            Some((content_type, decoded))
        }
        None => Some((content_type, body)),
    }
}

fn dechunk(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let line_end = at + body[at..].windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&body[at..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        at = line_end + 2;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(at..at + size)?);
        at += size + 2;
    }
}

/// A file name for a URL's payload (its last path segment, made safe).
fn file_name(url: &str) -> String {
    let last = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or("payload");
    let safe: String = last
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(80)
        .collect();
    if safe.is_empty() {
        "payload".into()
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_and_gzip_bodies_are_decoded() {
        let block = b"HTTP/1.1 200 OK\r\nContent-Type: image/png; x=1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n";
        let (t, body) = http_payload(block).unwrap();
        assert_eq!((t.as_str(), body.as_slice()), ("image/png", &b"abcdef"[..]));
        assert!(
            http_payload(b"HTTP/1.1 404 Not Found\r\nContent-Type: image/png\r\n\r\nx").is_none()
        );
        assert_eq!(
            file_name("https://x.org/a/b/photo%201.jpg?size=large"),
            "photo201.jpg"
        );
        assert_eq!(file_name("https://x.org/"), "x.org");
    }
}
