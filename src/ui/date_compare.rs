//! Two dated imagery layers compared in the same map view: *swipe* (layer A left of a
//! draggable vertical divider, layer B right of it) and *blink* (A and B alternate at a
//! set interval on egui's clock, or by the `B` key), with both dates on screen. The
//! comparison is a way of looking, not part of the case: nothing here edits it.

use std::path::PathBuf;

use egui::{Align2, FontId, Pos2, Rect, Response, Sense, Stroke, Ui, Vec2};
use walkers::{MapMemory, Plugin, Projector, TileId, Tiles, lon_lat};

use super::theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CompareMode {
    #[default]
    Off,
    Swipe,
    Blink,
}

/// What is compared and how (kept between frames in the map's state).
pub struct DateCompare {
    pub mode: CompareMode,
    /// The layers' files (as the case resolves them).
    pub a: Option<PathBuf>,
    pub b: Option<PathBuf>,
    /// Where the swipe divider is, as a fraction of the map's width.
    pub divider: f32,
    /// Seconds each layer shows while blinking.
    pub interval_s: f64,
    /// Blinking on its own; off: the `B` key (or the button) flips.
    pub auto: bool,
    /// Which is shown while not blinking on its own.
    pub showing_b: bool,
    /// The before/after figure's last outcome, said under the controls.
    pub export_note: Option<String>,
    /// The before/after figure being made.
    pub export_job: Option<super::jobs::Job<Result<String, String>>>,
}

impl Default for DateCompare {
    fn default() -> DateCompare {
        DateCompare {
            mode: CompareMode::Off,
            a: None,
            b: None,
            divider: 0.5,
            interval_s: 1.0,
            auto: true,
            showing_b: false,
            export_note: None,
            export_job: None,
        }
    }
}

impl DateCompare {
    /// Both layers chosen, distinct, and a mode on.
    pub fn active(&self) -> Option<(&PathBuf, &PathBuf)> {
        match (&self.a, &self.b, self.mode) {
            (_, _, CompareMode::Off) => None,
            (Some(a), Some(b), _) if a != b => Some((a, b)),
            _ => None,
        }
    }

    /// Whether blink shows B at `time` (egui's clock, seconds).
    pub fn blink_shows_b(&self, time: f64) -> bool {
        if self.auto {
            (time / self.interval_s.max(0.05)).floor() as i64 % 2 == 1
        } else {
            self.showing_b
        }
    }
}

/// One compared layer lent to the map for a frame: its tiles, opacity and date line.
pub struct Compared<'a> {
    /// `'static` inside: the reference stays covariant, so the map may hold it briefly.
    pub tiles: &'a mut (dyn Tiles + 'static),
    pub opacity: f32,
    pub name: String,
    pub date: String,
}

/// Draws A and B (swipe or blink) under the case's markers, the divider and the dates.
pub struct ComparePlugin<'a> {
    pub layers: [Compared<'a>; 2],
    pub compare: &'a mut DateCompare,
}

impl Plugin for ComparePlugin<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        _response: &Response,
        projector: &Projector,
        _memory: &MapMemory,
    ) {
        let ComparePlugin {
            layers: [a, b],
            compare,
        } = *self;
        let rect = ui.max_rect();
        match compare.mode {
            CompareMode::Swipe => {
                let x = rect.left() + rect.width() * compare.divider.clamp(0.0, 1.0);
                let (left, right) = (
                    Rect::from_min_max(rect.min, Pos2::new(x, rect.bottom())),
                    Rect::from_min_max(Pos2::new(x, rect.top()), rect.max),
                );
                draw_layer(ui, projector, a.tiles, a.opacity, left);
                draw_layer(ui, projector, b.tiles, b.opacity, right);
                divider_ui(ui, rect, x, compare);
                date_tag(ui, rect, Align2::LEFT_TOP, "A", &a, true);
                date_tag(ui, rect, Align2::RIGHT_TOP, "B", &b, true);
            }
            CompareMode::Blink => {
                let (time, flip) = ui.input(|i| (i.time, i.key_pressed(egui::Key::B)));
                if flip {
                    // The other one than is shown now, and the clock stops.
                    compare.showing_b = !compare.blink_shows_b(time);
                    compare.auto = false;
                }
                let shows_b = compare.blink_shows_b(time);
                if shows_b {
                    draw_layer(ui, projector, b.tiles, b.opacity, rect);
                } else {
                    draw_layer(ui, projector, a.tiles, a.opacity, rect);
                }
                date_tag(ui, rect, Align2::LEFT_TOP, "A", &a, !shows_b);
                date_tag(ui, rect, Align2::RIGHT_TOP, "B", &b, shows_b);
                if compare.auto {
                    // The next flip, on egui's clock (no sleeping, no timer thread).
                    let period = compare.interval_s.max(0.05);
                    let next = ((time / period).floor() + 1.0) * period - time;
                    ui.ctx()
                        .request_repaint_after(std::time::Duration::from_secs_f64(next));
                }
            }
            CompareMode::Off => {}
        }
    }
}

