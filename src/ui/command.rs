//! The UI's vocabulary: what is selected, which tool and workspace, status messages,
//! and the [`Command`]s panels push instead of changing state themselves. Every part of
//! `ui/` may use these; they use nothing of `ui/` but the basemap's `SourceChoice` (so
//! no part imports the app's state to talk to it). The app applies commands once per
//! frame (`state::AppState::apply_commands`).

use std::path::PathBuf;

use walkers::Projection as _;

use crate::case::Edit;
use crate::spatial::LatLon;

/// What the analyst is looking at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Selection {
    Evidence(String),
    Finding(String),
}

/// What a click on the map does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// Pan and select.
    Pan,
    /// Clicking sets the selected finding's candidate location.
    PlaceFinding,
    /// Clicks add points to a measurement.
    Measure,
}

/// What the central area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Workspace {
    #[default]
    Map,
    Board,
}

/// A request from a panel, carried out at the end of the frame. Nested by the part that
/// carries it out, like rerun's `SystemCommand`: the app applies each owner's commands
/// in that owner's handler (`state/*_commands.rs`). Only [`Command::Edit`] and
/// [`Command::Select`] stay at the top: every part sends them and the app itself applies
/// them (an edit joins the finding's undo history; a selection frames the map and is read
/// by every part). `tests/fitness` keeps other flat variants from coming back.
#[derive(Debug, Clone)]
pub enum Command {
    /// A change to the case (the one way the UI changes it).
    Edit(Edit),
    Select(Selection),
    /// The open case: create, open, save, a new finding.
    Case(CaseCommand),
    /// Files, elevation and collections to bring into the case.
    Import(ImportCommand),
    /// The map view: where it looks, its basemap, its tools.
    Map(MapCommand),
    /// The comparison board and what it exports.
    Board(BoardCommand),
    /// The view beside the map: the georeference view or the candidate session.
    Beside(BesideCommand),
    /// The app shell: the workspace shown and the status line.
    Shell(ShellCommand),
    /// The *Stamp case* dialog's changes to the case.
    Stamp(StampCommand),
    /// Review of a finding by the analyst at this computer (`ui::review`).
    Review(ReviewCommand),
}

impl Command {
    /// Asks the app shell to show `status` in the status bar (the one way a part
    /// writes the status line).
    pub fn notify(status: Status) -> Command {
        Command::Shell(ShellCommand::Notify(status))
    }
}

/// What is asked of the open case itself.
#[derive(Debug, Clone)]
pub enum CaseCommand {
    /// Creates a case in an empty (or new) folder and opens it.
    New(PathBuf),
    Open(PathBuf),
    /// Every edit is already on disk; this confirms it (and retries a failed save).
    Save,
    /// A new geolocation finding at the map centre, selected, with the place tool on.
    NewFinding,
}

/// What the imports (`ui::imports`, the terrain's elevation list) are asked to take in.
#[derive(Debug, Clone)]
pub enum ImportCommand {
    /// Evidence files to inspect and add in the background.
    Files(Vec<PathBuf>),
    /// Checks elevation files (one surface with those listed), hashes them and adds
    /// them to the case.
    Elevation(Vec<PathBuf>),
    /// Imports a collection (a Telegram or archive export) in the background.
    Collection(PathBuf),
    /// Stops the collection import between two files.
    CancelCollection,
}

/// What the map view is asked to do.
#[derive(Debug, Clone)]
pub enum MapCommand {
    /// Centre the map; with a zoom, zoom in at least that far.
    CenterOn(LatLon, Option<f64>),
    /// Changes the basemap (an online source asks for the analyst's agreement first).
    SetBasemap(crate::ui::basemap::SourceChoice),
    SetTool(Tool),
    ClearMeasure,
    /// Flies the map to show this box (a part's places, such as the Skyline scan's
    /// ranked sites).
    FrameExtent(crate::spatial::framing::Extent),
}

