//! The style of a skyline over a frame: lines with a dark outline so they show on sky
//! and ground, and a line of text on a dark backdrop.

use egui::{Color32, Painter, Pos2, Shape, Stroke};

use crate::ui::theme;

/// A line in `colour` over a wider dark outline.
pub fn outlined(painter: &Painter, points: Vec<Pos2>, colour: Color32) {
    painter.add(Shape::line(
        points.clone(),
        Stroke::new(4.0, theme::OUTLINE),
    ));
    painter.add(Shape::line(points, Stroke::new(2.0, colour)));
}

/// A line of text with its top left at `at` (kept inside the painter's clip), on a
/// dark backdrop.
pub fn note(painter: &Painter, at: Pos2, text: &str, colour: Color32) {
    let at = at.max(painter.clip_rect().min) + egui::vec2(8.0, 8.0);
    let galley = painter.layout_no_wrap(text.to_owned(), egui::FontId::proportional(14.0), colour);
    let rect = egui::Rect::from_min_size(at, galley.size()).expand(4.0);
    painter.rect_filled(rect, 3.0, theme::LABEL_BACKDROP);
    painter.galley(at, galley, colour);
}
