//! Reading heights off the surface: which tile holds a point, the cell there, and
//! bilinear interpolation between cell centres, across tile edges.
//!
//! A point whose interpolation would lean on a nodata cell has no elevation (None): a
//! hole is never filled from its neighbours.

use std::path::PathBuf;

/// One tile's cells in metres (NaN = nodata) and its grid.
pub struct Tile {
    pub path: PathBuf,
    pub width: usize,
    pub height: usize,
    /// GDAL geotransform: CRS x = gt0 + col·gt1 + row·gt2, y = gt3 + col·gt4 + row·gt5.
    pub gt: [f64; 6],
    inverse: [f64; 6],
    cells: Vec<f32>,
    /// Per block of BLOCK × BLOCK cells, the highest value any bilinear sample whose
    /// top-left cell lies in the block can lean on (the block and one more column and
    /// row); +∞ when one of those cells is nodata (its height is unknown).
    block_max: Vec<f32>,
    blocks_across: usize,
    /// Coarser maxima: entry `l − 1` holds level `l` (blocks of `BLOCK << l` cells, each
    /// the highest of the four level `l − 1` blocks it covers) and its blocks across.
    coarser: Vec<(Vec<f32>, usize)>,
}

/// The side of a block of [`Tile::block_max`], cells.
pub const BLOCK: usize = 1 << BLOCK_SHIFT;
const BLOCK_SHIFT: usize = 4;

/// Levels of block maxima per tile: level 0 is [`Tile::block_max`], level `l` covers
/// `BLOCK << l` cells a side (16 to 256).
pub const LEVELS: usize = 5;

impl Tile {
    /// None when the geotransform cannot be inverted.
    pub fn new(
        path: PathBuf,
        width: usize,
        height: usize,
        gt: [f64; 6],
        cells: Vec<f32>,
    ) -> Option<Tile> {
        let inverse = invert_geotransform(&gt)?;
        if cells.len() != width * height {
            return None;
        }
        let (block_max, blocks_across) = block_maxima(&cells, width, height);
        let coarser = coarser_maxima(&block_max, blocks_across, height.div_ceil(BLOCK));
        Some(Tile {
            path,
            width,
            height,
            gt,
            inverse,
            cells,
            block_max,
            blocks_across,
            coarser,
        })
    }

    /// As [`Tile::block_max`] for the block of level `level` (below [`LEVELS`]; its side
    /// `BLOCK << level` cells) holding top-left cell (col, row): the highest value any
    /// bilinear sample whose top-left cell lies in it can take.
    #[inline]
    pub fn level_max(&self, level: usize, col: usize, row: usize) -> f32 {
        if level == 0 {
            return self.block_max(col, row);
        }
        let (maxima, across) = &self.coarser[level - 1];
        let shift = BLOCK_SHIFT + level;
        maxima[(row >> shift) * across + (col >> shift)]
    }

    /// The highest value a bilinear sample with top-left cell (col, row) can take (+∞
    /// when a cell it may lean on is nodata). `col`, `row` must be inside the tile.
    #[inline]
    pub fn block_max(&self, col: usize, row: usize) -> f32 {
        self.block_max[(row / BLOCK) * self.blocks_across + col / BLOCK]
    }

    /// Bilinear value from top-left cell (col, row) with fractions (fx, fy), the four
    /// cells inside this tile (col + 1 < width, row + 1 < height); None on nodata. The
    /// same arithmetic as [`Surface::bilinear`] (a cell of weight 0 is not read).
    #[inline]
    pub fn bilinear_inside(&self, col: usize, row: usize, fx: f64, fy: f64) -> Option<f64> {
        let i = row * self.width + col;
        let mut sum = 0.0;
        for (o, w) in [
            (0, (1.0 - fx) * (1.0 - fy)),
            (1, fx * (1.0 - fy)),
            (self.width, (1.0 - fx) * fy),
            (self.width + 1, fx * fy),
        ] {
            if w == 0.0 {
                continue;
            }
            let v = self.cells[i + o];
            if !v.is_finite() {
                return None;
            }
            sum += w * f64::from(v);
        }
        Some(sum)
    }

    /// Continuous pixel coordinates (0,0 = the top-left corner of the first cell).
    pub fn pixel(&self, x: f64, y: f64) -> (f64, f64) {
        let g = &self.inverse;
        (g[0] + x * g[1] + y * g[2], g[3] + x * g[4] + y * g[5])
    }

    /// The inverse geotransform: CRS to continuous pixel coordinates ([`Tile::pixel`]).
    pub fn inverse(&self) -> &[f64; 6] {
        &self.inverse
    }