/// What the comparison board is asked to do.
#[derive(Debug, Clone)]
pub enum BoardCommand {
    /// Puts a finding on the comparison board.
    Open(String),
    /// Saves the board's working copy as one undo step (nothing if unchanged).
    Commit,
    Undo,
    Redo,
    /// A new comparison finding with these evidence items as panels, opened on the board.
    NewComparison(Vec<String>),
    /// Adds a snapshot of the current map view to the board's finding.
    RequestMapSnapshot,
    /// Takes an autosaved draft of this finding as the finding.
    RestoreDraft(String),
    DiscardDraft(String),
    /// Writes the board's finding as a figure (with its manifest, logged in the case).
    ExportFigure {
        png: Option<PathBuf>,
        svg: Option<PathBuf>,
        options: crate::export::figure::FigureOptions,
    },
    /// Writes what a board panel shows, redacted, as a PNG without metadata.
    ExportPanelImage {
        panel: String,
        path: PathBuf,
    },
    /// Stores a frame decoded from a video as evidence with its provenance.
    AddFrameGrab(Result<Box<(crate::case::OpenVideo, crate::video::DecodedFrame)>, String>),
}

/// What the view beside the map is asked to do.
#[derive(Debug, Clone)]
pub enum BesideCommand {
    /// Opens the candidate sites of a finding beside its evidence.
    StartCandidates(String),
    /// Opens the georeference view on a panel of the board's finding.
    StartGeoref { panel: String },
    /// Writes the open georeference as a GeoTIFF, KML or control-point GeoJSON.
    ExportGeoref { kind: GeorefExport, path: PathBuf },
    /// Closes the view beside the map (the georeference view or the candidate session).
    Close,
}

/// What the app shell is asked to show.
#[derive(Debug, Clone)]
pub enum ShellCommand {
    SetWorkspace(Workspace),
    /// Shows an error from background work in the status bar.
    Report(String),
    /// Shows a message (or an error) in the status bar.
    Notify(Status),
}

/// What the review actions ask: each change to the case is a signed `Edit`.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewCommand {
    /// Moves a finding's review state (ready, approved, disputed with a reason).
    Move {
        finding: String,
        to: crate::case::review::ReviewStatus,
        reason: String,
    },
    /// Signs a finding as its author.
    Sign(String),
    /// Creates this computer's analyst key with this name (never replacing one).
    CreateKey(String),
    /// Hides a finding's answer and lets the analyst place their own location.
    StartBlind(String),
    /// Records the blind location placed, then reveals both.
    SubmitBlind,
    /// Leaves the blind review (nothing recorded unless submitted).
    EndBlind,
    /// The analyst chose to see an awaited finding's answer (logged as opened).
    ShowAnswer(String),
    /// Writes the methods report of a finding (HTML and/or PDF).
    MethodsReport {
        finding: String,
        html: Option<PathBuf>,
        pdf: Option<PathBuf>,
    },
}

/// What the *Stamp case* dialog asks of the case.
#[derive(Debug, Clone)]
pub enum StampCommand {
    /// Write the case manifest (saving the case first) and hand it to the open dialog,
    /// which sends it to these authorities.
    WriteManifest { urls: Vec<String> },
    /// Store the authorities' answers for this manifest in the case and check them.
    Store {
        manifest: String,
        replies: Vec<crate::case::AuthorityReply>,
    },
}

/// A message for the status bar; errors stay until replaced.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Info(String),
    Error(String),
}

/// What *Export* writes from the georeference view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeorefExport {
    GeoTiff,
    Kml,
    ControlPoints,
}

/// Where a map snapshot is: asked for, screenshot requested, or nothing going on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SnapshotStep {
    #[default]
    Idle,
    /// Show the map for a frame, then ask for a screenshot.
    ShowMap,
    /// Screenshot asked for; waiting for the image.
    Waiting,
}

/// What the map showed in the last frame: its screen rectangle (points), bounds and
/// zoom, and where its centre lies in walkers' projection. Overlays drawn after the map
/// place things with it in the map's own projection (walkers' `MercatorProjection`, the
/// arithmetic of walkers' `Projector`), so they sit exactly where the map's plugins draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapViewExtent {
    pub rect: egui::Rect,
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
    pub zoom: f64,
    /// The map centre in walkers' projected pixels at `zoom`.
    pub center: walkers::Pixels,
}

