//! Video footage end to end through the real binary: intake of clips made here with
//! ffmpeg's lavfi sources, frame grabs checked against pixels that encode each frame's
//! own index, provenance, scenes and contact sheets, and every bad input refused with
//! one line that names the file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use util::bars::{BARS, H, W, ffmpeg, ffmpeg_cli_index, index_of};
use util::new_case;

fn has_encoder(name: &str) -> bool {
    Command::new("ffmpeg")
        .args(["-hide_banner", "-encoders"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(name))
}

/// A clip of `seconds` at 30 fps whose frames show their own index.
fn bars_clip(dir: &Path, name: &str, seconds: u32, encode: &[&str], extra_filter: &str) -> PathBuf {
    let out = dir.join(name);
    let source =
        format!("color=black:s={W}x{H}:r=30:d={seconds},{BARS},format=yuv420p{extra_filter}");
    let mut args = vec!["-f", "lavfi", "-i", &source];
    args.extend_from_slice(encode);
    let out_str = out.to_str().unwrap();
    args.push(out_str);
    ffmpeg(&args);
    out
}

/// Reads the frame index back from a grabbed PNG, undoing the display rotation.
fn index_in_png(path: &Path, rotation_deg: u64) -> u32 {
    let image = image::open(path).unwrap().to_luma8();
    let upright = match rotation_deg {
        90 => image::imageops::rotate270(&image),
        180 => image::imageops::rotate180(&image),
        270 => image::imageops::rotate90(&image),
        _ => image,
    };
    assert_eq!(upright.dimensions(), (W, H), "{}", path.display());
    index_of(&upright)
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: Option<&Path>, env: &[(&str, &str)], args: &[&std::ffi::OsStr]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_geoproof"));
    cmd.args(args).env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let out = cmd.output().unwrap();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(args: &[&std::ffi::OsStr]) -> Run {
    run_in(None, &[], args)
}

fn ok_json(r: Run) -> Value {
    assert_eq!(r.status, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

fn add(case: &Path, clip: &Path) -> Value {
    let v = ok_json(run(&[
        os("add"),
        case.as_os_str(),
        clip.as_os_str(),
        os("--json"),
    ]));
    v[0].clone()
}

fn grab(case: &Path, video: &str, times: &[&str]) -> Vec<Value> {
    let mut args = vec![os("frames"), case.as_os_str(), os(video), os("--json")];
    for t in times {
        args.push(os("--at"));
        args.push(os(t));
    }
    ok_json(run(&args)).as_array().unwrap().clone()
}

#[test]
fn grabs_are_the_exact_frame_in_every_container_and_codec() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut clips: Vec<(PathBuf, &str, &str, bool)> = vec![
        (
            bars_clip(
                d,
                "h264.mp4",
                4,
                &["-c:v", "libx264", "-bf", "3", "-g", "25"],
                "",
            ),
            "h264",
            "mp4",
            true,
        ),
        (
            bars_clip(
                d,
                "h264.ts",
                4,
                &["-c:v", "libx264", "-bf", "2", "-g", "30"],
                "",
            ),
            "h264",
            "mpegts",
            false,
        ),
        (
            bars_clip(
                d,
                "hevc.mkv",
                2,
                &[
                    "-c:v",
                    "libx265",
                    "-x265-params",
                    "log-level=none:keyint=20",
                    "-preset",
                    "ultrafast",
                ],
                "",
            ),
            "hevc",
            "matroska",
            true,
        ),
        (
            bars_clip(
                d,
                "vp9.webm",
                2,
                &[
                    "-c:v",
                    "libvpx-vp9",
                    "-deadline",
                    "realtime",
                    "-cpu-used",
                    "8",
                    "-g",
                    "20",
                ],
                "",
            ),
            "vp9",
            "webm",
            true,
        ),
        (
            bars_clip(
                d,
                "vp8.webm",
                2,
                &["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8"],
                "",
            ),
            "vp8",
            "webm",
            true,
        ),
        (
            bars_clip(d, "h264.mov", 2, &["-c:v", "libx264", "-f", "mov"], ""),
            "h264",
            "quicktime",
            true,
        ),
        (
            bars_clip(d, "h264.avi", 2, &["-c:v", "libx264", "-bf", "0"], ""),
            "h264",
            "avi",
            true,
        ),
    ];
    if has_encoder("libaom-av1") {
        clips.push((
            bars_clip(
                d,
                "av1.mp4",
                2,
                &[
                    "-c:v",
                    "libaom-av1",
                    "-cpu-used",
                    "8",
                    "-row-mt",
                    "1",
                    "-crf",
                    "40",
                ],
                "",
            ),
            "av1",
            "mp4",
            true,
        ));
    } else {
        eprintln!("note: this ffmpeg has no AV1 encoder; AV1 not covered here");
    }
    let (_case_dir, case) = new_case();
    for (clip, codec, container, compare_cli) in &clips {
        let record = add(&case, clip);
        assert_eq!(record["codec"], *codec, "{}", clip.display());
        assert_eq!(record["container"], *container, "{}", clip.display());
        assert_eq!(record["width"], W);
        assert_eq!(record["height"], H);
        assert_eq!(record["rotation_deg"], 0);
        assert_eq!(record["variable_frame_rate"], false, "{}", clip.display());
        assert!((record["fps"].as_f64().unwrap() - 30.0).abs() < 0.01);
        let frames = record["frame_count"].as_u64().unwrap();
        assert!(
            frames >= 30 && frames.is_multiple_of(30),
            "{}: {frames} frames",
            clip.display()
        );
        let id = record["sha256"].as_str().unwrap().to_owned();
        // Exact frame times, times between frames, the first and the last frame.
        let last = format!("{:.6}", (frames - 1) as f64 / 30.0);
        let times = ["0", "0.0333", "0.05", "0.5", "1.0166", "00:00:00.9", &last];
        let grabs = grab(&case, &id[..12], &times);
        assert_eq!(grabs.len(), times.len());
        for (g, time) in grabs.iter().zip(times) {
            let d = &g["derived_from"];
            let index = d["frame_index"].as_u64().unwrap() as u32;
            let png = case.join(format!("evidence/{}.png", g["sha256"].as_str().unwrap()));
            assert_eq!(
                index_in_png(&png, 0),
                index,
                "{} at {time}: the pixels show another frame than recorded",
                clip.display()
            );
            if *compare_cli {
                assert_eq!(
                    ffmpeg_cli_index(clip, time),
                    index,
                    "{} at {time}: not the frame ffmpeg's accurate seek returns",
                    clip.display()
                );
            }
            // Identical pixels from another clip (the TS copy) dedupe to the first grab.
            if g["status"] == "added" {
                assert_eq!(d["sha256"], id.as_str());
            }
            assert_eq!(g["media_type"], "image/png");
            assert!(
                d["ffmpeg_version"]
                    .as_str()
                    .unwrap()
                    .starts_with("ffmpeg version")
            );
            let args: Vec<&str> = d["ffmpeg_args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            assert!(
                args.iter().any(|a| a.starts_with("file:evidence/")),
                "{args:?}"
            );
            assert!(
                !args.iter().any(|a| a.contains(case.to_str().unwrap())),
                "case path leaked: {args:?}"
            );
        }
    }
    // The MPEG-TS clip starts at 1.4 s: time 1.0 is frame 30 all the same.
    let ts = add(&case, &clips[1].0);
    assert!(ts["start_time_s"].as_f64().unwrap() > 1.0);
    let g = grab(&case, &ts["sha256"].as_str().unwrap()[..12], &["1.0"]);
    assert_eq!(g[0]["derived_from"]["frame_index"], 30);
    let png = case.join(format!("evidence/{}.png", g[0]["sha256"].as_str().unwrap()));
    assert_eq!(index_in_png(&png, 0), 30);
    assert!(
        g[0]["derived_from"]["damage"].is_null(),
        "a late MPEG-TS seek must not pass for damage in the file: {}",
        g[0]
    );
    // Verify checks each grab's video.
    let report = ok_json(run(&[os("verify"), case.as_os_str(), os("--json")]));
    assert_eq!(report["ok"], true, "{report}");
}

#[test]
fn rotation_variable_rate_metadata_and_interval_grabs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Rotated by the display matrix (ffmpeg 5.1 writes rotate=90 as 90° counter-clockwise).
    let plain = bars_clip(d, "plain.mp4", 2, &["-c:v", "libx264"], "");
    let rotated = d.join("rotated.mov");
    ffmpeg(&[
        "-i",
        plain.to_str().unwrap(),
        "-c",
        "copy",
        "-metadata:s:v:0",
        "rotate=90",
        "-metadata",
        "location=+53.0798+034.5543/",
        "-metadata",
        "creation_time=2024-03-22T15:04:05Z",
        "-metadata",
        "make=TestCam",
        "-f",
        "mov",
        rotated.to_str().unwrap(),
    ]);
    // Variable frame rate: 30 fps for a second, then 10 fps.
    let vfr = bars_clip(
        d,
        "vfr.mp4",
        2,
        &["-c:v", "libx264", "-fps_mode", "passthrough"],
        ",setpts='if(lt(N\\,30)\\,N/30\\,1+(N-30)/10)/TB'",
    );
    let (_case_dir, case) = new_case();
    let r = add(&case, &rotated);
    assert_eq!(r["rotation_deg"], 270);
    assert_eq!(
        (r["width"].as_u64(), r["height"].as_u64()),
        (Some(240), Some(320))
    );
    assert_eq!(r["lat"], 53.0798);
    assert_eq!(r["lon"], 34.5543);
    assert_eq!(r["taken_at"], "2024-03-22T15:04:05Z");
    assert_eq!(r["container"], "quicktime");
    let g = grab(&case, &r["sha256"].as_str().unwrap()[..12], &["1.5"]);
    let png = case.join(format!("evidence/{}.png", g[0]["sha256"].as_str().unwrap()));
    assert_eq!(
        image::image_dimensions(&png).unwrap(),
        (240, 320),
        "rotation applied"
    );
    assert_eq!(index_in_png(&png, 270), 45);
    assert_eq!(g[0]["derived_from"]["rotation_applied"], true);
    assert_eq!(
        g[0]["lat"], 53.0798,
        "a grab stands where its video was shot"
    );

    let v = add(&case, &vfr);
    assert_eq!(v["variable_frame_rate"], true, "{v}");
    assert_eq!(v["frame_count"], 60);
    let id = v["sha256"].as_str().unwrap()[..12].to_owned();
    // 1.25 s lies in the 10 fps part: frames at 1.2 (index 32) and 1.3 (index 33).
    for (time, expected) in [
        ("1.25", 33),
        ("1.3", 33),
        ("0.5", 15),
        ("2.9", 49),
        ("3.9", 59),
    ] {
        let g = grab(&case, &id, &[time]);
        let png = case.join(format!("evidence/{}.png", g[0]["sha256"].as_str().unwrap()));
        assert_eq!(g[0]["derived_from"]["frame_index"], expected, "at {time}");
        assert_eq!(index_in_png(&png, 0), expected, "pixels at {time}");
        assert_eq!(ffmpeg_cli_index(&vfr, time), expected, "ffmpeg at {time}");
    }
    // --every 1s on the 2 s plain clip: frames 0 and 30.
    let p = add(&case, &plain);
    let every = ok_json(run(&[
        os("frames"),
        case.as_os_str(),
        os(&p["sha256"].as_str().unwrap()[..12]),
        os("--every"),
        os("1s"),
        os("--json"),
    ]));
    let indices: Vec<u64> = every
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["derived_from"]["frame_index"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, vec![0, 30]);
}

#[test]
fn scenes_contact_sheet_and_stills_that_are_frames() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Three shots with hard cuts at 1 s and 2 s.
    let clip = d.join("cuts.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x240:r=30:d=1",
        "-f",
        "lavfi",
        "-i",
        "smptebars=s=320x240:r=30:d=1",
        "-f",
        "lavfi",
        "-i",
        "mandelbrot=s=320x240:r=30,trim=duration=1",
        "-filter_complex",
        "[0:v][1:v][2:v]concat=n=3:v=1,format=yuv420p",
        "-c:v",
        "libx264",
        clip.to_str().unwrap(),
    ]);
    // A still that is frame 40 of the clip, made by another tool, and a re-encoded repost.
    let still = d.join("still.jpg");
    ffmpeg(&[
        "-ss",
        "1.3333",
        "-i",
        clip.to_str().unwrap(),
        "-frames:v",
        "1",
        "-q:v",
        "3",
        still.to_str().unwrap(),
    ]);
    let repost = d.join("repost.webm");
    ffmpeg(&[
        "-i",
        clip.to_str().unwrap(),
        "-vf",
        "scale=256:192",
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        "200k",
        repost.to_str().unwrap(),
    ]);
    let (_case_dir, case) = new_case();
    let video = add(&case, &clip);
    let id = video["sha256"].as_str().unwrap().to_owned();
    let sheet = d.join("sheet.png");
    let grabs = ok_json(run(&[
        os("frames"),
        case.as_os_str(),
        os(&id[..12]),
        os("--scenes"),
        os("--contact-sheet"),
        sheet.as_os_str(),
        os("--json"),
    ]));
    let indices: Vec<u64> = grabs
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["derived_from"]["frame_index"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, vec![0, 30, 60], "first frame and the two cuts");
    let (w, h) = image::image_dimensions(&sheet).unwrap();
    assert!(w > 3 * 256 && h > 192, "sheet {w}×{h}");
    let listed = ok_json(run(&[os("list"), case.as_os_str(), os("--json")]));
    let record = listed["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["sha256"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        record["scenes"].as_array().unwrap().len(),
        2,
        "analysis recorded: {record}"
    );

    let still_record = add(&case, &still);
    let similar = ok_json(run(&[
        os("similar"),
        case.as_os_str(),
        os(&still_record["sha256"].as_str().unwrap()[..12]),
        os("--json"),
    ]));
    assert!(
        similar["similar"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["sha256"] == id.as_str()),
        "the still is a frame of the video: {similar}"
    );
    let repost_record = add(&case, &repost);
    let warnings = repost_record["warnings"].to_string();
    assert!(
        warnings.contains("near duplicate") && warnings.contains(&id[..12]),
        "{warnings}"
    );
}

