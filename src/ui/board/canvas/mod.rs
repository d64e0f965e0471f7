//! The board's central area: panels laid out side by side (`layout`), each drawn from
//! its image pyramid with the finding's annotations on top (`paint`), and egui's input
//! turned into the gesture machine's pointer events (`super::gestures`).

use std::collections::HashMap;

use egui::{Pos2, Rect, Sense, Ui, pos2, vec2};

mod layout;
mod paint;

use super::BoardCtx;
use layout::{HEADER_HEIGHT, from_pos, layout, panel_image, transform_for};
use paint::{
    draw_annotations, draw_frame_texture, draw_gesture_preview, draw_link_lines, draw_proposals,
    draw_shadows, draw_tiles, shield_image,
};

use super::gestures::{self, PointerEvent};
use super::images::{BoardImages, ImageState};
use super::{BoardTool, Gesture};
use crate::board::ViewTransform;
use crate::case::comparison::Panel;
use crate::ui::command::Command;
use crate::ui::command::{BesideCommand, BoardCommand};

const MIN_ZOOM: f64 = 1.0 / 512.0;
const MAX_ZOOM: f64 = 64.0;

/// The panels side by side, with link lines between them.
pub fn panels_ui(ui: &mut Ui, state: &mut BoardCtx<'_>, images: &mut BoardImages) {
    let Some(finding) = state.board.working.clone() else {
        ui.centered_and_justified(|ui| {
            ui.label("Choose a finding and press “Open board”, or start a comparison from an evidence item.");
        });
        return;
    };
    let area = ui.available_rect_before_wrap();
    ui.allocate_rect(area, Sense::hover());
    if finding.panels.is_empty() {
        ui.put(
            area,
            egui::Label::new("This finding has no panels yet: add evidence with “Add panel”."),
        );
        return;
    }
    let rects = layout(area, finding.panels.len(), state.board.layout());
    let mut transforms = HashMap::new();
    for (panel, rect) in finding.panels.iter().zip(rects) {
        if let Some(t) = panel_ui(ui, rect, state, images, panel) {
            transforms.insert(panel.id.clone(), t);
        }
    }
    if !state.board.hide_link_lines
        && let Some(f) = &state.board.working
    {
        // A link to an annotation on another frame of a video has nothing to point at.
        let mut on_screen = f.clone();
        let frames = &state.board.video_frames;
        on_screen
            .annotations
            .retain(|a| a.shows_on(frames.get(&a.panel).map(|fr| fr.index)));
        draw_link_lines(&ui.painter_at(area), &on_screen, &transforms);
    }
    state.board.transforms = transforms;
    images.end_frame();
    if images.videos.busy() {
        ui.ctx().request_repaint();
    }
    if images.loading() {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
    }
}

fn store_view(state: &mut BoardCtx<'_>, panel: &str, t: &ViewTransform) {
    let v = state.board.views.entry(panel.to_owned()).or_default();
    v.center = t.center;
    v.zoom = t.zoom;
    v.quarter_turns = t.quarter_turns;
    v.flip_horizontal = t.flip_horizontal;
}

