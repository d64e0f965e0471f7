//! The evidence and finding lists of the case panel: sorted and filtered (by
//! `case::listing`), built only for the rows in view, so a case of thousands of items
//! stays smooth. The sorted order is kept between frames and recomputed only when the
//! case or the query changes.

use egui::{RichText, Ui};

use crate::case::listing::{ListQuery, SortKey};
use crate::case::{Case, FindingFilter};

use super::command::{Command, Selection};
use super::thumbnails::Thumbnails;

/// Height of an evidence row: a 48-px thumbnail and a little air.
const EVIDENCE_ROW: f32 = 52.0;

/// The lists' queries and their cached results.
#[derive(Default)]
pub struct CaseLists {
    pub evidence: ListQuery,
    pub findings: ListQuery,
    /// Which findings the list shows.
    pub finding_filter: FindingFilter,
    evidence_rows: Cached,
    finding_rows: Cached,
}

#[derive(Default)]
struct Cached {
    key: Option<(std::path::PathBuf, u64, ListQuery, Option<FindingFilterKey>)>,
    ids: Vec<String>,
}

/// `FindingFilter` without floats or maps: hashable, comparable.
type FindingFilterKey = (Vec<&'static str>, Vec<&'static str>, Vec<&'static str>);

fn filter_key(f: &FindingFilter) -> FindingFilterKey {
    (
        f.kinds.iter().map(|k| k.as_str()).collect(),
        f.confidences.iter().map(|c| c.as_str()).collect(),
        f.review.iter().map(|r| r.as_str()).collect(),
    )
}

impl Cached {
    fn refresh(
        &mut self,
        case: &Case,
        query: &ListQuery,
        filter: Option<&FindingFilter>,
        compute: impl FnOnce() -> Vec<String>,
    ) {
        let key = (
            case.root().to_owned(),
            case.revision(),
            query.clone(),
            filter.map(filter_key),
        );
        if self.key.as_ref() != Some(&key) {
            self.ids = compute();
            self.key = Some(key);
        }
    }
}

/// Sort order, direction, text filter and "located only" for one list.
fn query_ui(ui: &mut Ui, query: &mut ListQuery, id: &str, noun: &str) {
    ui.horizontal(|ui| {
        let label = ui.label("Sort");
        egui::ComboBox::from_id_salt(format!("{id}-sort"))
            .selected_text(query.sort.label())
            .width(96.0)
            .show_ui(ui, |ui| {
                for key in SortKey::ALL {
                    ui.selectable_value(&mut query.sort, key, key.label());
                }
            })
            .response
            .labelled_by(label.id);
        let arrow = if query.descending { "⬇" } else { "⬆" };
        if ui
            .button(arrow)
            .on_hover_text(if query.descending {
                "Descending: click for ascending"
            } else {
                "Ascending: click for descending"
            })
            .clicked()
        {
            query.descending = !query.descending;
        }
        ui.checkbox(&mut query.located_only, "located")
            .on_hover_text(format!("Only {noun} with a position on the map"));
    });
    let label = ui.label(RichText::new(format!("Filter {noun}")).small());
    ui.add(
        egui::TextEdit::singleline(&mut query.text)
            .hint_text("name or type")
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
}

/// The evidence list with thumbnails; clicking selects.
pub fn evidence_list_ui(
    ui: &mut Ui,
    case: &Case,
    lists: &mut CaseLists,
    selection: Option<&Selection>,
    thumbnails: &mut Thumbnails,
    exposure: &super::command::Exposure,
    commands: &mut Vec<Command>,
) {
    let total = case.evidence_count();
    ui.label(RichText::new(format!("Evidence ({total})")).strong());
    query_ui(ui, &mut lists.evidence, "evidence", "evidence");
    let query = lists.evidence.clone();
    lists.evidence_rows.refresh(case, &query, None, || {
        query
            .evidence(case)
            .into_iter()
            .map(|e| e.sha256.clone())
            .collect()
    });
    let ids = &lists.evidence_rows.ids;
    if ids.len() < total {
        ui.label(RichText::new(format!("{} of {total} shown", ids.len())).small());
    }
    egui::ScrollArea::vertical()
        .id_salt("evidence-list")
        .max_height(ui.available_height() * 0.45)
        .auto_shrink([false, true])
        .show_rows(ui, EVIDENCE_ROW, ids.len(), |ui, rows| {
            for id in &ids[rows] {
                let Ok(e) = case.find_evidence(id) else {
                    continue;
                };
                let selected = selection == Some(&Selection::Evidence(e.sha256.clone()));
                ui.horizontal(|ui| {
                    ui.set_height(EVIDENCE_ROW - ui.spacing().item_spacing.y);
                    let failed = thumbnails.failed(&e.sha256);
                    let texture = thumbnails.get(
                        &e.sha256,
                        case.thumbnail_path(&e.sha256),
                        case.evidence_path(e),
                        exposure.blur_thumbnail(e),
                    );
                    match texture {
                        Some(t) => {
                            let size = t.size_vec2();
                            let scale = 48.0 / size.x.max(size.y);
                            ui.image((t.id(), size * scale));
                        }
                        None if failed => {
                            ui.label("(unreadable)");
                        }
                        None => {
                            ui.spinner();
                        }
                    }
                    let gps = if e.exif.lat.is_some() { "◉" } else { "○" };
                    let graphic = if e.graphic { " [graphic]" } else { "" };
                    if ui
                        .selectable_label(selected, format!("{gps} {}{graphic}", e.original_name))
                        .clicked()
                    {
                        commands.push(Command::Select(Selection::Evidence(e.sha256.clone())));
                    }
                });
            }
        });
}

/// The finding list, filtered by `lists.finding_filter` (its pickers are the caller's);
/// each row has its review state's badge. `hidden` says whose answer is hidden from
/// this analyst (no details on hover).
pub fn finding_list_ui(
    ui: &mut Ui,
    case: &Case,
    lists: &mut CaseLists,
    selection: Option<&Selection>,
    hidden: &dyn Fn(&str) -> bool,
    commands: &mut Vec<Command>,
) {
    query_ui(ui, &mut lists.findings, "findings", "findings");
    let query = lists.findings.clone();
    let filter = &lists.finding_filter;
    lists.finding_rows.refresh(case, &query, Some(filter), || {
        query
            .findings(case, filter)
            .into_iter()
            .map(|f| f.id.clone())
            .collect()
    });
    let ids = &lists.finding_rows.ids;
    if ids.is_empty() && case.finding_count() > 0 {
        ui.label("No finding matches the filter.");
    }
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .id_salt("finding-list")
        .show_rows(ui, row_height, ids.len(), |ui, rows| {
            for id in &ids[rows] {
                let Ok(f) = case.finding(id) else {
                    continue;
                };
                let selected = selection == Some(&Selection::Finding(f.id.clone()));
                let status = f.review.status;
                ui.horizontal(|ui| {
                    let badge = RichText::new(review_letter(status))
                        .monospace()
                        .color(super::theme::OUTLINE)
                        .background_color(super::theme::review_colour(status));
                    ui.label(badge)
                        .on_hover_text(format!("review: {}", status.as_str()));
                    let hide = hidden(&f.id);
                    let title = if hide {
                        format!("◆ {} (answer hidden)", f.title)
                    } else {
                        format!("◆ {}", f.title)
                    };
                    let hover = if hide {
                        "awaiting your review: its answer is hidden".to_owned()
                    } else {
                        format!("{} · {}", f.kind.as_str(), f.confidence.as_str())
                    };
                    if ui
                        .selectable_label(selected, title)
                        .on_hover_text(hover)
                        .clicked()
                    {
                        commands.push(Command::Select(Selection::Finding(f.id.clone())));
                    }
                });
            }
        });
}

/// The one-letter badge of a review state in the list: D(raft), R(eady), A(pproved),
/// ✗ (disputed).
pub fn review_letter(status: crate::case::review::ReviewStatus) -> &'static str {
    use crate::case::review::ReviewStatus;
    match status {
        ReviewStatus::Draft => " D ",
        ReviewStatus::Ready => " R ",
        ReviewStatus::Approved => " A ",
        ReviewStatus::Disputed => " ✗ ",
    }
}
