//! The georeference view: a finding's image panel beside the map. Control points are
//! placed by clicking the image, then the same place on the map; they are numbered on
//! both sides, can be dragged on either, and Delete removes the selected one. The fit,
//! its residuals and the overlay update live; every finished gesture is one
//! `Edit::PutFinding` (undoable). The board opens it from a panel's *Image* menu.

pub mod overlay;
pub mod session;

use egui::{Align2, FontId, Pos2, Rect, Sense, Stroke, Ui, Vec2};

use crate::case::georeference::Georeference;
use crate::case::{Case, Edit};
use crate::spatial::georef::{ControlPoint, Fit, FitError, Method};

use super::command::GeorefExport;
use super::command::{Command, Exposure, MapViewExtent, Status};
use session::{Change, Compare, DragPos, GeorefSession, Side};

/// How far (screen points) from a point's centre a press still grabs it.
const REACH: f32 = 10.0;
/// Share of the central area the image takes.
const IMAGE_SHARE: f32 = 0.45;

/// The centre of control points and a Web Mercator zoom at which they span about 400
/// screen points (at most zoom 18).
fn frame_points(points: &[ControlPoint]) -> (f64, f64, f64) {
    let n = points.len() as f64;
    let lat = points.iter().map(|p| p.lat).sum::<f64>() / n;
    let lon = points.iter().map(|p| p.lon).sum::<f64>() / n;
    let frame = crate::spatial::georef::LocalFrame::at(lat, lon);
    let span = points
        .iter()
        .map(|p| {
            let d = frame.to_local(p.lat, p.lon);
            d[0].abs().max(d[1].abs()) * 2.0
        })
        .fold(50.0, f64::max);
    // Metres per screen point at zoom 0 and this latitude, halved per zoom level.
    let m0 = 156_543.034 * lat.to_radians().cos();
    let zoom = (m0 * 400.0 / span).log2().clamp(2.0, 18.0);
    (lat, lon, zoom)
}

/// A decoded image for the view and the overlay, kept while it is shown.
pub struct GeorefImage {
    pub sha256: String,
    pub texture: egui::TextureHandle,
    /// How it was made: shielded (a graphic item not revealed) and/or greyscale.
    pub look: (bool, bool),
}

/// The one decoded picture the view and the overlay use, reloaded when the evidence
/// changes. Decoded at most this large: enough to place points, small enough to decode
/// on the frame that needs it.
#[derive(Default)]
pub struct GeorefImages {
    current: Option<GeorefImage>,
    failed: Option<String>,
}

const MAX_TEXTURE_SIDE: u32 = 2048;

impl GeorefImages {
    pub fn current_size(&self) -> Option<[usize; 2]> {
        self.current.as_ref().map(|i| i.texture.size())
    }
}

