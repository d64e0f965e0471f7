//! The board's central area: panels laid out side by side, each drawn from its image
//! pyramid with the finding's annotations on top, and the tools' gestures.

use std::collections::HashMap;

use egui::{Color32, Pos2, Rect, Sense, Stroke, Ui, pos2, vec2};

use super::images::{BoardImages, ImageState};
use super::{BoardTool, Gesture, Layout};
use crate::board::geometry::{self, Handle};
use crate::board::marks::{Mark, MarkStyle, annotation_marks, ink_for, screen_center};
use crate::board::{ViewTransform, ops};
use crate::case::comparison::{Panel, PanelView, Shape, link_color};
use crate::case::{Case, Finding};
use crate::ui::state::{AppState, Command};

/// Screen distance within which a click picks an annotation or a grip.
const PICK_RADIUS: f64 = 7.0;
const HEADER_HEIGHT: f32 = 22.0;
const MIN_ZOOM: f64 = 1.0 / 512.0;
const MAX_ZOOM: f64 = 64.0;

/// One frame of the board workspace.
pub fn board_ui(ui: &mut Ui, state: &mut AppState, images: &mut BoardImages) {
    images.begin_frame();
    super::toolbar::toolbar_ui(ui, state);
    super::toolbar::shortcuts(ui, state);
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
    for finished in images.videos.finished_work() {
        state.commands.push(match finished {
            super::video::Finished::Grab(result) => Command::AddFrameGrab(result),
            super::video::Finished::Analysis(id, Ok(analysis)) => {
                Command::Edit(crate::case::Edit::SetVideoAnalysis {
                    id,
                    analysis: Box::new(analysis),
                })
            }
            super::video::Finished::Analysis(_, Err(e)) => {
                Command::Report(format!("video analysis: {e}"))
            }
        });
    }
    images.end_frame();
    if images.videos.busy() {
        ui.ctx().request_repaint();
    }
    if images.loading() {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
    }
}

/// Splits `area` into `n` panel rectangles.
fn layout(area: Rect, n: usize, layout: Layout) -> Vec<Rect> {
    let (cols, rows) = match layout {
        Layout::SideBySide => (n, 1),
        Layout::Stacked => (1, n),
        Layout::Grid => {
            let cols = (n as f64).sqrt().ceil() as usize;
            (cols, n.div_ceil(cols))
        }
    };
    let gap = 4.0;
    let w = (area.width() - gap * (cols as f32 - 1.0)) / cols as f32;
    let h = (area.height() - gap * (rows as f32 - 1.0)) / rows as f32;
    (0..n)
        .map(|i| {
            let (c, r) = ((i % cols) as f32, (i / cols) as f32);
            Rect::from_min_size(
                pos2(area.min.x + c * (w + gap), area.min.y + r * (h + gap)),
                vec2(w.max(1.0), h.max(1.0)),
            )
        })
        .collect()
}

/// The image behind a panel: cache key, file and (if known) oriented size.
fn panel_image(
    case: &Case,
    panel: &Panel,
) -> Option<(String, std::path::PathBuf, String, Option<[f64; 2]>)> {
    let file = case.panel_file(&panel.source).ok()?;
    Some((
        file.sha256,
        file.path,
        file.name,
        file.oriented_size
            .map(|[w, h]| [f64::from(w), f64::from(h)]),
    ))
}

fn transform_for(view: &PanelView, size: [f64; 2], rect: Rect) -> ViewTransform {
    let origin = [f64::from(rect.center().x), f64::from(rect.center().y)];
    if view.zoom > 0.0 {
        ViewTransform {
            center: view.center,
            origin,
            zoom: view.zoom,
            quarter_turns: view.quarter_turns % 4,
            flip_horizontal: view.flip_horizontal,
        }
    } else {
        ViewTransform::fit(
            size,
            [f64::from(rect.width()), f64::from(rect.height())],
            origin,
            view.quarter_turns,
            view.flip_horizontal,
        )
    }
}

