//! Bellingcat's auto-archiver output: a `metadata.json` (its `Metadata` as JSON: `metadata`
//! with url, title, timestamp…, and `media`, each with `properties` that may hold more
//! media) beside the stored files. Media are matched to files **by hash** (`SHA-256:` or
//! `SHA3-512:` in the media's `hash` property), never by name: a file whose name matches
//! but whose bytes do not is reported, not imported. Timestamp tokens of the timestamping
//! enricher are kept with the data they stamp.

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde_json::Value;

use super::collected::{CollectError, Collected, Item, Media};
use super::files::FileIndex;
use crate::case::SourceRecord;

/// Whether `json` is an auto-archiver `Metadata` document.
pub fn looks_like(json: &Value) -> bool {
    json.get("media").is_some_and(Value::is_array)
        && json.get("metadata").is_some_and(Value::is_object)
}

/// The JSON documents in `folder` (not its subfolders) that are auto-archiver metadata.
pub fn metadata_files(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .filter(|p| {
            std::fs::read(p)
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .is_some_and(|v| looks_like(&v))
        })
        .collect();
    files.sort();
    files
}

/// Reads one `metadata.json` and its files (searched under the folder holding it).
pub fn read(file: &Path) -> Result<Collected, CollectError> {
    let fail = |cause: String| CollectError {
        path: file.to_owned(),
        cause,
    };
    let bytes = std::fs::read(file).map_err(|e| fail(e.to_string()))?;
    let json: Value = serde_json::from_slice(&bytes)
        .map_err(|e| fail(format!("not an auto-archiver metadata file ({e})")))?;
    if !looks_like(&json) {
        return Err(fail(
            "not an auto-archiver metadata file: no `metadata` and `media`".into(),
        ));
    }
    let folder = file.parent().unwrap_or(Path::new("."));
    let index = FileIndex::build(folder);
    let meta = &json["metadata"];
    let text = |key: &str| meta.get(key).and_then(Value::as_str).map(str::to_owned);
    let url = text("url");
    let posted = text("timestamp");
    let base = SourceRecord {
        kind: "auto_archiver".into(),
        url: url.clone(),
        title: text("title"),
        archived_at: text("_processed_at"),
        posted_utc: posted
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc)),
        posted_local_unknown_zone: posted
            .as_deref()
            .filter(|t| chrono::DateTime::parse_from_rfc3339(t).is_err())
            .map(str::to_owned),
        text: text("content")
            .unwrap_or_default()
            .chars()
            .take(20_000)
            .collect(),
        collection_sha256: crate::evidence::sha256_hex(&bytes),
        imported_at: Utc::now(),
        ..SourceRecord::default()
    };
    let stamps = super::archiver_stamps::find(&json, &hash_list(&json), &index);
    let base = SourceRecord {
        timestamps: stamps.kept,
        ..base
    };
    let mut collected = Collected {
        kind: "auto_archiver",
        sha256: base.collection_sha256.clone(),
        chats: 1,
        messages: 1,
        warnings: stamps.warnings,
        ..Collected::default()
    };
    let mut media = Vec::new();
    for m in json["media"].as_array().into_iter().flatten() {
        // The timestamping enricher's files (hash list, tokens, the authority's
        // certificates) are kept as timestamps, not evidence.
        if m.pointer("/properties/timestamp_authority_files").is_none() {
            nested_media(m, &mut media);
        }
    }
    for m in media {
        let name = m.get("filename").and_then(Value::as_str).unwrap_or("");
        if m.pointer("/properties/tsa").is_some() {
            continue;
        }
        let source = SourceRecord {
            path_in_export: name.to_owned(),
            ..base.clone()
        };
        let media = match m.pointer("/properties/hash").and_then(Value::as_str) {
            None => Media::Refused(format!(
                "{name:?} has no hash in the metadata; media are matched by hash only"
            )),
            Some(hash) => match_by_hash(hash, name, &index),
        };
        collected.items.push(Item { source, media });
    }
    Ok(collected)
}

/// A media and every media inside its properties (lists included), depth first.
fn nested_media<'a>(m: &'a Value, out: &mut Vec<&'a Value>) {
    if m.get("filename").is_none() {
        return;
    }
    out.push(m);
    if let Some(props) = m.get("properties").and_then(Value::as_object) {
        for v in props.values() {
            match v {
                Value::Object(_) => nested_media(v, out),
                Value::Array(list) => list.iter().for_each(|x| nested_media(x, out)),
                _ => {}
            }
        }
    }
}

fn match_by_hash(hash: &str, name: &str, index: &FileIndex) -> Media {
    let (table, digest) = if let Some(h) = hash.strip_prefix("SHA-256:") {
        (&index.sha256, h.trim().to_ascii_lowercase())
    } else if let Some(h) = hash.strip_prefix("SHA3-512:") {
        (&index.sha3_512, h.trim().to_ascii_lowercase())
    } else {
        return Media::Refused(format!("{name:?}: unknown hash {hash:?}"));
    };
    if let Some(path) = table.get(&digest) {
        return Media::File(path.clone());
    }
    // A file of that name whose bytes differ: altered or corrupted since archiving.
    let base = Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match index.by_name.get(&base) {
        Some(path) => Media::Refused(format!(
            "{} does not match its archived hash {hash}: altered or damaged; not imported",
            path.display()
        )),
        None => Media::Missing(format!(
            "no file in the folder has the archived hash {hash}"
        )),
    }
}

/// The text the timestamping enricher stamps, rebuilt: the hashes of the top-level
/// media that have one, without their algorithm prefix, one per line.
fn hash_list(json: &Value) -> String {
    let hashes: Vec<String> = json["media"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m.pointer("/properties/hash").and_then(Value::as_str))
        .map(|h| h.replace("SHA-256:", "").replace("SHA3-512:", ""))
        .collect();
    hashes.join("\n")
}
