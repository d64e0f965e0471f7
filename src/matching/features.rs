//! ORB-style features: FAST corners on an image pyramid, oriented by the intensity
//! centroid, described by 256 steered binary tests (rBRIEF) on a smoothed patch.
//! Single-threaded; matching two images runs their detection one after the other.

use image::GrayImage;

/// A detected feature, in the coordinates of the image given to [`detect`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Keypoint {
    pub x: f64,
    pub y: f64,
    /// Orientation, radians.
    pub angle: f64,
    pub level: u8,
    pub score: f32,
}

/// 256 binary tests.
pub type Descriptor = [u64; 4];

const LEVELS: usize = 8;
const SCALE: f64 = 1.2;
const FAST_THRESHOLD: u8 = 20;
/// Radius of the patch used for orientation and tests (ORB uses a 31×31 patch).
const PATCH_RADIUS: i32 = 15;
/// Margin so a rotated test never leaves the image (√2 × radius, rounded up).
const MARGIN: u32 = 23;

/// The 256 point pairs of the tests, fixed for ever (descriptors must stay comparable):
/// drawn once from an isotropic Gaussian (σ = radius/2.5) by a seeded generator.
fn test_pattern() -> &'static [[i8; 4]; 256] {
    static PATTERN: std::sync::OnceLock<[[i8; 4]; 256]> = std::sync::OnceLock::new();
    PATTERN.get_or_init(|| {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut uniform = || {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
        };
        let sigma = f64::from(PATCH_RADIUS) / 2.5;
        let mut gaussian = || loop {
            // Box–Muller, clipped to the patch.
            let (u1, u2) = (uniform().max(1e-12), uniform());
            let v = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos() * sigma;
            if v.abs() <= f64::from(PATCH_RADIUS) {
                return v.round() as i8;
            }
        };
        let mut pattern = [[0i8; 4]; 256];
        for pair in pattern.iter_mut() {
            *pair = [gaussian(), gaussian(), gaussian(), gaussian()];
        }
        pattern
    })
}

/// Detects up to `max_features` keypoints, strongest first across the pyramid, and
/// describes each.
pub fn detect(image: &GrayImage, max_features: usize) -> (Vec<Keypoint>, Vec<Descriptor>) {
    pulp::Arch::new().dispatch(Detect {
        image,
        max_features,
    })
}

/// The detector, compiled by pulp once per instruction set (AVX2 where the CPU has it)
/// and chosen at run time, without `unsafe` here. Integer work only: every copy gives
/// the same keypoints and descriptors.
struct Detect<'a> {
    image: &'a GrayImage,
    max_features: usize,
}

impl pulp::WithSimd for Detect<'_> {
    type Output = (Vec<Keypoint>, Vec<Descriptor>);

    // Everything below that runs per pixel or per keypoint is `inline(always)`: that is
    // what puts it into each copy. A closure would not do: its body stays out of line,
    // built for the baseline only.
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> Self::Output {
        detect_here(self.image, self.max_features)
    }
}

#[inline(always)]
fn detect_here(image: &GrayImage, max_features: usize) -> (Vec<Keypoint>, Vec<Descriptor>) {
    let mut keypoints = Vec::new();
    let mut descriptors = Vec::new();
    let mut level_image = image.clone();
    let mut scratch = Scratch::default();
    // Features per level in proportion to the level's area, as ORB does.
    let factor = 1.0 / (SCALE * SCALE);
    let total: f64 = (0..LEVELS).map(|l| factor.powi(l as i32)).sum();
    for level in 0..LEVELS {
        let scale = SCALE.powi(level as i32);
        if level > 0 {
            let w = (f64::from(image.width()) / scale).round() as u32;
            let h = (f64::from(image.height()) / scale).round() as u32;
            if w <= 2 * MARGIN + 8 || h <= 2 * MARGIN + 8 {
                break;
            }
            // From the previous level by bilinear interpolation, as ORB does.
            level_image = resize_bilinear(&level_image, w, h);
        }
        let want = ((max_features as f64) * factor.powi(level as i32) / total).ceil() as usize;
        let to_full = [
            f64::from(image.width()) / f64::from(level_image.width()),
            f64::from(image.height()) / f64::from(level_image.height()),
        ];
        let corners = fast9(&level_image, FAST_THRESHOLD);
        let mut corners = strongest_only(corners, &level_image, 3, &mut scratch.scores);
        corners.sort_by_key(|c| std::cmp::Reverse(c.score));
        corners.truncate(want);
        // 5×5 box sums stand in for ORB's 7×7 Gaussian (σ = 2): the tests compare
        // smoothed intensities, and the box costs a fraction of the Gaussian.
        let sums = box_sums_5x5(&level_image, &mut scratch);
        let tests = pattern_offsets(level_image.width() as usize);
        for c in corners {
            let angle = orientation(&level_image, c.x, c.y);
            let centre = c.y * level_image.width() as usize + c.x;
            descriptors.push(describe(sums, centre, &tests[angle_step(angle)]));
            // Pixel centres aligned through the pyramid (each step maps centres to
            // centres), so a keypoint of a mirrored image mirrors exactly.
            keypoints.push(Keypoint {
                x: (c.x as f64 + 0.5) * to_full[0] - 0.5,
                y: (c.y as f64 + 0.5) * to_full[1] - 0.5,
                angle,
                level: level as u8,
                score: f32::from(c.score),
            });
        }
    }
    (keypoints, descriptors)
}