/// Draws one panel and handles its input; returns the transform it was drawn with.
fn panel_ui(
    ui: &mut Ui,
    rect: Rect,
    state: &mut BoardCtx<'_>,
    images: &mut BoardImages,
    panel: &Panel,
) -> Option<ViewTransform> {
    let ctx = ui.ctx().clone();
    let (key, path, name, known_size) = state.case.as_ref().and_then(|c| panel_image(c, panel))?;
    let header = Rect::from_min_size(rect.min, vec2(rect.width(), HEADER_HEIGHT));
    let body = Rect::from_min_max(pos2(rect.min.x, header.max.y), rect.max);
    let painter = ui.painter_at(rect);
    painter.rect_filled(body, 0.0, crate::ui::theme::BOARD_BACKGROUND);

    let is_video = state
        .case
        .as_ref()
        .and_then(|c| c.find_evidence(&key).ok())
        .is_some_and(|r| r.kind().has_frames());
    if is_video {
        return video_panel_ui(ui, rect, state, images, panel, &key, &name, known_size);
    }
    let image = images.get(&ctx, &key, path);
    let (pyramid, size) = match image {
        ImageState::Ready(p) => (
            Some(p.clone()),
            [f64::from(p.width()), f64::from(p.height())],
        ),
        ImageState::Loading { progress, stage } => {
            let bar = Rect::from_center_size(body.center(), vec2(body.width() * 0.6, 18.0));
            ui.put(
                bar,
                egui::ProgressBar::new(progress)
                    .text(format!("{stage} {name}… {:.0}%", progress * 100.0)),
            );
            (None, known_size.unwrap_or([1.0, 1.0]))
        }
        ImageState::Failed(e) => {
            let e = e.to_owned();
            ui.put(
                body.shrink(12.0),
                egui::Label::new(
                    egui::RichText::new(format!("⚠ {e}")).color(crate::ui::theme::ERROR),
                ),
            );
            (None, known_size.unwrap_or([1.0, 1.0]))
        }
    };
    let (response, t) = frame_panel(ui, [header, body], state, panel, &name, size);
    super::skyline::picture_ready(&ctx, &mut state.board.skyline, &panel.id, pyramid.as_ref());

    let painter = ui.painter_at(body);
    let record = state.case.as_ref().and_then(|c| c.find_evidence(&key).ok());
    let shielded = record.is_some_and(|r| state.exposure.shielded(r));
    if let Some(pyramid) = &pyramid {
        if shielded {
            let texture = images.overlay_cached(&ctx, &format!("shield-{key}"), 0, || {
                Some(shield_image(&pyramid.sample(
                    [0.0, 0.0],
                    [size[0] / 64.0, 0.0],
                    [0.0, size[1] / 64.0],
                    (64, 64),
                )))
            });
            if let Some(texture) = texture {
                draw_frame_texture(&painter, texture, size, &t);
            }
        } else {
            let grey = state.exposure.greyscale();
            draw_tiles(&painter, &ctx, images, &key, pyramid, &t, body, grey);
        }
    }
    if shielded {
        reveal_button(ui, body, state, &key);
    }
    let hover = response.hover_pos();
    draw_overlays(
        ui,
        &painter,
        state,
        images,
        panel,
        &t,
        None,
        // A shielded panel has no loupe or preview: they would show its pixels.
        pyramid.as_deref().filter(|_| !shielded),
        hover,
    );
    Some(t)
}

/// A video panel: the frame the player shows, drawn through the same transform and
/// tools as a photo, with the transport bar below it.
#[allow(clippy::too_many_arguments)]
fn video_panel_ui(
    ui: &mut Ui,
    rect: Rect,
    state: &mut BoardCtx<'_>,
    images: &mut BoardImages,
    panel: &Panel,
    key: &str,
    name: &str,
    known_size: Option<[f64; 2]>,
) -> Option<ViewTransform> {
    let ctx = ui.ctx().clone();
    let header = Rect::from_min_size(rect.min, vec2(rect.width(), HEADER_HEIGHT));
    let transport = Rect::from_min_max(
        pos2(rect.min.x, rect.max.y - super::transport::HEIGHT),
        rect.max,
    );
    let body = Rect::from_min_max(
        pos2(rect.min.x, header.max.y),
        pos2(rect.max.x, transport.min.y),
    );
    ui.painter_at(rect)
        .rect_filled(body, 0.0, crate::ui::theme::BOARD_BACKGROUND);
    let case = state.case.as_ref()?;
    let shielded = case
        .find_evidence(key)
        .is_ok_and(|r| state.exposure.shielded(r));
    let player = images.videos.player(&ctx, case, key);
    // A seek waits for the clip's frame table (before it, every frame clamps to 0).
    if player.video().is_some()
        && let Some(index) = state.board.video_seeks.remove(&panel.id)
    {
        player.playing = false;
        player.seek(index);
    }
    player.update(&ctx);
    let size = known_size.unwrap_or([1.0, 1.0]);
    let (response, t) = frame_panel(ui, [header, body], state, panel, name, size);
    let painter = ui.painter_at(body);
    // A shielded or greyed frame is remade only when the frame on screen changes.
    let replaced = if shielded || state.exposure.greyscale() {
        stand_in_frame(&ctx, images, key, shielded)
    } else {
        None
    };
    let Some(player) = images.videos.get_mut(key) else {
        return Some(t);
    };
    if shielded {
        reveal_button(ui, body, state, key);
    }
    match (
        replaced.or(player.texture().map(|t| t.id())),
        player.opening_error(),
    ) {
        (Some(texture), _) => draw_frame_texture(&painter, texture, size, &t),
        (None, Some(e)) => {
            let e = e.to_owned();
            ui.put(
                body.shrink(12.0),
                egui::Label::new(
                    egui::RichText::new(format!("⚠ {e}")).color(crate::ui::theme::ERROR),
                ),
            );
        }
        (None, None) => {
            ui.put(
                Rect::from_center_size(body.center(), vec2(body.width() * 0.6, 18.0)),
                egui::Label::new(format!("decoding {name}…")),
            );
        }
    }
    if let (Some(shown), Some(video)) = (player.shown, player.video()) {
        state.board.video_frames.insert(
            panel.id.clone(),
            crate::case::comparison::FrameRef {
                index: shown as u64,
                time_s: video.table.time_us(shown) as f64 / 1e6,
            },
        );
    }
    let shown = player.shown.map(|i| i as u64);
    // The loupe reads from a pyramid, built for the frame on screen only when needed.
    let previewing = state.board.preview_redactions
        && state.board.working.as_ref().is_some_and(|f| {
            f.annotations
                .iter()
                .any(|a| a.panel == panel.id && a.redaction.is_some() && a.shows_on(shown))
        });
    let tracing = state.board.skyline.suggest_wanted
        && state.board.skyline.panel.as_deref() == Some(panel.id.as_str());
    let pyramid = if (state.board.loupe.on || previewing || tracing) && !shielded {
        player.shown_pyramid()
    } else {
        None
    };
    super::skyline::picture_ready(&ctx, &mut state.board.skyline, &panel.id, pyramid.as_ref());
    super::transport::transport_ui(ui, transport, player, response.hovered(), shielded);
    let hover = response.hover_pos();
    draw_overlays(
        ui,
        &painter,
        state,
        images,
        panel,
        &t,
        shown,
        // A shielded panel has no loupe or preview: they would show its pixels.
        pyramid.as_deref().filter(|_| !shielded),
        hover,
    );
    Some(t)
}

