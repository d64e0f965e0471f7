//! The panels around the map. They read the state and push commands; none of them
//! changes the case directly.

use crate::case::{Edit, FindingLocation};
use crate::spatial::{BorderFilter, Borders, LatLon};
use egui::{Color32, RichText, Ui};

use super::state::{AppState, Command, Selection, Status, Tool};
use super::theme;
use super::thumbnails::Thumbnails;

pub fn top_bar_ui(ui: &mut Ui, state: &mut AppState) {
    ui.horizontal(|ui| {
        ui.menu_button("Case", |ui| {
            if ui.button("Open case…").clicked() {
                if let Some(dir) = rfd::FileDialog::new()
                    .set_title("Open a geoproof case folder")
                    .pick_folder()
                {
                    state.commands.push(Command::OpenCase(dir));
                }
                ui.close();
            }
            if ui.button("Import evidence…").clicked() {
                if let Some(files) = rfd::FileDialog::new()
                    .add_filter("Images", &["jpg", "jpeg", "png", "webp", "tif", "tiff"])
                    .pick_files()
                {
                    state.commands.push(Command::Import(files));
                }
                ui.close();
            }
        });
        ui.menu_button("Basemap", |ui| {
            use super::sources::SourceChoice;
            if ui
                .selectable_label(
                    state.basemap == SourceChoice::BlueMarble,
                    "Blue Marble (bundled, offline)",
                )
                .clicked()
            {
                state.basemap_request = Some(SourceChoice::BlueMarble);
                ui.close();
            }
            if ui.button("Local .pmtiles archive…").clicked() {
                if let Some(file) = rfd::FileDialog::new()
                    .add_filter("PMTiles", &["pmtiles"])
                    .pick_file()
                {
                    state.basemap_request = Some(SourceChoice::PmTiles(file));
                }
                ui.close();
            }
            if ui.button("Local tile folder {z}/{x}/{y}…").clicked() {
                if let Some(dir) = rfd::FileDialog::new().pick_folder() {
                    state.basemap_request = Some(SourceChoice::Folder(dir));
                }
                ui.close();
            }
        });
        ui.separator();
        let label = ui.label("Go to:");
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut state.goto_text)
                    .hint_text("53.079839, 34.554344 · DMS · MGRS · UTM · map link")
                    .desired_width(300.0),
            )
            .labelled_by(label.id);
        let submitted = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Go").clicked() || submitted {
            state.go_to();
        }
        if let Some(err) = &state.goto_error {
            ui.label(RichText::new(err).color(theme::ERROR));
        }
        ui.separator();
        for (tool, label, tip) in [
            (Tool::Pan, "Pan", "Pan and zoom the map"),
            (
                Tool::PlaceFinding,
                "Place",
                "Click the map to set the selected finding's location",
            ),
            (
                Tool::Measure,
                "Measure",
                "Click points to measure geodesic distance and azimuth",
            ),
        ] {
            if ui
                .selectable_label(state.tool == tool, label)
                .on_hover_text(tip)
                .clicked()
            {
                state.commands.push(Command::SetTool(tool));
            }
        }
        if !state.measure.is_empty() && ui.button("Clear measure").clicked() {
            state.commands.push(Command::ClearMeasure);
        }
    });
}

pub fn case_panel_ui(ui: &mut Ui, state: &mut AppState, thumbnails: &mut Thumbnails) {
    let Some(case) = &state.case else {
        ui.heading("No case open");
        ui.label("Case → Open case… to begin.");
        return;
    };
    ui.heading(&case.meta().title);
    if let Some(reason) = case.read_only_reason() {
        ui.label(RichText::new(format!("Read-only: {reason}")).color(theme::ERROR));
    }
    let mut commands = Vec::new();
    ui.label(RichText::new(format!("Evidence ({})", case.evidence().count())).strong());
    egui::ScrollArea::vertical()
        .id_salt("evidence-list")
        .max_height(ui.available_height() * 0.45)
        .show(ui, |ui| {
            for e in case.evidence() {
                let selected = state.selection == Some(Selection::Evidence(e.sha256.clone()));
                ui.horizontal(|ui| {
                    let failed = thumbnails.failed(&e.sha256);
                    let texture = thumbnails.get(
                        &e.sha256,
                        case.thumbnail_path(&e.sha256),
                        case.evidence_path(e),
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
                    if ui
                        .selectable_label(selected, format!("{gps} {}", e.original_name))
                        .clicked()
                    {
                        commands.push(Command::Select(Selection::Evidence(e.sha256.clone())));
                    }
                });
            }
        });
    ui.separator();
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Findings ({})", case.findings().count())).strong());
        if ui
            .button("+ New")
            .on_hover_text("New geolocation finding at the map centre")
            .clicked()
        {
            commands.push(Command::NewFinding);
        }
    });
    // Only the visible rows are laid out, so a case with thousands of findings stays fast.
    let findings: Vec<_> = case.findings().collect();
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .id_salt("finding-list")
        .show_rows(ui, row_height, findings.len(), |ui, rows| {
            for f in &findings[rows] {
                let selected = state.selection == Some(Selection::Finding(f.id.clone()));
                if ui
                    .selectable_label(selected, format!("◆ {}", f.title))
                    .clicked()
                {
                    commands.push(Command::Select(Selection::Finding(f.id.clone())));
                }
            }
        });
    state.commands.extend(commands);
}