fn store_view(state: &mut AppState, panel: &str, t: &ViewTransform) {
    let v = state.board.views.entry(panel.to_owned()).or_default();
    v.center = t.center;
    v.zoom = t.zoom;
    v.quarter_turns = t.quarter_turns;
    v.flip_horizontal = t.flip_horizontal;
}

fn to_pos(p: [f64; 2]) -> Pos2 {
    pos2(p[0] as f32, p[1] as f32)
}

fn from_pos(p: Pos2) -> [f64; 2] {
    [f64::from(p.x), f64::from(p.y)]
}

/// Draws one panel and handles its input; returns the transform it was drawn with.
fn panel_ui(
    ui: &mut Ui,
    rect: Rect,
    state: &mut AppState,
    images: &mut BoardImages,
    panel: &Panel,
) -> Option<ViewTransform> {
    let ctx = ui.ctx().clone();
    let (key, path, name, known_size) = state.case.as_ref().and_then(|c| panel_image(c, panel))?;
    let header = Rect::from_min_size(rect.min, vec2(rect.width(), HEADER_HEIGHT));
    let body = Rect::from_min_max(pos2(rect.min.x, header.max.y), rect.max);
    let painter = ui.painter_at(rect);
    painter.rect_filled(body, 0.0, Color32::from_gray(24));

    let is_video = state
        .case
        .as_ref()
        .and_then(|c| c.find_evidence(&key).ok())
        .is_some_and(|r| r.is_video());
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
                egui::Label::new(egui::RichText::new(format!("⚠ {e}")).color(Color32::LIGHT_RED)),
            );
            (None, known_size.unwrap_or([1.0, 1.0]))
        }
    };
    let view = state
        .board
        .views
        .get(&panel.id)
        .copied()
        .unwrap_or(panel.view);
    let mut t = transform_for(&view, size, body);

    header_ui(ui, header, state, panel, &name, &t);

    let response = ui.interact(
        body,
        egui::Id::unique(("board-panel", &panel.id)),
        Sense::click_and_drag(),
    );
    handle_input(ui, &response, state, panel, &mut t, size);
    store_view(state, &panel.id, &t);

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
    state: &mut AppState,
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
        .rect_filled(body, 0.0, Color32::from_gray(24));
    let case = state.case.as_ref()?;
    let shielded = case
        .find_evidence(key)
        .is_ok_and(|r| state.exposure.shielded(r));
    let player = images.videos.player(&ctx, case, key);
    if let Some(index) = state.board.video_seeks.remove(&panel.id) {
        player.playing = false;
        player.seek(index);
    }
    player.update(&ctx);
    let size = known_size.unwrap_or([1.0, 1.0]);
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
    let painter = ui.painter_at(body);
    // A shielded or greyed frame is remade only when the frame on screen changes.
    let replaced = if shielded || state.exposure.greyscale() {
        let name = format!("{}-{key}", if shielded { "shield" } else { "grey" });
        let player = images.videos.get(key);
        let stamp = player.and_then(|p| p.shown).map_or(u64::MAX, |i| i as u64);
        let frame = match images.overlay_current(&name, stamp) {
            Some(_) => None,
            None => player.and_then(|p| p.shown_image()),
        };
        images.overlay_cached(&ctx, &name, stamp, || {
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
                egui::Label::new(egui::RichText::new(format!("⚠ {e}")).color(Color32::LIGHT_RED)),
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
    let pyramid = if (state.board.loupe.on || previewing) && !shielded {
        player.shown_pyramid()
    } else {
        None
    };
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

/// What every panel draws over its picture: annotations (on a video panel, those of
/// the frame shown), the gesture in progress, shadow measurements, matching proposals
/// and the loupe.
#[allow(clippy::too_many_arguments)]
fn draw_overlays(
    ui: &mut Ui,
    painter: &egui::Painter,
    state: &AppState,
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
    if state.board.loupe.on
        && let (Some(pyramid), Some(hover)) = (pyramid, hover)
    {
        super::loupe::draw(ui, images, pyramid, t, hover, &state.board.loupe);
    }
}

/// A shielded picture as a texture image.
fn shield_image(pixels: &image::RgbImage) -> egui::ColorImage {
    let small = crate::board::shield::shielded(pixels);
    egui::ColorImage::from_rgb(
        [small.width() as usize, small.height() as usize],
        small.as_raw(),
    )
}

/// Over a shielded panel: what it is and the one click that shows it (this session).
fn reveal_button(ui: &mut Ui, body: Rect, state: &mut AppState, key: &str) {
    let at = Rect::from_center_size(body.center(), vec2(260.0, 28.0));
    if ui
        .put(at, egui::Button::new("Graphic content: click to reveal"))
        .on_hover_text("Shown as it is for this session; flagged in the evidence inspector")
        .clicked()
    {
        state.exposure.revealed.insert(key.to_owned());
    }
}

/// The frame texture through the panel's transform (rotation and mirroring included).
fn draw_frame_texture(
    painter: &egui::Painter,
    texture: egui::TextureId,
    size: [f64; 2],
    t: &ViewTransform,
) {
    let corners = [
        [0.0, 0.0],
        [size[0], 0.0],
        [size[0], size[1]],
        [0.0, size[1]],
    ];
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
            color: Color32::WHITE,
        });
    }
    mesh.indices.extend([0, 1, 2, 0, 2, 3]);
    painter.add(egui::Shape::mesh(mesh));
}

