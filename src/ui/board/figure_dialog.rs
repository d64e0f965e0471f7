//! "Export figure": the finding's publication figure with its options, previewed with
//! the exporter's own renderer (the preview is the exported raster, smaller), then saved
//! as PNG and/or SVG with its manifest. The preview renders in the background as soon
//! as the dialog opens, and again a moment after each change.

use std::path::PathBuf;

use egui::Ui;

use super::BoardCtx;
use super::figure_preview::{PREVIEW_WIDTH, parse_layout};
use crate::export::figure::FigureOptions;
use crate::ui::command::BoardCommand;
use crate::ui::command::Command;

pub fn figure_dialog_ui(ui: &mut Ui, state: &mut BoardCtx<'_>) {
    let Some(mut dialog) = state.figure_dialog.take() else {
        return;
    };
    let mut open = true;
    let ctx = ui.ctx().clone();
    egui::Window::new("Export figure")
        .open(&mut open)
        .default_size([980.0, 760.0])
        .show(&ctx, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("Width (px)");
                ui.add(egui::DragValue::new(&mut dialog.options.width).range(200..=20_000))
                    .labelled_by(label.id);
                let label = ui.label("Figure number");
                ui.add(egui::DragValue::new(&mut dialog.options.figure_number).range(1..=999))
                    .labelled_by(label.id);
                ui.checkbox(
                    &mut dialog.options.include_metadata,
                    "Title and finding id in the PNG",
                )
                .on_hover_text(
                    "Off: the PNG carries no metadata at all. EXIF, GPS and XMP are never written.",
                );
            });
            let label = ui.label("Caption (empty: the finding's verdict)");
            ui.add(
                egui::TextEdit::multiline(&mut dialog.caption)
                    .desired_rows(2)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
            let label = ui.label("Credits, one per line (the panels' sources are always listed)");
            ui.add(
                egui::TextEdit::multiline(&mut dialog.credits)
                    .desired_rows(2)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
            ui.horizontal(|ui| {
                let label = ui.label("Panels per row");
                ui.add(
                    egui::TextEdit::singleline(&mut dialog.layout)
                        .hint_text("automatic, or e.g. 3,2")
                        .desired_width(120.0),
                )
                .labelled_by(label.id);
                if let Err(e) = parse_layout(&dialog.layout) {
                    ui.colored_label(crate::ui::theme::ERROR, e);
                }
            });
            panels_ui(ui, state);
            if let Some(f) = &state.board.working {
                ui.horizontal_wrapped(|ui| {
                    ui.label("Insets:");
                    for a in f.annotations.iter().filter(|a| a.redaction.is_none()) {
                        let mut on = dialog.options.insets.contains(&a.id);
                        let text = format!("{} {}", a.id, a.label);
                        if ui.checkbox(&mut on, text.trim()).changed() {
                            if on {
                                dialog.options.insets.push(a.id.clone());
                            } else {
                                dialog.options.insets.retain(|i| *i != a.id);
                            }
                        }
                    }
                });
            }
            if let (Some(case), Some(finding)) = (&state.case, &state.board.working) {
                let key = (
                    FigureOptions {
                        width: PREVIEW_WIDTH,
                        ..dialog.options()
                    },
                    finding.clone(),
                );
                dialog.update_preview(&ctx, case.root(), key);
            }
            ui.horizontal(|ui| {
                for (label, ext) in [("Save PNG…", "png"), ("Save SVG…", "svg")] {
                    if ui.button(label).clicked()
                        && let Some(path) = save_dialog(ext)
                    {
                        let (png, svg) = match ext {
                            "png" => (Some(path), None),
                            _ => (None, Some(path)),
                        };
                        let options = dialog.options();
                        let export = BoardCommand::ExportFigure { png, svg, options };
                        state.commands.push(Command::Board(export));
                    }
                }
            });
            if !dialog.preview_is_current() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Rendering the preview…");
                });
            }
            if let Some(e) = &dialog.error {
                ui.colored_label(crate::ui::theme::ERROR, e);
            }
            if let Some(t) = &dialog.preview {
                egui::ScrollArea::both().show(ui, |ui| {
                    let size = t.size_vec2();
                    let scale = (ui.available_width() / size.x).min(1.0);
                    ui.image((t.id(), size * scale));
                });
            }
        });
    if open {
        *state.figure_dialog = Some(dialog);
    }
}

/// The panels in figure order, each with its caption (printed under it). Reordering
/// and a finished caption are one undo step each.
fn panels_ui(ui: &mut Ui, state: &mut BoardCtx<'_>) {
    let Some(f) = state.board.working.as_mut() else {
        return;
    };
    let mut commit = false;
    let mut moved = None;
    ui.label("Panels (figure order) and captions, e.g. “Amaq News, 22 March 2024”:");
    let count = f.panels.len();
    for (i, p) in f.panels.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            if ui
                .add_enabled(i > 0, egui::Button::new("▲").small())
                .on_hover_text(format!("Move {} earlier", p.id))
                .clicked()
            {
                moved = Some((p.id.clone(), -1));
            }
            if ui
                .add_enabled(i + 1 < count, egui::Button::new("▼").small())
                .on_hover_text(format!("Move {} later", p.id))
                .clicked()
            {
                moved = Some((p.id.clone(), 1));
            }
            let label = ui.label(format!("{} caption", p.id));
            commit |= ui
                .add(egui::TextEdit::singleline(&mut p.caption).desired_width(360.0))
                .labelled_by(label.id)
                .lost_focus();
        });
    }
    if let Some((id, by)) = moved {
        crate::board::ops::move_panel(f, &id, by);
        commit = true;
    }
    if commit {
        state.commands.push(Command::Board(BoardCommand::Commit));
    }
}

fn save_dialog(extension: &str) -> Option<PathBuf> {
    rfd::FileDialog::new()
        .add_filter(extension.to_uppercase(), &[extension])
        .set_file_name(format!("figure.{extension}"))
        .save_file()
}
