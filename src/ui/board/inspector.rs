//! The inspector beside the board: the finding's record, the selected annotation and
//! the linked features. Text is edited on the working copy and committed when the field
//! loses focus (one undo step per field edit); choices commit at once.

use egui::{RichText, Ui};

use super::BoardCtx;
use crate::board::ops;
use crate::case::comparison::{Assessment, LinkedFeature, Shape, link_color};
use crate::case::{Confidence, FindingKind};
use crate::ui::command::Command;
use crate::ui::command::{BoardCommand, ShellCommand};

/// A labelled single-line field; true when its edit is finished.
fn text_row(ui: &mut Ui, label: &str, value: &mut String) -> bool {
    let label = ui.label(label);
    let r = ui
        .add(egui::TextEdit::singleline(value).desired_width(f32::INFINITY))
        .labelled_by(label.id);
    r.lost_focus()
}

fn text_area(ui: &mut Ui, label: &str, value: &mut String) -> bool {
    let label = ui.label(label);
    let r = ui
        .add(
            egui::TextEdit::multiline(value)
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    r.lost_focus()
}

/// The Skyline tool's section, first while the tool is chosen.
fn skyline_section_ui(ui: &mut Ui, state: &mut BoardCtx<'_>, f: &crate::case::Finding) {
    if state.board.tool() != super::BoardTool::Skyline {
        return;
    }
    let Some(case) = state.case else { return };
    let b = &mut *state.board;
    let frame = b
        .skyline
        .panel
        .as_ref()
        .and_then(|p| b.video_frames.get(p))
        .copied();
    let cx = super::skyline::SectionCtx {
        case,
        finding: f,
        skyline: &mut b.skyline,
        frame,
        commands: state.commands,
    };
    super::skyline::section_ui(ui, cx);
    ui.separator();
}

pub fn board_inspector_ui(ui: &mut Ui, state: &mut BoardCtx<'_>) {
    let mut commit = false;
    let Some(mut f) = state.board.working.take() else {
        ui.label("No finding on the board.");
        return;
    };
    egui::ScrollArea::vertical().show(ui, |ui| {
        skyline_section_ui(ui, state, &f);
        commit |= record_ui(ui, state, &mut f);
        commit |= panels_ui(ui, state, &mut f);
        ui.separator();
        selected_annotation_ui(ui, state, &mut f, &mut commit);

        commit |= links_ui(ui, &mut f);
        commit |= super::conclusion::conclusion_ui(ui, &mut f);
        frame_bound_ui(ui, state, &f);
        commit |= shadows_ui(ui, state, &mut f);
    });
    state.board.working = Some(f);
    ui.separator();
    super::matching::matching_ui(ui, state);
    ui.separator();
    let query = state.find_query();
    if let Some(action) = super::find_view::find_ui(ui, &state.board.find, &query) {
        state.find_action(ui.ctx(), action);
    }
    if commit {
        state.commands.push(Command::Board(BoardCommand::Commit));
    }
}

/// The finding's own record: title, kind, confidence, verdict, author, time, notes.
/// Returns whether an edit finished.
fn record_ui(ui: &mut Ui, state: &mut BoardCtx<'_>, f: &mut crate::case::Finding) -> bool {
    let mut commit = false;
    ui.heading("Finding");
    ui.label(RichText::new(&f.id).monospace().weak());
    commit |= text_row(ui, "Title", &mut f.title);
    ui.horizontal(|ui| {
        let label = ui.label("Kind");
        egui::ComboBox::from_id_salt("board-kind")
            .selected_text(f.kind.as_str())
            .show_ui(ui, |ui| {
                for k in FindingKind::ALL {
                    commit |= ui.selectable_value(&mut f.kind, k, k.as_str()).clicked();
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.horizontal(|ui| {
        let label = ui.label("Confidence");
        egui::ComboBox::from_id_salt("board-confidence")
            .selected_text(f.confidence.as_str())
            .show_ui(ui, |ui| {
                for c in Confidence::ALL {
                    commit |= ui
                        .selectable_value(&mut f.confidence, c, c.as_str())
                        .clicked();
                }
            })
            .response
            .labelled_by(label.id);
    });
    commit |= text_area(ui, "Verdict", &mut f.verdict);
    commit |= text_row(ui, "Author", &mut f.author);
    observed_at_ui(ui, state, f, &mut commit);
    commit |= text_area(ui, "Notes", &mut f.notes);
    if let Some(l) = f.location {
        ui.label(format!(
            "Location {:.6}, {:.6} ± {} m (set on the map)",
            l.lat, l.lon, l.precision_m
        ));
    }

    commit
}

/// The panels of the finding: their source, the graphic-content flag, removal.
/// Returns whether an edit finished.
fn panels_ui(ui: &mut Ui, state: &mut BoardCtx<'_>, f: &mut crate::case::Finding) -> bool {
    let mut commit = false;
    ui.separator();
    ui.heading("Panels");
    let mut remove_panel = None;
    for p in &f.panels {
        ui.horizontal(|ui| {
            let name = match &p.source {
                crate::case::comparison::PanelSource::Evidence { sha256 } => state
                    .case
                    .as_ref()
                    .and_then(|c| c.find_evidence(sha256).ok())
                    .map_or_else(
                        || crate::case::short_hash(sha256).to_owned(),
                        |e| e.original_name.clone(),
                    ),
                crate::case::comparison::PanelSource::MapSnapshot {
                    basemap,
                    west,
                    south,
                    east,
                    north,
                    ..
                } => {
                    format!("map {south:.4},{west:.4} – {north:.4},{east:.4} ({basemap})")
                }
            };
            ui.label(format!("{}: {name}", p.id));
            // The graphic-content flag, where the analyst meets the picture.
            if let crate::case::comparison::PanelSource::Evidence { sha256 } = &p.source
                && let Some(e) = state
                    .case
                    .as_ref()
                    .and_then(|c| c.find_evidence(sha256).ok())
            {
                let mut graphic = e.graphic;
                if ui
                    .checkbox(&mut graphic, "graphic")
                    .on_hover_text("Graphic content: shown greyed and blurred until revealed")
                    .changed()
                {
                    state.commands.push(crate::ui::Command::Edit(
                        crate::case::Edit::SetEvidenceGraphic {
                            id: e.sha256.clone(),
                            graphic,
                        },
                    ));
                }
            }
            if ui
                .small_button("Remove")
                .on_hover_text("Remove the panel and its annotations")
                .clicked()
            {
                remove_panel = Some(p.id.clone());
            }
        });
    }
    if let Some(id) = remove_panel {
        ops::remove_panel(f, &id);
        commit = true;
    }

    commit
}

/// The linked features: number, sides, assessment, description and scale.
/// Returns whether an edit finished.
fn links_ui(ui: &mut Ui, f: &mut crate::case::Finding) -> bool {
    let mut commit = false;
    ui.separator();
    ui.heading("Linked features");
    if f.links.is_empty() {
        ui.label("None yet: choose Link (L), click a feature, then its counterpart.");
    }
    let mut unlink = None;
    for l in &mut f.links {
        // A link scrolled out of sight takes its last height and builds no widgets: a
        // hundred links' rows cost more than the rest of the board's frame.
        let block = ui.make_persistent_id(("link-block", l.number));
        if let Some(height) = ui.ctx().data(|d| d.get_temp::<f32>(block)) {
            let size = egui::vec2(ui.available_width(), height);
            if !ui.is_rect_visible(egui::Rect::from_min_size(ui.cursor().min, size)) {
                ui.allocate_space(size);
                continue;
            }
        }
        let shown = ui.scope(|ui| link_ui(ui, l, &mut unlink));
        commit |= shown.inner;
        let height = shown.response.rect.height();
        ui.ctx().data_mut(|d| d.insert_temp(block, height));
    }
    if let Some(n) = unlink {
        ops::unlink(f, n);
        commit = true;
    }
    commit
}

/// One linked feature's rows; returns whether an edit finished.
fn link_ui(ui: &mut Ui, l: &mut LinkedFeature, unlink: &mut Option<u32>) -> bool {
    let mut commit = false;
    ui.horizontal(|ui| {
        let c = link_color(l.number);
        let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 18.0), egui::Sense::hover());
        ui.painter()
            .circle_filled(rect.center(), 9.0, crate::ui::theme::rgb(c));
        ui.painter().text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            l.number.to_string(),
            egui::FontId::proportional(12.0),
            crate::ui::theme::OUTLINE,
        );
        ui.label(format!("{} ↔ {}", l.a, l.b));
        let label = ui.label("assessed");
        egui::ComboBox::from_id_salt(("link-assessment", l.number))
            .selected_text(l.assessment.label())
            .show_ui(ui, |ui| {
                for a in Assessment::ALL {
                    commit |= ui
                        .selectable_value(&mut l.assessment, a, a.label())
                        .clicked();
                }
            })
            .response
            .labelled_by(label.id);
        if ui.small_button("Unlink").clicked() {
            *unlink = Some(l.number);
        }
    });
    commit |= text_row(
        ui,
        &format!("Description of feature {}", l.number),
        &mut l.description,
    );
    commit |= super::conclusion::feature_scale_ui(ui, l);
    commit
}

/// Shadow measurements: what each says, its mark error and label (editable), and a
/// way to take it to the map's sun solvers. Returns whether an edit finished.
fn shadows_ui(ui: &mut Ui, state: &mut BoardCtx<'_>, f: &mut crate::case::Finding) -> bool {
    if f.shadows.is_empty() {
        return false;
    }
    let mut commit = false;
    ui.separator();
    ui.heading("Shadows");
    ui.label(
        RichText::new(
            "Side views assume level ground, a vertical object and a camera looking at it \
             from the side; top-down views must be north-up (map snapshots are).",
        )
        .small()
        .weak(),
    );
    let mut remove = None;
    let observed = f.observed_at.map(|t| t.with_timezone(&chrono::Utc));
    for m in &mut f.shadows {
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("{} on {}", m.id, m.panel)).strong());
            ui.label(m.summary());
        });
        ui.horizontal(|ui| {
            let label = ui.label("Marks good to ±");
            let r = ui
                .add(
                    egui::DragValue::new(&mut m.mark_error_px)
                        .range(0.0..=200.0)
                        .speed(0.25)
                        .suffix(" px"),
                )
                .labelled_by(label.id);
            commit |= r.drag_stopped() || r.lost_focus();
            if ui
                .button("Use on the map")
                .on_hover_text(
                    "Take this shadow to the sun panel of the map (at the finding's place and \
                     observed time): when it fits, and where",
                )
                .clicked()
            {
                state.sun.use_shadow(m.ratio(), m.bearing(), observed);
                state
                    .commands
                    .push(Command::Select(crate::ui::command::Selection::Finding(
                        f.id.clone(),
                    )));
                state
                    .commands
                    .push(Command::Shell(ShellCommand::SetWorkspace(
                        crate::ui::command::Workspace::Map,
                    )));
            }
            if ui.small_button("Delete").clicked() {
                remove = Some(m.id.clone());
            }
        });
        commit |= text_row(ui, &format!("Label of {}", m.id), &mut m.label);
    }
    if let Some(id) = remove {
        f.shadows.retain(|m| m.id != id);
        commit = true;
    }
    commit
}

