//! Marker clustering and label placement on a map view, in screen pixels: markers closer
//! than a cluster radius become one numbered group (the highest-priority marker on top,
//! its position the group's), a group can be spread into a ring so each member shows,
//! and labels are placed around their marker — right, left, above, below, then the
//! diagonals — at the first position that collides with no marker and no label already
//! placed; a label that fits nowhere is dropped. Labels are placed in priority order, so
//! the selected marker's is placed first and never lost to a neighbour.
//!
//! Linear in the markers: points are binned in a grid of cluster-radius cells and
//! labels test collisions in a grid of boxes, so 100,000 markers lay out in a few
//! milliseconds. The same layout serves the map, its snapshots and exported figures.

/// A point in screen pixels, `[x, y]`, y down.
pub type Px = [f32; 2];

/// An axis-aligned box in screen pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub min: Px,
    pub max: Px,
}

impl Bounds {
    pub fn new(min: Px, max: Px) -> Bounds {
        Bounds { min, max }
    }

    /// The box of `size` whose top-left corner is `at`.
    pub fn at(at: Px, size: Px) -> Bounds {
        Bounds::new(at, [at[0] + size[0], at[1] + size[1]])
    }

    /// A square of half-side `half` around `c`.
    pub fn around(c: Px, half: f32) -> Bounds {
        Bounds::new([c[0] - half, c[1] - half], [c[0] + half, c[1] + half])
    }

    /// Whether the two boxes share interior (touching edges do not overlap).
    pub fn overlaps(&self, o: &Bounds) -> bool {
        self.min[0] < o.max[0]
            && o.min[0] < self.max[0]
            && self.min[1] < o.max[1]
            && o.min[1] < self.max[1]
    }

    pub fn contains_box(&self, o: &Bounds) -> bool {
        o.min[0] >= self.min[0]
            && o.min[1] >= self.min[1]
            && o.max[0] <= self.max[0]
            && o.max[1] <= self.max[1]
    }

    pub fn contains(&self, p: Px) -> bool {
        p[0] >= self.min[0] && p[0] <= self.max[0] && p[1] >= self.min[1] && p[1] <= self.max[1]
    }

    fn expand(&self, by: f32) -> Bounds {
        Bounds::new(
            [self.min[0] - by, self.min[1] - by],
            [self.max[0] + by, self.max[1] + by],
        )
    }
}

/// Where a label sits relative to its marker, in the order they are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Right,
    Left,
    Above,
    Below,
    AboveRight,
    BelowRight,
    AboveLeft,
    BelowLeft,
}

impl Anchor {
    pub const ALL: [Anchor; 8] = [
        Anchor::Right,
        Anchor::Left,
        Anchor::Above,
        Anchor::Below,
        Anchor::AboveRight,
        Anchor::BelowRight,
        Anchor::AboveLeft,
        Anchor::BelowLeft,
    ];

    /// The label box of `size` at this side of a marker at `c` whose box has half-side
    /// `half`, `gap` pixels away from it.
    pub fn label_box(self, c: Px, half: f32, gap: f32, size: Px) -> Bounds {
        let [w, h] = size;
        let d = half + gap;
        let at = match self {
            Anchor::Right => [c[0] + d, c[1] - h / 2.0],
            Anchor::Left => [c[0] - d - w, c[1] - h / 2.0],
            Anchor::Above => [c[0] - w / 2.0, c[1] - d - h],
            Anchor::Below => [c[0] - w / 2.0, c[1] + d],
            Anchor::AboveRight => [c[0] + half, c[1] - d - h],
            Anchor::BelowRight => [c[0] + half, c[1] + d],
            Anchor::AboveLeft => [c[0] - half - w, c[1] - d - h],
            Anchor::BelowLeft => [c[0] - half - w, c[1] + d],
        };
        Bounds::at(at, size)
    }
}

/// The geometry the layout works with, in screen pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// The visible map: labels stay inside it; markers further than `margin` outside
    /// it are left out.
    pub view: Bounds,
    pub margin: f32,
    /// Markers closer than this join one group.
    pub cluster_px: f32,
    /// Half the side of a marker's box (labels keep clear of every marker box).
    pub marker_half: f32,
    /// Space between a marker's box and its label.
    pub gap: f32,
    /// Distance between neighbours on a spread group's ring.
    pub spread_spacing: f32,
}

