//! Publication figures: golden images (CPU-only rendering), Arabic-script and Cyrillic
//! captions, metadata stripping, the sidecar manifest, the audit log and bad input.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::Path;

use geoproof::board::geometry::rectangle_in;
use geoproof::board::ops;
use geoproof::case::comparison::{Category, PanelSource};
use geoproof::case::{Case, Edit, Finding, FindingKind, ImportOptions, ImportOutcome, MapSnapshot};
use geoproof::export::figure::{self, FigureOptions, Typesetter};
use util::{assert_golden, data, demo_copy, geoproof, png_chunks};

#[test]
fn the_demo_comparison_figure_matches_its_golden_image() {
    let (_dir, root) = demo_copy();
    let case = Case::open(&root).unwrap();
    let finding = case.finding("F-demo-astronaut-repost").unwrap().clone();
    let options = FigureOptions {
        width: 900,
        insets: vec!["A1".into(), "A2".into()],
        credits: vec!["Portrait: NASA (public domain)".into()],
        ..FigureOptions::default()
    };
    let mut ts = Typesetter::new().unwrap();
    let fig = figure::build(&case, &finding, &options, &mut ts).unwrap();
    assert_eq!(fig.width, 900);
    assert_golden("figure-demo.png", &figure::pixels(&fig).unwrap());
    // The SVG carries the same drawing as vectors over the embedded images.
    let svg = figure::svg(&fig).unwrap();
    assert_eq!(
        svg.matches("<image ").count(),
        2,
        "each source embedded once"
    );
    assert_eq!(svg.matches("<use ").count(), 4, "two panels and two insets");
    // Eight linked annotations + the arrow and text on the panels, two in insets.
    assert!(svg.matches("<polygon points=").count() >= 8);
    assert!(
        svg.contains("stroke=\"#e69f00\""),
        "link 1 keeps its colour (Okabe–Ito orange)"
    );
}

/// A case with a photo, a map snapshot and captions in Persian, Pashto and Russian.
fn scripts_case(dir: &Path) -> (Case, String) {
    let mut case = Case::create(&dir.join("c"), "scripts").unwrap();
    let ImportOutcome::Added(photo) = case
        .import(&data("rocket-gps.jpg"), &ImportOptions::default())
        .unwrap()
    else {
        panic!()
    };
    let mut f = Finding::new(
        FindingKind::Geolocation,
        "مقایسهٔ محل پرتاب — Задержание в Брянской области",
    );
    f.id = "F-scripts".into();
    f.verdict =
        "دا انځور د همغه ځای ښکارندوی دی؛ ۍ ښ ږ. Совпадают очертания башни и дороги.".into();
    let p1 = ops::add_panel(
        &mut f,
        PanelSource::Evidence {
            sha256: photo.sha256,
        },
    );
    let a = ops::add_annotation(
        &mut f,
        &p1,
        rectangle_in([300.0, 120.0, 380.0, 300.0]),
        Category::Building,
    );
    ops::annotation_mut(&mut f, &a).unwrap().label = "برج — башня".into();
    case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    // A map snapshot panel: a synthetic 400×300 picture of about 2.2 km × 1.7 km.
    let map = image::RgbImage::from_fn(400, 300, |x, y| {
        image::Rgb([40 + (x % 50) as u8, 90, 60 + (y % 40) as u8])
    });
    let mut png = Vec::new();
    map.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    case.apply(Edit::AddMapSnapshot(Box::new(MapSnapshot {
        finding: "F-scripts".into(),
        png,
        west: -80.59,
        south: 28.555,
        east: -80.5675,
        north: 28.5695,
        zoom: 15.0,
        basemap: "test basemap".into(),
    })))
    .unwrap();
    case.save().unwrap();
    (case, "F-scripts".into())
}

#[test]
fn arabic_script_and_cyrillic_captions_and_a_map_panel_match_their_golden_image() {
    let dir = tempfile::tempdir().unwrap();
    let (case, id) = scripts_case(dir.path());
    let mut finding = case.finding(&id).unwrap().clone();
    // The snapshot's capture time is now; fix it so the caption is stable.
    if let PanelSource::MapSnapshot { taken_at, .. } = &mut finding.panels[1].source {
        *taken_at = "2026-11-28T10:00:00Z".parse().unwrap();
    }
    let options = FigureOptions {
        width: 900,
        credits: vec!["عکس: SpaceX (مالکیت عمومی) · Фото: SpaceX".into()],
        ..FigureOptions::default()
    };
    let mut ts = Typesetter::new().unwrap();
    let fig = figure::build(&case, &finding, &options, &mut ts).unwrap();
    assert_golden("figure-scripts.png", &figure::pixels(&fig).unwrap());
}

