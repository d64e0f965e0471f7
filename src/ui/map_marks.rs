//! Finding markers and evidence cameras on the map, with their labels: laid out by
//! [`crate::spatial::labels`] (markers at one place form a numbered cluster, labels
//! never overprint, the selected one placed first) and drawn in one mesh. A click on a
//! cluster spreads it into a ring (or, for a big one, zooms in on it); a click on a
//! marker selects it. Map snapshots are screenshots of this drawing, so figures follow
//! the same rule.
//!
//! Fast for 100,000 markers: each item's Web Mercator position is computed once per case
//! revision; a frame maps them to the screen with one multiply-add per axis, and only the
//! groups (a few thousand at most on a screen) are drawn and labelled.

use std::collections::HashMap;

use egui::{Align2, FontId, Pos2, Rect, Shape, Stroke, Vec2};
use walkers::{Projector, lon_lat};

use super::state::{AppState, Selection};
use super::theme;
use crate::case::Case;
use crate::spatial::LatLon;
use crate::spatial::labels::{self, Bounds, Group, Params, Px};

/// Markers closer than this (points) on screen form one numbered cluster.
const CLUSTER_PX: f32 = 14.0;
/// Half the side of a marker's box, which labels keep clear of.
const MARKER_HALF: f32 = 7.0;
/// Clusters up to this size spread into a ring when clicked; bigger ones zoom in.
const MAX_SPREAD: usize = 40;
const LABEL_FONT: f32 = 12.0;
/// How far (points) from a marker's centre a click still hits it.
pub(super) const GRAB_RADIUS: f32 = 12.0;

const SELECTED: u8 = u8::MAX;
const FINDING: u8 = 20;
const CAMERA: u8 = 10;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Finding,
    Camera,
}

/// One item that can be on the map, in the map's own projection (walkers' Web Mercator
/// pixels at zoom 0).
#[derive(Clone)]
struct Item {
    kind: Kind,
    /// Index among the case's findings or evidence (in their iteration order).
    index: u32,
    merc: [f64; 2],
    precision_m: f64,
}

