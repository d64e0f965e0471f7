//! Find it everywhere (#35) end to end through the real binary: a case of public photos
//! with known correspondences (a warped copy and a mirrored crop made here from the
//! rocket photo, its EXIF-rotated twin, a clip panning across it) mixed with unrelated
//! photos; the region must find its partners first, never a distractor, the clip at a
//! time whose frame shows the region where the pan puts it; a plain wall, a damaged
//! video and an index of another version are handled as the issue says.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use imageproc::geometric_transformations::{Border, Interpolation, Projection, warp};
use serde_json::Value;
use sha2::{Digest, Sha256};
use util::{data, geoproof, new_case};

/// The region searched for in rocket-gps.jpg (640x427): the rocket's top half and the
/// service tower right of it.
const REGION: [f32; 4] = [250.0, 160.0, 200.0, 168.0];
/// The clip: the rocket photo at twice its size, a 640x360 window from row 300 moving
/// right by 80 px a second for 8 s.
const PAN_PX_PER_S: f64 = 80.0;

fn sha(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is needed (Debian/Ubuntu: apt install ffmpeg)");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The rocket warped by a known homography (scale 1.15, turned 5°, shifted), as a JPEG.
fn warped_partner(dir: &Path) -> (PathBuf, Projection) {
    let rocket = image::open(data("rocket-gps.jpg")).unwrap().to_rgb8();
    let h = Projection::translate(-40.0, -20.0)
        * Projection::rotate(5f32.to_radians())
        * Projection::scale(1.15, 1.15);
    let out = warp(
        &rocket,
        h,
        Interpolation::Bilinear,
        Border::Constant(image::Rgb([0, 0, 0])),
    );
    let path = dir.join("partner-warped.jpg");
    out.save(&path).unwrap();
    (path, h)
}

/// A crop of the rocket's right part, shrunk and mirrored (a flipped repost).
fn mirrored_partner(dir: &Path) -> PathBuf {
    let rocket = image::open(data("rocket-gps.jpg")).unwrap();
    let crop =
        rocket
            .crop_imm(160, 40, 480, 387)
            .resize(432, 348, image::imageops::FilterType::Triangle);
    let path = dir.join("partner-mirrored.jpg");
    crop.fliph().save(&path).unwrap();
    path
}

/// A plain wall: a smooth gradient, nothing to hold a feature.
fn wall(dir: &Path) -> PathBuf {
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x / 4) as u8 + 40, (y / 4) as u8 + 40, 120])
    });
    let path = dir.join("wall.png");
    img.save(&path).unwrap();
    path
}

fn pan_clip(dir: &Path) -> PathBuf {
    let path = dir.join("pan.mp4");
    let rocket = data("rocket-gps.jpg");
    let filter = format!("scale=1280:854,crop=640:360:x='{PAN_PX_PER_S}*t':y=300,format=yuv420p");
    ffmpeg(&[
        "-loop",
        "1",
        "-framerate",
        "25",
        "-t",
        "8",
        "-i",
        rocket.to_str().unwrap(),
        "-vf",
        &filter,
        "-c:v",
        "libx264",
        "-g",
        "50",
        "-movflags",
        "+faststart",
        path.to_str().unwrap(),
    ]);
    path
}

