//! A georeferenced image leaving the case: warped onto a latitude/longitude grid as a
//! GeoTIFF (GDAL writes it, so every GIS reads it), as a KML `GroundOverlay` with a
//! `gx:LatLonQuad` (Google Earth warps the image itself), and its control points with
//! their residuals as GeoJSON. Files are written beside the target and renamed into
//! place, so a failed export leaves nothing half-written.

use std::path::{Path, PathBuf};

use image::{RgbImage, RgbaImage};
use rayon::prelude::*;

use crate::spatial::georef::{ControlPoint, Fit, before_horizon};

/// The longest side of a warped GeoTIFF (at most 256 MB of RGBA); a finer resolution
/// is coarsened to fit.
pub const MAX_WARP_SIDE: u32 = 8192;

/// Points sampled along each edge of the image to find the ground footprint.
const OUTLINE_STEPS: u32 = 64;

/// An image warped onto a regular latitude/longitude grid (EPSG:4326), transparent
/// where the image does not reach.
pub struct Warped {
    pub image: RgbaImage,
    /// Longitude of the left edge and latitude of the top edge, degrees.
    pub west: f64,
    pub north: f64,
    /// The size of one pixel, degrees of longitude and latitude.
    pub pixel_lon: f64,
    pub pixel_lat: f64,
    /// The ground size of one pixel at the control points, metres.
    pub resolution_m: f64,
}

/// The image's outline on the ground, clockwise from the top-left corner, leaving out
/// the parts at or beyond the horizon.
pub fn footprint(fit: &Fit, width: u32, height: u32) -> Vec<(f64, f64)> {
    let (w, h) = (f64::from(width), f64::from(height));
    let steps = f64::from(OUTLINE_STEPS);
    let mut outline = Vec::new();
    for edge in 0..4 {
        for k in 0..OUTLINE_STEPS {
            let t = f64::from(k) / steps;
            let (x, y) = match edge {
                0 => (t * w, 0.0),
                1 => (w, t * h),
                2 => ((1.0 - t) * w, h),
                _ => (0.0, (1.0 - t) * h),
            };
            if let Some(p) = fit.image_to_geo_clipped(x, y) {
                outline.push(p);
            }
        }
    }
    outline
}

/// The ground size of an image pixel where the control points are, metres.
fn resolution_at_points(fit: &Fit) -> Option<f64> {
    let centre = fit.centre_px;
    let a = fit.image_to_local(centre[0], centre[1])?;
    let b = fit.image_to_local(centre[0] + 1.0, centre[1])?;
    let c = fit.image_to_local(centre[0], centre[1] + 1.0)?;
    let area = ((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])).abs();
    (area > 0.0 && area.is_finite()).then(|| area.sqrt())
}

/// Why a georeferenced image cannot be exported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeorefExportError {
    #[error("the image lies beyond the horizon of its fit: nothing to warp")]
    BeyondHorizon,
    #[error("the fit has no ground resolution")]
    NoResolution,
    #[error("the fit is singular")]
    Singular,
    #[error(
        "a corner of the image lies at or beyond the horizon: a KML quad cannot hold it \
         (export the GeoTIFF, which leaves the sky out)"
    )]
    CornerBeyondHorizon,
    /// Writing the file failed at `step`, for `reason` (GDAL's or the system's words).
    #[error("{}: {step}: {reason}", path.display())]
    Write {
        path: PathBuf,
        step: &'static str,
        reason: String,
    },
}

