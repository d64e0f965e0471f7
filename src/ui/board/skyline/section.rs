//! The Skyline tool's section of the board inspector: the panel, the candidate camera's
//! values, the trace and the suggestion, the live score, **Fit**, **Save to finding**
//! and **Scan** (`scan_section`).

use egui::{DragValue, RichText, Ui};

use super::state::{DEFAULT_RANGES, SkylineState, cancel_fit, frame_panels, start_fit};
use super::work::MAX_DISTANCE_M;
use crate::case::comparison::FrameRef;
use crate::case::skyline_fit::SkylineFit;
use crate::case::{Case, Edit, Finding};
use crate::terrain::Curvature;
use crate::terrain::fit::{MAX_TRACE_POINTS, Score, score_on};
use crate::terrain::skyline::Camera;
use crate::ui::command::BoardCommand;
use crate::ui::command::{Command, Status};

/// What the section reads and changes: the case and the finding on the board (read
/// only: changes are commands), the tool's state, and the frame a video panel shows.
pub struct SectionCtx<'a> {
    pub case: &'a Case,
    pub finding: &'a Finding,
    pub skyline: &'a mut SkylineState,
    /// The frame the tool's panel shows, when it is a video.
    pub frame: Option<FrameRef>,
    /// Changes and messages for the status line.
    pub commands: &'a mut Vec<Command>,
}

/// The section, shown while the Skyline tool is chosen.
pub fn section_ui(ui: &mut Ui, state: SectionCtx<'_>) {
    ui.heading("Skyline");
    let case = state.case;
    if case.meta().elevation.is_empty() {
        ui.label("Add elevation files to the case (Map → Basemap → Elevation…) to render a camera's skyline.");
        return;
    }
    let mut state = state;
    panel_choice(ui, case, state.finding, state.skyline);
    let s = &mut *state.skyline;
    if s.camera.is_none() {
        ui.label("No place to put the camera: place the finding on the map first.");
        return;
    }
    camera_ui(ui, s);
    horizon_line(ui, s);
    ui.separator();
    trace_ui(ui, s);
    ui.separator();
    let score = score_of(s);
    score_line(ui, &score);
    fit_ui(ui, &mut state);
    save_ui(ui, &mut state, score.ok());
    let SectionCtx {
        case,
        finding,
        skyline,
        commands,
        ..
    } = state;
    super::scan_section::scan_ui(
        ui,
        super::scan_section::ScanCtx {
            case,
            finding,
            skyline,
            commands,
        },
    );
}

fn panel_choice(ui: &mut Ui, case: &Case, finding: &Finding, s: &mut SkylineState) {
    let panels = frame_panels(case, finding);
    if panels.len() < 2 {
        return;
    }
    let shown = s.panel.clone().unwrap_or_default();
    egui::ComboBox::from_label("Frame")
        .selected_text(shown)
        .show_ui(ui, |ui| {
            for (id, _) in &panels {
                if ui
                    .selectable_label(s.panel.as_ref() == Some(id), id)
                    .clicked()
                {
                    s.panel = Some(id.clone());
                    s.camera = None;
                }
            }
        });
}

fn value(
    ui: &mut Ui,
    label: &str,
    v: &mut f64,
    speed: f64,
    range: std::ops::RangeInclusive<f64>,
    suffix: &str,
    decimals: usize,
) -> bool {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(
            DragValue::new(v)
                .speed(speed)
                .range(range)
                .suffix(suffix)
                .fixed_decimals(decimals),
        )
        .labelled_by(l.id)
        .changed()
    })
    .inner
}

