//! The inspector while the georeference view is open: method, points with residuals,
//! RMS and warnings, overlay and compare, camera estimate, exports.

use egui::Ui;

use crate::case::georeference::Georeference;
use crate::spatial::georef::Method;
use crate::ui::command::{BesideCommand, BoardCommand, ShellCommand};
use crate::ui::command::{Command, GeorefExport, Status};

use super::ctx::GeorefCtx;
use super::session::{Change, Compare, GeorefSession};

/// The inspector while the view is open: method, points with residuals, RMS and
/// warnings, overlay and compare, camera estimate, exports.
pub fn inspector_ui(ui: &mut Ui, mut state: GeorefCtx<'_>) {
    let Some(session) = state.georef.as_deref().cloned() else {
        return;
    };
    ui.heading("Georeference");
    ui.label(format!(
        "Finding {} · panel {}",
        session.finding, session.panel
    ));
    let record = state.georef_record().cloned();
    let method = record.as_ref().map_or(Method::Projective, |g| g.method);
    let points = record
        .as_ref()
        .map(|g| g.points.clone())
        .unwrap_or_default();
    ui.horizontal(|ui| {
        ui.label("Method:");
        for (m, label) in [
            (Method::Helmert, "Helmert (≥2)"),
            (Method::Affine, "Affine (≥3)"),
            (Method::Projective, "Projective (≥4)"),
        ] {
            if ui.selectable_label(method == m, label).clicked() && method != m {
                state.georef_change(Change::SetMethod(m));
            }
        }
    });
    match &session.pending {
        Some(_) => ui.label(format!(
            "Point {}: click the same place on the map (Esc cancels).",
            points.len() + 1
        )),
        None => ui.label("Click a point on the image, then the same place on the map."),
    };
    let fit = record.as_ref().map(Georeference::fit);
    egui::Grid::new("georef-points")
        .striped(true)
        .show(ui, |ui| {
            for h in ["#", "residual", "leave-one-out", ""] {
                ui.label(egui::RichText::new(h).strong());
            }
            ui.end_row();
            for (i, p) in points.iter().enumerate() {
                let residual = fit
                    .as_ref()
                    .and_then(|f| f.as_ref().ok())
                    .and_then(|f| f.residuals.get(i));
                let label = ui
                    .selectable_label(session.selected == Some(i), (i + 1).to_string())
                    .on_hover_text(format!(
                        "image {:.1}, {:.1} → {:.6}, {:.6}",
                        p.x, p.y, p.lat, p.lon
                    ));
                if label.clicked()
                    && let Some(s) = state.georef.as_deref_mut()
                {
                    s.selected = Some(i);
                }
                ui.label(residual.map_or("—".into(), |r| {
                    format!("{:.2} m / {:.1} px", r.residual_m, r.residual_px)
                }));
                ui.label(
                    residual
                        .and_then(|r| r.leave_one_out_m)
                        .map_or("—".into(), |m| format!("{m:.2} m")),
                );
                if ui.small_button("Delete").clicked() {
                    state.georef_change(Change::Delete(i));
                }
                ui.end_row();
            }
        });
    match &fit {
        Some(Ok(f)) => {
            ui.label(
                egui::RichText::new(crate::export::georef::describe(f, points.len())).strong(),
            );
            for w in &f.warnings {
                ui.label(egui::RichText::new(w).color(crate::ui::theme::WARNING));
            }
        }
        Some(Err(e)) => {
            ui.label(egui::RichText::new(e.to_string()).color(crate::ui::theme::WARNING));
        }
        None => {}
    }
    ui.separator();
    if let Some(g) = record.clone() {
        overlay_controls_ui(ui, &mut state, g, &session);
    }
    ui.separator();
    ui.horizontal(|ui| {
        crate::ui::undo_buttons::undo_redo_buttons(ui, state.commands);
        if ui
            .button("Done")
            .on_hover_text("Close the view and go back to the board")
            .clicked()
        {
            state.commands.push(Command::Beside(BesideCommand::Close));
            state
                .commands
                .push(Command::Shell(ShellCommand::SetWorkspace(
                    crate::ui::command::Workspace::Board,
                )));
        }
    });
}