/// Annotations drawn on video frames, each with a jump to its frame.
fn frame_bound_ui(ui: &mut Ui, state: &mut BoardCtx<'_>, f: &crate::case::Finding) {
    let bound: Vec<_> = f
        .annotations
        .iter()
        .filter_map(|a| a.frame.map(|frame| (a, frame)))
        .collect();
    if bound.is_empty() {
        return;
    }
    ui.separator();
    ui.heading("On video frames");
    for (a, frame) in bound {
        ui.horizontal(|ui| {
            let timecode = crate::video::format_timecode((frame.time_s * 1e6).round() as i64);
            ui.label(format!("{} on {} {}", a.id, a.panel, a.label));
            if ui
                .small_button(format!("Go to frame {} ({timecode})", frame.index))
                .clicked()
            {
                state
                    .board
                    .video_seeks
                    .insert(a.panel.clone(), frame.index as usize);
                state.board.selected = Some(a.id.clone());
            }
        });
    }
}

fn observed_at_ui(
    ui: &mut Ui,
    state: &mut BoardCtx<'_>,
    f: &mut crate::case::Finding,
    commit: &mut bool,
) {
    let key = format!("observed:{}", f.id);
    let shown = f.observed_at.map(|t| t.to_rfc3339()).unwrap_or_default();
    let text = state.board.text.entry(key.clone()).or_insert(shown);
    let label =
        ui.label("Observed at (RFC 3339, e.g. 2024-03-22T19:58:00+03:00; empty if unknown)");
    let r = ui
        .add(egui::TextEdit::singleline(text).desired_width(f32::INFINITY))
        .labelled_by(label.id);
    if r.lost_focus() {
        let text = text.trim().to_owned();
        if text.is_empty() {
            f.observed_at = None;
            *commit = true;
            state.board.text.remove(&key);
        } else {
            match chrono::DateTime::parse_from_rfc3339(&text) {
                Ok(t) => {
                    f.observed_at = Some(t);
                    *commit = true;
                    state.board.text.remove(&key);
                }
                Err(e) => {
                    state
                        .commands
                        .push(crate::ui::Command::notify(crate::ui::Status::Error(
                            format!("observed time {text:?}: {e}"),
                        )))
                }
            }
        }
    }
}

