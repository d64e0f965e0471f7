//! Image pyramids for the board: any image, however large, is shown through 512-px tiles
//! cut from the level whose resolution suits the zoom, so no texture ever exceeds a GPU's
//! limit and only what is on screen is uploaded. Levels are kept as whole RGB images
//! (3 bytes a pixel; a 12000×9000 photo is 324 MB at full size and 432 MB with all
//! levels) and tiles are cut from them on demand.

use image::{DynamicImage, RgbImage, RgbaImage};

/// Side of a tile, pixels: small enough for every GPU, large enough to keep draw calls few.
pub const TILE: u32 = 512;

pub struct Pyramid {
    /// Level k is the image at 1/2^k; level 0 is full resolution.
    levels: Vec<RgbImage>,
}

/// One tile's place: level, column, row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileKey {
    pub level: u8,
    pub col: u32,
    pub row: u32,
}

impl Pyramid {
    /// Builds the levels down to one that fits a tile. `progress` hears 0..1 per level.
    pub fn build(image: DynamicImage, progress: &dyn Fn(f32)) -> Pyramid {
        let mut levels = vec![image.into_rgb8()];
        let mut expected = 0;
        while levels[expected].width().max(levels[expected].height()) > TILE {
            expected += 1;
            let prev = &levels[expected - 1];
            // Area averaging: each pixel is the mean of the 2×2 block it covers.
            let next = image::imageops::thumbnail(
                prev,
                prev.width().div_ceil(2).max(1),
                prev.height().div_ceil(2).max(1),
            );
            levels.push(next);
            progress(expected as f32 / (expected as f32 + 1.0));
        }
        progress(1.0);
        Pyramid { levels }
    }

    pub fn width(&self) -> u32 {
        self.levels[0].width()
    }

    pub fn height(&self) -> u32 {
        self.levels[0].height()
    }

    pub fn level_count(&self) -> usize {
        self.levels.len()
    }

    /// Memory held by the pixels.
    pub fn bytes(&self) -> usize {
        self.levels.iter().map(|l| l.as_raw().len()).sum()
    }

    /// The level to draw at `zoom` screen pixels per image pixel: the coarsest one that
    /// still has at least one pixel per screen pixel.
    pub fn level_for_zoom(&self, zoom: f64) -> u8 {
        let ideal = if zoom > 0.0 {
            (1.0 / zoom).log2().floor()
        } else {
            0.0
        };
        (ideal.max(0.0) as usize).min(self.levels.len() - 1) as u8
    }

    /// Full-resolution pixels per pixel of `level`.
    pub fn scale(&self, level: u8) -> f64 {
        let l = &self.levels[level as usize];
        f64::from(self.width()) / f64::from(l.width())
    }

    /// Columns and rows of tiles at `level`.
    pub fn grid(&self, level: u8) -> (u32, u32) {
        let l = &self.levels[level as usize];
        (l.width().div_ceil(TILE), l.height().div_ceil(TILE))
    }

    /// The tile's extent in full-resolution image pixels (x0, y0, x1, y1).
    pub fn tile_bounds(&self, key: TileKey) -> [f64; 4] {
        let l = &self.levels[key.level as usize];
        let s = self.scale(key.level);
        let x0 = key.col * TILE;
        let y0 = key.row * TILE;
        let x1 = (x0 + TILE).min(l.width());
        let y1 = (y0 + TILE).min(l.height());
        [
            f64::from(x0) * s,
            f64::from(y0) * s,
            f64::from(x1) * s,
            f64::from(y1) * s,
        ]
    }