fn overlay_controls_ui(
    ui: &mut Ui,
    state: &mut GeorefCtx<'_>,
    g: Georeference,
    session: &GeorefSession,
) {
    let mut show = g.show_overlay;
    if ui
        .checkbox(&mut show, "Show the image on the map")
        .changed()
    {
        let mut next = g.clone();
        next.show_overlay = show;
        state.georef_put(next);
    }
    let mut opacity = g.opacity;
    let slider = ui.add(egui::Slider::new(&mut opacity, 0.0..=1.0).text("opacity"));
    if slider.drag_stopped() || (slider.changed() && !slider.dragged()) {
        let mut next = g.clone();
        next.opacity = opacity;
        state.georef_put(next);
    }
    ui.horizontal(|ui| {
        ui.label("Compare:");
        let mut compare = session.compare;
        ui.selectable_value(&mut compare, Compare::Opacity, "Opacity");
        if ui
            .selectable_label(matches!(compare, Compare::Swipe(_)), "Swipe")
            .clicked()
        {
            compare = Compare::Swipe(0.5);
        }
        ui.selectable_value(&mut compare, Compare::Blink, "Blink");
        if let Compare::Swipe(mut at) = compare
            && ui
                .add(egui::Slider::new(&mut at, 0.0..=1.0).show_value(false))
                .changed()
        {
            compare = Compare::Swipe(at);
        }
        if let Some(s) = state.georef.as_deref_mut() {
            s.compare = compare;
        }
    });
    camera_ui(ui, state, &g, session);
    export_ui(ui, state, session);
}

/// Where the camera was: the field of view and the estimate from the points.
fn camera_ui(ui: &mut Ui, state: &mut GeorefCtx<'_>, g: &Georeference, session: &GeorefSession) {
    ui.separator();
    ui.label(egui::RichText::new("Where was the camera?").strong());
    ui.horizontal(|ui| {
        let mut fov = session.fov_deg;
        ui.label("Horizontal field of view");
        if ui
            .add(
                egui::DragValue::new(&mut fov)
                    .range(5.0..=170.0)
                    .suffix("°"),
            )
            .changed()
            && let Some(s) = state.georef.as_deref_mut()
        {
            s.fov_deg = fov;
            s.fov_source = "set here".into();
        }
        ui.label(egui::RichText::new(&session.fov_source).small());
    });
    if ui
        .button("Estimate camera position")
        .on_hover_text("From a projective fit of points on flat ground and the field of view")
        .clicked()
    {
        let (w, h) = (f64::from(session.size[0]), f64::from(session.size[1]));
        match crate::spatial::camera_pose::estimate(&g.points, w, h, session.fov_deg) {
            Ok(pose) => {
                let mut next = g.clone();
                next.camera = Some(crate::case::georeference::CameraEstimate {
                    lat: pose.lat,
                    lon: pose.lon,
                    height_m: pose.height_m,
                    heading_deg: pose.heading_deg,
                    tilt_deg: Some(pose.tilt_deg),
                    fov_deg: session.fov_deg,
                    fov_source: session.fov_source.clone(),
                    uncertainty_m: pose.uncertainty_m,
                });
                state.georef_put(next);
            }
            Err(e) => state
                .commands
                .push(Command::Shell(ShellCommand::Notify(Status::Error(
                    e.to_string(),
                )))),
        }
    }
    if let Some(c) = &g.camera {
        ui.label(format!(
            "Estimated camera: {:.6}, {:.6}, {:.0} m above the ground, heading {:.0}°{}, ± {:.0} m (estimate, not GPS)",
            c.lat,
            c.lon,
            c.height_m,
            c.heading_deg,
            c.tilt_deg
                .map_or(String::new(), |t| if t >= 0.0 {
                    format!(", {t:.1}° below the horizon")
                } else {
                    format!(", {:.1}° above the horizon", -t)
                }),
            c.uncertainty_m
        ));
    }
}

/// Exports: a map snapshot into the finding, GeoTIFF, KML, control points.
fn export_ui(ui: &mut Ui, state: &mut GeorefCtx<'_>, session: &GeorefSession) {
    ui.separator();
    ui.label(egui::RichText::new("Export").strong());
    if ui
        .button("Map snapshot into the finding")
        .on_hover_text(
            "The map as shown, with the fitted image on it, becomes a panel of this finding \
             (and so of its figures)",
        )
        .clicked()
    {
        state
            .commands
            .push(Command::Board(BoardCommand::RequestMapSnapshot));
    }
    ui.horizontal(|ui| {
        for (label, kind, ext) in [
            ("GeoTIFF…", GeorefExport::GeoTiff, "tif"),
            ("KML…", GeorefExport::Kml, "kml"),
            (
                "Control points GeoJSON…",
                GeorefExport::ControlPoints,
                "geojson",
            ),
        ] {
            if ui.button(label).clicked()
                && let Some(path) = rfd::FileDialog::new()
                    .add_filter(ext, &[ext])
                    .set_file_name(format!("{}.{ext}", session.finding))
                    .save_file()
            {
                state
                    .commands
                    .push(Command::Beside(BesideCommand::ExportGeoref { kind, path }));
            }
        }
    });
}
