//! Every bad input gets one clear line naming the file and the cause, a non-zero exit,
//! and leaves the case exactly as it was.
#![allow(clippy::unwrap_used)]

mod util;

use std::fs;
use std::io::Write;
use std::path::Path;

use util::{add_to_new_case, data, geoproof, new_case, snapshot};

/// Adds `file` to a fresh case and checks the refusal: one stderr line naming the file
/// and containing `cause`, non-zero exit, the case untouched.
fn assert_add_refused(file: &Path, cause: &str) {
    util::assert_add_refused_with(None, &[], file, cause);
}

/// Rows at the bottom of djpeg's decode of `file` that are all mid-grey (no data
/// reached them), or `None` (with a notice) when djpeg is not installed.
fn djpeg_grey_rows(file: &Path) -> Option<usize> {
    let Ok(out) = std::process::Command::new("djpeg").arg(file).output() else {
        eprintln!("notice: djpeg is not installed; reference check skipped");
        return None;
    };
    // djpeg exits 2 (warnings) and still writes the image.
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Premature end of JPEG file"));
    let ppm = &out.stdout;
    let header: Vec<usize> = ppm
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .take(3)
        .collect();
    let fields: Vec<usize> = String::from_utf8_lossy(&ppm[header[0] + 1..header[1]])
        .split_ascii_whitespace()
        .map(|f| f.parse().unwrap())
        .collect();
    let pixels = &ppm[header[2] + 1..];
    Some(
        pixels
            .chunks(fields[0] * 3)
            .rev()
            .take_while(|row| row.iter().all(|v| *v == 128))
            .count(),
    )
}

#[test]
fn a_jpeg_cut_short_is_taken_in_with_the_rows_it_lacks_named() {
    let file = data("truncated.jpg");
    // djpeg reads 640×427 pixels, the bottom 291 rows grey; checked again when installed.
    let grey = djpeg_grey_rows(&file).unwrap_or(291);
    assert_eq!(grey, 291);
    let expected = format!("the bottom {grey} of its 427 rows are missing and shown grey");
    let run = geoproof(["inspect".as_ref(), file.as_os_str(), "--json".as_ref()]);
    run.assert_ok();
    let v = run.json();
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(640), Some(427))
    );
    // One warning: the missing rows (its segments before the image data, where EXIF
    // would be, are whole; this file has none).
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1, "{v}");
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains(&expected), "{warnings}");
    assert!(warnings.contains("after 20000 bytes"), "{warnings}");
    // `add` takes it in byte for byte, the warning in the record.
    let (_dir, case, run) = add_to_new_case(&file);
    assert!(run.stdout.contains(&expected), "{}", run.stdout);
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
    let stored = case
        .join("evidence")
        .join(format!("{}.jpg", v["sha256"].as_str().unwrap()));
    assert_eq!(fs::read(stored).unwrap(), fs::read(&file).unwrap());
}

#[test]
fn a_jpeg_cut_short_says_its_missing_rows_when_loaded_for_analysis() {
    // Figures, matching, redaction and georeferencing load stills through
    // `load_oriented`: the warning intake records comes with the pixels there too.
    let file = data("truncated.jpg");
    let record = geoproof(["inspect".as_ref(), file.as_os_str(), "--json".as_ref()]);
    record.assert_ok();
    let recorded: Vec<String> = serde_json::from_value(record.json()["warnings"].clone()).unwrap();
    let loaded = geoproof::evidence::load_oriented(&file, u32::MAX).unwrap();
    assert_eq!(loaded.warnings, recorded);
    assert!(loaded.warnings[0].contains("the bottom 291 of its 427 rows are missing"));
    // A command that stands on the picture says so: on stderr, naming the file, and in
    // its JSON.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("redacted.png");
    let run = geoproof([
        "redact".as_ref(),
        file.as_os_str(),
        "--region".as_ref(),
        "0,0,10,10".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let line = format!("warning: {}: {}", file.display(), recorded[0]);
    assert!(run.stderr.contains(&line), "{}", run.stderr);
    assert_eq!(run.json()["warnings"], serde_json::json!(recorded));
    let run = geoproof(["colours".as_ref(), file.as_os_str(), file.as_os_str()]);
    run.assert_ok();
    assert_eq!(run.stderr.matches(&line).count(), 2, "{}", run.stderr);
}

#[test]
fn a_jpeg_cut_short_keeps_its_exif() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = fs::read(data("rocket-gps.jpg")).unwrap();
    let cut = dir.path().join("rocket-cut.jpg");
    fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let run = geoproof(["inspect".as_ref(), cut.as_os_str(), "--json".as_ref()]);
    run.assert_ok();
    let v = run.json();
    // The values written into rocket-gps.jpg (tests/data/README.md).
    assert_eq!(v["taken_at"], "2015-02-11T18:03:42-05:00", "{v}");
    assert!((v["lat"].as_f64().unwrap() - 28.56194).abs() < 1e-4, "{v}");
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{v}");
    assert!(
        warnings[0]
            .as_str()
            .unwrap()
            .contains("the file ends early"),
        "{v}"
    );
}

#[test]
fn a_jpeg_cut_before_its_image_data_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = fs::read(data("truncated.jpg")).unwrap();
    // Cut inside the tables, before the start-of-scan marker (at byte 1027).
    let cut = dir.path().join("cut.jpg");
    fs::write(&cut, &bytes[..600]).unwrap();
    assert_add_refused(&cut, "truncated JPEG");
    // Cut just after the scan header: no image data at all (libjpeg would show rows
    // decoded from nothing).
    let header_only = dir.path().join("header-only.jpg");
    let sos = bytes.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    let sos_len = usize::from(u16::from_be_bytes([bytes[sos + 2], bytes[sos + 3]]));
    fs::write(&header_only, &bytes[..sos + 2 + sos_len]).unwrap();
    assert_add_refused(&header_only, "truncated JPEG: file ends after 1041 bytes");
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
