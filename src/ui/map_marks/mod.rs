//! Finding markers and evidence cameras on the map, with their labels: laid out by
//! [`crate::spatial::labels`] (markers at one place form a numbered cluster, labels
//! never overprint, the selected one placed first) and drawn in one mesh. A click on a
//! cluster spreads it into a ring (or, for a big one, zooms in on it); a click on a
//! marker selects it. Map snapshots are screenshots of this drawing, so figures follow
//! the same rule.
//!
//! Fast for 100,000 markers, in three layers each kept while what it depends on holds:
//! the items' Web Mercator positions (per case revision, [`layout::Items`]); their
//! groups at the map's zoom over an area larger than the view (per zoom, selection,
//! hidden findings and open spread, while the map pans inside that area,
//! [`layout::Clustering`]); and the frame's picture (labels placed, markers meshed,
//! [`paint::Picture`]) while the view does not move. A panning frame costs the groups on
//! screen, a repaint of a still map costs drawing only.

mod layout;
mod paint;

use egui::{Pos2, Rect};
use walkers::Projector;

use super::map_world::View;
use super::state::{AppState, Selection};
use crate::case::Case;
use crate::spatial::LatLon;
use crate::spatial::labels::{Bounds, Group};
use layout::{ClusterKey, Clustering, Items, MAX_SPREAD};
use paint::{Picture, pos};

/// How far (points) from a marker's centre a click still hits it.
pub(super) const GRAB_RADIUS: f32 = 12.0;

/// Kept between frames in egui's memory.
#[derive(Clone, Default)]
struct Memory {
    items: Items,
    clustering: Option<Clustering>,
    /// The last frame's view and picture.
    picture: Option<(View, Picture)>,
    /// The cluster spread open: its top marker's selection.
    spread: Option<Selection>,
    /// Label widths by text.
    widths: std::collections::HashMap<String, f32>,
}

/// What the last frame drew: the markers' groups and the labels placed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Drawn {
    /// Each group's screen position and member count.
    pub groups: Vec<(Pos2, usize)>,
    /// Each placed label's text and box.
    pub labels: Vec<(String, Rect)>,
}

fn memory_id() -> egui::Id {
    egui::Id::unique("geoproof.map_marks")
}

/// What the last frame drew (kittests read this).
pub fn last_drawn(ctx: &egui::Context) -> Drawn {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<Memory>(memory_id())
            .picture
            .as_ref()
            .map(|(_, p)| Drawn {
                groups: p.groups.clone(),
                labels: p.labels.clone(),
            })
            .unwrap_or_default()
    })
}

/// What a click on the map did to the markers.
#[derive(Default)]
pub(super) struct MarksOutput {
    /// The marker clicked (selects it).
    pub clicked: Option<Selection>,
    /// A cluster clicked (the click is used up).
    pub cluster_clicked: bool,
    /// A big cluster clicked: zoom in on this place.
    pub zoom_to: Option<LatLon>,
    /// Where the selected finding's marker is drawn.
    pub selected_marker: Option<Pos2>,
}

/// What the clustering depends on this frame: the selected item (where the selected
/// finding is shown: it may be dragged, or its precision edited live), the findings
/// whose answer is hidden from this analyst, the cluster spread open.
fn cluster_key(memory: &Memory, state: &AppState, case: &Case, view: &View) -> ClusterKey {
    let items = &memory.items;
    let selection = state.shell.selection.as_ref();
    let selected = selection.and_then(|s| items.of(s));
    let shown = match selection {
        Some(Selection::Finding(id)) => case
            .finding(id)
            .ok()
            .and_then(|f| state.shown_location(f))
            .map(|l| (l.lat, l.lon, l.precision_m)),
        _ => None,
    };
    // Asked from the few hidden ids, not of each finding.
    let mut hidden: Vec<u32> = (state.review().hidden_ids())
        .filter_map(|id| items.of(&Selection::Finding(id.to_owned())))
        .collect();
    hidden.sort_unstable();
    ClusterKey::new(
        items,
        view,
        hidden,
        (selected, shown),
        memory.spread.clone(),
    )
}

/// A Pan click: selects the nearest marker within reach, spreads (or for a big one,
/// zooms in on) a cluster, and closes an open cluster when it misses.
fn handle_click(
    memory: &mut Memory,
    groups: &[Group],
    projector: &Projector,
    c: Pos2,
    out: &mut MarksOutput,
) {
    let nearest = groups
        .iter()
        .map(|g| (c.distance(pos(g.pos)), g))
        .filter(|(d, _)| *d <= GRAB_RADIUS)
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let Some((_, g)) = nearest else {
        memory.spread = None;
        return;
    };
    let top = memory.items.selection(g.top());
    if !g.is_cluster() {
        out.clicked = Some(top);
        return;
    }
    out.cluster_clicked = true;
    if g.members.len() <= MAX_SPREAD {
        memory.spread = Some(top);
    } else {
        let p = projector.unproject(pos(g.pos).to_vec2());
        out.zoom_to = Some(LatLon {
            lat: p.y(),
            lon: p.x(),
        });
    }
}

/// The evidence cameras' and findings' markers with their labels; clusters and the
/// click on them. `click` is a Pan-tool click on the map. Once the marks and labels are
/// laid out, and before they are drawn, `under` draws what goes under them and keeps
/// clear of their boxes (the basemap's names).
pub(super) fn draw(
    painter: &egui::Painter,
    state: &AppState,
    projector: &Projector,
    click: Option<Pos2>,
    under: impl FnOnce(&[Bounds]),
) -> MarksOutput {
    let mut out = MarksOutput::default();
    let Some(case) = &state.case else {
        under(&[]);
        return out;
    };
    let ctx = painter.ctx().clone();
    let mut memory: Memory = ctx.data_mut(|d| d.remove_temp(memory_id()).unwrap_or_default());
    memory.items.refresh(case);
    let view = View::of(projector);
    let key = cluster_key(&memory, state, case, &view);
    let mut clustering = match memory.clustering.take() {
        Some(c) if c.serves(&key, &view) => c,
        _ => {
            memory.picture = None;
            layout::cluster(&memory.items, &view, key)
        }
    };
    if clustering.spread_gone {
        memory.spread = None;
    }
    let picture = match memory.picture.take() {
        Some((last, picture)) if last.same_as(&view) => picture,
        _ => {
            clustering.place(&view);
            paint::picture(
                painter,
                (&clustering, &memory.items),
                &view,
                &mut memory.widths,
            )
        }
    };
    if let Some(c) = click {
        handle_click(&mut memory, &clustering.groups, projector, c, &mut out);
    }
    under(&picture.taken);
    picture.paint(painter);
    out.selected_marker = picture.selected_marker;
    memory.picture = Some((view, picture));
    memory.clustering = Some(clustering);
    ctx.data_mut(|d| d.insert_temp(memory_id(), memory));
    out
}