/// Kept between frames in egui's memory.
#[derive(Clone, Default)]
struct Memory {
    /// The case (root and revision) the items were computed for.
    key: Option<(std::path::PathBuf, u64)>,
    items: Vec<Item>,
    /// Each item's selection and name, in item order (kept per revision, so a frame
    /// does not walk the case's 100,000 findings).
    names: Names,
    /// Item index by finding id and by evidence id.
    finding_items: HashMap<String, u32>,
    evidence_items: HashMap<String, u32>,
    /// The cluster spread open: its top marker's selection.
    spread: Option<Selection>,
    /// Label widths by text (at [`LABEL_FONT`]).
    widths: HashMap<String, f32>,
    /// What the last frame drew, for tests.
    last: Drawn,
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
    ctx.data(|d| {
        d.get_temp::<Memory>(memory_id())
            .map(|m| m.last)
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

/// A place in the map's own projection: walkers' Web Mercator pixels at zoom 0 (the
/// latitude kept inside the projected square, so a pole stays on the map's edge).
fn world(lat: f64, lon: f64) -> [f64; 2] {
    use walkers::Projection as _;
    let lat = lat.clamp(-85.051_128_78, 85.051_128_78);
    let p = walkers::MercatorProjection.project(lon_lat(lon, lat), 0.0);
    [p.x(), p.y()]
}

fn items_of(case: &Case) -> Vec<Item> {
    let findings = case.findings().enumerate().filter_map(|(i, f)| {
        let l = f.location?;
        Some(Item {
            kind: Kind::Finding,
            index: i as u32,
            merc: world(l.lat, l.lon),
            precision_m: l.precision_m,
        })
    });
    let cameras = case.evidence().enumerate().filter_map(|(i, e)| {
        let (lat, lon) = (e.exif.lat?, e.exif.lon?);
        Some(Item {
            kind: Kind::Camera,
            index: i as u32,
            merc: world(lat, lon),
            precision_m: 0.0,
        })
    });
    findings.chain(cameras).collect()
}

/// Screen position of a Web Mercator point: the projection is affine in these units,
/// fitted on two points near the view so f32 screen numbers stay exact at any zoom.
struct Affine {
    origin: [f64; 2],
    at: [f64; 2],
    scale: [f64; 2],
}

impl Affine {
    fn new(projector: &Projector, rect: Rect) -> Affine {
        let a = rect.center();
        let b = a + Vec2::splat(256.0);
        let pa = projector.unproject(a.to_vec2());
        let pb = projector.unproject(b.to_vec2());
        let ma = world(pa.y(), pa.x());
        let mb = world(pb.y(), pb.x());
        let scale = |i: usize, d: f32| {
            let dm = mb[i] - ma[i];
            if dm.abs() > 0.0 {
                f64::from(d) / dm
            } else {
                0.0
            }
        };
        Affine {
            origin: ma,
            at: [f64::from(a.x), f64::from(a.y)],
            scale: [scale(0, b.x - a.x), scale(1, b.y - a.y)],
        }
    }

    fn apply(&self, m: [f64; 2]) -> Px {
        [
            (self.at[0] + (m[0] - self.origin[0]) * self.scale[0]) as f32,
            (self.at[1] + (m[1] - self.origin[1]) * self.scale[1]) as f32,
        ]
    }
}

fn pos(p: Px) -> Pos2 {
    Pos2::new(p[0], p[1])
}

/// The items' screen positions, precision radii and priorities this frame.
struct Placing {
    points: Vec<Px>,
    precision: Vec<f64>,
    priority: Vec<u8>,
}

/// Refreshes the items when the case changed and places them on screen: the selected
/// finding where it is shown (it may be dragged, or its precision edited live).
fn place_items(memory: &mut Memory, state: &AppState, case: &Case, affine: &Affine) -> Placing {
    let key = (case.root().to_path_buf(), case.revision());
    if memory.key.as_ref() != Some(&key) {
        memory.items = items_of(case);
        let ids = |kind: Kind, id: &dyn Fn(usize) -> String| -> HashMap<String, u32> {
            (memory.items.iter().enumerate())
                .filter(|(_, item)| item.kind == kind)
                .map(|(k, item)| (id(item.index as usize), k as u32))
                .collect()
        };
        let findings: Vec<_> = case.findings().collect();
        let evidence: Vec<_> = case.evidence().collect();
        memory.finding_items = ids(Kind::Finding, &|i| findings[i].id.clone());
        memory.evidence_items = ids(Kind::Camera, &|i| evidence[i].sha256.clone());
        memory.names = Names::of(&memory.items, &findings, &evidence);
        memory.key = Some(key);
    }
    let selected = match &state.shell.selection {
        Some(Selection::Finding(id)) => memory.finding_items.get(id).copied(),
        Some(Selection::Evidence(id)) => memory.evidence_items.get(id).copied(),
        _ => None,
    };
    // Findings whose answer is hidden from this analyst are not drawn (asked from the
    // few hidden ids, not of each finding: a frame must not cost a lookup per item).
    let hidden: std::collections::HashSet<u32> = state
        .review()
        .hidden_ids()
        .filter_map(|id| memory.finding_items.get(id).copied())
        .collect();
    let n = memory.items.len();
    let mut out = Placing {
        points: Vec::with_capacity(n),
        precision: Vec::with_capacity(n),
        priority: Vec::with_capacity(n),
    };
    for (k, item) in memory.items.iter().enumerate() {
        let is_selected = selected == Some(k as u32);
        let (merc, precision_m) = if hidden.contains(&(k as u32)) {
            (None, 0.0)
        } else if is_selected && item.kind == Kind::Finding {
            let f = match &state.shell.selection {
                Some(Selection::Finding(id)) => case.finding(id).ok(),
                _ => None,
            };
            match f.and_then(|f| state.shown_location(f)) {
                Some(l) => (Some(world(l.lat, l.lon)), l.precision_m),
                None => (None, 0.0),
            }
        } else {
            (Some(item.merc), item.precision_m)
        };
        out.points
            .push(merc.map_or([f32::NAN; 2], |m| affine.apply(m)));
        out.precision.push(precision_m);
        out.priority.push(match item.kind {
            _ if is_selected => SELECTED,
            Kind::Finding => FINDING,
            Kind::Camera => CAMERA,
        });
    }
    out
}

/// What each item selects and is called, in item order.
#[derive(Clone, Default)]
struct Names {
    of_item: Vec<(Selection, String)>,
}

impl Names {
    fn of(
        items: &[Item],
        findings: &[&crate::case::Finding],
        evidence: &[&crate::case::EvidenceRecord],
    ) -> Names {
        let of_item = items
            .iter()
            .map(|item| {
                let i = item.index as usize;
                match item.kind {
                    Kind::Finding => (
                        Selection::Finding(findings[i].id.clone()),
                        findings[i].title.clone(),
                    ),
                    Kind::Camera => (
                        Selection::Evidence(evidence[i].sha256.clone()),
                        evidence[i].original_name.clone(),
                    ),
                }
            })
            .collect();
        Names { of_item }
    }

    fn selection(&self, item: u32) -> Selection {
        self.of_item[item as usize].0.clone()
    }

    /// A group's label: its top item's name, and how many more a cluster holds.
    fn label(&self, g: &Group) -> String {
        let name = self.of_item[g.top() as usize].1.as_str();
        if g.is_cluster() {
            format!("{name} +{}", g.members.len() - 1)
        } else {
            name.to_owned()
        }
    }
}

/// Spreads the cluster the analyst opened (if it is still one) into a ring.
fn open_spread(memory: &mut Memory, names: &Names, groups: &mut Vec<Group>, spacing: f32) {
    let open = memory.spread.as_ref().map(|open| {
        groups.iter().position(|g| {
            g.is_cluster() && g.members.len() <= MAX_SPREAD && names.selection(g.top()) == *open
        })
    });
    match open {
        Some(Some(i)) => {
            let ring = labels::spread(&groups[i], spacing);
            groups.splice(i..=i, ring);
        }
        Some(None) => memory.spread = None,
        None => {}
    }
}

/// A Pan click: selects the nearest marker within reach, spreads (or for a big one,
/// zooms in on) a cluster, and closes an open cluster when it misses.
fn handle_click(
    memory: &mut Memory,
    names: &Names,
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
    let top = names.selection(g.top());
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
    (rect, click): (Rect, Option<Pos2>),
    under: impl FnOnce(&[Bounds]),
) -> MarksOutput {
    let mut out = MarksOutput::default();
    let Some(case) = &state.case else {
        under(&[]);
        return out;
    };
    let ctx = painter.ctx().clone();
    let mut memory: Memory = ctx.data_mut(|d| d.remove_temp(memory_id()).unwrap_or_default());
    let affine = Affine::new(projector, rect);
    let placing = place_items(&mut memory, state, case, &affine);
    // Lent out of the memory for this frame (put back below).
    let names = std::mem::take(&mut memory.names);
    let params = Params {
        view: Bounds::new([rect.min.x, rect.min.y], [rect.max.x, rect.max.y]),
        margin: 2.0 * CLUSTER_PX,
        cluster_px: CLUSTER_PX,
        marker_half: MARKER_HALF,
        gap: 3.0,
        spread_spacing: 2.0 * MARKER_HALF + 6.0,
    };
    let mut groups = labels::cluster(&placing.points, &placing.priority, &params);
    open_spread(&mut memory, &names, &mut groups, params.spread_spacing);
    if let Some(c) = click {
        handle_click(&mut memory, &names, &groups, projector, c, &mut out);
    }
    let font = FontId::proportional(LABEL_FONT);
    let row_height = ctx.fonts_mut(|f| f.row_height(&font));
    if memory.widths.len() > 200_000 {
        memory.widths.clear();
    }
    let widths = &mut memory.widths;
    let keep = groups
        .iter()
        .position(|g| placing.priority[g.top() as usize] == SELECTED);
    let placed = labels::place_labels(&groups, &params, keep, |gi| {
        let text = names.label(&groups[gi]);
        let w = match widths.get(&text) {
            Some(w) => *w,
            None => {
                let w = painter
                    .layout_no_wrap(text.clone(), font.clone(), theme::HALO)
                    .size()
                    .x;
                widths.insert(text, w);
                w
            }
        };
        Some([w, row_height])
    });
    under(&taken_boxes(&groups, &placed, &placing.priority));
    draw_precision(
        painter,
        projector,
        &groups,
        &params,
        (&memory.items, &placing.points, &placing.precision),
    );
    out.selected_marker = draw_markers(painter, &groups, &memory.items, &placing.priority);
    let mut drawn_labels = Vec::with_capacity(placed.len());
    for l in &placed {
        let text = names.label(&groups[l.group]);
        let r = Rect::from_min_max(pos(l.bounds.min), pos(l.bounds.max));
        painter.text(
            r.left_center(),
            Align2::LEFT_CENTER,
            &text,
            font.clone(),
            theme::HALO,
        );
        drawn_labels.push((text, r));
    }
    memory.last = Drawn {
        groups: groups
            .iter()
            .map(|g| (pos(g.pos), g.members.len()))
            .collect(),
        labels: drawn_labels,
    };
    memory.names = names;
    ctx.data_mut(|d| d.insert_temp(memory_id(), memory));
    out
}

/// The boxes the marks and their labels take: the marker's (its halo, and the selected
/// finding's larger diamond), and each placed label's.
fn taken_boxes(groups: &[Group], placed: &[labels::Placed], priority: &[u8]) -> Vec<Bounds> {
    let markers = groups.iter().map(|g| {
        let half = if priority[g.top() as usize] == SELECTED {
            11.0
        } else {
            MARKER_HALF + 3.0
        };
        Bounds::around(g.pos, half)
    });
    markers.chain(placed.iter().map(|l| l.bounds)).collect()
}

/// The markers in one mesh (diamonds for findings, discs for cameras, a ringed disc
/// with its count for a cluster); returns where the selected finding's marker is.
fn draw_markers(
    painter: &egui::Painter,
    groups: &[Group],
    items: &[Item],
    priority: &[u8],
) -> Option<Pos2> {
    let mut selected_at = None;
    let mut mesh = egui::Mesh::default();
    let count_font = FontId::proportional(10.0);
    let mut counts = Vec::new();
    for g in groups {
        let item = &items[g.top() as usize];
        let p = pos(g.pos);
        if let Some(from) = g.spread_from {
            painter.line_segment([pos(from), p], Stroke::new(1.0, theme::HALO));
        }
        let is_selected = priority[g.top() as usize] == SELECTED;
        if is_selected && item.kind == Kind::Finding {
            selected_at = Some(p);
        }
        if g.is_cluster() {
            add_disc(&mut mesh, p, MARKER_HALF + 2.5, theme::HALO);
            let colour = match item.kind {
                Kind::Finding => theme::FINDING,
                Kind::Camera => theme::EVIDENCE,
            };
            add_disc(&mut mesh, p, MARKER_HALF + 1.0, colour);
            counts.push((p, g.members.len()));
            continue;
        }
        let size = if is_selected { 9.0 } else { 6.0 };
        match item.kind {
            Kind::Finding => {
                add_diamond(&mut mesh, p, size + 1.5, theme::HALO);
                add_diamond(&mut mesh, p, size, theme::FINDING);
            }
            Kind::Camera => {
                add_disc(&mut mesh, p, size - 1.0 + 1.5, theme::HALO);
                add_disc(&mut mesh, p, size - 1.0, theme::EVIDENCE);
            }
        }
    }
    painter.add(Shape::mesh(mesh));
    for (p, n) in counts {
        painter.text(
            p,
            Align2::CENTER_CENTER,
            count_label(n),
            count_font.clone(),
            theme::HALO,
        );
    }
    selected_at
}

/// A cluster's count as drawn in its disc ("99+" above that).
fn count_label(n: usize) -> String {
    if n > 99 { "99+".into() } else { n.to_string() }
}

/// Precision circles big enough to see: of each group's top finding, and of findings
/// just off the map (their circle may still cover it).
fn draw_precision(
    painter: &egui::Painter,
    projector: &Projector,
    groups: &[Group],
    params: &Params,
    (items, points, precision): (&[Item], &[Px], &[f64]),
) {
    let mut top = vec![false; items.len()];
    for g in groups.iter().filter(|g| g.spread_from.is_none()) {
        top[g.top() as usize] = true;
    }
    let kept = Rect::from_min_max(pos(params.view.min), pos(params.view.max));
    let laid_out = kept.expand(params.margin);
    let reach = kept.expand(2000.0);
    for (k, item) in items.iter().enumerate() {
        let p = pos(points[k]);
        if item.kind != Kind::Finding || !reach.contains(p) || (!top[k] && laid_out.contains(p)) {
            continue;
        }
        let here = projector.unproject(p.to_vec2());
        let radius_px =
            precision[k] as f32 * projector.scale_pixel_per_meter(lon_lat(here.x(), here.y()));
        if radius_px > 3.0 && kept.expand(radius_px).contains(p) {
            painter.circle(
                p,
                radius_px,
                theme::PRECISION_FILL,
                Stroke::new(1.5, theme::FINDING),
            );
        }
    }
}

/// Appends a filled diamond (two triangles) centred on `c` to `mesh`.
fn add_diamond(mesh: &mut egui::Mesh, c: Pos2, size: f32, color: egui::Color32) {
    let base = mesh.vertices.len() as u32;
    for offset in [
        Vec2::new(0.0, -size),
        Vec2::new(size, 0.0),
        Vec2::new(0.0, size),
        Vec2::new(-size, 0.0),
    ] {
        mesh.colored_vertex(c + offset, color);
    }
    mesh.add_triangle(base, base + 1, base + 2);
    mesh.add_triangle(base, base + 2, base + 3);
}

/// Appends a filled disc (a 12-sided fan) centred on `c` to `mesh`.
fn add_disc(mesh: &mut egui::Mesh, c: Pos2, radius: f32, color: egui::Color32) {
    const SIDES: u32 = 12;
    let base = mesh.vertices.len() as u32;
    mesh.colored_vertex(c, color);
    for k in 0..SIDES {
        let a = std::f32::consts::TAU * k as f32 / SIDES as f32;
        mesh.colored_vertex(c + Vec2::new(a.cos(), a.sin()) * radius, color);
    }
    for k in 0..SIDES {
        mesh.add_triangle(base, base + 1 + k, base + 1 + (k + 1) % SIDES);
    }
}