    /// CRS position of a cell's centre.
    pub fn centre(&self, col: f64, row: f64) -> (f64, f64) {
        let g = &self.gt;
        let (c, r) = (col + 0.5, row + 0.5);
        (g[0] + c * g[1] + r * g[2], g[3] + c * g[4] + r * g[5])
    }

    fn contains(&self, px: f64, py: f64) -> bool {
        px >= 0.0 && py >= 0.0 && px < self.width as f64 && py < self.height as f64
    }

    /// A cell's value (NaN for nodata); None outside the tile.
    pub fn cell(&self, col: isize, row: isize) -> Option<f32> {
        if col < 0 || row < 0 || col as usize >= self.width || row as usize >= self.height {
            return None;
        }
        Some(self.cells[row as usize * self.width + col as usize])
    }

    pub fn cells(&self) -> &[f32] {
        &self.cells
    }

    /// Whether the grid is north-up (no rotation terms).
    pub fn north_up(&self) -> bool {
        self.gt[2] == 0.0 && self.gt[4] == 0.0
    }
}

/// The tiles as one surface (shared between threads freely).
pub struct Surface {
    tiles: Vec<Tile>,
    geographic: bool,
    metres_per_crs_unit: f64,
    max_m: f64,
}

impl Surface {
    pub fn new(tiles: Vec<Tile>, geographic: bool, metres_per_crs_unit: f64) -> Surface {
        let max_m = tiles
            .iter()
            .flat_map(|t| t.cells.iter())
            .filter(|v| v.is_finite())
            .fold(f64::NEG_INFINITY, |m, v| m.max(f64::from(*v)));
        Surface {
            tiles,
            geographic,
            metres_per_crs_unit,
            max_m,
        }
    }

    pub fn tiles(&self) -> &[Tile] {
        &self.tiles
    }

    /// Whether CRS coordinates are degrees of longitude (x) and latitude (y).
    pub fn geographic(&self) -> bool {
        self.geographic
    }

    /// Metres per CRS unit along x and y at CRS latitude `y` (degrees for a geographic CRS).
    pub fn metres_per_unit(&self, y: f64) -> (f64, f64) {
        if self.geographic {
            metres_per_degree(y)
        } else {
            (self.metres_per_crs_unit, self.metres_per_crs_unit)
        }
    }

    /// The highest elevation anywhere, metres (−∞ when every cell is nodata).
    pub fn max_m(&self) -> f64 {
        self.max_m
    }

    /// The index of the tile whose cells cover (x, y), if any.
    pub fn tile_at(&self, x: f64, y: f64) -> Option<usize> {
        self.tiles.iter().position(|t| {
            let (px, py) = t.pixel(x, y);
            t.contains(px, py)
        })
    }

    /// The value of the cell under (x, y): Some(NaN) on nodata, None outside.
    pub fn nearest(&self, x: f64, y: f64) -> Option<f32> {
        let tile = &self.tiles[self.tile_at(x, y)?];
        let (px, py) = tile.pixel(x, y);
        tile.cell(px.floor() as isize, py.floor() as isize)
    }

    /// Bilinear elevation between the four nearest cell centres, metres. None outside
    /// every tile or where a cell it leans on is nodata. Past the outer edge of the
    /// surface the edge cell stands in for the missing one.
    pub fn bilinear(&self, x: f64, y: f64) -> Option<f64> {
        let index = self.tile_at(x, y)?;
        self.bilinear_in(index, x, y)
    }

    /// As [`Surface::bilinear`], trying tile `hint` first (the last one hit).
    pub fn bilinear_hinted(&self, hint: &mut usize, x: f64, y: f64) -> Option<f64> {
        if let Some(tile) = self.tiles.get(*hint) {
            let (px, py) = tile.pixel(x, y);
            if tile.contains(px, py) {
                return self.bilinear_in(*hint, x, y);
            }
        }
        *hint = self.tile_at(x, y)?;
        self.bilinear_in(*hint, x, y)
    }

    fn bilinear_in(&self, index: usize, x: f64, y: f64) -> Option<f64> {
        let tile = &self.tiles[index];
        let (px, py) = tile.pixel(x, y);
        let (c, r) = (px - 0.5, py - 0.5);
        let (c0, r0) = (c.floor(), r.floor());
        let (fx, fy) = (c - c0, r - r0);
        let (c0, r0) = (c0 as isize, r0 as isize);
        let mut sum = 0.0;
        for (dc, dr, w) in [
            (0, 0, (1.0 - fx) * (1.0 - fy)),
            (1, 0, fx * (1.0 - fy)),
            (0, 1, (1.0 - fx) * fy),
            (1, 1, fx * fy),
        ] {
            if w == 0.0 {
                continue;
            }
            let v = self.cell_across(index, c0 + dc, r0 + dr)?;
            if !v.is_finite() {
                return None;
            }
            sum += w * f64::from(v);
        }
        Some(sum)
    }

