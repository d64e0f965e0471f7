//! The analyst's own imagery (GeoTIFF, Cloud-Optimized GeoTIFF, JPEG 2000) as map
//! layers, read with GDAL: any CRS GDAL knows, reprojected to Web Mercator tiles on
//! demand, reading only the window (and the overview) a tile needs, so a 10 GB file opens
//! without being loaded.
//!
//! Imagery files are untrusted input like case folders: only plain local files are
//! opened (never GDAL's `/vsi…` network or archive paths), only by the GeoTIFF and JPEG
//! 2000 drivers after their signature is checked, and GDAL is told not to write `.aux.xml`
//! side files beside them.

use std::path::{Path, PathBuf};

use gdal::raster::{ColorInterpretation, GdalDataType, ResampleAlg};
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use image::RgbaImage;
use serde::{Deserialize, Serialize};

pub mod dates;
mod gcp;
pub mod view;

pub use dates::{DateKind, DateSource, FoundDate, LayerDate};

/// The largest source window (pixels on a side) one tile may read at full resolution:
/// beyond it, a file without overviews is shown only when zoomed in further.
pub const MAX_SOURCE_WINDOW: usize = 4096;

/// Grid of exactly transformed points per tile side; pixels between are interpolated
/// (as GDAL's approximate transformer does), which keeps reprojection cheap.
const GRID: usize = 16;

/// A layer as a case remembers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageryLayerRef {
    /// Absolute, or relative to the case folder.
    pub path: PathBuf,
    #[serde(default = "one")]
    pub opacity: f32,
    #[serde(default = "yes")]
    pub visible: bool,
    /// When the imagery was taken, as recorded (read from the file or entered); absent
    /// (cases from before dates were recorded too): unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<LayerDate>,
}

fn one() -> f32 {
    1.0
}

fn yes() -> bool {
    true
}

/// Why a layer as a case remembers it is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LayerRefError {
    #[error("layer opacity {opacity} is not between 0 and 1")]
    Opacity { opacity: f32 },
    #[error(
        "{}: not a local file path (GDAL virtual paths and URLs are not opened)",
        path.display()
    )]
    NotLocal { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Date {
        path: PathBuf,
        #[source]
        source: dates::DateError,
    },
}

