//! One frame's picture of the markers: labels placed, the markers in one mesh, the
//! precision circles, the counts. Kept while the view and the clustering stay the same,
//! so a repaint that moves nothing (the pointer over the map) lays nothing out again.

use std::collections::HashMap;
use std::sync::Arc;

use egui::{Align2, FontId, Mesh, Pos2, Rect, Stroke, Vec2};

use super::layout::{CLUSTER_PX, Clustering, Items, Kind, MARGIN_PX, MARKER_HALF, SELECTED};
use crate::spatial::labels::{self, Bounds, Group, Params, Px};
use crate::ui::map_world::View;
use crate::ui::theme;

const LABEL_FONT: f32 = 12.0;
const COUNT_FONT: f32 = 10.0;

pub(super) fn pos(p: Px) -> Pos2 {
    Pos2::new(p[0], p[1])
}

/// What the markers draw in one view.
#[derive(Clone, Default)]
pub(super) struct Picture {
    circles: Vec<(Pos2, f32)>,
    /// Legs from a spread cluster's centre to its members.
    legs: Vec<[Pos2; 2]>,
    mesh: Arc<Mesh>,
    /// Each cluster's count and where.
    counts: Vec<(Pos2, usize)>,
    /// Each placed label's text and box.
    pub labels: Vec<(String, Rect)>,
    /// The boxes the marks and their labels take (the basemap's names keep clear).
    pub taken: Vec<Bounds>,
    /// The groups drawn (with those just off the view): position and member count.
    pub groups: Vec<(Pos2, usize)>,
    /// Where the selected finding's marker is.
    pub selected_marker: Option<Pos2>,
}

impl Picture {
    pub fn paint(&self, painter: &egui::Painter) {
        for &(p, radius) in &self.circles {
            painter.circle(
                p,
                radius,
                theme::PRECISION_FILL,
                Stroke::new(1.5, theme::FINDING),
            );
        }
        for &leg in &self.legs {
            painter.line_segment(leg, Stroke::new(1.0, theme::HALO));
        }
        painter.add(egui::Shape::Mesh(self.mesh.clone()));
        let count_font = FontId::proportional(COUNT_FONT);
        for &(p, n) in &self.counts {
            painter.text(
                p,
                Align2::CENTER_CENTER,
                count_label(n),
                count_font.clone(),
                theme::HALO,
            );
        }
        let font = FontId::proportional(LABEL_FONT);
        for (text, r) in &self.labels {
            painter.text(
                r.left_center(),
                Align2::LEFT_CENTER,
                text,
                font.clone(),
                theme::HALO,
            );
        }
    }
}