#[test]
fn bad_video_input_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = bars_clip(d, "good.mp4", 2, &["-c:v", "libx264"], "");
    let bytes = fs::read(&good).unwrap();
    // No `moov`: the index sits at the end of the file and is cut off.
    let truncated = d.join("truncated.mp4");
    fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    util::assert_add_refused_with(None, &[], &truncated, "moov atom not found");
    let audio = d.join("audio.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=d=1",
        "-c:a",
        "aac",
        audio.to_str().unwrap(),
    ]);
    util::assert_add_refused_with(None, &[], &audio, "no video stream");
    let empty = d.join("empty.mp4");
    fs::write(&empty, b"").unwrap();
    util::assert_add_refused_with(None, &[], &empty, "empty");
    // A frame size beyond the limit, declared in the container (rawvideo in Matroska).
    let raw = d.join("raw.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=gray:s=256x256:r=5:d=1",
        "-c:v",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        raw.to_str().unwrap(),
    ]);
    let mut huge = fs::read(&raw).unwrap();
    for id in [0xB0u8, 0xBA] {
        let at = huge
            .windows(4)
            .position(|w| w == [id, 0x82, 0x01, 0x00])
            .unwrap();
        huge[at + 2] = 0x24; // 256 → 9216 pixels a side
    }
    let huge_path = d.join("huge.mkv");
    fs::write(&huge_path, huge).unwrap();
    util::assert_add_refused_with(None, &[], &huge_path, "above the limit");
    // No ffmpeg: images still work, videos say how to install it.
    let missing = [("GEOPROOF_FFMPEG", "/nonexistent/ffmpeg")];
    util::assert_add_refused_with(None, &missing, &good, "apt install ffmpeg");
    let (_d2, case) = new_case();
    let photo = util::data("rocket-gps.jpg");
    let r = run_in(
        None,
        &missing,
        &[os("add"), case.as_os_str(), photo.as_os_str()],
    );
    assert_eq!(r.status, 0, "images work without ffmpeg: {}", r.stderr);
    // An ffmpeg that hangs is stopped.
    let fake = d.join("fake");
    fs::create_dir(&fake).unwrap();
    for (name, script) in [
        (
            "ffmpeg",
            "#!/bin/sh\nif [ \"$2\" = -version ]; then echo 'ffmpeg version 5.1.9 Copyright'; exit 0; fi\nsleep 30\n",
        ),
        ("ffprobe", "#!/bin/sh\nsleep 30\n"),
    ] {
        let p = fake.join(name);
        fs::write(&p, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let hang = [
        (
            "GEOPROOF_FFMPEG",
            fake.join("ffmpeg").to_str().unwrap().to_owned(),
        ),
        ("GEOPROOF_VIDEO_TIMEOUT_S", "1".to_owned()),
    ];
    let hang: Vec<(&str, &str)> = hang.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let started = std::time::Instant::now();
    util::assert_add_refused_with(None, &hang, &good, "did not finish within 1 s");
    assert!(started.elapsed().as_secs() < 20);
    // Names ffmpeg could mistake for options, and names with spaces and Cyrillic.
    for name in ["-y.mp4", "арест клип 1.mp4"] {
        fs::copy(&good, d.join(name)).unwrap();
        let (_cd, case) = new_case();
        let r = run_in(
            Some(d),
            &[],
            &[
                os("add"),
                case.as_os_str(),
                os("--json"),
                os("--"),
                os(name),
            ],
        );
        assert_eq!(r.status, 0, "{name}: {}", r.stderr);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v[0]["original_name"], name);
        assert_eq!(v[0]["frame_count"], 60);
    }
    assert!(
        fs::read(&good).unwrap() == bytes,
        "the source is never changed"
    );
}

