//! Painting a placed label: its glyph outlines filled in the kind's colour over a halo
//! (the same outlines stroked wider in the paper colour), so names stay legible over
//! roads, fields and water, in the light and the dark theme.

use tiny_skia::{FillRule, LineCap, LineJoin, Paint, PixmapMut, Stroke, Transform};

use super::font::Shaped;
use super::place::PAD;
use super::types::Kind;
use crate::vector::style::{Rgba, Theme};

/// Width of the halo stroke, pixels (half of it shows outside the letters).
pub const HALO: f32 = 3.0;

/// Text and halo colours of a kind of label.
pub fn colors(kind: Kind, theme: Theme) -> (Rgba, Rgba) {
    match (theme, kind) {
        (Theme::Light, Kind::Place) => ([34, 34, 38, 255], [255, 255, 255, 230]),
        (Theme::Light, Kind::Road) => ([72, 68, 64, 255], [255, 255, 255, 220]),
        (Theme::Light, Kind::Water) => ([38, 96, 156, 255], [236, 246, 250, 220]),
        (Theme::Dark, Kind::Place) => ([238, 238, 240, 255], [16, 16, 18, 230]),
        (Theme::Dark, Kind::Road) => ([196, 196, 200, 255], [20, 20, 22, 220]),
        (Theme::Dark, Kind::Water) => ([132, 182, 232, 255], [14, 24, 36, 220]),
    }
}

fn paint_of(c: Rgba) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(c[0], c[1], c[2], c[3]);
    p.anti_alias = true;
    p
}

/// Draws `shaped` with its centre at `center`, turned by `angle` radians, into
/// `pixmap`.
pub fn paint_label(
    pixmap: &mut PixmapMut,
    shaped: &Shaped,
    kind: Kind,
    theme: Theme,
    center: [f32; 2],
    angle: f32,
) {
    let Some(path) = &shaped.path else { return };
    let (text, halo) = colors(kind, theme);
    let t = Transform::from_translate(center[0], center[1])
        .pre_rotate(angle.to_degrees())
        .pre_translate(-shaped.size[0] / 2.0, -shaped.size[1] / 2.0);
    let stroke = Stroke {
        width: HALO,
        line_join: LineJoin::Round,
        line_cap: LineCap::Round,
        ..Stroke::default()
    };
    pixmap.stroke_path(path, &paint_of(halo), &stroke, t, None);
    pixmap.fill_path(path, &paint_of(text), FillRule::Winding, t, None);
}

/// A label drawn upright on a transparent image of its padded box (`size + 2·PAD`),
/// premultiplied RGBA: what the app's map turns into a texture and draws turned.
pub fn label_image(shaped: &Shaped, kind: Kind, theme: Theme) -> Option<([u32; 2], Vec<u8>)> {
    let w = (shaped.size[0] + 2.0 * PAD).ceil().max(1.0) as u32;
    let h = (shaped.size[1] + 2.0 * PAD).ceil().max(1.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(w, h)?;
    paint_label(
        &mut pixmap.as_mut(),
        shaped,
        kind,
        theme,
        [w as f32 / 2.0, h as f32 / 2.0],
        0.0,
    );
    Some(([w, h], pixmap.take()))
}
