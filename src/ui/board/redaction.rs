//! Redactions on the board: a hatched outline while working, or (with *Preview
//! redactions*) the region exactly as every output will hide it, computed from the
//! panel's pixels by the same `export::redact`.

use egui::{Color32, Pos2, Rect, Stroke, pos2, vec2};

use super::images::BoardImages;
use crate::board::{Pyramid, ViewTransform, geometry};
use crate::case::Finding;
use crate::case::comparison::{Annotation, Panel, Redaction, Shape};

pub const REDACTION_COLOR: Color32 = crate::ui::theme::REDACTION;
/// Hatch spacing and the largest preview patch, screen pixels.
const HATCH_SPACING: f32 = 9.0;
const MAX_PREVIEW_SIDE: f32 = 1600.0;

/// The redactions of `panel` shown on `frame`, hatched or previewed.
#[allow(clippy::too_many_arguments)]
pub fn draw(
    painter: &egui::Painter,
    images: &mut BoardImages,
    f: &Finding,
    panel: &Panel,
    t: &ViewTransform,
    frame: Option<u64>,
    pyramid: Option<&Pyramid>,
    preview: bool,
) {
    for a in f
        .annotations
        .iter()
        .filter(|a| a.panel == panel.id && a.redaction.is_some() && a.shows_on(frame))
    {
        let r = a.redaction.as_ref().expect("filtered");
        match pyramid.filter(|_| preview) {
            Some(pyramid) => draw_applied(painter, images, panel, a, r, t, (pyramid, frame)),
            None => draw_hatched(painter, a, r, t),
        }
    }
}

/// The region's outline on screen (a brush stroke: its centre line).
fn outline(shape: &Shape, t: &ViewTransform) -> Vec<Pos2> {
    let s = |p: [f64; 2]| {
        let q = t.to_screen(p);
        pos2(q[0] as f32, q[1] as f32)
    };
    match shape {
        Shape::Rectangle { x, y, w, h } => [[*x, *y], [x + w, *y], [x + w, y + h], [*x, y + h]]
            .into_iter()
            .map(s)
            .collect(),
        Shape::Ellipse { cx, cy, rx, ry } => geometry::ellipse_points(*cx, *cy, *rx, *ry, 64)
            .into_iter()
            .map(s)
            .collect(),
        Shape::Polygon { points } | Shape::Freehand { points } => {
            points.iter().copied().map(s).collect()
        }
        _ => Vec::new(),
    }
}

fn brush_on_screen(r: &Redaction, t: &ViewTransform) -> f32 {
    (r.brush_px.unwrap_or(0.0) * t.zoom) as f32
}

/// A red outline with diagonal hatching over the covered area.
fn draw_hatched(painter: &egui::Painter, a: &Annotation, r: &Redaction, t: &ViewTransform) {
    let pts = outline(&a.shape, t);
    if pts.is_empty() {
        return;
    }
    let stroke = Stroke::new(1.5, REDACTION_COLOR);
    let brush = brush_on_screen(r, t);
    if matches!(a.shape, Shape::Freehand { .. }) {
        painter.add(egui::epaint::PathShape::line(
            pts.clone(),
            Stroke::new(brush.max(1.0), REDACTION_COLOR.gamma_multiply(0.35)),
        ));
    } else {
        painter.add(egui::epaint::PathShape::closed_line(pts.clone(), stroke));
    }
    let bounds = Rect::from_points(&pts).expand(brush / 2.0);
    let area = bounds.intersect(painter.clip_rect());
    if !area.is_positive() {
        return;
    }
    let covered = |p: Pos2| {
        let q = t.to_image([f64::from(p.x), f64::from(p.y)]);
        let reach = r.brush_px.unwrap_or(0.0) / 2.0;
        geometry::distance(&a.shape, q) <= reach
    };
    // Lines x − y = c, walked in small steps, drawn where they are over the region.
    let step = 3.0;
    let mut c = area.min.x - area.max.y;
    while c < area.max.x - area.min.y {
        let mut run: Option<Pos2> = None;
        let mut x = area.min.x.max(c + area.min.y);
        let end = area.max.x.min(c + area.max.y);
        while x <= end + step {
            let p = pos2(x.min(end), x.min(end) - c);
            match (covered(p), run) {
                (true, None) => run = Some(p),
                (false, Some(from)) => {
                    painter.line_segment([from, p], stroke);
                    run = None;
                }
                _ => {}
            }
            x += step;
        }
        if let Some(from) = run {
            painter.line_segment([from, pos2(end, end - c)], stroke);
        }
        c += HATCH_SPACING;
    }
    let label_at = bounds.left_top() + vec2(2.0, 2.0);
    painter.text(
        label_at,
        egui::Align2::LEFT_TOP,
        format!("{} {}", a.id, r.method.as_str()),
        egui::FontId::proportional(12.0),
        REDACTION_COLOR,
    );
}

