//! The comparison board: a finding's panels side by side, annotation tools, linked
//! features, undo/redo and autosave. The board edits a working copy of the finding;
//! every finished gesture becomes one `Edit::PutFinding` (one undo step), saved at once.

mod apply;
mod canvas;
mod conclusion;
pub mod figure_dialog;
pub mod find;
mod find_view;
mod gestures;
pub mod images;
mod inspector;
mod loupe;
pub mod matching;
mod redaction;
pub mod skyline;
mod toolbar;
mod transport;
pub mod video;

use std::collections::HashMap;

use crate::board::geometry::Handle;
use crate::board::recovery::Draft;
use crate::board::{History, ViewTransform};
use crate::case::Finding;
use crate::case::comparison::{Category, PanelView, Shape};

pub use apply::Synced;
pub use figure_dialog::{FigureDialog, figure_dialog_ui};
pub use images::BoardImages;
pub use inspector::board_inspector_ui;

/// One frame of the board workspace: the toolbar (and its shortcuts) over the panels.
pub fn board_ui(ui: &mut egui::Ui, state: &mut BoardCtx<'_>, images: &mut BoardImages) {
    images.begin_frame();
    if state.board.tool() == BoardTool::Skyline {
        skyline::poll(
            ui.ctx(),
            state.case,
            state.board.working.as_ref(),
            state.map_centre,
            &mut state.board.skyline,
            state.status,
        );
    }
    toolbar::toolbar_ui(ui, state);
    toolbar::shortcuts(ui, state);
    if let Some(action) = find_view::results_strip(ui, &state.board.find) {
        state.find_action(ui.ctx(), action);
    }
    canvas::panels_ui(ui, state, images);
}

/// What the board's panels read and change besides the board itself: the case (read
/// only; changes are commands), what the analyst chose to see of graphic content, the
/// figure dialog, the sun panel (a measured shadow is sent there), the status line and
/// the command queue.
pub struct BoardCtx<'a> {
    pub case: Option<&'a crate::case::Case>,
    pub board: &'a mut BoardState,
    pub exposure: &'a mut crate::ui::command::Exposure,
    pub figure_dialog: &'a mut Option<FigureDialog>,
    pub sun: &'a mut crate::ui::map_sun::SunView,
    pub status: &'a mut Option<crate::ui::command::Status>,
    pub commands: &'a mut Vec<crate::ui::command::Command>,
    /// Where the map looks (the Skyline tool's camera when nothing else places it).
    pub map_centre: Option<crate::spatial::LatLon>,
}

/// Find in case (#35): the board's side of [`find`] — the region it searches with, and
/// what the find views ask for.
impl BoardCtx<'_> {
    pub(crate) fn find_query(&self) -> Result<find::QuerySpec, String> {
        find::find_query(
            self.case,
            self.board.working.as_ref(),
            self.board.selected.as_deref(),
            &self.board.video_frames,
        )
    }

    /// Collects the find jobs (once per frame, before the panels draw).
    pub(crate) fn poll_find(&mut self, ctx: &egui::Context) {
        if let Some(status) = self.board.find.poll(ctx, self.case) {
            *self.status = Some(status);
        }
    }

    pub(crate) fn find_action(&mut self, ctx: &egui::Context, action: find_view::FindAction) {
        use find_view::FindAction;
        let result = match (action, self.case) {
            (_, None) => Err("no case is open".to_owned()),
            (FindAction::Find, Some(case)) => self
                .find_query()
                .and_then(|spec| self.board.find.start_find(ctx, case, spec)),
            (FindAction::Refresh, Some(case)) => {
                self.board.find.start_indexing(ctx, case);
                Ok(())
            }
            (FindAction::Open(rank), Some(case)) => self.open_result(ctx, case, rank),
            (FindAction::Close, Some(_)) => {
                self.board.find.results = None;
                self.board.find.textures.clear();
                Ok(())
            }
        };
        if let Err(e) = result {
            *self.status = Some(crate::ui::command::Status::Error(e));
        }
    }

    /// Opens a result beside its query and hands its matching to the proposal view.
    fn open_result(
        &mut self,
        ctx: &egui::Context,
        case: &crate::case::Case,
        rank: usize,
    ) -> Result<(), String> {
        let f = self
            .board
            .working
            .as_mut()
            .ok_or("no finding on the board")?;
        let opened = self.board.find.open_result(ctx, case, f, rank)?;
        if let Some(frame) = opened.frame {
            let b = &mut *self.board;
            b.video_seeks
                .insert(opened.panel.clone(), frame.index as usize);
            b.video_frames.insert(opened.panel.clone(), frame);
        }
        self.commands.push(crate::ui::command::Command::CommitBoard);
        let choice = &mut self.board.match_choice;
        choice.panel_a = Some(opened.panels.0.clone());
        choice.region_a = Some(opened.query_annotation);
        choice.panel_b = Some(opened.panel);
        choice.region_b = None;
        self.board.proposals = None;
        self.board.match_job = Some(matching::MatchJob::new(opened.job, opened.panels));
        Ok(())
    }
}

