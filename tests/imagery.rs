//! The analyst's own imagery as a map layer: GeoTIFFs in a projected CRS reprojected to
//! Web Mercator tiles, and the bad files (no georeferencing, no CRS, truncated, not a
//! TIFF, 100 000 × 100 000 pixels) refused or opened without being loaded whole.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use gdal::raster::{Buffer, RasterCreationOptions};
use gdal::spatial_ref::SpatialRef;
use geoproof::imagery::{ImageryReader, tile_bounds};

/// A 1000×800 RGB GeoTIFF in UTM zone 36N (EPSG:32636), 2 m pixels, whose red grows
/// with x and green with y.
fn utm_tiff(path: &Path, with_crs: bool, with_transform: bool) -> [f64; 6] {
    let driver = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
    let (w, h) = (1000usize, 800usize);
    let mut ds = driver
        .create_with_band_type_with_options::<u8, _>(path, w, h, 3, &RasterCreationOptions::new())
        .unwrap();
    let gt = [300_000.0, 2.0, 0.0, 5_600_000.0, 0.0, -2.0];
    if with_transform {
        ds.set_geo_transform(&gt).unwrap();
    }
    if with_crs {
        ds.set_spatial_ref(&SpatialRef::from_epsg(32636).unwrap())
            .unwrap();
    }
    for b in 1..=3 {
        let data: Vec<u8> = (0..w * h)
            .map(|k| match b {
                1 => ((k % w) * 255 / (w - 1)) as u8,
                2 => ((k / w) * 255 / (h - 1)) as u8,
                _ => 40,
            })
            .collect();
        ds.rasterband(b)
            .unwrap()
            .write((0, 0), (w, h), &mut Buffer::new((w, h), data))
            .unwrap();
    }
    gt
}

/// Web Mercator tile containing a point, at zoom z.
fn tile_at(lat: f64, lon: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let y =
        ((1.0 - lat.to_radians().tan().asinh() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
    (x, y)
}

#[test]
fn a_utm_geotiff_is_reprojected_into_web_mercator_tiles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("utm.tif");
    utm_tiff(&path, true, true);
    let reader = ImageryReader::open(&path).unwrap();
    let info = reader.info();
    assert_eq!((info.width, info.height, info.bands), (1000, 800, 3));
    assert!(info.crs.contains("EPSG:32636"), "{}", info.crs);
    assert!(
        (info.resolution_m - 2.0).abs() < 0.01,
        "{}",
        info.resolution_m
    );

    // A place inside: UTM 300 700 E, 5 599 300 N is pixel (350, 350).
    let utm = SpatialRef::from_epsg(32636).unwrap();
    let mut wgs = SpatialRef::from_epsg(4326).unwrap();
    wgs.set_axis_mapping_strategy(gdal::spatial_ref::AxisMappingStrategy::TraditionalGisOrder);
    let mut utm_gis = utm.clone();
    utm_gis.set_axis_mapping_strategy(gdal::spatial_ref::AxisMappingStrategy::TraditionalGisOrder);
    let t = gdal::spatial_ref::CoordTransform::new(&utm_gis, &wgs).unwrap();
    let (mut x, mut y, mut z) = ([300_701.0], [5_599_299.0], [0.0]);
    t.transform_coords(&mut x, &mut y, &mut z).unwrap();
    let (lon, lat) = (x[0], y[0]);
    let zoom = 17; // about 0.75 m per tile pixel here: the 2 m pixels are enlarged
    let (tx, ty) = tile_at(lat, lon, zoom);
    let tile = reader
        .render_tile(zoom, tx, ty, 256)
        .unwrap()
        .expect("inside");
    let (w, s, e, n) = tile_bounds(zoom, tx, ty);
    let px = ((lon - w) / (e - w) * 256.0) as u32;
    let merc = |lat: f64| lat.to_radians().tan().asinh();
    let py = ((merc(n) - merc(lat)) / (merc(n) - merc(s)) * 256.0) as u32;
    let p = tile.get_pixel(px.min(255), py.min(255)).0;
    let (red, green) = (350.0 * 255.0 / 999.0, 350.0 * 255.0 / 799.0);
    assert!((f64::from(p[0]) - red).abs() <= 2.0, "{p:?} vs {red}");
    assert!((f64::from(p[1]) - green).abs() <= 2.0, "{p:?} vs {green}");
    assert_eq!(p[3], 255);

    // Far away: no tile; at the file's edge: transparent beyond it.
    assert!(reader.render_tile(12, 0, 0, 256).unwrap().is_none());
    let (w_deg, n_deg) = {
        let (mut x, mut y, mut z) = ([300_000.0], [5_600_000.0], [0.0]);
        t.transform_coords(&mut x, &mut y, &mut z).unwrap();
        (x[0], y[0])
    };
    let (cx, cy) = tile_at(n_deg, w_deg, 14);
    let corner = reader
        .render_tile(14, cx, cy, 256)
        .unwrap()
        .expect("overlaps");
    assert!(corner.pixels().any(|p| p.0[3] == 0));
    assert!(corner.pixels().any(|p| p.0[3] == 255));
}

#[test]
fn bad_imagery_is_refused_with_the_file_and_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let no_transform = dir.path().join("plain.tif");
    utm_tiff(&no_transform, true, false);
    let e = ImageryReader::open(&no_transform)
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("plain.tif") && e.contains("no georeferencing"),
        "{e}"
    );

    let no_crs = dir.path().join("nocrs.tif");
    utm_tiff(&no_crs, false, true);
    let e = ImageryReader::open(&no_crs).err().unwrap().to_string();
    assert!(
        e.contains("nocrs.tif") && e.contains("coordinate reference system"),
        "{e}"
    );

    let text = dir.path().join("notes.tif");
    std::fs::write(&text, "not a tiff at all").unwrap();
    let e = ImageryReader::open(&text).err().unwrap().to_string();
    assert!(e.contains("not a GeoTIFF or JPEG 2000 file"), "{e}");

    let whole = dir.path().join("whole.tif");
    utm_tiff(&whole, true, true);
    let bytes = std::fs::read(&whole).unwrap();
    let truncated = dir.path().join("truncated.tif");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let e = ImageryReader::open(&truncated).err().unwrap().to_string();
    assert!(e.contains("truncated.tif"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");

    let e = ImageryReader::open(Path::new("/vsicurl/https://example.com/x.tif"))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("not a local file path"), "{e}");
}

