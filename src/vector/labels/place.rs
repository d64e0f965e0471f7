//! Label placement for one view, in screen pixels: places first, then roads, then
//! water, each kind by rank, around boxes taken first (the case's marks and labels). A
//! point label is centred on its point (or just above or below it, or, when a case's
//! mark sits on the point, further above or below, clear of it); a line label runs
//! along a straight-enough stretch of its line (turned to read left to right). A label
//! is dropped when its box would leave the view or overlap a label already placed (the
//! collision grid of `spatial::labels`), or when the same text is already placed nearby
//! (a road's name once per stretch, not once per tile). Placement is per view, never
//! per tile, so a label is never cut at a tile edge.

use std::collections::HashMap;

use super::types::{Candidate, Kind, Shape};
use crate::spatial::labels::{Bounds, Taken};

/// Space kept around a label's text (the halo is drawn inside it).
pub const PAD: f32 = 2.0;
/// Half the side of a case's marker plus a gap: a point label moved off a marker on its
/// point sits this far (plus half its height) above or below the point.
const MARK_CLEAR: f32 = 10.0;
/// Largest turn (radians) between a line label's stretch and its chord.
const MAX_BEND: f32 = 0.45;

/// A view in world pixels: the world is `world` pixels wide at this zoom, the view's
/// top-left corner is at `origin`, and it is `size` pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub origin: [f64; 2],
    pub world: f64,
    pub size: [f32; 2],
}

impl Frame {
    /// The Web Mercator zoom (256-pixel tiles).
    pub fn zoom(&self) -> f32 {
        (self.world / 256.0).log2() as f32
    }

    /// Screen pixels of a world point (Web Mercator 0..1), on the copy of the world
    /// nearest the view (so a view across the antimeridian sees both sides).
    pub fn px(&self, m: [f64; 2]) -> [f32; 2] {
        let mut x = m[0] * self.world - self.origin[0];
        let half = f64::from(self.size[0]) / 2.0;
        if x - half > self.world / 2.0 {
            x -= self.world;
        } else if half - x > self.world / 2.0 {
            x += self.world;
        }
        [x as f32, (m[1] * self.world - self.origin[1]) as f32]
    }

    pub fn bounds(&self) -> Bounds {
        Bounds::new([0.0, 0.0], self.size)
    }
}

/// A label given its place: the candidate it shows, its centre, its angle (radians,
/// clockwise on screen, within ±90°) and the box it takes (text, halo and padding).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub candidate: usize,
    pub center: [f32; 2],
    pub angle: f32,
    pub bounds: Bounds,
}

/// How far apart two labels of the same text must be.
fn repeat_px(kind: Kind) -> f32 {
    match kind {
        Kind::Place => 600.0,
        Kind::Road => 260.0,
        Kind::Water => 400.0,
    }
}

fn rotated_box(c: [f32; 2], size: [f32; 2], angle: f32) -> Bounds {
    let (hw, hh) = (size[0] / 2.0 + PAD, size[1] / 2.0 + PAD);
    let (s, co) = (angle.sin().abs(), angle.cos().abs());
    let (ex, ey) = (co * hw + s * hh, s * hw + co * hh);
    Bounds::new([c[0] - ex, c[1] - ey], [c[0] + ex, c[1] + ey])
}

/// Places `candidates` (with the shaped size of each, `None` for one that has no
/// text to draw) in `frame`. Deterministic: the same input gives the same labels.
pub fn place(candidates: &[Candidate], sizes: &[Option<[f32; 2]>], frame: &Frame) -> Vec<Placed> {
    place_around(candidates, sizes, frame, &[])
}