impl MapViewExtent {
    /// The view walkers' projector shows in `rect` this frame.
    pub fn of(projector: &walkers::Projector, rect: egui::Rect) -> MapViewExtent {
        let zoom = projector.zoom();
        let top_left = projector.unproject(rect.left_top().to_vec2());
        let bottom_right = projector.unproject(rect.right_bottom().to_vec2());
        let center = projector.unproject(rect.center().to_vec2());
        MapViewExtent {
            rect,
            west: top_left.x(),
            north: top_left.y(),
            east: bottom_right.x(),
            south: bottom_right.y(),
            zoom,
            center: walkers::MercatorProjection.project(center, zoom),
        }
    }

    /// Where a place is drawn in the map rectangle of that frame.
    pub fn to_screen(&self, lat: f64, lon: f64) -> egui::Pos2 {
        let p = walkers::MercatorProjection.project(walkers::lon_lat(lon, lat), self.zoom);
        self.rect.center()
            + egui::Vec2::new(
                (p.x() - self.center.x()) as f32,
                (p.y() - self.center.y()) as f32,
            )
    }

    /// The place under a screen position.
    pub fn to_geo(&self, p: egui::Pos2) -> (f64, f64) {
        let c = self.rect.center();
        let pixels = walkers::Pixels::new(
            self.center.x() + f64::from(p.x) - f64::from(c.x),
            self.center.y() + f64::from(p.y) - f64::from(c.y),
        );
        let at = walkers::MercatorProjection.unproject(pixels, self.zoom);
        (at.y(), at.x())
    }
}

/// How graphic imagery is shown to the analyst. Viewing only: nothing here touches the
/// evidence, the case or an export.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exposure {
    /// The remembered *Reduce exposure* setting.
    pub reduce: bool,
    /// Items the analyst revealed in this session (never remembered, never on hover).
    pub revealed: std::collections::HashSet<String>,
}

impl Exposure {
    /// A graphic item not yet revealed: shown blurred and grey everywhere.
    pub fn shielded(&self, e: &crate::case::EvidenceRecord) -> bool {
        e.graphic && !self.revealed.contains(&e.sha256)
    }

    /// Thumbnails blur for shielded items, and for all under *Reduce exposure*.
    pub fn blur_thumbnail(&self, e: &crate::case::EvidenceRecord) -> bool {
        self.shielded(e) || (self.reduce && !self.revealed.contains(&e.sha256))
    }

    /// Panels and frames lose their colour under *Reduce exposure*.
    pub fn greyscale(&self) -> bool {
        self.reduce
    }
}

#[cfg(test)]
mod tests {
    use super::MapViewExtent;
    use walkers::{MapMemory, MercatorProjection, Projector, lon_lat};

    /// The extent places things exactly where walkers' projector of that frame does,
    /// and reads places back, at a city zoom and a world zoom.
    #[test]
    fn the_extent_projects_as_the_maps_projector_does() {
        let rect = egui::Rect::from_min_size(egui::pos2(40.0, 30.0), egui::vec2(900.0, 600.0));
        for (zoom, centre) in [(15.5, lon_lat(9.52, 47.14)), (2.0, lon_lat(-20.0, 10.0))] {
            let mut memory = MapMemory::default();
            memory.set_zoom(zoom).unwrap();
            memory.center_at(centre);
            let projector = Projector::new(rect, &MercatorProjection, &memory, centre);
            let extent = MapViewExtent::of(&projector, rect);
            assert!(extent.west < extent.east && extent.south < extent.north);
            for (lat, lon) in [(47.141, 9.519), (47.0, 9.9), (-33.9, 18.4), (60.0, -150.0)] {
                let walkers = projector.project(lon_lat(lon, lat)).to_pos2();
                let ours = extent.to_screen(lat, lon);
                assert!(
                    walkers.distance(ours) < 0.01,
                    "zoom {zoom}, ({lat}, {lon}): walkers {walkers:?}, extent {ours:?}"
                );
            }
            for p in [rect.center(), rect.left_top(), egui::pos2(700.0, 123.0)] {
                let (lat, lon) = extent.to_geo(p);
                let there = projector.unproject(p.to_vec2());
                assert!((lat - there.y()).abs() < 1e-9 && (lon - there.x()).abs() < 1e-9);
                assert!(extent.to_screen(lat, lon).distance(p) < 0.01);
            }
        }
    }
}
