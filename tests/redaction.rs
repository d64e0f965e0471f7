//! Redaction: every output hides the region irreversibly (PNG, SVG, insets, exported
//! panel images, `geoproof redact`), leaves every other pixel alone, names what it hid
//! in the manifest without what was under it, and refuses a region that does not fit.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::Path;

use base64::Engine as _;
use geoproof::board::geometry;
use geoproof::board::ops;
use geoproof::case::comparison::{Category, PanelSource, RedactMethod, Redaction, Shape};
use geoproof::case::{Case, Edit, Finding, FindingKind, ImportOptions, ImportOutcome};
use geoproof::export::figure::{self, FigureOptions, Typesetter};
use geoproof::export::redact;
use image::RgbImage;
use util::{assert_golden, data, demo_copy, geoproof, png_chunks};

/// A high-detail picture: every pixel independent of its neighbours.
fn detailed(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let mut v = u64::from(x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663));
        v = v.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        image::Rgb([(v >> 56) as u8, (v >> 48) as u8, (v >> 40) as u8])
    })
}

fn luma(p: &[u8]) -> f64 {
    0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2])
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        cov += (x - ma) * (y - mb);
        va += (x - ma).powi(2);
        vb += (y - mb).powi(2);
    }
    if va == 0.0 || vb == 0.0 {
        0.0
    } else {
        cov / (va * vb).sqrt()
    }
}

/// Mean squared difference between horizontal neighbours: how much detail there is.
fn detail(rows: &[Vec<f64>]) -> f64 {
    let (mut e, mut n) = (0.0f64, 0.0f64);
    for row in rows {
        for w in row.windows(2) {
            e += (w[0] - w[1]).powi(2);
            n += 1.0;
        }
    }
    e / n.max(1.0)
}

/// A case with a high-detail image (P1) and a photo (P2), and a finding whose P1 holds
/// one redaction of every shape and method plus a plain annotation (for an inset).
fn case_with_redactions(dir: &Path) -> (Case, Finding) {
    let noise = dir.join("noise.png");
    detailed(600, 400).save(&noise).unwrap();
    let mut case = Case::create(&dir.join("c"), "redaction").unwrap();
    let mut ids = Vec::new();
    for path in [noise, data("coffee-no-gps.jpg")] {
        let ImportOutcome::Added(r) = case.import(&path, &ImportOptions::default()).unwrap() else {
            panic!("not added");
        };
        ids.push(r.sha256.clone());
    }
    let mut f = Finding::new(FindingKind::Comparison, "Redacted");
    let p1 = ops::add_panel(
        &mut f,
        PanelSource::Evidence {
            sha256: ids[0].clone(),
        },
    );
    ops::add_panel(
        &mut f,
        PanelSource::Evidence {
            sha256: ids[1].clone(),
        },
    );
    let regions = [
        (
            Shape::Rectangle {
                x: 40.0,
                y: 40.0,
                w: 160.0,
                h: 120.0,
            },
            RedactMethod::Pixelate,
            None,
        ),
        (
            Shape::Ellipse {
                cx: 380.0,
                cy: 110.0,
                rx: 90.0,
                ry: 70.0,
            },
            RedactMethod::Blur,
            None,
        ),
        (
            Shape::Polygon {
                points: vec![[60.0, 240.0], [250.0, 230.0], [160.0, 380.0]],
            },
            RedactMethod::Box,
            None,
        ),
        (
            Shape::Freehand {
                points: vec![[320.0, 300.0], [560.0, 320.0]],
            },
            RedactMethod::Pixelate,
            Some(40.0),
        ),
    ];
    for (shape, method, brush_px) in regions {
        let id = ops::add_annotation(&mut f, &p1, shape, Category::FaceHair);
        ops::annotation_mut(&mut f, &id).unwrap().redaction = Some(Redaction { method, brush_px });
    }
    // A feature between the rectangle and the ellipse: its inset shows parts of both,
    // which must be hidden there too.
    ops::add_annotation(
        &mut f,
        &p1,
        geometry::rectangle_in([210.0, 60.0, 280.0, 150.0]),
        Category::Clothing,
    );
    case.apply(Edit::PutFinding(Box::new(f.clone()))).unwrap();
    case.save().unwrap();
    (case, f)
}