fn camera_ui(ui: &mut Ui, s: &mut SkylineState) {
    let Some(mut c) = s.camera else {
        return;
    };
    ui.label(RichText::new(format!("Camera from {}", s.place_source)).weak());
    let (mut lat, mut lon) = (c.site.at.lat, c.site.at.lon);
    let mut changed = value(ui, "Latitude", &mut lat, 1e-5, -90.0..=90.0, "°", 6);
    changed |= value(ui, "Longitude", &mut lon, 1e-5, -180.0..=180.0, "°", 6);
    if let Ok(at) = crate::spatial::LatLon::new(lat, lon) {
        c.site.at = at;
    }
    changed |= value(
        ui,
        "Height above ground",
        &mut c.site.height_m,
        0.5,
        0.0..=10_000.0,
        " m",
        1,
    );
    changed |= value(ui, "Heading", &mut c.heading_deg, 0.1, 0.0..=360.0, "°", 2);
    changed |= value(ui, "Pitch", &mut c.pitch_deg, 0.05, -89.0..=89.0, "°", 2);
    changed |= value(ui, "Roll", &mut c.roll_deg, 0.05, -45.0..=45.0, "°", 2);
    changed |= value(
        ui,
        "Field of view",
        &mut c.fov_deg,
        0.1,
        1.0..=170.0,
        "°",
        2,
    );
    ui.label(RichText::new(format!("field of view: {}", s.fov_source)).weak());
    ui.label(
        RichText::new("Drag on the frame: heading and pitch · wheel: field of view · arrows: move 10 m (Shift 100 m)")
            .weak(),
    );
    if changed {
        s.set_camera(c);
    }
}

fn horizon_line(ui: &mut Ui, s: &SkylineState) {
    if let Some(e) = &s.horizon_error {
        ui.colored_label(crate::ui::theme::ERROR, e);
    } else if s.rendering() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("rendering…");
        });
    }
}

fn trace_ui(ui: &mut Ui, s: &mut SkylineState) {
    let points: usize = s.trace.polylines.iter().map(Vec::len).sum();
    ui.label(format!(
        "Traced skyline: {points} point{} in {} line{} (click on the frame to add)",
        if points == 1 { "" } else { "s" },
        s.trace.polylines.len(),
        if s.trace.polylines.len() == 1 {
            ""
        } else {
            "s"
        }
    ));
    ui.horizontal_wrapped(|ui| {
        if s.suggesting() {
            ui.spinner();
            ui.label("suggesting…");
        } else if ui
            .button("Suggest")
            .on_hover_text(
                "Propose the skyline from the frame's edges (bright sky over darker ground)",
            )
            .clicked()
        {
            s.suggest_wanted = true;
        }
        if ui
            .button("New line")
            .on_hover_text("The next click starts another line")
            .clicked()
        {
            s.new_line = true;
        }
        if ui
            .add_enabled(points > 0, egui::Button::new("Undo point"))
            .clicked()
        {
            undo_point(s);
        }
        if ui
            .add_enabled(points > 0, egui::Button::new("Clear trace"))
            .clicked()
        {
            s.trace.polylines.clear();
        }
    });
    proposal_ui(ui, s);
}

fn undo_point(s: &mut SkylineState) {
    if let Some(last) = s.trace.polylines.last_mut() {
        last.pop();
        if last.is_empty() {
            s.trace.polylines.pop();
        }
    }
}

fn proposal_ui(ui: &mut Ui, s: &mut SkylineState) {
    let Some(p) = &s.proposal else {
        return;
    };
    let n: usize = p.polylines.iter().map(Vec::len).sum();
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("Proposal: {n} points (dashed)"));
        if ui
            .button("Accept proposal")
            .on_hover_text("Replace the trace with the proposal (edit it after)")
            .clicked()
        {
            s.trace = s.proposal.take().unwrap_or_default();
            s.new_line = true;
        } else if ui.button("Discard").clicked() {
            s.proposal = None;
        }
    });
}

/// The camera's score against the trace on the horizon at hand.
fn score_of(s: &SkylineState) -> Result<Score, String> {
    if s.trace.polylines.iter().all(Vec::is_empty) {
        return Err("trace the skyline to score the camera".into());
    }
    let (Some(c), Some(table)) = (s.camera.as_ref(), s.current_table()) else {
        return Err("rendering…".into());
    };
    score_on(table, c, &s.trace, MAX_TRACE_POINTS).map_err(|e| e.to_string())
}

fn score_line(ui: &mut Ui, score: &Result<Score, String>) {
    match score {
        Ok(s) => {
            ui.label(
                RichText::new(format!(
                    "Fit score: {:.3}° mean distance (max {:.3}°, {} points, {} without terrain)",
                    s.mean_deg, s.max_deg, s.points, s.missing
                ))
                .strong(),
            )
            .on_hover_text(
                "Mean angle between the traced and the rendered skyline: agreement, not proof",
            );
        }
        Err(e) => {
            ui.label(RichText::new(e).weak());
        }
    }
}