/// The frame on screen as the analyst may see it: the shield for a graphic video not
/// revealed, greyscale under *Reduce exposure*. Remade only when the frame changes.
fn stand_in_frame(
    ctx: &egui::Context,
    images: &mut BoardImages,
    key: &str,
    shielded: bool,
) -> Option<egui::TextureId> {
    let name = format!("{}-{key}", if shielded { "shield" } else { "grey" });
    let player = images.videos.get(key);
    let stamp = player.and_then(|p| p.shown).map_or(u64::MAX, |i| i as u64);
    let frame = match images.overlay_current(&name, stamp) {
        Some(_) => None,
        None => player.and_then(|p| p.shown_image()),
    };
    images.overlay_cached(ctx, &name, stamp, || {
        let mut rgba = frame?;
        if shielded {
            let rgb = image::DynamicImage::ImageRgba8(rgba).into_rgb8();
            return Some(shield_image(&rgb));
        }
        crate::board::shield::greyscale_rgba(&mut rgba);
        let size = [rgba.width() as usize, rgba.height() as usize];
        Some(egui::ColorImage::from_rgba_unmultiplied(
            size,
            rgba.as_raw(),
        ))
    })
}

/// What every panel draws over its picture: annotations (on a video panel, those of
/// the frame shown), the gesture in progress, shadow measurements, matching proposals
/// and the loupe.
#[allow(clippy::too_many_arguments)]
fn draw_overlays(
    ui: &mut Ui,
    painter: &egui::Painter,
    state: &BoardCtx<'_>,
    images: &mut BoardImages,
    panel: &Panel,
    t: &ViewTransform,
    frame: Option<u64>,
    pyramid: Option<&crate::board::Pyramid>,
    hover: Option<Pos2>,
) {
    if let Some(f) = &state.board.working {
        super::redaction::draw(
            painter,
            images,
            f,
            panel,
            t,
            frame,
            pyramid,
            state.board.preview_redactions,
        );
        let selected = state.board.selected.as_deref();
        let link_from = state.board.link_from.as_deref();
        if frame.is_some() {
            let mut on_frame = f.clone();
            on_frame
                .annotations
                .retain(|a| a.panel != panel.id || a.shows_on(frame));
            draw_annotations(painter, &on_frame, panel, t, selected, link_from);
        } else {
            draw_annotations(painter, f, panel, t, selected, link_from);
        }
    }
    draw_gesture_preview(painter, state, panel, t);
    draw_shadows(painter, state, panel, t);
    draw_proposals(painter, state, panel, t);
    if state.board.tool() == BoardTool::Skyline {
        super::skyline::draw(painter, &state.board.skyline, &panel.id, t);
    }
    if state.board.loupe.on
        && let (Some(pyramid), Some(hover)) = (pyramid, hover)
    {
        super::loupe::draw(ui, images, pyramid, t, hover, &state.board.loupe);
    }
}

