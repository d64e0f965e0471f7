//! The timestamping enricher's tokens in auto-archiver output, found whatever the storage
//! layout. The enricher writes `timestamp_token_<tsa-slug>` (no extension) and the TSA's
//! chain as `<n> – <serial>.crt` (PEM), listed in `metadata.json` under the `hashes.txt`
//! media's `timestamp_authority_files` (each with `tsa` and `cert_chain`). Storages then
//! rename them: the default local storage calls each file by the first 24 hex digits of
//! its hash plus the original extension, so tokens and certificates lose their names. A
//! token is looked for by the paths the metadata gives (`urls`, `_key`), by its original
//! name, and else by its message imprint: a token in the folder that stamps this
//! archive's hash list. A token not found, or one that stamps something else, is a
//! warning, never a silent loss.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::Value;

use super::files::FileIndex;
use crate::case::KeptTimestamp;
use crate::timestamp;

/// The tokens kept for a post, and what could not be kept.
#[derive(Debug, Default)]
pub(super) struct Stamps {
    pub kept: Vec<KeptTimestamp>,
    pub warnings: Vec<String>,
}

/// Where the metadata says a media is (stored paths first, then its original name),
/// among the files of the folder.
fn locate<'a>(media: &Value, index: &'a FileIndex) -> Vec<&'a PathBuf> {
    let mut named: Vec<&str> = media
        .get("urls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for key in ["_key", "key", "filename"] {
        named.extend(media.get(key).and_then(Value::as_str));
    }
    let mut found = Vec::new();
    for name in named {
        // A storage path (relative, maybe with the storage's own folder) must end the
        // file's path; an original name matches the file name.
        let relative = Path::new(name.trim_start_matches("./"));
        let base = relative.file_name();
        for path in index.paths() {
            let hit = (relative.components().count() > 1 && path.ends_with(relative))
                || (base.is_some() && path.file_name() == base);
            if hit && !found.contains(&path) {
                found.push(path);
            }
        }
    }
    found
}

fn original_name(media: &Value) -> String {
    let name = media.get("filename").and_then(Value::as_str).unwrap_or("");
    Path::new(name)
        .file_name()
        .map_or_else(|| name.to_owned(), |n| n.to_string_lossy().into_owned())
}

/// The tokens of every `timestamp_authority_files` list in the metadata. `hash_list` is
/// the text the enricher stamped as rebuilt from the media hashes; a stored copy of its
/// `hashes.txt` that a token stamps is used when the two differ.
pub(super) fn find(json: &Value, hash_list: &str, index: &FileIndex) -> Stamps {
    let mut stamps = Stamps::default();
    let mut claimed: Vec<PathBuf> = Vec::new();
    for m in json["media"].as_array().into_iter().flatten() {
        let Some(tokens) = m
            .pointer("/properties/timestamp_authority_files")
            .and_then(Value::as_array)
        else {
            continue;
        };
        for entry in tokens {
            let authority = entry
                .pointer("/properties/tsa")
                .and_then(Value::as_str)
                .unwrap_or("an unnamed authority")
                .to_owned();
            match find_token(entry, hash_list, index, &claimed) {
                Ok((path, bytes, stamped_text)) => {
                    let (chain_pem, warning) = chain(entry, index, &authority);
                    stamps.warnings.extend(warning);
                    claimed.push(path);
                    stamps.kept.push(KeptTimestamp {
                        authority,
                        token_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                        stamped_text,
                        chain_pem,
                    });
                }
                Err(why) => stamps.warnings.push(format!(
                    "the timestamp of {authority} ({}) was not kept: {why}",
                    original_name(entry)
                )),
            }
        }
    }
    stamps
}

/// The token file for `entry`, its bytes and the text it stamps.
fn find_token(
    entry: &Value,
    hash_list: &str,
    index: &FileIndex,
    claimed: &[PathBuf],
) -> Result<(PathBuf, Vec<u8>, String), String> {
    let stamped = |bytes: &[u8]| -> Option<String> {
        let imprint = timestamp::imprint(bytes).ok()?;
        if imprint.covers(hash_list.as_bytes()) {
            return Some(hash_list.to_owned());
        }
        // The stored hashes.txt, when the rebuilt list differs from it.
        index
            .small()
            .find(|(_, data)| imprint.covers(data))
            .map(|(_, data)| String::from_utf8_lossy(data).into_owned())
    };
    let named = locate(entry, index);
    for path in &named {
        if let Some((_, bytes)) = index.small().find(|(p, _)| p == *path)
            && let Some(text) = stamped(bytes)
        {
            return Ok(((*path).clone(), bytes.to_vec(), text));
        }
    }
    // Stored under another name (a hash): any unclaimed token that stamps this archive.
    for (path, bytes) in index.small() {
        if claimed.contains(path) || timestamp::imprint(bytes).is_err() {
            continue;
        }
        if let Some(text) = stamped(bytes) {
            return Ok((path.clone(), bytes.to_vec(), text));
        }
    }
    match named.first() {
        Some(path) => Err(format!(
            "{} does not stamp this archive's hash list (not a token, or a token for other data)",
            path.display()
        )),
        None => Err(
            "no file in the folder is this token (by its stored path, its name, or what it stamps)"
                .into(),
        ),
    }
}

/// The authority's certificates listed under `cert_chain`, as PEM, and a warning when
/// none are in the folder. Files stored under other names (hashes) are recognised by
/// content: every certificate file of the folder is offered, and verification takes
/// the ones that chain.
fn chain(entry: &Value, index: &FileIndex, authority: &str) -> (String, Option<String>) {
    let listed: Vec<&Value> = entry
        .pointer("/properties/cert_chain")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let as_chain = |path: &PathBuf, bytes: &[u8]| {
        timestamp::read_chain(bytes, &path.display().to_string()).ok()
    };
    let mut certificates: Vec<Vec<u8>> = Vec::new();
    let mut located = 0;
    for cert in &listed {
        let found = locate(cert, index).into_iter().find_map(|path| {
            let (_, bytes) = index.small().find(|(p, _)| p == path)?;
            as_chain(path, bytes)
        });
        if let Some(ders) = found {
            located += 1;
            certificates.extend(ders);
        }
    }
    if located < listed.len() {
        for (path, bytes) in index.small() {
            for der in as_chain(path, bytes).into_iter().flatten() {
                if !certificates.contains(&der) {
                    certificates.push(der);
                }
            }
        }
    }
    let warning = (!listed.is_empty() && certificates.is_empty()).then(|| {
        format!(
            "none of the {} certificate file(s) of {authority}'s chain is in the folder",
            listed.len()
        )
    });
    (timestamp::pem(&certificates), warning)
}