fn fit_ui(ui: &mut Ui, state: &mut SectionCtx<'_>) {
    let s = &mut *state.skyline;
    egui::CollapsingHeader::new("Search ranges").show(ui, |ui| {
        let r = &mut s.ranges;
        let mut all_round = r.heading_deg >= 180.0;
        if ui.checkbox(&mut all_round, "Heading all round").changed() {
            r.heading_deg = if all_round {
                180.0
            } else {
                DEFAULT_RANGES.heading_deg
            };
        }
        if !all_round {
            value(
                ui,
                "Heading ±",
                &mut r.heading_deg,
                0.5,
                0.0..=179.0,
                "°",
                1,
            );
        }
        value(ui, "Pitch ±", &mut r.pitch_deg, 0.5, 0.0..=45.0, "°", 1);
        value(ui, "Roll ±", &mut r.roll_deg, 0.5, 0.0..=45.0, "°", 1);
        value(
            ui,
            "Field of view ±",
            &mut r.fov_deg,
            0.5,
            0.0..=90.0,
            "°",
            1,
        );
    });
    if let Some((_, text)) = s.fitting() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(text);
            if ui.button("Cancel").clicked() {
                cancel_fit(s);
            }
        });
        return;
    }
    if ui
        .button("Fit camera")
        .on_hover_text(
            "Search heading, pitch, roll and field of view around the camera for the best score",
        )
        .clicked()
        && let Err(e) = start_fit(ui.ctx(), s)
    {
        state.commands.push(Command::notify(Status::Error(e)));
    }
}

fn save_ui(ui: &mut Ui, state: &mut SectionCtx<'_>, score: Option<Score>) {
    if let Some(saved) = state.finding.skyline_fit.as_ref() {
        ui.label(
            RichText::new(format!(
                "Saved: {:.3}° at heading {:.2}° ({})",
                saved.score.mean_deg,
                saved.camera.heading_deg,
                saved.fitted_at.format("%Y-%m-%d %H:%M UTC")
            ))
            .weak(),
        );
    }
    let ready = score.zip(state.skyline.camera);
    let clicked = ui
        .add_enabled(ready.is_some(), egui::Button::new("Save to finding"))
        .on_hover_text("Keep the camera, the trace, the score and the elevation files (with their SHA-256) in the finding")
        .clicked();
    if let (true, Some((score, camera))) = (clicked, ready) {
        match fit_record(state, camera, score) {
            Ok((id, fit)) => {
                state.commands.push(Command::Board(BoardCommand::Commit));
                // Before the edit, so that an edit that fails says so last.
                state.commands.push(Command::notify(Status::Info(format!(
                    "skyline fit saved in the finding ({:.3}° mean distance)",
                    score.mean_deg
                ))));
                state.commands.push(Command::Edit(Edit::SetSkylineFit {
                    id,
                    fit: Some(Box::new(fit)),
                }));
            }
            Err(e) => state.commands.push(Command::notify(Status::Error(e))),
        }
    }
}

/// The finding's record of the fit as shown now.
fn fit_record(
    state: &SectionCtx<'_>,
    camera: Camera,
    score: Score,
) -> Result<(String, SkylineFit), String> {
    let case = state.case;
    let s = &*state.skyline;
    let panel = s.panel.as_deref().ok_or("no frame chosen")?;
    let evidence = frame_panels(case, state.finding)
        .into_iter()
        .find(|(p, _)| p == panel)
        .map(|(_, sha)| sha)
        .ok_or("the frame's panel is gone")?;
    let table = s.current_table().ok_or("the horizon is still rendering")?;
    Ok((
        state.finding.id.clone(),
        SkylineFit {
            evidence,
            frame: state.frame,
            camera,
            dem: case.meta().elevation.files.clone(),
            trace: s.trace.clone(),
            score,
            horizon_step_deg: table.step_deg(),
            max_distance_m: MAX_DISTANCE_M,
            curvature: Curvature::default(),
            fitted_at: chrono::Utc::now(),
        },
    ))
}