/// A FAST corner: position in its level and score (its best arc's weakest difference,
/// see [`arc_score`]).
#[derive(Debug, Clone, Copy)]
struct Corner {
    x: usize,
    y: usize,
    score: u8,
}

/// The 16 pixels of the Bresenham circle of radius 3, clockwise from the top.
const CIRCLE: [(isize, isize); 16] = [
    (0, -3),
    (1, -3),
    (2, -2),
    (3, -1),
    (3, 0),
    (3, 1),
    (2, 2),
    (1, 3),
    (0, 3),
    (-1, 3),
    (-2, 2),
    (-3, 1),
    (-3, 0),
    (-3, -1),
    (-2, -2),
    (-1, -3),
];

/// FAST-9 corners at least [`MARGIN`] pixels inside the image: 9 contiguous circle
/// pixels all brighter than centre + `threshold`, or all darker than centre − threshold.
/// A vectorised pass over each row keeps only pixels where every pair of opposite
/// circle pixels has one beyond the threshold on the same side (any 9-arc holds one of
/// each pair), in the spirit of Rosten's and OpenCV's detectors; those are tested fully.
#[inline(always)]
fn fast9(image: &GrayImage, threshold: u8) -> Vec<Corner> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let margin = MARGIN as usize;
    let mut corners = Vec::new();
    if w <= 2 * margin || h <= 2 * margin {
        return corners;
    }
    let data = image.as_raw();
    let offsets = CIRCLE.map(|(dx, dy)| dy * w as isize + dx);
    // Per pixel of the row: whether an arc of bright (bit 1) or dark (bit 0) pixels is
    // still possible; padded to whole 8-byte words.
    let n = w - 2 * margin;
    let mut candidates = vec![0u8; n.div_ceil(8) * 8];
    for y in margin..h - margin {
        let centre = &data[y * w + margin..][..n];
        let at = |(dx, dy): (isize, isize)| {
            let start = ((y as isize + dy) * w as isize + margin as isize + dx) as usize;
            &data[start..][..n]
        };
        let circle = CIRCLE.map(at);
        // Any 9-arc holds one of every pair of opposite circle pixels: one vectorised
        // pass checks all eight pairs, after which few pixels remain to test fully.
        for (x, (flag, &p)) in candidates[..n].iter_mut().zip(centre).enumerate() {
            let (hi, lo) = (p.saturating_add(threshold), p.saturating_sub(threshold));
            let mut possible = 3u8;
            for k in 0..8 {
                let (a, b) = (circle[k][x], circle[k + 8][x]);
                let bright = u8::from((a > hi) | (b > hi)) << 1;
                let dark = u8::from((a < lo) | (b < lo));
                possible &= bright | dark;
            }
            *flag = possible;
        }
        // Most words are all zero: skip them eight pixels at a time.
        for (word_index, word) in candidates.chunks_exact(8).enumerate() {
            let mut bits = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            while bits != 0 {
                let k = word_index * 8 + bits.trailing_zeros() as usize / 8;
                bits &= !(0xFF << (k % 8 * 8));
                let x = margin + k;
                let i = y * w + x;
                let p = i16::from(data[i]);
                let diffs: [i16; 16] =
                    std::array::from_fn(|k| i16::from(data[i.wrapping_add_signed(offsets[k])]) - p);
                if let Some(score) = arc_score(&diffs, i16::from(threshold)) {
                    corners.push(Corner { x, y, score });
                }
            }
        }
    }
    corners
}