/// The layer's tiles at the map's zoom, clipped to `clip` (each tile's texture cut with
/// it, so nothing of the layer shows outside).
fn draw_layer(ui: &Ui, projector: &Projector, tiles: &mut dyn Tiles, opacity: f32, clip: Rect) {
    if clip.width() <= 0.0 || clip.height() <= 0.0 {
        return;
    }
    let painter = ui.painter().with_clip_rect(clip);
    let z = projector.zoom().round().clamp(0.0, 22.0) as u8;
    let n = 1u32 << z;
    // The tile under a screen point: the map's own projection at the tiles' zoom, in
    // 256-pixel tiles.
    let tile_of = |p: Pos2| {
        let world =
            (projector.projection()).project(projector.unproject(p.to_vec2()), f64::from(z));
        let tile = |v: f64| (v / 256.0).floor().clamp(0.0, f64::from(n - 1)) as u32;
        (tile(world.x()), tile(world.y()))
    };
    let (x0, y0) = tile_of(clip.left_top());
    let (x1, y1) = tile_of(clip.right_bottom());
    let tint = theme::UNTINTED.gamma_multiply(opacity);
    for ty in y0..=y1 {
        for tx in x0..=x1 {
            let (w, s, e, nn) = crate::imagery::tile_bounds(z, tx, ty);
            let nw = projector.project(lon_lat(w, nn)).to_pos2();
            let se = projector.project(lon_lat(e, s)).to_pos2();
            let screen = Rect::from_min_max(nw, se);
            if !screen.intersects(clip) {
                continue;
            }
            let Some(piece) = tiles.at(TileId {
                x: tx,
                y: ty,
                zoom: z,
            }) else {
                continue;
            };
            let walkers::Tile::Raster(texture) = &piece.tile;
            painter.image(texture.id(), screen, piece.uv, tint);
        }
    }
}

/// The vertical divider with its handle; dragging it moves it.
fn divider_ui(ui: &mut Ui, rect: Rect, x: f32, compare: &mut DateCompare) {
    let grip = Rect::from_center_size(
        Pos2::new(x, rect.center().y),
        Vec2::new(14.0, rect.height()),
    );
    let response = ui
        .interact(
            grip,
            ui.scope_id().with("date swipe divider"),
            Sense::drag(),
        )
        .on_hover_cursor(egui::CursorIcon::ResizeHorizontal);
    if response.dragged()
        && let Some(p) = response.interact_pointer_pos()
    {
        compare.divider = ((p.x - rect.left()) / rect.width()).clamp(0.0, 1.0);
    }
    let painter = ui.painter().with_clip_rect(rect);
    painter.line_segment(
        [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
        Stroke::new(3.0, theme::OUTLINE),
    );
    painter.line_segment(
        [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
        Stroke::new(1.5, theme::HALO),
    );
    painter.circle(
        Pos2::new(x, rect.center().y),
        9.0,
        theme::LABEL_BACKDROP,
        Stroke::new(1.5, theme::HALO),
    );
    painter.text(
        Pos2::new(x, rect.center().y),
        Align2::CENTER_CENTER,
        "⇔",
        FontId::proportional(12.0),
        theme::HALO,
    );
}

/// "A · name · 2023-05-14 captured, from file (…)" in a corner; dimmed when not shown.
fn date_tag(ui: &Ui, rect: Rect, corner: Align2, tag: &str, layer: &Compared<'_>, shown: bool) {
    let painter = ui.painter().with_clip_rect(rect);
    let at = match corner {
        Align2::RIGHT_TOP => rect.right_top() + Vec2::new(-10.0, 10.0),
        _ => rect.left_top() + Vec2::new(10.0, 10.0),
    };
    let text = format!("{tag} · {} · {}", layer.name, layer.date);
    let color = if shown { theme::HALO } else { theme::MUTED };
    let galley = painter.layout_no_wrap(text, FontId::proportional(14.0), color);
    let placed = corner.anchor_size(at, galley.size());
    painter.rect_filled(placed.expand(5.0), 4.0, theme::LABEL_BACKDROP);
    painter.galley(placed.min, galley, color);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blink_alternates_on_the_clock_and_by_hand() {
        let mut c = DateCompare {
            mode: CompareMode::Blink,
            interval_s: 0.5,
            ..Default::default()
        };
        let shown: Vec<bool> = [0.0, 0.49, 0.5, 0.99, 1.0, 1.7]
            .iter()
            .map(|t| c.blink_shows_b(*t))
            .collect();
        assert_eq!(shown, [false, false, true, true, false, true]);
        c.auto = false;
        c.showing_b = true;
        assert!(c.blink_shows_b(0.0) && c.blink_shows_b(0.6));
        assert!(c.active().is_none(), "no layers chosen");
        c.a = Some("a.tif".into());
        c.b = Some("a.tif".into());
        assert!(c.active().is_none(), "one layer against itself");
        c.b = Some("b.tif".into());
        assert!(c.active().is_some());
    }
}
