//! How things are drawn on the map: the one convention for overlays.
//!
//! Every overlay is drawn inside walkers' map, as a walkers [`walkers::Plugin`] or a
//! [`walkers::Layer`], with the map's own projection: walkers' `Projector` of that frame,
//! or [`MapViewExtent`] (built from that projector, same `MercatorProjection`, same
//! centre and zoom) for the parts that keep their drawing in their own module. No file
//! in `ui/` writes a Web Mercator formula of its own (`tests/fitness` fails on one).
//!
//! The overlays, bottom first:
//! - imagery layers and terrain (hillshade, viewshed): walkers `Layer`s
//!   (`imagery_layers`, `terrain`);
//! - dated imagery compared by swipe or blink: `date_compare::ComparePlugin`;
//! - the vector basemap's names: `basemap::vector_labels::LabelsPlugin`;
//! - the case overlay (`map_view`'s plugin): Natural Earth borders, country names and
//!   capitals, evidence cameras' view wedges, finding and camera markers with their
//!   labels (`map_marks`), chronolocation loci, the sun's locus and direction
//!   (`map_sun`), the measurement and the blind-review location;
//! - then, drawn by the same plugin with this frame's [`MapViewExtent`] ([`draw_parts`]):
//!   the georeferenced image and estimated camera (`georef::overlay`), the candidate
//!   sites (`candidates`), the Skyline scan's ranked sites of the board's finding
//!   (`board::skyline`), the query builder's results and drawn search area
//!   (`osm_search`), and the terrain marks (sight line, obstruction, viewshed observer:
//!   `terrain`);
//! - the georeference view's control points, which the analyst drags on the map
//!   (`georef::after_map`), use the same [`MapViewExtent`] right after the map.

use super::command::MapViewExtent;
use super::map_state::OverlaysDrawn;
use super::state::AppState;

/// The parts' overlays over the case's marks, in this frame's projection: the
/// georeference overlay (not while candidates are stepped), the candidates of the
/// finding, the Skyline scan's ranking of the board's finding, the query builder's
/// preview and the terrain marks.
pub(super) fn draw_parts(
    ui: &egui::Ui,
    state: &AppState,
    image: Option<&super::georef::GeorefImage>,
    extent: &MapViewExtent,
) -> OverlaysDrawn {
    let georef_triangles = if state.candidate_session().is_some() {
        0
    } else {
        super::georef::overlay::draw(ui, &state.overlay_source(), extent, image)
    };
    let (finding, current) = match state.candidate_session() {
        Some(s) => (
            super::candidates::session_finding(state.case(), Some(s)),
            Some(s.current),
        ),
        None => (state.selected_finding(), None),
    };
    // A finding under blind review keeps its candidates to itself.
    let finding = finding.filter(|f| !state.shell().review.hides(&f.id));
    let candidates = super::candidates::draw_on_map(ui, finding, current, extent);
    let board = state.board();
    let skyline_sites = board
        .finding
        .as_deref()
        .filter(|id| !state.shell().review.hides(id))
        .map_or_else(Vec::new, |id| {
            super::board::skyline::draw_on_map(ui, &board.skyline, id, extent)
        });
    super::osm_search::draw_preview(ui, state.osm_search(), extent);
    super::terrain::draw_on_map(ui, &state.map().terrain.marks, extent);
    OverlaysDrawn {
        georef_triangles,
        candidates,
        skyline_sites,
    }
}