/// Lays out the picture of `clustering`'s groups (placed in `view`): labels that never
/// overprint, the selected item's first. `widths` keeps label widths by text.
pub(super) fn picture(
    painter: &egui::Painter,
    (clustering, items): (&Clustering, &Items),
    view: &View,
    widths: &mut HashMap<String, f32>,
) -> Picture {
    let rect = view.rect;
    let params = Params {
        view: Bounds::new([rect.min.x, rect.min.y], [rect.max.x, rect.max.y]),
        margin: MARGIN_PX,
        cluster_px: CLUSTER_PX,
        marker_half: MARKER_HALF,
        gap: 3.0,
        spread_spacing: 0.0,
    };
    let near = rect.expand(MARGIN_PX);
    // The groups on (or just off) the view, in priority order.
    let groups: Vec<&Group> = (clustering.groups.iter())
        .filter(|g| near.contains(pos(g.pos)))
        .collect();
    let priority = &clustering.priority;
    let font = FontId::proportional(LABEL_FONT);
    let row_height = painter.ctx().fonts_mut(|f| f.row_height(&font));
    if widths.len() > 200_000 {
        widths.clear();
    }
    let keep = groups
        .iter()
        .position(|g| priority[g.top() as usize] == SELECTED);
    let mut texts: Vec<Option<String>> = vec![None; groups.len()];
    let placed = labels::place_labels(&groups, &params, keep, |gi| {
        let text = items.label(groups[gi]);
        let w = match widths.get(&text) {
            Some(w) => *w,
            None => {
                let w = painter
                    .layout_no_wrap(text.clone(), font.clone(), theme::HALO)
                    .size()
                    .x;
                widths.insert(text.clone(), w);
                w
            }
        };
        texts[gi] = Some(text);
        Some([w, row_height])
    });
    let markers = groups.iter().map(|g| {
        let half = if priority[g.top() as usize] == SELECTED {
            11.0
        } else {
            MARKER_HALF + 3.0
        };
        Bounds::around(g.pos, half)
    });
    let taken = markers.chain(placed.iter().map(|l| l.bounds)).collect();
    let mut picture = Picture {
        circles: clustering
            .circles_in(view)
            .map(|(p, r)| (pos(p), r))
            .collect(),
        labels: (placed.iter())
            .map(|l| {
                let text = texts[l.group].take().unwrap_or_default();
                (
                    text,
                    Rect::from_min_max(pos(l.bounds.min), pos(l.bounds.max)),
                )
            })
            .collect(),
        taken,
        groups: groups
            .iter()
            .map(|g| (pos(g.pos), g.members.len()))
            .collect(),
        ..Picture::default()
    };
    markers_of(&mut picture, &groups, items, priority);
    picture
}

/// The markers in one mesh (diamonds for findings, discs for cameras, a ringed disc for
/// a cluster, its count drawn over it), the spread legs, and where the selected
/// finding's marker is.
fn markers_of(picture: &mut Picture, groups: &[&Group], items: &Items, priority: &[u8]) {
    let mut mesh = Mesh::default();
    for g in groups {
        let kind = items.list[g.top() as usize].kind;
        let p = pos(g.pos);
        if let Some(from) = g.spread_from {
            picture.legs.push([pos(from), p]);
        }
        let is_selected = priority[g.top() as usize] == SELECTED;
        if is_selected && kind == Kind::Finding {
            picture.selected_marker = Some(p);
        }
        if g.is_cluster() {
            add_disc(&mut mesh, p, MARKER_HALF + 2.5, theme::HALO);
            let colour = match kind {
                Kind::Finding => theme::FINDING,
                Kind::Camera => theme::EVIDENCE,
            };
            add_disc(&mut mesh, p, MARKER_HALF + 1.0, colour);
            picture.counts.push((p, g.members.len()));
            continue;
        }
        let size = if is_selected { 9.0 } else { 6.0 };
        match kind {
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
    picture.mesh = Arc::new(mesh);
}

/// A cluster's count as drawn in its disc ("99+" above that).
fn count_label(n: usize) -> String {
    if n > 99 { "99+".into() } else { n.to_string() }
}

/// Appends a filled diamond (two triangles) centred on `c` to `mesh`.
fn add_diamond(mesh: &mut Mesh, c: Pos2, size: f32, color: egui::Color32) {
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

/// The corners of a disc's 12-sided fan on the unit circle.
static DISC: std::sync::LazyLock<[Vec2; 12]> = std::sync::LazyLock::new(|| {
    std::array::from_fn(|k| Vec2::angled(std::f32::consts::TAU * k as f32 / 12.0))
});

/// Appends a filled disc (a 12-sided fan) centred on `c` to `mesh`.
fn add_disc(mesh: &mut Mesh, c: Pos2, radius: f32, color: egui::Color32) {
    const SIDES: u32 = 12;
    let base = mesh.vertices.len() as u32;
    mesh.colored_vertex(c, color);
    for corner in DISC.iter() {
        mesh.colored_vertex(c + *corner * radius, color);
    }
    for k in 0..SIDES {
        mesh.add_triangle(base, base + 1 + k, base + 1 + (k + 1) % SIDES);
    }
}
