//! What the Skyline tool draws over its panel: the rendered skyline (with a dark
//! outline so it shows on sky and ground), the accepted trace with its points, the
//! suggestion dashed, and "rendering…" while the horizon is computed.

use egui::{Color32, Painter, Pos2, Shape, Stroke, pos2};

use super::state::SkylineState;
use crate::board::ViewTransform;
use crate::terrain::fit::skyline_on;
use crate::ui::skyline::outlined;
use crate::ui::theme;

fn to_pos(p: [f64; 2]) -> Pos2 {
    pos2(p[0] as f32, p[1] as f32)
}

fn screen_line(t: &ViewTransform, line: &[[f64; 2]]) -> Vec<Pos2> {
    line.iter().map(|p| to_pos(t.to_screen(*p))).collect()
}

/// Draws the tool's lines over `panel` (nothing on other panels).
pub fn draw(painter: &Painter, s: &SkylineState, panel: &str, t: &ViewTransform) {
    if s.panel.as_deref() != Some(panel) {
        return;
    }
    let Some(camera) = &s.camera else {
        return;
    };
    match s.current_table().map(|table| skyline_on(table, camera)) {
        Some(Ok(lines)) => {
            for line in &lines {
                outlined(painter, screen_line(t, line), theme::SKYLINE_RENDERED);
            }
        }
        Some(Err(e)) => note(painter, t, &e.to_string(), theme::ERROR),
        None => match &s.horizon_error {
            Some(e) => note(painter, t, e, theme::ERROR),
            None => note(painter, t, "rendering…", theme::HALO),
        },
    }
    for line in &s.trace.polylines {
        let points = screen_line(t, line);
        for p in &points {
            painter.circle(
                *p,
                3.5,
                theme::SKYLINE_TRACE,
                Stroke::new(1.0, theme::OUTLINE),
            );
        }
        if points.len() > 1 {
            outlined(painter, points, theme::SKYLINE_TRACE);
        }
    }
    if let Some(proposal) = &s.proposal {
        for line in &proposal.polylines {
            let points = screen_line(t, line);
            painter.extend(Shape::dashed_line(
                &points,
                Stroke::new(2.0, theme::SKYLINE_PROPOSAL),
                6.0,
                4.0,
            ));
        }
    }
}

/// A line of text at the top left of the frame.
fn note(painter: &Painter, t: &ViewTransform, text: &str, colour: Color32) {
    crate::ui::skyline::note(painter, to_pos(t.to_screen([0.0, 0.0])), text, colour);
}
