//! Viewshed: which cells around an observer can be seen, by Wang, Robinson & White's
//! reference-plane algorithm ("Generating viewsheds without using sightlines", PE&RS
//! 2000), the method `gdal_viewshed` implements: rows are swept outward from the
//! observer's row, and each cell's sight surface is the plane through the observer and
//! the two cells next to it on the observer's side, extrapolated to the cell. One pass,
//! O(cells); the halves above and below the observer run in parallel.
//!
//! The grid is the grid of the tile under the observer, extended over the other tiles
//! (their cells at each cell's centre), cut to the radius. Nodata cells are written as
//! nodata and do not block (their sight surface passes over them).

use std::path::Path;

use serde::Serialize;

use super::error::one_line;
use super::{Curvature, Dem, Site, Surface, TerrainError};
use crate::spatial::{LatLon, destination};

pub const VISIBLE: u8 = 255;
pub const HIDDEN: u8 = 0;
/// Outside the radius or the field of view, or no elevation there.
pub const NODATA: u8 = 128;

/// The largest output grid (cells on a side).
pub const MAX_SIDE: usize = 40_000;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ViewshedOptions {
    /// Target height above the ground, metres.
    pub target_m: f64,
    pub radius_m: Option<f64>,
    /// Heading and full field of view, degrees: only cells within heading ± fov/2.
    pub wedge: Option<(f64, f64)>,
    pub curvature: Curvature,
}

/// A viewshed grid in the DEM's CRS.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Viewshed {
    pub width: usize,
    pub height: usize,
    /// GDAL geotransform of the grid.
    pub geotransform: [f64; 6],
    #[serde(skip)]
    pub cells: Vec<u8>,
    pub observer_ground_m: f64,
    pub observer_m: f64,
    /// Observer cell (column, row) in the grid.
    pub observer_cell: (usize, usize),
    pub visible: usize,
    pub hidden: usize,
    pub nodata: usize,
}

impl Viewshed {
    pub fn get(&self, col: usize, row: usize) -> Option<u8> {
        (col < self.width && row < self.height).then(|| self.cells[row * self.width + col])
    }

    /// The cell under a CRS position (the grid is north-up), None outside the grid.
    pub fn at(&self, x: f64, y: f64) -> Option<u8> {
        let g = &self.geotransform;
        let (col, row) = ((x - g[0]) / g[1], (y - g[3]) / g[5]);
        if !(col >= 0.0 && row >= 0.0) {
            return None;
        }
        self.get(col as usize, row as usize)
    }
}

/// The grid the viewshed is computed on: heights (NaN = nodata), its geotransform and
/// the observer's cell.
struct Window {
    width: usize,
    height: usize,
    gt: [f64; 6],
    z: Vec<f32>,
    ox: usize,
    oy: usize,
}

pub fn viewshed(
    dem: &Dem,
    observer: Site,
    options: &ViewshedOptions,
) -> Result<Viewshed, TerrainError> {
    check_options(options)?;
    let placed = observer.place(dem, "observer")?;
    let surface = dem.surface();
    let window = window(surface, placed.x, placed.y, options.radius_m)?;
    let (mx, my) = surface.metres_per_unit(placed.y);
    let metres = (window.gt[1].abs() * mx, window.gt[5].abs() * my);
    let geographic_rows = surface.geographic().then(|| {
        (0..window.height)
            .map(|r| {
                let lat = window.gt[3] + (r as f64 + 0.5) * window.gt[5];
                window.gt[1].abs() * super::metres_per_degree(lat).0
            })
            .collect::<Vec<f64>>()
    });
    let sweep = Sweep {
        w: &window,
        zo: placed.z_m,
        target: options.target_m,
        per_m2: options.curvature.per_m2(),
        dx_m: metres.0,
        dy_m: metres.1,
        row_dx_m: geographic_rows,
    };
    let mut cells = sweep.run();
    let grid_north = grid_north_deg(dem, placed.at, placed.x, placed.y);
    mask(&mut cells, &window, &sweep, options, grid_north);
    let count = |v: u8| cells.iter().filter(|c| **c == v).count();
    Ok(Viewshed {
        width: window.width,
        height: window.height,
        geotransform: window.gt,
        visible: count(VISIBLE),
        hidden: count(HIDDEN),
        nodata: count(NODATA),
        cells,
        observer_ground_m: placed.ground_m,
        observer_m: placed.z_m,
        observer_cell: (window.ox, window.oy),
    })
}