#[test]
fn a_100000_pixel_square_raster_opens_without_being_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.tif");
    {
        let driver = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
        let options = RasterCreationOptions::from_iter([
            "TILED=YES",
            "SPARSE_OK=TRUE",
            "BIGTIFF=YES",
            "COMPRESS=DEFLATE",
        ]);
        let mut ds = driver
            .create_with_band_type_with_options::<u8, _>(&path, 100_000, 100_000, 3, &options)
            .unwrap();
        ds.set_geo_transform(&[300_000.0, 0.5, 0.0, 5_600_000.0, 0.0, -0.5])
            .unwrap();
        ds.set_spatial_ref(&SpatialRef::from_epsg(32636).unwrap())
            .unwrap();
    }
    assert!(std::fs::metadata(&path).unwrap().len() < 50 << 20);
    let reader = ImageryReader::open(&path).unwrap();
    assert!(
        reader
            .info()
            .notes
            .iter()
            .any(|n| n.contains("no overviews")),
        "{:?}",
        reader.info().notes
    );
    // Zoomed out, a tile would read far more than the limit: nothing, quickly.
    let (lat, lon) = (50.5, 30.2);
    let (x, y) = tile_at(lat, lon, 9);
    assert!(reader.render_tile(9, x, y, 256).unwrap().is_none());
    // Zoomed in it renders (sparse blocks read as zero, nodata-free: opaque black).
    let e = reader.info().extent;
    let (x, y) = tile_at((e[1] + e[3]) / 2.0, (e[0] + e[2]) / 2.0, 18);
    assert!(reader.render_tile(18, x, y, 256).unwrap().is_some());
}

