//! Where things go on the board: panel rectangles for a layout, the transform from a
//! panel's image pixels to the screen, and the image behind a panel.

use egui::{Pos2, Rect, pos2, vec2};

use crate::board::ViewTransform;
use crate::case::Case;
use crate::case::comparison::{Panel, PanelView};
use crate::ui::board::Layout;

/// Height of a panel's header strip (title and menus), points.
pub(super) const HEADER_HEIGHT: f32 = 22.0;

/// Splits `area` into `n` panel rectangles.
pub(super) fn layout(area: Rect, n: usize, layout: Layout) -> Vec<Rect> {
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
pub(super) fn panel_image(
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

pub(super) fn transform_for(view: &PanelView, size: [f64; 2], rect: Rect) -> ViewTransform {
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

pub(super) fn to_pos(p: [f64; 2]) -> Pos2 {
    pos2(p[0] as f32, p[1] as f32)
}

pub(super) fn from_pos(p: Pos2) -> [f64; 2] {
    [f64::from(p.x), f64::from(p.y)]
}
