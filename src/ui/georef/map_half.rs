//! The map half of the georeference view: pressing, dragging and clicking control
//! points on the map, drawing them, and the keys.

use egui::Ui;

use super::ctx::GeorefCtx;
use super::points::{REACH, draw_point};
use super::session::{self, DragPos, GeorefSession, Side};

/// Before the map draws: a press on a control point starts dragging it (the map does
/// not pan then).
pub fn before_map(ui: &Ui, state: &mut GeorefCtx<'_>) {
    let (Some(extent), Some(points)) = (
        state.map_view,
        state.georef_record().map(|g| g.points.clone()),
    ) else {
        return;
    };
    let Some(session) = state.georef.as_deref_mut() else {
        return;
    };
    let (pressed, origin) = ui.input(|i| (i.pointer.primary_pressed(), i.pointer.press_origin()));
    if pressed
        && let Some(origin) = origin
        && extent.rect.contains(origin)
    {
        let screen = points.iter().map(|p| extent.to_screen(p.lat, p.lon));
        session.press(Side::Map, session::hit(screen, origin, REACH));
    }
}

/// Whether the map must not pan this frame (a control point is dragged on it).
pub fn holds_map(session: Option<&GeorefSession>) -> bool {
    session.is_some_and(|s| s.drag.is_some_and(|d| d.side == Side::Map))
}

/// A click on the map while the view is open: finishes the pending point, or selects.
/// Returns whether the click was taken.
pub fn map_clicked(state: &mut GeorefCtx<'_>, lat: f64, lon: f64) -> bool {
    let Some(extent) = state.map_view else {
        return false;
    };
    let points = state
        .georef_record()
        .map(|g| g.points.clone())
        .unwrap_or_default();
    let Some(session) = state.georef.as_deref_mut() else {
        return false;
    };
    let at = extent.to_screen(lat, lon);
    let hit = session::hit(
        points.iter().map(|p| extent.to_screen(p.lat, p.lon)),
        at,
        REACH,
    );
    if let Some(change) = session.click_map(lat, lon, hit) {
        state.georef_change(change);
    }
    true
}

/// After the map draws: follow a drag, draw the points, keys.
pub fn after_map(ui: &Ui, state: &mut GeorefCtx<'_>) {
    let Some(extent) = state.map_view else {
        return;
    };
    let points = state
        .georef_record()
        .map(|g| g.points.clone())
        .unwrap_or_default();
    let Some(session) = state.georef.as_deref_mut() else {
        return;
    };
    let mut change = None;
    if session.drag.is_some_and(|d| d.side == Side::Map) {
        if let Some(p) = ui.input(|i| i.pointer.latest_pos()) {
            let (lat, lon) = extent.to_geo(p);
            session.drag_to(DragPos::Map(lat, lon));
        }
        if !ui.input(|i| i.pointer.primary_down()) {
            change = session.release(&points);
        }
        ui.ctx().request_repaint();
    }
    let painter = ui.painter().with_clip_rect(extent.rect);
    for (i, p) in points.iter().enumerate() {
        let p = session.shown(i, p);
        draw_point(
            &painter,
            extent.to_screen(p.lat, p.lon),
            i + 1,
            session.selected == Some(i),
        );
    }
    let typing = ui.ctx().egui_wants_keyboard_input();
    if !typing {
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            session.cancel();
        }
        if ui.input(|i| i.key_pressed(egui::Key::Delete) || i.key_pressed(egui::Key::Backspace))
            && let Some(c) = session.delete_selected()
        {
            change = Some(c);
        }
    }
    if let Some(change) = change {
        state.georef_change(change);
    }
}
