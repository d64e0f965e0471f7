//! The map inspector on the right: the selected evidence item or finding, their
//! metadata, direction, location and precision.

use crate::case::{Edit, FindingLocation};
use crate::spatial::{BorderFilter, Borders, LatLon};
use egui::{RichText, Ui};

use crate::ui::state::{AppState, Command, Selection};

use crate::ui::state::{BesideCommand, BoardCommand};
use crate::ui::theme;

fn x_has_direction(e: &crate::case::EvidenceRecord) -> bool {
    e.exif.direction_deg.is_some()
}

/// A number edited by dragging: the value lives in `live` during the gesture (the map
/// shows it as it changes) and is returned once, when the gesture ends, so one drag is
/// one edit of the case.
fn live_number(
    ui: &mut Ui,
    live: &mut Option<(String, f64)>,
    key: &str,
    stored: f64,
    widget: impl FnOnce(&mut Ui, &mut f64) -> egui::Response,
) -> Option<f64> {
    let mut value = match live {
        Some((k, v)) if k == key => *v,
        _ => stored,
    };
    let response = widget(ui, &mut value);
    if response.dragged() {
        *live = Some((key.to_owned(), value));
        return None;
    }
    if matches!(live, Some((k, _)) if k == key) {
        *live = None;
    }
    let finished = response.drag_stopped() || response.changed();
    (finished && value != stored).then_some(value)
}

pub fn inspector_ui(ui: &mut Ui, state: &mut AppState, borders: Option<&Borders>) {
    let finding = match &state.shell.selection {
        Some(Selection::Finding(id)) => Some(id.clone()),
        _ => None,
    };
    if let Some(id) = &finding
        && state.hides_answer(id)
    {
        super::review_panel::hidden_finding_ui(ui, &mut state.review_ctx(), id);
        return;
    }
    inspector_parts_ui(ui, state, borders);
    if let Some(id) = finding
        && state.case().is_some_and(|c| c.finding(&id).is_ok())
    {
        state.log_opened(&id);
        super::review_panel::review_ui(ui, &mut state.review_ctx(), &id);
    }
}

fn inspector_parts_ui(ui: &mut Ui, state: &mut AppState, borders: Option<&Borders>) {
    let Some(case) = &state.case else { return };
    let mut parts = InspectorParts {
        board: state.board.working.as_ref(),
        exposure: &state.prefs.exposure,
        live_edit: &mut state.map.live_edit,
        default_fov: state.prefs.fov_deg,
        borders,
        commands: Vec::new(),
        reveal: None,
    };
    match &state.shell.selection {
        Some(Selection::Evidence(id)) => {
            if let Ok(e) = case.find_evidence(id) {
                evidence_inspector_ui(ui, case, e, &mut parts);
            }
        }
        Some(Selection::Finding(id)) => {
            if let Ok(f) = case.finding(id) {
                finding_inspector_ui(ui, f, &mut parts);
                super::review_panel::methods_report_ui(ui, f, &mut parts.commands);
            }
        }
        None => {
            ui.label("Select evidence or a finding.");
        }
    }
    let (commands, reveal) = (parts.commands, parts.reveal);
    state.commands.extend(commands);
    if let Some((id, shown)) = reveal {
        if shown {
            state.prefs.exposure.revealed.insert(id);
        } else {
            state.prefs.exposure.revealed.remove(&id);
        }
    }
}

/// What the map inspector reads besides the selected item, and what it changes: the
/// board's finding (to add a panel to), what the analyst chose to see, a number being
/// dragged, the default field of view, the borders; commands and a reveal to apply.
struct InspectorParts<'a> {
    board: Option<&'a crate::case::Finding>,
    exposure: &'a crate::ui::state::Exposure,
    live_edit: &'a mut Option<(String, f64)>,
    default_fov: f64,
    borders: Option<&'a Borders>,
    commands: Vec<Command>,
    reveal: Option<(String, bool)>,
}

