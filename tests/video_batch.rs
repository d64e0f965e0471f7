//! `geoproof frames CASE VIDEO --at T1 --at T2 …`: all times of one call decoded in one
//! pass and recorded in one save; each frame still the one ffmpeg's accurate seek
//! returns; a time that fails leaves a consistent case and a one-line error naming the
//! file and the time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use geoproof::case::{Case, FrameError};
use geoproof::video::VideoError;
use serde_json::Value;
use util::bars::{BARS, H, W, ffmpeg, ffmpeg_cli_index, index_of};
use util::new_case;

/// 10 s at 30 fps, a keyframe every second, B-frames; each frame shows its index.
fn bars_clip(dir: &Path, extra: &[&str]) -> PathBuf {
    let out = dir.join("bars.mp4");
    let source = format!("color=black:s={W}x{H}:r=30:d=10,{BARS},format=yuv420p");
    let mut args = vec!["-f", "lavfi", "-i", &source, "-c:v", "libx264", "-g", "30"];
    args.extend_from_slice(&["-bf", "2"]);
    args.extend_from_slice(extra);
    args.push(out.to_str().unwrap());
    ffmpeg(&args);
    out
}

fn geoproof(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_geoproof"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn add(case: &Path, clip: &Path) -> String {
    let out = geoproof(&[
        "add".as_ref(),
        case.as_os_str(),
        clip.as_os_str(),
        "--json".as_ref(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v[0]["sha256"].as_str().unwrap().to_owned()
}

fn frames(case: &Path, id: &str, times: &[&str]) -> std::process::Output {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "frames".as_ref(),
        case.as_os_str(),
        id.as_ref(),
        "--json".as_ref(),
    ];
    for t in times {
        args.push("--at".as_ref());
        args.push(t.as_ref());
    }
    geoproof(&args)
}

fn log_events(case: &Path) -> Vec<Value> {
    fs::read_to_string(case.join("log.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn several_times_in_one_call_are_exact_and_recorded_together() {
    let dir = tempfile::tempdir().unwrap();
    let clip = bars_clip(dir.path(), &[]);
    let (_case_dir, case) = new_case();
    let id = add(&case, &clip);
    // Out of order; two in one group, two adjacent frames, one a group later, the last.
    let times = ["7.1", "0.4", "0.5", "0.533333", "2.95", "1.02", "9.966667"];
    let out = frames(&case, &id, &times);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let grabs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        grabs.len(),
        times.len(),
        "one record per time, in the order asked"
    );
    for (time, grab) in times.iter().zip(&grabs) {
        let png = case.join(format!("evidence/{}.png", grab["sha256"].as_str().unwrap()));
        let got = index_of(&image::open(&png).unwrap().to_luma8());
        assert_eq!(got, ffmpeg_cli_index(&clip, time), "--at {time}");
        assert_eq!(
            grab["derived_from"]["frame_index"],
            u64::from(got),
            "{time}"
        );
    }
    // One commit: one frames_grabbed line naming every grab, after the intake's lines.
    let events = log_events(&case);
    let batches: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "frames_grabbed")
        .collect();
    assert_eq!(batches.len(), 1, "{events:?}");
    let listed: Vec<&str> = batches[0]["detail"]["grabs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), times.len());
    for grab in &grabs {
        assert!(listed.contains(&grab["sha256"].as_str().unwrap()));
    }
    let reopened = Case::open(&case).unwrap();
    assert_eq!(reopened.evidence().count(), 1 + times.len());
    assert!(reopened.damaged().is_empty());
}

#[test]
fn the_grabs_of_one_batch_are_one_save() {
    let dir = tempfile::tempdir().unwrap();
    let clip = bars_clip(dir.path(), &[]);
    let (_case_dir, root) = new_case();
    let id = add(&root, &clip);
    let mut case = Case::open(&root).unwrap();
    let video = case.open_video(&id).unwrap();
    let wanted = [12usize, 40, 41, 200];
    let frames: Vec<_> = wanted
        .iter()
        .map(|&i| video.decode(i).map_err(|e| (i, e)))
        .collect();
    let before = case.saves();
    let stored = case.add_frame_grabs(&video, frames).unwrap();
    assert!(stored.failed.is_none());
    assert_eq!(case.saves() - before, 1, "four grabs, one save");
    assert_eq!(
        stored.grabs.iter().map(|g| g.index).collect::<Vec<_>>(),
        wanted
    );
    drop(case);
    assert_eq!(Case::open(&root).unwrap().evidence().count(), 5);
}

#[test]
fn a_frame_that_fails_keeps_the_ones_before_it_in_one_save() {
    let dir = tempfile::tempdir().unwrap();
    let clip = bars_clip(dir.path(), &[]);
    let (_case_dir, root) = new_case();
    let id = add(&root, &clip);
    let mut case = Case::open(&root).unwrap();
    let video = case.open_video(&id).unwrap();
    let failure = FrameError::Video {
        path: video.path.clone(),
        cause: VideoError::Invalid("the decoder stopped".into()),
    };
    let frames = vec![
        video.decode(3).map_err(|e| (3, e)),
        video.decode(95).map_err(|e| (95, e)),
        Err((150, failure)),
        video.decode(200).map_err(|e| (200, e)),
    ];
    let before = case.saves();
    let stored = case.add_frame_grabs(&video, frames).unwrap();
    assert_eq!(case.saves() - before, 1);
    assert_eq!(
        stored.grabs.iter().map(|g| g.index).collect::<Vec<_>>(),
        [3, 95]
    );
    let message = stored.failed.unwrap().to_string();
    assert!(
        message.contains(&video.path.display().to_string())
            && message.contains("00:00:05.000")
            && message.contains("frame 150")
            && message.contains("the decoder stopped")
            && !message.contains('\n'),
        "{message}"
    );
    drop(case);
    let reopened = Case::open(&root).unwrap();
    let mut frames: Vec<u64> = reopened
        .evidence()
        .filter_map(|e| e.derived_from.as_ref().map(|d| d.frame_index))
        .collect();
    frames.sort_unstable();
    assert_eq!(
        frames,
        [3, 95],
        "the frames after the failure are not taken"
    );
    let batch = log_events(&root)
        .into_iter()
        .find(|e| e["event"] == "frames_grabbed")
        .unwrap();
    assert_eq!(batch["detail"]["grabs"].as_array().unwrap().len(), 2);
    assert!(
        batch["detail"]["failed"]
            .as_str()
            .unwrap()
            .contains("frame 150")
    );
}

#[test]
fn a_time_whose_grab_cannot_be_stored_names_file_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let clip = bars_clip(dir.path(), &[]);
    // The grab of 9.5 s, taken in another case, names the file it will have.
    let (_other_dir, other) = new_case();
    let other_id = add(&other, &clip);
    let out = frames(&other, &other_id, &["9.5"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let late: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let late_file = format!("evidence/{}.png", late[0]["sha256"].as_str().unwrap());
    // In the case under test that name is taken by a folder: storing that grab fails.
    let (_case_dir, case) = new_case();
    let id = add(&case, &clip);
    fs::create_dir(case.join(&late_file)).unwrap();
    let out = frames(&case, &id, &["9.5", "1.0", "5.0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    let line = stderr.trim();
    assert_eq!(line.lines().count(), 1, "{stderr}");
    assert!(
        line.contains(&format!("{id}.mp4"))
            && line.contains("the frame at 00:00:09.500 (frame 285)")
            && line.contains(&late_file)
            && line.contains("2 other grab(s) stored, 0 not taken"),
        "{line}"
    );
    let reopened = Case::open(&case).unwrap();
    assert!(reopened.damaged().is_empty());
    let mut grabs: Vec<u64> = reopened
        .evidence()
        .filter_map(|e| e.derived_from.as_ref().map(|d| d.frame_index))
        .collect();
    grabs.sort_unstable();
    assert_eq!(
        grabs,
        [30, 150],
        "the grabs before the failure are kept, in one save"
    );
    let batches: Vec<Value> = log_events(&case)
        .into_iter()
        .filter(|e| e["event"] == "frames_grabbed")
        .collect();
    assert_eq!(batches.len(), 1);
    assert!(
        batches[0]["detail"]["failed"]
            .as_str()
            .unwrap()
            .contains("00:00:09.500")
    );
}

/// A case with a video and three grabs of it (one commit), and the grabs' record files.
fn case_with_grabs() -> (tempfile::TempDir, PathBuf, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let clip = bars_clip(dir.path(), &[]);
    let case = dir.path().join("case");
    let out = geoproof(&["new".as_ref(), case.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = add(&case, &clip);
    let out = frames(&case, &id, &["1", "2", "3"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let grabs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let records = grabs
        .iter()
        .map(|g| case.join(format!("evidence/{}.json", g["sha256"].as_str().unwrap())))
        .collect();
    (dir, case, records)
}

#[test]
fn a_save_interrupted_after_its_commit_point_is_completed_on_open() {
    let (_dir, case, records) = case_with_grabs();
    // As a crash leaves it: the commit record written, two of three renames not done.
    let mut renames = Vec::new();
    for (n, record) in records.iter().enumerate().skip(1) {
        let temp = format!("evidence/.tmp-crash{n}");
        fs::rename(record, case.join(&temp)).unwrap();
        let to = format!("evidence/{}", record.file_name().unwrap().to_string_lossy());
        renames.push(serde_json::json!({ "from": temp, "to": to }));
    }
    let commit = serde_json::json!({ "renames": renames });
    fs::write(case.join(".geoproof-commit.json"), commit.to_string()).unwrap();
    let mut opened = Case::open(&case).unwrap();
    assert_eq!(
        opened.evidence().count(),
        4,
        "the save is completed: all three grabs"
    );
    assert!(records.iter().all(|r| r.is_file()));
    assert!(!case.join(".geoproof-commit.json").exists());
    opened.save().unwrap();
    let completed = log_events(&case)
        .into_iter()
        .find(|e| e["event"] == "save_completed")
        .unwrap();
    assert_eq!(completed["detail"]["records"], 2);
}

#[test]
fn a_save_interrupted_before_its_commit_point_leaves_the_case_as_before() {
    let (_dir, case, records) = case_with_grabs();
    // As a crash leaves it: the records written under temp names, no commit record.
    for (n, record) in records.iter().enumerate() {
        fs::rename(record, case.join(format!("evidence/.tmp-crash{n}"))).unwrap();
    }
    let opened = Case::open(&case).unwrap();
    assert_eq!(
        opened.evidence().count(),
        1,
        "none of the grabs: only the video"
    );
    assert!(opened.damaged().is_empty());
    let leftovers = fs::read_dir(case.join("evidence"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".tmp-")
        })
        .count();
    assert_eq!(
        leftovers, 0,
        "the temp files of the unfinished save are removed"
    );
}

#[test]
fn a_commit_record_may_not_move_files_out_of_place() {
    let (_dir, case, records) = case_with_grabs();
    let victim = format!(
        "evidence/{}",
        records[0].file_name().unwrap().to_string_lossy()
    );
    let commit = serde_json::json!({ "renames": [{ "from": victim, "to": "case.json" }] });
    fs::write(case.join(".geoproof-commit.json"), commit.to_string()).unwrap();
    let err = Case::open(&case).unwrap_err().to_string();
    assert!(
        err.contains(".geoproof-commit.json") && err.contains("temp file") && !err.contains('\n'),
        "{err}"
    );
    assert!(records[0].is_file(), "nothing was moved");
}