#[test]
fn arabic_letters_are_joined_not_drawn_in_isolated_forms() {
    // Joined (shaped) Persian is narrower than the same letters set one by one, and
    // right-to-left text is laid out as a whole run.
    let mut ts = Typesetter::new().unwrap();
    let word = "مقایسه";
    let joined = ts.layout(word, 40.0, None, false).width;
    let isolated: f64 = word
        .chars()
        .map(|c| ts.layout(&c.to_string(), 40.0, None, false).width)
        .sum();
    assert!(
        joined < isolated * 0.9,
        "joined {joined:.1} vs isolated {isolated:.1}"
    );
    // Pashto's ۍ (U+06CD) is not in DejaVu Sans; it must still get a glyph.
    assert!(!ts.layout("ۍ", 40.0, None, false).outlines.is_empty());
}

#[test]
fn the_cli_writes_png_svg_and_manifest_without_metadata_and_logs_the_export() {
    let (dir, root) = demo_copy();
    let png = dir.path().join("out/fig.png");
    let svg = dir.path().join("out/fig.svg");
    std::fs::create_dir_all(png.parent().unwrap()).unwrap();
    let run = geoproof([
        "export".as_ref(),
        root.as_os_str(),
        "--finding".as_ref(),
        "F-demo-astronaut-repost".as_ref(),
        "--png".as_ref(),
        png.as_os_str(),
        "--svg".as_ref(),
        svg.as_os_str(),
        "--width".as_ref(),
        "1000".as_ref(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let bytes = std::fs::read(&png).unwrap();
    // Evidence P1 carries GPS in its EXIF; none of it may reach the figure.
    let chunks = png_chunks(&bytes);
    assert_eq!(chunks.first().map(String::as_str), Some("IHDR"));
    for forbidden in ["eXIf", "tEXt", "iTXt", "zTXt", "tIME"] {
        assert!(
            !chunks.iter().any(|c| c == forbidden),
            "{forbidden} in {chunks:?}"
        );
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("GPS") && !text.contains("xmp") && !text.contains("Exif"));
    assert!(!std::fs::read_to_string(&svg).unwrap().contains("<metadata"));
    // The SVG is well-formed XML to a real parser (libxml2, installed by .ci/run).
    let xmllint = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg(&svg)
        .output()
        .unwrap();
    assert!(
        xmllint.status.success(),
        "{}",
        String::from_utf8_lossy(&xmllint.stderr)
    );
    let decoded = image::open(&png).unwrap();
    assert_eq!(decoded.width(), 1000);

    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/fig.manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["finding"], "F-demo-astronaut-repost");
    assert!(
        manifest["program"]
            .as_str()
            .unwrap()
            .starts_with("geoproof ")
    );
    let sources: Vec<&str> = manifest["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sha256"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "0ff431043126f5f00392b1a07be2a0ba828cb1dfb37c312e1ee5be25de895752",
            "74460213a34a66d649ea4d4ec7c57fa0039113679627880a83b66c03d5def4f4"
        ]
    );
    assert_eq!(
        manifest["sources"][1]["flip_horizontal"], true,
        "the view transform is recorded"
    );
    let png_sha = geoproof::evidence::sha256_hex(&bytes);
    assert_eq!(manifest["outputs"][0]["sha256"], png_sha.as_str());
    let log = std::fs::read_to_string(root.join("log.jsonl")).unwrap();
    assert!(
        log.lines()
            .any(|l| l.contains("\"figure_exported\"") && l.contains(&png_sha))
    );

    // Opting in adds text chunks (title, finding, program), still no EXIF.
    let with = dir.path().join("out/with.png");
    geoproof([
        "export".as_ref(),
        root.as_os_str(),
        "--finding".as_ref(),
        "F-demo-astronaut-repost".as_ref(),
        "--png".as_ref(),
        with.as_os_str(),
        "--width".as_ref(),
        "400".as_ref(),
        "--with-metadata".as_ref(),
    ])
    .assert_ok();
    let chunks = png_chunks(&std::fs::read(&with).unwrap());
    assert!(chunks.iter().any(|c| c == "tEXt"));
    assert!(!chunks.iter().any(|c| c == "eXIf"));
}

#[test]
fn bad_figure_requests_fail_with_one_line_naming_the_cause_and_write_nothing() {
    let (dir, root) = demo_copy();
    let out = dir.path().join("fig.png");
    let unknown = geoproof([
        "export".as_ref(),
        root.as_os_str(),
        "--finding".as_ref(),
        "F-nope".as_ref(),
        "--png".as_ref(),
        out.as_os_str(),
    ]);
    unknown.assert_failed();
    assert!(unknown.stderr.contains("F-nope"), "{}", unknown.stderr);
    assert!(!out.exists());
    let missing_dir = dir.path().join("no/such/folder/fig.png");
    let unwritable = geoproof([
        "export".as_ref(),
        root.as_os_str(),
        "--finding".as_ref(),
        "F-demo-astronaut-repost".as_ref(),
        "--png".as_ref(),
        missing_dir.as_os_str(),
        "--width".as_ref(),
        "300".as_ref(),
    ]);
    unwritable.assert_failed();
    assert!(
        unwritable.stderr.contains("no/such/folder"),
        "{}",
        unwritable.stderr
    );
    let bad_inset = geoproof([
        "export".as_ref(),
        root.as_os_str(),
        "--finding".as_ref(),
        "F-demo-astronaut-repost".as_ref(),
        "--png".as_ref(),
        out.as_os_str(),
        "--inset".as_ref(),
        "A99".as_ref(),
    ]);
    bad_inset.assert_failed();
    assert!(bad_inset.stderr.contains("A99"), "{}", bad_inset.stderr);
    let no_panels = geoproof([
        "export".as_ref(),
        root.as_os_str(),
        "--finding".as_ref(),
        "F-demo-bryansk-arrest".as_ref(),
        "--png".as_ref(),
        out.as_os_str(),
    ]);
    no_panels.assert_failed();
    assert!(
        no_panels.stderr.contains("no panels"),
        "{}",
        no_panels.stderr
    );
    assert!(!out.exists(), "nothing half-written");
}

/// `--json` prints exactly one JSON document, also when a figure and geo files are
/// written in one run (it printed two before).
#[test]
fn export_of_a_figure_and_geo_files_prints_one_json_document() {
    let (dir, root) = demo_copy();
    let png = dir.path().join("fig.png");
    let geojson = dir.path().join("f.geojson");
    let run = geoproof([
        "export".as_ref(),
        root.as_os_str(),
        "--finding".as_ref(),
        "F-demo-astronaut-repost".as_ref(),
        "--png".as_ref(),
        png.as_os_str(),
        "--width".as_ref(),
        "600".as_ref(),
        "--geojson".as_ref(),
        geojson.as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    let doc = run.json();
    assert_eq!(doc["figure"]["finding"], "F-demo-astronaut-repost");
    assert_eq!(doc["figure"]["width"], 600);
    assert_eq!(doc["written"][0]["format"], "geojson");
    assert!(png.is_file() && geojson.is_file());
}

/// Every annotation label of the demo figure lies inside its panel: the "hair line"
/// label on the repost touches the panel's top edge and used to be cut off there.
#[test]
fn annotation_labels_stay_inside_their_panels() {
    use geoproof::export::figure::Item;
    let (_dir, root) = demo_copy();
    let case = Case::open(&root).unwrap();
    let finding = case.finding("F-demo-astronaut-repost").unwrap().clone();
    let mut ts = Typesetter::new().unwrap();
    let options = FigureOptions {
        width: 900,
        ..FigureOptions::default()
    };
    let fig = figure::build(&case, &finding, &options, &mut ts).unwrap();
    let mut clip: Option<[f64; 4]> = None;
    let mut labels = 0;
    for item in &fig.items {
        match item {
            Item::BeginClip(cell) => clip = Some(*cell),
            Item::EndClip => clip = None,
            // Label backings: translucent black boxes behind annotation labels, drawn
            // inside a panel's clip (the panel tags outside it share the colour).
            Item::Fill { points, color } if *color == [0, 0, 0, 190] && clip.is_some() => {
                let cell = clip.unwrap_or_default();
                labels += 1;
                for p in points {
                    assert!(
                        p[0] >= cell[0] - 1e-6
                            && p[0] <= cell[2] + 1e-6
                            && p[1] >= cell[1] - 1e-6
                            && p[1] <= cell[3] + 1e-6,
                        "a label corner {p:?} leaves its panel {cell:?}"
                    );
                }
            }
            _ => {}
        }
    }
    assert!(labels >= 8, "{labels} labels checked");
}
