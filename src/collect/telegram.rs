//! Telegram Desktop's JSON export ("Machine-readable JSON"): a folder with `result.json`
//! for one chat, or for a whole account (`chats.list`), the media in folders beside it.
//! Every path in the file is untrusted: one that leaves the export folder is never read.

use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::collected::{CollectError, Collected, Item, Media};
use crate::case::SourceRecord;

/// The three ways Telegram Desktop says a file was not exported.
const NOT_EXPORTED: [&str; 3] = [
    "(File not included",
    "(File exceeds maximum size",
    "(File unavailable",
];

/// Whether `folder` looks like an HTML export (which carries no machine-readable data).
pub fn is_html_export(folder: &Path) -> bool {
    folder.join("messages.html").is_file() || folder.join("export_results.html").is_file()
}

/// Reads `folder/result.json` into posts with their media.
pub fn read(folder: &Path) -> Result<Collected, CollectError> {
    let file = folder.join("result.json");
    let fail = |cause: String| CollectError {
        path: file.clone(),
        cause,
    };
    let bytes = std::fs::read(&file).map_err(|e| fail(e.to_string()))?;
    let sha256 = crate::evidence::sha256_hex(&bytes);
    let json: Value = serde_json::from_slice(&bytes)
        .map_err(|e| fail(format!("not a Telegram JSON export ({e})")))?;
    let chats: Vec<&Value> = if json.get("messages").is_some_and(Value::is_array) {
        vec![&json]
    } else if let Some(list) = json.pointer("/chats/list").and_then(Value::as_array) {
        let left = json.pointer("/left_chats/list").and_then(Value::as_array);
        list.iter().chain(left.into_iter().flatten()).collect()
    } else {
        return Err(fail(
            "not a Telegram export: it has neither `messages` nor `chats.list`".into(),
        ));
    };
    let root = folder
        .canonicalize()
        .map_err(|e| fail(format!("the export folder: {e}")))?;
    let now = Utc::now();
    let mut collected = Collected {
        kind: "telegram",
        sha256,
        ..Collected::default()
    };
    for chat in chats {
        collected.chats += 1;
        let Some(messages) = chat.get("messages").and_then(Value::as_array) else {
            continue;
        };
        for (index, m) in messages.iter().enumerate() {
            if m.get("type").and_then(Value::as_str) == Some("service") {
                continue;
            }
            collected.messages += 1;
            let base = SourceRecord {
                kind: "telegram".into(),
                chat: text_field(chat, "name"),
                chat_type: text_field(chat, "type"),
                chat_id: chat.get("id").and_then(Value::as_i64),
                message_id: m.get("id").and_then(Value::as_i64),
                imported_at: now,
                collection_sha256: collected.sha256.clone(),
                ..SourceRecord::default()
            };
            let where_ = format!(
                "{} message {}",
                base.chat.as_deref().unwrap_or("chat"),
                index
            );
            match base.message_id {
                Some(id) if id > 0 => {}
                other => {
                    collected.warnings.push(format!(
                        "{where_}: message id {} is not a positive number; the message is skipped",
                        other.map_or("missing".to_owned(), |v| v.to_string())
                    ));
                    continue;
                }
            }
            let utc = posted_utc(m);
            let source = SourceRecord {
                posted_utc: utc,
                posted_local_unknown_zone: if utc.is_none() {
                    text_field(m, "date")
                } else {
                    None
                },
                from: text_field(m, "from"),
                author: text_field(m, "author"),
                forwarded_from: text_field(m, "forwarded_from"),
                reply_to: m.get("reply_to_message_id").and_then(Value::as_i64),
                text: message_text(m),
                location: location(m),
                ..base
            };
            for key in ["photo", "file"] {
                let Some(path) = m.get(key).and_then(Value::as_str) else {
                    continue;
                };
                let media = if NOT_EXPORTED.iter().any(|p| path.starts_with(p)) {
                    Media::Missing(path.to_owned())
                } else {
                    match inside(&root, path) {
                        Ok(file) => Media::File(file),
                        Err(reason) => Media::Refused(reason),
                    }
                };
                collected.items.push(Item {
                    source: SourceRecord {
                        path_in_export: path.to_owned(),
                        ..source.clone()
                    },
                    media,
                });
            }
        }
    }
    Ok(collected)
}

/// A string field; absent, null or not a string is `None`.
fn text_field(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `date_unixtime` (a string of seconds, or a number) as UTC.
fn posted_utc(m: &Value) -> Option<DateTime<Utc>> {
    let v = m.get("date_unixtime")?;
    let seconds = v
        .as_i64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))?;
    DateTime::from_timestamp(seconds, 0)
}

/// The text as people read it: `text_entities` joined, else `text` as a string or an
/// array of strings and `{type, text}` pieces.
fn message_text(m: &Value) -> String {
    let join = |parts: &[Value]| -> String {
        parts
            .iter()
            .filter_map(|p| match p {
                Value::String(s) => Some(s.as_str()),
                Value::Object(o) => o.get("text").and_then(Value::as_str),
                _ => None,
            })
            .collect()
    };
    if let Some(entities) = m.get("text_entities").and_then(Value::as_array)
        && !entities.is_empty()
    {
        return join(entities);
    }
    match m.get("text") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => join(parts),
        _ => String::new(),
    }
}

fn location(m: &Value) -> Option<[f64; 2]> {
    let l = m.get("location_information")?;
    let lat = l.get("latitude")?.as_f64()?;
    let lon = l.get("longitude")?.as_f64()?;
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some([lat, lon])
}

/// The file `relative` names inside the export `root` (canonical), or why it is not read:
/// absolute paths, `..` and links leading out of the folder are refused.
fn inside(root: &Path, relative: &str) -> Result<PathBuf, String> {
    let p = Path::new(relative);
    let plain = p
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if p.is_absolute() || !plain || relative.contains('\\') {
        return Err(format!("{relative:?} leaves the export folder; not read"));
    }
    let full = root.join(p);
    match full.canonicalize() {
        Ok(real) if real.starts_with(root) && real.is_file() => Ok(real),
        Ok(real) if real.starts_with(root) => Err(format!("{relative:?} is not a file")),
        Ok(_) => Err(format!(
            "{relative:?} is a link leading out of the export folder; not read"
        )),
        Err(e) => Err(format!(
            "{relative:?} is listed but not in the export ({e})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_comes_from_entities_or_text_in_any_shape() {
        let entities = json!({"text": "ignored", "text_entities": [
            {"type": "plain", "text": "Arrest in "}, {"type": "bold", "text": "Bryansk"}]});
        assert_eq!(message_text(&entities), "Arrest in Bryansk");
        let array = json!({"text": ["a ", {"type": "link", "text": "t.me/x"}, 5]});
        assert_eq!(message_text(&array), "a t.me/x");
        assert_eq!(message_text(&json!({"text": "plain"})), "plain");
        assert_eq!(message_text(&json!({})), "");
    }

    #[test]
    fn times_are_utc_from_unixtime_strings_or_numbers() {
        let t = posted_utc(&json!({"date_unixtime": "1711178100"})).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-03-23T07:15:00+00:00");
        assert!(posted_utc(&json!({"date_unixtime": 1711178100})).is_some());
        assert!(posted_utc(&json!({"date": "2024-03-23T10:15:00"})).is_none());
    }
}