/// The selected evidence item: its metadata, warnings, graphic flag, posts, comparison
/// buttons, near duplicates and field of view.
fn evidence_inspector_ui(
    ui: &mut Ui,
    case: &crate::case::Case,
    e: &crate::case::EvidenceRecord,
    parts: &mut InspectorParts<'_>,
) {
    ui.heading(&e.original_name);
    evidence_metadata_ui(ui, e);
    for w in &e.warnings {
        ui.label(RichText::new(format!("⚠ {w}")).color(theme::WEDGE_MAGNETIC));
    }
    graphic_ui(
        ui,
        e,
        parts.exposure,
        &mut parts.commands,
        &mut parts.reveal,
    );
    super::review_panel::credentials_ui(ui, e);
    posts_of_evidence_ui(ui, e);
    ui.horizontal(|ui| {
        if ui
            .button("New comparison")
            .on_hover_text("A new comparison finding with this image as its first panel")
            .clicked()
        {
            parts
                .commands
                .push(Command::Board(BoardCommand::NewComparison(vec![
                    e.sha256.clone(),
                ])));
        }
        if let Some(board) = parts.board
            && !board.evidence_ids().contains(&e.sha256.as_str())
            && ui
                .button(format!("Add to “{}”", board.title))
                .on_hover_text("Add this image as a panel of the finding on the board")
                .clicked()
        {
            let mut f = board.clone();
            crate::board::ops::add_panel(
                &mut f,
                crate::case::comparison::PanelSource::Evidence {
                    sha256: e.sha256.clone(),
                },
            );
            parts
                .commands
                .push(Command::Edit(Edit::PutFinding(Box::new(f))));
            parts
                .commands
                .push(Command::Board(BoardCommand::Open(board.id.clone())));
        }
    });
    similar_evidence_ui(ui, case, e, &mut parts.commands);
    if x_has_direction(e) {
        let key = format!("fov:{}", e.sha256);
        let stored = e.fov_deg.unwrap_or(parts.default_fov);
        let label = ui.label("Field of view (°)");
        let committed = live_number(ui, parts.live_edit, &key, stored, |ui, v| {
            ui.add(egui::Slider::new(v, 1.0..=180.0).suffix("°"))
                .labelled_by(label.id)
        });
        if let Some(fov) = committed {
            parts.commands.push(Command::Edit(Edit::SetEvidenceFov {
                id: e.sha256.clone(),
                fov_deg: Some(fov),
            }));
        }
        if e.fov_deg.is_some()
            && ui
                .button(format!("Reset to default ({}°)", parts.default_fov))
                .clicked()
        {
            parts.commands.push(Command::Edit(Edit::SetEvidenceFov {
                id: e.sha256.clone(),
                fov_deg: None,
            }));
        }
    }
}