    /// Cell (col, row) of tile `index`, or the cell of a neighbouring tile at that
    /// cell's centre, or (past the surface's edge) the nearest cell of this tile.
    fn cell_across(&self, index: usize, col: isize, row: isize) -> Option<f32> {
        let tile = &self.tiles[index];
        if let Some(v) = tile.cell(col, row) {
            return Some(v);
        }
        let (x, y) = tile.centre(col as f64, row as f64);
        if let Some(v) = self.nearest(x, y) {
            return Some(v);
        }
        let c = col.clamp(0, tile.width as isize - 1);
        let r = row.clamp(0, tile.height as isize - 1);
        tile.cell(c, r)
    }

    /// The finest cell size in metres, measured at each tile's centre.
    pub fn resolution_m(&self) -> f64 {
        self.tiles
            .iter()
            .map(|t| {
                let (_, y) = t.centre(t.width as f64 / 2.0, t.height as f64 / 2.0);
                let (mx, my) = self.metres_per_unit(y);
                (t.gt[1].hypot(t.gt[4]) * mx).min(t.gt[2].hypot(t.gt[5]) * my)
            })
            .fold(f64::INFINITY, f64::min)
    }
}

/// The maxima of [`Tile::block_max`] and the number of blocks across.
fn block_maxima(cells: &[f32], width: usize, height: usize) -> (Vec<f32>, usize) {
    let (across, down) = (width.div_ceil(BLOCK), height.div_ceil(BLOCK));
    // Per row, the maximum of each block's columns plus the next column.
    let mut rows = vec![f32::NEG_INFINITY; across * height];
    for (r, line) in cells.chunks_exact(width.max(1)).enumerate() {
        for b in 0..across {
            let end = ((b + 1) * BLOCK + 1).min(width);
            rows[r * across + b] = line[b * BLOCK..end].iter().fold(f32::NEG_INFINITY, |m, v| {
                if v.is_finite() {
                    m.max(*v)
                } else {
                    f32::INFINITY
                }
            });
        }
    }
    let mut out = vec![f32::NEG_INFINITY; across * down];
    for by in 0..down {
        let end = ((by + 1) * BLOCK + 1).min(height);
        for r in by * BLOCK..end {
            for b in 0..across {
                let m = &mut out[by * across + b];
                *m = m.max(rows[r * across + b]);
            }
        }
    }
    (out, across)
}

/// Levels 1 to [`LEVELS`] − 1 of the block maxima, each from the one below (a block the
/// highest of the up to four it covers).
fn coarser_maxima(level0: &[f32], across: usize, down: usize) -> Vec<(Vec<f32>, usize)> {
    let mut out: Vec<(Vec<f32>, usize)> = Vec::with_capacity(LEVELS - 1);
    for _ in 1..LEVELS {
        let (below, below_across) = match out.last() {
            Some((maxima, a)) => (maxima.as_slice(), *a),
            None => (level0, across),
        };
        let below_down = below.len().checked_div(below_across).unwrap_or(down);
        let a = below_across.div_ceil(2);
        let mut maxima = vec![f32::NEG_INFINITY; a * below_down.div_ceil(2)];
        for (y, line) in below.chunks_exact(below_across.max(1)).enumerate() {
            for (x, v) in line.iter().enumerate() {
                let m = &mut maxima[(y / 2) * a + x / 2];
                *m = m.max(*v);
            }
        }
        out.push((maxima, a));
    }
    out
}

/// Metres per degree of longitude and of latitude at a latitude (WGS84 ellipsoid).
pub fn metres_per_degree(lat_deg: f64) -> (f64, f64) {
    let a = 6_378_137.0_f64;
    let e2 = 0.006_694_379_990_14_f64;
    let phi = lat_deg.to_radians();
    let s = phi.sin();
    let w = (1.0 - e2 * s * s).sqrt();
    let n = a / w; // prime vertical radius
    let m = a * (1.0 - e2) / (w * w * w); // meridional radius
    let k = std::f64::consts::PI / 180.0;
    (n * phi.cos() * k, m * k)
}

