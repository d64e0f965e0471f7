//! Imagery over time: the capture dates read from real files (GDAL's IMAGERY domain from
//! a DigitalGlobe sidecar, TIFF DateTime as a processing date) checked against gdalinfo,
//! generated GeoTIFFs with metadata keys and Sentinel/Landsat product names, dates kept
//! in case.json (old cases read as unknown, bad dates refused), and the before/after
//! figure with both dates in its captions.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use gdal::Metadata;
use geoproof::case::{Case, Edit};
use geoproof::export::figure::Typesetter;
use geoproof::export::figure::before_after::{self, DatedFile};
use geoproof::imagery::dates::{self, DateKind, DateSource, LayerDate};
use geoproof::imagery::view::MapView;
use geoproof::imagery::{ImageryLayerRef, ImageryReader, file_dates};

fn real(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/real")
        .join(name)
}

/// What `gdalinfo -mdd all` says `key` is, if gdalinfo is installed.
fn gdalinfo_item(path: &Path, key: &str) -> Option<Option<String>> {
    let out = Command::new("gdalinfo")
        .args(["-mdd", "all"])
        .arg(path)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    Some(
        text.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{key}=")).map(str::to_owned)),
    )
}

#[test]
fn real_files_give_their_dates_as_gdalinfo_reads_them() {
    // DigitalGlobe .IMD sidecar: GDAL's IMAGERY domain, a capture date in UTC.
    let dg = real("imagery_dates/md_dg.tif");
    let found = file_dates(&dg).unwrap();
    let best = dates::best(&found).unwrap();
    assert_eq!(best.date, "2010-04-01T12:00:00Z");
    assert_eq!(best.kind, DateKind::Capture);
    assert_eq!(
        best.source,
        DateSource::File {
            key: "IMAGERY/ACQUISITIONDATETIME".into()
        }
    );
    if let Some(item) = gdalinfo_item(&dg, "ACQUISITIONDATETIME") {
        let said = dates::normalise(&item.unwrap()).unwrap();
        assert_eq!(format!("{said}Z"), best.date);
    }
    // The map layer reads the same dates when it opens.
    let reader = ImageryReader::open(&dg).unwrap();
    assert_eq!(reader.info().dates, found);

    // TIFF DateTime: the file's writing date, said to be a processing date.
    for (file, want) in [
        ("rasters/gcp.tif", "2021-01-03T17:03:04"),
        ("rasters/test_color_table.tif", "2022-01-04T08:54:59"),
        ("imagery_dates/all-nodata.tif", "2022-01-17T10:43:43"),
    ] {
        let path = real(file);
        let date = dates::best(&file_dates(&path).unwrap()).unwrap();
        assert_eq!(date.date, want, "{file}");
        assert_eq!(date.kind, DateKind::Processing, "{file}");
        assert_eq!(date.source.label(), "from file (TIFFTAG_DATETIME)");
        assert!(date.caption().contains("not a capture date"));
        if let Some(item) = gdalinfo_item(&path, "TIFFTAG_DATETIME") {
            assert_eq!(dates::normalise(&item.unwrap()).unwrap(), want, "{file}");
        }
    }

    // Nothing stated: unknown, never guessed.
    let plain = real("rasters/byte.tif");
    assert!(file_dates(&plain).unwrap().is_empty());
    if let Some(item) = gdalinfo_item(&plain, "TIFFTAG_DATETIME") {
        assert!(item.is_none());
    }
}

/// A 64×64 GeoTIFF in EPSG:4326 over [lon0, lon0 + 0.01] × [lat0 − 0.01, lat0], one
/// colour, with metadata items `(domain, key, value)`.
fn tiff(path: &Path, colour: [u8; 3], items: &[(&str, &str, &str)]) {
    let mut ds = util::geotiff::one_colour_wgs84(path, colour, 64, [9.5, 47.15], 0.01);
    for (domain, key, value) in items {
        ds.set_metadata_item(key, value, domain).unwrap();
    }
}

