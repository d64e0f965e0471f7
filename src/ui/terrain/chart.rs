//! The profile along the Measure line: a chart of distance against elevation (lowered
//! for curvature and refraction as the observer sees it), the sight line from the
//! observer's height to the target's, the first obstruction marked, holes without data
//! shaded; the verdict in words; CSV export. On the map: the sight line and the
//! obstruction, placed with the map's own projection (`MapViewExtent::to_screen`).

use egui::{Align2, FontId, Pos2, Rect, RichText, Sense, Shape, Stroke, Ui, Vec2};

use super::super::command::{Command, MapViewExtent, Status};
use super::super::map_terrain::Marks;
use super::super::theme;
use super::surface::ElevationSurface;
use crate::terrain::profile::{Profile, Verdict};

/// The verdict in one line: "visible", "hidden by terrain at 1,000 m", or unknown with
/// the holes named.
pub fn verdict_line(p: &Profile) -> String {
    let holes = if p.holes.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = p
            .holes
            .iter()
            .map(|h| format!("{:.0}–{:.0} m", h.from_m, h.to_m))
            .collect();
        format!(" · no elevation data at {}", list.join(", "))
    };
    let head = match (p.verdict, &p.first_obstruction) {
        (Verdict::Hidden, Some(o)) => format!(
            "hidden by terrain at {:.0} m (the ground rises {:.1} m above the sight line)",
            o.distance_m, o.above_sightline_m
        ),
        (Verdict::Hidden, None) => "hidden by terrain".to_owned(),
        (Verdict::Visible, _) => match p.min_clearance_m {
            Some(c) => format!("visible: the sight line clears the terrain by {c:.1} m"),
            None => "visible".to_owned(),
        },
        (Verdict::Unknown, _) => "unknown: nothing in the way where there is data".to_owned(),
    };
    format!("{head}{holes}")
}

/// The profile panel under the map: the verdict, the chart and the CSV export.
/// What the export writes is told in the status line (a command in `commands`).
pub fn profile_panel_ui(ui: &mut Ui, commands: &mut Vec<Command>, surface: &ElevationSurface) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("Line of sight").strong());
        match &surface.profile {
            None if surface.profile_running().is_some() => {
                ui.spinner();
                ui.label("computing the profile…");
            }
            None => {
                ui.label("Draw a line with Measure: its last segment is profiled.");
            }
            Some(Err(e)) => {
                ui.label(RichText::new(e).color(theme::ERROR));
            }
            Some(Ok(p)) => {
                let colour = match p.verdict {
                    Verdict::Visible => theme::CANDIDATE_CONFIRMED,
                    Verdict::Hidden => theme::ERROR,
                    Verdict::Unknown => theme::WARNING,
                };
                ui.label(RichText::new(verdict_line(p)).color(colour));
                if ui.button("Export CSV…").clicked() {
                    export_csv(commands, p);
                }
            }
        }
    });
    if let Some(Ok(p)) = &surface.profile {
        ui.label(
            RichText::new(format!(
                "{:.0} m at {:.1}° · observer {:.1} m (ground {:.1} m) · target {:.1} m (ground {:.1} m) · refraction {:.3} · {:.1} m steps",
                p.distance_m,
                p.azimuth_deg,
                p.observer_m,
                p.observer_ground_m,
                p.target_m,
                p.target_ground_m,
                p.curvature.refraction,
                p.step_m
            ))
            .small(),
        );
        chart_ui(ui, p);
    }
}

fn export_csv(commands: &mut Vec<Command>, p: &Profile) {
    let Some(path) = rfd::FileDialog::new()
        .add_filter("CSV", &["csv"])
        .set_file_name("profile.csv")
        .save_file()
    else {
        return;
    };
    let csv = crate::terrain::profile::to_csv(p);
    commands.push(Command::notify(
        match crate::fsio::write_atomic(&path, csv.as_bytes(), false) {
            Ok(()) => Status::Info(format!("profile written to {}", path.display())),
            Err(e) => Status::Error(e.to_string()),
        },
    ));
}

/// Distance and elevation ranges of the chart.
struct Axes {
    rect: Rect,
    distance_m: f64,
    low: f64,
    high: f64,
}

impl Axes {
    fn at(&self, d: f64, z: f64) -> Pos2 {
        let fx = (d / self.distance_m.max(1e-9)) as f32;
        let fy = ((z - self.low) / (self.high - self.low).max(1e-9)) as f32;
        Pos2::new(
            self.rect.left() + fx * self.rect.width(),
            self.rect.bottom() - fy * self.rect.height(),
        )
    }
}

