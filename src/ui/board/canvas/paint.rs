//! Painting the board: tiles and video frames through a panel's transform, the
//! annotations and their marks, the gesture being drawn, link lines, shadow measurements
//! and matching proposals. Nothing here reads input or changes state.

use std::collections::HashMap;

use egui::{Color32, Pos2, Rect, Stroke, pos2, vec2};

use super::layout::{from_pos, to_pos};
use crate::board::ViewTransform;
use crate::board::geometry;
use crate::board::marks::{Mark, MarkStyle, annotation_marks, ink_for, screen_center};
use crate::case::Finding;
use crate::case::comparison::{Panel, Shape, link_color};
use crate::ui::board::images::BoardImages;
use crate::ui::board::{BoardCtx, BoardTool, Gesture};
use crate::ui::theme;

/// A shielded picture as a texture image.
pub(super) fn shield_image(pixels: &image::RgbImage) -> egui::ColorImage {
    let small = crate::board::shield::shielded(pixels);
    egui::ColorImage::from_rgb(
        [small.width() as usize, small.height() as usize],
        small.as_raw(),
    )
}

/// The frame texture through the panel's transform (rotation and mirroring included).
pub(super) fn draw_frame_texture(
    painter: &egui::Painter,
    texture: egui::TextureId,
    size: [f64; 2],
    t: &ViewTransform,
) {
    textured_quad(
        painter,
        texture,
        geometry::corners([0.0, 0.0, size[0], size[1]]),
        t,
    );
}

/// A texture stretched over the image-space quad `corners` (in `geometry::corners`
/// order), drawn through the panel's transform.
fn textured_quad(
    painter: &egui::Painter,
    texture: egui::TextureId,
    corners: [[f64; 2]; 4],
    t: &ViewTransform,
) {
    let uvs = [
        pos2(0.0, 0.0),
        pos2(1.0, 0.0),
        pos2(1.0, 1.0),
        pos2(0.0, 1.0),
    ];
    let mut mesh = egui::Mesh::with_texture(texture);
    for (corner, uv) in corners.iter().zip(uvs) {
        mesh.vertices.push(egui::epaint::Vertex {
            pos: to_pos(t.to_screen(*corner)),
            uv,
            color: theme::UNTINTED,
        });
    }
    mesh.indices.extend([0, 1, 2, 0, 2, 3]);
    painter.add(egui::Shape::mesh(mesh));
}