fn header_ui(
    ui: &mut Ui,
    header: Rect,
    state: &mut AppState,
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
    child.menu_button("Image", |ui| {
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
                    state.status = Some(crate::ui::Status::Info(format!(
                        "copied {} ({}×{} px, redactions applied)",
                        panel.id, size[0], size[1]
                    )));
                }
                Some(Err(e)) => state.status = Some(crate::ui::Status::Error(e)),
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
                state.commands.push(Command::ExportPanelImage {
                    panel: panel.id.clone(),
                    path,
                });
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
            state.commands.push(Command::StartGeoref {
                panel: panel.id.clone(),
            });
            ui.close();
        }
    });
}

fn handle_input(
    ui: &Ui,
    response: &egui::Response,
    state: &mut AppState,
    panel: &Panel,
    t: &mut ViewTransform,
    size: [f64; 2],
) {
    let (scroll, pinch, space, pointer, press_origin) = ui.input(|i| {
        (
            i.smooth_scroll_delta.y,
            i.zoom_delta(),
            i.key_down(egui::Key::Space),
            i.pointer.hover_pos(),
            i.pointer.press_origin(),
        )
    });
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
    let to_image = |p: Pos2| {
        let q = frozen.to_image(from_pos(p));
        [q[0].clamp(0.0, size[0]), q[1].clamp(0.0, size[1])]
    };
    let current = response.interact_pointer_pos().or(pointer);

    if response.drag_started_by(egui::PointerButton::Primary) {
        let start = press_origin.or(current).map(to_image);
        if let Some(start) = start {
            begin_drag(state, panel, tool, start, &frozen);
        }
    }
    if response.dragged_by(egui::PointerButton::Primary)
        && let Some(p) = current
    {
        let p = to_image(p);
        continue_drag(state, p, &frozen);
        if state.board.gesture == Some(Gesture::Pan) {
            let d = response.drag_delta();
            t.pan([f64::from(d.x), f64::from(d.y)]);
        }
    }
    if response.drag_stopped() {
        finish_drag(state, &frozen);
    }
    if response.clicked_by(egui::PointerButton::Primary)
        && let Some(p) = current
    {
        click(
            state,
            panel,
            tool,
            to_image(p),
            &frozen,
            response.double_clicked(),
        );
    }
    if response.double_clicked() && tool == BoardTool::Polygon {
        close_polygon(state);
    }
}

/// The annotation on `panel` under image point `p`, nearest first.
/// (`frame`: the frame a video panel shows; annotations of other frames are not there.)
fn pick(
    finding: &Finding,
    panel: &str,
    frame: Option<u64>,
    p: [f64; 2],
    t: &ViewTransform,
) -> Option<String> {
    finding
        .annotations
        .iter()
        .rev()
        .filter(|a| a.panel == panel && a.shows_on(frame))
        .map(|a| (geometry::distance(&a.shape, p) * t.zoom, a))
        .filter(|(d, _)| *d <= PICK_RADIUS)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, a)| a.id.clone())
}