/// What a press on a panel does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardTool {
    Select,
    Pan,
    Rectangle,
    Ellipse,
    Polygon,
    Point,
    Arrow,
    Freehand,
    Text,
    /// Click an annotation, then its counterpart on another panel.
    Link,
    /// Mark an object's base, top and shadow tip (or, on a map snapshot, an object and
    /// its shadow tip).
    Shadow,
    /// Draw a region hidden in every output (shape and method in [`RedactSettings`]).
    Redact,
    /// A candidate camera's terrain skyline over the frame, traced and fitted
    /// ([`skyline`]); available when the case has elevation.
    Skyline,
}

/// What the Redact tool draws and how the region is hidden.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RedactSettings {
    pub shape: RedactShape,
    pub method: crate::case::comparison::RedactMethod,
    /// Brush width on screen, points (stored in image pixels at the zoom drawn at).
    pub brush_pt: f64,
}

impl Default for RedactSettings {
    fn default() -> RedactSettings {
        RedactSettings {
            shape: RedactShape::Rectangle,
            method: crate::case::comparison::RedactMethod::Pixelate,
            brush_pt: 24.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedactShape {
    Rectangle,
    Ellipse,
    Polygon,
    Brush,
}

impl RedactShape {
    pub const ALL: [RedactShape; 4] = [
        RedactShape::Rectangle,
        RedactShape::Ellipse,
        RedactShape::Polygon,
        RedactShape::Brush,
    ];

    pub fn label(self) -> &'static str {
        match self {
            RedactShape::Rectangle => "rectangle",
            RedactShape::Ellipse => "ellipse",
            RedactShape::Polygon => "polygon",
            RedactShape::Brush => "brush",
        }
    }

    /// The drawing tool whose gesture makes this shape.
    pub fn drawn_with(self) -> BoardTool {
        match self {
            RedactShape::Rectangle => BoardTool::Rectangle,
            RedactShape::Ellipse => BoardTool::Ellipse,
            RedactShape::Polygon => BoardTool::Polygon,
            RedactShape::Brush => BoardTool::Freehand,
        }
    }
}

impl BoardTool {
    pub const ALL: [BoardTool; 13] = [
        BoardTool::Select,
        BoardTool::Pan,
        BoardTool::Rectangle,
        BoardTool::Ellipse,
        BoardTool::Polygon,
        BoardTool::Point,
        BoardTool::Arrow,
        BoardTool::Freehand,
        BoardTool::Text,
        BoardTool::Link,
        BoardTool::Shadow,
        BoardTool::Redact,
        BoardTool::Skyline,
    ];

    pub fn label(self) -> &'static str {
        match self {
            BoardTool::Select => "Select",
            BoardTool::Pan => "Pan",
            BoardTool::Rectangle => "Rectangle",
            BoardTool::Ellipse => "Ellipse",
            BoardTool::Polygon => "Polygon",
            BoardTool::Point => "Point",
            BoardTool::Arrow => "Arrow",
            BoardTool::Freehand => "Freehand",
            BoardTool::Text => "Text",
            BoardTool::Link => "Link",
            BoardTool::Shadow => "Shadow",
            BoardTool::Redact => "Redact",
            BoardTool::Skyline => "Skyline",
        }
    }

    pub fn key(self) -> egui::Key {
        use egui::Key;
        match self {
            BoardTool::Select => Key::V,
            BoardTool::Pan => Key::H,
            BoardTool::Rectangle => Key::R,
            BoardTool::Ellipse => Key::E,
            BoardTool::Polygon => Key::G,
            BoardTool::Point => Key::P,
            BoardTool::Arrow => Key::A,
            BoardTool::Freehand => Key::F,
            BoardTool::Text => Key::T,
            BoardTool::Link => Key::L,
            BoardTool::Shadow => Key::S,
            BoardTool::Redact => Key::X,
            BoardTool::Skyline => Key::K,
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            BoardTool::Select => {
                "Click to select; drag to move; drag a corner to resize; Delete removes"
            }
            BoardTool::Pan => "Drag to pan (middle button or Space+drag pans with any tool)",
            BoardTool::Rectangle | BoardTool::Ellipse | BoardTool::Arrow => "Drag to draw",
            BoardTool::Polygon => "Click the corners; Enter or a double click closes it",
            BoardTool::Point => "Click to mark a point",
            BoardTool::Freehand => "Drag to draw a stroke",
            BoardTool::Text => "Click to place a text callout; type it in the inspector",
            BoardTool::Link => "Click a feature, then the same feature on another panel",
            BoardTool::Shadow => {
                "Click base, top, then shadow tip (map snapshot: object, then tip)"
            }
            BoardTool::Redact => {
                "Draw what to hide in every figure and exported image (the evidence is unchanged)"
            }
            BoardTool::Skyline => {
                "Drag: heading and pitch · wheel: field of view · click: trace the skyline · \
                 arrows: move the camera (settings in the inspector)"
            }
        }
    }

    /// The gesture a press makes with this tool: the Redact tool draws like its shape.
    pub fn drawing(self, redact: &RedactSettings) -> BoardTool {
        if self == BoardTool::Redact {
            redact.shape.drawn_with()
        } else {
            self
        }
    }
}

/// How panels are arranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    SideBySide,
    Stacked,
    Grid,
}