/// Warps `image` onto a latitude/longitude grid at about its own resolution at the
/// control points (bilinear), at most `max_side` pixels on a side.
pub fn warp(image: &RgbImage, fit: &Fit, max_side: u32) -> Result<Warped, GeorefExportError> {
    let outline = footprint(fit, image.width(), image.height());
    if outline.len() < 3 {
        return Err(GeorefExportError::BeyondHorizon);
    }
    let (mut south, mut north, mut west, mut east) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
    for (lat, lon) in &outline {
        south = south.min(*lat);
        north = north.max(*lat);
        west = west.min(*lon);
        east = east.max(*lon);
    }
    let resolution_m = resolution_at_points(fit).ok_or(GeorefExportError::NoResolution)?;
    let (m_lat, m_lon) = fit.frame.metres_per_degree();
    let mut pixel_lat = resolution_m / m_lat;
    let mut pixel_lon = resolution_m / m_lon;
    let longest = ((north - south) / pixel_lat).max((east - west) / pixel_lon);
    if longest > f64::from(max_side) {
        let k = longest / f64::from(max_side);
        pixel_lat *= k;
        pixel_lon *= k;
    }
    let out_w = (((east - west) / pixel_lon).ceil() as u32).max(1);
    let out_h = (((north - south) / pixel_lat).ceil() as u32).max(1);
    // Output pixel (i, j, 1) → local metres (e, n, 1) → image (x, y, w): one matrix.
    let origin = fit.frame.to_local(north, west);
    let to_local = nalgebra::Matrix3::new(
        pixel_lon * m_lon,
        0.0,
        origin[0] + 0.5 * pixel_lon * m_lon,
        0.0,
        -pixel_lat * m_lat,
        origin[1] - 0.5 * pixel_lat * m_lat,
        0.0,
        0.0,
        1.0,
    );
    let inverse = fit.inverse_matrix().ok_or(GeorefExportError::Singular)?;
    let p = nalgebra::Matrix3::from_row_slice(&inverse) * to_local;
    let forward = fit.matrix;
    let w_points = fit.w_at_points;
    let (iw, ih) = (image.width(), image.height());
    let mut out = RgbaImage::new(out_w, out_h);
    out.par_chunks_mut(out_w as usize * 4)
        .enumerate()
        .for_each(|(j, row)| {
            let j = j as f64;
            for (i, px) in row.chunks_exact_mut(4).enumerate() {
                let i = i as f64;
                let w = p[(2, 0)] * i + p[(2, 1)] * j + p[(2, 2)];
                let x = (p[(0, 0)] * i + p[(0, 1)] * j + p[(0, 2)]) / w;
                let y = (p[(1, 0)] * i + p[(1, 1)] * j + p[(1, 2)]) / w;
                if !(x >= 0.0 && y >= 0.0 && x < f64::from(iw) && y < f64::from(ih)) {
                    continue;
                }
                let w_image = forward[6] * x + forward[7] * y + forward[8];
                if !before_horizon(w_image, w_points) {
                    continue;
                }
                let rgb = bilinear(image, x - 0.5, y - 0.5);
                px.copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
            }
        });
    Ok(Warped {
        image: out,
        west,
        north,
        pixel_lon,
        pixel_lat,
        resolution_m,
    })
}

fn bilinear(image: &RgbImage, x: f64, y: f64) -> [u8; 3] {
    let (w, h) = (image.width() as i64, image.height() as i64);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let at = |dx: i64, dy: i64| {
        let xi = (x0 as i64 + dx).clamp(0, w - 1) as u32;
        let yi = (y0 as i64 + dy).clamp(0, h - 1) as u32;
        image.get_pixel(xi, yi).0
    };
    let (a, b, c, d) = (at(0, 0), at(1, 0), at(0, 1), at(1, 1));
    std::array::from_fn(|k| {
        let top = f64::from(a[k]) * (1.0 - fx) + f64::from(b[k]) * fx;
        let bottom = f64::from(c[k]) * (1.0 - fx) + f64::from(d[k]) * fx;
        (top * (1.0 - fy) + bottom * fy).round() as u8
    })
}

/// Writes the warped image as a tiled, deflate-compressed RGBA GeoTIFF in EPSG:4326.
pub fn write_geotiff(warped: &Warped, out: &Path) -> Result<(), GeorefExportError> {
    use gdal::raster::{Buffer, ColorInterpretation, RasterCreationOptions};
    let fail = |step: &'static str, e: &dyn std::fmt::Display| GeorefExportError::Write {
        path: out.to_owned(),
        step,
        reason: e.to_string(),
    };
    crate::imagery::configure_gdal();
    let fill = |temp: &mut tempfile::NamedTempFile| -> Result<(), GeorefExportError> {
        let driver = gdal::DriverManager::get_driver_by_name("GTiff")
            .map_err(|e| fail("GDAL has no GeoTIFF driver", &e))?;
        let options = RasterCreationOptions::from_iter(["TILED=YES", "COMPRESS=DEFLATE"]);
        let (w, h) = (
            warped.image.width() as usize,
            warped.image.height() as usize,
        );
        let mut dataset = driver
            .create_with_band_type_with_options::<u8, _>(temp.path(), w, h, 4, &options)
            .map_err(|e| fail("cannot create the GeoTIFF", &e))?;
        dataset
            .set_geo_transform(&[
                warped.west,
                warped.pixel_lon,
                0.0,
                warped.north,
                0.0,
                -warped.pixel_lat,
            ])
            .map_err(|e| fail("cannot georeference", &e))?;
        let srs = gdal::spatial_ref::SpatialRef::from_epsg(4326)
            .map_err(|e| fail("EPSG:4326 unknown to GDAL", &e))?;
        dataset
            .set_spatial_ref(&srs)
            .map_err(|e| fail("cannot set the CRS", &e))?;
        let raw = warped.image.as_raw();
        for band_index in 0..4 {
            let plane: Vec<u8> = raw.iter().skip(band_index).step_by(4).copied().collect();
            let mut band = dataset
                .rasterband(band_index + 1)
                .map_err(|e| fail("no band", &e))?;
            band.write((0, 0), (w, h), &mut Buffer::new((w, h), plane))
                .map_err(|e| fail("cannot write", &e))?;
            let interpretation = match band_index {
                0 => ColorInterpretation::RedBand,
                1 => ColorInterpretation::GreenBand,
                2 => ColorInterpretation::BlueBand,
                _ => ColorInterpretation::AlphaBand,
            };
            band.set_color_interpretation(interpretation)
                .map_err(|e| fail("cannot write", &e))?;
        }
        dataset
            .flush_cache()
            .map_err(|e| fail("cannot write", &e))?;
        dataset.close().map_err(|e| fail("cannot write", &e))?;
        Ok(())
    };
    crate::fsio::write_through_temp(out, ".tif", crate::fsio::Access::Shared, fill)
}

