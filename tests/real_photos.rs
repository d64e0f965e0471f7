//! Photos from the field (tests/data/real/photos, see SOURCES there) read as the
//! reference tools read them: djpeg (libjpeg-turbo) for JPEG structure, exiftool for
//! EXIF, heif-info and heif-convert (libheif) for HEIF and AVIF. A test whose reference tool is missing checks geoproof's own answer against
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

/// heif-convert's decode of `file` (libheif's own), 8 bits a channel (its 16-bit PNG
/// of a 10-bit image scaled down as geoproof scales), or `None` without heif-convert.
fn heif_convert(file: &Path) -> Option<image::RgbaImage> {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("libheif.png");
    let out = reference("heif-convert", &[file.as_os_str(), png.as_os_str()])?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(match image::open(&png).unwrap() {
        image::DynamicImage::ImageRgb16(_) | image::DynamicImage::ImageRgba16(_) => {
            let wide = image::open(&png).unwrap().to_rgba16();
            image::RgbaImage::from_fn(wide.width(), wide.height(), |x, y| {
                image::Rgba(
                    wide.get_pixel(x, y)
                        .0
                        .map(|v| (f64::from(v) / 65535.0 * 255.0).round() as u8),
                )
            })
        }
        other => other.to_rgba8(),
    })
}

#[test]
fn avif_photos_decode_as_heif_convert_writes_them() {
    // (file, displayed size, largest difference allowed per channel): 8-bit pictures
    // as libheif's bytes; a 10-bit one scaled to 8 bits from heif-convert's 16-bit PNG.
    let cases = [
        ("libheif-example.avif", (800, 533), 0),
        ("kimono-irot-imir-exif.avif", (722, 1024), 0),
        ("plum-blossom-10bit-alpha.avif", (128, 128), 1),
    ];
    for (name, size, tolerance) in cases {
        let file = photo(name);
        // The path the board, figures and matching load stills by.
        let loaded = geoproof::evidence::load_oriented(&file, u32::MAX).unwrap();
        let (ours, width, height) = (loaded.image, loaded.width, loaded.height);
        assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
        assert_eq!((width, height), size, "{name}");
        assert_eq!((ours.width(), ours.height()), size, "{name}");
        assert_eq!(ours.color().has_alpha(), name.contains("alpha"), "{name}");
        let Some(theirs) = heif_convert(&file) else {
            continue;
        };
        assert_eq!(theirs.dimensions(), size, "{name}");
        let ours = ours.to_rgba8();
        let (mut max, mut sum) = (0u8, 0u64);
        for (a, b) in ours.pixels().zip(theirs.pixels()) {
            for c in 0..4 {
                let d = a[c].abs_diff(b[c]);
                max = max.max(d);
                sum += u64::from(d);
            }
        }
        let mean = sum as f64 / (f64::from(size.0 * size.1) * 4.0);
        eprintln!("{name}: largest difference from heif-convert {max}, mean {mean:.4}");
        assert!(max <= tolerance, "{name}: largest difference {max}");
    }
}

#[test]
fn an_avif_is_taken_in_turned_once_with_its_exif() {
    // link-u's kimono stored 1024×722 with `irot` (90°) and `imir`, displayed upright
    // 722×1024; its EXIF (written by exiftool) says Orientation 6, which HEIF readers
    // ignore: applied on top it would lay the picture on its side.
    let file = photo("kimono-irot-imir-exif.avif");
    let v = inspect(&file);
    assert_eq!(v["media_type"], "image/avif");
    assert_eq!(size_of(&v), (722, 1024), "turned once, not twice: {v}");
    assert_eq!(v["warnings"], serde_json::json!([]), "{v}");
    assert_eq!(v["orientation"], 6);
    assert_eq!(v["make"], "geoproof test");
    assert_eq!(v["taken_at"], "2022-04-21T17:15:29");
    if let Some(t) = exiftool(
        &file,
        &[
            "Make",
            "Model",
            "GPSLatitude",
            "GPSLongitude",
            "Orientation",
        ],
    ) {
        assert_eq!(t["Make"], v["make"]);
        assert_eq!(t["Model"], v["model"]);
        assert_eq!(t["Orientation"], 6);
        for (theirs, ours) in [("GPSLatitude", "lat"), ("GPSLongitude", "lon")] {
            let d = t[theirs].as_f64().unwrap() - v[ours].as_f64().unwrap();
            assert!(d.abs() < 1e-6, "{theirs}: {t} vs {v}");
        }
    }
    // `add` end to end: the original byte for byte, an upright preview.
    let (_dir, case, _) = add_to_new_case(&file);
    let sha = v["sha256"].as_str().unwrap();
    let stored = case.join("evidence").join(format!("{sha}.avif"));
    assert_eq!(
        std::fs::read(stored).unwrap(),
        std::fs::read(&file).unwrap()
    );
    let thumb = image::open(case.join("cache/thumbnails").join(format!("{sha}.png"))).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (181, 256));
}

#[test]
fn a_cut_or_damaged_avif_is_refused_in_one_line_naming_the_cause() {
    let bytes = std::fs::read(photo("libheif-example.avif")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut_in_meta = dir.path().join("cut-in-meta.avif");
    std::fs::write(&cut_in_meta, &bytes[..200]).unwrap();
    let cut_in_data = dir.path().join("cut-in-data.avif");
    std::fs::write(&cut_in_data, &bytes[..60_000]).unwrap();
    // 2000 bytes in the middle of the AV1 data scrambled: dav1d stops (damage elsewhere
    // may decode to wrong pixels without an error, in heif-convert too).
    let mut damaged = bytes.clone();
    let middle = bytes.len() / 2;
    for b in &mut damaged[middle..middle + 2000] {
        *b ^= 0x5A;
    }
    let damaged_file = dir.path().join("damaged.avif");
    std::fs::write(&damaged_file, &damaged).unwrap();
    let cases = [
        (
            &cut_in_meta,
            "truncated AVIF: the file ends after 200 bytes, inside its 'meta' box",
        ),
        (
            &cut_in_data,
            "truncated AVIF: the file ends after 60000 bytes, inside its 'mdat' box",
        ),
        (
            &damaged_file,
            "corrupt AVIF: libheif: Decoder plugin generated an error",
        ),
    ];
    for (file, cause) in cases {
        let run = geoproof(["inspect".as_ref(), file.as_os_str()]);
        run.assert_failed();
        let line = run.stderr.trim();
        assert_eq!(line.lines().count(), 1, "{line}");
        assert!(
            line.contains(&format!("{}: {cause}", file.display())),
            "{line}"
        );
        if let Some(out) = reference(
            "heif-convert",
            &[file.as_os_str(), dir.path().join("x.png").as_os_str()],
        ) {
            assert!(
                !out.status.success(),
                "heif-convert refuses {} too",
                file.display()
            );
        }
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