/// Shadow measurements of this panel (and the marks being placed), with what they say.
pub(super) fn draw_shadows(
    painter: &egui::Painter,
    state: &BoardCtx<'_>,
    panel: &Panel,
    t: &ViewTransform,
) {
    let screen = |p: [f64; 2]| to_pos(t.to_screen(p));
    let dot = |p: Pos2, color: Color32| {
        painter.circle(p, 4.0, color, Stroke::new(1.0, theme::OUTLINE));
    };
    if let Some(f) = &state.board.working {
        for m in f.shadows.iter().filter(|m| m.panel == panel.id) {
            let selected = state.board.selected.as_deref() == Some(m.id.as_str());
            let width = if selected { 3.0 } else { 2.0 };
            let (anchor, tip) = match m.marks {
                crate::sun::ShadowMarks::Ratio { base, top, tip } => {
                    painter.line_segment(
                        [screen(base), screen(top)],
                        Stroke::new(width, theme::SHADOW_HEIGHT),
                    );
                    dot(screen(top), theme::SHADOW_HEIGHT);
                    (base, tip)
                }
                crate::sun::ShadowMarks::Bearing { object, tip } => (object, tip),
            };
            // The shadow, with a head of fixed size at its tip.
            let (from, to) = (screen(anchor), screen(tip));
            painter.line_segment([from, to], Stroke::new(width, theme::SHADOW_MEASURE));
            let dir = (to - from).normalized();
            if dir.is_finite() {
                let side = vec2(-dir.y, dir.x);
                for s in [-1.0, 1.0] {
                    painter.line_segment(
                        [to, to - dir * 10.0 + side * (s * 5.0)],
                        Stroke::new(width, theme::SHADOW_MEASURE),
                    );
                }
            }
            dot(screen(anchor), theme::HALO);
            let text = format!("{} {}", m.id, m.summary());
            let at = screen(tip) + vec2(6.0, 4.0);
            let galley = painter.layout_no_wrap(
                text,
                egui::FontId::proportional(13.0),
                theme::SHADOW_MEASURE,
            );
            painter.rect_filled(
                Rect::from_min_size(at, galley.size()).expand(2.0),
                2.0,
                theme::LABEL_BACKDROP,
            );
            painter.galley(at, galley, theme::SHADOW_MEASURE);
        }
    }
    if let Some((id, marks)) = &state.board.shadow_marks
        && *id == panel.id
    {
        for (i, p) in marks.iter().enumerate() {
            dot(
                screen(*p),
                if i == 0 {
                    theme::HALO
                } else {
                    theme::SHADOW_HEIGHT
                },
            );
        }
        if let [base, top] = marks.as_slice() {
            painter.line_segment(
                [screen(*base), screen(*top)],
                Stroke::new(2.0, theme::SHADOW_HEIGHT),
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn draw_tiles(
    painter: &egui::Painter,
    ctx: &egui::Context,
    images: &mut BoardImages,
    key: &str,
    pyramid: &crate::board::Pyramid,
    t: &ViewTransform,
    body: Rect,
    grey: bool,
) {
    let visible = t.visible_image_rect(from_pos(body.min), from_pos(body.max));
    let ppp = f64::from(ctx.pixels_per_point());
    let level = pyramid.level_for_zoom(t.zoom * ppp);
    for tile in pyramid.tiles_in(level, visible) {
        let Some(texture) = images.tile(ctx, key, pyramid, tile, grey) else {
            // Not uploaded yet: a coarser level stands in for this frame.
            continue;
        };
        let b = pyramid.tile_bounds(tile);
        textured_quad(painter, texture, geometry::corners(b), t);
    }
}

pub(super) fn color32(c: [u8; 3]) -> Color32 {
    theme::rgb(c)
}

/// Draws marks produced by `board::marks` with egui.
pub(super) fn draw_marks(painter: &egui::Painter, marks: &[Mark]) {
    for m in marks {
        match m {
            Mark::Line {
                points,
                closed,
                color,
                width,
            } => {
                let pts: Vec<Pos2> = points.iter().copied().map(to_pos).collect();
                let stroke = Stroke::new(*width as f32, color32(*color));
                let shape = if *closed {
                    egui::epaint::PathShape::closed_line(pts, stroke)
                } else {
                    egui::epaint::PathShape::line(pts, stroke)
                };
                painter.add(shape);
            }
            Mark::Triangle { points, color } => {
                painter.add(egui::epaint::PathShape::convex_polygon(
                    points.iter().copied().map(to_pos).collect(),
                    color32(*color),
                    Stroke::NONE,
                ));
            }
            Mark::Dot {
                center,
                radius,
                color,
            } => {
                painter.circle(
                    to_pos(*center),
                    *radius as f32,
                    color32(*color),
                    Stroke::new(1.0, theme::OUTLINE),
                );
            }
            Mark::Label {
                pos,
                text,
                color,
                size,
            } => {
                let galley = painter.layout_no_wrap(
                    text.clone(),
                    egui::FontId::proportional(*size as f32),
                    color32(*color),
                );
                let at = to_pos(*pos);
                painter.rect_filled(
                    Rect::from_min_size(at, galley.size()).expand(2.0),
                    3.0,
                    theme::LABEL_BACKDROP,
                );
                painter.galley(at, galley, color32(*color));
            }
            Mark::Badge {
                center,
                number,
                color,
                radius,
            } => {
                let c = to_pos(*center);
                painter.circle(
                    c,
                    *radius as f32,
                    color32(*color),
                    Stroke::new(1.0, theme::OUTLINE),
                );
                painter.text(
                    c,
                    egui::Align2::CENTER_CENTER,
                    number.to_string(),
                    egui::FontId::proportional((*radius * 1.3) as f32),
                    color32(ink_for(*color)),
                );
            }
        }
    }
}

pub(super) fn draw_annotations(
    painter: &egui::Painter,
    f: &Finding,
    panel: &Panel,
    t: &ViewTransform,
    selected: Option<&str>,
    link_from: Option<&str>,
) {
    for a in f.annotations.iter().filter(|a| a.panel == panel.id) {
        if a.redaction.is_none() {
            draw_marks(painter, &annotation_marks(f, a, t, MarkStyle::SCREEN));
        }
        if Some(a.id.as_str()) == selected || Some(a.id.as_str()) == link_from {
            let b = geometry::bounds(&a.shape);
            let corners = geometry::corners(b).map(|p| to_pos(t.to_screen(p)));
            let outline = Rect::from_points(&corners).expand(4.0);
            let color = if Some(a.id.as_str()) == link_from {
                theme::LINK_PENDING
            } else {
                theme::HALO
            };
            painter.rect_stroke(
                outline,
                0.0,
                Stroke::new(1.0, color),
                egui::StrokeKind::Outside,
            );
            for (_, h) in geometry::handles(&a.shape) {
                let c = to_pos(t.to_screen(h));
                painter.rect(
                    Rect::from_center_size(c, vec2(7.0, 7.0)),
                    0.0,
                    theme::HALO,
                    Stroke::new(1.0, theme::OUTLINE),
                    egui::StrokeKind::Middle,
                );
            }
        }
    }
}

pub(super) fn draw_gesture_preview(
    painter: &egui::Painter,
    state: &BoardCtx<'_>,
    panel: &Panel,
    t: &ViewTransform,
) {
    let stroke = Stroke::new(1.5, theme::HALO);
    let s = |p: [f64; 2]| to_pos(t.to_screen(p));
    if let Some(Gesture::Draw {
        panel: on,
        tool,
        start,
        points,
    }) = &state.board.gesture
        && *on == panel.id
    {
        let end = *points.last().unwrap_or(start);
        match tool {
            BoardTool::Rectangle | BoardTool::Ellipse => {
                let b = geometry::box_between(*start, end);
                let shape = if *tool == BoardTool::Rectangle {
                    geometry::rectangle_in(b)
                } else {
                    geometry::ellipse_in(b)
                };
                let pts: Vec<Pos2> = match shape {
                    Shape::Ellipse { cx, cy, rx, ry } => {
                        geometry::ellipse_points(cx, cy, rx, ry, 48)
                            .into_iter()
                            .map(s)
                            .collect()
                    }
                    _ => geometry::corners(b).into_iter().map(s).collect(),
                };
                painter.add(egui::epaint::PathShape::closed_line(pts, stroke));
            }
            _ => {
                painter.add(egui::epaint::PathShape::line(
                    points.iter().copied().map(s).collect(),
                    stroke,
                ));
            }
        }
    }
    if let Some((on, points)) = &state.board.polygon
        && *on == panel.id
    {
        let pts: Vec<Pos2> = points.iter().copied().map(s).collect();
        for p in &pts {
            painter.circle_filled(*p, 3.0, theme::HALO);
        }
        painter.add(egui::epaint::PathShape::line(pts, stroke));
    }
}

pub(super) fn draw_link_lines(
    painter: &egui::Painter,
    f: &Finding,
    transforms: &HashMap<String, ViewTransform>,
) {
    let find = |id: &str| f.annotations.iter().find(|a| a.id == id);
    for l in &f.links {
        let (Some(a), Some(b)) = (find(&l.a), find(&l.b)) else {
            continue;
        };
        let (Some(ta), Some(tb)) = (transforms.get(&a.panel), transforms.get(&b.panel)) else {
            continue;
        };
        let pa = to_pos(screen_center(&a.shape, ta));
        let pb = to_pos(screen_center(&b.shape, tb));
        let color = color32(link_color(l.number));
        painter.extend(egui::Shape::dashed_line(
            &[pa, pb],
            Stroke::new(1.5, color),
            8.0,
            5.0,
        ));
    }
}

/// Proposed correspondences: grey crosses numbered `?n` on both panels, until accepted or
/// rejected.
pub(super) fn draw_proposals(
    painter: &egui::Painter,
    state: &BoardCtx<'_>,
    panel: &Panel,
    t: &ViewTransform,
) {
    let Some(p) = &state.board.proposals else {
        return;
    };
    let color = theme::PROPOSAL;
    for (n, c) in &p.items {
        let at = if p.panels.0 == panel.id {
            c.a
        } else if p.panels.1 == panel.id {
            c.b
        } else {
            continue;
        };
        let s = to_pos(t.to_screen(at));
        let stroke = Stroke::new(1.5, color);
        painter.line_segment([s - vec2(5.0, 5.0), s + vec2(5.0, 5.0)], stroke);
        painter.line_segment([s - vec2(5.0, -5.0), s + vec2(5.0, -5.0)], stroke);
        painter.text(
            s + vec2(6.0, -6.0),
            egui::Align2::LEFT_BOTTOM,
            format!("?{n}"),
            egui::FontId::proportional(12.0),
            color,
        );
    }
}
