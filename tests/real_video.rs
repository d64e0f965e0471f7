//! Real phone clips (tests/data/real/video, see SOURCES there) through the real binary,
//! each value checked against what ffprobe and exiftool read from the same file: the
//! iPhone capture date before the container's write time, a one-frame clip's rate, a
//! header-only file refused in our words, and no parser chatter on stderr.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use util::{data, geoproof, new_case};

fn clip(name: &str) -> PathBuf {
    data(&format!("real/video/{name}"))
}

/// ffprobe's reading of the file (ffprobe comes with ffmpeg, which the video tests need).
fn ffprobe(file: &Path) -> Value {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_format",
            "-show_streams",
            "-of",
            "json",
        ])
        .arg(file)
        .output()
        .expect("ffprobe is needed for the video tests (Debian/Ubuntu: apt install ffmpeg)");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One tag as exiftool prints it (`-s3`), or `None` with a notice when exiftool is not
/// installed (Debian: libimage-exiftool-perl).
fn exiftool(file: &Path, tag: &str) -> Option<String> {
    match Command::new("exiftool")
        .args(["-s3", &format!("-{tag}")])
        .arg(file)
        .output()
    {
        Ok(out) => Some(String::from_utf8_lossy(&out.stdout).trim().to_owned()),
        Err(_) => {
            eprintln!("exiftool not installed; {tag} not compared with it");
            None
        }
    }
}

fn inspect_json(file: &Path) -> Value {
    let run = geoproof([
        "inspect".as_ref(),
        file.as_os_str(),
        std::ffi::OsStr::new("--json"),
    ]);
    run.assert_ok();
    run.json()
}

#[test]
fn the_iphone_capture_date_comes_before_the_container_write_time() {
    let file = clip("iphone-x-capture-date.mov");
    let tags = &ffprobe(&file)["format"]["tags"];
    let apple = tags["com.apple.quicktime.creationdate"].as_str().unwrap();
    let written = tags["creation_time"].as_str().unwrap();
    let got = inspect_json(&file);
    // ffprobe prints Apple's date as stored: local time with its offset, which is kept.
    assert_eq!(got["taken_at"], apple);
    assert_eq!(got["time_tag"], "com.apple.quicktime.creationdate");
    assert_eq!(
        got["other_times"],
        json!([{"tag": "creation_time", "value": written}])
    );
    assert!(
        got["warnings"][0]
            .as_str()
            .unwrap()
            .contains("4 years 356 days apart"),
        "{got}"
    );
    if let Some(keys) = exiftool(&file, "Keys:CreationDate") {
        // exiftool: `2019:02:12 15:27:12+08:00`.
        let ours = got["taken_at"].as_str().unwrap().replacen('-', ":", 2);
        assert_eq!(ours.replace('T', " "), keys);
    }
    if let Some(create) = exiftool(&file, "QuickTime:CreateDate") {
        let value = got["other_times"][0]["value"].as_str().unwrap();
        assert_eq!(value[..19].replacen('-', ":", 2).replace('T', " "), create);
    }

    // The record in a case keeps both, and `inspect`'s text says which was used.
    let (_dir, case) = new_case();
    let run = geoproof(["add".as_ref(), case.as_os_str(), file.as_os_str()]);
    run.assert_ok();
    let listed = geoproof(["list".as_ref(), case.as_os_str(), "--json".as_ref()]);
    let text = listed.assert_ok().stdout.clone();
    assert!(text.contains("\"other_times\""), "{text}");
    assert!(text.contains(written), "{text}");
    let run = geoproof(["inspect".as_ref(), file.as_os_str()]);
    let out = &run.assert_ok().stdout;
    assert!(
        out.contains(&format!("taken at:    {apple}\n"))
            && out.contains("time from:   com.apple.quicktime.creationdate (the capture date)")
            && out.contains(&format!("not used: creation_time {written}")),
        "{out}"
    );
}

#[test]
fn a_one_frame_clip_gets_its_declared_rate_not_zero() {
    let file = clip("iphone-replaykit-one-frame.mov");
    let probe = ffprobe(&file);
    let video = probe["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == "video")
        .unwrap();
    assert_eq!(video["nb_frames"], "1");
    let (n, d) = video["avg_frame_rate"]
        .as_str()
        .unwrap()
        .split_once('/')
        .unwrap();
    let rate = n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap();
    let got = inspect_json(&file);
    assert_eq!(got["frame_count"], 1);
    let fps = got["fps"].as_f64().unwrap();
    assert!((fps - rate).abs() < 1e-3, "{fps} vs ffprobe {rate}");
    if let Some(exif_rate) = exiftool(&file, "VideoFrameRate") {
        assert!((fps - exif_rate.parse::<f64>().unwrap()).abs() < 1e-3);
    }
    // No capture date in this clip: creation_time is used, and said to be.
    let written = probe["format"]["tags"]["creation_time"].as_str().unwrap();
    assert_eq!(got["taken_at"], written.replace(".000000Z", "Z"));
    assert_eq!(got["time_tag"], "creation_time");
}

#[test]
fn an_iphone_mov_prints_nothing_on_stderr() {
    for name in [
        "iphone-replaykit-one-frame.mov",
        "iphone-x-capture-date.mov",
    ] {
        let file = clip(name);
        let run = geoproof(["inspect".as_ref(), file.as_os_str()]);
        run.assert_ok();
        let noise: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| !l.starts_with("warning: "))
            .collect();
        assert!(noise.is_empty(), "{name}: {}", run.stderr);
    }
}

#[test]
fn a_header_only_file_is_refused_in_our_words() {
    let file = clip("exiftool-header-only.mov");
    // ffprobe reads frames from the header alone; the file holds none of them.
    let probe = ffprobe(&file);
    assert_eq!(probe["streams"][0]["nb_frames"], "149");
    let run = geoproof(["inspect".as_ref(), file.as_os_str()]);
    run.assert_failed();
    let line = run.stderr.trim();
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(
        line.starts_with("error: ")
            && line.contains("exiftool-header-only.mov")
            && line.contains("holds no media data"),
        "{line}"
    );
}

/// The map inspector shows the capture time, the tag it came from and the tag that
/// disagrees, with ffprobe's values.
#[cfg(feature = "gui")]
#[test]
fn the_inspector_says_which_time_tag_was_used() {
    use egui_kittest::kittest::Queryable;
    use geoproof::case::{Case, ImportOptions};

    let file = clip("iphone-x-capture-date.mov");
    let tags = &ffprobe(&file)["format"]["tags"];
    let apple = tags["com.apple.quicktime.creationdate"].as_str().unwrap();
    let written = tags["creation_time"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::create(&dir.path().join("c"), "capture time").unwrap();
    case.import(&file, &ImportOptions::default()).unwrap();
    case.save().unwrap();
    let mut h = util::app::default_harness(Some(case));
    h.run_steps(2);
    h.get_by_label_contains("iphone-x-capture-date.mov").click();
    h.run_steps(3);
    h.get_by_label(apple);
    h.get_by_label("com.apple.quicktime.creationdate (the capture date)");
    h.get_by_label(&format!(
        "not used: creation_time {written} (when the file was last written), more than a \
         minute apart"
    ));
}
