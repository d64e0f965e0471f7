//! Working through a geolocation finding's candidate sites beside its evidence: the
//! finding's image on the left, the map on the right; the candidates numbered on the map
//! and coloured by status; N / P step to the next / previous one and fly there at the
//! chosen zoom; C confirms, L likely, O possible, U unchecked, R rules out (with the
//! reason typed in the inspector); *Use as the finding's location* promotes one. Each
//! action is one `Edit::PutFinding` (undoable, logged with the finding).

use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Stroke, Ui};

use crate::case::candidates::{Candidate, CandidateStatus};
use crate::case::{Case, Edit, Finding, FindingLocation};
use walkers::MapMemory;

use super::command::{Command, MapViewExtent, Status};

use super::command::{BesideCommand, ShellCommand};

/// The stepping session over one finding's candidates.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateSession {
    pub finding: String,
    pub current: usize,
    /// The zoom the map flies to for each candidate.
    pub zoom: f64,
    /// The reason being typed for the next status change.
    pub reason: String,
}

impl CandidateSession {
    pub fn new(finding: &str) -> CandidateSession {
        CandidateSession {
            finding: finding.to_owned(),
            current: 0,
            zoom: 16.0,
            reason: String::new(),
        }
    }
}

/// Status colours: unchecked grey, possible yellow, likely blue, confirmed green, ruled
/// out red (colour-blind safe pairs from the Okabe–Ito palette).
pub fn status_colour(status: CandidateStatus) -> Color32 {
    match status {
        CandidateStatus::Unchecked => super::theme::CANDIDATE_UNCHECKED,
        CandidateStatus::Possible => super::theme::CANDIDATE_POSSIBLE,
        CandidateStatus::Likely => super::theme::CANDIDATE_LIKELY,
        CandidateStatus::RuledOut => super::theme::CANDIDATE_RULED_OUT,
        CandidateStatus::Confirmed => super::theme::CANDIDATE_CONFIRMED,
    }
}

/// What stepping through candidates reads and changes: the case (read only; changes
/// are commands), the session, the map (flying to a candidate), the default precision
/// of a promoted location and the command queue (status messages included).
pub struct CandidateCtx<'a> {
    pub case: Option<&'a Case>,
    /// The session, while one is open.
    pub candidate_session: Option<&'a mut CandidateSession>,
    pub map: &'a mut MapMemory,
    pub default_precision_m: f64,
    pub commands: &'a mut Vec<Command>,
}

/// The finding a session steps through.
pub fn session_finding<'a>(
    case: Option<&'a Case>,
    session: Option<&CandidateSession>,
) -> Option<&'a Finding> {
    case?.finding(&session?.finding).ok()
}

impl CandidateCtx<'_> {
    fn candidate_finding(&self) -> Option<&Finding> {
        session_finding(self.case, self.candidate_session.as_deref())
    }

    /// Flies to the first candidate (a session was just opened).
    pub fn fly_to_first(&mut self) {
        self.fly_to_candidate(0);
    }

    fn fly_to_candidate(&mut self, index: usize) {
        let Some(c) = self
            .candidate_finding()
            .and_then(|f| f.candidates.get(index))
            .cloned()
        else {
            return;
        };
        if let Some(s) = self.candidate_session.as_deref_mut() {
            s.current = index;
            let zoom = s.zoom;
            self.map.center_at(walkers::lon_lat(c.lon, c.lat));
            let _ = self.map.set_zoom(zoom);
        }
    }

    /// Steps forward (or back), wrapping around.
    pub fn step_candidate(&mut self, forward: bool) {
        let (Some(f), Some(s)) = (self.candidate_finding(), self.candidate_session.as_deref())
        else {
            return;
        };
        let n = f.candidates.len();
        if n == 0 {
            return;
        }
        let next = if forward {
            (s.current + 1) % n
        } else {
            (s.current + n - 1) % n
        };
        self.fly_to_candidate(next);
    }

    /// Sets the current candidate's status with the reason typed (ruling out needs one).
    pub fn set_candidate_status(&mut self, status: CandidateStatus) {
        let (Some(f), Some(s)) = (self.candidate_finding(), self.candidate_session.as_deref())
        else {
            return;
        };
        let reason = s.reason.trim().to_owned();
        let mut f = f.clone();
        let Some(c) = f.candidates.get_mut(s.current) else {
            return;
        };
        if c.set_status(status, &reason, crate::case::candidates::analyst())
            .is_err()
        {
            self.commands
                .push(Command::Shell(ShellCommand::Notify(Status::Error(
                    "say why it is ruled out: type the reason first".into(),
                ))));
            return;
        }
        self.commands
            .push(Command::Edit(Edit::PutFinding(Box::new(f))));
        if let Some(s) = self.candidate_session.as_deref_mut() {
            s.reason.clear();
        }
    }

    /// Makes the current candidate the finding's location.
    pub fn promote_candidate(&mut self) {
        let (Some(f), Some(s)) = (self.candidate_finding(), self.candidate_session.as_deref())
        else {
            return;
        };
        let Some(c) = f.candidates.get(s.current) else {
            return;
        };
        let precision_m = f
            .location
            .map_or(self.default_precision_m, |l| l.precision_m);
        self.commands.push(Command::Edit(Edit::SetFindingLocation {
            id: f.id.clone(),
            location: Some(FindingLocation {
                lat: c.lat,
                lon: c.lon,
                precision_m,
            }),
        }));
    }
}