/// Whether the 16-bit circle mask has 9 contiguous set bits (going round).
#[inline(always)]
fn has_arc(mask: u16) -> bool {
    let m = u32::from(mask) | (u32::from(mask) << 16);
    let (m2, m4) = (m & (m >> 1), m & (m >> 1) & (m >> 2) & (m >> 3));
    (m4 & (m4 >> 4) & (m2 >> 7)) != 0
}

/// For circle differences (pixel − centre), the FAST score when 9 contiguous pixels are
/// all beyond `threshold` on one side: the best arc's weakest difference, one more than
/// the largest threshold the corner passes.
#[inline(always)]
fn arc_score(diffs: &[i16; 16], threshold: i16) -> Option<u8> {
    let mask = |beyond: &dyn Fn(i16) -> bool| {
        diffs
            .iter()
            .enumerate()
            .fold(0u16, |m, (k, &d)| m | (u16::from(beyond(d)) << k))
    };
    let oriented = if has_arc(mask(&|d| d > threshold)) {
        *diffs
    } else if has_arc(mask(&|d| d < -threshold)) {
        diffs.map(|d| -d)
    } else {
        return None;
    };
    // Minimum over each arc of 9 by doubling windows: 2, 4, 8, then one more.
    let at = |a: &[i16; 16], i: usize| a[i % 16];
    let m2: [i16; 16] = std::array::from_fn(|i| at(&oriented, i).min(at(&oriented, i + 1)));
    let m4: [i16; 16] = std::array::from_fn(|i| at(&m2, i).min(at(&m2, i + 2)));
    let m8: [i16; 16] = std::array::from_fn(|i| at(&m4, i).min(at(&m4, i + 4)));
    let score = (0..16)
        .map(|i| m8[i].min(at(&oriented, i + 8)))
        .max()
        .unwrap_or(0);
    Some(score.clamp(0, 255) as u8)
}

/// Buffers reused from level to level: allocating and zeroing them per level showed
/// in profiles.
#[derive(Default)]
struct Scratch {
    /// Per pixel: corner score + 1, or 0; all 0 between uses.
    scores: Vec<u16>,
    /// Horizontal 5-sums, then 5×5 sums.
    rows: Vec<u16>,
    sums: Vec<u16>,
}

/// The corners whose score is the highest in the (2·radius+1)² square around them
/// (ties go to the first in reading order). `scores` is all zero before and after.
#[inline(always)]
fn strongest_only(
    corners: Vec<Corner>,
    image: &GrayImage,
    radius: usize,
    scores: &mut Vec<u16>,
) -> Vec<Corner> {
    let w = image.width() as usize;
    let needed = w * image.height() as usize;
    if scores.len() < needed {
        scores.resize(needed, 0);
    }
    for c in &corners {
        scores[c.y * w + c.x] = u16::from(c.score) + 1;
    }
    let kept = corners
        .iter()
        .copied()
        .filter(|c| {
            let own = u16::from(c.score) + 1;
            let here = c.y * w + c.x;
            (c.y - radius..=c.y + radius).all(|y| {
                (c.x - radius..=c.x + radius).all(|x| {
                    let i = y * w + x;
                    let other = scores[i];
                    other < own || (other == own && i >= here)
                })
            })
        })
        .collect();
    for c in &corners {
        scores[c.y * w + c.x] = 0;
    }
    kept
}