#[test]
fn times_past_the_end_and_damaged_frames() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clip = d.join("noisy.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=640x360:r=30:d=6",
        "-c:v",
        "libx264",
        "-g",
        "60",
        "-bf",
        "2",
        clip.to_str().unwrap(),
    ]);
    let mut bytes = fs::read(&clip).unwrap();
    let start = bytes.len() * 45 / 100;
    let mut x: u32 = 12345;
    for b in &mut bytes[start..start + 4000] {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        *b = (x >> 16) as u8;
    }
    let damaged = d.join("damaged.mp4");
    fs::write(&damaged, bytes).unwrap();
    let (_case_dir, case) = new_case();
    let v = add(&case, &damaged);
    let id = v["sha256"].as_str().unwrap()[..12].to_owned();
    for bad in ["9", "-1", "00:00:06.000", "soon"] {
        let r = run(&[os("frames"), case.as_os_str(), os(&id), os("--at"), os(bad)]);
        assert_ne!(r.status, 0, "{bad} accepted");
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    }
    let g = grab(&case, &id, &["2.7"]);
    let damage = &g[0]["derived_from"]["damage"];
    assert!(
        damage.is_string(),
        "a frame decoded through damage says so: {}",
        g[0]
    );
    assert!(g[0]["warnings"].to_string().contains("damage"));
    let clean = grab(&case, &id, &["0.5"]);
    assert!(clean[0]["derived_from"]["damage"].is_null(), "{}", clean[0]);
}

