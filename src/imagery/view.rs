//! One map view of an imagery file as a picture: the Web Mercator tiles the map would
//! draw, rendered by [`ImageryReader::render_tile`] and resampled onto the view, so two
//! dated layers exported at the same view cover exactly the same ground.

use image::{Rgba, RgbaImage};

use super::{ImageryError, ImageryReader};

/// Where the view is: its centre, Web Mercator zoom (256-pixel tiles) and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapView {
    /// Latitude, longitude in degrees.
    pub center: [f64; 2],
    pub zoom: f64,
    /// Width, height in pixels.
    pub size: [u32; 2],
}

/// Why a view cannot be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error("zoom {zoom} is not between 0 and 22")]
    Zoom { zoom: f64 },
    #[error("centre {lat}, {lon} is not a latitude within ±85.05° and a longitude within ±180°")]
    Center { lat: f64, lon: f64 },
    #[error("size {width}×{height} is not between 16 and 8192 pixels a side")]
    Size { width: u32, height: u32 },
    /// The file could not be read for the view.
    #[error(transparent)]
    Imagery(#[from] Box<ImageryError>),
}

/// Where the imagery has no data: the figure's panel background.
pub const NO_DATA: Rgba<u8> = Rgba([32, 32, 32, 255]);

const MAX_LAT: f64 = 85.051_128_78;

impl MapView {
    pub fn check(&self) -> Result<(), ViewError> {
        if !(self.zoom.is_finite() && (0.0..=22.0).contains(&self.zoom)) {
            return Err(ViewError::Zoom { zoom: self.zoom });
        }
        let [lat, lon] = self.center;
        if !(lat.is_finite() && lon.is_finite() && lat.abs() <= MAX_LAT && lon.abs() <= 180.0) {
            return Err(ViewError::Center { lat, lon });
        }
        let [width, height] = self.size;
        if !(16..=8192).contains(&width) || !(16..=8192).contains(&height) {
            return Err(ViewError::Size { width, height });
        }
        Ok(())
    }

    /// The centre in world pixels at integer zoom `z`.
    fn world_center(&self, z: u8) -> [f64; 2] {
        let n = 256.0 * f64::from(1u32 << z);
        let [lat, lon] = self.center;
        let x = (lon + 180.0) / 360.0 * n;
        let s = lat.to_radians().sin();
        let y = (0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * std::f64::consts::PI)) * n;
        [x, y]
    }

    /// West, south, east, north in degrees.
    pub fn bounds(&self) -> [f64; 4] {
        let z = self.zoom.ceil() as u8;
        let scale = 2f64.powf(self.zoom - f64::from(z));
        let c = self.world_center(z);
        let n = 256.0 * f64::from(1u32 << z);
        let half = [
            f64::from(self.size[0]) / 2.0 / scale,
            f64::from(self.size[1]) / 2.0 / scale,
        ];
        let lon = |x: f64| x / n * 360.0 - 180.0;
        let lat = |y: f64| {
            (std::f64::consts::PI * (1.0 - 2.0 * y / n))
                .sinh()
                .atan()
                .to_degrees()
        };
        [
            lon(c[0] - half[0]),
            lat(c[1] + half[1]),
            lon(c[0] + half[0]),
            lat(c[1] - half[1]),
        ]
    }
}

/// The view of `reader`'s imagery: tiles at the next whole zoom, sampled at each pixel's
/// centre; [`NO_DATA`] where the file has none (or would need more source pixels than
/// a tile may read).
pub fn render_view(reader: &ImageryReader, view: &MapView) -> Result<RgbaImage, ViewError> {
    view.check()?;
    let z = view.zoom.ceil() as u8;
    let scale = 2f64.powf(view.zoom - f64::from(z));
    let c = view.world_center(z);
    let [w, h] = view.size;
    let tiles = 1u32 << z;
    let mut cache: std::collections::HashMap<(u32, u32), Option<RgbaImage>> = Default::default();
    let mut out = RgbaImage::from_pixel(w, h, NO_DATA);
    for py in 0..h {
        let wy = c[1] + (f64::from(py) + 0.5 - f64::from(h) / 2.0) / scale;
        if wy < 0.0 || wy >= 256.0 * f64::from(tiles) {
            continue;
        }
        for px in 0..w {
            let wx = (c[0] + (f64::from(px) + 0.5 - f64::from(w) / 2.0) / scale)
                .rem_euclid(256.0 * f64::from(tiles));
            let (tx, ty) = ((wx / 256.0) as u32, (wy / 256.0) as u32);
            let tile = match cache.get(&(tx, ty)) {
                Some(t) => t,
                None => {
                    let t = reader.render_tile(z, tx, ty, 256).map_err(Box::new)?;
                    cache.entry((tx, ty)).or_insert(t)
                }
            };
            let Some(tile) = tile else { continue };
            let p = tile.get_pixel(
                ((wx - f64::from(tx) * 256.0) as u32).min(255),
                ((wy - f64::from(ty) * 256.0) as u32).min(255),
            );
            // Over the dark background by the tile's alpha.
            let a = f64::from(p[3]) / 255.0;
            let mix = |i: usize| (f64::from(p[i]) * a + f64::from(NO_DATA[i]) * (1.0 - a)) as u8;
            out.put_pixel(px, py, Rgba([mix(0), mix(1), mix(2), 255]));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_out_of_range_are_refused() {
        let ok = MapView {
            center: [47.14, 9.52],
            zoom: 15.5,
            size: [800, 600],
        };
        assert!(ok.check().is_ok());
        let b = ok.bounds();
        assert!(b[0] < 9.52 && b[2] > 9.52 && b[1] < 47.14 && b[3] > 47.14);
        for bad in [
            MapView { zoom: 23.0, ..ok },
            MapView {
                center: [89.0, 0.0],
                ..ok
            },
            MapView {
                size: [0, 600],
                ..ok
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }
}
