//! ORB-style features: FAST corners on an image pyramid, oriented by the intensity
//! centroid, described by 256 steered binary tests (rBRIEF) on a smoothed patch.
//! Single-threaded; matching two images runs their detection one after the other.

use image::GrayImage;
use imageproc::corners::corners_fast9;
use imageproc::filter::box_filter;
use imageproc::suppress::local_maxima;

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
    let mut keypoints = Vec::new();
    let mut descriptors = Vec::new();
    let mut level_image = image.clone();
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
        let (w, h) = level_image.dimensions();
        let mut corners: Vec<_> = local_maxima(&corners_fast9(&level_image, FAST_THRESHOLD), 3)
            .into_iter()
            .filter(|c| c.x >= MARGIN && c.y >= MARGIN && c.x < w - MARGIN && c.y < h - MARGIN)
            .collect();
        corners.sort_by(|a, b| b.score.total_cmp(&a.score));
        corners.truncate(want);
        // A 5×5 box filter stands in for ORB's 7×7 Gaussian (σ = 2): the tests compare
        // smoothed intensities, and the box filter costs a fraction of the Gaussian.
        let smooth = box_filter(&level_image, 2, 2);
        for c in corners {
            let angle = orientation(&level_image, c.x as i32, c.y as i32);
            descriptors.push(describe(&smooth, c.x as i32, c.y as i32, angle));
            keypoints.push(Keypoint {
                x: f64::from(c.x) * scale,
                y: f64::from(c.y) * scale,
                angle,
                level: level as u8,
                score: c.score,
            });
        }
    }
    (keypoints, descriptors)
}

/// Bilinear resampling of a grey image (pixel centres aligned), for a pyramid step of
/// 1/1.2 where it does not alias; several times faster than the general filters.
fn resize_bilinear(src: &GrayImage, w: u32, h: u32) -> GrayImage {
    let (sw, sh) = src.dimensions();
    let (fx, fy) = (f64::from(sw) / f64::from(w), f64::from(sh) / f64::from(h));
    let data = src.as_raw();
    let stride = sw as usize;
    // Source column pairs and weights (8-bit fixed point), computed once per column.
    let columns: Vec<(usize, usize, u32)> = (0..w)
        .map(|x| {
            let sx = ((f64::from(x) + 0.5) * fx - 0.5).clamp(0.0, f64::from(sw - 1));
            let x0 = sx.floor() as usize;
            let x1 = (x0 + 1).min(stride - 1);
            (x0, x1, ((sx - x0 as f64) * 256.0) as u32)
        })
        .collect();
    let mut out = Vec::with_capacity((w * h) as usize);
    for y in 0..h {
        let sy = ((f64::from(y) + 0.5) * fy - 0.5).clamp(0.0, f64::from(sh - 1));
        let y0 = sy.floor() as usize;
        let y1 = (y0 + 1).min(sh as usize - 1);
        let wy = ((sy - y0 as f64) * 256.0) as u32;
        let (r0, r1) = (
            &data[y0 * stride..][..stride],
            &data[y1 * stride..][..stride],
        );
        for &(x0, x1, wx) in &columns {
            let top = u32::from(r0[x0]) * (256 - wx) + u32::from(r0[x1]) * wx;
            let bottom = u32::from(r1[x0]) * (256 - wx) + u32::from(r1[x1]) * wx;
            out.push(((top * (256 - wy) + bottom * wy + (1 << 15)) >> 16) as u8);
        }
    }
    GrayImage::from_raw(w, h, out).unwrap_or_else(|| GrayImage::new(w, h))
}

/// The direction from the keypoint to its patch's intensity centroid.
fn orientation(image: &GrayImage, cx: i32, cy: i32) -> f64 {
    let (mut m01, mut m10) = (0i64, 0i64);
    let data = image.as_raw();
    let stride = image.width() as usize;
    let r2 = PATCH_RADIUS * PATCH_RADIUS;
    for dy in -PATCH_RADIUS..=PATCH_RADIUS {
        // Half-width of the circular patch on this row.
        let half = f64::from(r2 - dy * dy).sqrt() as i32;
        let row = (cy + dy) as usize * stride;
        let mut row_sum = 0i64;
        for dx in -half..=half {
            let v = i64::from(data[row + (cx + dx) as usize]);
            m10 += i64::from(dx) * v;
            row_sum += v;
        }
        m01 += i64::from(dy) * row_sum;
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

fn describe(smooth: &GrayImage, cx: i32, cy: i32, angle: f64) -> Descriptor {
    let step = (angle.rem_euclid(std::f64::consts::TAU) / std::f64::consts::TAU
        * ANGLE_STEPS as f64)
        .round() as usize
        % ANGLE_STEPS;
    let data = smooth.as_raw();
    let stride = smooth.width() as i32;
    let centre = cy * stride + cx;
    let at = |dx: i32, dy: i32| data[(centre + dy * stride + dx) as usize];
    let mut d = [0u64; 4];
    for (i, [x1, y1, x2, y2]) in rotated_patterns()[step].iter().enumerate() {
        if at(*x1, *y1) < at(*x2, *y2) {
            d[i / 64] |= 1 << (i % 64);
        }
    }
    d
}

pub fn hamming(a: &Descriptor, b: &Descriptor) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}