fn add(case: &Path, files: &[&Path]) {
    let mut args: Vec<&std::ffi::OsStr> = vec!["add".as_ref(), case.as_os_str()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    geoproof(args).assert_ok();
}

fn find(case: &Path, extra: &[&str]) -> util::Run {
    let mut args: Vec<&std::ffi::OsStr> = vec!["find".as_ref(), case.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    geoproof(args)
}

fn region_arg(r: [f32; 4]) -> String {
    format!("{},{},{},{}", r[0], r[1], r[2], r[3])
}

fn hits(run: &util::Run) -> Vec<Value> {
    run.json()["hits"].as_array().unwrap().clone()
}

#[test]
fn a_region_finds_its_partners_first_and_the_clip_where_the_pan_shows_it() {
    let (dir, case) = new_case();
    let (warped, h) = warped_partner(dir.path());
    let mirrored = mirrored_partner(dir.path());
    let clip = pan_clip(dir.path());
    let camera = data("search/camera.png");
    let chelsea = data("search/chelsea.png");
    let astronaut = data("astronaut-south-magnetic.jpg");
    let coffee = data("coffee-no-gps.jpg");
    let rocket = data("rocket-gps.jpg");
    let rotated = data("rotated-orientation-6.jpg");
    add(
        &case,
        &[
            &rocket, &warped, &mirrored, &rotated, &clip, &camera, &chelsea, &astronaut, &coffee,
        ],
    );
    let index = find(&case, &["--index", "--json"]);
    index.assert_ok();
    let report = index.json();
    assert_eq!(report["items"], 9, "{report}");
    // 8 stills + the clip's frames at 0, 2, 4, 6 s (no cut in a pan).
    assert!(report["entries"].as_u64().unwrap() >= 12, "{report}");

    let run = find(
        &case,
        &[
            &sha(&rocket)[..16],
            "--region",
            &region_arg(REGION),
            "--json",
        ],
    );
    run.assert_ok();
    let found = hits(&run);
    let partners = [sha(&warped), sha(&mirrored), sha(&rotated), sha(&clip)];
    let distractors = [sha(&camera), sha(&chelsea), sha(&astronaut), sha(&coffee)];
    assert!(!found.is_empty(), "{}", run.stdout);
    let top = found[0]["sha256"].as_str().unwrap();
    assert!(
        partners.iter().any(|p| p == top),
        "first result is not a partner: {}",
        run.stdout
    );
    for hit in &found {
        let s = hit["sha256"].as_str().unwrap();
        assert!(
            !distractors.iter().any(|d| d == s),
            "a distractor reported: {}",
            run.stdout
        );
        assert_ne!(s, sha(&rocket), "the query itself is not a result");
        assert!(hit["inliers"].as_u64().unwrap() >= 15);
    }
    let by = |s: &str| {
        found
            .iter()
            .find(|h| h["sha256"] == s)
            .unwrap_or_else(|| panic!("{s} not found: {}", run.stdout))
    };

    // The warped copy: the region lands where the known homography puts it (its centre
    // within 8 px; corners, extrapolated from a few dozen inliers, within 20 px).
    let w = by(&sha(&warped));
    assert_eq!(w["mirrored"], false);
    let [x, y, rw, rh] = REGION;
    let expected = [(x, y), (x + rw, y), (x + rw, y + rh), (x, y + rh)].map(|p| h * p);
    let got: Vec<(f64, f64)> = w["corners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
        .collect();
    for (g, want) in got.iter().zip(expected) {
        let d = (g.0 - f64::from(want.0)).hypot(g.1 - f64::from(want.1));
        assert!(d < 20.0, "corner {g:?} not at {want:?}: {w}");
    }
    let centre = |p: &[(f64, f64)]| {
        let n = p.len() as f64;
        (
            p.iter().map(|c| c.0).sum::<f64>() / n,
            p.iter().map(|c| c.1).sum::<f64>() / n,
        )
    };
    let want: Vec<(f64, f64)> = expected
        .iter()
        .map(|p| (f64::from(p.0), f64::from(p.1)))
        .collect();
    let (g, e) = (centre(&got), centre(&want));
    assert!(
        (g.0 - e.0).hypot(g.1 - e.1) < 8.0,
        "centre {g:?} not at {e:?}: {w}"
    );

    // The flipped repost is found through the mirror.
    assert_eq!(by(&sha(&mirrored))["mirrored"], true, "{}", run.stdout);
    // The EXIF-rotated twin: the region in its displayed (427 wide) pixels.
    let r = &by(&sha(&rotated))["region"];
    assert!(
        r["x"].as_u64().unwrap() + r["w"].as_u64().unwrap() <= 427,
        "{r}"
    );

    // The clip: at the reported time the pan puts the region's left edge at
    // 2 * 250 - 80 t in the frame, and its top at 2 * 160 - 300.
    let c = by(&sha(&clip));
    let t = c["time_s"].as_f64().unwrap();
    let frame = c["frame"].as_u64().unwrap();
    assert_eq!(frame, (t * 25.0).round() as u64, "{c}");
    assert!(
        (2.0..=6.0).contains(&t),
        "the region is not in view at {t} s: {c}"
    );
    let corner = &c["corners"][0];
    let want_x = 2.0 * f64::from(x) - PAN_PX_PER_S * t;
    assert!(
        (corner[0].as_f64().unwrap() - want_x).abs() < 12.0,
        "{c} (expected x {want_x})"
    );
    assert!((corner[1].as_f64().unwrap() - 20.0).abs() < 12.0, "{c}");

    // Text output names the partner and says these are proposals.
    let text = find(
        &case,
        &[
            &sha(&rocket)[..16],
            "--region",
            &region_arg(REGION),
            "--limit",
            "2",
        ],
    );
    text.assert_ok();
    assert!(text.stdout.contains("not conclusions"), "{}", text.stdout);
    assert_eq!(
        text.stdout
            .lines()
            .filter(|l| l.contains("inliers of"))
            .count(),
        2,
        "{}",
        text.stdout
    );

    // A frame of the clip as the query finds the rocket photos.
    let run = find(
        &case,
        &[
            &sha(&clip)[..16],
            "--at",
            "4",
            "--region",
            "60,20,500,320",
            "--json",
        ],
    );
    run.assert_ok();
    let found = hits(&run);
    let rockets = [sha(&rocket), sha(&warped), sha(&mirrored), sha(&rotated)];
    // Other frames of the clip showing the same view may come first (the same place
    // later in the clip); the first other item is a rocket photo.
    let top = found
        .iter()
        .find(|h| h["sha256"] != sha(&clip).as_str())
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        rockets.iter().any(|r| top["sha256"] == r.as_str()),
        "{}",
        run.stdout
    );
    for hit in &found {
        let s = hit["sha256"].as_str().unwrap();
        assert!(
            !distractors.iter().any(|d| d == s),
            "a distractor reported: {}",
            run.stdout
        );
    }
    // Its own frames within one sampling interval are not results.
    for hit in &found {
        if hit["sha256"] == sha(&clip).as_str() {
            assert!(
                (hit["time_s"].as_f64().unwrap() - 4.0).abs() >= 2.0,
                "{hit}"
            );
        }
    }
}

#[test]
fn a_plain_wall_and_a_tiny_region_are_refused_with_a_reason() {
    let (dir, case) = new_case();
    let wall = wall(dir.path());
    add(&case, &[&wall, &data("rocket-gps.jpg")]);
    let run = find(&case, &[&sha(&wall)[..16], "--region", "100,100,300,200"]);
    run.assert_failed();
    assert!(
        run.stderr.contains("features, fewer than") && run.stderr.contains("100,100,300,200"),
        "{}",
        run.stderr
    );
    let run = find(&case, &[&sha(&wall)[..16], "--region", "100,100,20,20"]);
    run.assert_failed();
    assert!(run.stderr.contains("at least 32"), "{}", run.stderr);
    let run = find(&case, &[&sha(&wall)[..16], "--region", "600,400,100,100"]);
    run.assert_failed();
    assert_eq!(
        run.stderr.matches("outside the 640×480 image").count(),
        1,
        "said once: {}",
        run.stderr
    );
}

#[test]
fn a_short_id_and_a_zero_limit_are_refused_in_words() {
    let (_dir, case) = new_case();
    add(&case, &[&data("rocket-gps.jpg")]);
    let short = &sha(&data("rocket-gps.jpg"))[..3];
    let run = find(&case, &[short]);
    run.assert_failed();
    assert!(
        run.stderr.contains("too short") && run.stderr.contains("at least 6"),
        "{}",
        run.stderr
    );
    let run = find(&case, &[&sha(&data("rocket-gps.jpg"))[..8], "--limit", "0"]);
    run.assert_failed();
    assert!(run.stderr.contains("at least 1"), "{}", run.stderr);
}

#[test]
fn damaged_files_are_indexed_as_far_as_they_decode_and_said() {
    let (dir, case) = new_case();
    let clip = pan_clip(dir.path());
    let bytes = std::fs::read(&clip).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() * 55 / 100]).unwrap();
    add(&case, &[&data("truncated.jpg"), &data("coffee-no-gps.jpg")]);
    let added = geoproof(["add".as_ref(), case.as_os_str(), cut.as_os_str()]);
    let run = find(&case, &["--index", "--json"]);
    // Something could not be indexed: the command says so by its exit status too.
    run.assert_failed();
    let report = run.json();
    let items = report["added"].as_array().unwrap();
    let truncated = items
        .iter()
        .find(|i| i["original_name"] == "truncated.jpg")
        .unwrap();
    assert_eq!(truncated["entries"], 1, "{truncated}");
    assert!(
        !truncated["problems"].as_array().unwrap().is_empty(),
        "{truncated}"
    );
    if added.status == 0 {
        let video = items
            .iter()
            .find(|i| i["original_name"] == "cut.mp4")
            .unwrap();
        let problems = video["problems"].as_array().unwrap();
        assert!(
            problems
                .iter()
                .any(|p| p.as_str().unwrap().contains("frames decoded")),
            "{video}"
        );
        assert!(video["entries"].as_u64().unwrap() >= 1, "{video}");
    } else {
        eprintln!("note: intake refused the cut clip: {}", added.stderr);
    }
}