impl GeorefImages {
    /// The picture of `sha256` as the analyst may see it: a graphic item not revealed is
    /// the board's 20 px greyscale stand-in (drawn stretched), *Reduce exposure* greys it.
    pub fn ensure(
        &mut self,
        ctx: &egui::Context,
        case: Option<&crate::case::Case>,
        sha256: Option<&str>,
        exposure: &Exposure,
    ) -> Option<&GeorefImage> {
        let (Some(case), Some(sha256)) = (case, sha256) else {
            return None;
        };
        let look = case.find_evidence(sha256).map_or((false, false), |r| {
            (exposure.shielded(r), exposure.greyscale())
        });
        let loaded = self
            .current
            .as_ref()
            .is_some_and(|i| i.sha256 == sha256 && i.look == look);
        if !loaded && self.failed.as_deref() != Some(sha256) {
            let source = crate::case::comparison::PanelSource::Evidence {
                sha256: sha256.to_owned(),
            };
            let decoded = case
                .panel_file(&source)
                .map_err(|e| e.to_string())
                .and_then(|file| {
                    crate::evidence::load_oriented(&file.path, MAX_TEXTURE_SIDE)
                        .map_err(|e| e.to_string())
                });
            match decoded {
                // The case record carries the decoders' warnings (inspector).
                Ok(crate::evidence::Loaded { image, .. }) => {
                    let mut rgb = image.into_rgb8();
                    if look.0 {
                        rgb = crate::board::shield::shielded(&rgb);
                    } else if look.1 {
                        crate::board::shield::greyscale(&mut rgb);
                    }
                    let rgba = image::DynamicImage::ImageRgb8(rgb).into_rgba8();
                    let size = [rgba.width() as usize, rgba.height() as usize];
                    let texture = ctx.load_texture(
                        format!("georef {sha256}"),
                        egui::ColorImage::from_rgba_unmultiplied(size, rgba.as_raw()),
                        egui::TextureOptions::LINEAR,
                    );
                    self.current = Some(GeorefImage {
                        sha256: sha256.to_owned(),
                        texture,
                        look,
                    });
                }
                Err(e) => {
                    log::warn!("{e}");
                    self.failed = Some(sha256.to_owned());
                    self.current = None;
                }
            }
        }
        self.current
            .as_ref()
            .filter(|i| i.sha256 == sha256 && i.look == look)
    }
}

/// The georeference being edited in `session`, if any.
pub fn record_of<'a>(
    case: Option<&'a Case>,
    session: Option<&GeorefSession>,
) -> Option<&'a Georeference> {
    let s = session?;
    case?
        .finding(&s.finding)
        .ok()?
        .georeference
        .as_ref()
        .filter(|g| g.panel == s.panel)
}

/// What the georeference view reads and changes: the case (read only; changes are
/// commands), the session, the map's last view and the command queue (status messages included).
pub struct GeorefCtx<'a> {
    pub case: Option<&'a Case>,
    pub georef: &'a mut Option<GeorefSession>,
    pub map_view: Option<MapViewExtent>,
    pub commands: &'a mut Vec<Command>,
}

impl GeorefCtx<'_> {
    /// The georeference being edited, if the view is open.
    pub fn georef_record(&self) -> Option<&Georeference> {
        record_of(self.case, self.georef.as_ref())
    }

    /// Applies one change as one edit of the finding.
    fn georef_change(&mut self, change: Change) {
        let Some(s) = &self.georef else {
            return;
        };
        let Some(f) = self.case.as_ref().and_then(|c| c.finding(&s.finding).ok()) else {
            return;
        };
        let mut f = f.clone();
        let method = match &change {
            Change::SetMethod(m) => *m,
            _ => Method::Projective,
        };
        let g = f
            .georeference
            .get_or_insert_with(|| Georeference::new(&s.panel, method));
        session::apply_change(g, change);
        self.commands
            .push(Command::Edit(Edit::PutFinding(Box::new(f))));
    }

    fn georef_put(&mut self, g: Georeference) {
        let Some(s) = &self.georef else {
            return;
        };
        let Some(f) = self.case.as_ref().and_then(|c| c.finding(&s.finding).ok()) else {
            return;
        };
        let mut f = f.clone();
        f.georeference = Some(g);
        self.commands
            .push(Command::Edit(Edit::PutFinding(Box::new(f))));
    }
}

