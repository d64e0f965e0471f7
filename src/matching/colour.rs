//! Colour similarity of two regions (clothing, vehicles): colour distributions in CIELAB,
//! where distances follow perceived differences. More or less light scales XYZ, which
//! scales L*+16, a* and b* alike (the cube root in CIELAB), so the score compares
//! exposure-free chromaticity (a*, b*)/(L*+16) and the *shape* of the log-lightness
//! distribution: the same jacket photographed in brighter or dimmer light still scores
//! high. The dominant colours are given as swatches so the analyst sees what was compared.

use image::{DynamicImage, GenericImageView};
use palette::{IntoColor, Lab, Srgb};
use serde::Serialize;

use super::{Roi, RoiError};

/// Bins of (a*, b*)/(L*+16) over ±0.8 (nearly all real surfaces fall inside).
const CHROMA_BINS: usize = 16;
const CHROMA_RANGE: f32 = 0.8;
/// Bins of ln(L*+16) over ±0.6 around the region's mean.
const LIGHT_BINS: usize = 12;
const LIGHT_RANGE: f32 = 0.6;
/// At most this many pixels are sampled per region (evenly spaced).
const MAX_SAMPLES: u32 = 40_000;
const SWATCHES: usize = 3;

/// One dominant colour and its share of the region.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Swatch {
    pub rgb: [u8; 3],
    pub lab: [f32; 3],
    pub share: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColourProfile {
    pub pixels: usize,
    pub mean_lightness: f32,
    pub swatches: Vec<Swatch>,
    #[serde(skip)]
    chroma: Vec<f32>,
    #[serde(skip)]
    lightness: Vec<f32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColourComparison {
    /// 0 (nothing in common) to 1 (the same distribution).
    pub similarity: f32,
    /// Histogram intersection of chroma (a*, b*): hue and saturation.
    pub chroma_similarity: f32,
    /// Intersection of the lightness distributions after removing the mean shift.
    pub lightness_similarity: f32,
    /// Mean lightness of B minus A (L* units): how much brighter B is.
    pub lightness_shift: f32,
    pub a: ColourProfile,
    pub b: ColourProfile,
}

fn to_lab(rgb: [u8; 3]) -> [f32; 3] {
    let lab: Lab = Srgb::new(rgb[0], rgb[1], rgb[2])
        .into_format::<f32>()
        .into_linear()
        .into_color();
    [lab.l, lab.a, lab.b]
}

fn to_rgb(lab: [f32; 3]) -> [u8; 3] {
    let linear: palette::LinSrgb<f32> = Lab::new(lab[0], lab[1], lab[2]).into_color();
    let s: Srgb<f32> = Srgb::from_linear(linear);
    let s: Srgb<u8> = s.into_format();
    [s.red, s.green, s.blue]
}

/// The colour distribution of `roi` (or the whole image).
pub fn profile(image: &DynamicImage, roi: Option<Roi>) -> Result<ColourProfile, RoiError> {
    let (w, h) = image.dimensions();
    let roi = roi.unwrap_or(Roi { x: 0, y: 0, w, h });
    if roi.x.saturating_add(roi.w) > w
        || roi.y.saturating_add(roi.h) > h
        || roi.w == 0
        || roi.h == 0
    {
        return Err(RoiError::Outside {
            roi,
            width: w,
            height: h,
        });
    }
    let step = ((u64::from(roi.w) * u64::from(roi.h) / u64::from(MAX_SAMPLES)) as f64)
        .sqrt()
        .ceil()
        .max(1.0) as u32;
    let mut samples = Vec::new();
    for y in (roi.y..roi.y + roi.h).step_by(step as usize) {
        for x in (roi.x..roi.x + roi.w).step_by(step as usize) {
            let p = image.get_pixel(x, y).0;
            samples.push(to_lab([p[0], p[1], p[2]]));
        }
    }
    let n = samples.len() as f32;
    let mean_l = samples.iter().map(|s| s[0]).sum::<f32>() / n;
    let mean_log = samples.iter().map(|s| (s[0] + 16.0).ln()).sum::<f32>() / n;
    let mut chroma = vec![0f32; CHROMA_BINS * CHROMA_BINS];
    let mut lightness = vec![0f32; LIGHT_BINS];
    for s in &samples {
        let scale = s[0] + 16.0;
        let (ca, cb) = (
            position(s[1] / scale, CHROMA_RANGE, CHROMA_BINS),
            position(s[2] / scale, CHROMA_RANGE, CHROMA_BINS),
        );
        // Bilinear splatting: a value near a bin edge counts for both neighbours, so a
        // small shift does not move all of its weight.
        for (ia, wa) in ca {
            for (ib, wb) in cb {
                chroma[ia * CHROMA_BINS + ib] += wa * wb / n;
            }
        }
        for (il, wl) in position((scale).ln() - mean_log, LIGHT_RANGE, LIGHT_BINS) {
            lightness[il] += wl / n;
        }
    }
    let swatches = dominant(&samples);
    Ok(ColourProfile {
        pixels: samples.len(),
        mean_lightness: mean_l,
        swatches,
        chroma,
        lightness,
    })
}

/// k-means in Lab (k = 3, deterministic farthest-point start), largest cluster first.
fn dominant(samples: &[[f32; 3]]) -> Vec<Swatch> {
    let dist = |a: &[f32; 3], b: &[f32; 3]| (0..3).map(|i| (a[i] - b[i]).powi(2)).sum::<f32>();
    let mut centres = vec![samples[0]];
    while centres.len() < SWATCHES.min(samples.len()) {
        let far = samples
            .iter()
            .max_by(|a, b| {
                let da = centres.iter().map(|c| dist(a, c)).fold(f32::MAX, f32::min);
                let db = centres.iter().map(|c| dist(b, c)).fold(f32::MAX, f32::min);
                da.total_cmp(&db)
            })
            .copied()
            .unwrap_or(samples[0]);
        centres.push(far);
    }
    let mut counts = vec![0usize; centres.len()];
    for _ in 0..12 {
        let mut sums = vec![[0f32; 3]; centres.len()];
        counts.iter_mut().for_each(|c| *c = 0);
        for s in samples {
            let k = (0..centres.len())
                .min_by(|&i, &j| dist(s, &centres[i]).total_cmp(&dist(s, &centres[j])))
                .unwrap_or(0);
            counts[k] += 1;
            (0..3).for_each(|i| sums[k][i] += s[i]);
        }
        for (k, c) in centres.iter_mut().enumerate() {
            if counts[k] > 0 {
                *c = sums[k].map(|v| v / counts[k] as f32);
            }
        }
    }
    let mut swatches: Vec<Swatch> = centres
        .iter()
        .zip(&counts)
        .filter(|(_, n)| **n > 0)
        .map(|(c, n)| Swatch {
            rgb: to_rgb(*c),
            lab: *c,
            share: *n as f32 / samples.len() as f32,
        })
        .collect();
    swatches.sort_by(|a, b| b.share.total_cmp(&a.share));
    swatches
}

/// The two bins a value falls between and their weights (summing to 1).
fn position(v: f32, range: f32, bins: usize) -> [(usize, f32); 2] {
    let x = ((v + range) / (2.0 * range) * bins as f32 - 0.5).clamp(0.0, bins as f32 - 1.0);
    let i = (x.floor() as usize).min(bins - 1);
    let j = (i + 1).min(bins - 1);
    let f = x - i as f32;
    [(i, 1.0 - f), (j, f)]
}

fn intersection(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x.min(*y)).sum()
}

/// Compares two regions' colours.
pub fn compare(a: ColourProfile, b: ColourProfile) -> ColourComparison {
    let chroma = intersection(&a.chroma, &b.chroma);
    let light = intersection(&a.lightness, &b.lightness);
    ColourComparison {
        // Chroma carries the identity of a colour; lightness shape adds texture.
        similarity: 0.75 * chroma + 0.25 * light,
        chroma_similarity: chroma,
        lightness_similarity: light,
        lightness_shift: b.mean_lightness - a.mean_lightness,
        a,
        b,
    }
}
