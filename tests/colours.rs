//! Colour similarity of regions: the same region under brighter light stays similar,
//! a differently coloured region does not.
#![allow(clippy::unwrap_used)]

mod util;

use geoproof::matching::Roi;
use geoproof::matching::colour::{compare, profile};
use image::DynamicImage;
use util::{data, geoproof};

fn brighter(image: &DynamicImage, factor: f32) -> DynamicImage {
    let mut rgb = image.to_rgb8();
    for p in rgb.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = (f32::from(*c) * factor).min(255.0) as u8;
        }
    }
    DynamicImage::ImageRgb8(rgb)
}

#[test]
fn the_same_region_in_brighter_light_is_similar_and_other_colours_are_not() {
    let coffee = image::open(data("coffee-no-gps.jpg")).unwrap();
    let astronaut = image::open(data("astronaut-south-magnetic.jpg")).unwrap();
    let rocket = image::open(data("rocket-gps.jpg")).unwrap();
    let cup = Some(Roi {
        x: 200,
        y: 60,
        w: 220,
        h: 180,
    });
    // Dimmer and brighter light (1.2 keeps the white cup mostly below clipping).
    let dim = compare(
        profile(&coffee, cup).unwrap(),
        profile(&brighter(&coffee, 0.6), cup).unwrap(),
    );
    let same = compare(
        profile(&coffee, cup).unwrap(),
        profile(&brighter(&coffee, 1.2), cup).unwrap(),
    );
    // The orange suit is close in hue to the coffee (an honest middling score); the
    // blue sky over the rocket is not.
    let suit = compare(
        profile(&coffee, cup).unwrap(),
        profile(
            &astronaut,
            Some(Roi {
                x: 150,
                y: 250,
                w: 200,
                h: 200,
            }),
        )
        .unwrap(),
    );
    let other = compare(
        profile(&coffee, cup).unwrap(),
        profile(
            &rocket,
            Some(Roi {
                x: 0,
                y: 0,
                w: 200,
                h: 120,
            }),
        )
        .unwrap(),
    );
    // Measured: dimmer 0.84, brighter 0.84, orange suit 0.49, blue sky 0.15.
    assert!(
        dim.similarity > 0.75,
        "same region, dimmer: {}",
        dim.similarity
    );
    assert!(
        same.similarity > 0.75,
        "same region, brighter: {}",
        same.similarity
    );
    assert!(
        same.lightness_shift > 3.0,
        "B is brighter: {}",
        same.lightness_shift
    );
    assert!(
        dim.lightness_shift < -10.0,
        "B is dimmer: {}",
        dim.lightness_shift
    );
    assert!(
        other.similarity < 0.3,
        "different colours: {}",
        other.similarity
    );
    assert!(
        suit.similarity < same.similarity - 0.2,
        "{}",
        suit.similarity
    );
    assert_eq!(same.a.swatches.len(), 3);
    let shares: f32 = same.a.swatches.iter().map(|s| s.share).sum();
    assert!((shares - 1.0).abs() < 1e-3);
}

#[test]
fn the_cli_compares_regions_and_refuses_a_region_outside_the_image() {
    let json = geoproof([
        "colours".as_ref(),
        data("coffee-no-gps.jpg").as_os_str(),
        data("coffee-no-gps.jpg").as_os_str(),
        "--roi-a".as_ref(),
        "200,60,220,180".as_ref(),
        "--roi-b".as_ref(),
        "200,60,220,180".as_ref(),
        "--json".as_ref(),
    ])
    .assert_ok()
    .json();
    assert!(
        (json["similarity"].as_f64().unwrap() - 1.0).abs() < 1e-4,
        "{json}"
    );
    assert_eq!(json["a"]["swatches"].as_array().unwrap().len(), 3);
    let run = geoproof([
        "colours".as_ref(),
        data("coffee-no-gps.jpg").as_os_str(),
        data("rocket-gps.jpg").as_os_str(),
        "--roi-b".as_ref(),
        "600,400,100,100".as_ref(),
    ]);
    run.assert_failed();
    assert!(
        run.stderr
            .contains("rocket-gps.jpg: region 600,400,100,100 is outside the 640×427 image"),
        "{}",
        run.stderr
    );
}