#[test]
fn generated_files_with_metadata_keys_and_product_names() {
    let dir = tempfile::tempdir().unwrap();
    let keyed = dir.path().join("keyed.tif");
    tiff(
        &keyed,
        [200, 0, 0],
        &[
            ("", "ACQUISITION_DATE", "2019-08-21"),
            ("", "TIFFTAG_DATETIME", "2020:01:02 03:04:05"),
        ],
    );
    let found = file_dates(&keyed).unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        dates::best(&found).unwrap().caption(),
        "2019-08-21 captured, from file (ACQUISITION_DATE)"
    );
    assert_eq!(found[1].kind, DateKind::Processing);

    let released = dir.path().join("released.tif");
    tiff(
        &released,
        [0, 0, 200],
        &[("", "RELEASE_DATE", "2021-06-30")],
    );
    let date = dates::best(&file_dates(&released).unwrap()).unwrap();
    assert_eq!(date.kind, DateKind::Release);
    assert!(date.caption().contains("released (not a capture date)"));

    let s2 = dir
        .path()
        .join("S2B_MSIL2A_20230514T101559_N0509_R065_T32TNT_20230514T130011_TCI.tif");
    tiff(&s2, [0, 200, 0], &[]);
    let date = dates::best(&file_dates(&s2).unwrap()).unwrap();
    assert_eq!(date.date, "2023-05-14T10:15:59Z");
    assert_eq!(
        date.source.label(),
        "from file (file name (Sentinel-2 product name))"
    );

    let landsat = dir
        .path()
        .join("LC09_L2SP_195027_20220812_20220814_02_T1_SR_B4.TIF");
    tiff(&landsat, [9, 9, 9], &[]);
    let found = file_dates(&landsat).unwrap();
    assert_eq!(found[0].date, "2022-08-12");
    assert_eq!(found[0].kind, DateKind::Capture);
    assert_eq!(found[1].date, "2022-08-14");
    assert_eq!(found[1].kind, DateKind::Processing);

    // A key geoproof reads, but not a date: nothing.
    let junk = dir.path().join("junk.tif");
    tiff(&junk, [1, 1, 1], &[("", "ACQUISITION_DATE", "soon")]);
    assert!(file_dates(&junk).unwrap().is_empty());
}

fn layer(path: &str, date: Option<LayerDate>) -> ImageryLayerRef {
    ImageryLayerRef {
        path: path.into(),
        opacity: 1.0,
        visible: true,
        date,
    }
}

#[test]
fn dates_survive_case_json_and_old_cases_read_as_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("case");
    let entered = LayerDate::entered("2018-03-01", DateKind::Release).unwrap();
    let from_file = file_dates(&real("imagery_dates/md_dg.tif")).unwrap()[0].recorded();
    {
        let mut case = Case::create(&root, "dates").unwrap();
        case.apply(Edit::SetImageryLayers(vec![
            layer("/data/a.tif", Some(entered.clone())),
            layer("/data/b.tif", Some(from_file.clone())),
            layer("/data/c.tif", None),
        ]))
        .unwrap();
        case.save().unwrap();
    }
    let case = Case::open(&root).unwrap();
    let layers = case.meta().imagery_layers.clone();
    assert_eq!(layers[0].date.as_ref(), Some(&entered));
    assert_eq!(layers[1].date.as_ref(), Some(&from_file));
    assert_eq!(layers[2].date, None);
    let text = std::fs::read_to_string(root.join("case.json")).unwrap();
    assert!(text.contains("\"from\": \"entered\"") || text.contains("\"from\":\"entered\""));
    assert!(text.contains("IMAGERY/ACQUISITIONDATETIME"));
    drop(case);

    // A case written before dates: its layers have no "date" at all.
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    for l in json["imagery_layers"].as_array_mut().unwrap() {
        l.as_object_mut().unwrap().remove("date");
    }
    std::fs::write(
        root.join("case.json"),
        serde_json::to_vec_pretty(&json).unwrap(),
    )
    .unwrap();
    let old = Case::open(&root).unwrap();
    assert!(old.meta().imagery_layers.iter().all(|l| l.date.is_none()));
    assert_eq!(
        dates::caption(old.meta().imagery_layers[0].date.as_ref()),
        "date unknown"
    );
    drop(old);

    // A date that is not one is refused on open, naming the field and the value.
    json["imagery_layers"][0]["date"] =
        serde_json::json!({"date": "2018-02-30", "kind": "capture", "source": {"from": "entered"}});
    std::fs::write(
        root.join("case.json"),
        serde_json::to_vec_pretty(&json).unwrap(),
    )
    .unwrap();
    let e = Case::open(&root).err().unwrap().to_string();
    assert!(e.contains("2018-02-30"), "{e}");

    // And through Edit.
    let mut case = Case::create(&dir.path().join("other"), "t").unwrap();
    let bad = LayerDate {
        date: "14/05/2023".into(),
        ..entered
    };
    let e = case
        .apply(Edit::SetImageryLayers(vec![layer("/x.tif", Some(bad))]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("14/05/2023"), "{e}");
}