fn pick_handle(
    finding: &Finding,
    selected: &str,
    p: [f64; 2],
    t: &ViewTransform,
) -> Option<(Handle, Shape)> {
    let a = finding.annotations.iter().find(|a| a.id == selected)?;
    geometry::handles(&a.shape)
        .into_iter()
        .find(|(_, h)| (h[0] - p[0]).hypot(h[1] - p[1]) * t.zoom <= PICK_RADIUS)
        .map(|(handle, _)| (handle, a.shape.clone()))
}

fn begin_drag(
    state: &mut AppState,
    panel: &Panel,
    tool: BoardTool,
    start: [f64; 2],
    t: &ViewTransform,
) {
    let b = &mut state.board;
    let frame = b.video_frames.get(&panel.id).map(|fr| fr.index);
    let Some(f) = &b.working else { return };
    // A shadow mark under the pointer is dragged with the Select tool.
    let shadow_mark = f
        .shadows
        .iter()
        .filter(|m| m.panel == panel.id)
        .flat_map(|m| {
            m.points().into_iter().enumerate().map(move |(i, q)| {
                (
                    m.id.clone(),
                    i,
                    (q[0] - start[0]).hypot(q[1] - start[1]) * t.zoom,
                )
            })
        })
        .filter(|(_, _, d)| *d <= PICK_RADIUS)
        .min_by(|a, b| a.2.total_cmp(&b.2));
    if tool == BoardTool::Select
        && let Some((id, mark, _)) = shadow_mark
    {
        b.selected = Some(id.clone());
        b.gesture = Some(Gesture::MoveShadowMark { id, mark });
        return;
    }
    b.gesture = match tool {
        BoardTool::Select => {
            let on_handle = b
                .selected
                .as_deref()
                .filter(|id| {
                    f.annotations
                        .iter()
                        .any(|a| a.id == *id && a.panel == panel.id)
                })
                .and_then(|id| pick_handle(f, id, start, t).map(|h| (id.to_owned(), h)));
            if let Some((id, (handle, original))) = on_handle {
                Some(Gesture::Resize {
                    id,
                    handle,
                    original,
                })
            } else if let Some(id) = pick(f, &panel.id, frame, start, t) {
                let original = f
                    .annotations
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| a.shape.clone());
                b.selected = Some(id.clone());
                original.map(|original| Gesture::Move {
                    id,
                    grab: start,
                    original,
                })
            } else {
                Some(Gesture::Pan)
            }
        }
        BoardTool::Rectangle | BoardTool::Ellipse | BoardTool::Arrow | BoardTool::Freehand => {
            Some(Gesture::Draw {
                panel: panel.id.clone(),
                tool,
                start,
                points: vec![start],
            })
        }
        _ => None,
    };
}

fn continue_drag(state: &mut AppState, p: [f64; 2], t: &ViewTransform) {
    let b = &mut state.board;
    match &mut b.gesture {
        Some(Gesture::Draw { points, tool, .. }) => {
            if *tool == BoardTool::Freehand {
                let far = points
                    .last()
                    .is_none_or(|q| (q[0] - p[0]).hypot(q[1] - p[1]) * t.zoom >= 2.0);
                if far {
                    points.push(p);
                }
            } else {
                points.truncate(1);
                points.push(p);
            }
        }
        Some(Gesture::MoveShadowMark { id, mark }) => {
            if let Some(m) = b
                .working
                .as_mut()
                .and_then(|f| f.shadows.iter_mut().find(|m| m.id == *id))
            {
                m.set_point(*mark, p);
            }
        }
        Some(Gesture::Move { id, grab, original }) => {
            let moved = geometry::translated(original, p[0] - grab[0], p[1] - grab[1]);
            if let Some(a) = b.working.as_mut().and_then(|f| ops::annotation_mut(f, id)) {
                a.shape = moved;
            }
        }
        Some(Gesture::Resize {
            id,
            handle,
            original,
        }) => {
            let resized = geometry::resized(original, *handle, p);
            if let Some(a) = b.working.as_mut().and_then(|f| ops::annotation_mut(f, id)) {
                a.shape = resized;
            }
        }
        Some(Gesture::Pan) | None => {}
    }
}