/// Over a shielded panel: what it is and the one click that shows it (this session).
fn reveal_button(ui: &mut Ui, body: Rect, state: &mut BoardCtx<'_>, key: &str) {
    let at = Rect::from_center_size(body.center(), vec2(260.0, 28.0));
    if ui
        .put(at, egui::Button::new("Graphic content: click to reveal"))
        .on_hover_text("Shown as it is for this session; flagged in the evidence inspector")
        .clicked()
    {
        state.exposure.revealed.insert(key.to_owned());
    }
}

/// A panel's header and its body's input: returns the body's response and the view the
/// panel is drawn at after this frame's gestures (kept for the next frame).
fn frame_panel(
    ui: &mut Ui,
    [header, body]: [Rect; 2],
    state: &mut BoardCtx<'_>,
    panel: &Panel,
    name: &str,
    size: [f64; 2],
) -> (egui::Response, ViewTransform) {
    let view = state
        .board
        .views
        .get(&panel.id)
        .copied()
        .unwrap_or(panel.view);
    let mut t = transform_for(&view, size, body);
    header_ui(ui, header, state, panel, name, &t);
    let response = ui.interact(
        body,
        egui::Id::unique(("board-panel", &panel.id)),
        Sense::click_and_drag(),
    );
    handle_input(ui, &response, state, panel, &mut t, size);
    store_view(state, &panel.id, &t);
    (response, t)
}

fn header_ui(
    ui: &mut Ui,
    header: Rect,
    state: &mut BoardCtx<'_>,
    panel: &Panel,
    name: &str,
    t: &ViewTransform,
) {
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(header)
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
    );
    child.set_clip_rect(header.intersect(ui.clip_rect()));
    // Long file names are cut so the view buttons stay reachable on narrow panels.
    let room = ((header.width() - 200.0) / 7.0).max(8.0) as usize;
    let short: String = if name.chars().count() > room {
        name.chars()
            .take(room.saturating_sub(1))
            .chain(['…'])
            .collect()
    } else {
        name.to_owned()
    };
    child
        .label(egui::RichText::new(format!("{} · {short}", panel.id)).strong())
        .on_hover_text(name);
    child.label(format!("{:.0}%", t.zoom * 100.0));
    let view = state.board.views.entry(panel.id.clone()).or_default();
    // Quarter turns are counted clockwise: left is three of them.
    for (icon, side, turns) in [("⟲", "left", 3), ("⟳", "right", 1)] {
        if child
            .small_button(icon)
            .on_hover_text(format!("Rotate view {side} (the evidence is not changed)"))
            .clicked()
        {
            view.quarter_turns = (t.quarter_turns + turns) % 4;
            view.zoom = 0.0;
        }
    }
    if child
        .selectable_label(t.flip_horizontal, "⇋")
        .on_hover_text("Mirror the view (the evidence is not changed)")
        .clicked()
    {
        view.flip_horizontal = !t.flip_horizontal;
    }
    if child
        .small_button("Fit")
        .on_hover_text("Show the whole image (0)")
        .clicked()
    {
        view.zoom = 0.0;
    }
    if child
        .small_button("1:1")
        .on_hover_text("One image pixel per screen pixel")
        .clicked()
    {
        view.zoom = 1.0 / f64::from(child.ctx().pixels_per_point());
        view.center = t.center;
    }
    child.menu_button("Image", |ui| image_menu_ui(ui, state, panel));
}

/// The panel header's *Image* menu: copy or export the redacted picture, georeference it.
fn image_menu_ui(ui: &mut Ui, state: &mut BoardCtx<'_>, panel: &Panel) {
    if ui
        .button("Copy image")
        .on_hover_text("The panel's picture with its redactions applied")
        .clicked()
    {
        let picture = state
            .case
            .as_ref()
            .zip(state.board.working_with_views())
            .map(|(case, f)| crate::export::figure::redacted_panel_image(case, &f, &panel.id));
        match picture {
            Some(Ok(p)) => {
                let size = [p.width() as usize, p.height() as usize];
                ui.ctx()
                    .copy_image(egui::ColorImage::from_rgb(size, p.as_raw()));
                state
                    .commands
                    .push(crate::ui::Command::notify(crate::ui::Status::Info(
                        format!(
                            "copied {} ({}×{} px, redactions applied)",
                            panel.id, size[0], size[1]
                        ),
                    )));
            }
            Some(Err(e)) => {
                state
                    .commands
                    .push(crate::ui::Command::notify(crate::ui::Status::Error(
                        e.to_string(),
                    )))
            }
            None => {}
        }
        ui.close();
    }
    if ui
        .button("Export image…")
        .on_hover_text("A PNG of the panel's picture, redactions applied, no metadata")
        .clicked()
    {
        if let Some(path) = rfd::FileDialog::new()
            .add_filter("PNG", &["png"])
            .set_file_name(format!("{}.png", panel.id))
            .save_file()
        {
            state
                .commands
                .push(Command::Board(BoardCommand::ExportPanelImage {
                    panel: panel.id.clone(),
                    path,
                }));
        }
        ui.close();
    }
    if ui
        .button("Georeference on the map…")
        .on_hover_text(
            "Pin this image to the map by control points: the image beside the map, \
             residuals live, the fitted image laid over the imagery",
        )
        .clicked()
    {
        state
            .commands
            .push(Command::Beside(BesideCommand::StartGeoref {
                panel: panel.id.clone(),
            }));
        ui.close();
    }
}