fn chart_ui(ui: &mut Ui, p: &Profile) {
    let size = Vec2::new(ui.available_width(), ui.available_height().max(120.0));
    let (response, painter) = ui.allocate_painter(size, Sense::hover());
    let outer = response.rect;
    painter.rect_filled(outer, 2.0, theme::PROFILE_BACKGROUND);
    let rect = outer.shrink2(Vec2::new(48.0, 16.0));
    let zs = p
        .samples
        .iter()
        .filter_map(|s| s.corrected_m)
        .chain(p.samples.iter().map(|s| s.sightline_m));
    let (low, high) = zs.fold((f64::MAX, f64::MIN), |(a, b), z| (a.min(z), b.max(z)));
    if !(low.is_finite() && high.is_finite()) {
        return;
    }
    let pad = ((high - low) * 0.08).max(1.0);
    let axes = Axes {
        rect,
        distance_m: p.distance_m,
        low: low - pad,
        high: high + pad,
    };
    for h in &p.holes {
        let a = axes.at(h.from_m, axes.high);
        let b = axes.at(h.to_m, axes.low);
        painter.rect_filled(Rect::from_two_pos(a, b), 0.0, theme::PROFILE_HOLE);
    }
    // The terrain: filled down to the chart's floor, broken at holes.
    let mut run: Vec<Pos2> = Vec::new();
    let flush = |run: &mut Vec<Pos2>| {
        for w in run.windows(2) {
            let floor = |q: Pos2| Pos2::new(q.x, rect.bottom());
            painter.add(Shape::convex_polygon(
                vec![w[0], w[1], floor(w[1]), floor(w[0])],
                theme::PROFILE_GROUND,
                Stroke::NONE,
            ));
        }
        painter.add(Shape::line(
            std::mem::take(run),
            Stroke::new(1.5, theme::PROFILE_TERRAIN),
        ));
    };
    for s in &p.samples {
        match s.corrected_m {
            Some(z) => run.push(axes.at(s.distance_m, z)),
            None => flush(&mut run),
        }
    }
    flush(&mut run);
    if let (Some(first), Some(last)) = (p.samples.first(), p.samples.last()) {
        painter.line_segment(
            [
                axes.at(first.distance_m, first.sightline_m),
                axes.at(last.distance_m, last.sightline_m),
            ],
            Stroke::new(1.5, theme::MEASURE),
        );
    }
    if let Some(o) = &p.first_obstruction {
        let z = p
            .samples
            .iter()
            .find(|s| s.distance_m >= o.distance_m)
            .and_then(|s| s.corrected_m)
            .unwrap_or(o.elevation_m);
        let at = axes.at(o.distance_m, z);
        painter.circle(at, 5.0, theme::ERROR, Stroke::new(1.0, theme::OUTLINE));
        painter.text(
            at + Vec2::new(0.0, -8.0),
            Align2::CENTER_BOTTOM,
            format!("{:.0} m", o.distance_m),
            FontId::proportional(11.0),
            theme::ERROR,
        );
    }
    let label = |pos: Pos2, align: Align2, text: String| {
        painter.text(pos, align, text, FontId::proportional(10.0), theme::MUTED);
    };
    label(
        Pos2::new(rect.left() - 4.0, rect.top()),
        Align2::RIGHT_TOP,
        format!("{:.0} m", axes.high),
    );
    label(
        Pos2::new(rect.left() - 4.0, rect.bottom()),
        Align2::RIGHT_BOTTOM,
        format!("{:.0} m", axes.low),
    );
    label(
        Pos2::new(rect.right(), rect.bottom() + 2.0),
        Align2::RIGHT_TOP,
        format!("{:.0} m", p.distance_m),
    );
}

/// The sight line, its first obstruction and a viewshed's observer on the map.
pub fn draw_on_map(ui: &Ui, marks: &Marks, extent: &MapViewExtent) {
    let painter = ui.painter().with_clip_rect(extent.rect);
    if let Some((a, b)) = marks.sight {
        let (a, b) = (
            extent.to_screen(a.lat, a.lon),
            extent.to_screen(b.lat, b.lon),
        );
        let colour = if marks.obstruction.is_some() {
            theme::ERROR
        } else {
            theme::MEASURE
        };
        painter.line_segment([a, b], Stroke::new(1.0, colour));
    }
    if let Some(o) = marks.obstruction {
        let at = extent.to_screen(o.lat, o.lon);
        painter.circle(at, 6.0, theme::ERROR, Stroke::new(1.5, theme::HALO));
    }
    if let Some(o) = marks.observer {
        let at = extent.to_screen(o.lat, o.lon);
        painter.circle(at, 5.0, theme::SUN, Stroke::new(1.5, theme::OUTLINE));
    }
}