/// The MP4/MOV frame table read from the file's own sample tables must equal ffprobe's
/// packet list exactly (B-frames and their edit list, variable rate, QuickTime).
#[test]
fn mp4_sample_tables_give_ffprobes_timestamps() {
    use geoproof::video::{Ffmpeg, FrameTable, Rational};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clips = [
        bars_clip(
            d,
            "b3.mp4",
            2,
            &["-c:v", "libx264", "-bf", "3", "-g", "25"],
            "",
        ),
        bars_clip(d, "nob.mp4", 2, &["-c:v", "libx264", "-bf", "0"], ""),
        bars_clip(d, "q.mov", 2, &["-c:v", "libx264", "-f", "mov"], ""),
        bars_clip(
            d,
            "hevc.mp4",
            2,
            &[
                "-c:v",
                "libx265",
                "-x265-params",
                "log-level=none",
                "-preset",
                "ultrafast",
            ],
            "",
        ),
        bars_clip(
            d,
            "vfr.mp4",
            2,
            &["-c:v", "libx264", "-fps_mode", "passthrough"],
            ",setpts='if(lt(N\\,30)\\,N/30\\,1+(N-30)/10)/TB'",
        ),
    ];
    let ff = Ffmpeg::find().unwrap();
    let (_case_dir, case) = new_case();
    for clip in &clips {
        let r = add(&case, clip);
        let tb = Rational::parse(r["time_base"].as_str().unwrap()).unwrap();
        let start = (r["start_time_s"].as_f64().unwrap() * 1e6).round() as i64;
        let stream = r["stream_index"].as_u64().unwrap() as u32;
        let fast = geoproof::video::mp4_frame_table(clip, stream, start)
            .unwrap_or_else(|| panic!("{}: sample tables not read", clip.display()));
        let probed = FrameTable::read_with_ffprobe(&ff, clip, stream, tb, start).unwrap();
        assert_eq!(fast, probed, "{}", clip.display());
    }
}

