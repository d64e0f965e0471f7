//! The map inspector's Terrain section: observer and target heights, refraction, the
//! line of sight along the Measure line, and the viewshed (from a clicked point or the
//! selected item, optionally within a heading ± half the field of view and a radius),
//! exported as GeoTIFF.

use egui::{DragValue, RichText, Ui};

use super::super::command::Tool;
use super::super::map_terrain::TerrainView;
use super::super::theme;
use super::surface::{ElevationSurface, Opening};
use crate::spatial::LatLon;

/// What the Terrain section reads and sets besides the surface.
pub struct PanelCtx<'a> {
    pub view: &'a mut TerrainView,
    pub tool: &'a mut Tool,
    /// The selected item's place and name (a viewshed can start there).
    pub selected: Option<(LatLon, String)>,
    /// Set when the analyst picks where to write the viewshed GeoTIFF.
    pub export_to: Option<std::path::PathBuf>,
}

pub fn terrain_panel_ui(
    ui: &mut Ui,
    mut cx: PanelCtx<'_>,
    surface: Option<&ElevationSurface>,
) -> Option<std::path::PathBuf> {
    ui.separator();
    ui.label(RichText::new("Terrain").strong());
    let Some(surface) = surface else {
        ui.label("Add elevation files in Basemap → Elevation… for profiles and viewsheds.");
        return None;
    };
    match &surface.opening {
        Opening::Opening => {
            ui.horizontal_wrapped(|ui| {
                ui.spinner();
                ui.label("opening the elevation files…");
            });
            return None;
        }
        Opening::Failed(e) => {
            ui.label(RichText::new(e).color(theme::ERROR));
            return None;
        }
        Opening::Ready(_) => {}
    }
    heights_ui(ui, cx.view);
    ui.horizontal_wrapped(|ui| {
        ui.label("Line of sight: the Measure line's last segment.");
        if *cx.tool != Tool::Measure && ui.small_button("Use the Measure tool").clicked() {
            *cx.tool = Tool::Measure;
        }
    });
    viewshed_ui(ui, &mut cx, surface);
    cx.export_to
}

fn heights_ui(ui: &mut Ui, view: &mut TerrainView) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Observer");
        ui.add(
            DragValue::new(&mut view.observer_m)
                .range(0.0..=10_000.0)
                .speed(0.5)
                .suffix(" m"),
        )
        .on_hover_text("Eye height above the ground");
        ui.label("target");
        ui.add(
            DragValue::new(&mut view.target_m)
                .range(0.0..=10_000.0)
                .speed(0.5)
                .suffix(" m"),
        )
        .on_hover_text("Target height above the ground");
    });
    ui.horizontal_wrapped(|ui| {
        ui.label("Refraction k");
        ui.add(
            DragValue::new(&mut view.refraction)
                .range(0.0..=1.0)
                .speed(0.005)
                .max_decimals(4),
        )
        .on_hover_text("0: none; 1/7 (GDAL's default, -cc 0.85714); 1 cancels the curvature");
    });
}

fn viewshed_ui(ui: &mut Ui, cx: &mut PanelCtx<'_>, surface: &ElevationSurface) {
    ui.label(RichText::new("Viewshed").strong());
    let selected = cx.selected.clone();
    let view = &mut *cx.view;
    ui.horizontal_wrapped(|ui| {
        ui.toggle_value(&mut view.picking_viewshed, "Pick on map")
            .on_hover_text("The next click on the map places the observer");
        if let Some((p, name)) = &selected
            && ui
                .small_button("At the selected item")
                .on_hover_text(name.as_str())
                .clicked()
        {
            view.viewshed_at = Some(*p);
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.label("Radius");
        ui.add(
            DragValue::new(&mut view.radius_km)
                .range(0.0..=200.0)
                .speed(0.1)
                .suffix(" km"),
        )
        .on_hover_text("0: the whole surface");
    });
    let mut limited = view.wedge.is_some();
    ui.checkbox(
        &mut limited,
        "Only within a heading ± half the field of view",
    );
    match (limited, view.wedge) {
        (true, None) => view.wedge = Some((0.0, 60.0)),
        (false, Some(_)) => view.wedge = None,
        _ => {}
    }
    if let Some((heading, fov)) = &mut view.wedge {
        ui.horizontal_wrapped(|ui| {
            ui.label("heading");
            ui.add(DragValue::new(heading).range(0.0..=360.0).suffix("°"));
            ui.label("fov");
            ui.add(DragValue::new(fov).range(1.0..=360.0).suffix("°"));
        });
    }
    let Some(at) = view.viewshed_at else {
        ui.label("Pick a point or use the selected item.");
        return;
    };
    ui.label(RichText::new(format!("from {:.6}, {:.6}", at.lat, at.lon)).small());
    let mut export = false;
    ui.horizontal_wrapped(|ui| {
        match &surface.viewshed {
            None => {
                ui.spinner();
                ui.label("computing the viewshed…");
            }
            Some(Err(e)) => {
                ui.label(RichText::new(e).color(theme::ERROR));
            }
            Some(Ok(r)) => {
                let seen = r.view.visible + r.view.hidden;
                let share = if seen > 0 {
                    100.0 * r.view.visible as f64 / seen as f64
                } else {
                    0.0
                };
                ui.label(format!("visible: {share:.1}% of the ground in range"));
                export = ui.button("Export GeoTIFF…").clicked();
            }
        }
        if ui.small_button("Clear").clicked() {
            view.viewshed_at = None;
        }
    });
    if export
        && let Some(path) = rfd::FileDialog::new()
            .add_filter("GeoTIFF", &["tif"])
            .set_file_name("viewshed.tif")
            .save_file()
    {
        cx.export_to = Some(path);
    }
}
