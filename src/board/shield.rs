//! Shielding the analyst from graphic imagery (the trade's own guidance: greyscale, blur
//! until needed). Only what the analyst *sees* changes: the evidence, the case and every
//! export are untouched (redaction is the tool for outputs).

use image::{RgbImage, RgbaImage};

/// Long side of a shielded picture, pixels: shapes and layout stay legible, faces and
/// wounds do not. It is drawn stretched with linear filtering, which blurs it further.
pub const SHIELD_SIDE: u32 = 20;

/// A tiny greyscale stand-in for `image`.
pub fn shielded(image: &RgbImage) -> RgbImage {
    let (w, h) = image.dimensions();
    let scale = f64::from(SHIELD_SIDE) / f64::from(w.max(h).max(1));
    let (sw, sh) = (
        ((f64::from(w) * scale).round() as u32).max(1),
        ((f64::from(h) * scale).round() as u32).max(1),
    );
    // Area averaging: every source pixel counts, none is kept.
    let mut small = image::imageops::thumbnail(image, sw, sh);
    greyscale(&mut small);
    small
}

/// Luma only (Rec. 601 weights), in place.
pub fn greyscale(image: &mut RgbImage) {
    for p in image.pixels_mut() {
        let y = luma(p.0[0], p.0[1], p.0[2]);
        p.0 = [y, y, y];
    }
}

/// Luma only, for frames and tiles that carry alpha.
pub fn greyscale_rgba(image: &mut RgbaImage) {
    for p in image.pixels_mut() {
        let y = luma(p.0[0], p.0[1], p.0[2]);
        p.0 = [y, y, y, p.0[3]];
    }
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    (0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b)).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shield_is_small_grey_and_keeps_the_aspect() {
        let img = RgbImage::from_fn(400, 200, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 200])
        });
        let s = shielded(&img);
        assert_eq!(s.dimensions(), (SHIELD_SIDE, SHIELD_SIDE / 2));
        assert!(s.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]));
        // The original is untouched.
        assert_eq!(img.get_pixel(10, 10).0, [10, 10, 200]);
    }
}
