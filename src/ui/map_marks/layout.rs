//! Where the markers go: the case's items in the map's projection (computed once per
//! case revision), the view in world pixels, and the clustering, kept while the map only
//! pans.
//!
//! The clustering is computed in world pixels at the map's zoom, over the view and a
//! quarter of it more on each side, on a grid fixed to the world: while the map pans
//! inside that area the groups are the same and only move with it (they do not regroup
//! at the view's edges), so a panning frame costs the groups on screen, not the markers.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::case::Case;
use crate::spatial::labels::{self, Bounds, Group, Params, Px};
use crate::ui::map_world::{View, merc};
use crate::ui::state::Selection;

/// Markers closer than this (points) on screen form one numbered cluster.
pub(super) const CLUSTER_PX: f32 = 14.0;
/// Half the side of a marker's box, which labels keep clear of.
pub(super) const MARKER_HALF: f32 = 7.0;
/// How far beyond the view markers are still grouped (so a group at the edge is the
/// same as if the map went on).
pub(super) const MARGIN_PX: f32 = 2.0 * CLUSTER_PX;
/// Distance between neighbours on a spread cluster's ring.
pub(super) const SPREAD_SPACING: f32 = 2.0 * MARKER_HALF + 6.0;
/// Clusters up to this size spread into a ring when clicked; bigger ones zoom in.
pub(super) const MAX_SPREAD: usize = 40;
/// Precision circles smaller than this radius (points) are not drawn.
const MIN_CIRCLE_PX: f64 = 3.0;

pub(super) const SELECTED: u8 = u8::MAX;
const FINDING: u8 = 20;
const CAMERA: u8 = 10;

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Finding,
    Camera,
}

/// One item that can be on the map, in walkers' Web Mercator pixels at zoom 0.
#[derive(Clone)]
pub(super) struct Item {
    pub kind: Kind,
    merc: [f64; 2],
    /// The precision circle's radius in metres at the equator's scale: its precision
    /// over the cosine of its latitude (Web Mercator stretches a metre by that much).
    stretched_m: f64,
}

/// A precision radius in metres at the equator's scale, at `lat`.
fn stretched(precision_m: f64, lat: f64) -> f64 {
    precision_m / lat.to_radians().cos()
}

/// The case's findings with a location and cameras with GPS, with what each selects and
/// is called; computed once per case revision, so a frame does not walk 100,000 findings.
#[derive(Clone, Default)]
pub(super) struct Items {
    key: Option<(PathBuf, u64)>,
    pub list: Vec<Item>,
    names: Vec<(Selection, String)>,
    by_selection: HashMap<Selection, u32>,
}

impl Items {
    pub fn refresh(&mut self, case: &Case) {
        let key = (case.root().to_path_buf(), case.revision());
        if self.key.as_ref() == Some(&key) {
            return;
        }
        self.list.clear();
        self.names.clear();
        for f in case.findings() {
            let Some(l) = f.location else { continue };
            self.list.push(Item {
                kind: Kind::Finding,
                merc: merc(l.lat, l.lon),
                stretched_m: stretched(l.precision_m, l.lat),
            });
            self.names
                .push((Selection::Finding(f.id.clone()), f.title.clone()));
        }
        for e in case.evidence() {
            let (Some(lat), Some(lon)) = (e.exif.lat, e.exif.lon) else {
                continue;
            };
            self.list.push(Item {
                kind: Kind::Camera,
                merc: merc(lat, lon),
                stretched_m: 0.0,
            });
            self.names.push((
                Selection::Evidence(e.sha256.clone()),
                e.original_name.clone(),
            ));
        }
        self.by_selection = (self.names.iter().enumerate())
            .map(|(k, (s, _))| (s.clone(), k as u32))
            .collect();
        self.key = Some(key);
    }

    pub fn of(&self, selection: &Selection) -> Option<u32> {
        self.by_selection.get(selection).copied()
    }

    pub fn selection(&self, item: u32) -> Selection {
        self.names[item as usize].0.clone()
    }

