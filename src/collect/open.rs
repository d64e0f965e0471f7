//! Which reader a collection needs: a WACZ file, a Telegram export, auto-archiver
//! output, or a refusal that says what geoproof knows.

use std::path::Path;

use super::collected::{CollectError, Collected};
use super::{archiver, telegram, wacz};

/// Reads the collection at `path` (a folder, or its index file: `result.json`, an
/// auto-archiver `metadata.json`).
pub fn read(path: &Path) -> Result<Collected, CollectError> {
    if path.is_file()
        && path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("wacz"))
    {
        return wacz::read(path);
    }
    if path.is_file() {
        let is_telegram = path.file_name().is_some_and(|n| n == "result.json");
        let folder = path.parent().unwrap_or(Path::new("."));
        return if is_telegram {
            telegram::read(folder)
        } else {
            archiver::read(path)
        };
    }
    let folder = path;
    if !folder.is_dir() {
        return Err(CollectError {
            path: path.to_owned(),
            cause: "no such file or folder".into(),
        });
    }
    if folder.join("result.json").is_file() {
        return telegram::read(folder);
    }
    if telegram::is_html_export(folder) {
        return Err(CollectError {
            path: folder.to_owned(),
            cause: "a Telegram HTML export, which has no machine-readable data: export the \
                    chat again with Format “Machine-readable JSON”"
                .into(),
        });
    }
    let archives = archiver::metadata_files(folder);
    if !archives.is_empty() {
        let mut all = Collected {
            kind: "auto_archiver",
            ..Collected::default()
        };
        let mut hashes = Vec::new();
        for file in &archives {
            let one = archiver::read(file)?;
            hashes.push(one.sha256.clone());
            all.chats += one.chats;
            all.messages += one.messages;
            all.items.extend(one.items);
            all.warnings.extend(one.warnings);
        }
        all.sha256 = hashes.join(",");
        return Ok(all);
    }
    Err(CollectError {
        path: folder.to_owned(),
        cause: "not a collection geoproof knows (a Telegram Desktop JSON export has a \
                result.json; auto-archiver output a metadata.json with `metadata` and `media`; a web \
                archive is a .wacz file)"
            .into(),
    })
}