/// One mark on the map: a single marker, or a numbered group of markers.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Where it is drawn.
    pub pos: Px,
    /// Indices of the markers it stands for, highest priority first.
    pub members: Vec<u32>,
    /// For a member of a spread group: the place the group was (a leg is drawn to it).
    pub spread_from: Option<Px>,
}

impl Group {
    pub fn is_cluster(&self) -> bool {
        self.members.len() > 1
    }

    /// The marker whose label and colour the group shows.
    pub fn top(&self) -> u32 {
        self.members[0]
    }
}

/// The marker indices in priority order (higher first, then by index): a stable
/// bucket sort, linear in the markers.
fn by_priority(priority: &[u8]) -> Vec<u32> {
    let mut counts = [0usize; 257];
    for &p in priority {
        counts[usize::from(u8::MAX - p) + 1] += 1;
    }
    for i in 1..counts.len() {
        counts[i] += counts[i - 1];
    }
    let mut order = vec![0u32; priority.len()];
    for (i, &p) in priority.iter().enumerate() {
        let slot = &mut counts[usize::from(u8::MAX - p)];
        order[*slot] = i as u32;
        *slot += 1;
    }
    order
}

/// A uniform grid over a box; each cell heads a linked list of item ids.
#[derive(Clone)]
struct Grid {
    origin: Px,
    cell: f32,
    cols: usize,
    rows: usize,
    head: Vec<u32>,
    next: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl Grid {
    fn new(area: Bounds, cell: f32) -> Grid {
        let cell = cell.max(1.0);
        let cols = (((area.max[0] - area.min[0]) / cell).ceil() as usize).clamp(1, 4096);
        let rows = (((area.max[1] - area.min[1]) / cell).ceil() as usize).clamp(1, 4096);
        Grid {
            origin: area.min,
            cell,
            cols,
            rows,
            head: vec![NONE; cols * rows],
            next: Vec::new(),
        }
    }

    /// The cell of a point, clamped to the grid. (A cast truncates toward zero, which
    /// is the floor for the non-negative offsets kept; negatives clamp to 0.)
    fn cell_of(&self, p: Px) -> (usize, usize) {
        let c = (p[0] - self.origin[0]) / self.cell;
        let r = (p[1] - self.origin[1]) / self.cell;
        (
            (c.max(0.0) as usize).min(self.cols - 1),
            (r.max(0.0) as usize).min(self.rows - 1),
        )
    }

    /// Adds item `id` (ids are given in order 0, 1, 2, …) to the cell at (c, r).
    fn push(&mut self, id: u32, (c, r): (usize, usize)) {
        debug_assert_eq!(id as usize, self.next.len());
        let cell = r * self.cols + c;
        self.next.push(self.head[cell]);
        self.head[cell] = id;
    }

    fn items(&self, c: usize, r: usize) -> impl Iterator<Item = u32> + '_ {
        let mut at = self.head[r * self.cols + c];
        std::iter::from_fn(move || {
            (at != NONE).then(|| {
                let id = at;
                at = self.next[id as usize];
                id
            })
        })
    }

    /// The cells a box touches, as column and row ranges.
    fn span(
        &self,
        b: &Bounds,
    ) -> (
        std::ops::RangeInclusive<usize>,
        std::ops::RangeInclusive<usize>,
    ) {
        let (c0, r0) = self.cell_of(b.min);
        let (c1, r1) = self.cell_of(b.max);
        (c0..=c1, r0..=r1)
    }
}

