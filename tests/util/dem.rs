//! Synthetic DEMs written as GeoTIFF through GDAL, with their closed-form heights
//! (the terrain tests and the terrain kittests share them).
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use gdal::raster::Buffer;
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use geoproof::spatial::LatLon;

/// A transverse Mercator with scale 1 on its central meridian: grid metres are ground
/// metres near the origin (45°N, 15°E), and grid north is true north along x = 0.
pub const LOCAL_TM: &str =
    "+proj=tmerc +lat_0=45 +lon_0=15 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs";

/// A north-up GeoTIFF of `size`×`size` cells of `cell` metres centred on the origin of
/// LOCAL_TM, the value at each cell centre given by `f(x, y)` in metres.
pub fn synthetic(
    dir: &Path,
    name: &str,
    size: usize,
    cell: f64,
    f: impl Fn(f64, f64) -> f32,
) -> PathBuf {
    let half = size as f64 * cell / 2.0;
    let mut z = Vec::with_capacity(size * size);
    for row in 0..size {
        for col in 0..size {
            let x = -half + (col as f64 + 0.5) * cell;
            let y = half - (row as f64 + 0.5) * cell;
            z.push(f(x, y));
        }
    }
    let srs = SpatialRef::from_proj4(LOCAL_TM).unwrap();
    write_tif(
        dir,
        name,
        size,
        size,
        [-half, cell, 0.0, half, 0.0, -cell],
        &srs,
        z,
        None,
        "",
    )
}

#[allow(clippy::too_many_arguments)]
pub fn write_tif(
    dir: &Path,
    name: &str,
    w: usize,
    h: usize,
    gt: [f64; 6],
    srs: &SpatialRef,
    z: Vec<f32>,
    nodata: Option<f64>,
    unit: &str,
) -> PathBuf {
    let path = dir.join(name);
    let driver = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
    let mut ds = driver
        .create_with_band_type::<f32, _>(&path, w, h, 1)
        .unwrap();
    ds.set_geo_transform(&gt).unwrap();
    ds.set_spatial_ref(srs).unwrap();
    {
        let mut band = ds.rasterband(1).unwrap();
        band.set_no_data_value(nodata).unwrap();
        band.write((0, 0), (w, h), &mut Buffer::new((w, h), z))
            .unwrap();
    }
    ds.close().unwrap();
    if !unit.is_empty() {
        set_unit(&path, unit);
    }
    path
}

/// Declares the band's vertical unit (GDAL's Rust binding has no setter): through a VRT
/// with `<UnitType>`, translated back to GeoTIFF.
pub fn set_unit(path: &Path, unit: &str) {
    let vrt = path.with_extension("vrt");
    let tmp = path.with_extension("unit.tif");
    let translate = |args: &[&std::ffi::OsStr]| {
        assert!(
            Command::new("gdal_translate")
                .arg("-q")
                .args(args)
                .status()
                .unwrap()
                .success()
        );
    };
    translate(&[
        "-of".as_ref(),
        "VRT".as_ref(),
        path.as_os_str(),
        vrt.as_os_str(),
    ]);
    let text = std::fs::read_to_string(&vrt).unwrap();
    let i = text.find("<VRTRasterBand").unwrap();
    let j = i + text[i..].find('>').unwrap() + 1;
    let text = format!("{}<UnitType>{unit}</UnitType>{}", &text[..j], &text[j..]);
    std::fs::write(&vrt, text).unwrap();
    translate(&[vrt.as_os_str(), tmp.as_os_str()]);
    std::fs::rename(&tmp, path).unwrap();
}

/// Hills of different heights and widths around the origin (heights in metres), on a
/// gently rolling floor: a skyline with distinct peaks in every direction.
pub fn hills(x: f64, y: f64) -> f32 {
    let hill = |cx: f64, cy: f64, h: f64, r: f64| {
        h * (-((x - cx).powi(2) + (y - cy).powi(2)) / (2.0 * r * r)).exp()
    };
    (hill(2500.0, 1500.0, 300.0, 600.0)
        + hill(2000.0, -2000.0, 450.0, 500.0)
        + hill(-500.0, 3000.0, 250.0, 400.0)
        + hill(-3000.0, -1500.0, 380.0, 700.0)
        + hill(3800.0, -300.0, 200.0, 300.0)
        + hill(-2500.0, 2500.0, 320.0, 450.0)
        + 20.0 * (x / 900.0).sin() * (y / 700.0).cos()
        + 40.0) as f32
}

/// LOCAL_TM metres → WGS84.
pub fn to_latlon(x: f64, y: f64) -> LatLon {
    let mut tm = SpatialRef::from_proj4(LOCAL_TM).unwrap();
    tm.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let mut wgs = SpatialRef::from_epsg(4326).unwrap();
    wgs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let t = CoordTransform::new(&tm, &wgs).unwrap();
    let (mut xs, mut ys, mut zs) = ([x], [y], [0.0]);
    t.transform_coords(&mut xs, &mut ys, &mut zs).unwrap();
    LatLon::new(ys[0], xs[0]).unwrap()
}

/// WGS84 → LOCAL_TM metres.
pub fn to_local(p: LatLon) -> (f64, f64) {
    let mut tm = SpatialRef::from_proj4(LOCAL_TM).unwrap();
    tm.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let mut wgs = SpatialRef::from_epsg(4326).unwrap();
    wgs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let t = CoordTransform::new(&wgs, &tm).unwrap();
    let (mut xs, mut ys, mut zs) = ([p.lon], [p.lat], [0.0]);
    t.transform_coords(&mut xs, &mut ys, &mut zs).unwrap();
    (xs[0], ys[0])
}
