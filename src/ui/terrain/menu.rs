//! Basemap → Elevation…: the case's elevation files (added, removed: each change one
//! `Edit`), the hillshade layer's visibility and opacity, and its light.

use egui::{RichText, Ui};

use super::super::command::Command;

use super::super::command::ImportCommand;
use super::super::map_terrain::TerrainView;
use super::super::theme;
use super::surface::Opening;
use crate::case::{Case, Edit};

/// The Elevation part of the Basemap menu.
pub fn elevation_menu_ui(
    ui: &mut Ui,
    case: Option<&Case>,
    view: &mut TerrainView,
    commands: &mut Vec<Command>,
    opening: Option<&Opening>,
) {
    ui.label(RichText::new("Elevation (GeoTIFF, SRTM .hgt, DTED, ASCII grid)").strong());
    let Some(case) = case else {
        ui.label("Open a case to add elevation files.");
        return;
    };
    let current = case.meta().elevation.clone();
    let mut changed = None;
    for (i, file) in current.files.iter().enumerate() {
        let path = case.elevation_path(file);
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        ui.horizontal(|ui| {
            ui.label(&name)
                .on_hover_text(format!("{}\nSHA-256 {}", path.display(), file.sha256));
            if ui.small_button("Remove").clicked() {
                let mut next = current.clone();
                next.files.remove(i);
                changed = Some(next);
            }
        });
    }
    match opening {
        Some(Opening::Opening) => {
            ui.label(RichText::new("opening…").small());
        }
        Some(Opening::Ready(text)) => {
            ui.label(RichText::new(text).small());
        }
        Some(Opening::Failed(e)) => {
            ui.label(RichText::new(e).small().color(theme::ERROR));
        }
        None => {}
    }
    if !current.files.is_empty() {
        ui.horizontal(|ui| {
            let mut visible = current.visible;
            if ui.checkbox(&mut visible, "Hillshade").changed() {
                let mut next = current.clone();
                next.visible = visible;
                changed = Some(next);
            }
            let mut opacity = current.opacity;
            let slider = ui.add(egui::Slider::new(&mut opacity, 0.0..=1.0).text("opacity"));
            // One edit per gesture: on release of a drag, or a click/keyboard step.
            if slider.drag_stopped() || (slider.changed() && !slider.dragged()) {
                let mut next = current.clone();
                next.opacity = opacity;
                changed = Some(next);
            }
        });
        sun_controls_ui(ui, view);
    }
    if ui.button("Add elevation files…").clicked() {
        if let Some(files) = rfd::FileDialog::new()
            .add_filter(
                "Elevation",
                &["tif", "tiff", "hgt", "dt0", "dt1", "dt2", "asc"],
            )
            .pick_files()
        {
            commands.push(Command::Import(ImportCommand::Elevation(files)));
        }
        ui.close();
    }
    if let Some(next) = changed {
        commands.push(Command::Edit(Edit::SetElevation(Box::new(next))));
    }
}

/// The hillshade's light: azimuth and altitude by hand, or the sun of the selected
/// finding's place and time.
pub fn sun_controls_ui(ui: &mut Ui, view: &mut TerrainView) {
    ui.checkbox(
        &mut view.sun_of_finding,
        "Light with the sun of the selected finding's time",
    );
    if let Some(note) = &view.sun_note {
        ui.label(RichText::new(note).small().color(theme::WARNING));
    }
    ui.add_enabled_ui(!view.sun_of_finding || view.sun_note.is_some(), |ui| {
        ui.add(
            egui::Slider::new(&mut view.sun.azimuth_deg, 0.0..=360.0)
                .text("light azimuth °")
                .fixed_decimals(0),
        );
        ui.add(
            egui::Slider::new(&mut view.sun.altitude_deg, 1.0..=90.0)
                .text("light altitude °")
                .fixed_decimals(0),
        );
    });
}