fn selected_annotation_ui(
    ui: &mut Ui,
    state: &mut BoardCtx<'_>,
    f: &mut crate::case::Finding,
    commit: &mut bool,
) {
    let Some(id) = state.board.selected.clone() else {
        ui.label("No annotation selected.");
        return;
    };
    let others: Vec<(String, String)> = {
        let Some(a) = f.annotations.iter().find(|a| a.id == id) else {
            state.board.selected = None;
            return;
        };
        f.annotations
            .iter()
            .filter(|b| b.panel != a.panel && b.redaction.is_none())
            .map(|b| (b.id.clone(), format!("{} on {} {}", b.id, b.panel, b.label)))
            .collect()
    };
    let is_redaction = f
        .annotations
        .iter()
        .any(|a| a.id == id && a.redaction.is_some());
    ui.heading(if is_redaction {
        format!("Redaction {id}")
    } else {
        format!("Annotation {id}")
    });
    let mut delete = false;
    let mut link_to = None;
    if let Some(a) = ops::annotation_mut(f, &id) {
        ui.label(format!("on panel {}", a.panel));
        if let Some(frame) = a.frame {
            let timecode = crate::video::format_timecode((frame.time_s * 1e6).round() as i64);
            ui.horizontal(|ui| {
                ui.label(format!("drawn on frame {} at {timecode}", frame.index));
                if ui.small_button("Go to frame").clicked() {
                    state
                        .board
                        .video_seeks
                        .insert(a.panel.clone(), frame.index as usize);
                }
            });
        }
        if let Some(r) = &mut a.redaction {
            redaction_ui(ui, r, commit);
            if ui
                .button("Delete")
                .on_hover_text("Delete the redaction (Delete key)")
                .clicked()
            {
                delete = true;
            }
        } else {
            (link_to, delete) = annotation_fields_ui(ui, state, a, &others, commit);
        }
    }
    if let Some(other) = link_to {
        match ops::link(f, &id, &other) {
            Ok(_) => *commit = true,
            Err(e) => state
                .commands
                .push(crate::ui::Command::notify(crate::ui::Status::Error(
                    e.to_string(),
                ))),
        }
    }
    if delete {
        ops::remove_annotation(f, &id);
        state.board.selected = None;
        *commit = true;
    }
}

