//! Everything the board remembers between frames ([`BoardState`]).

use std::collections::HashMap;

use crate::board::History;
use crate::board::ViewTransform;
use crate::board::recovery::Draft;
use crate::case::Finding;
use crate::case::comparison::{Category, PanelView};

use super::find::FindState;
use super::match_state::{MatchChoice, MatchJob, Proposals};
use super::tools::{BoardTool, Gesture, Layout, Loupe, RedactSettings};

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
    pub match_choice: MatchChoice,
    pub match_job: Option<MatchJob>,
    pub proposals: Option<Proposals>,
    /// Find in case: the index job, the search and its results.
    pub find: FindState,
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
    pub skyline: super::skyline::SkylineState,
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
        let find = FindState {
            index_job: self.find.index_job.take(),
            index_note: self.find.index_note.take(),
            loaded: self.find.loaded.take(),
            evidence_changed: self.find.evidence_changed,
            ..FindState::default()
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
