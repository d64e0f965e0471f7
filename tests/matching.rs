//! Correspondences and homographies on image pairs whose true homography is known: the
//! public-domain photos warped by a rotation, scale, perspective, a brightness change
//! and noise. And a negative control: unrelated photos yield no homography.
#![allow(clippy::unwrap_used)]

mod util;

use geoproof::matching::{MIN_INLIERS, MatchOptions, match_images};
use image::{DynamicImage, Rgb, RgbImage};
use imageproc::geometric_transformations::{Border, Interpolation, Projection, warp};
use nalgebra::Matrix3;
use util::{data, geoproof};

/// Rotation by `deg` about the centre, scale `s`, a perspective tilt and a shift.
fn truth(w: f64, h: f64, deg: f64, s: f64, tilt: f64) -> Matrix3<f64> {
    let (sin, cos) = deg.to_radians().sin_cos();
    let centre = Matrix3::new(1.0, 0.0, -w / 2.0, 0.0, 1.0, -h / 2.0, 0.0, 0.0, 1.0);
    let rotate = Matrix3::new(
        s * cos,
        -s * sin,
        0.0,
        s * sin,
        s * cos,
        0.0,
        tilt,
        0.0,
        1.0,
    );
    let back = Matrix3::new(
        1.0,
        0.0,
        w / 2.0 + 12.0,
        0.0,
        1.0,
        h / 2.0 - 7.0,
        0.0,
        0.0,
        1.0,
    );
    let m = back * rotate * centre;
    m / m[(2, 2)]
}

/// `image` warped by `h`, brighter by `brighten`, with deterministic noise of ±`noise`.
fn warped(image: &RgbImage, h: &Matrix3<f64>, brighten: i16, noise: i16) -> RgbImage {
    let m: Vec<f32> = h.transpose().iter().map(|v| *v as f32).collect();
    let projection = Projection::from_matrix(m.try_into().unwrap()).unwrap();
    let mut out = warp(
        image,
        projection,
        Interpolation::Bilinear,
        Border::Constant(Rgb([0, 0, 0])),
    );
    let mut state: u32 = 12345;
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let n = ((state >> 16) % (2 * noise as u32 + 1)) as i16 - noise;
            *c = (i16::from(*c) + brighten + n).clamp(0, 255) as u8;
        }
    }
    out
}

/// Matches the whole of `a` against the whole of `b` with the default options.
fn match_whole(a: &DynamicImage, b: &DynamicImage) -> geoproof::matching::MatchReport {
    match_images(
        (a, (a.width(), a.height())),
        (b, (b.width(), b.height())),
        None,
        None,
        &MatchOptions::default(),
    )
    .unwrap()
}

fn check_recovers(name: &str, deg: f64, s: f64, tilt: f64) {
    check_recovers_maybe_mirrored(name, deg, s, tilt, false);
}

/// With `mirror`, B is also flipped left-right (a mirrored repost): the truth then
/// includes the flip, x -> (width - 1) - x in pixel indices.
fn check_recovers_maybe_mirrored(name: &str, deg: f64, s: f64, tilt: f64, mirror: bool) {
    let a = image::open(data(name)).unwrap().to_rgb8();
    let (w, h) = (f64::from(a.width()), f64::from(a.height()));
    let mut t = truth(w, h, deg, s, tilt);
    let mut b = warped(&a, &t, 30, 8);
    if mirror {
        b = image::imageops::flip_horizontal(&b);
        t = Matrix3::new(-1.0, 0.0, w - 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0) * t;
    }
    let (a, b) = (DynamicImage::ImageRgb8(a), DynamicImage::ImageRgb8(b));
    let report = match_whole(&a, &b);
    assert_eq!(report.mirrored, mirror, "{}", report.summary);
    let got = report
        .homography
        .unwrap_or_else(|| panic!("{name}: no homography: {}", report.summary));
    let got = Matrix3::from_fn(|r, c| got[r][c]);
    assert!(report.inliers >= MIN_INLIERS, "{}", report.summary);
    // Points over the middle 80% of A must land within 2 px of the truth.
    let mut worst: f64 = 0.0;
    for i in 1..10 {
        for j in 1..10 {
            let p = nalgebra::Vector3::new(w * f64::from(i) / 10.0, h * f64::from(j) / 10.0, 1.0);
            let (x, y) = (got * p, t * p);
            if !(0.0..w).contains(&(y.x / y.z)) || !(0.0..h).contains(&(y.y / y.z)) {
                continue; // mapped outside B: nothing there to match
            }
            let d = ((x.x / x.z - y.x / y.z).powi(2) + (x.y / x.z - y.y / y.z).powi(2)).sqrt();
            worst = worst.max(d);
        }
    }
    assert!(
        worst < 2.0,
        "{name}: worst error {worst:.2} px; {}",
        report.summary
    );
    let e = report.mean_reprojection_error_px.unwrap();
    assert!(e < 3.0, "{e}");
}