/// A view on `panel` of `finding` (the panel must show a still image), and where the
/// map should look to show its points (centre latitude, longitude, zoom).
pub fn open_session(
    case: &Case,
    finding: &str,
    panel: &str,
) -> Result<(GeorefSession, Option<MapFrame>), String> {
    let f = case.finding(finding).map_err(|e| e.to_string())?;
    let p = f
        .panels
        .iter()
        .find(|p| p.id == panel)
        .ok_or_else(|| format!("finding {finding} has no panel {panel}"))?;
    let crate::case::comparison::PanelSource::Evidence { sha256 } = &p.source else {
        return Err("only an evidence image can be georeferenced (not a map snapshot)".into());
    };
    let record = case.find_evidence(sha256).map_err(|e| e.to_string())?;
    if !record.kind().is_still() {
        return Err(
            "grab the frame first (Video → Grab frame): a georeference pins a still".into(),
        );
    }
    if let Some(g) = &f.georeference
        && g.panel != panel
    {
        return Err(format!(
            "finding {finding} already georeferences panel {}; one per finding",
            g.panel
        ));
    }
    let fov = match (record.fov_deg, record.exif.horizontal_fov_deg()) {
        (Some(f), _) => (f, "set on the evidence".to_owned()),
        (None, Some(f)) => (f, "EXIF 35 mm focal length".to_owned()),
        (None, None) => (
            crate::spatial::camera_pose::DEFAULT_FOV_DEG,
            "a guess: set it".to_owned(),
        ),
    };
    let session = GeorefSession::new(finding, panel, [record.width, record.height], fov);
    // Show all the points on the map, whatever the zoom was.
    let frame = f
        .georeference
        .as_ref()
        .filter(|g| !g.points.is_empty())
        .map(|g| frame_points(&g.points));
    Ok((session, frame))
}

/// Where the map should look: centre latitude, longitude and zoom.
pub type MapFrame = (f64, f64, f64);

/// The image half: the picture, the numbered points, the pending one; click, drag,
/// pan (secondary or middle button) and wheel zoom.
pub fn image_ui(ui: &mut Ui, state: &mut GeorefCtx<'_>, image: Option<&GeorefImage>) {
    let rect = ui.available_rect_before_wrap();
    let response = ui.allocate_rect(rect, Sense::click_and_drag());
    let painter = ui.painter().with_clip_rect(rect);
    painter.rect_filled(rect, 0.0, super::theme::GEOREF_BACKGROUND);
    let points: Vec<ControlPoint> = state
        .georef_record()
        .map(|g| g.points.clone())
        .unwrap_or_default();
    let Some(session) = state.georef.as_mut() else {
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
    let session = state.georef.as_ref();
    let selected = session.and_then(|s| s.selected);
    for (i, p) in screen.iter().enumerate() {
        draw_point(&painter, *p, i + 1, selected == Some(i));
    }
    if let Some([x, y]) = session.and_then(|s| s.pending) {
        let p = to_screen(x, y);
        painter.circle_stroke(p, 7.0, Stroke::new(2.0, super::theme::GEOREF_PENDING));
        painter.text(
            p + Vec2::new(10.0, -10.0),
            Align2::LEFT_BOTTOM,
            format!("{}: now click this place on the map", points.len() + 1),
            FontId::proportional(13.0),
            super::theme::GEOREF_PENDING,
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
            super::theme::UNTINTED,
        );
    } else {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            "loading…",
            FontId::proportional(14.0),
            super::theme::MUTED,
        );
    }
}

/// A numbered control point marker.
fn draw_point(painter: &egui::Painter, p: Pos2, n: usize, selected: bool) {
    let colour = if selected {
        super::theme::GEOREF_SELECTED
    } else {
        super::theme::GEOREF_POINT
    };
    painter.circle(p, 6.0, colour, Stroke::new(1.5, super::theme::OUTLINE));
    painter.text(
        p + Vec2::new(8.0, -8.0),
        Align2::LEFT_BOTTOM,
        n.to_string(),
        FontId::proportional(14.0),
        colour,
    );
}