/// Groups markers closer than `params.cluster_px`, visiting them in priority order: a
/// marker joins the first group within reach, else starts its own at its position.
/// Markers further than `params.margin` outside the view are left out. Groups come out
/// in the order of their top marker's priority.
pub fn cluster(points: &[Px], priority: &[u8], params: &Params) -> Vec<Group> {
    let area = params.view.expand(params.margin);
    let reach = params.cluster_px.max(0.0);
    let reach2 = reach * reach;
    let mut grid = Grid::new(area, reach);
    // Group centres apart from the groups, for a tight inner loop.
    let mut centres: Vec<Px> = Vec::new();
    let mut member_of: Vec<(u32, u32)> = Vec::with_capacity(points.len());
    let near = |centres: &[Px], g: u32, p: Px| {
        let c = centres[g as usize];
        let (dx, dy) = (c[0] - p[0], c[1] - p[1]);
        dx * dx + dy * dy <= reach2
    };
    for i in by_priority(priority) {
        let p = points[i as usize];
        if !(area.contains(p) && p[0].is_finite() && p[1].is_finite()) {
            continue;
        }
        let (c, r) = grid.cell_of(p);
        // The marker's own cell first: where markers are dense, most join there.
        let mut joined = grid.items(c, r).find(|&g| near(&centres, g, p));
        if joined.is_none() {
            'around: for rr in r.saturating_sub(1)..=(r + 1).min(grid.rows - 1) {
                for cc in c.saturating_sub(1)..=(c + 1).min(grid.cols - 1) {
                    if (cc, rr) != (c, r)
                        && let Some(g) = grid.items(cc, rr).find(|&g| near(&centres, g, p))
                    {
                        joined = Some(g);
                        break 'around;
                    }
                }
            }
        }
        let g = joined.unwrap_or_else(|| {
            let g = centres.len() as u32;
            grid.push(g, (c, r));
            centres.push(p);
            g
        });
        member_of.push((g, i));
    }
    let mut counts = vec![0usize; centres.len()];
    for &(g, _) in &member_of {
        counts[g as usize] += 1;
    }
    let mut groups: Vec<Group> = centres
        .iter()
        .zip(counts)
        .map(|(&pos, n)| Group {
            pos,
            members: Vec::with_capacity(n),
            spread_from: None,
        })
        .collect();
    // Visited in priority order, so each group's members are too.
    for (g, i) in member_of {
        groups[g as usize].members.push(i);
    }
    groups
}

/// A group's members on a ring around it, in member order from the top clockwise, each
/// its own single-marker group remembering the centre it was spread from.
pub fn spread(group: &Group, spacing: f32) -> Vec<Group> {
    let n = group.members.len();
    if n < 2 {
        return vec![group.clone()];
    }
    let radius = (spacing * n as f32 / std::f32::consts::TAU).max(spacing);
    group
        .members
        .iter()
        .enumerate()
        .map(|(k, &m)| {
            let a = -std::f32::consts::FRAC_PI_2 + std::f32::consts::TAU * k as f32 / n as f32;
            Group {
                pos: [
                    group.pos[0] + radius * a.cos(),
                    group.pos[1] + radius * a.sin(),
                ],
                members: vec![m],
                spread_from: Some(group.pos),
            }
        })
        .collect()
}

/// A label given its place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// The group it belongs to (index into the groups laid out).
    pub group: usize,
    pub anchor: Anchor,
    pub bounds: Bounds,
}

/// Boxes already taken (markers and placed labels), found through a grid: a box is
/// listed in every cell it touches. Basemap labels (`vector::labels`) collide through
/// the same grid.
#[derive(Clone)]
pub struct Taken {
    grid: Grid,
    boxes: Vec<Bounds>,
    /// For each grid entry, the box it lists.
    entry_box: Vec<u32>,
}

impl Taken {
    pub fn new(view: Bounds) -> Taken {
        Taken {
            grid: Grid::new(view, 32.0),
            boxes: Vec::new(),
            entry_box: Vec::new(),
        }
    }

    pub fn add(&mut self, b: Bounds) {
        let id = self.boxes.len() as u32;
        let (cols, rows) = self.grid.span(&b);
        self.boxes.push(b);
        for r in rows {
            for c in cols.clone() {
                let entry = self.entry_box.len() as u32;
                self.grid.push(entry, (c, r));
                self.entry_box.push(id);
            }
        }
    }

    pub fn collides(&self, b: &Bounds) -> bool {
        let (cols, rows) = self.grid.span(b);
        rows.into_iter().any(|r| {
            cols.clone().any(|c| {
                self.grid
                    .items(c, r)
                    .any(|e| self.boxes[self.entry_box[e as usize] as usize].overlaps(b))
            })
        })
    }
}