fn without_redactions(f: &Finding) -> Finding {
    let mut plain = f.clone();
    plain.annotations.retain(|a| a.redaction.is_none());
    plain
}

/// Inverts an SVG-style matrix `[a, b, c, d, e, f]`.
fn invert(m: [f64; 6]) -> impl Fn(f64, f64) -> [f64; 2] {
    let det = m[0] * m[3] - m[1] * m[2];
    move |x, y| {
        let (x, y) = (x - m[4], y - m[5]);
        [(m[3] * x - m[2] * y) / det, (-m[1] * x + m[0] * y) / det]
    }
}

#[test]
fn figures_hide_every_region_irreversibly_and_leave_every_other_pixel_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (case, f) = case_with_redactions(dir.path());
    let options = FigureOptions {
        width: 1400,
        insets: vec!["A5".into()],
        ..FigureOptions::default()
    };
    let mut ts = Typesetter::new().unwrap();
    let redacted = figure::build(&case, &f, &options, &mut ts).unwrap();
    let plain = figure::build(&case, &without_redactions(&f), &options, &mut ts).unwrap();
    let (got, want) = (
        figure::pixels(&redacted).unwrap(),
        figure::pixels(&plain).unwrap(),
    );
    assert_eq!(got.dimensions(), want.dimensions());

    // Figure pixel → full-resolution image pixel, for the P1 panel and for the inset.
    let images: Vec<[f64; 6]> = redacted
        .items
        .iter()
        .filter_map(|i| match i {
            figure::Item::Image {
                source: 0,
                transform,
            } => Some(*transform),
            _ => None,
        })
        .collect();
    assert_eq!(images.len(), 2, "panel and inset");
    let scale = redacted.sources[0].scale;
    let shapes: Vec<(&Shape, f64)> = f
        .annotations
        .iter()
        .filter_map(|a| Some((&a.shape, a.redaction?.brush_px.unwrap_or(0.0) / 2.0)))
        .collect();
    let placed: Vec<[f64; 4]> = redacted
        .provenance
        .iter()
        .filter(|p| p["panel"] == "P1")
        .map(|p| serde_json::from_value(p["placed_at"].clone()).unwrap())
        .collect();
    for (m, cell) in images.iter().zip(&placed) {
        let to_image = invert(*m);
        let mut inside: Vec<Vec<(f64, f64)>> = Vec::new();
        let (mut kept, mut outside) = (0, 0);
        // Inside the cell's border line (drawn alike on both).
        for y in cell[1] as u32 + 4..cell[3] as u32 - 4 {
            let mut row = Vec::new();
            for x in cell[0] as u32 + 4..cell[2] as u32 - 4 {
                let s = to_image(f64::from(x) + 0.5, f64::from(y) + 0.5);
                let p = [s[0] * scale, s[1] * scale];
                if p[0] < 0.0 || p[1] < 0.0 || p[0] > 600.0 || p[1] > 400.0 {
                    continue;
                }
                let d = shapes
                    .iter()
                    .map(|(shape, reach)| (geometry::distance(shape, p) - reach).max(0.0))
                    .fold(f64::INFINITY, f64::min);
                let deep = shapes.iter().any(|(shape, reach)| {
                    [[-4.0, 0.0], [4.0, 0.0], [0.0, -4.0], [0.0, 4.0], [0.0, 0.0]]
                        .iter()
                        .all(|o| geometry::distance(shape, [p[0] + o[0], p[1] + o[1]]) <= *reach)
                });
                let (a, b) = (got.get_pixel(x, y).0, want.get_pixel(x, y).0);
                if deep {
                    row.push((luma(&a), luma(&b)));
                } else if d > 4.0 {
                    outside += 1;
                    kept += usize::from(a == b);
                }
            }
            if !row.is_empty() {
                inside.push(row);
            }
        }
        assert!(
            outside > 1000,
            "{outside} pixels outside the regions checked"
        );
        assert_eq!(
            kept, outside,
            "every pixel outside the regions is unchanged"
        );
        let hidden: Vec<f64> = inside.iter().flatten().map(|p| p.0).collect();
        let original: Vec<f64> = inside.iter().flatten().map(|p| p.1).collect();
        assert!(
            hidden.len() > 1000,
            "{} pixels inside checked",
            hidden.len()
        );
        let r = correlation(&hidden, &original);
        assert!(r.abs() < 0.1, "correlation with the original {r}");
        let rows_hidden: Vec<Vec<f64>> = inside
            .iter()
            .map(|r| r.iter().map(|p| p.0).collect())
            .collect();
        let rows_original: Vec<Vec<f64>> = inside
            .iter()
            .map(|r| r.iter().map(|p| p.1).collect())
            .collect();
        let (dh, dorig) = (detail(&rows_hidden), detail(&rows_original));
        assert!(dh < dorig * 0.05, "detail left {dh:.1} of {dorig:.1}");
    }

    // The SVG embeds only redacted pixels: no embedded image equals the unredacted source.
    let svg = figure::svg(&redacted).unwrap();
    let embedded: Vec<RgbImage> = svg
        .split("data:image/png;base64,")
        .skip(1)
        .map(|rest| {
            let b64 = &rest[..rest.find('"').unwrap()];
            let png = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap();
            image::load_from_memory(&png).unwrap().into_rgb8()
        })
        .collect();
    assert_eq!(embedded.len(), 2);
    assert_eq!(embedded[0], redacted.sources[0].pixels);
    assert!(embedded.iter().all(|e| *e != plain.sources[0].pixels));
    let original = image::open(dir.path().join("noise.png"))
        .unwrap()
        .into_rgb8();
    assert!(embedded.iter().all(|e| *e != original));
    assert!(!svg.contains("clipPath id=\"redact") && !svg.contains("opacity"));
}

