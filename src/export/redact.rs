//! Redaction: hiding part of an image for publication so that nothing under it can be
//! recovered. Every output that carries pixels (figures, insets, map snapshots, exported
//! panel images, `geoproof redact`) runs its pixels through [`apply`] before they are
//! encoded, so no output format ever holds the unredacted picture.
//!
//! Irreversible by construction: the region is first reduced to block means (blocks at
//! least 1/8 of its shorter side), and *pixelate* shows those blocks, *blur* blends them
//! smoothly (it looks like a heavy blur but carries no more than the blocks; a Gaussian
//! blur of the pixels themselves could partly be undone by deconvolution), *box* paints
//! the region black. Pixels outside every region are left exactly as they were.

use image::RgbImage;

use crate::board::geometry;
use crate::case::comparison::{Annotation, RedactMethod, Redaction, Shape};

/// Smallest block, pixels. A block's mean keeps 1/n of each of its n pixels, so its
/// correlation with any one pixel of a detailed image is at most 1/side: 10 px keeps
/// that below 0.1 even for a thin brush stroke or a small region.
const MIN_BLOCK: u32 = 10;
/// Blocks across the region's shorter side, at most (so a block is ≥ 1/8 of it).
const BLOCKS_ACROSS: f64 = 8.0;
/// What a solid box is painted with.
const BOX_COLOR: [u8; 3] = [0, 0, 0];

/// The shape scaled by `factor` (full-resolution pixels → pixels of an image decoded at
/// `1/factor` of that size: pass `1 / scale`), with the brush width scaled alike.
pub fn scaled(shape: &Shape, redaction: &Redaction, factor: f64) -> (Shape, Redaction) {
    let m = |p: &[f64; 2]| [p[0] * factor, p[1] * factor];
    let shape = match shape {
        Shape::Rectangle { x, y, w, h } => Shape::Rectangle {
            x: x * factor,
            y: y * factor,
            w: w * factor,
            h: h * factor,
        },
        Shape::Ellipse { cx, cy, rx, ry } => Shape::Ellipse {
            cx: cx * factor,
            cy: cy * factor,
            rx: rx * factor,
            ry: ry * factor,
        },
        Shape::Polygon { points } => Shape::Polygon {
            points: points.iter().map(m).collect(),
        },
        Shape::Freehand { points } => Shape::Freehand {
            points: points.iter().map(m).collect(),
        },
        other => other.clone(),
    };
    let redaction = Redaction {
        brush_px: redaction.brush_px.map(|w| w * factor),
        ..*redaction
    };
    (shape, redaction)
}

/// Whether the region lies on an image of `size` (oriented pixels): a region reaching
/// outside it is refused rather than silently clipped (it was drawn for another image).
pub fn check_on_image(
    shape: &Shape,
    redaction: &Redaction,
    size: [f64; 2],
) -> Result<(), crate::case::Invalid> {
    shape.check()?;
    redaction.check(shape)?;
    let b = geometry::bounds(shape);
    const SLACK: f64 = 0.5;
    if b[0] < -SLACK || b[1] < -SLACK || b[2] > size[0] + SLACK || b[3] > size[1] + SLACK {
        let whole = b[2] <= 0.0 || b[3] <= 0.0 || b[0] >= size[0] || b[1] >= size[1];
        return Err(crate::case::Invalid::rule(
            "region",
            format!(
                "region {:.0},{:.0}–{:.0},{:.0} is {} the {:.0}×{:.0} image",
                b[0],
                b[1],
                b[2],
                b[3],
                if whole { "outside" } else { "partly outside" },
                size[0],
                size[1]
            ),
        ));
    }
    Ok(())
}

/// Which pixels a region covers: a box of the image and a flag per pixel in it.
struct Mask {
    x0: u32,
    y0: u32,
    w: u32,
    h: u32,
    inside: Vec<bool>,
}