/// Sums over the 5×5 square around each pixel, row by row (meaningless within 2 pixels
/// of the border, where no test ever looks): the smoothing of the descriptor's tests,
/// sums rather than means so nothing is rounded.
#[inline(always)]
fn box_sums_5x5<'a>(image: &GrayImage, scratch: &'a mut Scratch) -> &'a [u16] {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let data = image.as_raw();
    for buffer in [&mut scratch.rows, &mut scratch.sums] {
        if buffer.len() < w * h {
            buffer.resize(w * h, 0);
        }
    }
    let (rows, sums) = (&mut scratch.rows[..w * h], &mut scratch.sums[..w * h]);
    if w < 5 || h < 5 {
        return sums;
    }
    // Written as zips of shifted slices so the compiler vectorises them.
    for (src, dst) in data.chunks_exact(w).zip(rows.chunks_exact_mut(w)) {
        let n = w - 4;
        for ((((out, a), b), c), (d, e)) in dst[2..w - 2]
            .iter_mut()
            .zip(&src[..n])
            .zip(&src[1..])
            .zip(&src[2..])
            .zip(src[3..].iter().zip(&src[4..]))
        {
            *out = u16::from(*a) + u16::from(*b) + u16::from(*c) + u16::from(*d) + u16::from(*e);
        }
    }
    for y in 2..h - 2 {
        let r = |k: usize| &rows[(y + k - 2) * w..][..w];
        let (r0, r1, r2, r3, r4) = (r(0), r(1), r(2), r(3), r(4));
        for ((((out, a), b), c), (d, e)) in sums[y * w..][..w]
            .iter_mut()
            .zip(r0)
            .zip(r1)
            .zip(r2)
            .zip(r3.iter().zip(r4))
        {
            *out = a + b + c + d + e;
        }
    }
    sums
}

/// Bilinear resampling of a grey image (pixel centres aligned), for a pyramid step of
/// 1/1.2 where it does not alias; several times faster than the general filters.
/// Separable: each source row is resampled across once (8-bit fixed-point weights, the
/// sums fit `u16`), then output rows blend two of those, in loops that vectorise.
#[inline(always)]
fn resize_bilinear(src: &GrayImage, w: u32, h: u32) -> GrayImage {
    let (sw, sh) = (src.width() as usize, src.height() as usize);
    let (w, h) = (w as usize, h as usize);
    let (fx, fy) = (sw as f64 / w as f64, sh as f64 / h as f64);
    let data = src.as_raw();
    // Source column pairs and weights, computed once per column.
    let columns: Vec<(usize, usize, u16)> = (0..w)
        .map(|x| {
            let sx = ((x as f64 + 0.5) * fx - 0.5).clamp(0.0, (sw - 1) as f64);
            let x0 = sx.floor() as usize;
            (x0, (x0 + 1).min(sw - 1), ((sx - x0 as f64) * 256.0) as u16)
        })
        .collect();
    let across = |y: usize, out: &mut Vec<u16>| {
        let row = &data[y * sw..][..sw];
        out.clear();
        out.extend(
            columns
                .iter()
                .map(|&(x0, x1, wx)| u16::from(row[x0]) * (256 - wx) + u16::from(row[x1]) * wx),
        );
    };
    // The two most recent source rows resampled across, and which rows they are.
    let (mut top, mut bottom) = (Vec::with_capacity(w), Vec::with_capacity(w));
    let (mut top_y, mut bottom_y) = (usize::MAX, usize::MAX);
    let mut out = vec![0u8; w * h];
    for (y, out_row) in out.chunks_exact_mut(w).enumerate() {
        let sy = ((y as f64 + 0.5) * fy - 0.5).clamp(0.0, (sh - 1) as f64);
        let y0 = sy.floor() as usize;
        let y1 = (y0 + 1).min(sh - 1);
        let wy = ((sy - y0 as f64) * 256.0) as u32;
        if top_y != y0 {
            if bottom_y == y0 {
                std::mem::swap(&mut top, &mut bottom);
                bottom_y = usize::MAX;
            } else {
                across(y0, &mut top);
            }
            top_y = y0;
        }
        if bottom_y != y1 {
            across(y1, &mut bottom);
            bottom_y = y1;
        }
        for ((o, &t), &b) in out_row.iter_mut().zip(&top).zip(&bottom) {
            *o = ((u32::from(t) * (256 - wy) + u32::from(b) * wy + (1 << 15)) >> 16) as u8;
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out)
        .unwrap_or_else(|| GrayImage::new(w as u32, h as u32))
}

/// Half-width of the circular patch on each row, from the top.
fn patch_half_widths() -> &'static [usize; 2 * PATCH_RADIUS as usize + 1] {
    static HALF: std::sync::OnceLock<[usize; 2 * PATCH_RADIUS as usize + 1]> =
        std::sync::OnceLock::new();
    HALF.get_or_init(|| {
        std::array::from_fn(|row| {
            let dy = row as i32 - PATCH_RADIUS;
            f64::from(PATCH_RADIUS * PATCH_RADIUS - dy * dy).sqrt() as usize
        })
    })
}

