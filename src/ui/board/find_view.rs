//! The inspector's *Find in case* section: the search index (its progress and cancel),
//! the search of the selected region, and the verified results as thumbnails with the
//! matched region outlined, each opened beside the query with a click.

use egui::{Ui, pos2, vec2};

use super::find::{FindState, QuerySpec, THUMB_SIDE};

/// What the analyst asked for in the find views, for the board to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindAction {
    Find,
    Refresh,
    Open(usize),
    Close,
}

/// A running job's progress bar with its cancel button; returns whether cancel was
/// pressed.
fn progress_row(ui: &mut Ui, cancel: &str, progress: (Option<f32>, String)) -> bool {
    let (at, text) = progress;
    let pressed = ui.button(cancel).clicked();
    let bar = match at {
        Some(at) => egui::ProgressBar::new(at),
        None => egui::ProgressBar::new(0.0).animate(true),
    };
    ui.add(bar.text(text));
    pressed
}

/// The *Find in case* button (toolbar and inspector): enabled when `query` is a region
/// to search with and no search runs.
pub fn find_button(ui: &mut Ui, find: &FindState, query: &Result<QuerySpec, String>) -> bool {
    let busy = find.search_job.is_some() || find.pending.is_some();
    let hover = match query {
        Ok(_) => {
            "Search every picture and video frame of the case for the selected region \
                  (results are proposals to check)"
        }
        Err(why) => why.as_str(),
    };
    ui.add_enabled(!busy && query.is_ok(), egui::Button::new("Find in case"))
        .on_hover_text(hover)
        .on_disabled_hover_text(match query {
            Err(why) => why.as_str(),
            Ok(_) => "a search is running",
        })
        .clicked()
}

/// The inspector's section: the index, the button, the search's progress and outcome.
pub fn find_ui(
    ui: &mut Ui,
    find: &FindState,
    query: &Result<QuerySpec, String>,
) -> Option<FindAction> {
    ui.heading("Search the case by region");
    let mut action = index_ui(ui, find).then_some(FindAction::Refresh);
    if find_button(ui, find, query) {
        action = Some(FindAction::Find);
    }
    if query.is_err() && find.results.is_none() {
        ui.label("Select a region on a photo, or on a video panel at its frame, to search for it.");
    }
    if find.pending.is_some() {
        ui.label("The search starts when the index is up to date.");
    }
    if let Some(job) = &find.search_job
        && progress_row(ui, "Cancel search", job.progress())
    {
        job.cancel();
    }
    if let Some(e) = &find.error {
        ui.label(egui::RichText::new(e).color(crate::ui::theme::ERROR));
    }
    if let Some(results) = &find.results {
        ui.label(egui::RichText::new(&results.report.summary).italics());
        ui.label("The results are along the bottom of the board.");
    }
    action
}

/// The index's progress (and cancel) or its last note and the refresh button; returns
/// whether a refresh was asked for.
fn index_ui(ui: &mut Ui, find: &FindState) -> bool {
    if let Some(job) = &find.index_job {
        if progress_row(ui, "Cancel indexing", job.progress()) {
            job.cancel();
        }
        return false;
    }
    if let Some(note) = &find.index_note {
        ui.label(egui::RichText::new(note).small());
    }
    ui.button("Refresh search index")
        .on_hover_text(
            "Index new evidence (stills, and video scene changes plus a frame every 2 s) \
             under cache/search; deleting it loses nothing",
        )
        .clicked()
}

/// The verified results along the bottom of the board: per result a thumbnail with the
/// matched region outlined, its numbers, and a click to open it beside the query.
pub fn results_strip(ui: &mut Ui, find: &FindState) -> Option<FindAction> {
    let results = find.results.as_ref()?;
    let mut action = None;
    egui::Panel::bottom("find-results")
        .resizable(false)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.strong("Found in the case");
                ui.label(egui::RichText::new(&results.report.summary).italics());
                if ui.small_button("Close results").clicked() {
                    action = Some(FindAction::Close);
                }
            });
            egui::ScrollArea::horizontal()
                .id_salt("find-results")
                .show(ui, |ui| {
                    ui.horizontal_top(|ui| {
                        for n in 0..results.report.hits.len() {
                            if result_card(ui, find, n) {
                                action = Some(FindAction::Open(n));
                            }
                        }
                    });
                });
        });
    action
}

/// One result; returns whether it was asked to open.
fn result_card(ui: &mut Ui, find: &FindState, n: usize) -> bool {
    let Some(results) = &find.results else {
        return false;
    };
    let hit = &results.report.hits[n];
    let side = THUMB_SIDE as f32;
    let mut open = false;
    ui.vertical(|ui| {
        ui.set_width(side);
        let (rect, response) = ui.allocate_exact_size(vec2(side, side * 0.7), egui::Sense::click());
        if let (Some(texture), Some(Some((_, scale)))) =
            (find.textures.get(&n), results.thumbs.get(n))
        {
            let size = texture.size_vec2();
            let fit = (rect.width() / size.x).min(rect.height() / size.y);
            let shown = egui::Rect::from_min_size(rect.min, size * fit);
            ui.painter().image(
                texture.id(),
                shown,
                egui::Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
                crate::ui::theme::UNTINTED,
            );
            let to_screen =
                |c: [f64; 2]| shown.min + vec2(c[0] as f32, c[1] as f32) * (*scale as f32 * fit);
            let mut outline: Vec<egui::Pos2> = hit.corners.iter().map(|c| to_screen(*c)).collect();
            outline.push(outline[0]);
            ui.painter_at(shown)
                .line(outline, egui::Stroke::new(2.0, crate::ui::theme::MEASURE));
        }
        open |= response
            .on_hover_text("Open beside the query, with the correspondences proposed")
            .clicked();
        let name = results.names.get(n).map_or("?", String::as_str);
        ui.add(egui::Label::new(format!("{}. {name}", n + 1)).truncate());
        if let (Some(frame), Some(t)) = (hit.frame, hit.time_s) {
            ui.label(format!(
                "frame {frame} at {}",
                crate::video::format_timecode((t * 1e6).round() as i64)
            ));
        }
        ui.label(format!(
            "{} inliers of {} matches",
            hit.inliers, hit.matches
        ));
        ui.label(format!(
            "score {:.2}{}",
            hit.score,
            if hit.mirrored { "; mirrored" } else { "" }
        ));
        open |= ui
            .small_button(format!("Open result {} beside the query", n + 1))
            .clicked();
    });
    open
}
