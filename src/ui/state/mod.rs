//! What the app knows between frames, and the commands panels send. Panels read
//! `&AppState` and push [`Command`]s; [`AppState::apply_commands`] runs them at the end
//! of the frame, and every change to the case goes through [`Edit`].

use crate::case::{Case, Edit, Finding, FindingLocation, ImportOptions, ImportOutcome};
use crate::spatial::LatLon;

mod beside_commands;
mod board_commands;
mod case_commands;
mod map_commands;
mod review_commands;

use super::basemap::SourceChoice;
pub use super::command::{
    BesideCommand, BoardCommand, CaseCommand, Command, Exposure, GeorefExport, ImportCommand,
    MapCommand, MapViewExtent, Selection, ShellCommand, SnapshotStep, Status, Tool, Workspace,
};

use super::beside::BesideMap;
use super::board::BoardState;

/// How close "go to" zooms: a few kilometres across, enough to see the place.
const GO_TO_ZOOM: f64 = 12.0;

pub struct AppState {
    pub(super) case: Option<Case>,
    pub(super) commands: Vec<Command>,
    /// What is selected, which workspace is shown, the status line.
    pub(super) shell: Shell,
    pub(super) prefs: super::prefs::Preferences,
    /// The map, its tools and overlays' state.
    pub(super) map: super::map_state::MapState,
    /// The basemap in use, online consent and the network ledger.
    pub(super) basemap: super::basemap::state::BasemapState,
    /// Files and collections to import, and their progress.
    pub(super) imports: super::imports::Imports,
    /// The case panel's list orders and filters.
    pub(super) lists: super::case_lists::CaseLists,
    pub(super) board: BoardState,
    /// The view beside the map, when one is open: the georeference view or the
    /// candidate session (one at a time).
    pub(super) beside: Option<BesideMap>,
    /// The OpenStreetMap query builder (its extract, index and results).
    pub(super) osm_search: super::osm_search::OsmSearch,
    /// The windows over the workspace: stamp, posts, figure export.
    pub(super) dialogs: Dialogs,
}

/// What the whole app shows: the selection, the workspace, the status line.
#[derive(Default)]
pub struct Shell {
    pub selection: Option<Selection>,
    pub workspace: Workspace,
    pub status: Option<Status>,
    /// Second-analyst review: this analyst's key, what awaits them, a blind review
    /// (what the app may show depends on it).
    pub review: super::review::ReviewState,
}

/// The windows over the workspace.
#[derive(Default)]
pub struct Dialogs {
    /// The *Stamp case* dialog, while open.
    pub stamp: Option<super::stamp_dialog::StampDialog>,
    /// The posts window (open or not, its search).
    pub posts: super::posts::PostsWindow,
    /// The "Export figure" window, when open.
    pub figure: Option<super::board::FigureDialog>,
}

/// The finding `selection` names in `case`, if it names one (for callers that lend
/// other parts of the state at the same time).
pub fn selected_finding<'a>(
    case: Option<&'a Case>,
    selection: Option<&Selection>,
) -> Option<&'a Finding> {
    match (selection, case) {
        (Some(Selection::Finding(id)), Some(case)) => case.finding(id).ok(),
        _ => None,
    }
}

pub use super::prefs::Prefs;

/// What tests and the app shell read of the state; the parts' own fields are theirs.
/// Changes go through [`AppState::push`] (a command, as a UI element would send it) or,
/// for a part's own settings, its `*_mut` accessor.
impl AppState {
    pub fn case(&self) -> Option<&Case> {
        self.case.as_ref()
    }

    pub fn shell(&self) -> &Shell {
        &self.shell
    }

    pub fn shell_mut(&mut self) -> &mut Shell {
        &mut self.shell
    }

    pub fn prefs(&self) -> &super::prefs::Preferences {
        &self.prefs
    }

    pub fn prefs_mut(&mut self) -> &mut super::prefs::Preferences {
        &mut self.prefs
    }

    pub fn map(&self) -> &super::map_state::MapState {
        &self.map
    }

