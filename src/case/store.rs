//! Durable file primitives for the case folder: atomic writes, deterministic JSON, and
//! path checks that keep every access inside the case.
//!
//! Every write goes to a temporary file in the destination folder, is fsynced, and is
//! renamed over the target, so a crash at any point leaves either the old or the new
//! version — never a half-written file.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::invalid::Invalid;
use super::{CaseError, MAX_RECORD_BYTES};

/// Serialises `value` as pretty JSON (2-space indent) with a trailing newline.
///
/// Key order is stable: struct fields in declaration order, `BTreeMap`s sorted, so saving
/// an unchanged case produces identical bytes. A `serde_json::Value`'s objects keep the
/// order they were built in (the `c2pa` crate turns on serde_json's `preserve_order` for
/// the whole program): a document built as a `Value` goes through
/// [`to_sorted_json_bytes`].
pub fn to_json_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A document built as a `Value` (a manifest, an export) as pretty JSON with every
/// object's keys sorted, whatever order it was built in, so its bytes are reproducible.
pub fn to_sorted_json_bytes(mut value: serde_json::Value) -> Result<Vec<u8>, serde_json::Error> {
    value.sort_all_objects();
    to_json_bytes(&value)
}

/// Reads and parses a JSON file of a case, naming the file in any error. Case files come
/// from other people: one larger than [`MAX_RECORD_BYTES`] is refused unread.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, CaseError> {
    use std::io::Read;
    let io_err = |source| CaseError::Io {
        path: path.to_owned(),
        source,
    };
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|f| f.take(MAX_RECORD_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io_err)?;
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Err(CaseError::InvalidRecord {
            path: path.to_owned(),
            reason: format!(
                "larger than {} MiB; a record is never that big",
                MAX_RECORD_BYTES >> 20
            ),
        });
    }
    serde_json::from_slice(&bytes).map_err(|source| CaseError::Json {
        path: path.to_owned(),
        source,
    })
}

/// Writes `value` as deterministic JSON, atomically.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), CaseError> {
    let bytes = to_json_bytes(value).map_err(|source| CaseError::Json {
        path: path.to_owned(),
        source,
    })?;
    write_atomic(path, &bytes, false)
}

/// Writes `bytes` to `path` atomically (see [`crate::fsio`]). With `read_only`, the
/// file is made read-only before it appears under its final name, so an original never
/// exists in a writable state.
pub fn write_atomic(path: &Path, bytes: &[u8], read_only: bool) -> Result<(), CaseError> {
    Ok(crate::fsio::write_atomic(path, bytes, read_only)?)
}