fn finish_drag(state: &mut AppState, t: &ViewTransform) {
    let Some(gesture) = state.board.gesture.take() else {
        return;
    };
    match gesture {
        Gesture::Draw {
            panel,
            tool,
            start,
            points,
        } => {
            let end = *points.last().unwrap_or(&start);
            let big_enough =
                (end[0] - start[0]).abs().max((end[1] - start[1]).abs()) * t.zoom >= 3.0;
            let shape = match tool {
                BoardTool::Rectangle if big_enough => {
                    Some(geometry::rectangle_in(geometry::box_between(start, end)))
                }
                BoardTool::Ellipse if big_enough => {
                    Some(geometry::ellipse_in(geometry::box_between(start, end)))
                }
                BoardTool::Arrow if big_enough => Some(Shape::Arrow {
                    from: start,
                    to: end,
                }),
                BoardTool::Freehand if points.len() >= 2 => Some(Shape::Freehand { points }),
                _ => None,
            };
            if let Some(shape) = shape {
                add_and_commit(state, &panel, shape);
            }
        }
        Gesture::Move { .. } | Gesture::Resize { .. } | Gesture::MoveShadowMark { .. } => {
            state.commands.push(Command::CommitBoard)
        }
        Gesture::Pan => {}
    }
}

const SHADOW_HEIGHT_COLOR: Color32 = Color32::from_rgb(90, 220, 255);
const SHADOW_COLOR: Color32 = Color32::from_rgb(255, 150, 40);

/// Shadow measurements of this panel (and the marks being placed), with what they say.
fn draw_shadows(painter: &egui::Painter, state: &AppState, panel: &Panel, t: &ViewTransform) {
    let screen = |p: [f64; 2]| to_pos(t.to_screen(p));
    let dot = |p: Pos2, color: Color32| {
        painter.circle(p, 4.0, color, Stroke::new(1.0, Color32::BLACK));
    };
    if let Some(f) = &state.board.working {
        for m in f.shadows.iter().filter(|m| m.panel == panel.id) {
            let selected = state.board.selected.as_deref() == Some(m.id.as_str());
            let width = if selected { 3.0 } else { 2.0 };
            let (anchor, tip) = match m.marks {
                crate::sun::ShadowMarks::Ratio { base, top, tip } => {
                    painter.line_segment(
                        [screen(base), screen(top)],
                        Stroke::new(width, SHADOW_HEIGHT_COLOR),
                    );
                    dot(screen(top), SHADOW_HEIGHT_COLOR);
                    (base, tip)
                }
                crate::sun::ShadowMarks::Bearing { object, tip } => (object, tip),
            };
            // The shadow, with a head of fixed size at its tip.
            let (from, to) = (screen(anchor), screen(tip));
            painter.line_segment([from, to], Stroke::new(width, SHADOW_COLOR));
            let dir = (to - from).normalized();
            if dir.is_finite() {
                let side = vec2(-dir.y, dir.x);
                for s in [-1.0, 1.0] {
                    painter.line_segment(
                        [to, to - dir * 10.0 + side * (s * 5.0)],
                        Stroke::new(width, SHADOW_COLOR),
                    );
                }
            }
            dot(screen(anchor), Color32::WHITE);
            let text = format!("{} {}", m.id, m.summary());
            let at = screen(tip) + vec2(6.0, 4.0);
            let galley =
                painter.layout_no_wrap(text, egui::FontId::proportional(13.0), SHADOW_COLOR);
            painter.rect_filled(
                Rect::from_min_size(at, galley.size()).expand(2.0),
                2.0,
                Color32::from_black_alpha(190),
            );
            painter.galley(at, galley, SHADOW_COLOR);
        }
    }
    if let Some((id, marks)) = &state.board.shadow_marks
        && *id == panel.id
    {
        for (i, p) in marks.iter().enumerate() {
            dot(
                screen(*p),
                if i == 0 {
                    Color32::WHITE
                } else {
                    SHADOW_HEIGHT_COLOR
                },
            );
        }
        if let [base, top] = marks.as_slice() {
            painter.line_segment(
                [screen(*base), screen(*top)],
                Stroke::new(2.0, SHADOW_HEIGHT_COLOR),
            );
        }
    }
}