impl From<crate::fsio::FileError> for GeorefExportError {
    fn from(e: crate::fsio::FileError) -> GeorefExportError {
        GeorefExportError::Write {
            path: e.path,
            step: "cannot write",
            reason: e.source.to_string(),
        }
    }
}

/// A KML `GroundOverlay` placing `image_href` by its four corners (`gx:LatLonQuad`),
/// with the control points and their residuals as placemarks.
pub fn kml(
    name: &str,
    fit: &Fit,
    points: &[ControlPoint],
    width: u32,
    height: u32,
    image_href: &str,
    opacity: f32,
) -> Result<String, GeorefExportError> {
    let (w, h) = (f64::from(width), f64::from(height));
    // Counter-clockwise from the lower left, as the quad's definition asks.
    let corners: Option<Vec<(f64, f64)>> = [(0.0, h), (w, h), (w, 0.0), (0.0, 0.0)]
        .iter()
        .map(|(x, y)| fit.image_to_geo_clipped(*x, *y))
        .collect();
    let corners = corners.ok_or(GeorefExportError::CornerBeyondHorizon)?;
    let mut k = super::geo::Kml::new();
    k.open(
        "kml",
        &[
            ("xmlns", "http://www.opengis.net/kml/2.2"),
            ("xmlns:gx", "http://www.google.com/kml/ext/2.2"),
        ],
    );
    k.open("Document", &[]);
    k.leaf("name", name);
    k.open("GroundOverlay", &[]);
    k.leaf("name", name);
    k.leaf("description", &describe(fit, points.len()));
    let alpha = (opacity.clamp(0.0, 1.0) * 255.0).round() as u8;
    k.leaf("color", &format!("{alpha:02x}ffffff"));
    k.open("Icon", &[]);
    k.leaf("href", image_href);
    k.close("Icon");
    k.open("gx:LatLonQuad", &[]);
    k.leaf(
        "coordinates",
        &corners
            .iter()
            .map(|(lat, lon)| format!("{lon:.8},{lat:.8}"))
            .collect::<Vec<_>>()
            .join(" "),
    );
    k.close("gx:LatLonQuad");
    k.close("GroundOverlay");
    k.open("Folder", &[]);
    k.leaf("name", "Control points");
    for (i, (p, r)) in points.iter().zip(&fit.residuals).enumerate() {
        k.open("Placemark", &[]);
        k.leaf("name", &(i + 1).to_string());
        k.open("ExtendedData", &[]);
        k.data("image_x", &format!("{:.2}", p.x));
        k.data("image_y", &format!("{:.2}", p.y));
        k.data("residual_m", &format!("{:.3}", r.residual_m));
        k.data("residual_px", &format!("{:.3}", r.residual_px));
        if let Some(l) = r.leave_one_out_m {
            k.data("leave_one_out_m", &format!("{l:.3}"));
        }
        k.close("ExtendedData");
        k.open("Point", &[]);
        k.leaf("coordinates", &format!("{:.8},{:.8}", p.lon, p.lat));
        k.close("Point");
        k.close("Placemark");
    }
    k.close("Folder");
    k.close("Document");
    k.close("kml");
    Ok(k.finish())
}

/// One line on how good the fit is: method, points, RMS.
pub fn describe(fit: &Fit, n: usize) -> String {
    let rms = fit
        .rms_m
        .map_or("no RMS (minimum number of points)".into(), |r| {
            format!("RMS error {r:.2} m")
        });
    format!("{:?} fit of {n} control points, {rms}", fit.method)
}

/// The control points as a GeoJSON FeatureCollection, each with its image pixel and
/// residuals.
pub fn control_points_geojson(fit: &Fit, points: &[ControlPoint]) -> String {
    let features: Vec<serde_json::Value> = points
        .iter()
        .zip(&fit.residuals)
        .enumerate()
        .map(|(i, (p, r))| {
            serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "n": i + 1,
                    "image_x": p.x,
                    "image_y": p.y,
                    "residual_m": r.residual_m,
                    "residual_px": r.residual_px,
                    "leave_one_out_m": r.leave_one_out_m,
                    "method": fit.method,
                },
            })
        })
        .collect();
    // Keys sorted whatever order they were built in (see `store::to_sorted_json_bytes`).
    let mut doc = serde_json::json!({
        "type": "FeatureCollection",
        "features": features,
    });
    doc.sort_all_objects();
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
