//! A proposed skyline for a frame: in each column, the topmost strong change from
//! bright sky above to darker ground below. Only a proposal: the analyst accepts it or
//! edits it before it is fitted.
//!
//! The frame's luminance (Rec. 709) is averaged down to at most [`WORK_SIDE`] pixels a
//! side and blurred (Gaussian, σ 1.5 px); the vertical gradient is the blurred
//! luminance two rows above minus two rows below. A column's skyline is the first
//! local peak of that gradient, from the top, that reaches half the column's strongest
//! peak (and a floor set from the whole frame), with the sky above it on average
//! brighter than the ground below. A median over five columns removes single-column
//! outliers.

use image::DynamicImage;
use serde::Serialize;

use super::super::TerrainError;
use super::score::Trace;

/// The largest side of the image the edges are searched in, pixels.
pub const WORK_SIDE: u32 = 1024;

/// The proposal and how much of the frame it covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// Polylines in the frame's pixels, one per run of columns with a skyline.
    pub trace: Trace,
    /// Columns searched (of the reduced image) and those where a skyline was found.
    pub columns: usize,
    pub found: usize,
}

/// Luminance 0…1 averaged over `k`×`k` blocks.
fn luminance(image: &DynamicImage, k: u32) -> (Vec<f32>, usize, usize) {
    let rgb = image.to_rgb32f();
    let (w, h) = (
        rgb.width().div_ceil(k) as usize,
        rgb.height().div_ceil(k) as usize,
    );
    let mut sum = vec![0.0f32; w * h];
    let mut count = vec![0u32; w * h];
    for (x, y, p) in rgb.enumerate_pixels() {
        let i = (y / k) as usize * w + (x / k) as usize;
        sum[i] += 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
        count[i] += 1;
    }
    for (s, c) in sum.iter_mut().zip(&count) {
        *s /= (*c).max(1) as f32;
    }
    (sum, w, h)
}

/// A separable Gaussian blur, σ 1.5 px, edges clamped.
fn blur(v: &[f32], w: usize, h: usize) -> Vec<f32> {
    let kernel: Vec<f32> = (-4i32..=4)
        .map(|i| (-(i * i) as f32 / (2.0 * 1.5 * 1.5)).exp())
        .collect();
    let total: f32 = kernel.iter().sum();
    let pass = |src: &[f32], horizontal: bool| -> Vec<f32> {
        let mut out = vec![0.0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let mut acc = 0.0;
                for (j, k) in kernel.iter().enumerate() {
                    let o = j as i64 - 4;
                    let (sx, sy) = if horizontal {
                        ((x as i64 + o).clamp(0, w as i64 - 1) as usize, y)
                    } else {
                        (x, (y as i64 + o).clamp(0, h as i64 - 1) as usize)
                    };
                    acc += k * src[sy * w + sx];
                }
                out[y * w + x] = acc / total;
            }
        }
        out
    };
    pass(&pass(v, true), false)
}

/// The row of a column's skyline, if it has one.
fn column_edge(l: &[f32], g: &[f32], w: usize, h: usize, x: usize, floor: f32) -> Option<usize> {
    let at = |y: usize| g[y * w + x];
    let strongest = (2..h - 2).map(at).fold(0.0f32, f32::max);
    let threshold = (0.5 * strongest).max(floor);
    let band = (h / 10).max(3);
    for y in 3..h - 3 {
        let v = at(y);
        if v < threshold || v < at(y - 1) || v < at(y + 1) {
            continue;
        }
        let above = (0..y - 2).map(|r| l[r * w + x]).sum::<f32>() / (y - 2) as f32;
        let below_end = (y + 2 + band).min(h);
        let below =
            (y + 2..below_end).map(|r| l[r * w + x]).sum::<f32>() / (below_end - y - 2) as f32;
        if above > below + 0.5 * floor {
            return Some(y);
        }
    }
    None
}

