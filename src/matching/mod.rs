//! Assisted matching: proposals for the analyst, never conclusions. Correspondences
//! between two images (ORB-style features, ratio test, cross-check, RANSAC homography),
//! reported with their inlier count and reprojection error as they are.

pub mod colour;
pub mod features;
pub mod homography;

use image::{DynamicImage, GrayImage};
use nalgebra::Matrix3;
use serde::Serialize;

use features::{Descriptor, detect, hamming};
use homography::{Point, ransac};

/// A region of an image, in oriented full-resolution pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Roi {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// Why a region was refused, with the text as written or the region and image size.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoiError {
    #[error("{text:?}: a region is X,Y,W,H in whole pixels")]
    NotARegion { text: String },
    #[error("{text:?}: a region must be at least 32×32 pixels")]
    TooSmall { text: String },
    #[error(
        "region {},{},{},{} is outside the {width}×{height} image",
        roi.x, roi.y, roi.w, roi.h
    )]
    Outside { roi: Roi, width: u32, height: u32 },
}

impl Roi {
    /// Parses `X,Y,W,H`.
    pub fn parse(text: &str) -> Result<Roi, RoiError> {
        let not_a_region = || RoiError::NotARegion {
            text: text.to_owned(),
        };
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        let numbers: Vec<u32> = parts
            .iter()
            .map(|p| p.parse::<u32>())
            .collect::<Result<_, _>>()
            .map_err(|_| not_a_region())?;
        match numbers[..] {
            [x, y, w, h] if w >= 32 && h >= 32 => Ok(Roi { x, y, w, h }),
            [_, _, _, _] => Err(RoiError::TooSmall {
                text: text.to_owned(),
            }),
            _ => Err(not_a_region()),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct MatchOptions {
    pub max_features: usize,
    /// Lowe's ratio: best distance must be below this fraction of the second best.
    pub ratio: f64,
    /// RANSAC inlier threshold, pixels of the working image.
    pub threshold_px: f64,
    /// Longer side of the working images; features are found at this size.
    pub working_side: u32,
}

impl Default for MatchOptions {
    fn default() -> MatchOptions {
        MatchOptions {
            max_features: 2000,
            ratio: 0.8,
            threshold_px: 3.0,
            working_side: 1024,
        }
    }
}

/// Below this many inliers a homography is not reported: chance agreement among wrong
/// matches produces a handful.
pub const MIN_INLIERS: usize = 15;

/// One proposed correspondence, in oriented full-resolution pixels of each image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Correspondence {
    pub a: [f64; 2],
    pub b: [f64; 2],
    /// Hamming distance of the descriptors (of 256 bits).
    pub distance: u32,
    /// Whether it agrees with the homography.
    pub inlier: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatchReport {
    pub keypoints_a: usize,
    pub keypoints_b: usize,
    pub matches: usize,
    pub inliers: usize,
    /// The fit was found with B flipped left-right (a mirrored copy); the homography
    /// and correspondences are still in B's own pixels, the flip included.
    pub mirrored: bool,
    /// Row-major 3×3, mapping A's pixels to B's; `None` when there is no reliable fit.
    pub homography: Option<[[f64; 3]; 3]>,
    /// Mean distance in B, pixels, between inliers and A's points mapped by the homography.
    pub mean_reprojection_error_px: Option<f64>,
    pub correspondences: Vec<Correspondence>,
    /// One plain sentence; never "confirmed".
    pub summary: String,
    /// Time spent on features, matching and the fit (not decoding), milliseconds.
    pub elapsed_ms: f64,
}

/// A working image: a crop of the oriented image, scaled, and how to get back.
struct Working {
    gray: GrayImage,
    /// full = offset + working / scale (per axis).
    offset: [f64; 2],
    scale: [f64; 2],
}

impl Working {
    /// `image` is the oriented image (possibly already reduced) standing for `full` size.
    fn new(
        image: &DynamicImage,
        full: (u32, u32),
        roi: Option<Roi>,
        side: u32,
    ) -> Result<Working, RoiError> {
        let roi = roi.unwrap_or(Roi {
            x: 0,
            y: 0,
            w: full.0,
            h: full.1,
        });
        if roi.x.saturating_add(roi.w) > full.0 || roi.y.saturating_add(roi.h) > full.1 {
            return Err(RoiError::Outside {
                roi,
                width: full.0,
                height: full.1,
            });
        }
        // The loaded image may be reduced: map the region into it.
        let (sx, sy) = (
            f64::from(image.width()) / f64::from(full.0),
            f64::from(image.height()) / f64::from(full.1),
        );
        let cx = (f64::from(roi.x) * sx).floor() as u32;
        let cy = (f64::from(roi.y) * sy).floor() as u32;
        let cw = ((f64::from(roi.w) * sx).round() as u32).clamp(1, image.width() - cx);
        let ch = ((f64::from(roi.h) * sy).round() as u32).clamp(1, image.height() - cy);
        let crop = gray_crop(image, cx, cy, cw, ch);
        let fit = f64::from(side) / f64::from(cw.max(ch));
        let gray = if fit < 1.0 {
            let (w, h) = (
                (f64::from(cw) * fit).round().max(1.0) as u32,
                (f64::from(ch) * fit).round().max(1.0) as u32,
            );
            image::imageops::resize(&crop, w, h, image::imageops::FilterType::Triangle)
        } else {
            crop
        };
        let scale = [
            f64::from(gray.width()) / (f64::from(cw) / sx),
            f64::from(gray.height()) / (f64::from(ch) / sy),
        ];
        Ok(Working {
            gray,
            offset: [f64::from(cx) / sx, f64::from(cy) / sy],
            scale,
        })
    }

    fn to_full(&self, p: Point) -> Point {
        [
            self.offset[0] + p[0] / self.scale[0],
            self.offset[1] + p[1] / self.scale[1],
        ]
    }

    /// The matrix taking full-image pixels to working pixels.
    fn full_to_working(&self) -> Matrix3<f64> {
        Matrix3::new(
            self.scale[0],
            0.0,
            -self.offset[0] * self.scale[0],
            0.0,
            self.scale[1],
            -self.offset[1] * self.scale[1],
            0.0,
            0.0,
            1.0,
        )
    }
}

/// The grey levels of a crop (Rec. 601 luma, integer weights), without first copying the
/// crop in colour: the generic conversion is several times slower on large images.
fn gray_crop(image: &DynamicImage, x: u32, y: u32, w: u32, h: u32) -> GrayImage {
    match image {
        DynamicImage::ImageRgb8(rgb) => {
            let stride = rgb.width() as usize * 3;
            let data = rgb.as_raw();
            let mut out = Vec::with_capacity((w * h) as usize);
            for row in y..y + h {
                let start = row as usize * stride + x as usize * 3;
                for px in data[start..start + w as usize * 3].chunks_exact(3) {
                    let v = 77 * u32::from(px[0]) + 150 * u32::from(px[1]) + 29 * u32::from(px[2]);
                    out.push(((v + 128) >> 8) as u8);
                }
            }
            GrayImage::from_raw(w, h, out).unwrap_or_else(|| GrayImage::new(w, h))
        }
        DynamicImage::ImageLuma8(gray) => image::imageops::crop_imm(gray, x, y, w, h).to_image(),
        other => other.crop_imm(x, y, w, h).to_luma8(),
    }
}

/// Pairs (index in A, index in B, distance) that pass the ratio test both ways and are
/// each other's best match.
pub fn match_descriptors(
    a: &[Descriptor],
    b: &[Descriptor],
    ratio: f64,
) -> Vec<(usize, usize, u32)> {
    let nearest = pulp::Arch::new().dispatch(Nearest { a, b });
    nearest
        .a_best
        .iter()
        .enumerate()
        .filter_map(|(i, &(j, best, second))| {
            let passes = j != usize::MAX
                && f64::from(best) < ratio * f64::from(second)
                && nearest.b_best[j] == i;
            passes.then_some((i, j, u32::from(best)))
        })
        .collect()
}

struct NearestResult {
    /// For each A: (best B, its distance, second-best distance).
    a_best: Vec<(usize, u16, u16)>,
    /// For each B: the A nearest to it (the first, on ties).
    b_best: Vec<usize>,
}

/// Distance and index packed in one integer (distance in the high bits), so one
/// vectorised minimum finds the nearest and, among equals, the first.
const INDEX_BITS: u32 = 23;

/// Brute-force nearest neighbours both ways in one pass over all pairs, compiled by pulp
/// once per instruction set (POPCNT + AVX2 where the CPU has them) and chosen at run
/// time, without `unsafe` here. Integer work only: every copy gives the same result.
struct Nearest<'a> {
    a: &'a [Descriptor],
    b: &'a [Descriptor],
}

impl pulp::WithSimd for Nearest<'_> {
    type Output = NearestResult;

    // `inline(always)` down to the loops is what puts them into each copy. A closure
    // would not do: its body stays out of line, built for the baseline only (measured:
    // half speed).
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> NearestResult {
        nearest_both_ways(self.a, self.b)
    }
}

/// Each loop is written to vectorise.
#[inline(always)]
fn nearest_both_ways(a: &[Descriptor], b: &[Descriptor]) -> NearestResult {
    debug_assert!(a.len() < 1 << INDEX_BITS);
    let mut row = vec![0u16; b.len()];
    let mut b_nearest = vec![u32::MAX; b.len()];
    let mut a_best = Vec::with_capacity(a.len());
    // B's descriptors word by word (structure of arrays), so the distance loop works
    // on several B descriptors per vector register.
    let [w0, w1, w2, w3]: [Vec<u64>; 4] = std::array::from_fn(|w| b.iter().map(|d| d[w]).collect());
    for (i, query) in a.iter().enumerate() {
        for ((out, (b0, b1)), (b2, b3)) in row
            .iter_mut()
            .zip(w0.iter().zip(&w1))
            .zip(w2.iter().zip(&w3))
        {
            *out = hamming(query, &[*b0, *b1, *b2, *b3]) as u16;
        }
        let Some(&best) = row.iter().min() else {
            a_best.push((usize::MAX, u16::MAX, u16::MAX));
            continue;
        };
        let j = row.iter().position(|&d| d == best).unwrap_or(0);
        row[j] = u16::MAX;
        let second = row.iter().copied().min().unwrap_or(u16::MAX);
        row[j] = best;
        a_best.push((j, best, second));
        let me = i as u32;
        for (&dist, nearest) in row.iter().zip(&mut b_nearest) {
            *nearest = (*nearest).min((u32::from(dist) << INDEX_BITS) | me);
        }
    }
    let mask = (1u32 << INDEX_BITS) - 1;
    let b_best = b_nearest.iter().map(|k| (k & mask) as usize).collect();
    NearestResult { a_best, b_best }
}

/// Proposes correspondences between two oriented images (`full_*` is the size each one
/// stands for, so results are in full-resolution pixels).
pub fn match_images(
    a: (&DynamicImage, (u32, u32)),
    b: (&DynamicImage, (u32, u32)),
    roi_a: Option<Roi>,
    roi_b: Option<Roi>,
    options: &MatchOptions,
) -> Result<MatchReport, MatchError> {
    match_images_with_progress(a, b, roi_a, roi_b, options, &|_, _| true)
}

/// One try at matching A's features with a set of B's: the mutual matches and the
/// RANSAC fit, kept only when it has [`MIN_INLIERS`].
struct Attempt {
    keypoints_b: usize,
    pairs: Vec<(usize, usize, u32)>,
    from: Vec<Point>,
    to: Vec<Point>,
    /// Support of the best fit even when too weak to report, for the summary.
    best_support: usize,
    fit: Option<homography::Fit>,
}

impl Attempt {
    fn new(
        ka: &[features::Keypoint],
        da: &[Descriptor],
        kb: &[features::Keypoint],
        db: &[Descriptor],
        options: &MatchOptions,
    ) -> Attempt {
        let pairs = match_descriptors(da, db, options.ratio);
        let from: Vec<Point> = pairs.iter().map(|&(i, _, _)| [ka[i].x, ka[i].y]).collect();
        let to: Vec<Point> = pairs.iter().map(|&(_, j, _)| [kb[j].x, kb[j].y]).collect();
        let best = ransac(&from, &to, options.threshold_px, 5000);
        let best_support = best.as_ref().map_or(0, |f| f.inliers.len());
        Attempt {
            keypoints_b: kb.len(),
            best_support,
            fit: best.filter(|f| f.inliers.len() >= MIN_INLIERS),
            pairs,
            from,
            to,
        }
    }
}

/// Why a match gave no report.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatchError {
    /// The progress callback asked to stop.
    #[error("cancelled")]
    Cancelled,
    /// A region does not fit its image (`image` is "A" or "B").
    #[error("{image}: {reason}")]
    Region {
        image: &'static str,
        reason: RoiError,
    },
    /// The images' scales make the fit meaningless.
    #[error("{0}")]
    Degenerate(&'static str),
    /// The work around the match failed: an image could not be read, the worker died.
    #[error("{0}")]
    Failed(String),
}

/// [`match_images`], telling `progress` each stage (name, 0..1) as it starts; when
/// `progress` returns false the work stops with [`MatchError::Cancelled`].
pub fn match_images_with_progress(
    a: (&DynamicImage, (u32, u32)),
    b: (&DynamicImage, (u32, u32)),
    roi_a: Option<Roi>,
    roi_b: Option<Roi>,
    options: &MatchOptions,
    progress: &dyn Fn(&str, f32) -> bool,
) -> Result<MatchReport, MatchError> {
    let stage = |name: &str, at: f32| {
        if progress(name, at) {
            Ok(())
        } else {
            Err(MatchError::Cancelled)
        }
    };
    let started = std::time::Instant::now();
    stage("preparing", 0.0)?;
    let wa = Working::new(a.0, a.1, roi_a, options.working_side)
        .map_err(|reason| MatchError::Region { image: "A", reason })?;
    let wb = Working::new(b.0, b.1, roi_b, options.working_side)
        .map_err(|reason| MatchError::Region { image: "B", reason })?;
    stage("features in A", 0.1)?;
    let (ka, da) = detect(&wa.gray, options.max_features);
    stage("features in B", 0.4)?;
    let (kb, db) = detect(&wb.gray, options.max_features);
    stage("matching descriptors", 0.7)?;
    let mut attempt = Attempt::new(&ka, &da, &kb, &db, options);
    let mut mirrored = false;
    if attempt.fit.is_none() {
        // Reposts are often mirrored, and binary descriptors do not survive a mirror:
        // try B flipped left-right before saying there is no common scene. Keypoints
        // are mapped back, so everything below is in B's own pixels.
        stage("trying B mirrored", 0.85)?;
        let flipped = image::imageops::flip_horizontal(&wb.gray);
        let (mut kf, df) = detect(&flipped, options.max_features);
        let right = f64::from(wb.gray.width()) - 1.0;
        for k in &mut kf {
            k.x = right - k.x;
        }
        let second = Attempt::new(&ka, &da, &kf, &df, options);
        if second.fit.is_some() {
            attempt = second;
            mirrored = true;
        }
    }
    let Attempt {
        keypoints_b,
        pairs,
        from,
        to,
        best_support,
        fit,
    } = attempt;
    let mut correspondences: Vec<Correspondence> = pairs
        .iter()
        .zip(from.iter().zip(&to))
        .map(|(&(_, _, distance), (pa, pb))| Correspondence {
            a: wa.to_full(*pa),
            b: wb.to_full(*pb),
            distance,
            inlier: false,
        })
        .collect();
    let (homography, mean_error) = match &fit {
        Some(f) => {
            for &i in &f.inliers {
                correspondences[i].inlier = true;
            }
            // Full A -> working A -> working B -> full B.
            let to_full_b = wb
                .full_to_working()
                .try_inverse()
                .ok_or(MatchError::Degenerate("degenerate scale"))?;
            let h = to_full_b * f.h * wa.full_to_working();
            let h = h / h[(2, 2)];
            let mean = f
                .inliers
                .iter()
                .map(|&i| homography::error(&h, correspondences[i].a, correspondences[i].b))
                .sum::<f64>()
                / f.inliers.len() as f64;
            (
                Some([0, 1, 2].map(|r| [0, 1, 2].map(|c| h[(r, c)]))),
                Some(mean),
            )
        }
        None => (None, None),
    };
    let inliers = fit.as_ref().map_or(0, |f| f.inliers.len());
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let summary = summary(inliers, pairs.len(), best_support, mean_error, mirrored);
    Ok(MatchReport {
        keypoints_a: ka.len(),
        keypoints_b,
        matches: pairs.len(),
        inliers,
        mirrored,
        homography,
        mean_reprojection_error_px: mean_error,
        correspondences,
        summary,
        elapsed_ms,
    })
}

/// The one-sentence verdict of a match: a proposal when a homography was found, and why
/// not otherwise.
fn summary(
    inliers: usize,
    matches: usize,
    best_support: usize,
    mean_error: Option<f64>,
    mirrored: bool,
) -> String {
    match mean_error {
        Some(e) if mirrored => format!(
            "B appears mirrored: {inliers} of {matches} matches agree on one homography that \
             includes a left-right flip (mean reprojection error {e:.2} px); a proposal to \
             review, not a conclusion"
        ),
        Some(e) => format!(
            "{inliers} of {matches} matches agree on one homography (mean reprojection error \
             {e:.2} px); a proposal to review, not a conclusion"
        ),
        None => format!(
            "no homography: at most {best_support} of {matches} matches agree, fewer than \
             {MIN_INLIERS} (B mirrored too); these images show no common planar scene that \
             this method can find"
        ),
    }
}

/// Up to `max` inlier correspondences to propose to the analyst, best descriptors first
/// and spread over A (no two closer than `min_spacing_px`), so each is worth a look.
pub fn spread_proposals(
    report: &MatchReport,
    max: usize,
    min_spacing_px: f64,
) -> Vec<Correspondence> {
    let mut inliers: Vec<Correspondence> = report
        .correspondences
        .iter()
        .filter(|c| c.inlier)
        .copied()
        .collect();
    inliers.sort_by_key(|c| c.distance);
    let mut chosen: Vec<Correspondence> = Vec::new();
    for c in inliers {
        if chosen.len() >= max {
            break;
        }
        if chosen
            .iter()
            .all(|o| (o.a[0] - c.a[0]).hypot(o.a[1] - c.a[1]) >= min_spacing_px)
        {
            chosen.push(c);
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopping_at_any_stage_is_a_cancellation_and_a_bad_region_names_its_image() {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(96, 96, |x, y| {
            image::Rgb([
                (x * 7 % 256) as u8,
                (y * 11 % 256) as u8,
                ((x ^ y) * 5 % 256) as u8,
            ])
        }));
        let options = MatchOptions::default();
        let stages = std::cell::Cell::new(0);
        for stop_at in 0..3 {
            stages.set(0);
            let result = match_images_with_progress(
                (&image, (96, 96)),
                (&image, (96, 96)),
                None,
                None,
                &options,
                &|_, _| {
                    stages.set(stages.get() + 1);
                    stages.get() <= stop_at
                },
            );
            assert_eq!(
                result.unwrap_err(),
                MatchError::Cancelled,
                "stop at {stop_at}"
            );
        }
        let outside = Roi {
            x: 80,
            y: 0,
            w: 32,
            h: 32,
        };
        let err = match_images(
            (&image, (96, 96)),
            (&image, (96, 96)),
            None,
            Some(outside),
            &options,
        )
        .unwrap_err();
        assert!(
            matches!(err, MatchError::Region { image: "B", .. }),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("B: region 80,0,32,32 is outside"),
            "{err}"
        );
    }

    /// The definition: each A's best and second-best B by brute force, the ratio test,
    /// and B's own best A (the first, on ties) must be that A.
    fn direct(a: &[Descriptor], b: &[Descriptor], ratio: f64) -> Vec<(usize, usize, u32)> {
        let best_two = |q: &Descriptor, pool: &[Descriptor]| {
            let mut d: Vec<(u32, usize)> = pool
                .iter()
                .enumerate()
                .map(|(j, p)| (hamming(q, p), j))
                .collect();
            d.sort_unstable();
            (d[0].1, d[0].0, d.get(1).map_or(u32::MAX, |x| x.0))
        };
        a.iter()
            .enumerate()
            .filter_map(|(i, q)| {
                let (j, best, second) = best_two(q, b);
                let back = best_two(&b[j], a).0;
                (f64::from(best) < ratio * f64::from(second) && back == i).then_some((i, j, best))
            })
            .collect()
    }

    #[test]
    fn matching_descriptors_agrees_with_brute_force_including_ties() {
        let mut state = 0x1234_5678_9ABC_DEF0u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let a: Vec<Descriptor> = (0..300).map(|_| [next(), next(), next(), next()]).collect();
        // B: noisy copies of some of A (few bits flipped), exact duplicates (ties), and
        // unrelated descriptors.
        let mut b: Vec<Descriptor> = Vec::new();
        for (k, d) in a.iter().enumerate().take(200) {
            let mut copy = *d;
            copy[k % 4] ^= 1 << (k % 64) | 1 << ((k * 7) % 64);
            b.push(copy);
            if k % 10 == 0 {
                b.push(copy);
            }
        }
        b.extend((0..150).map(|_| [next(), next(), next(), next()]));
        let got = match_descriptors(&a, &b, 0.8);
        assert!(got.len() > 150, "{} matches", got.len());
        assert_eq!(got, direct(&a, &b, 0.8));
        assert_eq!(match_descriptors(&a, &[], 0.8), vec![]);
        assert_eq!(match_descriptors(&[], &b, 0.8), vec![]);
    }
}
