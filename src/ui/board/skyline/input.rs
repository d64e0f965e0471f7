//! The Skyline tool's gestures on its panel: a drag turns and tilts the camera (the
//! rendered skyline follows the pointer), the wheel changes the field of view, a click
//! adds a point to the trace, and the arrow keys move the camera.

use egui::{Key, Modifiers, Pos2, Response, Ui};

use super::camera::{STEP_M, dragged, moved, zoomed};
use super::state::SkylineState;

/// The wheel over the tool's panel changes the field of view; returns the scroll left
/// for zooming the panel (none when the tool took it).
pub fn wheel(s: &mut SkylineState, panel: &str, scroll: f32) -> f32 {
    if s.panel.as_deref() != Some(panel) || scroll == 0.0 {
        return scroll;
    }
    match &s.camera {
        Some(c) => {
            s.camera = Some(zoomed(c, f64::from(scroll)));
            0.0
        }
        None => scroll,
    }
}

/// A press, drag or click on `panel` with the tool. `to_image` maps a screen position
/// to image pixels (not clamped), `size` is the frame's.
pub fn pointer(
    s: &mut SkylineState,
    panel: &str,
    response: &Response,
    press_origin: Option<Pos2>,
    to_image: impl Fn(Pos2) -> [f64; 2],
    size: [f64; 2],
) {
    if s.panel.as_deref() != Some(panel) {
        return;
    }
    let Some(camera) = s.camera else {
        return;
    };
    let current = response.interact_pointer_pos();
    if response.drag_started_by(egui::PointerButton::Primary)
        && let Some(start) = press_origin.or(current)
    {
        s.drag_from = Some((camera, to_image(start)));
    }
    if response.dragged_by(egui::PointerButton::Primary)
        && let (Some((from, start)), Some(p)) = (s.drag_from, current)
    {
        let p = to_image(p);
        s.camera = Some(dragged(&from, [p[0] - start[0], p[1] - start[1]]));
    }
    if response.drag_stopped() {
        s.drag_from = None;
    }
    if response.clicked_by(egui::PointerButton::Primary)
        && let Some(p) = current
    {
        let p = to_image(p);
        add_point(s, [p[0].clamp(0.0, size[0]), p[1].clamp(0.0, size[1])]);
    }
}

/// Adds a traced point: to the last polyline, or a new one after "New line".
pub fn add_point(s: &mut SkylineState, p: [f64; 2]) {
    let lines = &mut s.trace.polylines;
    if s.new_line || lines.is_empty() {
        lines.push(Vec::new());
        s.new_line = false;
    }
    if let Some(last) = lines.last_mut() {
        last.push(p);
    }
}

/// The arrow keys move the camera along and across its heading (Shift: ten times as
/// far). Taken before anything else on the board reads them.
pub fn keys(ui: &mut Ui, s: &mut SkylineState) {
    let Some(camera) = s.camera else {
        return;
    };
    let mut forward = 0.0;
    let mut right = 0.0;
    ui.input_mut(|i| {
        for (modifiers, step) in [(Modifiers::SHIFT, 10.0 * STEP_M), (Modifiers::NONE, STEP_M)] {
            for (key, f, r) in [
                (Key::ArrowUp, 1.0, 0.0),
                (Key::ArrowDown, -1.0, 0.0),
                (Key::ArrowRight, 0.0, 1.0),
                (Key::ArrowLeft, 0.0, -1.0),
            ] {
                while i.consume_key(modifiers, key) {
                    forward += f * step;
                    right += r * step;
                }
            }
        }
    });
    if forward != 0.0 || right != 0.0 {
        s.camera = Some(moved(&camera, forward, right));
    }
}
