//! Photos from the field (tests/data/real/photos, see SOURCES there) read as the
//! reference tools read them: djpeg (libjpeg-turbo) for JPEG structure, exiftool for
//! EXIF. A test whose reference tool is missing checks geoproof's own answer against
//! the values written here and prints a notice.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use util::{geoproof, new_case};

fn photo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/real/photos")
        .join(name)
}

fn inspect(file: &Path) -> serde_json::Value {
    let run = geoproof(["inspect".as_ref(), file.as_os_str(), "--json".as_ref()]);
    run.assert_ok();
    run.json()
}

/// Runs a reference tool, or `None` (with a notice) when it is not installed.
fn reference(tool: &str, args: &[&std::ffi::OsStr]) -> Option<std::process::Output> {
    match Command::new(tool).args(args).output() {
        Ok(out) => Some(out),
        Err(_) => {
            eprintln!("notice: {tool} is not installed; reference check skipped");
            None
        }
    }
}

/// djpeg's decode of `file`: exit status, width × height of the PPM, and its warnings.
fn djpeg(file: &Path) -> Option<(i32, (u64, u64), String)> {
    let out = reference("djpeg", &[file.as_os_str()])?;
    let ppm = String::from_utf8_lossy(&out.stdout[..out.stdout.len().min(32)]).into_owned();
    let mut fields = ppm.split_ascii_whitespace().skip(1);
    let mut next = || fields.next().unwrap().parse::<u64>().unwrap();
    let size = (next(), next());
    let warnings = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    Some((out.status.code().unwrap_or(-1), size, warnings))
}

fn size_of(v: &serde_json::Value) -> (u64, u64) {
    (v["width"].as_u64().unwrap(), v["height"].as_u64().unwrap())
}

#[test]
fn a_jpeg_whose_data_ends_with_fill_bytes_before_eoi_is_whole() {
    // The entropy-coded data ends `00 FF FF D9`: a fill byte, then end of image.
    let file = photo("fill-bytes-before-eoi.jpg");
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[bytes.len() - 4..], &[0x00, 0xFF, 0xFF, 0xD9]);
    let v = inspect(&file);
    assert_eq!(size_of(&v), (640, 480), "{v}");
    assert_eq!(v["warnings"], serde_json::json!([]), "{v}");
    if let Some((status, size, warnings)) = djpeg(&file) {
        assert_eq!(
            (status, warnings.as_str()),
            (0, ""),
            "djpeg decodes it cleanly"
        );
        assert_eq!(size, size_of(&v));
    }
    // And it goes into a case byte for byte.
    let (_dir, case) = new_case();
    let run = geoproof([
        "add".as_ref(),
        case.as_os_str(),
        file.as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let stored = case
        .join("evidence")
        .join(format!("{}.jpg", v["sha256"].as_str().unwrap()));
    assert_eq!(std::fs::read(stored).unwrap(), bytes);
}

#[test]
fn a_jpeg_with_stray_bytes_between_segments_is_taken_in_with_libjpegs_warning() {
    let file = photo("canon-40d-extraneous-bytes.jpg");
    let v = inspect(&file);
    // Values exiftool reads from this file (a Canon EOS 40D photo scaled to 100×68).
    assert_eq!(size_of(&v), (100, 68));
    assert_eq!(v["make"], "Canon");
    assert_eq!(v["model"], "Canon EOS 40D");
    assert_eq!(v["taken_at"], "2008-05-30T15:56:01");
    let ours = v["warnings"].to_string();
    let expected = "Corrupt JPEG data: 2 extraneous bytes before marker 0xdb";
    assert!(ours.contains(expected), "{ours}");
    if let Some((status, size, warnings)) = djpeg(&file) {
        // djpeg exits 2 ("warnings") and decodes the image whole, saying the same.
        assert_eq!(status, 2, "{warnings}");
        assert_eq!(warnings, expected);
        assert_eq!(size, size_of(&v));
    }
    // The record keeps the warning; the inspector shows the record's warnings.
    let (_dir, case) = new_case();
    let run = geoproof([
        "add".as_ref(),
        case.as_os_str(),
        file.as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    assert!(run.stdout.contains(expected), "{}", run.stdout);
}

/// exiftool's reading of `tags` in `file` (`-n`: numbers as numbers), or `None`.
fn exiftool(file: &Path, tags: &[&str]) -> Option<serde_json::Value> {
    let mut args: Vec<std::ffi::OsString> = vec!["-j".into(), "-n".into()];
    args.extend(tags.iter().map(|t| format!("-{t}").into()));
    args.push(file.into());
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let out = reference("exiftool", &args)?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    Some(v[0].clone())
}

#[test]
fn a_broken_gps_pointer_loses_the_gps_block_only() {
    // IFD0's GPSInfo pointer is unusable (exiftool: "Empty GPSInfo data"); make, model
    // and the capture time in the other IFDs are intact.
    let file = photo("broken-gps-ifd.jpg");
    let v = inspect(&file);
    assert_eq!(v["make"], "Polyphony Digital Inc.");
    assert_eq!(v["model"], "Gran Turismo 5");
    assert_eq!(v["taken_at"], "2012-06-23T06:55:49");
    assert_eq!(v["orientation"], 1);
    assert!(v["lat"].is_null() && v["lon"].is_null(), "{v}");
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("EXIF partly unreadable: the GPS IFD"),
        "{warnings}"
    );
    if let Some(t) = exiftool(
        &file,
        &[
            "Make",
            "Model",
            "DateTimeOriginal",
            "Orientation",
            "GPSLatitude",
            "Warning",
        ],
    ) {
        assert_eq!(t["Make"], v["make"]);
        assert_eq!(t["Model"], v["model"]);
        assert_eq!(t["DateTimeOriginal"], "2012:06:23 06:55:49");
        assert_eq!(t["Orientation"], v["orientation"]);
        assert!(t["GPSLatitude"].is_null(), "{t}");
        assert_eq!(t["Warning"], "[minor] Empty GPSInfo data");
    }
}
