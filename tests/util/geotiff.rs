//! Small GeoTIFFs made in the tests with GDAL.

use std::path::Path;

use gdal::raster::{Buffer, RasterCreationOptions};
use gdal::spatial_ref::SpatialRef;

/// An `n`×`n` RGB GeoTIFF in EPSG:4326 of one colour, its top-left corner at
/// (`west`, `north`) and `side_deg` degrees wide and high; open, for metadata.
pub fn one_colour_wgs84(
    path: &Path,
    colour: [u8; 3],
    n: usize,
    [west, north]: [f64; 2],
    side_deg: f64,
) -> gdal::Dataset {
    let driver = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
    let mut ds = driver
        .create_with_band_type_with_options::<u8, _>(path, n, n, 3, &RasterCreationOptions::new())
        .unwrap();
    let cell = side_deg / n as f64;
    ds.set_geo_transform(&[west, cell, 0.0, north, 0.0, -cell])
        .unwrap();
    ds.set_spatial_ref(&SpatialRef::from_epsg(4326).unwrap())
        .unwrap();
    for (b, c) in colour.iter().enumerate() {
        ds.rasterband(b + 1)
            .unwrap()
            .write((0, 0), (n, n), &mut Buffer::new((n, n), vec![*c; n * n]))
            .unwrap();
    }
    ds
}