#[test]
fn a_rotated_scaled_tilted_brighter_noisy_copy_is_recovered_within_2_px() {
    check_recovers("coffee-no-gps.jpg", 12.0, 0.85, 0.0002);
    check_recovers("astronaut-south-magnetic.jpg", -20.0, 1.1, -0.0003);
}

#[test]
fn a_mirrored_copy_is_recognised_as_mirrored_and_recovered_within_2_px() {
    check_recovers_maybe_mirrored("rocket-gps.jpg", 8.0, 0.95, 0.0001, true);
}

#[test]
fn unrelated_photos_yield_no_homography() {
    let a = image::open(data("coffee-no-gps.jpg")).unwrap();
    let b = image::open(data("astronaut-south-magnetic.jpg")).unwrap();
    let report = match_whole(&a, &b);
    assert!(report.homography.is_none(), "{}", report.summary);
    assert!(
        report.summary.starts_with("no homography"),
        "{}",
        report.summary
    );
    assert!(!report.summary.contains("confirmed"));
}

#[test]
fn the_cli_reports_counts_the_homography_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let a = image::open(data("coffee-no-gps.jpg")).unwrap().to_rgb8();
    let t = truth(f64::from(a.width()), f64::from(a.height()), 8.0, 0.9, 0.0);
    let b_path = dir.path().join("b.png");
    warped(&a, &t, 10, 4).save(&b_path).unwrap();
    let run = geoproof([
        "match".as_ref(),
        data("coffee-no-gps.jpg").as_os_str(),
        b_path.as_os_str(),
        "--json".as_ref(),
    ]);
    let json = run.assert_ok().json();
    assert!(json["keypoints_a"].as_u64().unwrap() > 100, "{json}");
    assert!(json["inliers"].as_u64().unwrap() >= MIN_INLIERS as u64);
    let h = &json["homography"];
    assert!(
        (h[0][2].as_f64().unwrap() - t[(0, 2)]).abs() < 3.0,
        "{h} vs {t}"
    );
    assert!(json["mean_reprojection_error_px"].as_f64().unwrap() < 3.0);

    // Regions: only part of each image, still in full-image pixels.
    let run = geoproof([
        "match".as_ref(),
        data("coffee-no-gps.jpg").as_os_str(),
        b_path.as_os_str(),
        "--roi-a".as_ref(),
        "100,50,400,300".as_ref(),
        "--json".as_ref(),
    ]);
    let json = run.assert_ok().json();
    for c in json["correspondences"].as_array().unwrap() {
        let x = c["a"][0].as_f64().unwrap();
        assert!((100.0..500.0).contains(&x), "{c}");
    }

    let run = geoproof([
        "match".as_ref(),
        data("coffee-no-gps.jpg").as_os_str(),
        data("astronaut-south-magnetic.jpg").as_os_str(),
    ]);
    run.assert_ok();
    assert!(run.stdout.contains("no homography"), "{}", run.stdout);

    let run = geoproof([
        "match".as_ref(),
        data("coffee-no-gps.jpg").as_os_str(),
        b_path.as_os_str(),
        "--roi-b".as_ref(),
        "500,300,400,400".as_ref(),
    ]);
    run.assert_failed();
    assert!(
        run.stderr.contains("outside the 600×400 image"),
        "{}",
        run.stderr
    );
    let run = geoproof([
        "match".as_ref(),
        data("not-an-image.jpg").as_os_str(),
        b_path.as_os_str(),
    ]);
    run.assert_failed();
    assert!(run.stderr.contains("not-an-image.jpg"), "{}", run.stderr);
}