impl Layout {
    pub const ALL: [Layout; 3] = [Layout::SideBySide, Layout::Stacked, Layout::Grid];

    pub fn label(self) -> &'static str {
        match self {
            Layout::SideBySide => "side by side",
            Layout::Stacked => "stacked",
            Layout::Grid => "grid",
        }
    }
}

/// The magnifier: enhancement applies to the loupe's pixels only, never to the evidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loupe {
    pub on: bool,
    pub magnification: f64,
    /// Added to every channel, -100..100.
    pub brightness: f32,
    /// Multiplier around mid-grey, 0.5..3.
    pub contrast: f32,
    /// Unsharp-mask amount, 0..3.
    pub sharpen: f32,
}

impl Default for Loupe {
    fn default() -> Loupe {
        Loupe {
            on: false,
            magnification: 4.0,
            brightness: 0.0,
            contrast: 1.0,
            sharpen: 0.0,
        }
    }
}

/// A press-drag-release in progress.
#[derive(Debug, Clone, PartialEq)]
pub enum Gesture {
    Draw {
        panel: String,
        tool: BoardTool,
        start: [f64; 2],
        points: Vec<[f64; 2]>,
    },
    Move {
        id: String,
        grab: [f64; 2],
        original: Shape,
    },
    Resize {
        id: String,
        handle: Handle,
        original: Shape,
    },
    /// Dragging one mark of a shadow measurement.
    MoveShadowMark {
        id: String,
        mark: usize,
    },
    Pan,
}