/// Why an imagery file cannot be opened or read; every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ImageryError {
    #[error(transparent)]
    Layer(#[from] LayerRefError),
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not imagery geoproof opens, or lacks what a map layer needs.
    #[error("{}: {problem}", path.display())]
    Refused {
        path: PathBuf,
        problem: &'static str,
    },
    /// GDAL failed at `step`, for `reason` (GDAL's words on one line).
    #[error("{}: {step} ({reason})", path.display())]
    Gdal {
        path: PathBuf,
        step: &'static str,
        reason: String,
    },
    /// Control points that do not give a warp.
    #[error(transparent)]
    Gcp(#[from] gcp::GcpError),
}

impl ImageryError {
    fn refused(path: &Path, problem: &'static str) -> ImageryError {
        ImageryError::Refused {
            path: path.to_owned(),
            problem,
        }
    }

    fn gdal(
        path: &Path,
        step: &'static str,
    ) -> impl FnOnce(gdal::errors::GdalError) -> ImageryError {
        let path = path.to_owned();
        move |e| ImageryError::Gdal {
            path,
            step,
            reason: one_line(&e.to_string()),
        }
    }
}

impl ImageryLayerRef {
    pub fn check(&self) -> Result<(), LayerRefError> {
        if !(self.opacity.is_finite() && (0.0..=1.0).contains(&self.opacity)) {
            return Err(LayerRefError::Opacity {
                opacity: self.opacity,
            });
        }
        if let Some(date) = &self.date {
            date.check().map_err(|source| LayerRefError::Date {
                path: self.path.clone(),
                source,
            })?;
        }
        check_plain_path(&self.path)
    }
}

/// The layers ordered by date, oldest first (drawn at the bottom); undated layers keep
/// their order, after the dated ones.
pub fn sort_by_date(layers: &mut [ImageryLayerRef]) {
    layers.sort_by(|a, b| match (&a.date, &b.date) {
        (Some(a), Some(b)) => a.date.cmp(&b.date),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
}

/// What the Basemap menu shows about a layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageryInfo {
    pub path: PathBuf,
    pub driver: String,
    pub width: usize,
    pub height: usize,
    pub bands: usize,
    /// The CRS's name and EPSG code if it has one.
    pub crs: String,
    /// Ground size of a pixel at the centre, metres.
    pub resolution_m: f64,
    /// West, south, east, north in degrees.
    pub extent: [f64; 4],
    pub overviews: usize,
    /// Said to the analyst: e.g. no overviews, shown only zoomed in.
    pub notes: Vec<String>,
    /// The dates the file states (metadata, product name), capture dates first.
    pub dates: Vec<FoundDate>,
}

/// Refuses GDAL's virtual paths (`/vsicurl/`, `/vsizip/`…) and URLs: a layer is a file.
fn check_plain_path(path: &Path) -> Result<(), LayerRefError> {
    let text = path.to_string_lossy();
    if text.starts_with("/vsi") || text.contains("://") || text.is_empty() {
        return Err(LayerRefError::NotLocal {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// The file's format by its first bytes.
fn signature(path: &Path) -> Result<&'static str, ImageryError> {
    let read = |source| ImageryError::Read {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read)?;
    if !meta.is_file() {
        return Err(ImageryError::refused(path, "not a file"));
    }
    let mut head = [0u8; 12];
    let n = std::io::Read::read(&mut std::fs::File::open(path).map_err(read)?, &mut head)
        .map_err(read)?;
    let head = &head[..n];
    if [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"]
        .iter()
        .any(|m| head.starts_with(*m))
    {
        Ok("GTiff")
    } else if head.starts_with(b"\0\0\0\x0cjP  \r\n\x87\n")
        || head.starts_with(&[0xff, 0x4f, 0xff, 0x51])
    {
        Ok("JP2OpenJPEG")
    } else {
        Err(ImageryError::refused(
            path,
            "not a GeoTIFF or JPEG 2000 file",
        ))
    }
}

/// An open imagery file that renders Web Mercator tiles. Not shared between threads:
/// each worker opens its own (GDAL datasets are not thread-safe).
pub struct ImageryReader {
    dataset: Dataset,
    info: ImageryInfo,
    /// EPSG:4326 longitude/latitude → the file's CRS.
    to_source: CoordTransform,
    /// Source CRS → pixel: the inverse geotransform.
    inverse_gt: [f64; 6],
    /// Bands read as red, green, blue (1-based); alpha band if any.
    rgb: [usize; 3],
    alpha: Option<usize>,
    /// Linear stretch for non-8-bit data: value → (value − lo) × 255 / (hi − lo).
    stretch: Option<(f64, f64)>,
    no_data: Option<f64>,
    /// Overview factors available (1 = full resolution first).
    levels: Vec<f64>,
}

impl ImageryReader {
    pub fn open(path: &Path) -> Result<ImageryReader, ImageryError> {
        check_plain_path(path)?;
        let driver = signature(path)?;
        configure_gdal();
        let dataset = Dataset::open_ex(
            path,
            DatasetOptions {
                open_flags: GdalOpenFlags::GDAL_OF_RASTER | GdalOpenFlags::GDAL_OF_READONLY,
                allowed_drivers: Some(&[driver]),
                ..Default::default()
            },
        )
        .map_err(ImageryError::gdal(path, "GDAL cannot open it"))?;
        let dates = stated_dates(&dataset, path);
        let (width, height) = dataset.raster_size();
        let bands = dataset.raster_count();
        if bands == 0 || width == 0 || height == 0 {
            return Err(ImageryError::refused(path, "has no raster bands"));
        }
        let mut notes = Vec::new();
        let (dataset, gt, mut srs) = georeferenced(dataset, path, &mut notes)?;
        let (width, height) = dataset.raster_size();
        srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        let mut wgs84 = SpatialRef::from_epsg(4326)
            .map_err(ImageryError::gdal(path, "EPSG:4326 unknown to GDAL"))?;
        wgs84.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        let to_source = CoordTransform::new(&wgs84, &srs)
            .map_err(ImageryError::gdal(path, "its CRS cannot be reprojected"))?;
        let to_wgs84 = CoordTransform::new(&srs, &wgs84)
            .map_err(ImageryError::gdal(path, "its CRS cannot be reprojected"))?;
        let inverse_gt = invert_geotransform(&gt)
            .ok_or_else(|| ImageryError::refused(path, "its geotransform is degenerate"))?;

        let (rgb, alpha) =
            band_roles(&dataset, bands).map_err(ImageryError::gdal(path, "cannot read a band"))?;
        let first = dataset
            .rasterband(rgb[0])
            .map_err(ImageryError::gdal(path, "cannot read a band"))?;
        let no_data = first.no_data_value();
        let overviews = first.overview_count().unwrap_or(0).max(0) as usize;
        let mut levels = vec![1.0];
        for i in 0..overviews {
            if let Ok(o) = first.overview(i) {
                levels.push(width as f64 / o.x_size().max(1) as f64);
            }
        }
        let stretch = value_stretch(&first, path)?;
        let (extent, resolution_m) = extent_and_resolution(&gt, (width, height), &to_wgs84, path)?;
        let crs = crs_name(&srs);
        if bands == 1 && first.band_type() == GdalDataType::Float32 {
            notes.push(
                "one Float32 band: elevation data or other measured values (a DEM), shown as \
                 grey from its lowest to its highest value"
                    .into(),
            );
        }
        if overviews == 0 && width.max(height) > MAX_SOURCE_WINDOW {
            notes.push(format!(
                "no overviews: shown only where a tile needs at most {MAX_SOURCE_WINDOW} source \
                 pixels (zoom in); `gdaladdo {}` builds them",
                path.display()
            ));
        }
        let reader = ImageryReader {
            dataset,
            info: ImageryInfo {
                path: path.to_path_buf(),
                driver: driver.to_owned(),
                width,
                height,
                bands,
                crs,
                resolution_m,
                extent,
                overviews,
                notes,
                dates,
            },
            to_source,
            inverse_gt,
            rgb,
            alpha,
            stretch,
            no_data,
            levels,
        };
        reader.probe_pixels(path)?;
        Ok(reader)
    }

    /// A truncated file opens (its header is whole) but its pixels cannot be read:
    /// find out now, with one small read, not tile by tile.
    /// The first and the last block hold the header's promises at both ends.
    fn probe_pixels(&self, path: &Path) -> Result<(), ImageryError> {
        let (width, height) = (self.info.width, self.info.height);
        let probe = (width.min(64), height.min(64));
        for at in [
            (0, 0),
            ((width - probe.0) as isize, (height - probe.1) as isize),
        ] {
            self.read_window(at, probe, probe)
                .map_err(ImageryError::gdal(path, "truncated or damaged"))?;
        }
        Ok(())
    }

    pub fn info(&self) -> &ImageryInfo {
        &self.info
    }

    /// The Web Mercator tile `z/x/y` as `size`×`size` RGBA (transparent where the file
    /// has no data), or `None` where the file does not reach or the tile would need more
    /// than [`MAX_SOURCE_WINDOW`] source pixels without an overview.
    pub fn render_tile(
        &self,
        z: u8,
        x: u32,
        y: u32,
        size: u32,
    ) -> Result<Option<RgbaImage>, ImageryError> {
        let e = &self.info.extent;
        let (tw, ts, te, tn) = tile_bounds(z, x, y);
        if te < e[0] || tw > e[2] || tn < e[1] || ts > e[3] {
            return Ok(None);
        }
        // Source pixel coordinates of a (GRID+1)² lattice over the tile.
        let n = GRID + 1;
        let mut xs = Vec::with_capacity(n * n);
        let mut ys = Vec::with_capacity(n * n);
        for j in 0..n {
            for i in 0..n {
                let (lon, lat) =
                    tile_point(z, x, y, i as f64 / GRID as f64, j as f64 / GRID as f64);
                xs.push(lon);
                ys.push(lat);
            }
        }
        let mut zs = vec![0.0; xs.len()];
        if self
            .to_source
            .transform_coords(&mut xs, &mut ys, &mut zs)
            .is_err()
        {
            return Ok(None);
        }
        let g = &self.inverse_gt;
        let lattice: Vec<[f64; 2]> = xs
            .iter()
            .zip(&ys)
            .map(|(sx, sy)| [g[0] + sx * g[1] + sy * g[2], g[3] + sx * g[4] + sy * g[5]])
            .collect();
        let (w, h) = (self.info.width as f64, self.info.height as f64);
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in &lattice {
            if !(p[0].is_finite() && p[1].is_finite()) {
                return Ok(None);
            }
            x0 = x0.min(p[0]);
            y0 = y0.min(p[1]);
            x1 = x1.max(p[0]);
            y1 = y1.max(p[1]);
        }
        let (wx0, wy0) = (x0.floor().max(0.0), y0.floor().max(0.0));
        let (wx1, wy1) = ((x1.ceil() + 1.0).min(w), (y1.ceil() + 1.0).min(h));
        if wx1 <= wx0 || wy1 <= wy0 {
            return Ok(None);
        }
        let window = ((wx1 - wx0) as usize, (wy1 - wy0) as usize);
        // Source pixels per output pixel: read at about the tile's resolution.
        let scale = ((x1 - x0).max(y1 - y0) / f64::from(size)).max(1.0);
        let best_overview = self
            .levels
            .iter()
            .cloned()
            .filter(|f| *f <= scale * 1.01)
            .fold(1.0, f64::max);
        if window.0.max(window.1) as f64 / best_overview > MAX_SOURCE_WINDOW as f64 {
            return Ok(None);
        }
        let buffer = (
            ((window.0 as f64 / scale).ceil() as usize).max(1),
            ((window.1 as f64 / scale).ceil() as usize).max(1),
        );
        let planes = self.read_planes((wx0 as isize, wy0 as isize), window, buffer)?;
        let (bx, by) = (
            buffer.0 as f64 / window.0 as f64,
            buffer.1 as f64 / window.1 as f64,
        );
        let mut out = RgbaImage::new(size, size);
        let cell = f64::from(size) / GRID as f64;
        for (oy, row) in out.chunks_mut(size as usize * 4).enumerate() {
            let v = (oy as f64 + 0.5) / cell;
            let j = (v.floor() as usize).min(GRID - 1);
            let fy = v - j as f64;
            for (ox, px) in row.chunks_exact_mut(4).enumerate() {
                let u = (ox as f64 + 0.5) / cell;
                let i = (u.floor() as usize).min(GRID - 1);
                let fx = u - i as f64;
                let a = lattice[j * n + i];
                let b = lattice[j * n + i + 1];
                let c = lattice[(j + 1) * n + i];
                let d = lattice[(j + 1) * n + i + 1];
                let sx = (a[0] * (1.0 - fx) + b[0] * fx) * (1.0 - fy)
                    + (c[0] * (1.0 - fx) + d[0] * fx) * fy;
                let sy = (a[1] * (1.0 - fx) + b[1] * fx) * (1.0 - fy)
                    + (c[1] * (1.0 - fx) + d[1] * fx) * fy;
                if !(sx >= 0.0 && sy >= 0.0 && sx < w && sy < h) {
                    continue;
                }
                let bxf = ((sx - wx0) * bx - 0.5).clamp(0.0, buffer.0 as f64 - 1.0);
                let byf = ((sy - wy0) * by - 0.5).clamp(0.0, buffer.1 as f64 - 1.0);
                let idx = byf.round() as usize * buffer.0 + bxf.round() as usize;
                let value = |plane: &Vec<f64>| plane[idx];
                let r = value(&planes[0]);
                if self
                    .no_data
                    .is_some_and(|nd| r == nd && value(&planes[1]) == nd && value(&planes[2]) == nd)
                {
                    continue;
                }
                let alpha = planes
                    .get(3)
                    .map_or(255, |p| p[idx].clamp(0.0, 255.0) as u8);
                px.copy_from_slice(&[
                    self.to_byte(r),
                    self.to_byte(value(&planes[1])),
                    self.to_byte(value(&planes[2])),
                    alpha,
                ]);
            }
        }
        Ok(Some(out))
    }

    fn to_byte(&self, v: f64) -> u8 {
        match self.stretch {
            None => v.clamp(0.0, 255.0) as u8,
            Some((lo, hi)) => ((v - lo) * 255.0 / (hi - lo)).clamp(0.0, 255.0) as u8,
        }
    }

    /// [`Self::read_window`], failing with the file's name.
    fn read_planes(
        &self,
        at: (isize, isize),
        window: (usize, usize),
        buffer: (usize, usize),
    ) -> Result<Vec<Vec<f64>>, ImageryError> {
        self.read_window(at, window, buffer)
            .map_err(ImageryError::gdal(&self.info.path, "cannot read"))
    }

    /// Reads the red, green, blue (and alpha) planes of a window, resampled by GDAL
    /// (from overviews when the buffer is smaller).
    fn read_window(
        &self,
        at: (isize, isize),
        window: (usize, usize),
        buffer: (usize, usize),
    ) -> Result<Vec<Vec<f64>>, gdal::errors::GdalError> {
        let downsampled = buffer.0 < window.0;
        let alg = downsampled.then_some(ResampleAlg::Average);
        let mut planes = Vec::with_capacity(4);
        for b in self.rgb.iter().copied().chain(self.alpha) {
            let band = self.dataset.rasterband(b)?;
            let data = band.read_as::<f64>(at, window, buffer, alg)?;
            planes.push(data.into_shape_and_vec().1);
        }
        Ok(planes)
    }
}

/// The dates an imagery file states (its metadata in every domain, and its name),
/// without reading pixels: what a layer records when it is added.
pub fn file_dates(path: &Path) -> Result<Vec<FoundDate>, ImageryError> {
    check_plain_path(path)?;
    let driver = signature(path)?;
    configure_gdal();
    let dataset = Dataset::open_ex(
        path,
        DatasetOptions {
            open_flags: GdalOpenFlags::GDAL_OF_RASTER | GdalOpenFlags::GDAL_OF_READONLY,
            allowed_drivers: Some(&[driver]),
            ..Default::default()
        },
    )
    .map_err(ImageryError::gdal(path, "GDAL cannot open it"))?;
    Ok(stated_dates(&dataset, path))
}

/// Every `KEY=VALUE` item of every metadata domain (GDAL's imagery readers put sidecar
/// metadata in `IMAGERY`), then the file name, read for dates.
fn stated_dates(dataset: &Dataset, path: &Path) -> Vec<FoundDate> {
    use gdal::Metadata;
    let mut items: Vec<(String, String, String)> = Vec::new();
    let mut domains = dataset.metadata_domains();
    // GDAL 3.6 lists IMD but not the IMAGERY domain its readers derive from it.
    for wanted in ["IMAGERY", ""] {
        if !domains.iter().any(|d| d == wanted) {
            domains.insert(0, wanted.to_owned());
        }
    }
    for domain in domains {
        // Large binary-ish domains (xml:XMP, RPC) hold no dates geoproof reads.
        if domain.starts_with("xml:") || domain == "RPC" || domain == "DERIVED_SUBDATASETS" {
            continue;
        }
        for item in dataset.metadata_domain(&domain).unwrap_or_default() {
            if let Some((k, v)) = item.split_once('=') {
                items.push((domain.clone(), k.to_owned(), v.to_owned()));
            }
        }
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dates::found_dates(
        items
            .iter()
            .map(|(d, k, v)| (d.as_str(), k.as_str(), v.as_str())),
        &name,
    )
}

/// Once per process: never write `.aux.xml` beside the analyst's (or someone else's)
/// files, and GDAL's messages go to the log, not the terminal (each failure reaches the
/// analyst once, as the one-line error that names the file).
pub fn configure_gdal() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = gdal::config::set_config_option("GDAL_PAM_ENABLED", "NO");
        gdal::config::set_error_handler(|class, code, message| {
            log::debug!("GDAL {class:?} {code}: {message}");
        });
    });
}

/// The dataset with its geotransform and CRS. Control points and no geotransform:
/// warped by GDAL's GCP transformer first (its note added to `notes`).
fn georeferenced(
    dataset: Dataset,
    path: &Path,
    notes: &mut Vec<String>,
) -> Result<(Dataset, [f64; 6], SpatialRef), ImageryError> {
    let geotransform = dataset
        .geo_transform()
        .ok()
        .filter(|gt| *gt != [0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    match geotransform {
        Some(gt) => {
            let srs = dataset
                .spatial_ref()
                .ok()
                .filter(|s| s.to_wkt().is_ok_and(|w| !w.is_empty()))
                .ok_or_else(|| {
                    ImageryError::refused(path, "has no coordinate reference system GDAL knows")
                })?;
            Ok((dataset, gt, srs))
        }
        None => {
            let warped = gcp::warp(&dataset, &path.display().to_string())?.ok_or_else(|| {
                ImageryError::refused(
                    path,
                    "has no georeferencing (no geotransform or control points): \
                     georeference it first",
                )
            })?;
            notes.push(warped.note);
            let gt = warped
                .dataset
                .geo_transform()
                .map_err(ImageryError::gdal(path, "its warp has no geotransform"))?;
            Ok((warped.dataset, gt, warped.srs))
        }
    }
}

/// The linear stretch of non-8-bit data (its lowest and highest value); None for 8 bits.
fn value_stretch(
    first: &gdal::raster::RasterBand<'_>,
    path: &Path,
) -> Result<Option<(f64, f64)>, ImageryError> {
    Ok(match first.band_type() {
        GdalDataType::UInt8 => None,
        _ => {
            let mm = first
                .compute_raster_min_max(true)
                .map_err(ImageryError::gdal(path, "cannot read its values"))?;
            Some((
                mm.min,
                if mm.max > mm.min {
                    mm.max
                } else {
                    mm.min + 1.0
                },
            ))
        }
    })
}

/// Extent (west, south, east, north, degrees) and resolution (metres per pixel at the
/// centre), from the corners and centre.
fn extent_and_resolution(
    gt: &[f64; 6],
    (width, height): (usize, usize),
    to_wgs84: &CoordTransform,
    path: &Path,
) -> Result<([f64; 4], f64), ImageryError> {
    let (w, h) = (width as f64, height as f64);
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for (px, py) in [
        (0.0, 0.0),
        (w, 0.0),
        (w, h),
        (0.0, h),
        (w / 2.0, h / 2.0),
        (w / 2.0 + 1.0, h / 2.0),
    ] {
        xs.push(gt[0] + px * gt[1] + py * gt[2]);
        ys.push(gt[3] + px * gt[4] + py * gt[5]);
    }
    let mut zs = vec![0.0; xs.len()];
    to_wgs84
        .transform_coords(&mut xs, &mut ys, &mut zs)
        .map_err(ImageryError::gdal(
            path,
            "its corners cannot be placed on the globe",
        ))?;
    let extent = [
        xs[..4].iter().cloned().fold(f64::MAX, f64::min),
        ys[..4].iter().cloned().fold(f64::MAX, f64::min),
        xs[..4].iter().cloned().fold(f64::MIN, f64::max),
        ys[..4].iter().cloned().fold(f64::MIN, f64::max),
    ];
    let frame = crate::spatial::georef::LocalFrame::at(ys[4], xs[4]);
    let d = frame.to_local(ys[5], xs[5]);
    Ok((extent, d[0].hypot(d[1])))
}

/// The CRS's name with its authority code, "WGS 84 / UTM zone 33N (EPSG:32633)".
fn crs_name(srs: &SpatialRef) -> String {
    let name = srs.name().unwrap_or_else(|| "unnamed CRS".into());
    match (srs.auth_name(), srs.auth_code()) {
        (Some(a), Ok(c)) => format!("{name} ({a}:{c})"),
        _ => name,
    }
}

/// Which bands are red, green, blue and alpha (a single band is grey).
fn band_roles(
    dataset: &Dataset,
    bands: usize,
) -> Result<([usize; 3], Option<usize>), gdal::errors::GdalError> {
    let mut rgb = [0usize; 3];
    let mut alpha = None;
    for b in 1..=bands {
        let band = dataset.rasterband(b)?;
        match band.color_interpretation() {
            ColorInterpretation::RedBand => rgb[0] = b,
            ColorInterpretation::GreenBand => rgb[1] = b,
            ColorInterpretation::BlueBand => rgb[2] = b,
            ColorInterpretation::AlphaBand => alpha = Some(b),
            _ => {}
        }
    }
    if rgb.contains(&0) {
        // Not labelled: the first three bands are red, green, blue; one band is grey.
        rgb = if bands >= 3 { [1, 2, 3] } else { [1, 1, 1] };
        if bands == 4 && alpha.is_none() {
            alpha = Some(4);
        }
    }
    Ok((rgb, alpha))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn invert_geotransform(gt: &[f64; 6]) -> Option<[f64; 6]> {
    let det = gt[1] * gt[5] - gt[2] * gt[4];
    if det.abs() < 1e-300 || !det.is_finite() {
        return None;
    }
    let (a, b, c, d) = (gt[5] / det, -gt[2] / det, -gt[4] / det, gt[1] / det);
    Some([-gt[0] * a - gt[3] * b, a, b, -gt[0] * c - gt[3] * d, c, d])
}

/// West, south, east, north of a Web Mercator tile, degrees.
pub fn tile_bounds(z: u8, x: u32, y: u32) -> (f64, f64, f64, f64) {
    let (west, north) = tile_point(z, x, y, 0.0, 0.0);
    let (east, south) = tile_point(z, x, y, 1.0, 1.0);
    (west, south, east, north)
}

/// Longitude, latitude of the point (u, v) ∈ [0, 1]² within tile `z/x/y`.
fn tile_point(z: u8, x: u32, y: u32, u: f64, v: f64) -> (f64, f64) {
    let n = f64::from(1u32 << z);
    let lon = (f64::from(x) + u) / n * 360.0 - 180.0;
    let merc = std::f64::consts::PI * (1.0 - 2.0 * (f64::from(y) + v) / n);
    let lat = merc.sinh().atan().to_degrees();
    (lon, lat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geotransforms_invert() {
        let gt = [500_000.0, 10.0, 0.5, 5_600_000.0, 0.3, -10.0];
        let inv = invert_geotransform(&gt).unwrap();
        let (px, py) = (123.0, 456.0);
        let (x, y) = (
            gt[0] + px * gt[1] + py * gt[2],
            gt[3] + px * gt[4] + py * gt[5],
        );
        let back = (
            inv[0] + x * inv[1] + y * inv[2],
            inv[3] + x * inv[4] + y * inv[5],
        );
        assert!((back.0 - px).abs() < 1e-6 && (back.1 - py).abs() < 1e-6);
    }

    #[test]
    fn tiles_cover_the_world() {
        let (w, s, e, n) = tile_bounds(0, 0, 0);
        assert_eq!((w, e), (-180.0, 180.0));
        assert!((n - 85.051_128_78).abs() < 1e-6 && (s + 85.051_128_78).abs() < 1e-6);
    }

    #[test]
    fn virtual_paths_and_urls_are_refused() {
        for p in [
            "/vsicurl/https://example.com/a.tif",
            "https://example.com/a.tif",
            "",
        ] {
            assert!(check_plain_path(Path::new(p)).is_err(), "{p}");
        }
    }
}