    pub fn map_mut(&mut self) -> &mut super::map_state::MapState {
        &mut self.map
    }

    pub fn basemap(&self) -> &super::basemap::state::BasemapState {
        &self.basemap
    }

    pub fn basemap_mut(&mut self) -> &mut super::basemap::state::BasemapState {
        &mut self.basemap
    }

    pub fn imports(&self) -> &super::imports::Imports {
        &self.imports
    }

    pub fn board(&self) -> &BoardState {
        &self.board
    }

    pub fn board_mut(&mut self) -> &mut BoardState {
        &mut self.board
    }

    pub fn georef(&self) -> Option<&super::georef::session::GeorefSession> {
        self.beside.as_ref().and_then(BesideMap::georef)
    }

    pub fn candidate_session(&self) -> Option<&super::candidates::CandidateSession> {
        self.beside.as_ref().and_then(BesideMap::candidates)
    }

    pub fn candidate_session_mut(&mut self) -> Option<&mut super::candidates::CandidateSession> {
        self.beside.as_mut().and_then(BesideMap::candidates_mut)
    }

    pub fn osm_search(&self) -> &super::osm_search::OsmSearch {
        &self.osm_search
    }

    pub fn osm_search_mut(&mut self) -> &mut super::osm_search::OsmSearch {
        &mut self.osm_search
    }

    pub fn dialogs(&self) -> &Dialogs {
        &self.dialogs
    }

    pub fn dialogs_mut(&mut self) -> &mut Dialogs {
        &mut self.dialogs
    }

    /// Queues a command for the end of the frame, as a UI element would.
    pub fn push(&mut self, command: Command) {
        self.commands.push(command);
    }
}

impl AppState {
    pub fn new(case: Option<Case>) -> AppState {
        let mut state = AppState {
            case: None,
            commands: Vec::new(),
            shell: Shell::default(),
            prefs: Default::default(),
            map: Default::default(),
            basemap: Default::default(),
            imports: Default::default(),
            lists: Default::default(),
            board: BoardState::default(),
            beside: None,
            osm_search: Default::default(),
            dialogs: Dialogs::default(),
        };
        if let Some(case) = case {
            state.set_case(case);
        }
        state
    }

    pub fn saved_prefs(&self) -> Prefs {
        Prefs {
            reduce_exposure: self.prefs.exposure.reduce,
            basemap: self.basemap.choice.clone(),
            online_consent: self.basemap.online_consent,
            show_ledger: self.basemap.show_ledger,
            fov_deg: self.prefs.fov_deg,
            default_precision_m: self.prefs.default_precision_m,
        }
    }

    /// Restores preferences; the basemap is asked for like any other change, so a
    /// missing file or an online source shows the same errors and checks.
    pub fn apply_prefs(&mut self, prefs: Prefs) {
        self.prefs.exposure.reduce = prefs.reduce_exposure;
        self.basemap.online_consent = prefs.online_consent;
        self.basemap.show_ledger = prefs.show_ledger;
        self.prefs.fov_deg = prefs.fov_deg.clamp(1.0, 360.0);
        self.prefs.default_precision_m = prefs.default_precision_m.max(0.0);
        if prefs.basemap != SourceChoice::BlueMarble {
            self.basemap.requested = Some(prefs.basemap);
        }
    }

    /// The basemap change to make now, if any. An online source needs the analyst's
    /// agreement first: it is parked for the dialog instead.
    pub fn take_basemap_request(&mut self) -> Option<SourceChoice> {
        let choice = self.basemap.requested.take()?;
        if choice.is_online() && !self.basemap.online_consent {
            self.basemap.consent_request = Some(choice);
            return None;
        }
        Some(choice)
    }

    /// The analyst's answer in the online-source dialog.
    pub fn answer_consent(&mut self, enable: bool) {
        let Some(choice) = self.basemap.consent_request.take() else {
            return;
        };
        if enable {
            self.basemap.online_consent = true;
            self.basemap.requested = Some(choice);
        } else {
            self.shell.status = Some(Status::Info("stayed offline".into()));
        }
    }

