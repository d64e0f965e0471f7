//! Elevation files opened with GDAL and held as one surface: several tiles in one CRS,
//! read into memory in metres (scale, offset and the declared vertical unit applied),
//! nodata cells as NaN.
//!
//! Elevation files are untrusted input: only plain local files are opened, only by the
//! drivers that read elevation (GeoTIFF/COG, SRTM `.hgt`, DTED, Esri ASCII grid), and a
//! file that looks like imagery (RGB, palette) is refused rather than read as heights.

use std::path::{Path, PathBuf};

use gdal::raster::{ColorInterpretation, GdalDataType};
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use serde::Serialize;

use super::error::{TerrainError, one_line};
use super::sample::{Surface, Tile};
use crate::spatial::LatLon;

/// The drivers an elevation file may be read by.
const DRIVERS: [&str; 4] = ["GTiff", "SRTMHGT", "DTED", "AAIGrid"];

/// The most cells one tile may have (a 12,000 × 12,000 tile, 576 MB as f32).
pub const MAX_CELLS: usize = 144_000_000;

/// What the program knows about one tile, as reported to the analyst.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TileInfo {
    pub path: PathBuf,
    pub driver: String,
    pub width: usize,
    pub height: usize,
    /// The vertical unit the file declares ("" when it declares none: read as metres).
    pub declared_unit: String,
    /// Metres per unit of the declared vertical unit (the band scale is applied apart).
    pub metres_per_unit: f64,
    pub nodata_cells: usize,
    /// Lowest and highest elevation, metres (None when every cell is nodata).
    pub min_m: Option<f64>,
    pub max_m: Option<f64>,
}

/// Several elevation tiles in one CRS, and the transforms between it and WGS84.
/// Not shared between threads (GDAL's transforms are not); its [`Surface`] is.
pub struct Dem {
    surface: Surface,
    infos: Vec<TileInfo>,
    crs: String,
    wkt: String,
    to_crs: CoordTransform,
    to_wgs84: CoordTransform,
}

impl Dem {
    /// Opens every file as one surface. Refuses tiles in different CRSs or units.
    pub fn open(paths: &[PathBuf]) -> Result<Dem, TerrainError> {
        let Some(first_path) = paths.first() else {
            return Err(TerrainError::NoDem);
        };
        crate::imagery::configure_gdal();
        let mut tiles = Vec::new();
        let mut infos: Vec<TileInfo> = Vec::new();
        let mut first_srs: Option<SpatialRef> = None;
        for path in paths {
            let (tile, info, srs) = open_tile(path)?;
            if let (Some(first), Some(first_info)) = (&first_srs, infos.first()) {
                if *first != srs {
                    return Err(TerrainError::MixedCrs {
                        path: path.clone(),
                        crs: crs_name(&srs),
                        first: first_path.clone(),
                        first_crs: crs_name(first),
                    });
                }
                if first_info.metres_per_unit != info.metres_per_unit {
                    return Err(TerrainError::MixedUnits {
                        path: path.clone(),
                        unit: unit_label(&info.declared_unit),
                        first: first_path.clone(),
                        first_unit: unit_label(&first_info.declared_unit),
                    });
                }
            } else {
                first_srs = Some(srs);
            }
            tiles.push(tile);
            infos.push(info);
        }
        let Some(mut srs) = first_srs else {
            return Err(TerrainError::NoDem);
        };
        let transform_err = |e: gdal::errors::GdalError| TerrainError::Transform {
            path: first_path.clone(),
            reason: one_line(&e.to_string()),
        };
        srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        let mut wgs84 = SpatialRef::from_epsg(4326).map_err(transform_err)?;
        wgs84.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        let to_crs = CoordTransform::new(&wgs84, &srs).map_err(transform_err)?;
        let to_wgs84 = CoordTransform::new(&srs, &wgs84).map_err(transform_err)?;
        let geographic = srs.is_geographic();
        let metres_per_crs_unit = if geographic { 1.0 } else { srs.linear_units() };
        Ok(Dem {
            surface: Surface::new(tiles, geographic, metres_per_crs_unit),
            infos,
            crs: crs_name(&srs),
            wkt: srs.to_wkt().unwrap_or_default(),
            to_crs,
            to_wgs84,
        })
    }