/// [`place`] around boxes already taken (in the frame's pixels): the case's markers
/// and their labels, placed first, which no basemap label may overlap.
pub fn place_around(
    candidates: &[Candidate],
    sizes: &[Option<[f32; 2]>],
    frame: &Frame,
    taken_first: &[Bounds],
) -> Vec<Placed> {
    let zoom = frame.zoom();
    let mut order: Vec<usize> = (0..candidates.len())
        .filter(|&i| candidates[i].min_zoom <= zoom + 0.5)
        .collect();
    order.sort_by(|&a, &b| {
        let (ca, cb) = (&candidates[a], &candidates[b]);
        (ca.kind, ca.rank)
            .partial_cmp(&(cb.kind, cb.rank))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| ca.text.cmp(&cb.text))
            .then(a.cmp(&b))
    });
    let view = frame.bounds();
    // The case's marks alone, to ask whether one sits on a place (through a grid: a
    // case may show thousands of marks); the labels placed join a copy. (A mark outside
    // the view cannot touch a label, which must lie inside it.)
    let mut marks = Taken::new(view);
    for b in taken_first {
        marks.add(*b);
    }
    let mut taken = marks.clone();
    let mut seen: HashMap<&str, Vec<[f32; 2]>> = HashMap::new();
    let mut placed = Vec::new();
    for i in order {
        let c = &candidates[i];
        let Some(size) = sizes.get(i).copied().flatten() else {
            continue;
        };
        let repeat = repeat_px(c.kind);
        let near_same = |p: [f32; 2], seen: &HashMap<&str, Vec<[f32; 2]>>| {
            seen.get(c.text.as_str()).is_some_and(|ps| {
                ps.iter()
                    .any(|q| (q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2) < repeat * repeat)
            })
        };
        let fits = |center: [f32; 2], angle: f32| {
            let b = rotated_box(center, size, angle);
            (view.contains_box(&b) && !taken.collides(&b)).then_some((center, angle, b))
        };
        let found = match &c.shape {
            Shape::Point(m) => {
                let p = frame.px(*m);
                if !view.contains(p) || near_same(p, &seen) {
                    continue;
                }
                let (dy, clear) = (size[1] * 0.8, size[1] / 2.0 + PAD + MARK_CLEAR);
                // Further off only when a case mark sits on the point.
                let marked = marks.collides(&rotated_box(p, size, 0.0));
                let far: &[f32] = if marked { &[-clear, clear] } else { &[] };
                [0.0, -dy, dy]
                    .iter()
                    .chain(far)
                    .find_map(|d| fits([p[0], p[1] + d], 0.0))
            }
            Shape::Line(line) => {
                let pts: Vec<[f32; 2]> = line.iter().map(|m| frame.px(*m)).collect();
                along(&pts, size[0] + 2.0 * PAD)
                    .into_iter()
                    .filter(|(p, _)| !near_same(*p, &seen))
                    .find_map(|(p, a)| fits(p, a))
            }
        };
        if let Some((center, angle, bounds)) = found {
            taken.add(bounds);
            seen.entry(c.text.as_str()).or_default().push(center);
            placed.push(Placed {
                candidate: i,
                center,
                angle,
                bounds,
            });
        }
    }
    placed
}

/// Cumulative lengths along a polyline.
fn lengths(pts: &[[f32; 2]]) -> Vec<f32> {
    let mut acc = 0.0;
    let mut out = Vec::with_capacity(pts.len());
    out.push(0.0);
    for w in pts.windows(2) {
        acc += ((w[1][0] - w[0][0]).powi(2) + (w[1][1] - w[0][1]).powi(2)).sqrt();
        out.push(acc);
    }
    out
}