    fn set_case(&mut self, case: Case) {
        if let Some(reason) = case.read_only_reason() {
            self.shell.status = Some(Status::Info(format!("read-only: {reason}")));
        }
        // Start where the work is: the next frame frames every located item, or the
        // world when nothing is located.
        self.map.camera.request = Some(super::map_camera::FrameRequest::OpenCase);
        self.map.camera.flight = None;
        self.shell.selection = None;
        self.board = BoardState::default();
        self.shell.workspace = Workspace::Map;
        self.shell.review.blind = None;
        self.shell.review.forget_analyst();
        let (drafts, errors) = crate::board::recovery::pending_drafts(&case);
        self.board.recovery = drafts;
        if let Some(e) = errors.into_iter().next() {
            self.shell.status = Some(Status::Error(e));
        }
        self.case = Some(case);
    }

    /// The field of view to draw for an evidence item: a value being dragged, else the
    /// item's own, else the default.
    pub fn fov_for(&self, e: &crate::case::EvidenceRecord) -> f64 {
        match &self.map.live_edit {
            Some((key, v)) if key.strip_prefix("fov:") == Some(e.sha256.as_str()) => *v,
            _ => e.fov_deg.unwrap_or(self.prefs.fov_deg),
        }
    }

    /// A finding's location as drawn: where it is being dragged to, else its own.
    pub fn shown_location(&self, f: &Finding) -> Option<FindingLocation> {
        let mut location = f.location?;
        match (&self.map.dragging, &self.map.live_edit) {
            (Some((id, p)), _) if *id == f.id => {
                location.lat = p.lat;
                location.lon = p.lon;
            }
            (_, Some((key, v))) if key.strip_prefix("precision:") == Some(f.id.as_str()) => {
                location.precision_m = *v;
            }
            _ => {}
        }
        Some(location)
    }

    /// Where the sun is shown: the selected finding's location or camera's GPS, else the
    /// map centre; with a few words saying which.
    pub fn sun_point(&self) -> Option<(LatLon, String)> {
        let case = self.case.as_ref();
        match &self.shell.selection {
            Some(Selection::Finding(id)) if self.shell.review.hides(id) => {
                let p = self.shell.review.blind.as_ref().and_then(|b| b.point);
                p.or_else(|| self.map_center())
                    .map(|p| (p, "your blind location or the map centre".to_owned()))
            }
            Some(Selection::Finding(id)) => {
                let f = case?.finding(id).ok()?;
                let l = self.shown_location(f)?;
                Some((
                    LatLon {
                        lat: l.lat,
                        lon: l.lon,
                    },
                    f.title.clone(),
                ))
            }
            Some(Selection::Evidence(id)) => {
                let e = case?.find_evidence(id).ok()?;
                Some((
                    LatLon {
                        lat: e.exif.lat?,
                        lon: e.exif.lon?,
                    },
                    e.original_name.clone(),
                ))
            }
            None => self.map_center().map(|c| (c, "the map centre".to_owned())),
        }
    }

    pub fn selected_finding(&self) -> Option<&Finding> {
        selected_finding(self.case.as_ref(), self.shell.selection.as_ref())
    }

    /// Parses the go-to box and centres the map there.
    pub fn go_to(&mut self) {
        match crate::spatial::parse_coordinate(&self.map.goto_text) {
            Ok(p) => {
                self.map.goto_error = None;
                self.commands.push(Command::Board(BoardCommand::Commit));
                self.commands
                    .push(Command::Shell(ShellCommand::SetWorkspace(Workspace::Map)));
                self.commands
                    .push(Command::Map(MapCommand::CenterOn(p, Some(GO_TO_ZOOM))));
            }
            Err(e) => self.map.goto_error = Some(e.reason),
        }
    }

    /// The map centre (where the map is looking).
    pub fn map_center(&self) -> Option<LatLon> {
        self.map.memory.detached().map(|p| LatLon {
            lat: p.y(),
            lon: p.x(),
        })
    }

