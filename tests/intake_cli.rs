//! Evidence intake through the real binary: EXIF values of the shared fixtures, batch
//! behaviour, duplicates, thumbnails and verification.
#![allow(clippy::unwrap_used)]

mod util;

use std::fs;

use util::{data, geoproof, new_case};

fn inspect(name: &str) -> serde_json::Value {
    let run = geoproof([
        "inspect".as_ref(),
        data(name).as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    run.json()
}

#[test]
fn rocket_fixture_exif_values_match_the_data_readme() {
    let v = inspect("rocket-gps.jpg");
    assert_eq!(v["lat"], 28.56194);
    assert_eq!(v["lon"], -80.57735);
    assert_eq!(v["alt_m"], 10.0);
    assert_eq!(v["direction_deg"], 80.0);
    assert_eq!(v["direction_ref"], "T");
    assert_eq!(v["gps_time_utc"], "2015-02-11T23:03:42Z");
    assert_eq!(v["taken_at"], "2015-02-11T18:03:42-05:00");
    assert_eq!(v["make"], "ExampleCam");
    assert_eq!(v["model"], "Fixture 1");
    assert_eq!(v["media_type"], "image/jpeg");
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(640), Some(427))
    );
    assert_eq!(v["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn southern_hemisphere_and_magnetic_reference_are_kept_as_recorded() {
    let v = inspect("astronaut-south-magnetic.jpg");
    assert_eq!(v["lat"], -33.86882);
    assert_eq!(v["lon"], 151.20929);
    assert_eq!(v["direction_deg"], 123.4);
    assert_eq!(v["direction_ref"], "M");
    // No OffsetTimeOriginal: the time zone is unknown, so no offset is invented.
    assert_eq!(v["taken_at"], "2020-01-05T09:10:11");
    assert!(v["gps_time_utc"].is_null());
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("magnetic"), "{warnings}");
}

#[test]
fn null_island_gps_is_recorded_as_missing_with_a_warning() {
    let run = geoproof([
        "inspect".as_ref(),
        data("null-island.jpg").as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let v = run.json();
    assert!(v["lat"].is_null() && v["lon"].is_null());
    assert!(v["warnings"].to_string().contains("null island"));
    assert!(run.stderr.contains("null island"), "{}", run.stderr);
}

#[test]
fn orientation_6_swaps_the_displayed_dimensions() {
    let v = inspect("rotated-orientation-6.jpg");
    assert_eq!(v["orientation"], 6);
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(427), Some(640))
    );
}

#[test]
fn a_photo_without_gps_has_null_location_fields() {
    let v = inspect("coffee-no-gps.jpg");
    for key in [
        "lat",
        "lon",
        "alt_m",
        "direction_deg",
        "direction_ref",
        "gps_time_utc",
    ] {
        assert!(v[key].is_null(), "{key} should be null: {v}");
    }
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(600), Some(400))
    );
}

#[test]
fn batch_add_imports_the_good_files_reports_the_bad_and_fails() {
    let (_dir, case) = new_case();
    let run = geoproof([
        "add".as_ref(),
        case.as_os_str(),
        data("rocket-gps.jpg").as_os_str(),
        data("not-an-image.jpg").as_os_str(),
        data("coffee-no-gps.jpg").as_os_str(),
        "--source".as_ref(),
        "https://example.org/post/1".as_ref(),
        "--note".as_ref(),
        "from the channel".as_ref(),
        "--json".as_ref(),
    ]);
    run.assert_failed();
    assert!(
        run.stderr.contains("not-an-image.jpg: not an image"),
        "stderr should name the file and cause: {}",
        run.stderr
    );
    let results = run.json();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["status"], "added");
    assert_eq!(results[1]["status"], "error");
    assert_eq!(results[2]["status"], "added");
    for key in [
        "id",
        "sha256",
        "media_type",
        "width",
        "height",
        "lat",
        "lon",
        "alt_m",
        "direction_deg",
        "direction_ref",
        "taken_at",
        "gps_time_utc",
        "make",
        "model",
        "orientation",
    ] {
        assert!(results[0].get(key).is_some(), "missing key {key}");
    }
    assert_eq!(results[0]["source_url"], "https://example.org/post/1");
    assert_eq!(results[0]["notes"], "from the channel");

    let list = geoproof(["list".as_ref(), case.as_os_str(), "--json".as_ref()]);
    list.assert_ok();
    assert_eq!(list.json()["evidence"].as_array().unwrap().len(), 2);
}

