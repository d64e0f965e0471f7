//! The transport bar under a video panel: scrub bar with keyframe and scene ticks, play
//! and step buttons, the exact timecode and frame number, and *Grab frame*. Keys act on
//! the panel under the pointer: Space plays/pauses, ←/→ step one frame, Shift+←/→ one
//! second, Ctrl+G grabs the frame.

use egui::{Key, Modifiers, Rect, Sense, Stroke, Ui, pos2, vec2};

use super::video::Player;
use crate::case::OpenVideo;
use crate::video::format_timecode;

pub const HEIGHT: f32 = 118.0;
/// The strip of scene thumbnails above the scrub bar.
const STRIP_HEIGHT: f32 = 44.0;
/// Grab frame: no tool uses a Ctrl chord.
pub const GRAB: egui::KeyboardShortcut = egui::KeyboardShortcut::new(Modifiers::COMMAND, Key::G);

const SCRUB_HEIGHT: f32 = 18.0;

/// Draws the bar and applies its clicks and (while `hovered`) its keys to `player`.
/// `shielded`: the video is graphic and not revealed, so scene thumbnails stay blank.
pub fn transport_ui(ui: &mut Ui, rect: Rect, player: &mut Player, hovered: bool, shielded: bool) {
    let ctx = ui.ctx().clone();
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, crate::ui::theme::TRANSPORT_BACKGROUND);
    let Some(video) = player.video().cloned() else {
        return;
    };
    let count = video.table.frame_count();
    let scrub = Rect::from_min_size(
        rect.min + vec2(8.0, 4.0 + STRIP_HEIGHT),
        vec2(rect.width() - 16.0, SCRUB_HEIGHT),
    );
    let x_of = |index: usize| {
        scrub.min.x + scrub.width() * index as f32 / (count.saturating_sub(1).max(1)) as f32
    };
    scene_strip_ui(
        ui,
        rect,
        scrub,
        player,
        &x_of,
        &video.record.sha256,
        shielded,
    );
    scrub_bar_ui(ui, &painter, scrub, player, &video, &x_of);

    // The exact time and frame number get a line of their own, so they never clip.
    let time = format_timecode(video.table.time_us(player.current));
    let time_row = Rect::from_min_size(
        pos2(scrub.min.x, scrub.max.y + 2.0),
        vec2(scrub.width(), 16.0),
    );
    ui.new_child(
        egui::UiBuilder::new()
            .max_rect(time_row)
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
    )
    .label(
        egui::RichText::new(format!(
            "{time}  frame {} / {}",
            player.current,
            count.saturating_sub(1)
        ))
        .monospace(),
    );
    let row = Rect::from_min_max(
        pos2(rect.min.x + 6.0, time_row.max.y + 2.0),
        rect.max - vec2(6.0, 2.0),
    );
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(row)
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
    );
    buttons_ui(&mut child, player, &ctx);
    if hovered {
        keys(ui, player, &ctx);
    }
}

/// The scrub bar: its track, keyframe and scene ticks, the playhead; a click or drag
/// seeks.
fn scrub_bar_ui(
    ui: &mut Ui,
    painter: &egui::Painter,
    scrub: Rect,
    player: &mut Player,
    video: &OpenVideo,
    x_of: &dyn Fn(usize) -> f32,
) {
    let count = video.table.frame_count();
    painter.rect_filled(scrub, 2.0, crate::ui::theme::TRANSPORT_TRACK);
    for &k in &video.table.keyframes {
        let x = x_of(k);
        painter.line_segment(
            [pos2(x, scrub.max.y - 5.0), pos2(x, scrub.max.y)],
            Stroke::new(1.0, crate::ui::theme::KEYFRAME),
        );
    }
    {
        for scene in &player.scenes {
            let x = x_of(scene.frame_index as usize);
            painter.line_segment(
                [pos2(x, scrub.min.y), pos2(x, scrub.max.y)],
                Stroke::new(2.0, crate::ui::theme::SCENE),
            );
        }
    }
    let head = x_of(player.current);
    painter.line_segment(
        [pos2(head, scrub.min.y - 2.0), pos2(head, scrub.max.y + 2.0)],
        Stroke::new(2.0, crate::ui::theme::PLAYHEAD),
    );
    let scrubbing = ui.interact(
        scrub,
        egui::Id::unique(("video-scrub", &video.record.sha256)),
        Sense::click_and_drag(),
    );
    // While dragging, the player shows the keyframe before the frame under the pointer;
    // the exact frame once the drag stops.
    player.dragging = scrubbing.dragged();
    if let Some(p) = scrubbing.interact_pointer_pos()
        && (scrubbing.clicked() || scrubbing.dragged())
    {
        let fraction = ((p.x - scrub.min.x) / scrub.width()).clamp(0.0, 1.0);
        player.playing = false;
        player.seek((fraction * count.saturating_sub(1) as f32).round() as usize);
    }
    scrubbing.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Slider, true, "Scrub bar"));
    scrubbing.on_hover_text("Scrub: grey ticks are keyframes, orange ticks scene changes");
}

