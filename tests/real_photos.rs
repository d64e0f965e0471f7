//! Photos from the field (tests/data/real/photos, see SOURCES there) read as the
//! reference tools read them: djpeg (libjpeg-turbo) for JPEG structure, exiftool for
//! EXIF, heif-info (libheif) for HEIF. A test whose reference tool is missing checks geoproof's own answer against
//! the values written here and prints a notice.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use util::{add_to_new_case, geoproof};

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
    let (_dir, case, _) = add_to_new_case(&file);
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
    let (_dir, _, run) = add_to_new_case(&file);
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

/// heif-info's size of the primary image (after its rotation), or `None`.
fn heif_info_primary_size(file: &Path) -> Option<(u64, u64)> {
    let out = reference("heif-info", &[file.as_os_str()])?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = text
        .lines()
        .find(|l| l.starts_with("image:") && l.ends_with("primary"))?;
    let size = line.split_whitespace().nth(1)?.trim_end_matches(',');
    let (w, h) = size.split_once('x')?;
    Some((w.parse().ok()?, h.parse().ok()?))
}

#[test]
fn an_iphone_heic_is_taken_in_turned_once_with_its_primary_images_exif() {
    // Two images, each with its EXIF; the primary one is turned by `irot` (270°) and
    // its EXIF says Orientation 6, as iPhones write them.
    let file = photo("iphone-xs-rotated.heic");
    let v = inspect(&file);
    assert_eq!(v["media_type"], "image/heic");
    assert_eq!(size_of(&v), (900, 1025), "turned once, not twice: {v}");
    assert_eq!(v["make"], "Apple");
    assert_eq!(v["model"], "iPhone XS");
    assert_eq!(v["taken_at"], "2021-07-06T16:08:14+03:00");
    assert_eq!(v["orientation"], 6);
    assert_eq!(v["lat"], 46.7547028);
    assert_eq!(v["lon"], 33.3361056);
    // The primary image's direction; the other image's EXIF says 224.03°.
    assert!((v["direction_deg"].as_f64().unwrap() - 241.9554748).abs() < 1e-6);
    if let Some(size) = heif_info_primary_size(&file) {
        assert_eq!(size, size_of(&v));
    }
    let tags = [
        "Make",
        "Model",
        "DateTimeOriginal",
        "OffsetTimeOriginal",
        "GPSLatitude",
        "GPSLongitude",
        "GPSImgDirection",
        "Orientation",
        "Rotation",
    ];
    if let Some(t) = exiftool(&file, &tags) {
        // exiftool's main document is the primary image's EXIF (the other is Doc1).
        assert_eq!(t["Make"], v["make"]);
        assert_eq!(t["Model"], v["model"]);
        assert_eq!(t["DateTimeOriginal"], "2021:07:06 16:08:14");
        assert_eq!(t["OffsetTimeOriginal"], "+03:00");
        let close = |a: &serde_json::Value, b: &serde_json::Value| {
            (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-6
        };
        assert!(close(&t["GPSLatitude"], &v["lat"]), "{t}");
        assert!(close(&t["GPSLongitude"], &v["lon"]), "{t}");
        assert!(close(&t["GPSImgDirection"], &v["direction_deg"]), "{t}");
        assert_eq!(t["Orientation"], 6);
        assert_eq!(t["Rotation"], 270);
    }
    // Into a case byte for byte, with an upright preview, and on the board like a JPEG.
    let (_dir, case, _) = add_to_new_case(&file);
    let sha = v["sha256"].as_str().unwrap();
    let stored = case.join("evidence").join(format!("{sha}.heic"));
    assert_eq!(
        std::fs::read(stored).unwrap(),
        std::fs::read(&file).unwrap()
    );
    let thumb = image::open(case.join("cache/thumbnails").join(format!("{sha}.png"))).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (225, 256));
}

#[test]
fn a_truncated_heic_is_refused_as_truncated() {
    let file = photo("truncated.heic");
    let run = geoproof(["inspect".as_ref(), file.as_os_str()]);
    run.assert_failed();
    assert!(run.stderr.contains("truncated HEIF"), "{}", run.stderr);
    if let Some(out) = reference("heif-info", &[file.as_os_str()]) {
        assert!(!out.status.success(), "heif-info refuses it too");
    }
}

#[test]
fn avif_is_refused_with_gdals_reason_where_gdal_cannot_open_it() {
    let file = photo("libheif-example.avif");
    let run = geoproof(["inspect".as_ref(), file.as_os_str(), "--json".as_ref()]);
    if run.status == 0 {
        // A GDAL that opens AVIF: then it is read like HEIC (heif-info: 800×533).
        assert_eq!(size_of(&run.json()), (800, 533));
        return;
    }
    assert!(
        run.stderr.contains("unsupported AVIF: GDAL") && run.stderr.contains("cannot open it"),
        "{}",
        run.stderr
    );
    if let Some(size) = heif_info_primary_size(&file) {
        assert_eq!(size, (800, 533), "libheif reads it: the refusal is GDAL's");
    }
}

#[test]
fn a_heic_reaches_figures_and_matching_with_libheifs_pixels() {
    // `redact` and `match` load stills the way the board, figures and matching do.
    let file = photo("iphone-xs-rotated.heic");
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.png");
    let run = geoproof([
        "redact".as_ref(),
        file.as_os_str(),
        "--region".as_ref(),
        "0,0,1,1".as_ref(),
        "--method".as_ref(),
        "box".as_ref(),
        "--out".as_ref(),
        ours.as_os_str(),
    ]);
    run.assert_ok();
    let ours = image::open(&ours).unwrap().to_rgb8();
    assert_eq!(ours.dimensions(), (900, 1025));
    let run = geoproof([
        "match".as_ref(),
        file.as_os_str(),
        file.as_os_str(),
        "--features".as_ref(),
        "300".as_ref(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    assert!(
        run.json()["inliers"].as_u64().unwrap() > 100,
        "{}",
        run.stdout
    );
    // heif-convert writes the primary image (the first) as libheif decodes it.
    let theirs = dir.path().join("libheif.png");
    let Some(out) = reference("heif-convert", &[file.as_os_str(), theirs.as_os_str()]) else {
        return;
    };
    assert!(out.status.success());
    let theirs = image::open(dir.path().join("libheif-1.png"))
        .unwrap()
        .to_rgb8();
    assert_eq!(theirs.dimensions(), ours.dimensions());
    let diff: u64 = ours
        .pixels()
        .zip(theirs.pixels())
        .skip(1) // the redacted pixel
        .flat_map(|(a, b)| (0..3).map(move |c| u64::from(a[c].abs_diff(b[c]))))
        .sum();
    let mean = diff as f64 / (900.0 * 1025.0 * 3.0);
    assert!(mean < 1.0, "mean difference from libheif's decode {mean}");
}