impl Mask {
    fn of(shape: &Shape, redaction: &Redaction, width: u32, height: u32) -> Option<Mask> {
        let radius = redaction.brush_px.unwrap_or(0.0) / 2.0;
        let pad = if matches!(shape, Shape::Freehand { .. }) {
            radius
        } else {
            0.0
        };
        let b = geometry::bounds(shape);
        let x0 = (b[0] - pad).floor().max(0.0) as u32;
        let y0 = (b[1] - pad).floor().max(0.0) as u32;
        let x1 = ((b[2] + pad).ceil().max(0.0) as u32).min(width);
        let y1 = ((b[3] + pad).ceil().max(0.0) as u32).min(height);
        if x1 <= x0 || y1 <= y0 {
            return None;
        }
        let (w, h) = (x1 - x0, y1 - y0);
        let mut inside = vec![false; (w * h) as usize];
        let centre = |x: u32, y: u32| [f64::from(x) + 0.5, f64::from(y) + 0.5];
        match shape {
            // A brush stroke: every pixel within half the brush width of the stroke,
            // found segment by segment so long strokes stay cheap.
            Shape::Freehand { points } => {
                let single = [points[0], points[0]];
                let segments: Vec<[[f64; 2]; 2]> = if points.len() < 2 {
                    vec![single]
                } else {
                    points.windows(2).map(|s| [s[0], s[1]]).collect()
                };
                for [a, c] in segments {
                    let seg = Shape::Freehand { points: vec![a, c] };
                    let sb = geometry::bounds(&seg);
                    let sx0 = ((sb[0] - radius).floor().max(f64::from(x0))) as u32;
                    let sy0 = ((sb[1] - radius).floor().max(f64::from(y0))) as u32;
                    let sx1 = ((sb[2] + radius).ceil() as u32).min(x1);
                    let sy1 = ((sb[3] + radius).ceil() as u32).min(y1);
                    for y in sy0..sy1 {
                        for x in sx0..sx1 {
                            if geometry::distance(&seg, centre(x, y)) <= radius {
                                inside[((y - y0) * w + (x - x0)) as usize] = true;
                            }
                        }
                    }
                }
            }
            // Filled shapes: `distance` is 0 inside them.
            _ => {
                for y in y0..y1 {
                    for x in x0..x1 {
                        inside[((y - y0) * w + (x - x0)) as usize] =
                            geometry::distance(shape, centre(x, y)) <= 0.0;
                    }
                }
            }
        }
        Some(Mask {
            x0,
            y0,
            w,
            h,
            inside,
        })
    }
}

/// The block side for a region `w`×`h` pixels: at least 1/8 of its shorter side.
pub fn block_size(w: u32, h: u32, brush_px: Option<f64>) -> u32 {
    let mut shorter = f64::from(w.min(h));
    if let Some(b) = brush_px {
        shorter = shorter.min(b);
    }
    ((shorter / BLOCKS_ACROSS).ceil() as u32).max(MIN_BLOCK)
}

/// Hides the region in `image` (shape in the image's own pixels) by `redaction.method`.
pub fn apply(image: &mut RgbImage, shape: &Shape, redaction: &Redaction) {
    let Some(mask) = Mask::of(shape, redaction, image.width(), image.height()) else {
        return;
    };
    let set = |image: &mut RgbImage, x: u32, y: u32, c: [u8; 3]| {
        image.put_pixel(mask.x0 + x, mask.y0 + y, image::Rgb(c));
    };
    if redaction.method == RedactMethod::Box {
        for (i, _) in mask.inside.iter().enumerate().filter(|(_, v)| **v) {
            set(image, i as u32 % mask.w, i as u32 / mask.w, BOX_COLOR);
        }
        return;
    }
    let block = block_size(mask.w, mask.h, redaction.brush_px);
    let grid = BlockMeans::of(image, &mask, block);
    for y in 0..mask.h {
        for x in 0..mask.w {
            if !mask.inside[(y * mask.w + x) as usize] {
                continue;
            }
            let c = match redaction.method {
                RedactMethod::Blur => grid.blended(x, y),
                _ => grid.at(x / block, y / block),
            };
            set(image, x, y, c);
        }
    }
}