fn check_options(options: &ViewshedOptions) -> Result<(), TerrainError> {
    if !options.target_m.is_finite() || options.target_m < 0.0 {
        return Err(TerrainError::bad(
            "--target-height",
            options.target_m,
            "must be 0 or more metres above the ground",
        ));
    }
    if let Some(r) = options.radius_m
        && (!r.is_finite() || r <= 0.0)
    {
        return Err(TerrainError::bad(
            "--radius",
            r,
            "must be a positive distance in metres",
        ));
    }
    if let Some((heading, fov)) = options.wedge {
        if !heading.is_finite() {
            return Err(TerrainError::bad("--heading", heading, "not a number"));
        }
        if !fov.is_finite() || fov <= 0.0 || fov > 360.0 {
            return Err(TerrainError::bad(
                "--fov",
                fov,
                "the field of view must be more than 0 and at most 360 degrees",
            ));
        }
    }
    Ok(())
}

/// The window around (x, y): the grid of the tile there, over the radius (or every
/// tile), filled from the surface.
fn window(
    surface: &Surface,
    x: f64,
    y: f64,
    radius_m: Option<f64>,
) -> Result<Window, TerrainError> {
    let tiles = surface.tiles();
    let Some(home) = surface.tile_at(x, y).map(|i| &tiles[i]) else {
        return Err(TerrainError::bad("observer x", x, "outside every tile"));
    };
    if !home.north_up() {
        return Err(TerrainError::NotElevation {
            path: home.path.clone(),
            reason: "its grid is rotated: warp it north-up first (gdalwarp)".into(),
        });
    }
    let (px, py) = home.pixel(x, y);
    let (ocol, orow) = (px.floor() as i64, py.floor() as i64);
    // Every tile's extent in the home grid's cells.
    let (mut c0, mut r0, mut c1, mut r1) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
    for t in tiles {
        for (cx, cy) in [
            (0.0, 0.0),
            (t.width as f64, t.height as f64),
            (t.width as f64, 0.0),
            (0.0, t.height as f64),
        ] {
            let g = &t.gt;
            let (wx, wy) = (g[0] + cx * g[1] + cy * g[2], g[3] + cx * g[4] + cy * g[5]);
            let (hx, hy) = home.pixel(wx, wy);
            c0 = c0.min(hx.round() as i64);
            c1 = c1.max(hx.round() as i64);
            r0 = r0.min(hy.round() as i64);
            r1 = r1.max(hy.round() as i64);
        }
    }
    if let Some(radius) = radius_m {
        let (mx, my) = surface.metres_per_unit(y);
        let half_c = (radius / (home.gt[1].abs() * mx)).ceil() as i64 + 1;
        let half_r = (radius / (home.gt[5].abs() * my)).ceil() as i64 + 1;
        c0 = c0.max(ocol - half_c);
        c1 = c1.min(ocol + half_c + 1);
        r0 = r0.max(orow - half_r);
        r1 = r1.min(orow + half_r + 1);
    }
    let (width, height) = ((c1 - c0).max(1) as usize, (r1 - r0).max(1) as usize);
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(TerrainError::TooLarge {
            path: home.path.clone(),
            width,
            height,
            max: MAX_SIDE * MAX_SIDE,
        });
    }
    let g = home.gt;
    let gt = [
        g[0] + c0 as f64 * g[1],
        g[1],
        0.0,
        g[3] + r0 as f64 * g[5],
        0.0,
        g[5],
    ];
    let mut z = vec![f32::NAN; width * height];
    fill(surface, &gt, width, &mut z);
    Ok(Window {
        width,
        height,
        gt,
        z,
        ox: (ocol - c0) as usize,
        oy: (orow - r0) as usize,
    })
}

/// Fills the window: rows copied from tiles on the same grid, other cells sampled at
/// their centres.
fn fill(surface: &Surface, gt: &[f64; 6], width: usize, z: &mut [f32]) {
    use rayon::prelude::*;
    z.par_chunks_mut(width).enumerate().for_each(|(row, out)| {
        let y = gt[3] + (row as f64 + 0.5) * gt[5];
        let mut hint = 0usize;
        let mut col = 0usize;
        while col < width {
            let x = gt[0] + (col as f64 + 0.5) * gt[1];
            let Some(t) = (if surface.tiles().get(hint).is_some_and(|t| {
                let (px, py) = t.pixel(x, y);
                px >= 0.0 && py >= 0.0 && px < t.width as f64 && py < t.height as f64
            }) {
                Some(hint)
            } else {
                surface.tile_at(x, y)
            }) else {
                col += 1;
                continue;
            };
            hint = t;
            let tile = &surface.tiles()[t];
            let (px, py) = tile.pixel(x, y);
            let (tc, tr) = (px.floor() as usize, py.floor() as usize);
            let aligned = tile.north_up() && tile.gt[1] == gt[1] && tile.gt[5] == gt[5];
            if aligned {
                let run = (tile.width - tc).min(width - col);
                let start = tr * tile.width + tc;
                out[col..col + run].copy_from_slice(&tile.cells()[start..start + run]);
                col += run;
            } else {
                out[col] = tile.cell(tc as isize, tr as isize).unwrap_or(f32::NAN);
                col += 1;
            }
        }
    });
}

