//! Numbered control point markers, drawn the same on the image and on the map.

use egui::{Align2, FontId, Pos2, Stroke, Vec2};

/// How far (screen points) from a point's centre a press still grabs it.
pub const REACH: f32 = 10.0;

/// A numbered control point marker.
pub fn draw_point(painter: &egui::Painter, p: Pos2, n: usize, selected: bool) {
    let colour = if selected {
        crate::ui::theme::GEOREF_SELECTED
    } else {
        crate::ui::theme::GEOREF_POINT
    };
    painter.circle(p, 6.0, colour, Stroke::new(1.5, crate::ui::theme::OUTLINE));
    painter.text(
        p + Vec2::new(8.0, -8.0),
        Align2::LEFT_BOTTOM,
        n.to_string(),
        FontId::proportional(14.0),
        colour,
    );
}