/// Every redaction of `panel` shown on `frame` applied to its picture, decoded at
/// `scale` full-resolution pixels per pixel.
pub fn apply_panel<'a>(
    image: &mut RgbImage,
    annotations: impl IntoIterator<Item = &'a Annotation>,
    scale: f64,
) {
    for a in annotations {
        if let Some(r) = &a.redaction {
            let (shape, r) = scaled(&a.shape, r, 1.0 / scale.max(1e-9));
            apply(image, &shape, &r);
        }
    }
}

/// The mean colour of each block of the mask's box.
struct BlockMeans {
    block: u32,
    cols: u32,
    rows: u32,
    means: Vec<[f64; 3]>,
}

impl BlockMeans {
    fn of(image: &RgbImage, mask: &Mask, block: u32) -> BlockMeans {
        let cols = mask.w.div_ceil(block);
        let rows = mask.h.div_ceil(block);
        let mut sums = vec![[0.0f64; 4]; (cols * rows) as usize];
        // Means over the whole box, inside the shape or not: what is outside the shape
        // is visible anyway, and a block never goes empty.
        for y in 0..mask.h {
            for x in 0..mask.w {
                let p = image.get_pixel(mask.x0 + x, mask.y0 + y).0;
                let s = &mut sums[((y / block) * cols + x / block) as usize];
                for c in 0..3 {
                    s[c] += f64::from(p[c]);
                }
                s[3] += 1.0;
            }
        }
        let means = sums
            .into_iter()
            .map(|s| [s[0] / s[3], s[1] / s[3], s[2] / s[3]])
            .collect();
        BlockMeans {
            block,
            cols,
            rows,
            means,
        }
    }

    fn mean(&self, col: u32, row: u32) -> [f64; 3] {
        self.means[(row.min(self.rows - 1) * self.cols + col.min(self.cols - 1)) as usize]
    }

    fn at(&self, col: u32, row: u32) -> [u8; 3] {
        self.mean(col, row).map(|v| v.round() as u8)
    }

    /// Bilinear between block centres.
    fn blended(&self, x: u32, y: u32) -> [u8; 3] {
        let b = f64::from(self.block);
        let fx = ((f64::from(x) + 0.5) / b - 0.5).max(0.0);
        let fy = ((f64::from(y) + 0.5) / b - 0.5).max(0.0);
        let (c0, r0) = (fx.floor() as u32, fy.floor() as u32);
        let (tx, ty) = (fx.fract(), fy.fract());
        let (a, c) = (self.mean(c0, r0), self.mean(c0 + 1, r0));
        let (d, e) = (self.mean(c0, r0 + 1), self.mean(c0 + 1, r0 + 1));
        std::array::from_fn(|k| {
            let top = a[k] * (1.0 - tx) + c[k] * tx;
            let bottom = d[k] * (1.0 - tx) + e[k] * tx;
            (top * (1.0 - ty) + bottom * ty).round().clamp(0.0, 255.0) as u8
        })
    }
}

/// The PNG encoder failed (its own message).
#[derive(Debug, thiserror::Error)]
#[error("encoding the PNG: {0}")]
pub struct PngError(#[from] pub image::ImageError);

/// A PNG of `image` with nothing but pixels: no text chunks, no EXIF, no names.
pub fn encode_png(image: &RgbImage) -> Result<Vec<u8>, PngError> {
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image.clone())
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(PngError)?;
    Ok(png)
}