/// The evidence item's metadata as a two-column grid.
fn evidence_metadata_ui(ui: &mut Ui, e: &crate::case::EvidenceRecord) {
    egui::Grid::new("evidence-meta")
        .num_columns(2)
        .show(ui, |ui| {
            let x = &e.exif;
            let mut rows: Vec<(&str, String)> = vec![
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
            // A clip's time tags: which one gave "Taken", and those that disagree.
            let notes = e.video.as_ref().map(|v| v.time_notes()).unwrap_or_default();
            let labels = std::iter::once("Time from").chain(std::iter::repeat(""));
            rows.splice(6..6, labels.zip(notes));
            for (k, v) in rows {
                ui.label(k);
                ui.label(v);
                ui.end_row();
            }
        });
}

/// The posts an evidence item came from (collections), newest first as imported.
fn posts_of_evidence_ui(ui: &mut Ui, e: &crate::case::EvidenceRecord) {
    if !e.sources.is_empty() {
        egui::CollapsingHeader::new(format!("Posts ({})", e.sources.len()))
            .default_open(true)
            .show(ui, |ui| {
                for source in &e.sources {
                    ui.label(RichText::new(source.title()).strong());
                    ui.label(RichText::new(source.time_text()).small());
                    if let Some(f) = &source.forwarded_from {
                        ui.label(RichText::new(format!("forwarded from {f}")).small());
                    }
                    if !source.text.is_empty() {
                        ui.label(source.text.chars().take(300).collect::<String>());
                    }
                }
            });
    }
}

/// Near duplicates of the item in the case, each a link that selects it.
fn similar_evidence_ui(
    ui: &mut Ui,
    case: &crate::case::Case,
    e: &crate::case::EvidenceRecord,
    commands: &mut Vec<Command>,
) {
    ui.collapsing("Similar evidence", |ui| {
        match case.similar(&e.sha256, crate::case::NEAR_DUPLICATE_MAX_DISTANCE) {
            Ok(found) if found.is_empty() => {
                ui.label("No near duplicate in this case.");
            }
            Ok(found) => {
                for s in found {
                    let text = format!(
                        "{}  ({}/{} bits)",
                        s.original_name,
                        s.distance,
                        crate::evidence::PerceptualHash::BITS
                    );
                    if ui.link(text).clicked() {
                        commands.push(Command::Select(Selection::Evidence(s.sha256)));
                    }
                }
            }
            Err(err) => {
                ui.label(RichText::new(err.to_string()).color(theme::ERROR));
            }
        }
    });
}

/// The selected finding: board and candidates buttons, confidence, verdict, location
/// with precision, country and nearest border.
fn finding_inspector_ui(ui: &mut Ui, f: &crate::case::Finding, parts: &mut InspectorParts<'_>) {
    ui.heading(&f.title);
    ui.label(format!("{} · {}", f.kind.as_str(), f.id));
    if ui
        .button(format!("Open on board ({} panels)", f.panels.len()))
        .on_hover_text("Compare the finding's images side by side and annotate them")
        .clicked()
    {
        parts
            .commands
            .push(Command::Board(BoardCommand::Open(f.id.clone())));
    }
    if !f.candidates.is_empty()
        && ui
            .button(format!("Work through candidates ({})", f.candidates.len()))
            .on_hover_text(
                "Step through the candidate sites on the map with the evidence beside it",
            )
            .clicked()
    {
        parts
            .commands
            .push(Command::Beside(BesideCommand::StartCandidates(
                f.id.clone(),
            )));
    }
    ui.horizontal(|ui| {
        let label = ui.label("Confidence");
        egui::ComboBox::from_id_salt("finding-confidence")
            .selected_text(f.confidence.as_str())
            .show_ui(ui, |ui| {
                for c in crate::case::Confidence::ALL {
                    if ui.selectable_label(f.confidence == c, c.as_str()).clicked()
                        && c != f.confidence
                    {
                        let mut changed = f.clone();
                        changed.confidence = c;
                        changed.updated = chrono::Utc::now();
                        parts
                            .commands
                            .push(Command::Edit(Edit::PutFinding(Box::new(changed))));
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
    if !f.verdict.is_empty() {
        ui.label(RichText::new(&f.verdict).italics());
    }
    match f.location {
        Some(l) => {
            let p = LatLon {
                lat: l.lat,
                lon: l.lon,
            };
            coordinate_formats_ui(ui, p);
            let label = ui.label("Precision radius");
            let key = format!("precision:{}", f.id);
            let committed = live_number(ui, parts.live_edit, &key, l.precision_m, |ui, v| {
                ui.add(
                    egui::DragValue::new(v)
                        .range(1.0..=1_000_000.0)
                        .suffix(" m"),
                )
                .labelled_by(label.id)
            });
            if let Some(precision) = committed {
                parts.commands.push(Command::Edit(Edit::SetFindingLocation {
                    id: f.id.clone(),
                    location: Some(FindingLocation {
                        precision_m: precision,
                        ..l
                    }),
                }));
            }
            if let Some(b) = parts.borders {
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

/// The graphic-content flag and the per-session reveal.
fn graphic_ui(
    ui: &mut Ui,
    e: &crate::case::EvidenceRecord,
    exposure: &crate::ui::state::Exposure,
    commands: &mut Vec<Command>,
    reveal: &mut Option<(String, bool)>,
) {
    ui.horizontal(|ui| {
        let mut graphic = e.graphic;
        if ui
            .checkbox(&mut graphic, "Graphic content")
            .on_hover_text(
                "Shown greyed and blurred (thumbnail, panels, frames) until revealed; \
                 the evidence and exports are not changed",
            )
            .changed()
        {
            commands.push(Command::Edit(crate::case::Edit::SetEvidenceGraphic {
                id: e.sha256.clone(),
                graphic,
            }));
        }
        if e.graphic {
            let revealed = exposure.revealed.contains(&e.sha256);
            let (text, tip) = if revealed {
                ("Hide again", "Shield this item again")
            } else {
                ("Reveal", "Show this item as it is, for this session only")
            };
            if ui.button(text).on_hover_text(tip).clicked() {
                *reveal = Some((e.sha256.clone(), !revealed));
            }
        }
    });
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