    /// Tiles of `level` that overlap the image rectangle (x0, y0, x1, y1).
    pub fn tiles_in(&self, level: u8, rect: [f64; 4]) -> Vec<TileKey> {
        let s = self.scale(level) * f64::from(TILE);
        let (cols, rows) = self.grid(level);
        let range = |lo: f64, hi: f64, n: u32| {
            let a = (lo / s).floor().max(0.0) as u32;
            let b = ((hi / s).ceil().max(0.0) as u32).min(n);
            a..b
        };
        let mut keys = Vec::new();
        for row in range(rect[1], rect[3], rows) {
            for col in range(rect[0], rect[2], cols) {
                keys.push(TileKey { level, col, row });
            }
        }
        keys
    }

    /// The tile's pixels, RGBA for upload.
    pub fn tile_rgba(&self, key: TileKey) -> RgbaImage {
        let l = &self.levels[key.level as usize];
        let x0 = key.col * TILE;
        let y0 = key.row * TILE;
        let w = TILE.min(l.width().saturating_sub(x0));
        let h = TILE.min(l.height().saturating_sub(y0));
        RgbaImage::from_fn(w, h, |x, y| {
            let p = l.get_pixel(x0 + x, y0 + y).0;
            image::Rgba([p[0], p[1], p[2], 255])
        })
    }

    /// Samples `out` pixels along an affine grid: output pixel (x, y) shows the image
    /// point `origin + (x + ½)·dx + (y + ½)·dy` (full-resolution pixels), taken from the
    /// finest level that still has about one pixel per output pixel. Any rotation or
    /// mirroring of a view is just a different `dx`, `dy`. Outside the image is black.
    pub fn sample(
        &self,
        origin: [f64; 2],
        dx: [f64; 2],
        dy: [f64; 2],
        out: (u32, u32),
    ) -> RgbImage {
        let step = dx[0].hypot(dx[1]).max(1e-9);
        let level = self.level_for_zoom(1.0 / step);
        let l = &self.levels[level as usize];
        let s = self.scale(level);
        RgbImage::from_fn(out.0, out.1, |x, y| {
            let (fx, fy) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
            let px = ((origin[0] + fx * dx[0] + fy * dy[0]) / s).floor();
            let py = ((origin[1] + fx * dx[1] + fy * dy[1]) / s).floor();
            if px < 0.0 || py < 0.0 || px >= f64::from(l.width()) || py >= f64::from(l.height()) {
                image::Rgb([0, 0, 0])
            } else {
                *l.get_pixel(px as u32, py as u32)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_halve_down_to_a_tile_and_tiles_cover_the_image() {
        let img = RgbImage::from_fn(2100, 1000, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 7])
        });
        let p = Pyramid::build(DynamicImage::ImageRgb8(img), &|_| {});
        assert_eq!(p.level_count(), 4); // 2100, 1050, 525, 263
        assert_eq!(p.grid(0), (5, 2));
        assert_eq!(p.level_for_zoom(1.0), 0);
        assert_eq!(p.level_for_zoom(0.3), 1);
        assert_eq!(p.level_for_zoom(0.01), 3);
        let all = p.tiles_in(0, [0.0, 0.0, 2100.0, 1000.0]);
        assert_eq!(all.len(), 10);
        let last = p.tile_bounds(TileKey {
            level: 0,
            col: 4,
            row: 1,
        });
        assert_eq!(last, [2048.0, 512.0, 2100.0, 1000.0]);
        let tile = p.tile_rgba(TileKey {
            level: 0,
            col: 4,
            row: 1,
        });
        assert_eq!((tile.width(), tile.height()), (52, 488));
        assert_eq!(
            tile.get_pixel(0, 0).0,
            [(2048 % 256) as u8, (512 % 256) as u8, 7, 255]
        );
        // Sampling with a mirrored grid reads the row right to left.
        let row = p.sample([2100.0, 0.0], [-1.0, 0.0], [0.0, 1.0], (3, 1));
        assert_eq!(row.get_pixel(0, 0).0, [(2099 % 256) as u8, 0, 7]);
        // Only the tiles under a small view are listed.
        assert_eq!(p.tiles_in(0, [600.0, 100.0, 700.0, 200.0]).len(), 1);
    }
}