fn handle_input(
    ui: &Ui,
    response: &egui::Response,
    state: &mut BoardCtx<'_>,
    panel: &Panel,
    t: &mut ViewTransform,
    size: [f64; 2],
) {
    let skyline = state.board.tool() == BoardTool::Skyline;
    let (mut scroll, pinch, space, pointer, press_origin) = ui.input(|i| {
        (
            i.smooth_scroll_delta.y,
            i.zoom_delta(),
            i.key_down(egui::Key::Space),
            i.pointer.hover_pos(),
            i.pointer.press_origin(),
        )
    });
    if skyline && response.hovered() {
        scroll = super::skyline::wheel(&mut state.board.skyline, &panel.id, scroll);
    }
    if response.hovered()
        && let Some(p) = pointer
    {
        let factor = f64::from(pinch) * (f64::from(scroll) / 300.0).exp();
        if (factor - 1.0).abs() > 1e-6 {
            let before = t.zoom;
            t.zoom_about(from_pos(p), factor, MIN_ZOOM, MAX_ZOOM);
            if state.board.sync_zoom {
                let ratio = t.zoom / before;
                for (id, v) in &mut state.board.views {
                    if *id != panel.id && v.zoom > 0.0 {
                        v.zoom = (v.zoom * ratio).clamp(MIN_ZOOM, MAX_ZOOM);
                    }
                }
            }
        }
    }
    let tool = state.board.tool().drawing(&state.board.redact);
    let panning = tool == BoardTool::Pan
        || space
        || response.dragged_by(egui::PointerButton::Middle)
        || state.board.gesture == Some(Gesture::Pan);
    if panning && response.dragged() {
        let d = response.drag_delta();
        t.pan([f64::from(d.x), f64::from(d.y)]);
        state.board.gesture = Some(Gesture::Pan);
        if response.drag_stopped() {
            state.board.gesture = None;
        }
        return;
    }
    if response.drag_stopped() && state.board.gesture == Some(Gesture::Pan) {
        state.board.gesture = None;
        return;
    }
    let frozen = *t;
    if skyline {
        let to_image = |p: Pos2| frozen.to_image(from_pos(p));
        super::skyline::pointer(
            &mut state.board.skyline,
            &panel.id,
            response,
            press_origin,
            to_image,
            size,
        );
        return;
    }
    let to_image = |p: Pos2| {
        let q = frozen.to_image(from_pos(p));
        [q[0].clamp(0.0, size[0]), q[1].clamp(0.0, size[1])]
    };
    let current = response.interact_pointer_pos().or(pointer);

    let mut events = Vec::new();
    if response.drag_started_by(egui::PointerButton::Primary)
        && let Some(start) = press_origin.or(current).map(to_image)
    {
        events.push(PointerEvent::DragStart(start));
    }
    if response.dragged_by(egui::PointerButton::Primary)
        && let Some(p) = current
    {
        events.push(PointerEvent::DragTo(to_image(p)));
    }
    if response.drag_stopped() {
        events.push(PointerEvent::DragEnd);
    }
    if response.clicked_by(egui::PointerButton::Primary)
        && let Some(p) = current
    {
        events.push(PointerEvent::Click {
            at: to_image(p),
            double: response.double_clicked(),
        });
    }
    for event in events {
        let command = gestures::on_pointer(state.board, panel, tool, frozen.zoom, event);
        state.commands.extend(command);
        if matches!(event, PointerEvent::DragTo(_)) && state.board.gesture == Some(Gesture::Pan) {
            let d = response.drag_delta();
            t.pan([f64::from(d.x), f64::from(d.y)]);
        }
    }
}
