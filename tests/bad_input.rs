//! Every bad input gets one clear line naming the file and the cause, a non-zero exit,
//! and leaves the case exactly as it was.
#![allow(clippy::unwrap_used)]

mod util;

use std::fs;
use std::io::Write;
use std::path::Path;

use util::{data, geoproof, new_case, snapshot};

/// Adds `file` to a fresh case and checks the refusal: one stderr line naming the file
/// and containing `cause`, non-zero exit, the case untouched.
fn assert_add_refused(file: &Path, cause: &str) {
    util::assert_add_refused_with(None, &[], file, cause);
}

#[test]
fn truncated_jpeg_is_refused() {
    assert_add_refused(&data("truncated.jpg"), "truncated JPEG");
}

#[test]
fn text_file_named_jpg_is_refused() {
    assert_add_refused(&data("not-an-image.jpg"), "not an image");
}

#[test]
fn empty_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jpg");
    fs::write(&empty, b"").unwrap();
    assert_add_refused(&empty, "empty file");
}

/// A valid PNG whose header claims `width`×`height` with a tiny (wrong) IDAT.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn png_claiming_100000_by_100000_pixels_is_refused_without_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.png");
    fs::write(&bomb, png_claiming(100_000, 100_000)).unwrap();
    assert_add_refused(&bomb, "100000×100000 pixels");
    // Decoding it would need 40 GB; the refusal must come from the header alone. Under
    // a 1 GiB address-space cap, any attempt to allocate the image would abort instead.
    #[cfg(unix)]
    {
        let run =
            util::geoproof_with_memory_limit(1 << 20, &["inspect".as_ref(), bomb.as_os_str()]);
        run.assert_failed();
        assert!(
            run.stderr.contains("above the decode limit"),
            "{}",
            run.stderr
        );
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
}

#[test]
fn directory_given_as_a_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert_add_refused(dir.path(), "is a directory");
}

#[test]
fn missing_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert_add_refused(&dir.path().join("nope.jpg"), "cannot read");
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.jpg");
    fs::copy(data("rocket-gps.jpg"), &path).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&path).is_ok() {
        // Running as root ignores file modes; a socket cannot be read by anyone.
        fs::remove_file(&path).unwrap();
        let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        assert_add_refused(&path, "cannot read");
    } else {
        assert_add_refused(&path, "cannot read");
    }
}

/// `add`, `list` and `verify` on a broken case each fail with one line containing `cause`.
fn assert_every_command_refuses(case: &Path, cause: &str) {
    let fixture = data("rocket-gps.jpg");
    for command in ["add", "list", "verify"] {
        let mut args = vec![command.as_ref(), case.as_os_str()];
        if command == "add" {
            args.push(fixture.as_os_str());
        }
        let run = geoproof(args);
        run.assert_failed();
        assert!(run.stderr.contains(cause), "{command}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
}

#[test]
fn malformed_case_json_is_reported_and_not_overwritten() {
    let (_dir, case) = new_case();
    let broken = b"{ \"schema_version\": 1, \"title\": ";
    fs::write(case.join("case.json"), broken).unwrap();
    assert_every_command_refuses(&case, "case.json: malformed JSON");
    assert_eq!(fs::read(case.join("case.json")).unwrap(), broken);
    assert_eq!(fs::read_dir(case.join("evidence")).unwrap().count(), 0);
}

/// Plants a record whose `file` points somewhere else, and checks that no command reads
/// outside the case: `list` and `verify` name the record as damaged (file and cause) and
/// fail; `add` still takes new evidence in, warns about the record and leaves it as it is.
fn assert_escaping_record_refused(target: &str) {
    let (dir, case) = new_case();
    // A file outside the case the record tries to reach; its hash is what the record claims.
    let outside = dir.path().join("outside.jpg");
    fs::copy(data("coffee-no-gps.jpg"), &outside).unwrap();
    let sha = "a".repeat(64);
    let record = serde_json::json!({
        "sha256": sha,
        "file": target,
        "original_name": "x.jpg",
        "size_bytes": 1,
        "media_type": "image/jpeg",
        "width": 1,
        "height": 1,
        "acquired_at": "2024-03-25T00:00:00Z"
    });
    let record_path = case.join("evidence").join(format!("{sha}.json"));
    let record_bytes = serde_json::to_vec(&record).unwrap();
    fs::write(&record_path, &record_bytes).unwrap();
    // verify records itself in the audit log; nothing else may change.
    let files = || {
        let mut files = snapshot(dir.path());
        files.retain(|(path, _)| !path.ends_with("log.jsonl"));
        files
    };
    let before = files();
    let cause = format!("evidence/{sha}.json: file");
    for command in ["list", "verify"] {
        let run = geoproof([command.as_ref(), case.as_os_str()]);
        run.assert_failed();
        assert!(
            run.stderr.contains(&cause) || run.stdout.contains(&cause),
            "{command}: {} {}",
            run.stdout,
            run.stderr
        );
    }
    assert!(files() == before, "nothing may be written");
    let fixture = data("rocket-gps.jpg");
    let run = geoproof(["add".as_ref(), case.as_os_str(), fixture.as_os_str()]);
    run.assert_ok();
    assert!(run.stderr.contains(&cause), "{}", run.stderr);
    assert_eq!(
        fs::read(&record_path).unwrap(),
        record_bytes,
        "the damaged record is left as it is"
    );
    assert_eq!(
        fs::read(&outside).unwrap(),
        fs::read(data("coffee-no-gps.jpg")).unwrap()
    );
}

#[test]
fn record_with_parent_path_is_refused() {
    assert_escaping_record_refused("../../etc/passwd");
}

#[test]
fn record_with_absolute_path_is_refused() {
    assert_escaping_record_refused("/etc/passwd");
}

#[test]
fn record_reaching_a_sibling_folder_is_refused() {
    assert_escaping_record_refused("../outside.jpg");
}

#[test]
fn adding_to_a_folder_that_is_not_a_case_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let run = geoproof([
        "add".as_ref(),
        dir.path().as_os_str(),
        data("rocket-gps.jpg").as_os_str(),
    ]);
    run.assert_failed();
    assert!(run.stderr.contains("not a geoproof case"), "{}", run.stderr);
}

#[test]
fn creating_a_case_over_a_non_empty_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = fs::File::create(dir.path().join("notes.txt")).unwrap();
    f.write_all(b"keep me").unwrap();
    let run = geoproof(["new".as_ref(), dir.path().as_os_str()]);
    run.assert_failed();
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(fs::read(dir.path().join("notes.txt")).unwrap(), b"keep me");
}

#[test]
fn a_heic_without_its_image_is_refused_with_libheifs_reason() {
    let dir = tempfile::tempdir().unwrap();
    let heic = dir.path().join("IMG_0001.HEIC");
    fs::write(&heic, b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").unwrap();
    assert_add_refused(&heic, "corrupt HEIF: libheif: Invalid input: No 'meta' box");
}
