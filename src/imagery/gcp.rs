//! Imagery georeferenced by control points only (scanned maps, many satellite products:
//! GCPs and no geotransform): warped once, when the layer opens, through GDAL's own GCP
//! transformer (`GDALReprojectImage`, polynomial of the order GDAL picks for the number
//! of points) onto a north-up grid in memory, which then serves tiles like any GeoTIFF.

use gdal::raster::{GdalDataType, GdalType, RasterCreationOptions};
use gdal::spatial_ref::SpatialRef;
use gdal::{Dataset, DriverManager};

/// The longest side of the in-memory grid a control-point layer is warped to.
pub const MAX_GCP_GRID: usize = 4096;

/// The warped grid, its CRS (the control points') and what the analyst is told.
pub struct Warped {
    pub dataset: Dataset,
    pub srs: SpatialRef,
    pub note: String,
}

/// Why a file's control points cannot georeference it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GcpError {
    #[error("{file}: has {count} control points and no geotransform; at least 3 are needed")]
    TooFew { file: String, count: usize },
    #[error("{file}: its control points have no coordinate reference system")]
    NoCrs { file: String },
    #[error("{file}: its control points lie on one line")]
    Collinear { file: String },
    #[error("{file}: cannot warp it by its control points ({detail})")]
    Warp { file: String, detail: String },
}

/// `None` when the file has no control points; an error naming the cause when it has
/// some that cannot be used.
pub fn warp(source: &Dataset, name: &str) -> Result<Option<Warped>, GcpError> {
    let file = name.to_owned();
    let gcps: Vec<[f64; 4]> = source
        .gcps()
        .iter()
        .map(|g| [g.pixel(), g.line(), g.x(), g.y()])
        .collect();
    if gcps.is_empty() {
        return Ok(None);
    }
    if gcps.len() < 3 {
        return Err(GcpError::TooFew {
            file,
            count: gcps.len(),
        });
    }
    let srs = source
        .gcp_spatial_ref()
        .filter(|s| s.to_wkt().is_ok_and(|w| !w.is_empty()))
        .ok_or_else(|| GcpError::NoCrs { file: file.clone() })?;
    let (width, height) = source.raster_size();
    let affine = affine_fit(&gcps).ok_or_else(|| GcpError::Collinear { file: file.clone() })?;
    // The grid covers the image's corners (by the best affine through the points) and
    // every point; GDAL leaves what the image does not reach empty.
    let (w, h) = (width as f64, height as f64);
    let mut xs: Vec<f64> = gcps.iter().map(|g| g[2]).collect();
    let mut ys: Vec<f64> = gcps.iter().map(|g| g[3]).collect();
    for (p, l) in [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)] {
        xs.push(affine[0] + p * affine[1] + l * affine[2]);
        ys.push(affine[3] + p * affine[4] + l * affine[5]);
    }
    let (x0, x1) = min_max(&xs);
    let (y0, y1) = min_max(&ys);
    // A square cell of the source pixel's area, coarsened to fit the grid limit.
    let mut cell = (affine[1] * affine[5] - affine[2] * affine[4]).abs().sqrt();
    let longest = ((x1 - x0).max(y1 - y0)) / cell;
    if longest > MAX_GCP_GRID as f64 {
        cell *= longest / MAX_GCP_GRID as f64;
    }
    let out = (
        (((x1 - x0) / cell).ceil() as usize).max(1),
        (((y1 - y0) / cell).ceil() as usize).max(1),
    );
    let fail = |e: gdal::errors::GdalError| GcpError::Warp {
        file: file.clone(),
        detail: e.to_string(),
    };
    let band_type = source.rasterband(1).map_err(fail)?.band_type();
    let mut dataset = match band_type {
        GdalDataType::UInt8 => create::<u8>(out, source.raster_count()),
        GdalDataType::UInt16 => create::<u16>(out, source.raster_count()),
        GdalDataType::Int16 => create::<i16>(out, source.raster_count()),
        GdalDataType::Float32 => create::<f32>(out, source.raster_count()),
        _ => create::<f64>(out, source.raster_count()),
    }
    .map_err(fail)?;
    dataset
        .set_geo_transform(&[x0, cell, 0.0, y1, 0.0, -cell])
        .map_err(fail)?;
    dataset.set_spatial_ref(&srs).map_err(fail)?;
    for b in 1..=source.raster_count() {
        let from = source.rasterband(b).map_err(fail)?;
        let mut to = dataset.rasterband(b).map_err(fail)?;
        to.set_color_interpretation(from.color_interpretation())
            .map_err(fail)?;
        if let Some(nd) = from.no_data_value() {
            to.set_no_data_value(Some(nd)).map_err(fail)?;
        }
    }
    gdal::raster::reproject(source, &dataset).map_err(fail)?;
    let order = if gcps.len() >= 6 { 2 } else { 1 };
    let note = format!(
        "georeferenced by {} control points, no geotransform: warped by GDAL's GCP \
         transformer (polynomial order {order}) onto a {}×{} grid",
        gcps.len(),
        out.0,
        out.1
    );
    Ok(Some(Warped { dataset, srs, note }))
}

fn create<T: GdalType + Copy>(size: (usize, usize), bands: usize) -> gdal::errors::Result<Dataset> {
    DriverManager::get_driver_by_name("MEM")?.create_with_band_type_with_options::<T, _>(
        "",
        size.0,
        size.1,
        bands,
        &RasterCreationOptions::new(),
    )
}

fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)))
}

/// The least-squares affine pixel/line → x, y through the points, as a geotransform.
fn affine_fit(gcps: &[[f64; 4]]) -> Option<[f64; 6]> {
    let rows = gcps.len();
    let a = nalgebra::DMatrix::from_fn(rows, 3, |i, j| match j {
        0 => 1.0,
        1 => gcps[i][0],
        _ => gcps[i][1],
    });
    let svd = a.svd(true, true);
    let s = &svd.singular_values;
    if s.min() <= 1e-9 * s.max() {
        return None;
    }
    let solve = |k: usize| {
        let b = nalgebra::DVector::from_fn(rows, |i, _| gcps[i][k]);
        svd.solve(&b, 1e-12).ok()
    };
    let (x, y) = (solve(2)?, solve(3)?);
    Some([x[0], x[1], x[2], y[0], y[1], y[2]])
}
