//! "Frame with rendered skyline" in figures (#33): the demo's synthetic terrain finding
//! exported with `geoproof export --png` shows the frame with the terrain skyline
//! rendered from the saved camera (amber, solid) and the traced skyline (cyan, dashed);
//! probed pixel by pixel against the skyline computed here, and against the same figure
//! without the fit. The manifest records the camera and score.
#![allow(clippy::unwrap_used)]

mod util;

use geoproof::case::Case;
use geoproof::export::figure::{self, FigureOptions, Item, Typesetter};
use geoproof::terrain::{Dem, skyline};
use util::{demo_copy, geoproof};

const ID: &str = "F-demo-skyline-synthetic";
const WIDTH: u32 = 1200;

fn amber(p: &image::Rgba<u8>) -> bool {
    p[0] > 200 && (140..=230).contains(&p[1]) && p[2] < 90
}
fn cyan(p: &image::Rgba<u8>) -> bool {
    p[0] < 90 && p[1] > 160 && p[2] > 200
}

/// How many of `points` have a pixel passing `test` within 2 px.
fn near(
    img: &image::RgbaImage,
    points: &[[f64; 2]],
    test: impl Fn(&image::Rgba<u8>) -> bool,
) -> usize {
    points
        .iter()
        .filter(|p| {
            (-2i64..=2).any(|dy| {
                (-2i64..=2).any(|dx| {
                    let (x, y) = (p[0].round() as i64 + dx, p[1].round() as i64 + dy);
                    x >= 0
                        && y >= 0
                        && x < i64::from(img.width())
                        && y < i64::from(img.height())
                        && test(img.get_pixel(x as u32, y as u32))
                })
            })
        })
        .count()
}

#[test]
fn the_demo_terrain_figure_shows_the_rendered_and_traced_skylines_on_the_frame() {
    let (dir, root) = demo_copy();
    let png = dir.path().join("skyline.png");
    let run = geoproof([
        "export".as_ref(),
        root.as_os_str(),
        "--finding".as_ref(),
        ID.as_ref(),
        "--png".as_ref(),
        png.as_os_str(),
        "--width".as_ref(),
        WIDTH.to_string().as_ref(),
    ]);
    run.assert_ok();
    let exported = image::open(&png).unwrap().to_rgba8();

    // The same figure through the library: the same pixels, and where the frame lies.
    let case = Case::open_read_only(&root).unwrap();
    let finding = case.finding(ID).unwrap().clone();
    let options = FigureOptions {
        width: WIDTH,
        ..FigureOptions::default()
    };
    let mut ts = Typesetter::new().unwrap();
    let fig = figure::build(&case, &finding, &options, &mut ts).unwrap();
    let pixels = figure::pixels(&fig).unwrap();
    assert_eq!(pixels.dimensions(), exported.dimensions());
    let differ = pixels
        .pixels()
        .zip(exported.pixels())
        .filter(|(a, b)| a.0[..3] != b.0[..3])
        .count();
    assert_eq!(differ, 0, "the CLI's PNG is the library's figure");
    let m = fig
        .items
        .iter()
        .find_map(|i| match i {
            Item::Image {
                source: 0,
                transform,
            } => Some(*transform),
            _ => None,
        })
        .unwrap();
    let scale = fig.sources[0].scale;
    let to_figure = |p: &[f64; 2]| {
        let (x, y) = (p[0] / scale, p[1] / scale);
        [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]]
    };

    // The skyline the saved camera sees, computed here from the case's DEM.
    let fit = finding.skyline_fit.as_ref().unwrap();
    let paths: Vec<_> = fit.dem.iter().map(|d| case.elevation_path(d)).collect();
    let dem = Dem::open(&paths).unwrap();
    let s = skyline::skyline(&dem, fit.camera, fit.max_distance_m, fit.curvature).unwrap();
    let rendered: Vec<[f64; 2]> = s
        .polylines
        .iter()
        .flatten()
        .step_by(7)
        .map(to_figure)
        .collect();
    let traced: Vec<[f64; 2]> = fit
        .trace
        .polylines
        .iter()
        .flatten()
        .step_by(3)
        .map(to_figure)
        .collect();
    assert!(rendered.len() > 50 && traced.len() > 50);
    // Along the skyline: amber (the rendered line, solid) nearly everywhere, cyan (the
    // dashed trace on top of it) at many points but not all.
    let n = rendered.len();
    let on_amber = near(&pixels, &rendered, amber);
    let on_cyan = near(&pixels, &traced, cyan);
    assert!(on_amber * 10 >= n * 9, "amber at {on_amber} of {n}");
    assert!(
        on_cyan * 10 >= traced.len() * 4 && on_cyan < traced.len(),
        "cyan dashes at {on_cyan} of {}",
        traced.len()
    );
    // 25 figure pixels above the skyline is sky: neither colour.
    let above: Vec<[f64; 2]> = rendered.iter().map(|p| [p[0], p[1] - 25.0]).collect();
    assert_eq!(near(&pixels, &above, |p| amber(p) || cyan(p)), 0);

    // Without the fit the frame is bare along the same line.
    let mut bare = finding.clone();
    bare.skyline_fit = None;
    let plain = figure::pixels(&figure::build(&case, &bare, &options, &mut ts).unwrap()).unwrap();
    assert_eq!(near(&plain, &rendered, |p| amber(p) || cyan(p)), 0);
    assert!(
        pixels.height() > plain.height(),
        "the legend line adds height under the panel"
    );

    // The manifest records the camera and the score with the panel.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("skyline.manifest.json")).unwrap(),
    )
    .unwrap();
    let sky = &manifest["sources"][0]["skyline_fit"];
    assert_eq!(sky["camera"]["heading_deg"], fit.camera.heading_deg);
    assert_eq!(sky["score"]["mean_deg"], fit.score.mean_deg);
    assert_eq!(sky["rendered_polylines"], s.polylines.len());
    assert!(sky["render_error"].is_null());
}

/// A DEM changed since the fit: the figure is still made, the trace drawn, the rendered
/// skyline left out, and the manifest says why.
#[test]
fn a_changed_dem_leaves_the_rendered_skyline_out_and_says_why() {
    let (dir, root) = demo_copy();
    let case = Case::open_read_only(&root).unwrap();
    let fit = case.finding(ID).unwrap().skyline_fit.clone().unwrap();
    let tif = case.elevation_path(&fit.dem[0]);
    drop(case);
    let mut bytes = std::fs::read(&tif).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&tif, bytes).unwrap();
    let png = dir.path().join("changed.png");
    let run = geoproof([
        "export".as_ref(),
        root.as_os_str(),
        "--finding".as_ref(),
        ID.as_ref(),
        "--png".as_ref(),
        png.as_os_str(),
    ]);
    run.assert_ok();
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("changed.manifest.json")).unwrap(),
    )
    .unwrap();
    let sky = &manifest["sources"][0]["skyline_fit"];
    assert!(sky["rendered_polylines"].is_null());
    let why = sky["render_error"].as_str().unwrap();
    assert!(why.contains("synthetic-mountains-dem.tif"), "{why}");
    assert!(sky["traced_polylines"].as_u64().unwrap() >= 1);
}