pub fn inspector_ui(ui: &mut Ui, state: &mut AppState, borders: Option<&Borders>) {
    let Some(case) = &state.case else { return };
    let mut commands = Vec::new();
    match &state.selection {
        Some(Selection::Evidence(id)) => {
            let Ok(e) = case.find_evidence(id) else {
                return;
            };
            ui.heading(&e.original_name);
            egui::Grid::new("evidence-meta")
                .num_columns(2)
                .show(ui, |ui| {
                    let x = &e.exif;
                    let rows: Vec<(&str, String)> = vec![
                        ("SHA-256", e.short_id().to_owned() + "…"),
                        ("Type", e.media_type.clone()),
                        (
                            "Size",
                            format!("{}×{} px, {} bytes", e.width, e.height, e.size_bytes),
                        ),
                        (
                            "GPS",
                            match (x.lat, x.lon) {
                                (Some(a), Some(b)) => LatLon { lat: a, lon: b }.to_decimal(),
                                _ => "none".into(),
                            },
                        ),
                        (
                            "Direction",
                            match (x.direction_deg, x.direction_ref.as_deref()) {
                                (Some(d), Some("T")) => format!("{d}° true"),
                                (Some(d), Some("M")) => format!("{d}° MAGNETIC (not corrected)"),
                                (Some(d), _) => format!("{d}° (reference unknown)"),
                                _ => "none".into(),
                            },
                        ),
                        (
                            "Taken",
                            x.taken_at.clone().unwrap_or_else(|| "unknown".into()),
                        ),
                        (
                            "GPS time",
                            x.gps_time_utc.clone().unwrap_or_else(|| "unknown".into()),
                        ),
                        (
                            "Camera",
                            format!(
                                "{} {}",
                                x.make.as_deref().unwrap_or(""),
                                x.model.as_deref().unwrap_or("")
                            ),
                        ),
                    ];
                    for (k, v) in rows {
                        ui.label(k);
                        ui.label(v);
                        ui.end_row();
                    }
                });
            for w in &e.warnings {
                ui.label(RichText::new(format!("⚠ {w}")).color(theme::WEDGE_MAGNETIC));
            }
            ui.add(egui::Slider::new(&mut state.fov_deg, 5.0..=180.0).text("field of view °"));
        }
        Some(Selection::Finding(id)) => {
            let Ok(f) = case.finding(id) else { return };
            ui.heading(&f.title);
            ui.label(format!("{:?} · {}", f.kind, f.id));
            match f.location {
                Some(l) => {
                    let p = LatLon {
                        lat: l.lat,
                        lon: l.lon,
                    };
                    coordinate_formats_ui(ui, p);
                    let mut precision = l.precision_m;
                    let label = ui.label("Precision radius");
                    let response = ui
                        .add(
                            egui::DragValue::new(&mut precision)
                                .range(1.0..=1_000_000.0)
                                .suffix(" m"),
                        )
                        .labelled_by(label.id);
                    if response.drag_stopped() || (response.changed() && !response.dragged()) {
                        commands.push(Command::Edit(Edit::SetFindingLocation {
                            id: f.id.clone(),
                            location: Some(FindingLocation {
                                precision_m: precision,
                                ..l
                            }),
                        }));
                    }
                    if let Some(b) = borders {
                        let country = b.country_at(p).map_or("none (sea)".to_owned(), |c| {
                            format!("{} ({})", c.name_en, c.iso_a3)
                        });
                        ui.label(format!("Country: {country}"));
                        if let Some(hit) = b.nearest_border(p, BorderFilter::International) {
                            ui.label(format!(
                                "Nearest international border: {:.2} km ({})",
                                hit.distance_m / 1000.0,
                                hit.between.join(" | ")
                            ));
                        }
                    }
                }
                None => {
                    ui.label("No location yet: choose Place and click the map.");
                }
            }
        }
        None => {
            ui.label("Select evidence or a finding.");
        }
    }
    state.commands.extend(commands);
}

fn coordinate_formats_ui(ui: &mut Ui, p: LatLon) {
    egui::Grid::new("coord-formats")
        .num_columns(3)
        .show(ui, |ui| {
            for (name, text) in p.all_formats().into_iter().take(5) {
                ui.label(name);
                ui.monospace(&text);
                if ui.small_button("Copy").on_hover_text("Copy").clicked() {
                    ui.ctx().copy_text(text);
                }
                ui.end_row();
            }
        });
}

pub fn status_bar_ui(ui: &mut Ui, state: &AppState) {
    ui.horizontal(|ui| {
        match state.hover {
            Some(p) => ui.monospace(format!("{:.6}, {:.6}", p.lat, p.lon)),
            None => ui.monospace("—"),
        };
        ui.separator();
        if state.measure.len() >= 2 {
            let n = state.measure.len();
            let m = crate::spatial::measure(state.measure[n - 2], state.measure[n - 1]);
            ui.label(format!(
                "Measure: {:.1} m, azimuth {:.2}° (back {:.2}°), path {:.1} m",
                m.distance_m,
                m.azimuth_deg,
                m.back_azimuth_deg,
                crate::spatial::path_length_m(&state.measure)
            ));
            ui.separator();
        }
        if let Some((done, total)) = state.import_progress {
            ui.spinner();
            ui.label(format!("Importing {done}/{total}…"));
            ui.separator();
        }
        ui.label("Offline: no network requests");
        match &state.status {
            Some(Status::Info(s)) => {
                ui.separator();
                ui.label(s);
            }
            Some(Status::Error(s)) => {
                ui.separator();
                ui.label(RichText::new(s).color(Color32::from_rgb(255, 110, 110)));
            }
            None => {}
        }
    });
}
