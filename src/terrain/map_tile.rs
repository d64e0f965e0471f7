//! The surface as Web Mercator map tiles: a hillshade (grey where there is elevation,
//! transparent outside the data and on nodata) and the viewshed's visible cells, for
//! the map's layers. Tile pixels are placed with the spatial module's own Web Mercator
//! (`spatial::framing`), then carried into the surface's CRS through GDAL.

use image::RgbaImage;

use super::hillshade::{Grid, hillshade};
use super::{Dem, TerrainError};
use crate::spatial::framing::unmercator;

/// Web Mercator's sphere radius, metres (the ground size of a tile pixel).
const MERCATOR_RADIUS_M: f64 = 6_378_137.0;

/// Side of the lattice transformed first to see whether a tile touches the surface.
const PROBE: usize = 9;

/// The largest tile side rendered.
pub const MAX_TILE_SIZE: u32 = 1024;

/// Positions (0..1 from west, 0..1 from north on the zoom-0 square) of the centres of a
/// `side`×`side` grid of pixels over tile z/x/y, starting `margin` pixels outside it.
fn pixel_centres(z: u8, x: u32, y: u32, size: u32, side: usize, margin: f64) -> Vec<[f64; 2]> {
    let n = f64::from(1u32 << z.min(30)) * f64::from(size);
    let step = if side > 1 {
        (f64::from(size) + 2.0 * margin - 1.0) / (side as f64 - 1.0)
    } else {
        0.0
    };
    let mut out = Vec::with_capacity(side * side);
    for j in 0..side {
        for i in 0..side {
            let px = f64::from(x) * f64::from(size) - margin + 0.5 + i as f64 * step;
            let py = f64::from(y) * f64::from(size) - margin + 0.5 + j as f64 * step;
            out.push([px / n, py / n]);
        }
    }
    out
}