/// The direction from the keypoint to its patch's intensity centroid.
#[inline(always)]
fn orientation(image: &GrayImage, cx: usize, cy: usize) -> f64 {
    let (mut m01, mut m10) = (0i64, 0i64);
    let data = image.as_raw();
    let stride = image.width() as usize;
    let radius = PATCH_RADIUS as usize;
    for (row, &half) in patch_half_widths().iter().enumerate() {
        let start = (cy + row - radius) * stride + cx - half;
        let (mut row_sum, mut row_moment) = (0i32, 0i32);
        for (dx, &v) in (-(half as i32)..).zip(&data[start..=start + 2 * half]) {
            row_moment += dx * i32::from(v);
            row_sum += i32::from(v);
        }
        m10 += i64::from(row_moment);
        m01 += (row as i64 - radius as i64) * i64::from(row_sum);
    }
    (m01 as f64).atan2(m10 as f64)
}

/// Steps the orientation is rounded to, as ORB does (12°): the rotated test pattern is
/// computed once per step instead of once per keypoint.
const ANGLE_STEPS: usize = 30;

/// Offsets (dx1, dy1, dx2, dy2) of the 256 tests rotated to each angle step.
fn rotated_patterns() -> &'static Vec<[[i32; 4]; 256]> {
    static PATTERNS: std::sync::OnceLock<Vec<[[i32; 4]; 256]>> = std::sync::OnceLock::new();
    PATTERNS.get_or_init(|| {
        (0..ANGLE_STEPS)
            .map(|step| {
                let angle = std::f64::consts::TAU * step as f64 / ANGLE_STEPS as f64;
                let (sin, cos) = angle.sin_cos();
                let rotate = |x: i8, y: i8| {
                    let (x, y) = (f64::from(x), f64::from(y));
                    (
                        (cos * x - sin * y).round() as i32,
                        (sin * x + cos * y).round() as i32,
                    )
                };
                let mut pattern = [[0i32; 4]; 256];
                for (out, [x1, y1, x2, y2]) in pattern.iter_mut().zip(test_pattern()) {
                    let (a, b) = rotate(*x1, *y1);
                    let (c, d) = rotate(*x2, *y2);
                    *out = [a, b, c, d];
                }
                pattern
            })
            .collect()
    })
}

/// The rotated tests as offsets into an image of the given row length, per angle step.
fn pattern_offsets(stride: usize) -> Vec<[[isize; 2]; 256]> {
    let stride = stride as isize;
    rotated_patterns()
        .iter()
        .map(|pattern| {
            pattern.map(|[x1, y1, x2, y2]| {
                [
                    y1 as isize * stride + x1 as isize,
                    y2 as isize * stride + x2 as isize,
                ]
            })
        })
        .collect()
}

fn angle_step(angle: f64) -> usize {
    (angle.rem_euclid(std::f64::consts::TAU) / std::f64::consts::TAU * ANGLE_STEPS as f64).round()
        as usize
        % ANGLE_STEPS
}

/// The 256 test bits at `centre` (an index into `sums`), from tests already rotated.
#[inline(always)]
fn describe(sums: &[u16], centre: usize, tests: &[[isize; 2]; 256]) -> Descriptor {
    let at = |offset: isize| sums[centre.wrapping_add_signed(offset)];
    let mut d = [0u64; 4];
    for (word, chunk) in d.iter_mut().zip(tests.chunks_exact(64)) {
        for (bit, [a, b]) in chunk.iter().enumerate() {
            *word |= u64::from(at(*a) < at(*b)) << bit;
        }
    }
    d
}