/// Before the map draws: a press on a control point starts dragging it (the map does
/// not pan then).
pub fn before_map(ui: &Ui, state: &mut GeorefCtx<'_>) {
    let (Some(extent), Some(points)) = (
        state.map_view,
        state.georef_record().map(|g| g.points.clone()),
    ) else {
        return;
    };
    let Some(session) = state.georef.as_mut() else {
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
    let Some(session) = state.georef.as_mut() else {
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
    let Some(session) = state.georef.as_mut() else {
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

/// The fit of the georeference being edited, and why there is none.
pub fn current_fit(state: &GeorefCtx<'_>) -> Option<Result<Fit, FitError>> {
    state.georef_record().map(Georeference::fit)
}

/// The inspector while the view is open: method, points with residuals, RMS and
/// warnings, overlay and compare, camera estimate, exports.
pub fn inspector_ui(ui: &mut Ui, mut state: GeorefCtx<'_>) {
    let Some(session) = state.georef.clone() else {
        return;
    };
    ui.heading("Georeference");
    ui.label(format!(
        "Finding {} · panel {}",
        session.finding, session.panel
    ));
    let record = state.georef_record().cloned();
    let method = record.as_ref().map_or(Method::Projective, |g| g.method);
    let points = record
        .as_ref()
        .map(|g| g.points.clone())
        .unwrap_or_default();
    ui.horizontal(|ui| {
        ui.label("Method:");
        for (m, label) in [
            (Method::Helmert, "Helmert (≥2)"),
            (Method::Affine, "Affine (≥3)"),
            (Method::Projective, "Projective (≥4)"),
        ] {
            if ui.selectable_label(method == m, label).clicked() && method != m {
                state.georef_change(Change::SetMethod(m));
            }
        }
    });
    match &session.pending {
        Some(_) => ui.label(format!(
            "Point {}: click the same place on the map (Esc cancels).",
            points.len() + 1
        )),
        None => ui.label("Click a point on the image, then the same place on the map."),
    };
    let fit = record.as_ref().map(Georeference::fit);
    egui::Grid::new("georef-points")
        .striped(true)
        .show(ui, |ui| {
            for h in ["#", "residual", "leave-one-out", ""] {
                ui.label(egui::RichText::new(h).strong());
            }
            ui.end_row();
            for (i, p) in points.iter().enumerate() {
                let residual = fit
                    .as_ref()
                    .and_then(|f| f.as_ref().ok())
                    .and_then(|f| f.residuals.get(i));
                let label = ui
                    .selectable_label(session.selected == Some(i), (i + 1).to_string())
                    .on_hover_text(format!(
                        "image {:.1}, {:.1} → {:.6}, {:.6}",
                        p.x, p.y, p.lat, p.lon
                    ));
                if label.clicked()
                    && let Some(s) = state.georef.as_mut()
                {
                    s.selected = Some(i);
                }
                ui.label(residual.map_or("—".into(), |r| {
                    format!("{:.2} m / {:.1} px", r.residual_m, r.residual_px)
                }));
                ui.label(
                    residual
                        .and_then(|r| r.leave_one_out_m)
                        .map_or("—".into(), |m| format!("{m:.2} m")),
                );
                if ui.small_button("Delete").clicked() {
                    state.georef_change(Change::Delete(i));
                }
                ui.end_row();
            }
        });
    match &fit {
        Some(Ok(f)) => {
            ui.label(
                egui::RichText::new(crate::export::georef::describe(f, points.len())).strong(),
            );
            for w in &f.warnings {
                ui.label(egui::RichText::new(w).color(super::theme::WARNING));
            }
        }
        Some(Err(e)) => {
            ui.label(egui::RichText::new(e.to_string()).color(super::theme::WARNING));
        }
        None => {}
    }
    ui.separator();
    if let Some(g) = record.clone() {
        overlay_controls_ui(ui, &mut state, g, &session);
    }
    ui.separator();
    ui.horizontal(|ui| {
        super::undo_redo_buttons(ui, state.commands);
        if ui
            .button("Done")
            .on_hover_text("Close the view and go back to the board")
            .clicked()
        {
            *state.georef = None;
            state
                .commands
                .push(Command::SetWorkspace(super::command::Workspace::Board));
        }
    });
}

fn overlay_controls_ui(
    ui: &mut Ui,
    state: &mut GeorefCtx<'_>,
    g: Georeference,
    session: &GeorefSession,
) {
    let mut show = g.show_overlay;
    if ui
        .checkbox(&mut show, "Show the image on the map")
        .changed()
    {
        let mut next = g.clone();
        next.show_overlay = show;
        state.georef_put(next);
    }
    let mut opacity = g.opacity;
    let slider = ui.add(egui::Slider::new(&mut opacity, 0.0..=1.0).text("opacity"));
    if slider.drag_stopped() || (slider.changed() && !slider.dragged()) {
        let mut next = g.clone();
        next.opacity = opacity;
        state.georef_put(next);
    }
    ui.horizontal(|ui| {
        ui.label("Compare:");
        let mut compare = session.compare;
        ui.selectable_value(&mut compare, Compare::Opacity, "Opacity");
        if ui
            .selectable_label(matches!(compare, Compare::Swipe(_)), "Swipe")
            .clicked()
        {
            compare = Compare::Swipe(0.5);
        }
        ui.selectable_value(&mut compare, Compare::Blink, "Blink");
        if let Compare::Swipe(mut at) = compare
            && ui
                .add(egui::Slider::new(&mut at, 0.0..=1.0).show_value(false))
                .changed()
        {
            compare = Compare::Swipe(at);
        }
        if let Some(s) = state.georef.as_mut() {
            s.compare = compare;
        }
    });
    camera_ui(ui, state, &g, session);
    export_ui(ui, state, session);
}

/// Where the camera was: the field of view and the estimate from the points.
fn camera_ui(ui: &mut Ui, state: &mut GeorefCtx<'_>, g: &Georeference, session: &GeorefSession) {
    ui.separator();
    ui.label(egui::RichText::new("Where was the camera?").strong());
    ui.horizontal(|ui| {
        let mut fov = session.fov_deg;
        ui.label("Horizontal field of view");
        if ui
            .add(
                egui::DragValue::new(&mut fov)
                    .range(5.0..=170.0)
                    .suffix("°"),
            )
            .changed()
            && let Some(s) = state.georef.as_mut()
        {
            s.fov_deg = fov;
            s.fov_source = "set here".into();
        }
        ui.label(egui::RichText::new(&session.fov_source).small());
    });
    if ui
        .button("Estimate camera position")
        .on_hover_text("From a projective fit of points on flat ground and the field of view")
        .clicked()
    {
        let (w, h) = (f64::from(session.size[0]), f64::from(session.size[1]));
        match crate::spatial::camera_pose::estimate(&g.points, w, h, session.fov_deg) {
            Ok(pose) => {
                let mut next = g.clone();
                next.camera = Some(crate::case::georeference::CameraEstimate {
                    lat: pose.lat,
                    lon: pose.lon,
                    height_m: pose.height_m,
                    heading_deg: pose.heading_deg,
                    fov_deg: session.fov_deg,
                    fov_source: session.fov_source.clone(),
                    uncertainty_m: pose.uncertainty_m,
                });
                state.georef_put(next);
            }
            Err(e) => state
                .commands
                .push(Command::Notify(Status::Error(e.to_string()))),
        }
    }
    if let Some(c) = &g.camera {
        ui.label(format!(
            "Estimated camera: {:.6}, {:.6}, {:.0} m above the ground, heading {:.0}°, ± {:.0} m (estimate, not GPS)",
            c.lat, c.lon, c.height_m, c.heading_deg, c.uncertainty_m
        ));
    }
}

/// Exports: a map snapshot into the finding, GeoTIFF, KML, control points.
fn export_ui(ui: &mut Ui, state: &mut GeorefCtx<'_>, session: &GeorefSession) {
    ui.separator();
    ui.label(egui::RichText::new("Export").strong());
    if ui
        .button("Map snapshot into the finding")
        .on_hover_text(
            "The map as shown, with the fitted image on it, becomes a panel of this finding \
             (and so of its figures)",
        )
        .clicked()
    {
        state.commands.push(Command::RequestMapSnapshot);
    }
    ui.horizontal(|ui| {
        for (label, kind, ext) in [
            ("GeoTIFF…", GeorefExport::GeoTiff, "tif"),
            ("KML…", GeorefExport::Kml, "kml"),
            (
                "Control points GeoJSON…",
                GeorefExport::ControlPoints,
                "geojson",
            ),
        ] {
            if ui.button(label).clicked()
                && let Some(path) = rfd::FileDialog::new()
                    .add_filter(ext, &[ext])
                    .set_file_name(format!("{}.{ext}", session.finding))
                    .save_file()
            {
                state.commands.push(Command::ExportGeoref { kind, path });
            }
        }
    });
}

/// Writes the georeference's export (the image with its redactions applied) and says
/// what was written.
pub fn export(
    case: &Case,
    session: &GeorefSession,
    kind: GeorefExport,
    path: &std::path::Path,
) -> Result<String, String> {
    {
        use crate::export::georef as export;
        let finding = case.finding(&session.finding).map_err(|e| e.to_string())?;
        let g = finding
            .georeference
            .as_ref()
            .ok_or("place control points first")?;
        let fit = g.fit().map_err(|e| e.to_string())?;
        let write = |bytes: &[u8], p: &std::path::Path| {
            crate::fsio::write_atomic(p, bytes, false).map_err(|e| e.to_string())
        };
        match kind {
            GeorefExport::ControlPoints => {
                write(
                    export::control_points_geojson(&fit, &g.points).as_bytes(),
                    path,
                )?;
            }
            GeorefExport::GeoTiff | GeorefExport::Kml => {
                let pixels = crate::export::figure::redacted_panel_image(case, finding, &g.panel)
                    .map_err(|e| e.to_string())?;
                if kind == GeorefExport::GeoTiff {
                    let warped = export::warp(&pixels, &fit, export::MAX_WARP_SIDE)
                        .map_err(|e| e.to_string())?;
                    export::write_geotiff(&warped, path).map_err(|e| e.to_string())?;
                } else {
                    let png_path = path.with_extension("png");
                    let href = png_path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let text = export::kml(
                        &finding.title,
                        &fit,
                        &g.points,
                        pixels.width(),
                        pixels.height(),
                        &href,
                        g.opacity,
                    )
                    .map_err(|e| e.to_string())?;
                    let png =
                        crate::export::redact::encode_png(&pixels).map_err(|e| e.to_string())?;
                    write(&png, &png_path)?;
                    write(text.as_bytes(), path)?;
                }
            }
        }
        Ok(format!("wrote {}", path.display()))
    }
}

/// The image and map halves, side by side, with the overlay and points on the map.
pub fn view_ui<S>(
    ui: &mut Ui,
    state: &mut S,
    image: Option<&GeorefImage>,
    georef: fn(&mut S) -> GeorefCtx<'_>,
    map: impl FnOnce(&mut Ui, &mut S),
) {
    let full = ui.available_rect_before_wrap();
    let split = full.left() + full.width() * IMAGE_SHARE;
    let image_rect = Rect::from_min_max(full.min, Pos2::new(split - 2.0, full.bottom()));
    let map_rect = Rect::from_min_max(Pos2::new(split + 2.0, full.top()), full.max);
    ui.scope_builder(egui::UiBuilder::new().max_rect(image_rect), |ui| {
        image_ui(ui, &mut georef(state), image);
    });
    ui.scope_builder(egui::UiBuilder::new().max_rect(map_rect), |ui| {
        // The map half is all of this child: the wheel zoom asks whether the pointer is
        // inside it.
        ui.expand_to_include_rect(map_rect);
        before_map(ui, &mut georef(state));
        map(ui, state);
        after_map(ui, &mut georef(state));
    });
    ui.advance_cursor_after_rect(full);
}