    /// A group's label: its top item's name, and how many more a cluster holds.
    pub fn label(&self, g: &Group) -> String {
        let name = self.names[g.top() as usize].1.as_str();
        if g.is_cluster() {
            format!("{name} +{}", g.members.len() - 1)
        } else {
            name.to_owned()
        }
    }
}

/// What the clustering depends on besides the view's position.
#[derive(Clone, PartialEq)]
pub(super) struct ClusterKey {
    case: Option<(PathBuf, u64)>,
    zoom: u64,
    /// Items not drawn (answers hidden from this analyst), ascending.
    hidden: Vec<u32>,
    selected: Option<u32>,
    /// The selected finding as shown (dragged, or its precision edited live):
    /// latitude, longitude, precision; `None` when it is not shown.
    shown: Option<(f64, f64, f64)>,
    /// The cluster spread open: its top marker's selection.
    spread: Option<Selection>,
}

impl ClusterKey {
    pub fn new(
        items: &Items,
        view: &View,
        hidden: Vec<u32>,
        (selected, shown): (Option<u32>, Option<(f64, f64, f64)>),
        spread: Option<Selection>,
    ) -> ClusterKey {
        ClusterKey {
            case: items.key.clone(),
            zoom: view.zoom.to_bits(),
            hidden,
            selected,
            shown,
            spread,
        }
    }
}

/// A finding's precision circle, big enough to see at this zoom.
#[derive(Clone)]
pub(super) struct Circle {
    world: [f64; 2],
    pub radius: f32,
    /// The top of a group (not spread): drawn when on screen.
    top: bool,
    /// Inside the area grouped: only tops are drawn (a group shows its top's circle).
    in_area: bool,
}

/// The groups of one zoom, with their places in world pixels.
#[derive(Clone)]
pub(super) struct Clustering {
    key: ClusterKey,
    /// The world box whose markers were grouped: `[min, max]`.
    area: [[f64; 2]; 2],
    /// The groups, their positions those of the view last placed.
    pub groups: Vec<Group>,
    world: Vec<[f64; 2]>,
    from_world: Vec<Option<[f64; 2]>>,
    pub circles: Vec<Circle>,
    /// Each item's priority (the selected one's is [`SELECTED`]).
    pub priority: Vec<u8>,
    /// The spread asked for is no longer a cluster (it is closed).
    pub spread_gone: bool,
}

impl Clustering {
    /// Whether this clustering serves `key` with the map showing `view`.
    pub fn serves(&self, key: &ClusterKey, view: &View) -> bool {
        let [min, max] = view.world_box([f64::from(MARGIN_PX); 2]);
        let [amin, amax] = self.area;
        self.key == *key
            && min[0] >= amin[0]
            && min[1] >= amin[1]
            && max[0] <= amax[0]
            && max[1] <= amax[1]
    }

    /// Moves the groups to where `view` shows them.
    pub fn place(&mut self, view: &View) {
        for ((g, w), from) in self
            .groups
            .iter_mut()
            .zip(&self.world)
            .zip(&self.from_world)
        {
            g.pos = view.screen(*w);
            g.spread_from = from.map(|f| view.screen(f));
        }
    }

    /// The precision circles to draw in `view`: of each group's top finding, and of
    /// findings beyond the grouped area (their circle may still reach the view).
    pub fn circles_in<'a>(&'a self, view: &'a View) -> impl Iterator<Item = (Px, f32)> + 'a {
        let shown = view.rect;
        let reach = shown.expand(2000.0);
        self.circles.iter().filter_map(move |c| {
            let p = view.screen(c.world);
            let at = egui::pos2(p[0], p[1]);
            let drawn =
                (c.top || !c.in_area) && reach.contains(at) && shown.expand(c.radius).contains(at);
            drawn.then_some((p, c.radius))
        })
    }
}