/// The proposed skyline of a frame (in its oriented pixels).
pub fn suggest_skyline(image: &DynamicImage) -> Result<Suggestion, TerrainError> {
    let (fw, fh) = (image.width(), image.height());
    if fw < 8 || fh < 8 {
        return Err(TerrainError::FrameTooSmall {
            width: fw,
            height: fh,
        });
    }
    let k = fw.max(fh).div_ceil(WORK_SIDE).max(1);
    let (l, w, h) = luminance(image, k);
    if w < 8 || h < 8 {
        return Err(TerrainError::FrameTooSmall {
            width: fw,
            height: fh,
        });
    }
    let l = blur(&l, w, h);
    let mut g = vec![0.0f32; w * h];
    for y in 2..h - 2 {
        for x in 0..w {
            g[y * w + x] = l[(y - 2) * w + x] - l[(y + 2) * w + x];
        }
    }
    // The frame-wide floor: a quarter of the 99th percentile of positive gradients.
    let mut positive: Vec<f32> = g.iter().copied().filter(|v| *v > 0.0).collect();
    let floor = if positive.is_empty() {
        f32::INFINITY
    } else {
        let i = (positive.len() * 99 / 100).min(positive.len() - 1);
        0.25 * *positive.select_nth_unstable_by(i, f32::total_cmp).1
    }
    .max(0.02);
    let rows: Vec<Option<usize>> = (0..w)
        .map(|x| column_edge(&l, &g, w, h, x, floor))
        .collect();
    let rows = median5(&rows);
    let scale = f64::from(k);
    let mut polylines: Vec<Vec<[f64; 2]>> = Vec::new();
    let mut current: Vec<[f64; 2]> = Vec::new();
    for (x, row) in rows.iter().enumerate() {
        match row {
            Some(y) => current.push([
                ((x as f64 + 0.5) * scale).min(f64::from(fw)),
                ((*y as f64 + 0.5) * scale).min(f64::from(fh)),
            ]),
            None if !current.is_empty() => polylines.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        polylines.push(current);
    }
    Ok(Suggestion {
        found: rows.iter().flatten().count(),
        columns: w,
        trace: Trace { polylines },
    })
}

/// Each found row replaced by the median of the found rows among its five columns.
fn median5(rows: &[Option<usize>]) -> Vec<Option<usize>> {
    (0..rows.len())
        .map(|x| {
            rows[x]?;
            let mut near: Vec<usize> = rows[x.saturating_sub(2)..(x + 3).min(rows.len())]
                .iter()
                .flatten()
                .copied()
                .collect();
            near.sort_unstable();
            Some(near[near.len() / 2])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bright_sky_over_dark_ground_gives_its_boundary() {
        // Sky 0.8 above a slanted line y = 20 + x/4, ground 0.2 below.
        let img = image::RgbImage::from_fn(80, 60, |x, y| {
            let v = if f64::from(y) < 20.0 + f64::from(x) / 4.0 {
                200
            } else {
                50
            };
            image::Rgb([v, v, v])
        });
        let s = suggest_skyline(&DynamicImage::ImageRgb8(img)).unwrap();
        assert_eq!(s.found, 80);
        for p in &s.trace.polylines[0] {
            let truth = 20.0 + (p[0] - 0.5) / 4.0;
            assert!((p[1] - truth).abs() <= 1.5, "{p:?} vs {truth}");
        }
    }

    #[test]
    fn dark_over_bright_is_not_a_skyline_and_tiny_frames_are_refused() {
        let img = image::RgbImage::from_fn(40, 40, |_, y| {
            let v = if y < 20 { 40 } else { 220 };
            image::Rgb([v, v, v])
        });
        let s = suggest_skyline(&DynamicImage::ImageRgb8(img)).unwrap();
        assert_eq!(s.found, 0);
        let tiny = DynamicImage::ImageRgb8(image::RgbImage::new(4, 30));
        let e = suggest_skyline(&tiny).unwrap_err().to_string();
        assert!(e.contains("4×30"), "{e}");
    }
}