    /// What the georeference view's panels see of the app.
    pub fn georef_ctx(&mut self) -> super::georef::GeorefCtx<'_> {
        super::georef::GeorefCtx {
            case: self.case.as_ref(),
            georef: self.beside.as_mut().and_then(BesideMap::georef_mut),
            map_view: self.map.view,
            commands: &mut self.commands,
        }
    }

    /// What the georeference overlay on the map reads.
    pub fn overlay_source(&self) -> super::georef::overlay::OverlaySource<'_> {
        super::georef::overlay::OverlaySource {
            case: self.case.as_ref(),
            georef: self.georef(),
            selected: self
                .selected_finding()
                .filter(|f| !self.shell.review.hides(&f.id)),
        }
    }

    /// The georeference being edited, if the view is open.
    pub fn georef_record(&self) -> Option<&crate::case::georeference::Georeference> {
        super::georef::record_of(self.case.as_ref(), self.georef())
    }

    /// What the board's panels see of the app.
    pub fn board_ctx(&mut self) -> super::board::BoardCtx<'_> {
        let map_centre = self.map.center().or_else(|| {
            self.map.view.as_ref().map(|v| LatLon {
                lat: (v.south + v.north) / 2.0,
                lon: (v.west + v.east) / 2.0,
            })
        });
        super::board::BoardCtx {
            case: self.case.as_ref(),
            board: &mut self.board,
            exposure: &mut self.prefs.exposure,
            figure_dialog: &mut self.dialogs.figure,
            sun: &mut self.map.sun,
            commands: &mut self.commands,
            map_centre,
        }
    }

    /// What the candidate session's panels see of the app.
    pub fn candidate_ctx(&mut self) -> super::candidates::CandidateCtx<'_> {
        super::candidates::CandidateCtx {
            case: self.case.as_ref(),
            candidate_session: self.beside.as_mut().and_then(BesideMap::candidates_mut),
            map: &mut self.map.memory,
            default_precision_m: self.prefs.default_precision_m,
            commands: &mut self.commands,
        }
    }

    /// A click on the map at `p`, interpreted by the current tool.
    pub fn map_clicked(&mut self, p: LatLon) {
        if self.georef().is_some()
            && super::georef::map_clicked(&mut self.georef_ctx(), p.lat, p.lon)
        {
            return;
        }
        if self.osm_search.map_clicked(p.lat, p.lon) || self.blind_clicked(p) {
            return;
        }
        if self.map.terrain.picking_viewshed {
            self.map.terrain.picking_viewshed = false;
            self.map.terrain.viewshed_at = Some(p);
            return;
        }
        match self.map.tool {
            Tool::Pan => {}
            Tool::Measure => self.map.measure.push(p),
            Tool::PlaceFinding => match self.selected_finding() {
                Some(f) => {
                    let id = f.id.clone();
                    self.place_finding(id, p);
                }
                None => {
                    self.shell.status = Some(Status::Error(
                        "select a finding first: the click sets its candidate location".into(),
                    ))
                }
            },
        }
    }

    /// Moves finding `id` to `p` (one edit), keeping its precision radius, or giving it
    /// the default one if it had no location. Used by clicking and by dragging.
    pub fn place_finding(&mut self, id: String, p: LatLon) {
        let precision_m = self
            .case
            .as_ref()
            .and_then(|c| c.finding(&id).ok()?.location)
            .map_or(self.prefs.default_precision_m, |l| l.precision_m);
        self.commands.push(Command::Edit(Edit::SetFindingLocation {
            id,
            location: Some(FindingLocation {
                lat: p.lat,
                lon: p.lon,
                precision_m,
            }),
        }));
    }

    /// Applies and saves one edit. An edit of a finding made outside the board (moved on
    /// the map, a new precision or confidence in the inspector, a restored draft) joins
    /// the finding's undo history, so the board's undo never silently reverts it.
    pub(crate) fn apply_recorded(&mut self, edit: Edit) -> Result<(), String> {
        let case = self.case.as_mut().ok_or("no case is open")?;
        let touched = match &edit {
            Edit::SetFindingLocation { id, .. } | Edit::SetSkylineFit { id, .. } => {
                Some(id.clone())
            }
            Edit::PutFinding(f) => Some(f.id.clone()),
            Edit::AddMapSnapshot(s) => Some(s.finding.clone()),
            _ => None,
        };
        let before = touched
            .as_ref()
            .and_then(|id| case.finding(id).ok().cloned());
        case.apply(edit).map_err(|e| e.to_string())?;
        case.save().map_err(|e| e.to_string())?;
        if let (Some(id), Some(before)) = (touched, before)
            && let Ok(after) = case.finding(&id)
        {
            let after = after.clone();
            self.board.record_step(&id, before, after);
        }
        Ok(())
    }

    /// Runs this frame's commands in order. Every case change is saved at once: a
    /// crash loses nothing. `now` is egui's time (seconds), for the autosave throttle.
    pub fn apply_commands(&mut self, now: f64) {
        for command in std::mem::take(&mut self.commands) {
            if let Err(message) = self.apply(command) {
                self.shell.status = Some(Status::Error(message));
            }
        }
        self.sync_board();
        if let Err(message) = self.autosave_board(now) {
            self.shell.status = Some(Status::Error(message));
        }
    }

    /// One arm per owner: each owner's commands are applied by its handler
    /// (`case_commands`, `map_commands`, `board_commands`, `beside_commands`,
    /// `review_commands`).
    fn apply(&mut self, command: Command) -> Result<(), String> {
        match command {
            Command::Edit(edit) => self.apply_recorded(edit),
            Command::Select(selection) => {
                self.map.camera.request = Some(super::map_camera::FrameRequest::Selection);
                self.shell.selection = Some(selection);
                Ok(())
            }
            Command::Case(command) => self.apply_case(command),
            Command::Import(command) => self.apply_import(command),
            Command::Map(command) => {
                self.apply_map(command);
                Ok(())
            }
            Command::Board(command) => self.apply_board(command),
            Command::Beside(command) => self.apply_beside(command),
            Command::Shell(command) => {
                self.apply_shell(command);
                Ok(())
            }
            Command::Stamp(command) => self.apply_stamp(command),
            Command::Review(command) => self.apply_review(command),
        }
    }

    fn apply_shell(&mut self, command: ShellCommand) {
        match command {
            ShellCommand::SetWorkspace(w) => self.shell.workspace = w,
            ShellCommand::Report(message) => self.shell.status = Some(Status::Error(message)),
            ShellCommand::Notify(status) => self.shell.status = Some(status),
        }
    }

    /// Shows `status` now, as [`ShellCommand::Notify`] does: for the app shell's own
    /// work between the panels (jobs drained, a basemap opened); parts push the command.
    pub(super) fn notify(&mut self, status: Status) {
        self.apply_shell(ShellCommand::Notify(status));
    }

    /// Refuses to show finding `id` while its answer is hidden for a blind review.
    fn refuse_hidden(&self, id: &str) -> Result<(), String> {
        if self.shell.review.hides(id) {
            return Err(format!(
                "{id}: its answer is hidden for your review; review it blind or show the answer first"
            ));
        }
        Ok(())
    }

    /// Stores one inspected file in the case (called as background results arrive).
    pub fn finish_import(&mut self, result: Result<crate::evidence::Inspection, String>) {
        let outcome = match (result, self.case.as_mut()) {
            (Err(e), _) => Err(e),
            (Ok(_), None) => Err("the case was closed during the import".into()),
            (Ok(inspection), Some(case)) => {
                let name = inspection.original_name.clone();
                match case.add_inspected(inspection, &ImportOptions::default()) {
                    Ok(ImportOutcome::Added(r)) => {
                        Ok(format!("imported {name} ({})", r.short_id()))
                    }
                    Ok(ImportOutcome::Duplicate(r)) => {
                        Ok(format!("{name} is already in the case as {}", r.short_id()))
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
        };
        self.shell.status = Some(match outcome {
            Ok(message) => Status::Info(message),
            Err(message) => Status::Error(message),
        });
    }
}
