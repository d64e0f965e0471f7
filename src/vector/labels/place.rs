//! Label placement for one view, in screen pixels: places first, then roads, then
//! water, each kind by rank; a point label is centred on its point (or just above or
//! below it), a line label runs along a straight-enough stretch of its line (turned to
//! read left to right); a label is dropped when its box would leave the view or overlap
//! a label already placed (the collision grid of `spatial::labels`), or when the same
//! text is already placed nearby (a road's name once per stretch, not once per tile).
//! Placement is per view, never per tile, so a label is never cut at a tile edge.

use std::collections::HashMap;

use super::{Candidate, Kind, Shape};
use crate::spatial::labels::{Bounds, Taken};

/// Space kept around a label's text (the halo is drawn inside it).
pub const PAD: f32 = 2.0;
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
    let mut taken = Taken::new(view);
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
                let dy = size[1] * 0.8;
                [0.0, -dy, dy]
                    .into_iter()
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