#[test]
fn sorting_by_date_puts_the_oldest_at_the_bottom_and_undated_last() {
    let d = |t: &str| Some(LayerDate::entered(t, DateKind::Capture).unwrap());
    let mut layers = vec![
        layer("none.tif", None),
        layer("2021.tif", d("2021-05-01")),
        layer("2019.tif", d("2019-05-01")),
        layer("2020.tif", d("2020-05-01T10:00:00Z")),
    ];
    geoproof::imagery::sort_by_date(&mut layers);
    let names: Vec<_> = layers.iter().map(|l| l.path.to_str().unwrap()).collect();
    assert_eq!(names, ["2019.tif", "2020.tif", "2021.tif", "none.tif"]);
}

/// The mean colour of a rectangle of an RGB figure.
fn mean(img: &image::RgbaImage, x0: u32, y0: u32, x1: u32, y1: u32) -> [f64; 3] {
    let mut sum = [0.0; 3];
    let mut n = 0.0;
    for y in y0..y1 {
        for x in x0..x1 {
            let p = img.get_pixel(x, y);
            for c in 0..3 {
                sum[c] += f64::from(p[c]);
            }
            n += 1.0;
        }
    }
    sum.map(|s| s / n)
}

#[test]
fn before_after_figure_puts_the_earlier_left_and_dates_both_captions() {
    let dir = tempfile::tempdir().unwrap();
    let (red, blue) = (dir.path().join("later.tif"), dir.path().join("earlier.tif"));
    tiff(&red, [220, 20, 20], &[]);
    tiff(&blue, [20, 20, 220], &[]);
    let view = MapView {
        center: [47.145, 9.505],
        zoom: 16.0,
        size: [400, 300],
    };
    let later = LayerDate::entered("2023-05-14", DateKind::Capture).unwrap();
    let earlier = file_dates(&real("imagery_dates/md_dg.tif")).unwrap()[0].recorded();
    let mut ts = Typesetter::new().unwrap();
    let make = |ts: &mut Typesetter, a: Option<LayerDate>, b: Option<LayerDate>| {
        before_after::from_files(
            "Site before and after",
            &view,
            [
                DatedFile {
                    path: red.clone(),
                    date: a,
                },
                DatedFile {
                    path: blue.clone(),
                    date: b,
                },
            ],
            1200,
            ts,
        )
        .unwrap()
    };
    let figure = make(&mut ts, Some(later.clone()), Some(earlier.clone()));
    // The earlier (blue) went left although it was given second.
    let captions: Vec<String> = figure
        .provenance
        .iter()
        .map(|p| p["date_caption"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        captions,
        [
            "2010-04-01 12:00:00Z captured, from file (IMAGERY/ACQUISITIONDATETIME)",
            "2023-05-14 captured, entered"
        ]
    );
    assert_eq!(figure.provenance[0]["panel"], "Before");
    let pixels = geoproof::export::figure::pixels(&figure).unwrap();
    // Panels: margin 24, gap 16 at 1200 wide → cells 568 wide, from x 24 and x 608.
    let top = 24 + 40;
    let left = mean(&pixels, 100, top + 40, 500, top + 200);
    let right = mean(&pixels, 700, top + 40, 1100, top + 200);
    assert!(left[2] > 200.0 && left[0] < 40.0, "left is blue: {left:?}");
    assert!(
        right[0] > 200.0 && right[2] < 40.0,
        "right is red: {right:?}"
    );

    // The captions are drawn: other dates change the caption pixels and nothing else
    // of the panels.
    let other = make(
        &mut ts,
        Some(LayerDate::entered("2024-01-01", DateKind::Capture).unwrap()),
        Some(earlier),
    );
    let other_pixels = geoproof::export::figure::pixels(&other).unwrap();
    assert_eq!(mean(&other_pixels, 700, top + 40, 1100, top + 200), right);
    let panel_bottom = (64.0 + 568.0 * 0.75) as u32;
    let caption =
        |img: &image::RgbaImage| mean(img, 608, panel_bottom + 20, 1176, panel_bottom + 40);
    assert_ne!(caption(&pixels), caption(&other_pixels));
    assert!(caption(&pixels)[0] < 254.0, "ink in the right caption");

    // Undated: "A"/"B" in the order given, and "date unknown" in the caption.
    let undated = make(&mut ts, None, Some(later));
    assert_eq!(undated.provenance[0]["panel"], "A");
    assert_eq!(undated.provenance[0]["date_caption"], "date unknown");

    // PNG and SVG written with a manifest naming both dates.
    let png = dir.path().join("ba.png");
    let svg = dir.path().join("ba.svg");
    let outputs = before_after::export(&figure, &view, Some(&png), Some(&svg)).unwrap();
    assert_eq!(outputs.len(), 2);
    let decoded = image::open(&png).unwrap();
    assert_eq!(decoded.width(), 1200);
    assert!(
        std::fs::read_to_string(&svg).unwrap().starts_with("<svg")
            || std::fs::read_to_string(&svg).unwrap().contains("<svg")
    );
    let manifest = std::fs::read_to_string(dir.path().join("ba.manifest.json")).unwrap();
    assert!(manifest.contains("2023-05-14 captured, entered"));
    assert!(manifest.contains("IMAGERY/ACQUISITIONDATETIME"));
}

#[test]
fn the_cli_reads_dates_and_makes_the_figure() {
    let bin = env!("CARGO_BIN_EXE_geoproof");
    let out = Command::new(bin)
        .args(["imagery-dates", "--json"])
        .arg(real("imagery_dates/md_dg.tif"))
        .arg(real("rasters/byte.tif"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["date"]["date"], "2010-04-01T12:00:00Z");
    assert_eq!(json[0]["date"]["kind"], "capture");
    assert!(json[1]["date"].is_null());

    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.tif"), dir.path().join("b.tif"));
    tiff(&a, [220, 20, 20], &[("", "ACQUISITION_DATE", "2022-02-20")]);
    tiff(&b, [20, 20, 220], &[]);
    let png = dir.path().join("fig.png");
    let out = Command::new(bin)
        .args(["before-after", "--center", "47.145,9.505", "--zoom", "15"])
        .args([
            "--size",
            "300x200",
            "--width",
            "1000",
            "--date-b",
            "2024-03-01",
        ])
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(&png)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["panels"][0]["date_caption"],
        "2022-02-20 captured, from file (ACQUISITION_DATE)"
    );
    assert_eq!(
        json["panels"][1]["date_caption"],
        "2024-03-01 captured, entered"
    );
    assert_eq!(image::open(&png).unwrap().width(), 1000);

    // A bad entered date: one line naming it, nothing written.
    let bad = dir.path().join("bad.png");
    let out = Command::new(bin)
        .args(["before-after", "--center", "47.145,9.505", "--zoom", "15"])
        .args(["--date-a", "31/02/2024"])
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("31/02/2024"));
    assert!(!bad.exists());
}