#[test]
fn the_manifest_lists_each_redaction_but_nothing_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut case, f) = case_with_redactions(dir.path());
    let out = dir.path().join("fig.png");
    let done = figure::export(
        &mut case,
        &f.id,
        Some(&out),
        None,
        &FigureOptions {
            width: 800,
            ..FigureOptions::default()
        },
        true,
    )
    .unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(done.manifest).unwrap()).unwrap();
    let listed = manifest["sources"][0]["redactions"].as_array().unwrap();
    assert_eq!(listed.len(), 4);
    let methods: Vec<&str> = listed
        .iter()
        .map(|r| r["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["pixelate", "blur", "box", "pixelate"]);
    assert_eq!(
        listed[0]["region"],
        serde_json::json!([40.0, 40.0, 160.0, 120.0])
    );
    assert_eq!(listed[3]["shape"], "brush");
    for r in listed {
        let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "brush_px",
                "id",
                "method",
                "panel",
                "region",
                "shape",
                "video_frame"
            ],
            "only where and how"
        );
    }
    assert!(
        manifest["sources"][1]["redactions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_exported_panel_image_is_redacted_at_full_resolution() {
    let dir = tempfile::tempdir().unwrap();
    let (case, f) = case_with_redactions(dir.path());
    let got = figure::redacted_panel_image(&case, &f, "P1").unwrap();
    let original = image::open(dir.path().join("noise.png"))
        .unwrap()
        .into_rgb8();
    assert_eq!(got.dimensions(), original.dimensions());
    let mut expected = original.clone();
    for a in &f.annotations {
        if let Some(r) = &a.redaction {
            redact::apply(&mut expected, &a.shape, r);
        }
    }
    assert_eq!(got, expected);
    assert_eq!(
        got.get_pixel(150, 300).0,
        [0, 0, 0],
        "inside the box polygon"
    );
    assert_eq!(got.get_pixel(590, 10), original.get_pixel(590, 10));
    // The other panel has no redaction: it is the picture itself.
    let p2 = figure::redacted_panel_image(&case, &f, "P2").unwrap();
    let photo = geoproof::evidence::load_oriented(&data("coffee-no-gps.jpg"), u32::MAX).unwrap();
    assert_eq!(p2, photo.image.into_rgb8());
}

#[test]
fn a_redaction_that_does_not_fit_or_lost_its_image_stops_the_export_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut case, mut f) = case_with_redactions(dir.path());
    let out = dir.path().join("fig.png");
    if let Shape::Rectangle { x, .. } = &mut f.annotations[0].shape {
        *x = 520.0; // 520 + 160 > 600
    }
    case.apply(Edit::PutFinding(Box::new(f.clone()))).unwrap();
    let e = figure::export(
        &mut case,
        &f.id,
        Some(&out),
        None,
        &FigureOptions::default(),
        true,
    )
    .unwrap_err();
    assert!(
        matches!(e, geoproof::export::figure::FigureError::Redaction(_)),
        "{e:?}"
    );
    let e = e.to_string();
    assert!(
        e.contains("A1") && e.contains("partly outside the 600×400 image"),
        "{e}"
    );
    assert!(e.contains(".png"), "names the image file: {e}");
    assert!(!e.contains('\n'));
    assert!(!out.exists() && !out.with_extension("manifest.json").exists());

    // A panel whose evidence file is gone: refused, never exported without the redaction.
    std::fs::create_dir_all(dir.path().join("second")).unwrap();
    let (mut case, f) = case_with_redactions(&dir.path().join("second"));
    let record = case.find_evidence(f.evidence_ids()[0]).unwrap().clone();
    std::fs::remove_file(case.evidence_path(&record)).unwrap();
    let e = figure::export(
        &mut case,
        &f.id,
        Some(&out),
        None,
        &FigureOptions::default(),
        true,
    )
    .unwrap_err();
    assert!(
        matches!(e, geoproof::export::figure::FigureError::Panel(_)),
        "{e:?}"
    );
    let e = e.to_string();
    assert!(
        e.contains(&record.sha256[..12]) || e.contains(&record.file),
        "{e}"
    );
    assert!(!out.exists());
}