pub(crate) fn invert_geotransform(gt: &[f64; 6]) -> Option<[f64; 6]> {
    let det = gt[1] * gt[5] - gt[2] * gt[4];
    if det.abs() < 1e-300 || !det.is_finite() {
        return None;
    }
    let (a, b, c, d) = (gt[5] / det, -gt[2] / det, -gt[4] / det, gt[1] / det);
    Some([-gt[0] * a - gt[3] * b, a, b, -gt[0] * c - gt[3] * d, c, d])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile(x0: f64, values: Vec<f32>) -> Tile {
        Tile::new("t".into(), 2, 2, [x0, 10.0, 0.0, 20.0, 0.0, -10.0], values).unwrap()
    }

    #[test]
    fn bilinear_is_exact_at_centres_and_linear_between() {
        let s = Surface::new(vec![tile(0.0, vec![0.0, 10.0, 20.0, 30.0])], false, 1.0);
        assert_eq!(s.bilinear(5.0, 15.0), Some(0.0));
        assert_eq!(s.bilinear(15.0, 5.0), Some(30.0));
        assert_eq!(s.bilinear(10.0, 10.0), Some(15.0));
        assert_eq!(s.bilinear(-1.0, 10.0), None);
    }

    #[test]
    fn interpolates_across_a_tile_edge_and_not_across_nodata() {
        let a = tile(0.0, vec![0.0, 10.0, 0.0, 10.0]);
        let b = tile(20.0, vec![20.0, f32::NAN, 20.0, 30.0]);
        let s = Surface::new(vec![a, b], false, 1.0);
        // Between a's right column (10) and b's left column (20).
        assert!((s.bilinear(20.0, 15.0).unwrap() - 15.0).abs() < 1e-9);
        assert_eq!(s.bilinear(30.0, 15.0), None); // leans on the nodata cell
        assert_eq!(s.bilinear(25.0, 5.0), Some(20.0)); // a cell centre next to it
    }

    #[test]
    fn block_maxima_cover_the_next_column_and_row_and_nodata_is_unbounded() {
        // 17 × 17 cells: block (0, 0) leans on column and row 16 too.
        let mut cells = vec![1.0f32; 17 * 17];
        cells[16] = 5.0; // row 0, column 16
        let t = Tile::new(
            "t".into(),
            17,
            17,
            [0.0, 1.0, 0.0, 17.0, 0.0, -1.0],
            cells.clone(),
        )
        .unwrap();
        assert_eq!(t.block_max(0, 0), 5.0);
        assert_eq!(t.block_max(16, 16), 1.0);
        assert_eq!(t.block_max(16, 0), 5.0);
        cells[17 * 16 + 3] = f32::NAN; // row 16, column 3
        let t = Tile::new("t".into(), 17, 17, [0.0, 1.0, 0.0, 17.0, 0.0, -1.0], cells).unwrap();
        assert_eq!(t.block_max(0, 0), f32::INFINITY);
        assert_eq!(t.block_max(16, 16), 1.0);
        assert_eq!(t.bilinear_inside(0, 0, 0.5, 0.5), Some(1.0));
        assert_eq!(t.bilinear_inside(3, 15, 0.0, 1.0), None);
    }

    #[test]
    fn coarser_levels_hold_the_highest_of_the_blocks_they_cover() {
        // 70 × 40 cells: level 1 blocks are 32 cells a side, level 2 64.
        let mut cells = vec![1.0f32; 70 * 40];
        cells[33 * 70 + 40] = 9.0; // row 33, column 40
        cells[5 * 70 + 69] = f32::NAN; // row 5, the last column
        let t = Tile::new("t".into(), 70, 40, [0.0, 1.0, 0.0, 40.0, 0.0, -1.0], cells).unwrap();
        assert_eq!(t.level_max(0, 40, 33), 9.0);
        assert_eq!(t.level_max(1, 32, 32), 9.0);
        assert_eq!(t.level_max(1, 0, 0), 1.0);
        assert_eq!(t.level_max(1, 64, 0), f32::INFINITY);
        assert_eq!(t.level_max(2, 0, 0), 9.0);
        assert_eq!(t.level_max(2, 64, 39), f32::INFINITY);
        assert_eq!(t.level_max(LEVELS - 1, 69, 39), f32::INFINITY);
        assert_eq!(t.level_max(1, 0, 39), 1.0); // columns 0 to 32 only
    }

    #[test]
    fn metres_per_degree_matches_known_values() {
        let (lon, lat) = metres_per_degree(0.0);
        assert!((lon - 111_319.49).abs() < 0.01);
        assert!((lat - 110_574.28).abs() < 0.01);
    }
}