/// A figure of a video panel shows the frame the panel shows, names it in the source
/// line and manifest, and draws only the annotations made on that frame.
#[test]
fn figures_show_a_video_panels_frame() {
    let dir = tempfile::tempdir().unwrap();
    let clip = bars_clip(
        dir.path(),
        "bars.mp4",
        2,
        &["-c:v", "libx264", "-bf", "2"],
        "",
    );
    let (_case_dir, case) = new_case();
    let video = add(&case, &clip);
    let sha = video["sha256"].as_str().unwrap();
    let finding = serde_json::json!({
        "id": "F-video", "kind": "comparison", "title": "a frame",
        "created": "2026-11-30T00:00:00Z", "updated": "2026-11-30T00:00:00Z",
        "panels": [{"id": "P1", "source": {"type": "evidence", "sha256": sha},
                    "frame": {"index": 45, "time_s": 1.5}}],
        "annotations": [
            {"id": "A1", "panel": "P1", "shape": "point", "x": 10.0, "y": 10.0,
             "label": "on 45", "frame": {"index": 45, "time_s": 1.5}},
            {"id": "A2", "panel": "P1", "shape": "point", "x": 20.0, "y": 20.0,
             "label": "on 10", "frame": {"index": 10, "time_s": 0.333333}}
        ]
    });
    fs::write(case.join("findings/F-video.json"), finding.to_string()).unwrap();
    let png = dir.path().join("fig.png");
    let out = ok_json(run(&[
        os("export"),
        case.as_os_str(),
        os("--finding"),
        os("F-video"),
        os("--png"),
        png.as_os_str(),
        os("--json"),
    ]));
    let manifest_path = out["files"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|f| f["path"].as_str().filter(|p| p.ends_with(".manifest.json")))
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().join("fig.manifest.json"));
    let manifest: Value = serde_json::from_slice(&fs::read(manifest_path).unwrap()).unwrap();
    let source = &manifest["sources"][0];
    assert_eq!(source["video_frame"]["index"], 45, "{manifest}");
    // Read the bars back from the figure at the panel's placement and scale.
    let figure = image::open(&png).unwrap().to_luma8();
    let place = source["placed_at"].as_array().unwrap();
    let (x0, y0) = (place[0].as_f64().unwrap(), place[1].as_f64().unwrap());
    let k = source["figure_pixels_per_image_pixel"].as_f64().unwrap();
    let width = place[2].as_f64().unwrap() - x0;
    let left = x0 + (width - f64::from(W) * k) / 2.0;
    let top = y0 + (place[3].as_f64().unwrap() - y0 - f64::from(H) * k) / 2.0;
    let index: u32 = (0..16)
        .filter(|i| {
            let x = left + (f64::from(*i) * 20.0 + 10.0) * k;
            let y = top + f64::from(H) / 2.0 * k;
            figure.get_pixel(x as u32, y as u32)[0] > 128
        })
        .map(|i| 1 << i)
        .sum();
    assert_eq!(index, 45, "the figure shows the panel's frame");
}