    pub fn surface(&self) -> &Surface {
        &self.surface
    }

    pub fn tiles(&self) -> &[TileInfo] {
        &self.infos
    }

    /// The CRS's name and EPSG code if it has one.
    pub fn crs(&self) -> &str {
        &self.crs
    }

    pub fn wkt(&self) -> &str {
        &self.wkt
    }

    /// A position in the surface's CRS, or None where the CRS cannot place it.
    pub fn to_crs(&self, p: LatLon) -> Option<(f64, f64)> {
        self.to_crs_many(&[p]).ok().and_then(|v| v.first().copied())
    }

    /// Many positions at once (one GDAL call); fails if any cannot be placed.
    pub fn to_crs_many(&self, points: &[LatLon]) -> Result<Vec<(f64, f64)>, TerrainError> {
        let mut xs: Vec<f64> = points.iter().map(|p| p.lon).collect();
        let mut ys: Vec<f64> = points.iter().map(|p| p.lat).collect();
        let mut zs = vec![0.0; points.len()];
        self.to_crs
            .transform_coords(&mut xs, &mut ys, &mut zs)
            .map_err(|e| TerrainError::Transform {
                path: self
                    .infos
                    .first()
                    .map(|i| i.path.clone())
                    .unwrap_or_default(),
                reason: one_line(&e.to_string()),
            })?;
        Ok(xs.into_iter().zip(ys).collect())
    }

    /// A CRS position as latitude/longitude.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Option<LatLon> {
        let (mut xs, mut ys, mut zs) = ([x], [y], [0.0]);
        self.to_wgs84
            .transform_coords(&mut xs, &mut ys, &mut zs)
            .ok()?;
        LatLon::new(ys[0], xs[0]).ok()
    }

    /// Bilinear elevation in metres; None outside every tile or next to nodata.
    pub fn elevation(&self, p: LatLon) -> Option<f64> {
        let (x, y) = self.to_crs(p)?;
        self.surface.bilinear(x, y)
    }

    /// The cell size in metres of the finest tile, near its centre.
    pub fn resolution_m(&self) -> f64 {
        self.surface.resolution_m()
    }
}

fn unit_label(unit: &str) -> String {
    if unit.is_empty() {
        "none (read as metres)".into()
    } else {
        unit.to_owned()
    }
}

/// Metres per unit for a declared vertical unit; None for a unit that is not a length.
fn metres_per(unit: &str) -> Option<f64> {
    match unit.trim().to_ascii_lowercase().as_str() {
        "" | "m" | "metre" | "metres" | "meter" | "meters" => Some(1.0),
        "ft" | "foot" | "feet" | "international foot" => Some(0.3048),
        "us survey foot" | "us-ft" | "ftus" | "foot_us" | "us_survey_foot" => Some(1200.0 / 3937.0),
        _ => None,
    }
}

fn crs_name(srs: &SpatialRef) -> String {
    let name = srs.name().unwrap_or_else(|| "unnamed CRS".into());
    match (srs.auth_name(), srs.auth_code()) {
        (Some(a), Ok(c)) => format!("{name} ({a}:{c})"),
        _ => name,
    }
}

