//! Near duplicates: a re-encoded, resized copy of a photo is flagged at intake and found
//! by `geoproof similar`; unrelated photos are not.
#![allow(clippy::unwrap_used)]

mod util;

use util::{data, geoproof, new_case};

/// `rocket-gps.jpg` at half size, re-encoded at quality 60 (as a re-post would be).
fn repost(dir: &std::path::Path) -> std::path::PathBuf {
    let img = image::open(data("rocket-gps.jpg")).unwrap();
    let small = img.resize(
        img.width() / 2,
        img.height() / 2,
        image::imageops::FilterType::Triangle,
    );
    let path = dir.join("reposted.jpg");
    let mut out = std::fs::File::create(&path).unwrap();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 60)
        .encode_image(&small)
        .unwrap();
    path
}

#[test]
fn a_reposted_copy_is_flagged_at_intake_and_found_as_similar() {
    let (dir, case) = new_case();
    let originals = [
        "rocket-gps.jpg",
        "coffee-no-gps.jpg",
        "astronaut-south-magnetic.jpg",
    ];
    let mut args = vec![
        "add".to_owned(),
        case.display().to_string(),
        "--json".into(),
    ];
    args.extend(originals.iter().map(|n| data(n).display().to_string()));
    let added = geoproof(&args).assert_ok().json();
    assert!(
        !added.to_string().contains("near duplicate"),
        "unrelated photos are not near duplicates: {added}"
    );
    let rocket = added[0]["sha256"].as_str().unwrap().to_owned();

    let copy = repost(dir.path());
    let run = geoproof([
        "add".as_ref(),
        case.as_os_str(),
        copy.as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let warning = format!("near duplicate of {} (rocket-gps.jpg)", &rocket[..12]);
    assert!(run.stderr.contains(&warning), "{}", run.stderr);
    let repost_id = run.json()[0]["sha256"].as_str().unwrap().to_owned();
    assert_ne!(repost_id, rocket, "different bytes, different evidence");

    let similar = geoproof([
        "similar".as_ref(),
        case.as_os_str(),
        repost_id[..10].as_ref(),
        "--json".as_ref(),
    ])
    .assert_ok()
    .json();
    let found = similar["similar"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{similar}");
    assert_eq!(found[0]["sha256"], rocket.as_str());
    assert!(found[0]["distance"].as_u64().unwrap() <= 6, "{similar}");

    // Negative control: listing everything shows the unrelated photos far away.
    let all = geoproof([
        "similar".as_ref(),
        case.as_os_str(),
        rocket.as_ref(),
        "--max-distance".as_ref(),
        "64".as_ref(),
        "--json".as_ref(),
    ])
    .assert_ok()
    .json();
    let far: Vec<u64> = all["similar"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["sha256"] != repost_id.as_str())
        .map(|s| s["distance"].as_u64().unwrap())
        .collect();
    assert_eq!(far.len(), 2);
    assert!(far.iter().all(|d| *d > 16), "{all}");
}

#[test]
fn similar_names_an_unknown_item() {
    let (_dir, case) = new_case();
    let run = geoproof(["similar".as_ref(), case.as_os_str(), "abcdef".as_ref()]);
    run.assert_failed();
    assert!(
        run.stderr.contains("no evidence \"abcdef\""),
        "{}",
        run.stderr
    );
}