fn point_at(pts: &[[f32; 2]], cum: &[f32], s: f32) -> [f32; 2] {
    let i = cum.partition_point(|&l| l < s).clamp(1, pts.len() - 1);
    let (a, b) = (pts[i - 1], pts[i]);
    let seg = cum[i] - cum[i - 1];
    let t = if seg > 0.0 {
        ((s - cum[i - 1]) / seg).clamp(0.0, 1.0)
    } else {
        0.0
    };
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

/// Centres and angles where a label `len` pixels long can run along the line: from
/// the middle of the line outwards, stretches whose every segment turns less than
/// [`MAX_BEND`] from the stretch's chord.
fn along(pts: &[[f32; 2]], len: f32) -> Vec<([f32; 2], f32)> {
    if pts.len() < 2 || pts.iter().any(|p| !p[0].is_finite() || !p[1].is_finite()) {
        return Vec::new();
    }
    let cum = lengths(pts);
    let total = cum[cum.len() - 1];
    if total < len {
        return Vec::new();
    }
    let step = (len / 2.0).max(24.0);
    let mut out = Vec::new();
    for k in 0..12 {
        let off = step * ((k + 1) / 2) as f32 * if k % 2 == 0 { 1.0 } else { -1.0 };
        let s = total / 2.0 + off;
        if s - len / 2.0 < 0.0 || s + len / 2.0 > total {
            if k > 0 && off.abs() > total / 2.0 {
                break;
            }
            continue;
        }
        let (a, b) = (
            point_at(pts, &cum, s - len / 2.0),
            point_at(pts, &cum, s + len / 2.0),
        );
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        if (dx * dx + dy * dy).sqrt() < 0.9 * len {
            continue;
        }
        let chord = dy.atan2(dx);
        let straight = (0..pts.len() - 1)
            .filter(|&i| cum[i + 1] > s - len / 2.0 && cum[i] < s + len / 2.0)
            .all(|i| {
                let (p, q) = (pts[i], pts[i + 1]);
                if cum[i + 1] - cum[i] < 1.0 {
                    return true;
                }
                let mut d = (q[1] - p[1]).atan2(q[0] - p[0]) - chord;
                d = (d + std::f32::consts::PI).rem_euclid(std::f32::consts::TAU)
                    - std::f32::consts::PI;
                d.abs() < MAX_BEND
            });
        if !straight {
            continue;
        }
        let mut angle = chord;
        if angle > std::f32::consts::FRAC_PI_2 {
            angle -= std::f32::consts::PI;
        } else if angle < -std::f32::consts::FRAC_PI_2 {
            angle += std::f32::consts::PI;
        }
        out.push(([(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0], angle));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame {
        // A 800×600 view whose world is 2^20 pixels wide (zoom 12).
        Frame {
            origin: [1000.0, 2000.0],
            world: 1048576.0,
            size: [800.0, 600.0],
        }
    }

    fn world(f: &Frame, px: [f32; 2]) -> [f64; 2] {
        [
            (f.origin[0] + f64::from(px[0])) / f.world,
            (f.origin[1] + f64::from(px[1])) / f.world,
        ]
    }

    fn cand(text: &str, kind: Kind, rank: f32, shape: Shape) -> Candidate {
        Candidate {
            text: text.into(),
            kind,
            rank,
            px: 12.0,
            bold: false,
            min_zoom: 0.0,
            shape,
        }
    }

    fn overlapping(placed: &[Placed]) -> bool {
        placed
            .iter()
            .enumerate()
            .any(|(i, a)| placed[i + 1..].iter().any(|b| a.bounds.overlaps(&b.bounds)))
    }

    #[test]
    fn a_place_wins_over_a_road_and_water_and_the_loser_is_dropped() {
        let f = frame();
        let at = world(&f, [400.0, 300.0]);
        let road = Shape::Line(vec![world(&f, [340.0, 300.0]), world(&f, [460.0, 300.0])]);
        let cs = vec![
            cand("Lake", Kind::Water, 0.0, Shape::Point(at)),
            cand("Main Road", Kind::Road, 0.0, road),
            cand("Town", Kind::Place, 300.0, Shape::Point(at)),
        ];
        let sizes = vec![Some([60.0, 14.0]); 3];
        let placed = place(&cs, &sizes, &f);
        assert_eq!(placed[0].candidate, 2, "{placed:?}");
        assert!(!overlapping(&placed));
        // The road's only stretch long enough is under the town's name, and the lake's
        // point is the town's (a label just above or below would still touch it): both
        // are dropped.
        assert_eq!(placed.len(), 1, "{placed:?}");
    }

    #[test]
    fn a_name_under_a_taken_box_moves_off_it_or_is_dropped() {
        let f = frame();
        let at = world(&f, [400.0, 300.0]);
        let cs = vec![cand("Vaduz", Kind::Place, 300.0, Shape::Point(at))];
        let size = [50.0, 14.0];
        let free = place(&cs, &[Some(size)], &f);
        assert_eq!(free.len(), 1);
        assert_eq!(free[0].center, [400.0, 300.0]);
        // A case marker's box on the point: the name goes just above or below it.
        let marker = Bounds::around([400.0, 300.0], 7.0);
        let moved = place_around(&cs, &[Some(size)], &f, &[marker]);
        assert_eq!(moved.len(), 1, "{moved:?}");
        assert!(!moved[0].bounds.overlaps(&marker), "{moved:?}");
        assert_ne!(moved[0].center[1], 300.0);
        // A marker and its label covering every place it may go: the name is dropped.
        let label = Bounds::new([340.0, 270.0], [460.0, 330.0]);
        assert!(place_around(&cs, &[Some(size)], &f, &[marker, label]).is_empty());
    }

    #[test]
    fn a_road_name_runs_along_its_line_and_reads_left_to_right() {
        let f = frame();
        // A road going up-left at 30° (screen y down), drawn right to left.
        let a = [600.0f32, 200.0];
        let b = [
            a[0] - 300.0 * 30f32.to_radians().cos(),
            a[1] + 300.0 * 30f32.to_radians().sin(),
        ];
        let cs = vec![cand(
            "Bergstrasse",
            Kind::Road,
            1.0,
            Shape::Line(vec![world(&f, a), world(&f, b)]),
        )];
        let placed = place(&cs, &[Some([70.0, 13.0])], &f);
        assert_eq!(placed.len(), 1);
        let deg = placed[0].angle.to_degrees();
        assert!((deg + 30.0).abs() < 0.5, "{deg}");
        // Its centre is on the line's middle.
        let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
        assert!((placed[0].center[0] - mid[0]).abs() < 1.0);
        assert!((placed[0].center[1] - mid[1]).abs() < 1.0);
    }

    #[test]
    fn a_bent_or_short_line_gets_no_label_and_labels_stay_in_the_view() {
        let f = frame();
        let zigzag: Vec<[f64; 2]> = (0..20)
            .map(|i| world(&f, [100.0 + i as f32 * 10.0, 300.0 + (i % 2) as f32 * 10.0]))
            .collect();
        let short = vec![world(&f, [100.0, 100.0]), world(&f, [130.0, 100.0])];
        let edge = world(&f, [795.0, 300.0]);
        let cs = vec![
            cand("Zigzag", Kind::Road, 1.0, Shape::Line(zigzag)),
            cand("Short", Kind::Road, 1.0, Shape::Line(short)),
            cand("Edge", Kind::Place, 1.0, Shape::Point(edge)),
        ];
        let placed = place(&cs, &[Some([60.0, 13.0]); 3], &f);
        assert!(placed.is_empty(), "{placed:?}");
    }

    #[test]
    fn the_same_road_name_is_not_repeated_nearby() {
        let f = frame();
        let piece = |y: f32| Shape::Line(vec![world(&f, [300.0, y]), world(&f, [500.0, y])]);
        let cs = vec![
            cand("Aulestrasse", Kind::Road, 2.0, piece(300.0)),
            cand("Aulestrasse", Kind::Road, 2.0, piece(330.0)),
            cand("Aulestrasse", Kind::Road, 2.0, piece(450.0)),
            cand("Kirchstrasse", Kind::Road, 2.0, piece(450.0)),
        ];
        let placed = place(&cs, &[Some([70.0, 13.0]); 4], &f);
        // One Aulestrasse (the pieces are within 260 px), and Kirchstrasse beside it.
        assert_eq!(placed.len(), 2, "{placed:?}");
    }

    #[test]
    fn a_thousand_candidates_are_placed_fast_without_overlap() {
        let f = frame();
        let mut cs = Vec::new();
        let mut seed = 7u32;
        let mut rnd = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (seed >> 8) as f32 / (1u32 << 24) as f32
        };
        for i in 0..1000 {
            let p = [rnd() * 800.0, rnd() * 600.0];
            let shape = if i % 2 == 0 {
                Shape::Point(world(&f, p))
            } else {
                let (a, l) = (rnd() * std::f32::consts::TAU, 80.0 + rnd() * 200.0);
                let q = [p[0] + a.cos() * l, p[1] + a.sin() * l];
                Shape::Line(vec![
                    world(&f, p),
                    world(&f, [(p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0]),
                    world(&f, q),
                ])
            };
            let kind = [Kind::Place, Kind::Road, Kind::Water][i % 3];
            cs.push(cand(&format!("name {i}"), kind, rnd() * 10.0, shape));
        }
        let sizes: Vec<_> = (0..1000)
            .map(|i| Some([40.0 + (i % 7) as f32 * 10.0, 13.0]))
            .collect();
        let start = std::time::Instant::now();
        let placed = place(&cs, &sizes, &f);
        let took = start.elapsed();
        assert!(placed.len() > 50, "{}", placed.len());
        assert!(!overlapping(&placed));
        // 2 ms in a release build (benches/vector_tile.rs); generous for debug builds.
        assert!(took.as_millis() < 100, "{took:?}");
    }
}
