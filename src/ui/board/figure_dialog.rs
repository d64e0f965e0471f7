//! "Export figure": the finding's publication figure with its options, previewed with
//! the exporter's own renderer (the preview is the exported raster, smaller), then saved
//! as PNG and/or SVG with its manifest.

use std::path::PathBuf;

use egui::Ui;

use crate::export::figure::{self, FigureOptions, Typesetter};
use crate::ui::state::{AppState, Command, Status};

/// Width of the preview raster, pixels.
const PREVIEW_WIDTH: u32 = 900;

pub struct FigureDialog {
    pub options: FigureOptions,
    /// Credits as typed, one per line.
    pub credits: String,
    pub caption: String,
    pub preview: Option<egui::TextureHandle>,
    pub error: Option<String>,
}

impl FigureDialog {
    pub fn new() -> FigureDialog {
        FigureDialog {
            options: FigureOptions::default(),
            credits: String::new(),
            caption: String::new(),
            preview: None,
            error: None,
        }
    }

    fn options(&self) -> FigureOptions {
        FigureOptions {
            credits: self
                .credits
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            description: Some(self.caption.trim().to_owned()).filter(|c| !c.is_empty()),
            ..self.options.clone()
        }
    }
}

impl Default for FigureDialog {
    fn default() -> FigureDialog {
        FigureDialog::new()
    }
}

/// Renders the preview with the same code as the export, at preview width.
fn render_preview(
    ctx: &egui::Context,
    state: &AppState,
    dialog: &FigureDialog,
) -> Result<egui::TextureHandle, String> {
    let case = state.case.as_ref().ok_or("no case is open")?;
    let finding = state
        .board
        .working
        .as_ref()
        .ok_or("no finding on the board")?;
    let mut ts = Typesetter::new()?;
    let options = FigureOptions {
        width: PREVIEW_WIDTH,
        ..dialog.options()
    };
    let fig = figure::build(case, finding, &options, &mut ts)?;
    let rgba = figure::pixels(&fig)?;
    let image = egui::ColorImage::from_rgba_unmultiplied(
        [rgba.width() as usize, rgba.height() as usize],
        rgba.as_raw(),
    );
    Ok(ctx.load_texture("figure-preview", image, egui::TextureOptions::LINEAR))
}

pub fn figure_dialog_ui(ui: &mut Ui, state: &mut AppState) {
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
            if let Some(f) = &state.board.working {
                ui.horizontal_wrapped(|ui| {
                    ui.label("Insets:");
                    for a in &f.annotations {
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
            ui.horizontal(|ui| {
                if ui.button("Update preview").clicked() {
                    match render_preview(&ctx, state, &dialog) {
                        Ok(t) => {
                            dialog.preview = Some(t);
                            dialog.error = None;
                        }
                        Err(e) => dialog.error = Some(e),
                    }
                }
                if ui.button("Save PNG…").clicked()
                    && let Some(path) = save_dialog("png")
                {
                    state.commands.push(Command::ExportFigure {
                        png: Some(path),
                        svg: None,
                        options: dialog.options(),
                    });
                }
                if ui.button("Save SVG…").clicked()
                    && let Some(path) = save_dialog("svg")
                {
                    state.commands.push(Command::ExportFigure {
                        png: None,
                        svg: Some(path),
                        options: dialog.options(),
                    });
                }
            });
            if let Some(e) = &dialog.error {
                ui.colored_label(egui::Color32::LIGHT_RED, e);
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
        state.figure_dialog = Some(dialog);
    }
}

fn save_dialog(extension: &str) -> Option<PathBuf> {
    rfd::FileDialog::new()
        .add_filter(extension.to_uppercase(), &[extension])
        .set_file_name(format!("figure.{extension}"))
        .save_file()
}

impl AppState {
    pub(crate) fn export_figure(
        &mut self,
        png: Option<PathBuf>,
        svg: Option<PathBuf>,
        options: &FigureOptions,
    ) -> Result<(), String> {
        self.commit_board()?;
        let id = self
            .board
            .finding
            .clone()
            .ok_or("no finding on the board")?;
        let case = self.case.as_mut().ok_or("no case is open")?;
        let done = figure::export(case, &id, png.as_deref(), svg.as_deref(), options, true)?;
        let names: Vec<String> = done
            .outputs
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        self.status = Some(Status::Info(format!(
            "exported {} ({}×{} px) with manifest {}",
            names.join(", "),
            done.width,
            done.height,
            done.manifest.display()
        )));
        Ok(())
    }
}
