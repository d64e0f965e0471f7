//! Valid TIFF variants that the evidence decoder does not show (palette, Float32,
//! JPEG-in-TIFF with YCbCr colour) are refused by `inspect` and `add` as "unsupported"
//! with the variant named, never as "corrupt"; what each file is was read by `gdalinfo`
//! (stated below, and re-read when GDAL's tools are installed).
#![allow(clippy::unwrap_used)]

mod util;

use std::process::Command;

use util::{assert_add_refused_with, data, geoproof};

/// `gdalinfo -mdd IMAGE_STRUCTURE FILE`, or `None` (with a notice) without gdal-bin.
fn gdalinfo(file: &std::path::Path) -> Option<String> {
    match Command::new("gdalinfo")
        .args(["-mdd", "IMAGE_STRUCTURE"])
        .arg(file)
        .output()
    {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into()),
        _ => {
            eprintln!("notice: gdalinfo not installed (Debian package gdal-bin): not re-read");
            None
        }
    }
}

/// (file, what gdalinfo says it is, the variant geoproof must name)
const VARIANTS: [(&str, &str, &str); 3] = [
    (
        "test_color_table.tif",
        "ColorInterp=Palette",
        "unsupported TIFF: palette",
    ),
    (
        "float32.tif",
        "Type=Float32",
        "unsupported TIFF: 32-bit float, one band: elevation data",
    ),
    (
        "rgb_ycbcr_jpeg.tif",
        "COMPRESSION=YCbCr JPEG",
        "unsupported TIFF: JPEG-in-TIFF with YCbCr colour",
    ),
];

#[test]
fn valid_tiff_variants_are_unsupported_not_corrupt() {
    for (name, gdal_says, want) in VARIANTS {
        let file = data("real/rasters").join(name);
        if let Some(info) = gdalinfo(&file) {
            assert!(info.contains(gdal_says), "{name}: gdalinfo reads\n{info}");
        }
        let run = geoproof(["inspect".as_ref(), file.as_os_str()]);
        run.assert_failed();
        assert!(run.stderr.contains(want), "{name}: {}", run.stderr);
        assert!(!run.stderr.contains("corrupt"), "{name}: {}", run.stderr);
        assert_add_refused_with(None, &[], &file, want);
    }
}

#[test]
fn rgb_jpeg_in_tiff_is_read_as_gdal_reads_it() {
    // node-gdal's sample_jpeg.tif: gdalinfo reads 4×4, 3 bands, COMPRESSION=JPEG.
    let file = data("real/rasters/sample_jpeg.tif");
    if let Some(info) = gdalinfo(&file) {
        assert!(info.contains("Size is 4, 4") && info.contains("COMPRESSION=JPEG"));
    }
    let run = geoproof(["inspect".as_ref(), file.as_os_str()]);
    run.assert_ok();
    assert!(run.stdout.contains("4×4"), "{}", run.stdout);
}