/// The sweep over one window.
struct Sweep<'a> {
    w: &'a Window,
    zo: f64,
    target: f64,
    per_m2: f64,
    dx_m: f64,
    dy_m: f64,
    /// Geographic grids: metres per cell along x in each row.
    row_dx_m: Option<Vec<f64>>,
}

impl Sweep<'_> {
    fn dx(&self, row: usize) -> f64 {
        self.row_dx_m.as_ref().map_or(self.dx_m, |v| v[row])
    }

    /// Distance² in metres from the observer to cell (col, row).
    fn r2(&self, col: usize, row: usize) -> f64 {
        let dc = (col as f64 - self.w.ox as f64) * self.dx(row);
        let dr = (row as f64 - self.w.oy as f64) * self.dy_m;
        dc * dc + dr * dr
    }

    /// The curvature-corrected heights of a row.
    fn corrected(&self, row: usize, out: &mut [f64]) {
        let w = self.w;
        let z = &w.z[row * w.width..(row + 1) * w.width];
        let dr = (row as f64 - w.oy as f64) * self.dy_m;
        let dx = self.dx(row);
        for (col, (o, v)) in out.iter_mut().zip(z).enumerate() {
            let dc = (col as f64 - w.ox as f64) * dx;
            *o = f64::from(*v) - self.per_m2 * (dc * dc + dr * dr);
        }
    }

    fn run(&self) -> Vec<u8> {
        let w = self.w;
        let mut cells = vec![HIDDEN; w.width * w.height];
        let mut first = vec![0.0; w.width];
        self.corrected(w.oy, &mut first);
        let (above, rest) = cells.split_at_mut(w.oy * w.width);
        let (own, below) = rest.split_at_mut(w.width);
        self.observer_row(&mut first, own);
        let first = &first;
        rayon::join(
            || self.half(first, above, true),
            || self.half(first, below, false),
        );
        cells
    }

    fn observer_row(&self, z: &mut [f64], out: &mut [u8]) {
        let ox = self.w.ox;
        for col in (0..ox).rev() {
            let d = ox - col;
            self.cell(z, col, d, 0, |z| (z[col + 1], z[col + 1]), out);
        }
        for col in ox..self.w.width {
            let d = col - ox;
            self.cell(z, col, d, 0, |z| (z[col - 1], z[col - 1]), out);
        }
    }

    /// Rows above (`up`) or below the observer's, outward; `out` holds exactly them.
    fn half(&self, first: &[f64], out: &mut [u8], up: bool) {
        let w = self.w;
        let mut last = first.to_vec();
        let mut this = vec![0.0; w.width];
        let rows: Vec<usize> = if up {
            (0..w.oy).rev().collect()
        } else {
            (w.oy + 1..w.height).collect()
        };
        let base = if up { 0 } else { w.oy + 1 };
        for row in rows {
            let dr = row.abs_diff(w.oy);
            self.corrected(row, &mut this);
            let line = &mut out[(row - base) * w.width..(row - base + 1) * w.width];
            let ox = w.ox;
            // The observer's column, then leftward and rightward.
            for col in (0..=ox).rev() {
                let dc = ox - col;
                let diag = if dc == 0 { last[col] } else { last[col + 1] };
                self.row_cell(&mut this, &last, col, dc, dr, diag, col + 1, line);
            }
            for col in ox + 1..w.width {
                let dc = col - ox;
                self.row_cell(&mut this, &last, col, dc, dr, last[col - 1], col - 1, line);
            }
            std::mem::swap(&mut last, &mut this);
        }
    }

    /// A cell off the observer's row: `diag` is the cell diagonally toward the observer,
    /// `inward` the column next to it toward the observer in this row.
    #[allow(clippy::too_many_arguments)]
    fn row_cell(
        &self,
        this: &mut [f64],
        last: &[f64],
        col: usize,
        dc: usize,
        dr: usize,
        diag: f64,
        inward: usize,
        out: &mut [u8],
    ) {
        // Straight neighbour: along the larger offset, toward the observer.
        let straight = if dc > dr { this[inward] } else { last[col] };
        self.cell(this, col, dc.max(dr), dc.min(dr), |_| (diag, straight), out);
    }

    /// Visibility of cell `col` of the row in `z` at offsets (a ≥ b) from the observer;
    /// `neighbours` gives the diagonal and straight neighbours' sight heights. Writes the
    /// cell's own sight height back into `z`.
    fn cell(
        &self,
        z: &mut [f64],
        col: usize,
        a: usize,
        b: usize,
        neighbours: impl Fn(&[f64]) -> (f64, f64),
        out: &mut [u8],
    ) {
        let here = z[col];
        if a <= 1 {
            // The observer's cell and its eight neighbours.
            out[col] = if here.is_nan() { NODATA } else { VISIBLE };
            if here.is_nan() {
                z[col] = self.zo;
            }
            return;
        }
        let (diag, straight) = neighbours(z);
        let zo = self.zo;
        let (a, b) = (a as f64, b as f64);
        let plane = ((diag - zo) * b + (straight - zo) * (a - b)) / (a - 1.0) + zo;
        if here.is_nan() {
            out[col] = NODATA;
            z[col] = plane;
        } else if here + self.target >= plane {
            out[col] = VISIBLE;
            z[col] = here.max(plane);
        } else {
            out[col] = HIDDEN;
            z[col] = plane;
        }
    }
}