/// Step, play and grab buttons, and the player's error if any.
fn buttons_ui(child: &mut Ui, player: &mut Player, ctx: &egui::Context) {
    if child
        .small_button("−1 s")
        .on_hover_text("Back one second (Shift+←)")
        .clicked()
    {
        player.playing = false;
        player.jump_seconds(-1.0);
    }
    if child
        .small_button("◀|")
        .on_hover_text("Previous frame (←)")
        .clicked()
    {
        player.step(-1);
    }
    let play_label = if player.playing { "Pause" } else { "▶ Play" };
    if child
        .small_button(play_label)
        .on_hover_text("Play / pause (Space)")
        .clicked()
    {
        player.toggle_play();
    }
    if child
        .small_button("|▶")
        .on_hover_text("Next frame (→)")
        .clicked()
    {
        player.step(1);
    }
    if child
        .small_button("+1 s")
        .on_hover_text("Forward one second (Shift+→)")
        .clicked()
    {
        player.playing = false;
        player.jump_seconds(1.0);
    }
    let grab = child
        .add_enabled(!player.grabbing(), egui::Button::new("Grab frame"))
        .on_hover_text(format!(
            "Store this frame as evidence (lossless PNG with its provenance) ({})",
            ctx.format_shortcut(&GRAB)
        ));
    if grab.clicked() {
        player.grab_current(ctx);
    }
    if let Some(e) = &player.error {
        child.label(egui::RichText::new(format!("⚠ {e}")).color(crate::ui::theme::ERROR));
    }
}

/// Thumbnails of the first frame and each scene change, placed over their ticks (those
/// that would overlap a neighbour are left out); a click goes to that frame.
fn scene_strip_ui(
    ui: &mut Ui,
    rect: Rect,
    scrub: Rect,
    player: &mut Player,
    x_of: &dyn Fn(usize) -> f32,
    sha256: &str,
    shielded: bool,
) {
    let top = rect.min.y + 2.0;
    let height = STRIP_HEIGHT - 4.0;
    let mut right_edge = f32::NEG_INFINITY;
    let mut go_to = None;
    for (index, texture) in &player.scene_thumbs {
        let [w, h] = texture.size();
        let width = height * w as f32 / h.max(1) as f32;
        let left = (x_of(*index) - width / 2.0).clamp(scrub.min.x, scrub.max.x - width);
        if left < right_edge + 2.0 {
            continue;
        }
        right_edge = left + width;
        let place = Rect::from_min_size(pos2(left, top), vec2(width, height));
        if shielded {
            ui.painter_at(rect)
                .rect_filled(place, 2.0, crate::ui::theme::THUMBNAIL_PENDING);
        } else {
            ui.painter_at(rect).image(
                texture.id(),
                place,
                Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
                crate::ui::theme::UNTINTED,
            );
        }
        let response = ui
            .interact(
                place,
                egui::Id::unique(("scene-thumb", sha256, *index)),
                Sense::click(),
            )
            .on_hover_text(format!("Scene at frame {index}"));
        if response.clicked() {
            go_to = Some(*index);
        }
    }
    if let Some(index) = go_to {
        player.playing = false;
        player.seek(index);
    }
}

fn keys(ui: &mut Ui, player: &mut Player, ctx: &egui::Context) {
    // Shift chords first: a plain-key match ignores Shift and would take them.
    let (space, shift_left, shift_right, left, right, grab) = ui.input_mut(|i| {
        (
            i.key_pressed(Key::Space) && !i.pointer.any_down(),
            i.consume_key(Modifiers::SHIFT, Key::ArrowLeft),
            i.consume_key(Modifiers::SHIFT, Key::ArrowRight),
            i.consume_key(Modifiers::NONE, Key::ArrowLeft),
            i.consume_key(Modifiers::NONE, Key::ArrowRight),
            i.consume_shortcut(&GRAB),
        )
    });
    if space {
        player.toggle_play();
    }
    if left {
        player.step(-1);
    }
    if right {
        player.step(1);
    }
    if shift_left {
        player.playing = false;
        player.jump_seconds(-1.0);
    }
    if shift_right {
        player.playing = false;
        player.jump_seconds(1.0);
    }
    if grab && !player.grabbing() {
        player.grab_current(ctx);
    }
}
