//! The panels around the map. They read the state and push commands; none of them
//! changes the case directly.

use crate::case::{Edit, FindingLocation};
use crate::spatial::{BorderFilter, Borders, LatLon};
use egui::{RichText, Ui};

use super::basemap::OnlineSource;
use super::basemap::SourceChoice;
use super::ledger::Outcome;
use super::state::{AppState, Command, Selection, Status, Tool};
use super::theme;
use super::thumbnails::Thumbnails;

const NEW_CASE: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::N);
const OPEN_CASE: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::O);
const SAVE_CASE: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::S);

fn pick_new_case(state: &mut AppState) {
    if let Some(dir) = rfd::FileDialog::new()
        .set_title("New case: choose or create an empty folder")
        .pick_folder()
    {
        state.commands.push(Command::NewCase(dir));
    }
}

fn pick_case(state: &mut AppState) {
    if let Some(dir) = rfd::FileDialog::new()
        .set_title("Open a geoproof case folder")
        .pick_folder()
    {
        state.commands.push(Command::OpenCase(dir));
    }
}

pub fn top_bar_ui(
    ui: &mut Ui,
    state: &mut AppState,
    imagery: &super::imagery_layers::ImageryLayers,
) {
    if ui.input_mut(|i| i.consume_shortcut(&NEW_CASE)) {
        pick_new_case(state);
    }
    if ui.input_mut(|i| i.consume_shortcut(&OPEN_CASE)) {
        pick_case(state);
    }
    if ui.input_mut(|i| i.consume_shortcut(&SAVE_CASE)) {
        state.commands.push(Command::SaveCase);
    }
    ui.horizontal(|ui| {
        use super::state::Workspace;
        for (w, name, tip) in [
            (Workspace::Map, "Map", "Map workspace"),
            (Workspace::Board, "Board", "Comparison board"),
        ] {
            if ui
                .selectable_label(state.workspace == w, name)
                .on_hover_text(tip)
                .clicked()
            {
                state.commands.push(Command::CommitBoard);
                state.commands.push(Command::SetWorkspace(w));
            }
        }
        ui.separator();
        ui.menu_button("Case", |ui| case_menu_ui(ui, state));
        ui.menu_button("Basemap", |ui| basemap_menu_ui(ui, state, imagery));
        super::about::help_menu_ui(ui);
        ui.checkbox(&mut state.exposure.reduce, "Reduce exposure")
            .on_hover_text(
                "Panels and frames in greyscale, every thumbnail blurred (remembered). \
                 Videos never start on their own and geoproof plays no sound.",
            );
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
        if state.workspace == super::state::Workspace::Board {
            // The board has its own tools; the map's would only confuse.
            return;
        }
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

/// Case menu: new, open, save, import, collections, posts, stamping, candidate search.
fn case_menu_ui(ui: &mut Ui, state: &mut AppState) {
    let shortcut = |s: &egui::KeyboardShortcut| ui.ctx().format_shortcut(s);
    let (new, open, save) = (
        shortcut(&NEW_CASE),
        shortcut(&OPEN_CASE),
        shortcut(&SAVE_CASE),
    );
    if ui
        .add(egui::Button::new("New case…").shortcut_text(new))
        .clicked()
    {
        pick_new_case(state);
        ui.close();
    }
    if ui
        .add(egui::Button::new("Open case…").shortcut_text(open))
        .clicked()
    {
        pick_case(state);
        ui.close();
    }
    if ui
        .add(egui::Button::new("Save").shortcut_text(save))
        .on_hover_text("Every change is saved as you make it; this confirms it")
        .clicked()
    {
        state.commands.push(Command::SaveCase);
        ui.close();
    }
    if ui.button("Import evidence…").clicked() {
        if let Some(files) = rfd::FileDialog::new()
            .add_filter(
                "Images and videos",
                &[
                    "jpg", "jpeg", "png", "webp", "tif", "tiff", "heic", "heif", "hif", "avif",
                    "mp4", "mov", "m4v", "webm", "mkv", "ts", "mts", "m2ts", "avi",
                ],
            )
            .pick_files()
        {
            state.commands.push(Command::Import(files));
        }
        ui.close();
    }
    if ui
        .button("Import collection…")
        .on_hover_text(
            "A Telegram Desktop JSON export or auto-archiver output: its media with \
             the posts they came from",
        )
        .clicked()
    {
        if let Some(dir) = rfd::FileDialog::new().pick_folder() {
            state.commands.push(Command::ImportCollection(dir));
        }
        ui.close();
    }
    if ui
        .button("Import web archive (.wacz)…")
        .on_hover_text("Image and video responses of a WACZ, after every digest is checked")
        .clicked()
    {
        if let Some(file) = rfd::FileDialog::new()
            .add_filter("Web archive", &["wacz"])
            .pick_file()
        {
            state.commands.push(Command::ImportCollection(file));
        }
        ui.close();
    }
    if ui
        .button("Stamp case…")
        .on_hover_text("Trusted timestamps (RFC 3161) of the case, after you agree")
        .clicked()
    {
        state.stamp_dialog = Some(super::stamp_dialog::StampDialog::new());
        ui.close();
    }
    if ui
        .button("Find candidate sites (OpenStreetMap)…")
        .on_hover_text("Search a local .osm.pbf extract for places that fit the clues")
        .clicked()
    {
        state.osm_search.open = true;
        ui.close();
    }
    if ui
        .button("Posts…")
        .on_hover_text("The posts the evidence came from, searchable by caption")
        .clicked()
    {
        state.posts.open = true;
        ui.close();
    }
}

/// Basemap menu: bundled, local and online sources, the case's imagery layers, the
/// ledger.
fn basemap_menu_ui(
    ui: &mut Ui,
    state: &mut AppState,
    imagery: &super::imagery_layers::ImageryLayers,
) {
    use super::basemap::SourceChoice;
    if ui
        .selectable_label(
            state.basemap == SourceChoice::BlueMarble,
            "Blue Marble (bundled, offline)",
        )
        .clicked()
    {
        state
            .commands
            .push(Command::SetBasemap(SourceChoice::BlueMarble));
        ui.close();
    }
    if ui.button("Local .pmtiles archive…").clicked() {
        if let Some(file) = rfd::FileDialog::new()
            .add_filter("PMTiles", &["pmtiles"])
            .pick_file()
        {
            state
                .commands
                .push(Command::SetBasemap(SourceChoice::PmTiles(file)));
        }
        ui.close();
    }
    if ui.button("Local .mbtiles archive…").clicked() {
        if let Some(file) = rfd::FileDialog::new()
            .add_filter("MBTiles", &["mbtiles"])
            .pick_file()
        {
            state
                .commands
                .push(Command::SetBasemap(SourceChoice::MbTiles(file)));
        }
        ui.close();
    }
    if ui.button("Local tile folder {z}/{x}/{y}…").clicked() {
        if let Some(dir) = rfd::FileDialog::new().pick_folder() {
            state
                .commands
                .push(Command::SetBasemap(SourceChoice::Folder(dir)));
        }
        ui.close();
    }
    ui.separator();
    ui.label(RichText::new("Online (reveals the area you view)").color(theme::WARNING));
    for source in [
        OnlineSource::openstreetmap(),
        OnlineSource::esri_world_imagery(),
    ] {
        let label = format!("{} (online)", source.name);
        let choice = SourceChoice::Online(source);
        if ui
            .selectable_label(state.basemap == choice, label)
            .clicked()
        {
            state.commands.push(Command::SetBasemap(choice));
            ui.close();
        }
    }
    ui.horizontal(|ui| {
        let label = ui.label("Custom:");
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut state.custom_template)
                    .hint_text("https://host/{z}/{x}/{y}.png")
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
        let entered = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Use").clicked() || entered {
            match OnlineSource::custom(&state.custom_template) {
                Ok(source) => {
                    state.custom_template_error = None;
                    state
                        .commands
                        .push(Command::SetBasemap(SourceChoice::Online(source)));
                    ui.close();
                }
                Err(e) => state.custom_template_error = Some(e),
            }
        }
    });
    if let Some(e) = &state.custom_template_error {
        ui.label(RichText::new(e).color(theme::ERROR));
    }
    ui.separator();
    super::imagery_layers::layers_menu_ui(ui, state, imagery);
    ui.separator();
    ui.checkbox(&mut state.show_ledger, "Show network ledger");
}

/// Record files that failed validation on open: named with their cause, not loaded.
fn damaged_records_ui(ui: &mut Ui, case: &crate::case::Case) {
    let damaged = case.damaged();
    if damaged.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(
        RichText::new(format!("Damaged records ({}) — not loaded", damaged.len()))
            .color(theme::ERROR),
    )
    .id_salt("damaged-records")
    .default_open(true)
    .show(ui, |ui| {
        egui::ScrollArea::vertical()
            .id_salt("damaged-list")
            .max_height(120.0)
            .show(ui, |ui| {
                for d in damaged {
                    ui.label(RichText::new(&d.file).strong())
                        .on_hover_text(&d.cause);
                    ui.label(RichText::new(crate::case::short_text(&d.cause, 160)).small());
                }
                ui.label(
                    RichText::new("Repair or remove these files; they cannot be edited here.")
                        .small()
                        .italics(),
                );
            });
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
    damaged_records_ui(ui, case);
    let mut commands = Vec::new();
    super::case_lists::evidence_list_ui(
        ui,
        case,
        &mut state.lists,
        state.selection.as_ref(),
        thumbnails,
        &state.exposure,
        &mut commands,
    );
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
    finding_filter_ui(ui, &mut state.finding_filter);
    super::case_lists::finding_list_ui(
        ui,
        case,
        &mut state.lists,
        &state.finding_filter,
        state.selection.as_ref(),
        &mut commands,
    );
    state.commands.extend(commands);
}

/// Kind and confidence pickers over the finding list ("any" clears each).
fn finding_filter_ui(ui: &mut Ui, filter: &mut crate::case::FindingFilter) {
    use crate::case::{Confidence, FindingKind};
    ui.horizontal_wrapped(|ui| {
        let kind = filter.kinds.first().map_or("any kind", |k| k.as_str());
        let label = ui.label("Show");
        egui::ComboBox::from_id_salt("filter-kind")
            .selected_text(kind)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(filter.kinds.is_empty(), "any kind")
                    .clicked()
                {
                    filter.kinds.clear();
                }
                for k in FindingKind::ALL {
                    if ui
                        .selectable_label(filter.kinds == [k], k.as_str())
                        .clicked()
                    {
                        filter.kinds = vec![k];
                    }
                }
            })
            .response
            .labelled_by(label.id);
        let confidence = filter
            .confidences
            .first()
            .map_or("any confidence", |c| c.as_str());
        let label = ui.label("with");
        egui::ComboBox::from_id_salt("filter-confidence")
            .selected_text(confidence)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(filter.confidences.is_empty(), "any confidence")
                    .clicked()
                {
                    filter.confidences.clear();
                }
                for c in Confidence::ALL {
                    if ui
                        .selectable_label(filter.confidences == [c], c.as_str())
                        .clicked()
                    {
                        filter.confidences = vec![c];
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
}

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
    let Some(case) = &state.case else { return };
    let mut parts = InspectorParts {
        board: state.board.working.as_ref(),
        exposure: &state.exposure,
        live_edit: &mut state.live_edit,
        default_fov: state.fov_deg,
        borders,
        commands: Vec::new(),
        reveal: None,
    };
    match &state.selection {
        Some(Selection::Evidence(id)) => {
            if let Ok(e) = case.find_evidence(id) {
                evidence_inspector_ui(ui, case, e, &mut parts);
            }
        }
        Some(Selection::Finding(id)) => {
            if let Ok(f) = case.finding(id) {
                finding_inspector_ui(ui, f, &mut parts);
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
            state.exposure.revealed.insert(id);
        } else {
            state.exposure.revealed.remove(&id);
        }
    }
}

/// What the map inspector reads besides the selected item, and what it changes: the
/// board's finding (to add a panel to), what the analyst chose to see, a number being
/// dragged, the default field of view, the borders; commands and a reveal to apply.
struct InspectorParts<'a> {
    board: Option<&'a crate::case::Finding>,
    exposure: &'a super::state::Exposure,
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
    posts_of_evidence_ui(ui, e);
    ui.horizontal(|ui| {
        if ui
            .button("New comparison")
            .on_hover_text("A new comparison finding with this image as its first panel")
            .clicked()
        {
            parts
                .commands
                .push(Command::NewComparison(vec![e.sha256.clone()]));
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
            parts.commands.push(Command::OpenBoard(board.id.clone()));
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
        parts.commands.push(Command::OpenBoard(f.id.clone()));
    }
    if !f.candidates.is_empty()
        && ui
            .button(format!("Work through candidates ({})", f.candidates.len()))
            .on_hover_text(
                "Step through the candidate sites on the map with the evidence beside it",
            )
            .clicked()
    {
        parts.commands.push(Command::StartCandidates(f.id.clone()));
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
    exposure: &super::state::Exposure,
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

pub fn status_bar_ui(ui: &mut Ui, state: &mut AppState) {
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
        if let Some((done, total)) = state.collection_progress {
            ui.spinner();
            ui.label(format!("Importing the collection: {done}/{total} files…"));
            if ui.small_button("Cancel").clicked() {
                state.commands.push(Command::CancelCollection);
            }
            ui.separator();
        }
        network_status_ui(ui, state);
        match &state.status {
            Some(Status::Info(s)) => {
                ui.separator();
                ui.label(s);
            }
            Some(Status::Error(s)) => {
                ui.separator();
                ui.label(RichText::new(s).color(super::theme::ERROR));
            }
            None => {}
        }
    });
}

/// Says plainly whether the app is talking to the network, and to whom.
fn network_status_ui(ui: &mut Ui, state: &mut AppState) {
    let requests = state.ledger.len();
    match &state.basemap {
        SourceChoice::Online(source) => {
            let failed = state.ledger.failed();
            let mut text = format!("ONLINE: {} · {requests} requests", source.host());
            if failed > 0 {
                text.push_str(&format!(" · {failed} failed"));
            }
            let color = if failed > 0 {
                theme::ERROR
            } else {
                theme::WARNING
            };
            if ui
                .link(RichText::new(text).color(color))
                .on_hover_text("Show the network ledger")
                .clicked()
            {
                state.show_ledger = true;
            }
            if ui.button("Go offline").clicked() {
                state
                    .commands
                    .push(Command::SetBasemap(SourceChoice::BlueMarble));
            }
        }
        _ if requests > 0 => {
            ui.label(format!(
                "Offline now ({requests} requests earlier this session)"
            ));
        }
        _ => {
            ui.label("Offline: no network requests");
        }
    }
}

/// Every request this session: when, to which host, which tile, what came back.
pub fn ledger_ui(ui: &mut Ui, state: &mut AppState) {
    let count = state.ledger.len();
    ui.horizontal(|ui| {
        ui.label(RichText::new("Network ledger").strong());
        ui.label(format!(
            "{count} requests, {} failed",
            state.ledger.failed()
        ));
        if ui.button("Hide").clicked() {
            state.show_ledger = false;
        }
    });
    if count == 0 {
        ui.label("No network request has been made in this session.");
        return;
    }
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace);
    egui::ScrollArea::vertical()
        .id_salt("ledger-rows")
        .stick_to_bottom(true)
        .auto_shrink([false, false])
        .show_rows(ui, row_height, count, |ui, rows| {
            for entry in state.ledger.rows(rows) {
                let (result, color) = match &entry.outcome {
                    Outcome::InFlight => ("in flight".to_owned(), ui.visuals().text_color()),
                    Outcome::Ok { bytes, millis } => (
                        format!("ok {bytes} B in {millis} ms"),
                        ui.visuals().text_color(),
                    ),
                    Outcome::Failed(e) => (format!("FAILED: {e}"), theme::ERROR),
                };
                ui.horizontal(|ui| {
                    ui.monospace(entry.time.format("%H:%M:%S%.3f").to_string());
                    ui.monospace(&entry.host);
                    let what = entry.purpose.clone().unwrap_or_else(|| {
                        format!("{}/{}/{}", entry.tile.zoom, entry.tile.x, entry.tile.y)
                    });
                    ui.monospace(what).on_hover_text(&entry.url);
                    ui.label(RichText::new(result).monospace().color(color));
                });
            }
        });
}

/// Shown once, before the first online source is enabled.
pub fn online_consent_ui(ui: &mut Ui, state: &mut AppState) {
    let Some(SourceChoice::Online(source)) = &state.consent_request else {
        return;
    };
    let host = source.host();
    let name = source.name.clone();
    let mut answer = None;
    egui::Modal::new(egui::Id::unique("online-consent")).show(ui.ctx(), |ui| {
        ui.set_max_width(460.0);
        ui.heading("Enable an online tile source?");
        ui.label(format!(
            "Showing {name} means downloading map tiles from {host}. Every tile request \
             tells that server, and anyone who can see your traffic, which area you are \
             looking at and how closely, together with your IP address."
        ));
        ui.label(
            "geoproof makes no network request unless you enable an online source. Every \
             request is listed in the network ledger (Basemap → Show network ledger), and \
             you can go offline again at any time from the status bar.",
        );
        ui.label("This explanation is shown once.");
        ui.horizontal(|ui| {
            if ui.button("Enable online source").clicked() {
                answer = Some(true);
            }
            if ui.button("Stay offline").clicked() {
                answer = Some(false);
            }
        });
    });
    if let Some(enable) = answer {
        state.answer_consent(enable);
    }
}

/// Offers work autosaved before the app stopped: restore it, or discard it.
pub fn recovery_ui(ui: &mut Ui, state: &mut AppState) {
    let Some(draft) = state.board.recovery.first() else {
        return;
    };
    let id = draft.finding.id.clone();
    let when = draft
        .written
        .map(|t| {
            chrono::DateTime::<chrono::Local>::from(t)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| "an unknown time".into());
    let title = draft.finding.title.clone();
    egui::Modal::new(egui::Id::unique("recovery")).show(ui.ctx(), |ui| {
        ui.set_max_width(420.0);
        ui.heading("Recover unsaved work?");
        ui.label(format!(
            "geoproof stopped before saving changes to “{title}” ({id}). \
             The last autosave is from {when}."
        ));
        ui.horizontal(|ui| {
            if ui.button("Restore autosave").clicked() {
                state.commands.push(Command::RestoreDraft(id.clone()));
            }
            if ui
                .button("Discard")
                .on_hover_text("Keep the finding as it was last saved")
                .clicked()
            {
                state.commands.push(Command::DiscardDraft(id.clone()));
            }
        });
    });
}