/// Copies `source` to `path` atomically (as [`write_atomic`]), streaming, and checks
/// the copy's SHA-256 against `expected`: a source that changed after it was inspected
/// leaves nothing behind.
pub fn copy_atomic_verified(
    source: &Path,
    path: &Path,
    expected_sha256: &str,
    read_only: bool,
) -> Result<(), CaseError> {
    use sha2::{Digest, Sha256};
    let io_err = |at: &Path, source: io::Error| CaseError::Io {
        path: at.to_owned(),
        source,
    };
    crate::fsio::write_atomic_with(path, read_only, |tmp| {
        let mut input = File::open(source).map_err(|e| io_err(source, e))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = io::Read::read(&mut input, &mut buf).map_err(|e| io_err(source, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            tmp.write_all(&buf[..n]).map_err(|e| io_err(path, e))?;
        }
        let copied = hex::encode(hasher.finalize());
        if copied != expected_sha256 {
            return Err(io_err(
                source,
                io::Error::other(format!(
                    "changed while it was being imported (SHA-256 {} instead of {}); nothing \
                     was added",
                    &copied[..12],
                    &expected_sha256[..expected_sha256.len().min(12)]
                )),
            ));
        }
        Ok(())
    })
}

/// Resolves a path stored in a case file (always relative, `/`-separated) against the
/// case root, refusing anything that could leave the folder: absolute paths, `..`,
/// drive prefixes, and symlinks that point outside.
pub fn resolve_inside(root: &Path, stored: &str) -> Result<PathBuf, Invalid> {
    let relative = Path::new(stored);
    let refuse = |reason| Invalid::Outside {
        path: super::invalid::truncated(stored),
        reason,
    };
    if stored.is_empty() {
        return Err(refuse("is empty"));
    }
    for component in relative.components() {
        match component {
            Component::Normal(_) => {}
            Component::CurDir => {}
            Component::ParentDir => return Err(refuse("contains '..'")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(refuse("is absolute"));
            }
        }
    }
    let joined = root.join(relative);
    // A symlink inside the case could still point elsewhere: compare real locations
    // when the file exists (a missing file cannot be read, so it cannot leak).
    if let (Ok(real), Ok(real_root)) = (joined.canonicalize(), root.canonicalize())
        && !real.starts_with(&real_root)
    {
        return Err(refuse("leads outside the case folder"));
    }
    Ok(joined)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn atomic_write_replaces_content_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        write_atomic(&path, b"one", false).unwrap();
        write_atomic(&path, b"two", false).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "temp files left behind: {names:?}");
    }

    #[test]
    fn read_only_write_produces_read_only_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orig.bin");
        write_atomic(&path, b"x", true).unwrap();
        assert!(fs::metadata(&path).unwrap().permissions().readonly());
    }

    #[test]
    fn numbers_read_back_exactly_as_written() {
        // Annotation coordinates are f64; each must survive save and load bit for bit
        // (184.79999999999998 came back as 184.8 without serde_json's float_roundtrip).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.json");
        let values = vec![
            184.79999999999998f64,
            0.1 + 0.2,
            1e-300,
            123_456.789_012_345_67,
        ];
        write_json(&path, &values).unwrap();
        let back: Vec<f64> = read_json(&path).unwrap();
        assert_eq!(
            back.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            values.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn an_oversized_json_file_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("case.json");
        let mut huge = b"{\"title\": \"".to_vec();
        huge.resize(MAX_RECORD_BYTES as usize + 10, b'x');
        fs::write(&path, &huge).unwrap();
        let err = read_json::<serde_json::Value>(&path)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("case.json: invalid record: larger than 16 MiB"),
            "{err}"
        );
    }

    #[test]
    fn json_is_pretty_sorted_and_newline_terminated() {
        let value: serde_json::Value = serde_json::json!({"b": 1, "a": [1, {"d": 0, "c": 0}]});
        let text = String::from_utf8(to_sorted_json_bytes(value).unwrap()).unwrap();
        assert_eq!(
            text,
            "{\n  \"a\": [\n    1,\n    {\n      \"c\": 0,\n      \"d\": 0\n    }\n  ],\n  \"b\": 1\n}\n"
        );
        // Structs keep their declaration order, maps are sorted.
        #[derive(serde::Serialize)]
        struct Rec {
            z: u8,
            m: std::collections::BTreeMap<&'static str, u8>,
        }
        let rec = Rec {
            z: 1,
            m: [("y", 1), ("x", 2)].into(),
        };
        let text = String::from_utf8(to_json_bytes(&rec).unwrap()).unwrap();
        assert_eq!(
            text,
            "{\n  \"z\": 1,\n  \"m\": {\n    \"x\": 2,\n    \"y\": 1\n  }\n}\n"
        );
    }

    #[test]
    fn resolve_inside_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        assert!(resolve_inside(dir.path(), "../../etc/passwd").is_err());
        assert!(resolve_inside(dir.path(), "/etc/passwd").is_err());
        assert!(resolve_inside(dir.path(), "evidence/../../x").is_err());
        assert!(resolve_inside(dir.path(), "").is_err());
        assert!(resolve_inside(dir.path(), "evidence/abc.jpg").is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn resolve_inside_refuses_symlink_leading_out() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("link")).unwrap();
        assert!(resolve_inside(dir.path(), "link").is_err());
    }
}
