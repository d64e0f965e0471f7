//! The image half of the georeference view: the picture, the skylines shown over it,
//! the numbered points and the pending one; click, drag, pan and wheel zoom.

use egui::{Align2, FontId, Pos2, Rect, Sense, Stroke, Ui, Vec2};

use crate::spatial::georef::ControlPoint;

use super::ctx::GeorefCtx;
use super::images::GeorefImage;
use super::points::{REACH, draw_point};
use super::session::{self, DragPos, GeorefSession, Side};
use super::sky::SkyView;

/// The image half: the picture, the numbered points, the pending one; click, drag,
/// pan (secondary or middle button) and wheel zoom.
pub fn image_ui(
    ui: &mut Ui,
    state: &mut GeorefCtx<'_>,
    image: Option<&GeorefImage>,
    sky: &SkyView,
) {
    let rect = ui.available_rect_before_wrap();
    let response = ui.allocate_rect(rect, Sense::click_and_drag());
    let painter = ui.painter().with_clip_rect(rect);
    painter.rect_filled(rect, 0.0, crate::ui::theme::GEOREF_BACKGROUND);
    let points: Vec<ControlPoint> = state
        .georef_record()
        .map(|g| g.points.clone())
        .unwrap_or_default();
    let Some(session) = state.georef.as_deref_mut() else {
        return;
    };
    let size = Vec2::new(session.size[0] as f32, session.size[1] as f32);
    let view = ImageView::of(session, rect);
    let to_screen = |x: f64, y: f64| view.to_screen(x, y);
    let to_image = |p: Pos2| view.to_image(p);
    pan_and_zoom(ui, &response, session, view);

    // Point gestures (primary button).
    let screen: Vec<Pos2> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let p = session.shown(i, p);
            to_screen(p.x, p.y)
        })
        .collect();
    if response.drag_started_by(egui::PointerButton::Primary)
        && let Some(origin) = ui.input(|i| i.pointer.press_origin())
    {
        session.press(
            Side::Image,
            session::hit(screen.iter().copied(), origin, REACH),
        );
    }
    let mut change = None;
    if session.drag.is_some_and(|d| d.side == Side::Image) {
        if let Some(p) = response.interact_pointer_pos() {
            session.drag_to(DragPos::Image(to_image(p)));
        }
        if response.drag_stopped() || !ui.input(|i| i.pointer.primary_down()) {
            change = session.release(&points);
        }
    }
    if response.clicked()
        && let Some(p) = response.interact_pointer_pos()
    {
        session.click_image(to_image(p), session::hit(screen.iter().copied(), p, REACH));
    }

    // Paint.
    let r = Rect::from_min_max(
        to_screen(0.0, 0.0),
        to_screen(f64::from(size.x), f64::from(size.y)),
    );
    session.image_rect = Some(r);
    paint_picture(&painter, rect, r, image);
    sky.draw(&painter, |p| to_screen(p[0], p[1]));
    let session = state.georef.as_deref();
    let selected = session.and_then(|s| s.selected);
    for (i, p) in screen.iter().enumerate() {
        draw_point(&painter, *p, i + 1, selected == Some(i));
    }
    if let Some([x, y]) = session.and_then(|s| s.pending) {
        let p = to_screen(x, y);
        painter.circle_stroke(p, 7.0, Stroke::new(2.0, crate::ui::theme::GEOREF_PENDING));
        painter.text(
            p + Vec2::new(10.0, -10.0),
            Align2::LEFT_BOTTOM,
            format!("{}: now click this place on the map", points.len() + 1),
            FontId::proportional(13.0),
            crate::ui::theme::GEOREF_PENDING,
        );
    }
    if let Some(change) = change {
        state.georef_change(change);
    }
}

/// Image pixels ↔ screen points in the image half, as the view was at the start of
/// the frame.
#[derive(Clone, Copy)]
struct ImageView {
    rect: Rect,
    centre: Vec2,
    scale: f32,
}

impl ImageView {
    fn of(session: &GeorefSession, rect: Rect) -> ImageView {
        let size = Vec2::new(session.size[0] as f32, session.size[1] as f32);
        let fit_scale = (rect.width() / size.x)
            .min(rect.height() / size.y)
            .max(1e-6);
        ImageView {
            rect,
            centre: Vec2::new(session.view.centre[0] as f32, session.view.centre[1] as f32),
            scale: fit_scale * session.view.zoom as f32,
        }
    }

    fn to_screen(self, x: f64, y: f64) -> Pos2 {
        self.rect.center() + (Vec2::new(x as f32, y as f32) - self.centre) * self.scale
    }

    fn to_image(self, p: Pos2) -> [f64; 2] {
        let v = (p - self.rect.center()) / self.scale + self.centre;
        [f64::from(v.x), f64::from(v.y)]
    }
}

/// Pan (secondary or middle button) and wheel zoom about the pointer.
fn pan_and_zoom(ui: &Ui, response: &egui::Response, session: &mut GeorefSession, view: ImageView) {
    let (scale, to_image) = (view.scale, |p: Pos2| view.to_image(p));

    if response.dragged_by(egui::PointerButton::Secondary)
        || response.dragged_by(egui::PointerButton::Middle)
    {
        let d = response.drag_delta() / scale;
        session.view.centre[0] -= f64::from(d.x);
        session.view.centre[1] -= f64::from(d.y);
    }
    if let Some(pointer) = response.hover_pos() {
        let scroll = ui.input(|i| i.smooth_scroll_delta.y);
        if scroll != 0.0 {
            let before = to_image(pointer);
            let zoom = (session.view.zoom * f64::from((scroll / 200.0).exp())).clamp(0.25, 64.0);
            // Keep the pixel under the pointer where it is.
            let k = session.view.zoom / zoom;
            session.view.centre = [
                before[0] + (session.view.centre[0] - before[0]) * k,
                before[1] + (session.view.centre[1] - before[1]) * k,
            ];
            session.view.zoom = zoom;
        }
    }
}

/// The picture in its rectangle `r`, or "loading…" while it is decoded.
fn paint_picture(painter: &egui::Painter, rect: Rect, r: Rect, image: Option<&GeorefImage>) {
    if let Some(image) = image {
        painter.image(
            image.texture.id(),
            r,
            Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
            crate::ui::theme::UNTINTED,
        );
    } else {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            "loading…",
            FontId::proportional(14.0),
            crate::ui::theme::MUTED,
        );
    }
}