#[test]
fn jpeg_2000_opens_and_a_crs_that_cannot_be_placed_on_the_globe_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tiff = dir.path().join("utm.tif");
    utm_tiff(&tiff, true, true);
    let jp2 = dir.path().join("utm.jp2");
    {
        let source = gdal::Dataset::open(&tiff).unwrap();
        let driver = gdal::DriverManager::get_driver_by_name("JP2OpenJPEG").unwrap();
        source
            .create_copy(&driver, &jp2, &RasterCreationOptions::new())
            .unwrap();
    }
    let reader = ImageryReader::open(&jp2).unwrap();
    assert_eq!(reader.info().driver, "JP2OpenJPEG");
    assert!(reader.info().crs.contains("32636"), "{}", reader.info().crs);

    // An engineering CRS (a site grid) has no relation to latitude and longitude.
    let local = dir.path().join("site-grid.tif");
    {
        let driver = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
        let mut ds = driver
            .create_with_band_type_with_options::<u8, _>(
                &local,
                64,
                64,
                1,
                &RasterCreationOptions::new(),
            )
            .unwrap();
        ds.set_geo_transform(&[1000.0, 1.0, 0.0, 2000.0, 0.0, -1.0])
            .unwrap();
        ds.set_spatial_ref(
            &SpatialRef::from_wkt("LOCAL_CS[\"site grid\",UNIT[\"metre\",1]]").unwrap(),
        )
        .unwrap();
    }
    let e = ImageryReader::open(&local).err().unwrap().to_string();
    assert!(e.contains("site-grid.tif"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
}

/// (longitude, latitude) of pixels of a file by `gdaltransform` (its geotransform or
/// its control points), or `None` with a notice without gdal-bin.
fn gdaltransform(path: &Path, pixels: &[(f64, f64)]) -> Option<Vec<(f64, f64)>> {
    use std::io::Write;
    let child = std::process::Command::new("gdaltransform")
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("notice: gdaltransform not installed (Debian package gdal-bin): skipped");
        return None;
    };
    let input: String = pixels.iter().map(|(x, y)| format!("{x} {y}\n")).collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let v: Vec<f64> = l.split_whitespace().map(|t| t.parse().unwrap()).collect();
                (v[0], v[1])
            })
            .collect(),
    )
}

#[test]
fn a_geotiff_with_control_points_and_no_geotransform_opens_warped_by_them() {
    // georust/gdal's gcp.tif: 10×6, no geotransform, 210 control points in WGS 84.
    // gdaltransform (GDAL's GCP transformer, order 2 for 210 points) puts its corners at
    // (-107.4237, 45.0213), (-110.6887, 45.4224), (-111.0270, 43.9244), (-107.8379,
    // 43.5222) and pixel 5,3 at (-109.2376, 44.4837).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/real/rasters/gcp.tif");
    let reader = ImageryReader::open(&path).unwrap();
    let info = reader.info();
    assert!(
        info.notes
            .iter()
            .any(|n| n.contains("210 control points") && n.contains("order 2")),
        "{:?}",
        info.notes
    );
    let Some(gdal) = gdaltransform(
        &path,
        &[(0.0, 0.0), (10.0, 0.0), (10.0, 6.0), (0.0, 6.0), (5.0, 3.0)],
    ) else {
        return;
    };
    // The layer's extent holds GDAL's corners, give or take one grid cell (0.3°).
    let e = info.extent;
    let (west, east) = gdal[..4]
        .iter()
        .fold((f64::MAX, f64::MIN), |a, c| (a.0.min(c.0), a.1.max(c.0)));
    let (south, north) = gdal[..4]
        .iter()
        .fold((f64::MAX, f64::MIN), |a, c| (a.0.min(c.1), a.1.max(c.1)));
    for (got, want) in [(e[0], west), (e[1], south), (e[2], east), (e[3], north)] {
        assert!(
            (got - want).abs() < 0.35,
            "extent {e:?} against GDAL's corners {gdal:?}"
        );
    }
    // Where GDAL puts the centre pixel the layer shows the image; far away, nothing.
    let (lon, lat) = gdal[4];
    let z = 7;
    let (x, y) = tile_at(lat, lon, z);
    let tile = reader.render_tile(z, x, y, 256).unwrap().unwrap();
    let (w, s, e2, n) = tile_bounds(z, x, y);
    let px = ((lon - w) / (e2 - w) * 256.0) as u32;
    let merc = |lat: f64| lat.to_radians().tan().asinh();
    let py = ((merc(n) - merc(lat)) / (merc(n) - merc(s)) * 256.0) as u32;
    assert_eq!(tile.get_pixel(px.min(255), py.min(255)).0[3], 255);
    let (fx, fy) = tile_at(30.0, -90.0, z);
    assert!(reader.render_tile(z, fx, fy, 256).unwrap().is_none());
}

#[test]
fn a_single_float32_band_opens_as_elevation_data() {
    // georust/gdal's dem-hills.tiff: gdalinfo reads 333×218, one band Type=Float32,
    // corners -87.5092593, 39.4321296 (upper left) and -87.4784259, 39.4119444 (lower
    // right).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/real/rasters/dem-hills.tiff");
    let reader = ImageryReader::open(&path).unwrap();
    let info = reader.info();
    assert_eq!((info.width, info.height, info.bands), (333, 218, 1));
    assert!(
        info.notes
            .iter()
            .any(|n| n.contains("one Float32 band: elevation data")),
        "{:?}",
        info.notes
    );
    let want = [-87.5092593, 39.4119444, -87.4784259, 39.4321296];
    for (got, want) in info.extent.iter().zip(want) {
        assert!((got - want).abs() < 1e-6, "{:?}", info.extent);
    }
}