/// West, south, east, north of the surface in its CRS.
fn surface_bounds(dem: &Dem) -> [f64; 4] {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for t in dem.surface().tiles() {
        for (c, r) in [
            (0.0, 0.0),
            (t.width as f64, 0.0),
            (0.0, t.height as f64),
            (t.width as f64, t.height as f64),
        ] {
            let x = t.gt[0] + c * t.gt[1] + r * t.gt[2];
            let y = t.gt[3] + c * t.gt[4] + r * t.gt[5];
            b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
    }
    b
}

/// The CRS positions of a tile's pixel centres with a margin, or None where the tile
/// does not touch the surface (or the CRS cannot place it).
fn tile_positions(
    dem: &Dem,
    (z, x, y): (u8, u32, u32),
    size: u32,
    margin: usize,
) -> Option<Vec<(f64, f64)>> {
    let to_latlon = |m: &[f64; 2]| unmercator(*m);
    let probe: Vec<_> = pixel_centres(z, x, y, size, PROBE, margin as f64)
        .iter()
        .map(to_latlon)
        .collect();
    let probe = dem.to_crs_many(&probe).ok()?;
    let b = surface_bounds(dem);
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (px, py) in &probe {
        x0 = x0.min(*px);
        y0 = y0.min(*py);
        x1 = x1.max(*px);
        y1 = y1.max(*py);
    }
    if !(x0.is_finite() && y0.is_finite() && x1.is_finite() && y1.is_finite())
        || x1 < b[0]
        || x0 > b[2]
        || y1 < b[1]
        || y0 > b[3]
    {
        return None;
    }
    let side = size as usize + 2 * margin;
    let all: Vec<_> = pixel_centres(z, x, y, size, side, margin as f64)
        .iter()
        .map(to_latlon)
        .collect();
    dem.to_crs_many(&all).ok()
}

fn check_tile(z: u8, x: u32, y: u32, size: u32) -> Result<(), TerrainError> {
    if z > 24 || x >= 1u32 << z || y >= 1u32 << z {
        return Err(TerrainError::bad(
            "map tile",
            f64::from(z),
            "zoom above 24 or tile outside the world",
        ));
    }
    if !(1..=MAX_TILE_SIZE).contains(&size) {
        return Err(TerrainError::bad(
            "map tile size",
            f64::from(size),
            "must be 1 to 1024 pixels",
        ));
    }
    Ok(())
}

/// The Web Mercator tile `z/x/y` as a `size`×`size` hillshade for a light at
/// `azimuth_deg`, `altitude_deg`: grey, opaque where there is elevation, transparent
/// outside the data and on nodata. None where the tile does not touch the surface.
pub fn hillshade_tile(
    dem: &Dem,
    (z, x, y): (u8, u32, u32),
    size: u32,
    azimuth_deg: f64,
    altitude_deg: f64,
) -> Result<Option<RgbaImage>, TerrainError> {
    check_tile(z, x, y, size)?;
    let Some(positions) = tile_positions(dem, (z, x, y), size, 1) else {
        return Ok(None);
    };
    let side = size as usize + 2;
    let surface = dem.surface();
    let mut hint = 0;
    let heights: Vec<f32> = positions
        .iter()
        .map(|(cx, cy)| {
            surface
                .bilinear_hinted(&mut hint, *cx, *cy)
                .map_or(f32::NAN, |v| v as f32)
        })
        .collect();
    if heights.iter().all(|v| v.is_nan()) {
        return Ok(None);
    }
    // Web Mercator is conformal: a pixel is square on the ground, its side shrinking
    // with the cosine of the latitude (taken at the tile's centre).
    let n = f64::from(1u32 << z);
    let centre = unmercator([(f64::from(x) + 0.5) / n, (f64::from(y) + 0.5) / n]);
    let pixel_m = 2.0 * std::f64::consts::PI * MERCATOR_RADIUS_M * centre.lat.to_radians().cos()
        / (n * f64::from(size));
    let grid = Grid {
        z: &heights,
        width: side,
        height: side,
        dx_m: pixel_m,
        dy_m: pixel_m,
    };
    let shade = hillshade(&grid, azimuth_deg, altitude_deg)?;
    let mut out = RgbaImage::new(size, size);
    for (py, row) in out.rows_mut().enumerate() {
        for (px, pixel) in row.enumerate() {
            let s = shade[(py + 1) * side + px + 1];
            *pixel = if s == 0 {
                image::Rgba([0, 0, 0, 0])
            } else {
                image::Rgba([s, s, s, 255])
            };
        }
    }
    Ok(Some(out))
}

/// The Web Mercator tile `z/x/y` of a viewshed raster (values as
/// [`super::viewshed::Viewshed::get`]): `visible` where a cell is visible, transparent
/// elsewhere. None where the tile misses the raster.
pub fn viewshed_tile(
    dem: &Dem,
    view: &super::viewshed::Viewshed,
    (z, x, y): (u8, u32, u32),
    size: u32,
    visible: [u8; 4],
) -> Result<Option<RgbaImage>, TerrainError> {
    check_tile(z, x, y, size)?;
    let Some(positions) = tile_positions(dem, (z, x, y), size, 0) else {
        return Ok(None);
    };
    let mut out = RgbaImage::new(size, size);
    let mut any = false;
    for (pixel, (cx, cy)) in out.pixels_mut().zip(&positions) {
        if view.at(*cx, *cy) == Some(super::viewshed::VISIBLE) {
            *pixel = image::Rgba(visible);
            any = true;
        }
    }
    Ok(any.then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::LatLon;
    use crate::spatial::framing::mercator;

    #[test]
    fn pixel_centres_fall_inside_their_tile() {
        let c = pixel_centres(3, 4, 2, 256, 256, 0.0);
        let (first, last) = (c[0], c[c.len() - 1]);
        assert!((first[0] - (4.0 + 0.5 / 256.0) / 8.0).abs() < 1e-12);
        assert!((last[1] - (3.0 - 0.5 / 256.0) / 8.0).abs() < 1e-12);
        let p = unmercator(first);
        let back = mercator(LatLon::new(p.lat, p.lon).unwrap());
        assert!((back[0] - first[0]).abs() < 1e-12 && (back[1] - first[1]).abs() < 1e-12);
    }

    #[test]
    fn refuses_tiles_outside_the_world() {
        assert!(check_tile(2, 4, 0, 256).is_err());
        assert!(check_tile(2, 3, 3, 0).is_err());
        assert!(check_tile(2, 3, 3, 256).is_ok());
    }
}