/// What the manifest says about one redaction: where and how, never what was under it.
pub fn manifest_entry(a: &Annotation) -> Option<serde_json::Value> {
    let r = a.redaction.as_ref()?;
    let b = geometry::bounds(&a.shape);
    Some(serde_json::json!({
        "id": a.id,
        "panel": a.panel,
        "shape": shape_name(&a.shape),
        "region": [b[0], b[1], b[2] - b[0], b[3] - b[1]],
        "method": r.method.as_str(),
        "brush_px": r.brush_px,
        "video_frame": a.frame,
    }))
}

fn shape_name(shape: &Shape) -> &'static str {
    match shape {
        Shape::Rectangle { .. } => "rectangle",
        Shape::Ellipse { .. } => "ellipse",
        Shape::Polygon { .. } => "polygon",
        Shape::Freehand { .. } => "brush",
        Shape::Point { .. } => "point",
        Shape::Arrow { .. } => "arrow",
        Shape::Text { .. } => "text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A high-detail picture: every pixel independent (a hash of its position).
    pub(crate) fn detailed(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let mut v = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663)) as u64;
            v = v.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            image::Rgb([(v >> 56) as u8, (v >> 48) as u8, (v >> 40) as u8])
        })
    }

    fn redaction(method: RedactMethod) -> Redaction {
        Redaction {
            method,
            brush_px: None,
        }
    }

    /// Luma values of a box of the image.
    fn luma(img: &RgbImage, r: [u32; 4]) -> Vec<f64> {
        let mut v = Vec::new();
        for y in r[1]..r[1] + r[3] {
            for x in r[0]..r[0] + r[2] {
                let p = img.get_pixel(x, y).0;
                v.push(0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]));
            }
        }
        v
    }

    fn correlation(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let mut cov = 0.0;
        let (mut va, mut vb) = (0.0, 0.0);
        for (x, y) in a.iter().zip(b) {
            cov += (x - ma) * (y - mb);
            va += (x - ma).powi(2);
            vb += (y - mb).powi(2);
        }
        if va == 0.0 || vb == 0.0 {
            0.0
        } else {
            cov / (va * vb).sqrt()
        }
    }

    /// Energy of the difference between neighbouring pixels: what detail looks like.
    fn high_frequency_energy(v: &[f64], w: usize) -> f64 {
        let mut e = 0.0;
        let mut n = 0.0;
        for (i, x) in v.iter().enumerate() {
            if i % w + 1 < w {
                e += (x - v[i + 1]).powi(2);
                n += 1.0;
            }
            if i + w < v.len() {
                e += (x - v[i + w]).powi(2);
                n += 1.0;
            }
        }
        e / n
    }

    #[test]
    fn every_method_leaves_no_detail_inside_and_every_pixel_outside_untouched() {
        let original = detailed(320, 240);
        let region = [40u32, 30, 160, 120];
        let shape = Shape::Rectangle {
            x: 40.0,
            y: 30.0,
            w: 160.0,
            h: 120.0,
        };
        let before = luma(&original, region);
        let detail = high_frequency_energy(&before, 160);
        for method in RedactMethod::ALL {
            let mut img = original.clone();
            apply(&mut img, &shape, &redaction(method));
            let after = luma(&img, region);
            let r = correlation(&before, &after);
            let hf = high_frequency_energy(&after, 160);
            // A block mean keeps 1/n of each of its n pixels: for independent pixels the
            // correlation is 1/side (1/15 here); any recoverable detail would be far above.
            assert!(r.abs() < 0.1, "{method:?}: correlation {r}");
            assert!(hf < detail * 0.02, "{method:?}: detail {hf} of {detail}");
            for (x, y, p) in img.enumerate_pixels() {
                let inside = (40..200).contains(&x) && (30..150).contains(&y);
                if !inside {
                    assert_eq!(*p, *original.get_pixel(x, y), "{method:?} at {x},{y}");
                }
            }
        }
    }

    #[test]
    fn blocks_are_at_least_an_eighth_of_the_shorter_side() {
        assert_eq!(block_size(160, 120, None), 15);
        assert_eq!(block_size(800, 16, None), MIN_BLOCK);
        assert_eq!(block_size(400, 400, Some(160.0)), 20);
        // A pixelated region holds one colour per block.
        let mut img = detailed(64, 64);
        let shape = Shape::Rectangle {
            x: 0.0,
            y: 0.0,
            w: 64.0,
            h: 64.0,
        };
        apply(&mut img, &shape, &redaction(RedactMethod::Pixelate));
        let colours: std::collections::HashSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
        assert!(colours.len() <= 64, "{}", colours.len());
    }

    #[test]
    fn ellipses_polygons_and_brushes_cover_their_shape_only() {
        let original = detailed(200, 200);
        let cases = [
            (
                Shape::Ellipse {
                    cx: 100.0,
                    cy: 100.0,
                    rx: 50.0,
                    ry: 30.0,
                },
                None,
                [100u32, 100],
                [100u32, 135],
            ),
            (
                Shape::Polygon {
                    points: vec![[20.0, 20.0], [120.0, 20.0], [20.0, 120.0]],
                },
                None,
                [30, 30],
                [110, 110],
            ),
            (
                Shape::Freehand {
                    points: vec![[10.0, 180.0], [190.0, 180.0]],
                },
                Some(20.0),
                [100, 185],
                [100, 160],
            ),
        ];
        for (shape, brush_px, hidden, kept) in cases {
            let mut img = original.clone();
            let r = Redaction {
                method: RedactMethod::Box,
                brush_px,
            };
            apply(&mut img, &shape, &r);
            assert_eq!(
                img.get_pixel(hidden[0], hidden[1]).0,
                BOX_COLOR,
                "{shape:?}"
            );
            assert_eq!(
                img.get_pixel(kept[0], kept[1]),
                original.get_pixel(kept[0], kept[1]),
                "{shape:?}"
            );
        }
    }

    #[test]
    fn regions_off_the_image_or_without_size_are_refused() {
        let r = redaction(RedactMethod::Blur);
        let rect = |x, y, w, h| Shape::Rectangle { x, y, w, h };
        assert!(check_on_image(&rect(10.0, 10.0, 50.0, 50.0), &r, [100.0, 100.0]).is_ok());
        let partly = check_on_image(&rect(80.0, 10.0, 50.0, 50.0), &r, [100.0, 100.0]);
        assert!(partly.unwrap_err().to_string().contains("partly outside"));
        let wholly = check_on_image(&rect(180.0, 10.0, 50.0, 50.0), &r, [100.0, 100.0]);
        assert!(wholly.unwrap_err().to_string().contains("is outside"));
        assert!(check_on_image(&rect(f64::NAN, 10.0, 5.0, 5.0), &r, [100.0, 100.0]).is_err());
        let flat = check_on_image(&rect(10.0, 10.0, 0.0, 5.0), &r, [100.0, 100.0]);
        assert!(flat.unwrap_err().to_string().contains("no area"));
        let arrow = Shape::Arrow {
            from: [0.0, 0.0],
            to: [5.0, 5.0],
        };
        assert!(check_on_image(&arrow, &r, [100.0, 100.0]).is_err());
        let brushless = Shape::Freehand {
            points: vec![[1.0, 1.0], [5.0, 5.0]],
        };
        assert!(check_on_image(&brushless, &r, [100.0, 100.0]).is_err());
    }

    #[test]
    fn scaling_follows_a_smaller_decode() {
        let r = Redaction {
            method: RedactMethod::Pixelate,
            brush_px: Some(40.0),
        };
        let (s, r2) = scaled(
            &Shape::Freehand {
                points: vec![[100.0, 50.0], [200.0, 50.0]],
            },
            &r,
            0.5,
        );
        assert_eq!(
            s,
            Shape::Freehand {
                points: vec![[50.0, 25.0], [100.0, 25.0]]
            }
        );
        assert_eq!(r2.brush_px, Some(20.0));
    }
}