#[inline(always)]
pub fn hamming(a: &Descriptor, b: &Descriptor) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real photo, grey, at a size that keeps debug-build tests quick.
    fn photo() -> GrayImage {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/coffee-no-gps.jpg");
        let image = image::open(path).expect("test photo decodes").to_luma8();
        image::imageops::resize(&image, 400, 300, image::imageops::FilterType::Triangle)
    }

    #[test]
    fn fast9_finds_the_same_corners_and_scores_as_imageproc() {
        let image = photo();
        let (w, h) = image.dimensions();
        let mut ours: Vec<(u32, u32, u8)> = fast9(&image, FAST_THRESHOLD)
            .iter()
            .map(|c| (c.x as u32, c.y as u32, c.score))
            .collect();
        // imageproc's score is the largest threshold the corner passes (strictly
        // beyond it); ours is the weakest difference of the best arc, one more.
        let mut reference: Vec<(u32, u32, u8)> =
            imageproc::corners::corners_fast9(&image, FAST_THRESHOLD)
                .iter()
                .filter(|c| c.x >= MARGIN && c.y >= MARGIN && c.x < w - MARGIN && c.y < h - MARGIN)
                .map(|c| (c.x, c.y, c.score as u8 + 1))
                .collect();
        ours.sort_unstable();
        reference.sort_unstable();
        assert!(reference.len() > 500, "{} corners", reference.len());
        assert_eq!(ours, reference);
    }

    #[test]
    fn non_maximum_suppression_keeps_exactly_the_local_maxima() {
        let image = photo();
        let corners = fast9(&image, FAST_THRESHOLD);
        let mut scratch = Scratch::default();
        let kept = strongest_only(corners.clone(), &image, 3, &mut scratch.scores);
        assert!(scratch.scores.iter().all(|&s| s == 0), "scores left behind");
        // The definition, checked pair by pair.
        let beaten = |c: &Corner| {
            corners.iter().any(|o| {
                let near = o.x.abs_diff(c.x) <= 3 && o.y.abs_diff(c.y) <= 3;
                let first = (o.y, o.x) < (c.y, c.x);
                near && (o.score > c.score || (o.score == c.score && first))
            })
        };
        let expected: Vec<(usize, usize)> = corners
            .iter()
            .filter(|c| !beaten(c))
            .map(|c| (c.x, c.y))
            .collect();
        let got: Vec<(usize, usize)> = kept.iter().map(|c| (c.x, c.y)).collect();
        assert!(got.len() > 100 && got.len() < corners.len() / 2);
        assert_eq!(got, expected);
    }

    #[test]
    fn box_sums_and_resizing_match_their_direct_definitions() {
        let image = photo();
        let (w, h) = (image.width() as usize, image.height() as usize);
        let mut scratch = Scratch::default();
        let sums = box_sums_5x5(&image, &mut scratch).to_vec();
        for y in 2..h - 2 {
            for x in 2..w - 2 {
                let direct: u32 = (0..25)
                    .map(|k| {
                        u32::from(
                            image.get_pixel((x + k % 5 - 2) as u32, (y + k / 5 - 2) as u32)[0],
                        )
                    })
                    .sum();
                assert_eq!(u32::from(sums[y * w + x]), direct, "at {x},{y}");
            }
        }
        // Bilinear with pixel centres aligned, weights in 1/256, rounded.
        let (ow, oh) = (333u32, 250u32);
        let small = resize_bilinear(&image, ow, oh);
        let (fx, fy) = (w as f64 / f64::from(ow), h as f64 / f64::from(oh));
        for y in 0..oh {
            for x in 0..ow {
                let sx = ((f64::from(x) + 0.5) * fx - 0.5).clamp(0.0, (w - 1) as f64);
                let sy = ((f64::from(y) + 0.5) * fy - 0.5).clamp(0.0, (h - 1) as f64);
                let (x0, y0) = (sx.floor() as u32, sy.floor() as u32);
                let (x1, y1) = ((x0 + 1).min(w as u32 - 1), (y0 + 1).min(h as u32 - 1));
                let (wx, wy) = (
                    ((sx - sx.floor()) * 256.0) as u32,
                    ((sy - sy.floor()) * 256.0) as u32,
                );
                let px = |x, y| u32::from(image.get_pixel(x, y)[0]);
                let top = px(x0, y0) * (256 - wx) + px(x1, y0) * wx;
                let bottom = px(x0, y1) * (256 - wx) + px(x1, y1) * wx;
                let direct = ((top * (256 - wy) + bottom * wy + (1 << 15)) >> 16) as u8;
                assert_eq!(small.get_pixel(x, y)[0], direct, "at {x},{y}");
            }
        }
    }

    #[test]
    fn descriptors_do_not_change_with_the_instruction_set() {
        // `detect` runs the dispatched copy; the baseline copy is `detect_here` called
        // directly. Integer work only, so they must agree bit for bit.
        let image = photo();
        assert_eq!(detect(&image, 500), detect_here(&image, 500));
    }
}