/// The region as outputs will show it: the panel's pixels under it sampled at screen
/// resolution and hidden by `export::redact::apply`; remade only when the view, the
/// redaction or the frame shown changes, not every frame.
fn draw_applied(
    painter: &egui::Painter,
    images: &mut BoardImages,
    panel: &Panel,
    a: &Annotation,
    r: &Redaction,
    t: &ViewTransform,
    (pyramid, frame): (&Pyramid, Option<u64>),
) {
    let pts = outline(&a.shape, t);
    if pts.is_empty() {
        return;
    }
    let brush = brush_on_screen(r, t);
    let area = Rect::from_points(&pts).expand(brush / 2.0 + 1.0);
    let area = area.intersect(painter.clip_rect());
    if !area.is_positive() {
        return;
    }
    let ppp = painter.ctx().pixels_per_point();
    let px_per_pt = (ppp).min(MAX_PREVIEW_SIDE / area.width().max(area.height()));
    let (w, h) = (
        (area.width() * px_per_pt).ceil().max(1.0) as u32,
        (area.height() * px_per_pt).ceil().max(1.0) as u32,
    );
    let stamp = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for v in [
            area.min.x, area.min.y, area.max.x, area.max.y, px_per_pt, brush,
        ] {
            v.to_bits().hash(&mut hasher);
        }
        for p in &pts {
            (p.x.to_bits(), p.y.to_bits()).hash(&mut hasher);
        }
        (r.method, frame, std::ptr::from_ref(pyramid) as usize).hash(&mut hasher);
        hasher.finish()
    };
    let key = format!("redact-{}-{}", panel.id, a.id);
    let texture = images.overlay_cached(painter.ctx(), &key, stamp, || {
        Some(applied_patch(
            a,
            r,
            t,
            pyramid,
            &pts,
            area,
            px_per_pt,
            brush,
            (w, h),
        ))
    });
    if let Some(texture) = texture {
        painter.image(
            texture,
            area,
            Rect::from_min_max(Pos2::ZERO, pos2(1.0, 1.0)),
            crate::ui::theme::UNTINTED,
        );
    }
}

/// The pixels under `area` with the redaction applied; transparent where unchanged.
#[allow(clippy::too_many_arguments)]
fn applied_patch(
    a: &Annotation,
    r: &Redaction,
    t: &ViewTransform,
    pyramid: &Pyramid,
    pts: &[Pos2],
    area: Rect,
    px_per_pt: f32,
    brush: f32,
    (w, h): (u32, u32),
) -> egui::ColorImage {
    let at = |x: f32, y: f32| t.to_image([f64::from(x), f64::from(y)]);
    let origin = at(area.min.x, area.min.y);
    let right = at(area.min.x + 1.0 / px_per_pt, area.min.y);
    let down = at(area.min.x, area.min.y + 1.0 / px_per_pt);
    let original = pyramid.sample(
        origin,
        [right[0] - origin[0], right[1] - origin[1]],
        [down[0] - origin[0], down[1] - origin[1]],
        (w, h),
    );
    // The shape in the patch's pixels.
    let local: Vec<[f64; 2]> = pts
        .iter()
        .map(|p| {
            [
                f64::from((p.x - area.min.x) * px_per_pt),
                f64::from((p.y - area.min.y) * px_per_pt),
            ]
        })
        .collect();
    let (shape, local_r) = match a.shape {
        Shape::Freehand { .. } => (
            Shape::Freehand { points: local },
            Redaction {
                brush_px: Some(f64::from(brush * px_per_pt)),
                ..*r
            },
        ),
        _ => (Shape::Polygon { points: local }, *r),
    };
    let mut hidden = original.clone();
    crate::export::redact::apply(&mut hidden, &shape, &local_r);
    // Opaque where the redaction changed a pixel; elsewhere the panel shows through
    // (an unchanged pixel is the same either way).
    let pixels: Vec<Color32> = hidden
        .pixels()
        .zip(original.pixels())
        .map(|(n, o)| {
            if n == o {
                crate::ui::theme::CLEAR
            } else {
                crate::ui::theme::rgb([n[0], n[1], n[2]])
            }
        })
        .collect();
    egui::ColorImage::new([w as usize, h as usize], pixels)
}