/// Groups the items around `view` (and a quarter of it on each side) at its zoom.
pub(super) fn cluster(items: &Items, view: &View, key: ClusterKey) -> Clustering {
    let grow = [
        f64::from(view.rect.width()) / 4.0 + f64::from(MARGIN_PX),
        f64::from(view.rect.height()) / 4.0 + f64::from(MARGIN_PX),
    ];
    let [want_min, want_max] = view.world_box(grow);
    // The grid's cells start at multiples of their side in world pixels, so the same
    // markers group the same way whichever area is grouped.
    let cell = f64::from(CLUSTER_PX);
    let origin = want_min.map(|v| (v / cell).floor() * cell);
    let local = |w: [f64; 2]| -> Px { [(w[0] - origin[0]) as f32, (w[1] - origin[1]) as f32] };
    let n = items.list.len();
    let mut points: Vec<Px> = (items.list.iter())
        .map(|item| local(view.world(item.merc)))
        .collect();
    let mut priority: Vec<u8> = (items.list.iter())
        .map(|item| match item.kind {
            Kind::Finding => FINDING,
            Kind::Camera => CAMERA,
        })
        .collect();
    let selected = key.selected.map(|k| k as usize).filter(|&k| k < n);
    // The selected finding where it is shown (nowhere when it is not).
    let shown = (selected.filter(|&k| items.list[k].kind == Kind::Finding))
        .map(|k| (k, key.shown.map(|(lat, lon, _)| view.world(merc(lat, lon)))));
    if let Some(k) = selected {
        priority[k] = SELECTED;
    }
    if let Some((k, at)) = shown {
        points[k] = at.map_or([f32::NAN; 2], local);
    }
    for &k in &key.hidden {
        if let Some(p) = points.get_mut(k as usize) {
            *p = [f32::NAN; 2];
        }
    }
    let params = Params {
        view: Bounds::new(local(want_min), local(want_max)),
        margin: 0.0,
        cluster_px: CLUSTER_PX,
        marker_half: MARKER_HALF,
        gap: 3.0,
        spread_spacing: SPREAD_SPACING,
    };
    let mut groups = labels::cluster(&points, &priority, &params);
    let spread_gone = open_spread(items, key.spread.as_ref(), &mut groups);
    let to_world = |p: Px| [origin[0] + f64::from(p[0]), origin[1] + f64::from(p[1])];
    let mut top = vec![false; n];
    for g in groups.iter().filter(|g| g.spread_from.is_none()) {
        top[g.top() as usize] = true;
    }
    let in_area = |p: Px| params.view.contains(p);
    let circles = (items.list.iter().enumerate())
        .filter(|(_, item)| item.kind == Kind::Finding)
        .filter_map(|(k, item)| {
            if points[k][0].is_nan() {
                return None;
            }
            let w = match shown {
                Some((s, at)) if s == k => at?,
                _ => view.world(item.merc),
            };
            let stretched_m = match key.shown {
                Some((lat, _, precision_m)) if key.selected == Some(k as u32) => {
                    stretched(precision_m, lat)
                }
                _ => item.stretched_m,
            };
            let radius = stretched_m * view.px_per_m_equator;
            (radius > MIN_CIRCLE_PX).then(|| Circle {
                world: w,
                radius: radius as f32,
                top: top[k],
                in_area: in_area(points[k]),
            })
        })
        .collect();
    Clustering {
        area: [to_world(params.view.min), to_world(params.view.max)],
        world: groups.iter().map(|g| to_world(g.pos)).collect(),
        from_world: groups.iter().map(|g| g.spread_from.map(to_world)).collect(),
        groups,
        circles,
        priority,
        spread_gone,
        key,
    }
}

/// Spreads the cluster the analyst opened (if it is still one) into a ring; whether
/// it is gone.
fn open_spread(items: &Items, open: Option<&Selection>, groups: &mut Vec<Group>) -> bool {
    let Some(open) = open else { return false };
    let at = groups.iter().position(|g| {
        g.is_cluster() && g.members.len() <= MAX_SPREAD && items.selection(g.top()) == *open
    });
    match at {
        Some(i) => {
            let ring = labels::spread(&groups[i], SPREAD_SPACING);
            groups.splice(i..=i, ring);
            false
        }
        None => true,
    }
}