/// The bearing of true north in the grid, degrees clockwise from the grid's up.
fn grid_north_deg(dem: &Dem, at: LatLon, x: f64, y: f64) -> f64 {
    let north = destination(at, 0.0, 100.0);
    match dem.to_crs(north) {
        Some((nx, ny)) => (nx - x).atan2(ny - y).to_degrees(),
        None => 0.0,
    }
}

/// Outside the radius or the wedge: nodata.
fn mask(cells: &mut [u8], w: &Window, sweep: &Sweep, options: &ViewshedOptions, grid_north: f64) {
    let r2max = options.radius_m.map_or(f64::INFINITY, |r| r * r);
    for row in 0..w.height {
        for col in 0..w.width {
            let i = row * w.width + col;
            if (col, row) == (w.ox, w.oy) {
                continue;
            }
            if sweep.r2(col, row) > r2max {
                cells[i] = NODATA;
                continue;
            }
            if let Some((heading, fov)) = options.wedge
                && fov < 360.0
            {
                let east = (col as f64 - w.ox as f64) * sweep.dx(row);
                let north = (w.oy as f64 - row as f64) * sweep.dy_m;
                let azimuth = east.atan2(north).to_degrees() - grid_north;
                let off = (azimuth - heading + 540.0).rem_euclid(360.0) - 180.0;
                if off.abs() > fov / 2.0 {
                    cells[i] = NODATA;
                }
            }
        }
    }
}

/// Writes the viewshed as a one-band GeoTIFF (255 visible, 0 hidden, nodata 128) in
/// the DEM's CRS: a temporary file beside `out`, renamed over it when complete.
pub fn write_geotiff(view: &Viewshed, wkt: &str, out: &Path) -> Result<(), TerrainError> {
    use gdal::raster::{Buffer, RasterCreationOptions};
    let fail = |e: &dyn std::fmt::Display| TerrainError::Write {
        path: out.to_owned(),
        reason: one_line(&e.to_string()),
    };
    crate::imagery::configure_gdal();
    let fill = |temp: &mut tempfile::NamedTempFile| -> Result<(), TerrainError> {
        let driver = gdal::DriverManager::get_driver_by_name("GTiff").map_err(|e| fail(&e))?;
        let options = RasterCreationOptions::from_iter(["TILED=YES", "COMPRESS=DEFLATE"]);
        let (w, h) = (view.width, view.height);
        let mut dataset = driver
            .create_with_band_type_with_options::<u8, _>(temp.path(), w, h, 1, &options)
            .map_err(|e| fail(&e))?;
        dataset
            .set_geo_transform(&view.geotransform)
            .map_err(|e| fail(&e))?;
        let srs = gdal::spatial_ref::SpatialRef::from_wkt(wkt).map_err(|e| fail(&e))?;
        dataset.set_spatial_ref(&srs).map_err(|e| fail(&e))?;
        let mut band = dataset.rasterband(1).map_err(|e| fail(&e))?;
        band.set_no_data_value(Some(f64::from(NODATA)))
            .map_err(|e| fail(&e))?;
        band.write((0, 0), (w, h), &mut Buffer::new((w, h), view.cells.clone()))
            .map_err(|e| fail(&e))?;
        dataset.flush_cache().map_err(|e| fail(&e))?;
        dataset.close().map_err(|e| fail(&e))?;
        Ok(())
    };
    crate::fsio::write_through_temp(out, ".tif", crate::fsio::Access::Shared, fill)
}