#[test]
fn each_method_matches_its_golden_image() {
    let photo = image::open(data("rocket-gps.jpg"))
        .unwrap()
        .thumbnail(320, 320)
        .into_rgb8();
    for method in RedactMethod::ALL {
        let mut img = photo.clone();
        let r = Redaction {
            method,
            brush_px: None,
        };
        redact::apply(
            &mut img,
            &Shape::Rectangle {
                x: 130.0,
                y: 20.0,
                w: 60.0,
                h: 120.0,
            },
            &r,
        );
        redact::apply(
            &mut img,
            &Shape::Ellipse {
                cx: 60.0,
                cy: 150.0,
                rx: 45.0,
                ry: 35.0,
            },
            &r,
        );
        let brush = Redaction {
            method,
            brush_px: Some(18.0),
        };
        let stroke = Shape::Freehand {
            points: vec![[220.0, 60.0], [300.0, 180.0]],
        };
        redact::apply(&mut img, &stroke, &brush);
        let name = format!("redact-{}.png", method.as_str());
        assert_golden(&name, &image::DynamicImage::ImageRgb8(img).into_rgba8());
    }
}

#[test]
fn the_demo_composite_has_captions_under_its_panels_and_its_redactions() {
    let (_dir, root) = demo_copy();
    let case = Case::open(&root).unwrap();
    let f = case.finding("F-demo-composite-redacted").unwrap().clone();
    assert_eq!(f.panels.len(), 3);
    assert!(f.panels.iter().all(|p| !p.caption.is_empty()));
    let methods: Vec<RedactMethod> = f
        .annotations
        .iter()
        .filter_map(|a| a.redaction.map(|r| r.method))
        .collect();
    assert_eq!(
        methods,
        [
            RedactMethod::Box,
            RedactMethod::Pixelate,
            RedactMethod::Blur
        ]
    );
    let options = FigureOptions {
        width: 900,
        layout: vec![2, 1],
        ..FigureOptions::default()
    };
    let mut ts = Typesetter::new().unwrap();
    let fig = figure::build(&case, &f, &options, &mut ts).unwrap();
    assert_golden("figure-composite.png", &figure::pixels(&fig).unwrap());
    // Two panels share the first row, the third fills the second.
    let cells: Vec<[f64; 4]> = fig
        .provenance
        .iter()
        .map(|p| serde_json::from_value(p["placed_at"].clone()).unwrap())
        .collect();
    assert_eq!(cells[0][1], cells[1][1]);
    assert!(cells[2][1] > cells[0][3]);
    assert!(cells[2][2] - cells[2][0] > 1.9 * (cells[0][2] - cells[0][0]));
    let bad = FigureOptions {
        layout: vec![2, 2],
        ..options
    };
    let e = figure::build(&case, &f, &bad, &mut ts).err().unwrap();
    assert!(matches!(e, figure::FigureError::Request(_)), "{e:?}");
    let e = e.to_string();
    assert!(
        e.contains("layout 2,2 has 4 places") && e.contains("3 panels"),
        "{e}"
    );
}