/// Places the groups' labels in group order (priority order from [`cluster`]): each
/// at the first [`Anchor`] whose box lies inside the view and overlaps no marker box and
/// no label already placed; `size` gives a group's label size, `None` for no label.
/// Labels that fit nowhere are left out — except `keep`'s (the selected item's), placed
/// first and, when markers crowd every side, over markers rather than not at all.
pub fn place_labels<G: std::borrow::Borrow<Group>>(
    groups: &[G],
    params: &Params,
    keep: Option<usize>,
    mut size: impl FnMut(usize) -> Option<Px>,
) -> Vec<Placed> {
    let mut taken = Taken::new(params.view);
    for g in groups {
        let b = Bounds::around(g.borrow().pos, params.marker_half);
        if b.overlaps(&params.view) {
            taken.add(b);
        }
    }
    let mut placed = Vec::new();
    let kept = keep.filter(|&k| k < groups.len());
    let order = kept
        .into_iter()
        .chain((0..groups.len()).filter(|&gi| Some(gi) != kept));
    for gi in order {
        let g = groups[gi].borrow();
        if !params.view.contains(g.pos) {
            continue;
        }
        let Some(label) = size(gi) else { continue };
        let fits = |anchor: Anchor, clear: bool| {
            let b = anchor.label_box(g.pos, params.marker_half, params.gap, label);
            (params.view.contains_box(&b) && (!clear || !taken.collides(&b))).then_some((anchor, b))
        };
        let mut found = Anchor::ALL.into_iter().find_map(|a| fits(a, true));
        if found.is_none() && Some(gi) == kept {
            found = Anchor::ALL.into_iter().find_map(|a| fits(a, false));
        }
        if let Some((anchor, b)) = found {
            taken.add(b);
            placed.push(Placed {
                group: gi,
                anchor,
                bounds: b,
            });
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        Params {
            view: Bounds::new([0.0, 0.0], [800.0, 600.0]),
            margin: 50.0,
            cluster_px: 12.0,
            marker_half: 6.0,
            gap: 3.0,
            spread_spacing: 24.0,
        }
    }

    #[test]
    fn markers_at_one_place_form_one_group_led_by_the_highest_priority() {
        let points = [
            [100.0, 100.0],
            [104.0, 98.0],
            [100.0, 100.0],
            [300.0, 300.0],
        ];
        let groups = cluster(&points, &[0, 0, 9, 0], &params());
        assert_eq!(groups.len(), 2);
        assert_eq!(
            groups[0].members,
            vec![2, 0, 1],
            "selected first, then in order"
        );
        assert_eq!(groups[0].pos, [100.0, 100.0]);
        assert!(groups[0].is_cluster());
        assert_eq!(groups[1].members, vec![3]);
    }

    #[test]
    fn markers_across_a_cell_border_still_cluster_and_far_ones_do_not() {
        // 12 px cells from x = -50: x = 45 and 49 sit in different cells, 6 px apart.
        let points = [[45.0, 20.0], [49.0, 24.0], [100.0, 20.0]];
        let groups = cluster(&points, &[0; 3], &params());
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].members, vec![0, 1]);
    }

    #[test]
    fn markers_far_outside_the_view_are_left_out() {
        let points = [[-500.0, 10.0], [10.0, 10.0], [f32::NAN, 1.0]];
        let groups = cluster(&points, &[0; 3], &params());
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].members, vec![1]);
    }

    #[test]
    fn a_spread_group_puts_each_member_on_a_ring_apart() {
        let g = Group {
            pos: [200.0, 200.0],
            members: (0..7).collect(),
            spread_from: None,
        };
        let ring = spread(&g, 24.0);
        assert_eq!(ring.len(), 7);
        for (k, a) in ring.iter().enumerate() {
            assert_eq!(a.members, vec![k as u32]);
            assert_eq!(a.spread_from, Some([200.0, 200.0]));
            for b in &ring[k + 1..] {
                let d = ((a.pos[0] - b.pos[0]).powi(2) + (a.pos[1] - b.pos[1]).powi(2)).sqrt();
                assert!(d > 2.0 * params().marker_half, "members overlap: {d}");
            }
        }
        // The top member is straight above the centre.
        assert!((ring[0].pos[0] - 200.0).abs() < 1e-3 && ring[0].pos[1] < 200.0);
    }

    #[test]
    fn colliding_labels_move_around_their_marker_or_are_dropped() {
        // Three markers in a column 10 px apart and a fourth 60 px left of the first, each
        // with a 60×14 label. The first takes the right side. The second's right overlaps
        // that label, its left the fourth marker, above and below its neighbours: it
        // goes below right. The third's right overlaps that one: it goes left. The
        // fourth cannot go right (the first marker) nor left (the view's edge).
        let points = [
            [100.0, 100.0],
            [100.0, 110.0],
            [100.0, 120.0],
            [40.0, 100.0],
        ];
        let p = Params {
            cluster_px: 0.0,
            ..params()
        };
        let groups = cluster(&points, &[0; 4], &p);
        assert_eq!(groups.len(), 4);
        let placed = place_labels(&groups, &p, None, |_| Some([60.0, 14.0]));
        let anchors: Vec<_> = placed.iter().map(|p| (p.group, p.anchor)).collect();
        assert_eq!(
            anchors[..3],
            [
                (0, Anchor::Right),
                (1, Anchor::BelowRight),
                (2, Anchor::Left)
            ]
        );
        assert!(!matches!(
            anchors.get(3),
            Some((3, Anchor::Right | Anchor::Left))
        ));
        for (i, a) in placed.iter().enumerate() {
            for b in &placed[i + 1..] {
                assert!(!a.bounds.overlaps(&b.bounds), "{a:?} overlaps {b:?}");
            }
            for g in &groups {
                assert!(
                    !a.bounds.overlaps(&Bounds::around(g.pos, 6.0)),
                    "{a:?} on a marker"
                );
            }
            assert!(params().view.contains_box(&a.bounds));
        }
    }

    #[test]
    fn the_selected_label_is_placed_first_and_a_crowd_drops_the_rest() {
        // 400 markers in a 40×40 px square (no clustering asked): only a few labels fit,
        // never overlapping, and the selected one (priority 9) is among them.
        let mut points = Vec::new();
        for i in 0..400 {
            points.push([300.0 + (i % 20) as f32 * 2.0, 300.0 + (i / 20) as f32 * 2.0]);
        }
        let mut priority = vec![0u8; 400];
        priority[399] = 9;
        let p = Params {
            cluster_px: 0.0,
            ..params()
        };
        let groups = cluster(&points, &priority, &p);
        assert_eq!(groups[0].members, vec![399]);
        let placed = place_labels(&groups, &p, Some(0), |_| Some([50.0, 12.0]));
        assert_eq!(placed[0].group, 0, "the selected label first");
        assert!(placed.len() < 20, "{} labels in a crowd", placed.len());
        for (i, a) in placed.iter().enumerate() {
            for b in &placed[i + 1..] {
                assert!(!a.bounds.overlaps(&b.bounds));
            }
        }
    }

    #[test]
    fn a_label_never_leaves_the_view() {
        let groups = cluster(&[[795.0, 300.0], [3.0, 3.0]], &[0, 0], &params());
        let placed = place_labels(&groups, &params(), None, |_| Some([60.0, 14.0]));
        assert_eq!(placed.len(), 2);
        assert_eq!(placed[0].anchor, Anchor::Left);
        assert_eq!(placed[1].anchor, Anchor::BelowRight, "{:?}", placed[1]);
        let none = place_labels(&groups, &params(), None, |_| Some([900.0, 14.0]));
        assert!(none.is_empty(), "a label wider than the view has no place");
    }

    #[test]
    fn a_hundred_thousand_markers_lay_out_in_linear_time() {
        let n = 100_000;
        let points: Vec<Px> = (0..n)
            .map(|i| {
                let h = (i as u32).wrapping_mul(2_654_435_761);
                [(h % 800) as f32, ((h >> 12) % 600) as f32]
            })
            .collect();
        let groups = cluster(&points, &vec![0; n], &params());
        let members: usize = groups.iter().map(|g| g.members.len()).sum();
        assert_eq!(members, n, "every marker in the view is in one group");
        // Groups keep their distance: no two group centres within the cluster radius.
        let mut sorted: Vec<Px> = groups.iter().map(|g| g.pos).collect();
        sorted.sort_by(|a, b| a[0].total_cmp(&b[0]));
        for (i, a) in sorted.iter().enumerate() {
            for b in sorted[i + 1..].iter().take_while(|b| b[0] - a[0] <= 12.0) {
                let d2 = (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2);
                assert!(d2 > 144.0, "{a:?} and {b:?} should be one group");
            }
        }
    }
}
