//! The magnifier: a disc under the pointer showing the pixels around it enlarged, with
//! brightness, contrast and sharpening applied to the loupe's copy only.

use egui::{Pos2, Rect, Stroke, Ui, vec2};
use image::RgbImage;

use super::Loupe;
use super::images::BoardImages;
use crate::board::{Pyramid, ViewTransform};

/// Loupe radius on screen, points.
const RADIUS: f32 = 90.0;

pub fn draw(
    ui: &Ui,
    images: &mut BoardImages,
    pyramid: &Pyramid,
    t: &ViewTransform,
    pointer: Pos2,
    loupe: &Loupe,
) {
    let ctx = ui.ctx();
    let ppp = ctx.pixels_per_point();
    let side_px = (2.0 * RADIUS * ppp).round() as u32;
    // The loupe shows what the panel shows (rotated or mirrored alike), enlarged: each
    // loupe pixel maps through the panel's view at `magnification` times its zoom.
    let step = 1.0 / (f64::from(ppp) * loupe.magnification);
    let at = |sx: f64, sy: f64| {
        t.to_image([
            f64::from(pointer.x) + sx * step,
            f64::from(pointer.y) + sy * step,
        ])
    };
    let half = f64::from(side_px) / 2.0;
    let origin = at(-half, -half);
    let right = at(-half + 1.0, -half);
    let down = at(-half, -half + 1.0);
    let pixels = enhance(
        pyramid.sample(
            origin,
            [right[0] - origin[0], right[1] - origin[1]],
            [down[0] - origin[0], down[1] - origin[1]],
            (side_px, side_px),
        ),
        loupe,
    );
    let image = egui::ColorImage::from_rgb([side_px as usize, side_px as usize], pixels.as_raw());
    let texture = images.loupe_texture(ctx, image);
    let area = Rect::from_center_size(pointer, vec2(2.0 * RADIUS, 2.0 * RADIUS));
    let painter = ui.ctx().layer_painter(egui::LayerId::new(
        egui::Order::Tooltip,
        egui::Id::unique("loupe"),
    ));
    painter.add(
        egui::epaint::RectShape::filled(area, RADIUS, crate::ui::theme::UNTINTED).with_texture(
            texture,
            Rect::from_min_max(Pos2::ZERO, egui::pos2(1.0, 1.0)),
        ),
    );
    painter.circle_stroke(
        pointer,
        RADIUS,
        Stroke::new(2.0, crate::ui::theme::LOUPE_RING),
    );
    painter.line_segment(
        [pointer - vec2(8.0, 0.0), pointer + vec2(8.0, 0.0)],
        Stroke::new(1.0, crate::ui::theme::LOUPE_CROSSHAIR),
    );
    painter.line_segment(
        [pointer - vec2(0.0, 8.0), pointer + vec2(0.0, 8.0)],
        Stroke::new(1.0, crate::ui::theme::LOUPE_CROSSHAIR),
    );
    painter.text(
        area.center_bottom() + vec2(0.0, 4.0),
        egui::Align2::CENTER_TOP,
        format!(
            "×{:.0}  loupe only: the evidence is unchanged",
            loupe.magnification
        ),
        egui::FontId::proportional(11.0),
        crate::ui::theme::LOUPE_RING,
    );
}

/// Brightness, contrast and an unsharp mask, on a copy.
pub fn enhance(mut img: RgbImage, loupe: &Loupe) -> RgbImage {
    if loupe.sharpen > 0.0 {
        let blurred = image::imageops::blur(&img, 1.0);
        for (p, b) in img.pixels_mut().zip(blurred.pixels()) {
            for c in 0..3 {
                let v = f32::from(p[c]) + loupe.sharpen * (f32::from(p[c]) - f32::from(b[c]));
                p[c] = v.clamp(0.0, 255.0) as u8;
            }
        }
    }
    if loupe.brightness != 0.0 || loupe.contrast != 1.0 {
        for p in img.pixels_mut() {
            for c in 0..3 {
                let v = (f32::from(p[c]) - 128.0) * loupe.contrast + 128.0 + loupe.brightness;
                p[c] = v.clamp(0.0, 255.0) as u8;
            }
        }
    }
    img
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enhancement_changes_the_copy_only_and_does_what_it_says() {
        let original =
            RgbImage::from_fn(8, 8, |x, _| image::Rgb([if x < 4 { 100 } else { 150 }; 3]));
        let loupe = Loupe {
            brightness: 20.0,
            contrast: 2.0,
            ..Loupe::default()
        };
        let out = enhance(original.clone(), &loupe);
        assert_eq!(original.get_pixel(0, 0).0, [100; 3]);
        // (100 - 128) * 2 + 128 + 20 = 92 ; (150 - 128) * 2 + 148 = 192
        assert_eq!(out.get_pixel(0, 0).0, [92; 3]);
        assert_eq!(out.get_pixel(7, 0).0, [192; 3]);
    }
}