/// One more shadow mark; the last one (third on a photo, second on a north-up map
/// snapshot) stores the measurement.
fn shadow_click(state: &mut AppState, panel: &Panel, p: [f64; 2]) {
    let top_down = matches!(
        panel.source,
        crate::case::comparison::PanelSource::MapSnapshot { .. }
    );
    let marks = match &mut state.board.shadow_marks {
        Some((id, marks)) if *id == panel.id => {
            marks.push(p);
            marks.clone()
        }
        _ => {
            state.board.shadow_marks = Some((panel.id.clone(), vec![p]));
            return;
        }
    };
    let complete = match (top_down, marks.as_slice()) {
        (true, [object, tip]) => Some(crate::sun::ShadowMarks::Bearing {
            object: *object,
            tip: *tip,
        }),
        (false, [base, top, tip]) => Some(crate::sun::ShadowMarks::Ratio {
            base: *base,
            top: *top,
            tip: *tip,
        }),
        _ => None,
    };
    if let (Some(marks), Some(f)) = (complete, state.board.working.as_mut()) {
        let id = ops::add_shadow(f, &panel.id, marks);
        state.board.shadow_marks = None;
        state.board.selected = Some(id);
        state.commands.push(Command::CommitBoard);
    }
}

fn add_and_commit(state: &mut AppState, panel: &str, shape: Shape) {
    let category = state.board.category;
    // The Redact tool's shapes hide; a brush's width is kept in image pixels.
    let redaction = (state.board.tool() == BoardTool::Redact).then(|| {
        let zoom = state.board.transforms.get(panel).map_or(1.0, |t| t.zoom);
        crate::case::comparison::Redaction {
            method: state.board.redact.method,
            brush_px: matches!(shape, Shape::Freehand { .. })
                .then(|| state.board.redact.brush_pt / zoom.max(1e-9)),
        }
    });
    if let Some(f) = state.board.working.as_mut() {
        let id = ops::add_annotation(f, panel, shape, category);
        if let Some(a) = ops::annotation_mut(f, &id) {
            a.redaction = redaction;
        }
        // On a video panel the annotation belongs to the frame it was drawn on.
        if let Some(frame) = state.board.video_frames.get(panel)
            && let Some(a) = ops::annotation_mut(f, &id)
        {
            a.frame = Some(*frame);
        }
        state.board.selected = Some(id);
        state.commands.push(Command::CommitBoard);
    }
}