#[test]
fn an_index_of_another_version_or_a_deleted_one_is_rebuilt_and_refresh_is_incremental() {
    let (_dir, case) = new_case();
    add(
        &case,
        &[&data("rocket-gps.jpg"), &data("coffee-no-gps.jpg")],
    );
    let first = find(&case, &["--index", "--json"]);
    first.assert_ok();
    assert_eq!(first.json()["entries"], 2);
    let manifest = case.join("cache/search/manifest.json");
    let mut m: Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    m["version"] = 0.into();
    std::fs::write(&manifest, serde_json::to_vec(&m).unwrap()).unwrap();
    let again = find(&case, &["--index", "--json"]);
    let report = again.json();
    assert!(
        report["rebuilt"].as_str().unwrap().contains("version 0"),
        "{report}"
    );
    assert_eq!(report["added"].as_array().unwrap().len(), 2);

    // Up to date: nothing read again; a new item: only it is read.
    let report = find(&case, &["--index", "--json"]).json();
    assert!(
        report["rebuilt"].is_null() && report["added"].as_array().unwrap().is_empty(),
        "{report}"
    );
    add(&case, &[&data("astronaut-south-magnetic.jpg")]);
    let report = find(&case, &["--index", "--json"]).json();
    assert_eq!(report["added"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["entries"], 3);

    // A damaged feature file, or no index at all: rebuilt by the search itself.
    std::fs::write(case.join("cache/search/features.bin"), b"junk").unwrap();
    let run = find(&case, &[&sha(&data("rocket-gps.jpg"))[..16]]);
    run.assert_ok();
    assert!(run.stdout.contains("damaged"), "{}", run.stdout);
    std::fs::remove_dir_all(case.join("cache/search")).unwrap();
    let run = find(&case, &[&sha(&data("rocket-gps.jpg"))[..16]]);
    run.assert_ok();
    assert!(run.stdout.contains("no index yet"), "{}", run.stdout);
}