/// Keys while the session is open (not while typing).
pub fn keys(ui: &Ui, mut state: CandidateCtx<'_>) {
    if state.candidate_session.is_none() || ui.ctx().egui_wants_keyboard_input() {
        return;
    }
    use egui::Key;
    let pressed = |k: Key| ui.input(|i| i.key_pressed(k));
    if pressed(Key::N) || pressed(Key::ArrowRight) {
        state.step_candidate(true);
    } else if pressed(Key::P) || pressed(Key::ArrowLeft) {
        state.step_candidate(false);
    } else if pressed(Key::C) {
        state.set_candidate_status(CandidateStatus::Confirmed);
    } else if pressed(Key::L) {
        state.set_candidate_status(CandidateStatus::Likely);
    } else if pressed(Key::O) {
        state.set_candidate_status(CandidateStatus::Possible);
    } else if pressed(Key::U) {
        state.set_candidate_status(CandidateStatus::Unchecked);
    } else if pressed(Key::R) {
        state.set_candidate_status(CandidateStatus::RuledOut);
    }
}

/// The candidates of the session's (or the selected) finding on the map: numbered
/// circles in their status colour, the current one ringed.
pub fn draw_on_map(
    ui: &Ui,
    finding: Option<&Finding>,
    current: Option<usize>,
    extent: &MapViewExtent,
) -> usize {
    let Some(f) = finding else {
        return 0;
    };
    let painter = ui.painter().with_clip_rect(extent.rect);
    for (i, c) in f.candidates.iter().enumerate() {
        let p = extent.to_screen(c.lat, c.lon);
        let colour = status_colour(c.status);
        if let Some(outline) = &c.outline {
            let points: Vec<Pos2> = outline
                .iter()
                .map(|q| extent.to_screen(q[1], q[0]))
                .collect();
            painter.add(egui::Shape::closed_line(points, Stroke::new(1.5, colour)));
        }
        if current == Some(i) {
            painter.circle_stroke(p, 13.0, Stroke::new(2.5, super::theme::HALO));
        }
        painter.circle(p, 9.0, colour, Stroke::new(1.0, super::theme::OUTLINE));
        painter.text(
            p,
            Align2::CENTER_CENTER,
            (i + 1).to_string(),
            FontId::proportional(11.0),
            super::theme::OUTLINE,
        );
    }
    f.candidates.len()
}

/// The finding's evidence image, fitted into its half.
pub fn evidence_ui(ui: &mut Ui, image: Option<&super::georef::GeorefImage>) {
    let rect = ui.available_rect_before_wrap();
    ui.allocate_rect(rect, Sense::hover());
    let painter = ui.painter().with_clip_rect(rect);
    painter.rect_filled(rect, 0.0, super::theme::GEOREF_BACKGROUND);
    let Some(image) = image else {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            "no image in this finding",
            FontId::proportional(14.0),
            super::theme::MUTED,
        );
        return;
    };
    let size = image.texture.size_vec2();
    let scale = (rect.width() / size.x).min(rect.height() / size.y);
    let shown = Rect::from_center_size(rect.center(), size * scale);
    painter.image(
        image.texture.id(),
        shown,
        Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
        super::theme::UNTINTED,
    );
}

/// The evidence the session's finding shows first (its first image panel).
pub fn session_evidence(case: Option<&Case>, session: Option<&CandidateSession>) -> Option<String> {
    let f = session_finding(case, session)?;
    let case = case?;
    f.evidence_ids()
        .into_iter()
        .find(|id| case.find_evidence(id).is_ok_and(|r| r.kind().is_still()))
        .map(str::to_owned)
}