fn click(
    state: &mut AppState,
    panel: &Panel,
    tool: BoardTool,
    p: [f64; 2],
    t: &ViewTransform,
    double: bool,
) {
    let Some(f) = state.board.working.clone() else {
        return;
    };
    let frame = state.board.video_frames.get(&panel.id).map(|fr| fr.index);
    match tool {
        BoardTool::Select | BoardTool::Pan => {
            state.board.selected = pick(&f, &panel.id, frame, p, t)
        }
        BoardTool::Point => add_and_commit(state, &panel.id, Shape::Point { x: p[0], y: p[1] }),
        BoardTool::Text => add_and_commit(
            state,
            &panel.id,
            Shape::Text {
                x: p[0],
                y: p[1],
                text: "Text".into(),
            },
        ),
        BoardTool::Polygon if !double => {
            let b = &mut state.board;
            match &mut b.polygon {
                Some((id, points)) if *id == panel.id => {
                    let first = points[0];
                    if points.len() >= 3
                        && (first[0] - p[0]).hypot(first[1] - p[1]) * t.zoom <= PICK_RADIUS
                    {
                        close_polygon(state);
                    } else {
                        points.push(p);
                    }
                }
                _ => b.polygon = Some((panel.id.clone(), vec![p])),
            }
        }
        BoardTool::Shadow => shadow_click(state, panel, p),
        BoardTool::Link => {
            let Some(hit) = pick(&f, &panel.id, frame, p, t) else {
                state.board.link_from = None;
                return;
            };
            if f.annotations
                .iter()
                .any(|a| a.id == hit && a.redaction.is_some())
            {
                state.status = Some(crate::ui::Status::Error(format!(
                    "{hit} is a redaction: only features can be linked"
                )));
                return;
            }
            match state.board.link_from.take() {
                Some(first) if first != hit => {
                    let linked = state
                        .board
                        .working
                        .as_mut()
                        .map(|w| ops::link(w, &first, &hit));
                    match linked {
                        Some(Ok(_)) => {
                            state.board.selected = Some(hit);
                            state.commands.push(Command::CommitBoard);
                        }
                        Some(Err(e)) => {
                            state.status = Some(crate::ui::Status::Error(e));
                            state.board.link_from = Some(hit);
                        }
                        None => {}
                    }
                }
                _ => {
                    state.board.selected = Some(hit.clone());
                    state.board.link_from = Some(hit);
                }
            }
        }
        _ => {}
    }
}

/// Turns the polygon being placed into an annotation (needs three corners).
pub(super) fn close_polygon(state: &mut AppState) {
    if let Some((panel, mut points)) = state.board.polygon.take() {
        points.dedup();
        if points.len() >= 3 {
            add_and_commit(state, &panel, Shape::Polygon { points });
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_tiles(
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
        let corners = [[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]]];
        let uvs = [
            pos2(0.0, 0.0),
            pos2(1.0, 0.0),
            pos2(1.0, 1.0),
            pos2(0.0, 1.0),
        ];
        let mut mesh = egui::Mesh::with_texture(texture);
        for (c, uv) in corners.iter().zip(uvs) {
            mesh.vertices.push(egui::epaint::Vertex {
                pos: to_pos(t.to_screen(*c)),
                uv,
                color: Color32::WHITE,
            });
        }
        mesh.indices.extend([0, 1, 2, 0, 2, 3]);
        painter.add(egui::Shape::mesh(mesh));
    }
}

fn color32(c: [u8; 3]) -> Color32 {
    Color32::from_rgb(c[0], c[1], c[2])
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
                    Stroke::new(1.0, Color32::BLACK),
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
                    Color32::from_black_alpha(190),
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
                    Stroke::new(1.0, Color32::BLACK),
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

fn draw_annotations(
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
            let corners = [[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]]]
                .map(|p| to_pos(t.to_screen(p)));
            let outline = Rect::from_points(&corners).expand(4.0);
            let color = if Some(a.id.as_str()) == link_from {
                Color32::YELLOW
            } else {
                Color32::WHITE
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
                    Color32::WHITE,
                    Stroke::new(1.0, Color32::BLACK),
                    egui::StrokeKind::Middle,
                );
            }
        }
    }
}

fn draw_gesture_preview(
    painter: &egui::Painter,
    state: &AppState,
    panel: &Panel,
    t: &ViewTransform,
) {
    let stroke = Stroke::new(1.5, Color32::WHITE);
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
                    _ => vec![
                        s([b[0], b[1]]),
                        s([b[2], b[1]]),
                        s([b[2], b[3]]),
                        s([b[0], b[3]]),
                    ],
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
            painter.circle_filled(*p, 3.0, Color32::WHITE);
        }
        painter.add(egui::epaint::PathShape::line(pts, stroke));
    }
}

fn draw_link_lines(
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
fn draw_proposals(painter: &egui::Painter, state: &AppState, panel: &Panel, t: &ViewTransform) {
    let Some(p) = &state.board.proposals else {
        return;
    };
    let color = Color32::from_rgb(230, 230, 230);
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