#[test]
fn originals_are_stored_byte_identical_read_only_and_thumbnailed() {
    let (_dir, case) = new_case();
    let run = geoproof([
        "add".as_ref(),
        case.as_os_str(),
        data("rocket-gps.jpg").as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let sha = run.json()[0]["sha256"].as_str().unwrap().to_owned();
    let stored = case.join("evidence").join(format!("{sha}.jpg"));
    assert_eq!(
        fs::read(&stored).unwrap(),
        fs::read(data("rocket-gps.jpg")).unwrap()
    );
    assert!(fs::metadata(&stored).unwrap().permissions().readonly());
    let record: serde_json::Value = serde_json::from_slice(
        &fs::read(case.join("evidence").join(format!("{sha}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(record["original_name"], "rocket-gps.jpg");
    assert_eq!(record["perceptual_hash"]["algorithm"], "gradient-8x8");
    assert_eq!(record["perceptual_hash"]["version"], 1);
    let thumb = image::open(case.join("cache/thumbnails").join(format!("{sha}.png"))).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (256, 171));
}

#[test]
fn thumbnail_of_rotated_photo_is_upright() {
    let (_dir, case) = new_case();
    let run = geoproof([
        "add".as_ref(),
        case.as_os_str(),
        data("rotated-orientation-6.jpg").as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let sha = run.json()[0]["sha256"].as_str().unwrap().to_owned();
    let thumb = image::open(case.join("cache/thumbnails").join(format!("{sha}.png"))).unwrap();
    assert!(
        thumb.height() > thumb.width(),
        "{}×{}",
        thumb.width(),
        thumb.height()
    );
}

#[test]
fn importing_the_same_bytes_twice_reports_the_existing_id() {
    let (dir, case) = new_case();
    let copy = dir.path().join("renamed-copy.jpg");
    fs::copy(data("rocket-gps.jpg"), &copy).unwrap();
    let first = geoproof([
        "add".as_ref(),
        case.as_os_str(),
        data("rocket-gps.jpg").as_os_str(),
        "--json".as_ref(),
    ]);
    let second = geoproof([
        "add".as_ref(),
        case.as_os_str(),
        copy.as_os_str(),
        "--json".as_ref(),
    ]);
    first.assert_ok();
    second.assert_ok();
    assert_eq!(second.json()[0]["status"], "duplicate");
    assert_eq!(second.json()[0]["id"], first.json()[0]["id"]);
    let files = fs::read_dir(case.join("evidence")).unwrap().count();
    assert_eq!(files, 2, "one original + one record");
}

#[test]
fn verify_reports_missing_altered_and_unexpected_files() {
    let (_dir, case) = new_case();
    let run = geoproof([
        "add".as_ref(),
        case.as_os_str(),
        data("rocket-gps.jpg").as_os_str(),
        data("coffee-no-gps.jpg").as_os_str(),
        data("astronaut-south-magnetic.jpg").as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let ids: Vec<String> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sha256"].as_str().unwrap().to_owned())
        .collect();

    let clean = geoproof(["verify".as_ref(), case.as_os_str(), "--json".as_ref()]);
    clean.assert_ok();
    assert_eq!(clean.json()["ok"], true);
    assert_eq!(clean.json()["intact"].as_array().unwrap().len(), 3);

    // Alter one original (it is read-only, as an analyst's editor would find it).
    let altered = case.join("evidence").join(format!("{}.jpg", ids[0]));
    let mut perms = fs::metadata(&altered).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(&altered, perms).unwrap();
    let mut bytes = fs::read(&altered).unwrap();
    bytes[1000] ^= 0x01;
    fs::write(&altered, bytes).unwrap();
    fs::remove_file(case.join("evidence").join(format!("{}.jpg", ids[1]))).unwrap();
    fs::write(case.join("evidence").join("stray.jpg"), b"x").unwrap();

    let broken = geoproof(["verify".as_ref(), case.as_os_str(), "--json".as_ref()]);
    broken.assert_failed();
    let v = broken.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["altered"][0]["id"], ids[0].as_str());
    assert_eq!(v["missing"][0], format!("evidence/{}.jpg", ids[1]));
    assert_eq!(v["unexpected"][0], "evidence/stray.jpg");
    assert_eq!(v["intact"].as_array().unwrap().len(), 1);

    let human = geoproof(["verify".as_ref(), case.as_os_str()]);
    human.assert_failed();
    assert!(human.stdout.contains("NOT INTACT"), "{}", human.stdout);

    let log = fs::read_to_string(case.join("log.jsonl")).unwrap();
    assert!(
        log.lines()
            .filter(|l| l.contains("\"event\":\"verify\""))
            .count()
            >= 2
    );
}

/// With the desktop app compiled in, no arguments opens the window instead.
#[cfg(not(feature = "gui"))]
#[test]
fn no_arguments_prints_help() {
    let run = geoproof(Vec::<&str>::new());
    run.assert_ok();
    assert!(run.stdout.contains("Usage"), "{}", run.stdout);
    assert!(run.stdout.contains("verify"));
}