#[test]
fn the_cli_redacts_a_still_into_a_png_without_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("rotated-orientation-6.jpg");
    let out = dir.path().join("out.png");
    let run = geoproof([
        "redact".as_ref(),
        input.as_os_str(),
        "--region".as_ref(),
        "10,20,60,40".as_ref(),
        "--ellipse".as_ref(),
        "30,100,50,50".as_ref(),
        "--method".as_ref(),
        "box".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let json = run.json();
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(json["sha256"], geoproof::evidence::sha256_hex(&bytes));
    let chunks = png_chunks(&bytes);
    assert!(
        chunks
            .iter()
            .all(|c| ["IHDR", "IDAT", "IEND"].contains(&c.as_str())),
        "{chunks:?}"
    );
    // Coordinates are in the oriented image (as viewers show it).
    let loaded = geoproof::evidence::load_oriented(&input, u32::MAX).unwrap();
    let (w, h) = (loaded.width, loaded.height);
    let oriented = loaded.image.into_rgb8();
    let got = image::load_from_memory(&bytes).unwrap().into_rgb8();
    assert_eq!(got.dimensions(), (w, h));
    assert_eq!(got.get_pixel(40, 40).0, [0, 0, 0]);
    assert_eq!(got.get_pixel(55, 125).0, [0, 0, 0]);
    assert_eq!(
        got.get_pixel(w - 1, h - 1),
        oriented.get_pixel(w - 1, h - 1)
    );
}

#[test]
fn bad_redact_requests_name_the_file_and_the_cause_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("coffee-no-gps.jpg"); // 600×400
    let out = dir.path().join("out.png");
    let cases: [(&[&str], &str); 7] = [
        (
            &["--region", "580,10,50,50"],
            "partly outside the 600×400 image",
        ),
        (&["--region", "700,10,50,50"], "outside the 600×400 image"),
        (&["--region", "10,10,0,50"], "no area"),
        (&["--region", "NaN,10,5,5"], "finite"),
        (&["--region", "10,10,5"], "X,Y,W,H"),
        (
            &["--region", "10,10,5,5", "--method", "smudge"],
            "unknown method",
        ),
        (&[], "--region"),
    ];
    for (args, cause) in cases {
        let mut all: Vec<&std::ffi::OsStr> = vec!["redact".as_ref(), input.as_os_str()];
        all.extend(args.iter().map(|a| std::ffi::OsStr::new(*a)));
        all.extend(["--out".as_ref(), out.as_os_str()]);
        let run = geoproof(all);
        run.assert_failed();
        assert!(run.stderr.contains(cause), "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
        assert!(!out.exists(), "{args:?} wrote a file");
    }
    let broken = data("not-an-image.jpg");
    let run = geoproof([
        "redact".as_ref(),
        broken.as_os_str(),
        "--region".as_ref(),
        "1,1,5,5".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    run.assert_failed();
    assert!(run.stderr.contains("not-an-image.jpg"), "{}", run.stderr);
    assert!(!out.exists());
    let copy = dir.path().join("same.jpg");
    std::fs::copy(&input, &copy).unwrap();
    let run = geoproof([
        "redact".as_ref(),
        copy.as_os_str(),
        "--region".as_ref(),
        "1,1,5,5".as_ref(),
        "--out".as_ref(),
        copy.as_os_str(),
    ]);
    run.assert_failed();
    assert!(run.stderr.contains("never overwritten"), "{}", run.stderr);
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&input).unwrap()
    );
}