/// The inspector while stepping: the list, the current candidate, status buttons with
/// the reason, promotion and the fly-to zoom.
pub fn inspector_ui(ui: &mut Ui, mut state: CandidateCtx<'_>) {
    let (Some(f), Some(s)) = (
        state.candidate_finding().cloned(),
        state.candidate_session.as_deref().cloned(),
    ) else {
        return;
    };
    ui.heading("Candidate sites");
    ui.label(format!("{} · {}", f.title, f.id));
    ui.label(
        egui::RichText::new(
            "N / P: next / previous · C confirm · L likely · O possible · U unchecked · R rule out",
        )
        .small(),
    );
    ui.horizontal(|ui| {
        if ui.button("◀ Previous").clicked() {
            state.step_candidate(false);
        }
        if ui.button("Next ▶").clicked() {
            state.step_candidate(true);
        }
        let mut zoom = s.zoom;
        if ui
            .add(egui::Slider::new(&mut zoom, 10.0..=19.0).text("fly-to zoom"))
            .changed()
            && let Some(session) = state.candidate_session.as_deref_mut()
        {
            session.zoom = zoom;
        }
    });
    ui.separator();
    if let Some(c) = f.candidates.get(s.current) {
        current_ui(ui, &mut state, c, s.current, &s);
    }
    ui.separator();
    egui::Grid::new("candidate-list")
        .striped(true)
        .show(ui, |ui| {
            for (i, c) in f.candidates.iter().enumerate() {
                let label = ui.selectable_label(i == s.current, format!("{}", i + 1));
                if label.clicked() {
                    state.fly_to_candidate(i);
                }
                ui.label(egui::RichText::new(c.status.as_str()).color(status_colour(c.status)));
                ui.label(&c.label).on_hover_text(&c.reason);
                ui.end_row();
            }
        });
    ui.separator();
    ui.horizontal(|ui| {
        super::undo_buttons::undo_redo_buttons(ui, state.commands);
        if ui.button("Done").clicked() {
            state.commands.push(Command::Beside(BesideCommand::Close));
        }
    });
}

fn current_ui(
    ui: &mut Ui,
    state: &mut CandidateCtx<'_>,
    c: &Candidate,
    index: usize,
    s: &CandidateSession,
) {
    ui.label(egui::RichText::new(format!("{} · {}", index + 1, c.label)).strong());
    ui.label(format!(
        "{:.6}, {:.6} · {}",
        c.lat,
        c.lon,
        c.status.as_str()
    ));
    if let Some(q) = &c.origin.query {
        ui.add(egui::Label::new(egui::RichText::new(format!("from: {q}")).small()).wrap());
    }
    if let Some(osm) = c.origin.osm {
        ui.label(
            egui::RichText::new(format!(
                "{:?} {} · {}",
                osm.osm_type,
                osm.osm_id,
                crate::osm::ATTRIBUTION
            ))
            .small(),
        );
    }
    if !c.reason.is_empty() {
        ui.add(egui::Label::new(format!("reason: {}", c.reason)).wrap());
    }
    let mut reason = s.reason.clone();
    let edit = ui.add(
        egui::TextEdit::singleline(&mut reason)
            .hint_text("reason (needed to rule out)")
            .desired_width(f32::INFINITY),
    );
    if edit.changed()
        && let Some(session) = state.candidate_session.as_deref_mut()
    {
        session.reason = reason;
    }
    ui.horizontal_wrapped(|ui| {
        for status in CandidateStatus::ALL {
            let text = egui::RichText::new(status.as_str()).color(status_colour(status));
            if ui.selectable_label(c.status == status, text).clicked() {
                state.set_candidate_status(status);
            }
        }
    });
    if ui.button("Use as the finding's location").clicked() {
        state.promote_candidate();
    }
}

/// The evidence beside the map while stepping.
pub fn view_ui<S>(
    ui: &mut Ui,
    state: &mut S,
    image: Option<&super::georef::GeorefImage>,
    map: impl FnOnce(&mut Ui, &mut S),
) {
    let full = ui.available_rect_before_wrap();
    let split = full.left() + full.width() * 0.4;
    let left = Rect::from_min_max(full.min, Pos2::new(split - 2.0, full.bottom()));
    let right = Rect::from_min_max(Pos2::new(split + 2.0, full.top()), full.max);
    ui.scope_builder(egui::UiBuilder::new().max_rect(left), |ui| {
        evidence_ui(ui, image)
    });
    ui.scope_builder(egui::UiBuilder::new().max_rect(right), |ui| {
        // The map half is all of this child: the wheel zoom asks whether the pointer is
        // inside it.
        ui.expand_to_include_rect(right);
        map(ui, state);
    });
    ui.advance_cursor_after_rect(full);
}