/// Everything the board remembers between frames.
#[derive(Default)]
pub struct BoardState {
    /// The finding on the board.
    pub finding: Option<String>,
    /// What the analyst sees and edits; committed at the end of each gesture.
    pub working: Option<Finding>,
    /// The saved finding the working copy started from.
    pub base: Option<Finding>,
    /// Undo history per finding, kept while the case is open: leaving the board or
    /// opening another finding does not forget it. Map-side edits of a finding join it.
    pub histories: HashMap<String, History>,
    pub tool: Option<BoardTool>,
    pub category: Category,
    pub selected: Option<String>,
    /// The first side of a link being made.
    pub link_from: Option<String>,
    pub gesture: Option<Gesture>,
    /// Polygon corners placed so far, on a panel.
    pub polygon: Option<(String, Vec<[f64; 2]>)>,
    /// Live views, per panel id (saved with the finding when content is committed).
    pub views: HashMap<String, PanelView>,
    /// Panel transforms as drawn in the last frame (for link lines and tests).
    pub transforms: HashMap<String, ViewTransform>,
    pub sync_zoom: bool,
    pub hide_link_lines: bool,
    pub layout: Option<Layout>,
    pub loupe: Loupe,
    /// When the working copy was last autosaved (egui's time, seconds), and what was
    /// written.
    pub last_draft: Option<(f64, Finding)>,
    /// Autosaved work found when the case was opened, offered to the analyst.
    pub recovery: Vec<Draft>,
    /// Assisted matching: what to match, the run in progress, and its proposals.
    pub match_choice: matching::MatchChoice,
    pub match_job: Option<matching::MatchJob>,
    pub proposals: Option<matching::Proposals>,
    /// Find in case: the index job, the search and its results.
    pub find: find::FindState,
    /// Text being typed into fields that only commit when valid (keyed by field).
    pub text: HashMap<String, String>,
    /// An annotation colour picker is open; its change commits when it closes.
    pub color_editing: bool,
    /// The frame each video panel shows (panel id → frame), for frame-bound annotations.
    pub video_frames: HashMap<String, crate::case::comparison::FrameRef>,
    /// Frames asked for from outside the panel (the inspector's jump-to), by panel id.
    pub video_seeks: HashMap<String, usize>,
    /// Shadow marks placed so far, on a panel.
    pub shadow_marks: Option<(String, Vec<[f64; 2]>)>,
    pub redact: RedactSettings,
    /// Show redactions applied (as every output will) instead of as hatched outlines.
    pub preview_redactions: bool,
    /// The Skyline tool's camera, trace and work.
    pub skyline: skyline::SkylineState,
}

impl BoardState {
    pub fn tool(&self) -> BoardTool {
        self.tool.unwrap_or(BoardTool::Select)
    }

    pub fn layout(&self) -> Layout {
        self.layout.unwrap_or(Layout::SideBySide)
    }

    /// Starts editing `finding` (the board shows it from now on).
    pub fn open(&mut self, finding: &Finding) {
        let recovery = std::mem::take(&mut self.recovery);
        let histories = std::mem::take(&mut self.histories);
        let loupe = self.loupe;
        let (tool, layout, sync_zoom) = (self.tool, self.layout, self.sync_zoom);
        let (redact, preview_redactions) = (self.redact, self.preview_redactions);
        let skyline = self.skyline.for_new_finding();
        // The index belongs to the case, not the finding: its job and notes stay.
        let find = find::FindState {
            index_job: self.find.index_job.take(),
            index_note: self.find.index_note.take(),
            loaded: self.find.loaded.take(),
            evidence_changed: self.find.evidence_changed,
            ..find::FindState::default()
        };
        *self = BoardState {
            finding: Some(finding.id.clone()),
            working: Some(finding.clone()),
            base: Some(finding.clone()),
            views: finding
                .panels
                .iter()
                .map(|p| (p.id.clone(), p.view))
                .collect(),
            recovery,
            histories,
            loupe,
            tool,
            layout,
            sync_zoom,
            redact,
            preview_redactions,
            skyline,
            find,
            ..BoardState::default()
        };
    }

    /// Records a change of finding `id` in its undo history.
    pub fn record_step(&mut self, id: &str, before: Finding, after: Finding) {
        self.histories
            .entry(id.to_owned())
            .or_default()
            .record(before, after);
    }

    /// The history of the finding on the board.
    pub fn history(&self) -> Option<&History> {
        self.finding.as_ref().and_then(|id| self.histories.get(id))
    }

    /// Whether the working copy holds something not yet committed.
    pub fn has_uncommitted(&self) -> bool {
        self.working != self.base
    }

    /// The working copy with the live panel views written into it.
    pub fn working_with_views(&self) -> Option<Finding> {
        let mut f = self.working.clone()?;
        for p in &mut f.panels {
            if let Some(v) = self.views.get(&p.id) {
                p.view = *v;
            }
            if let Some(frame) = self.video_frames.get(&p.id) {
                p.frame = Some(*frame);
            }
        }
        Some(f)
    }
}