fn check_plain_path(path: &Path) -> Result<(), TerrainError> {
    let text = path.to_string_lossy();
    if text.starts_with("/vsi") || text.contains("://") || text.is_empty() {
        return Err(TerrainError::NotLocal {
            path: path.to_owned(),
        });
    }
    let meta = std::fs::metadata(path).map_err(|e| TerrainError::Unreadable {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    if !meta.is_file() {
        return Err(TerrainError::Unreadable {
            path: path.to_owned(),
            reason: "not a file".into(),
        });
    }
    Ok(())
}

/// Refuses imagery: several colour bands, a palette, or a non-numeric band.
fn check_elevation_band(path: &Path, dataset: &Dataset) -> Result<(), TerrainError> {
    let not = |reason: String| TerrainError::NotElevation {
        path: path.to_owned(),
        reason,
    };
    let bands = dataset.raster_count();
    if bands == 0 {
        return Err(not("it has no raster band".into()));
    }
    let band = dataset
        .rasterband(1)
        .map_err(|e| not(one_line(&e.to_string())))?;
    let colour = (1..=bands).find_map(|b| {
        let i = dataset.rasterband(b).ok()?.color_interpretation();
        matches!(
            i,
            ColorInterpretation::RedBand
                | ColorInterpretation::GreenBand
                | ColorInterpretation::BlueBand
                | ColorInterpretation::AlphaBand
                | ColorInterpretation::PaletteIndex
        )
        .then_some(i)
    });
    if let Some(i) = colour {
        return Err(not(format!(
            "{bands} band(s) of imagery ({} band), not heights",
            i.name()
        )));
    }
    if bands >= 3 && band.band_type() == GdalDataType::UInt8 {
        return Err(not(format!(
            "{bands} bands of 8-bit values: imagery, not heights"
        )));
    }
    if matches!(band.band_type(), GdalDataType::Unknown) {
        return Err(not("its band is not of a numeric type".into()));
    }
    Ok(())
}

/// Opens one tile: checks, georeferencing, unit, and its cells in metres.
fn open_tile(path: &Path) -> Result<(Tile, TileInfo, SpatialRef), TerrainError> {
    check_plain_path(path)?;
    let dataset = Dataset::open_ex(
        path,
        DatasetOptions {
            open_flags: GdalOpenFlags::GDAL_OF_RASTER | GdalOpenFlags::GDAL_OF_READONLY,
            allowed_drivers: Some(&DRIVERS),
            ..Default::default()
        },
    )
    .map_err(|e| TerrainError::NotRaster {
        path: path.to_owned(),
        reason: one_line(&e.to_string()),
    })?;
    check_elevation_band(path, &dataset)?;
    let no_georef = || TerrainError::NoGeoreference {
        path: path.to_owned(),
    };
    let gt = dataset
        .geo_transform()
        .ok()
        .filter(|gt| *gt != [0.0, 1.0, 0.0, 0.0, 0.0, 1.0])
        .ok_or_else(no_georef)?;
    let srs = dataset
        .spatial_ref()
        .ok()
        .filter(|s| s.to_wkt().is_ok_and(|w| !w.is_empty()))
        .ok_or_else(no_georef)?;
    let (width, height) = dataset.raster_size();
    if width.saturating_mul(height) > MAX_CELLS {
        return Err(TerrainError::TooLarge {
            path: path.to_owned(),
            width,
            height,
            max: MAX_CELLS,
        });
    }
    let band = dataset.rasterband(1).map_err(|e| TerrainError::Damaged {
        path: path.to_owned(),
        reason: one_line(&e.to_string()),
    })?;
    let declared_unit = band.unit();
    let unit_factor = metres_per(&declared_unit).ok_or_else(|| TerrainError::UnknownUnit {
        path: path.to_owned(),
        unit: declared_unit.clone(),
    })?;
    let scale = band.scale().unwrap_or(1.0);
    let offset = band.offset().unwrap_or(0.0);
    let mut cells = vec![0f32; width * height];
    band.read_into_slice::<f32>((0, 0), (width, height), (width, height), &mut cells, None)
        .map_err(|e| TerrainError::Damaged {
            path: path.to_owned(),
            reason: one_line(&e.to_string()),
        })?;
    let nodata = band.no_data_value();
    let (mut lo, mut hi, mut holes) = (f64::INFINITY, f64::NEG_INFINITY, 0usize);
    for v in &mut cells {
        let raw = f64::from(*v);
        if !raw.is_finite() || nodata.is_some_and(|n| raw == n || (*v == n as f32)) {
            *v = f32::NAN;
            holes += 1;
            continue;
        }
        let m = (raw * scale + offset) * unit_factor;
        *v = m as f32;
        lo = lo.min(m);
        hi = hi.max(m);
    }
    let driver = dataset.driver().short_name();
    let tile = Tile::new(path.to_owned(), width, height, gt, cells).ok_or_else(no_georef)?;
    let info = TileInfo {
        path: path.to_owned(),
        driver,
        width,
        height,
        declared_unit,
        metres_per_unit: unit_factor,
        nodata_cells: holes,
        min_m: lo.is_finite().then_some(lo),
        max_m: hi.is_finite().then_some(hi),
    };
    Ok((tile, info, srs))
}
