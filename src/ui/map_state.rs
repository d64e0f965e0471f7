//! The map's own state between frames: the walkers memory, the tool and what it has
//! gathered (measurement, hover, a marker being dragged, a number being dragged), the
//! go-to box, framing and flights, the snapshot in progress, the sun overlay, and what
//! the map showed last frame. The app lends it to the map view and the panels that
//! drive the map; nothing here touches the case.

use walkers::MapMemory;

use crate::spatial::LatLon;

use super::command::{MapViewExtent, SnapshotStep, Tool};

pub struct MapState {
    pub memory: MapMemory,
    pub tool: Tool,
    pub measure: Vec<LatLon>,
    pub hover: Option<LatLon>,
    pub goto_text: String,
    pub goto_error: Option<String>,
    /// A finding marker being dragged, and where it is now.
    pub dragging: Option<(String, LatLon)>,
    /// Where the selected finding's marker was drawn last frame (drag hit-testing).
    pub selected_marker_screen: Option<egui::Pos2>,
    /// A number being dragged in a panel, keyed by what it edits (see `panels`).
    pub live_edit: Option<(String, f64)>,
    /// Pending framing and the flight in progress.
    pub camera: super::map_camera::Camera,
    /// The map's screen rectangle and geographic view in the last frame.
    pub view: Option<MapViewExtent>,
    /// The map snapshot being taken for the board's finding.
    pub snapshot: SnapshotStep,
    /// The sun and shadow overlay.
    pub sun: super::map_sun::SunView,
    /// Terrain: the hillshade's light, the elevation under the pointer, heights.
    pub terrain: super::map_terrain::TerrainView,
    /// Two dated imagery layers compared (swipe, blink).
    pub compare: super::date_compare::DateCompare,
    /// What the overlays drew last frame.
    drawn: OverlaysDrawn,
}

/// What the overlays drew on the map last frame (the map keeps it to answer
/// [`MapState::overlays_drawn`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OverlaysDrawn {
    /// Triangles of the georeferenced image.
    pub georef_triangles: usize,
    /// Candidate site markers.
    pub candidates: usize,
    /// The Skyline scan's ranked sites, best first.
    pub skyline_sites: Vec<super::board::skyline::SiteMark>,
}

impl Default for MapState {
    fn default() -> MapState {
        MapState {
            memory: MapMemory::default(),
            tool: Tool::Pan,
            measure: Vec::new(),
            hover: None,
            goto_text: String::new(),
            goto_error: None,
            dragging: None,
            selected_marker_screen: None,
            live_edit: None,
            camera: super::map_camera::Camera {
                request: Some(super::map_camera::FrameRequest::OpenCase),
                ..Default::default()
            },
            view: None,
            snapshot: SnapshotStep::Idle,
            sun: Default::default(),
            terrain: Default::default(),
            compare: Default::default(),
            drawn: OverlaysDrawn::default(),
        }
    }
}

impl MapState {
    /// What the overlays drew on the map last frame.
    pub fn overlays_drawn(&self) -> &OverlaysDrawn {
        &self.drawn
    }

    /// Records what the overlays drew this frame.
    pub(crate) fn set_overlays_drawn(&mut self, drawn: OverlaysDrawn) {
        self.drawn = drawn;
    }

    /// The map centre (where the map is looking).
    pub fn center(&self) -> Option<LatLon> {
        self.memory.detached().map(|p| LatLon {
            lat: p.y(),
            lon: p.x(),
        })
    }
}
