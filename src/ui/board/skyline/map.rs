//! The Skyline scan's ranking on the map, placed with the map's own projection
//! (`MapViewExtent::to_screen`, as the other overlays): every fitted site a dot (a thin
//! ring round a candidate, whose own numbered marker stays visible inside); the best
//! [`LABELLED`] (and the site picked in the list) ringed, with a tick along the heading
//! that fitted best and a label "#rank [candidate] score"; the best in its own colour, on
//! top; sites that could not be fitted as small grey crosses.

use egui::{Align2, FontId, Pos2, Stroke, Ui, Vec2};

use super::state::SkylineState;
use crate::terrain::fit::Ranked;
use crate::ui::command::MapViewExtent;
use crate::ui::theme;

/// Ranked sites labelled on the map (the rest are dots).
pub const LABELLED: usize = 10;
const RING: f32 = 13.0;
const DOT: f32 = 3.5;
const TICK: f32 = 12.0;

/// One ranked site as the map drew it (what the map reports it drew).
#[derive(Debug, Clone, PartialEq)]
pub struct SiteMark {
    pub rank: usize,
    /// Screen position.
    pub at: Pos2,
    /// The best fit of the ranking.
    pub best: bool,
    /// Its label, when it has one ("#1 0.042°").
    pub label: Option<String>,
}

/// Draws the ranking of `finding` (if the tool has one) over the map; returns the
/// fitted sites drawn, best first.
pub fn draw_on_map(
    ui: &Ui,
    s: &SkylineState,
    finding: &str,
    extent: &MapViewExtent,
) -> Vec<SiteMark> {
    let Some(ranking) = s.scan.ranking(finding) else {
        return Vec::new();
    };
    let painter = ui.painter().with_clip_rect(extent.rect);
    let near = extent.rect.expand(RING + 40.0);
    for r in ranking.ranked.iter().filter(|r| r.fit.is_none()) {
        let p = extent.to_screen(r.site.at.lat, r.site.at.lon);
        if near.contains(p) {
            let d = Vec2::splat(DOT);
            let stroke = Stroke::new(1.5, theme::SKYLINE_SCAN_UNFITTED);
            painter.line_segment([p - d, p + d], stroke);
            painter.line_segment([p + Vec2::new(-DOT, DOT), p + Vec2::new(DOT, -DOT)], stroke);
        }
    }
    let fitted: Vec<&Ranked> = ranking.fitted().collect();
    let mut marks: Vec<SiteMark> = Vec::new();
    // Worst first, so the best is drawn on top.
    for (i, r) in fitted.iter().enumerate().rev() {
        let p = extent.to_screen(r.site.at.lat, r.site.at.lon);
        if !near.contains(p) {
            continue;
        }
        let best = i == 0;
        let labelled = i < LABELLED || s.scan.chosen == Some(r.rank);
        let label = labelled.then(|| {
            let score = r.fit.map_or(f64::NAN, |f| f.score.mean_deg);
            if ranking.candidates {
                format!("#{} {} {score:.3}°", r.rank, ranking.name(r))
            } else {
                format!("#{} {score:.3}°", r.rank)
            }
        });
        let colour = if best {
            theme::SKYLINE_SCAN_BEST
        } else {
            theme::SKYLINE_SCAN_SITE
        };
        if !ranking.candidates {
            painter.circle(p, DOT, colour, Stroke::new(1.0, theme::OUTLINE));
        } else if label.is_none() {
            painter.circle_stroke(p, RING - 2.0, Stroke::new(1.5, colour));
        }
        if let (Some(text), Some(fit)) = (&label, r.fit) {
            ring(&painter, p, colour, best, fit.camera.heading_deg);
            if s.scan.chosen == Some(r.rank) {
                painter.circle_stroke(p, RING + 4.0, Stroke::new(2.0, theme::HALO));
            }
            tag(&painter, p, text, colour);
        }
        marks.push(SiteMark {
            rank: r.rank,
            at: p,
            best,
            label,
        });
    }
    marks.reverse();
    marks
}

/// The ring round a labelled site, with a tick along the heading that fitted best (north
/// up, as the map is drawn).
fn ring(painter: &egui::Painter, p: Pos2, colour: egui::Color32, best: bool, heading_deg: f64) {
    let width = if best { 3.0 } else { 2.0 };
    painter.circle_stroke(p, RING + 1.0, Stroke::new(width + 2.0, theme::OUTLINE));
    painter.circle_stroke(p, RING, Stroke::new(width, colour));
    let h = heading_deg.to_radians() as f32;
    let dir = Vec2::new(h.sin(), -h.cos());
    painter.line_segment(
        [p + dir * RING, p + dir * (RING + TICK)],
        Stroke::new(width, colour),
    );
}

/// "#rank score" beside a site, on a dark backdrop.
fn tag(painter: &egui::Painter, p: Pos2, text: &str, colour: egui::Color32) {
    let galley = painter.layout_no_wrap(text.to_owned(), FontId::proportional(12.0), colour);
    let at = p + Vec2::new(RING + 3.0, -RING - 3.0);
    let rect = Align2::LEFT_BOTTOM.anchor_size(at, galley.size());
    painter.rect_filled(rect.expand(2.0), 3.0, theme::LABEL_BACKDROP);
    painter.galley(rect.min, galley, colour);
}