/// An annotation's label, callout text, category, colour, link and deletion. Returns
/// the annotation to link it to, and whether to delete it.
fn annotation_fields_ui(
    ui: &mut Ui,
    state: &mut BoardCtx<'_>,
    a: &mut crate::case::comparison::Annotation,
    others: &[(String, String)],
    commit: &mut bool,
) -> (Option<String>, bool) {
    let (mut link_to, mut delete) = (None, false);
    *commit |= text_row(ui, "Label", &mut a.label);
    if let Shape::Text { text, .. } = &mut a.shape {
        *commit |= text_row(ui, "Callout text", text);
    }
    ui.horizontal(|ui| {
        let label = ui.label("Category");
        egui::ComboBox::from_id_salt("annotation-category")
            .selected_text(a.category.label())
            .show_ui(ui, |ui| {
                for c in crate::case::comparison::Category::ALL {
                    *commit |= ui.selectable_value(&mut a.category, c, c.label()).clicked();
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.horizontal(|ui| {
        let mut own = a.color.is_some();
        if ui
            .checkbox(&mut own, "Own colour")
            .on_hover_text("Linked features use their link's colour")
            .changed()
        {
            a.color = own.then_some(ops::DEFAULT_COLOR);
            *commit = true;
        }
        if let Some(c) = &mut a.color {
            let r = ui.color_edit_button_srgb(c);
            // The picker changes the colour on every drag frame: commit when closed.
            if r.changed() {
                state.board.color_editing = true;
            }
        }
        if state.board.color_editing && !egui::Popup::is_any_open(ui.ctx()) {
            state.board.color_editing = false;
            *commit = true;
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("Link to");
        egui::ComboBox::from_id_salt("annotation-link")
            .selected_text("choose…")
            .show_ui(ui, |ui| {
                for (other, text) in others {
                    if ui.selectable_label(false, text).clicked() {
                        link_to = Some(other.clone());
                    }
                }
            })
            .response
            .labelled_by(label.id);
        if ui
            .button("Delete")
            .on_hover_text("Delete the annotation (Delete key)")
            .clicked()
        {
            delete = true;
        }
    });
    (link_to, delete)
}

/// A redaction's method; what it hides is never shown in outputs.
fn redaction_ui(ui: &mut Ui, r: &mut crate::case::comparison::Redaction, commit: &mut bool) {
    use crate::case::comparison::RedactMethod;
    ui.horizontal(|ui| {
        let label = ui.label("Method");
        egui::ComboBox::from_id_salt("redaction-method")
            .selected_text(r.method.as_str())
            .show_ui(ui, |ui| {
                for m in RedactMethod::ALL {
                    *commit |= ui.selectable_value(&mut r.method, m, m.as_str()).clicked();
                }
            })
            .response
            .labelled_by(label.id);
    });
    if let Some(w) = r.brush_px {
        ui.label(format!("brush {w:.0} px wide"));
    }
    ui.label(
        egui::RichText::new(
            "Hidden in every figure, inset and exported image; the evidence is unchanged.",
        )
        .weak(),
    );
}
