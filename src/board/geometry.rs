//! Shape geometry in image pixels: bounds, hit distance, moving and resizing. Shared by
//! the board's tools and the figure renderer.

use crate::case::comparison::Shape;

/// A resize grip on a shape's bounding box, or a vertex of a point list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handle {
    /// Corners of the bounds, clockwise from top-left.
    Corner(u8),
    /// One vertex of a polygon, freehand stroke or arrow (0 = arrow tail).
    Vertex(usize),
}

/// (x0, y0, x1, y1) around the shape.
pub fn bounds(shape: &Shape) -> [f64; 4] {
    match shape {
        Shape::Rectangle { x, y, w, h } => [*x, *y, x + w, y + h],
        Shape::Ellipse { cx, cy, rx, ry } => [cx - rx, cy - ry, cx + rx, cy + ry],
        Shape::Point { x, y } | Shape::Text { x, y, .. } => [*x, *y, *x, *y],
        Shape::Arrow { from, to } => points_bounds(&[*from, *to]),
        Shape::Polygon { points } | Shape::Freehand { points } => points_bounds(points),
    }
}

fn points_bounds(points: &[[f64; 2]]) -> [f64; 4] {
    points.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        },
    )
}

/// Where a shape's number badge and label go: its top-left corner (a point's or a text's
/// own position).
pub fn anchor(shape: &Shape) -> [f64; 2] {
    let b = bounds(shape);
    [b[0], b[1]]
}

/// Distance in image pixels from `p` to the shape's outline, or 0 inside a filled area
/// (rectangle, ellipse, polygon), so a click anywhere on a region selects it.
pub fn distance(shape: &Shape, p: [f64; 2]) -> f64 {
    match shape {
        Shape::Rectangle { x, y, w, h } => {
            let dx = (x - p[0]).max(p[0] - (x + w)).max(0.0);
            let dy = (y - p[1]).max(p[1] - (y + h)).max(0.0);
            dx.hypot(dy)
        }
        Shape::Ellipse { cx, cy, rx, ry } => {
            let nx = (p[0] - cx) / rx;
            let ny = (p[1] - cy) / ry;
            let r = nx.hypot(ny);
            if r <= 1.0 {
                0.0
            } else {
                // Radial distance to the outline: exact for circles, close enough to pick.
                (r - 1.0) * rx.min(*ry).max((p[0] - cx).hypot(p[1] - cy) / r)
            }
        }
        Shape::Point { x, y } | Shape::Text { x, y, .. } => (p[0] - x).hypot(p[1] - y),
        Shape::Arrow { from, to } => segment_distance(p, *from, *to),
        Shape::Freehand { points } => polyline_distance(p, points, false),
        Shape::Polygon { points } => {
            if inside_polygon(p, points) {
                0.0
            } else {
                polyline_distance(p, points, true)
            }
        }
    }
}

fn polyline_distance(p: [f64; 2], points: &[[f64; 2]], closed: bool) -> f64 {
    let n = points.len();
    let segments = if closed { n } else { n.saturating_sub(1) };
    (0..segments)
        .map(|i| segment_distance(p, points[i], points[(i + 1) % n]))
        .fold(f64::INFINITY, f64::min)
}

fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p[0] - (a[0] + t * dx)).hypot(p[1] - (a[1] + t * dy))
}

fn inside_polygon(p: [f64; 2], points: &[[f64; 2]]) -> bool {
    let mut inside = false;
    let n = points.len();
    for i in 0..n {
        let (a, b) = (points[i], points[(i + n - 1) % n]);
        if (a[1] > p[1]) != (b[1] > p[1])
            && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]
        {
            inside = !inside;
        }
    }
    inside
}

/// The shape moved by (dx, dy) image pixels.
pub fn translated(shape: &Shape, dx: f64, dy: f64) -> Shape {
    let m = |p: &[f64; 2]| [p[0] + dx, p[1] + dy];
    match shape {
        Shape::Rectangle { x, y, w, h } => Shape::Rectangle {
            x: x + dx,
            y: y + dy,
            w: *w,
            h: *h,
        },
        Shape::Ellipse { cx, cy, rx, ry } => Shape::Ellipse {
            cx: cx + dx,
            cy: cy + dy,
            rx: *rx,
            ry: *ry,
        },
        Shape::Point { x, y } => Shape::Point {
            x: x + dx,
            y: y + dy,
        },
        Shape::Text { x, y, text } => Shape::Text {
            x: x + dx,
            y: y + dy,
            text: text.clone(),
        },
        Shape::Arrow { from, to } => Shape::Arrow {
            from: m(from),
            to: m(to),
        },
        Shape::Polygon { points } => Shape::Polygon {
            points: points.iter().map(m).collect(),
        },
        Shape::Freehand { points } => Shape::Freehand {
            points: points.iter().map(m).collect(),
        },
    }
}

/// The four corners of a box `[x0, y0, x1, y1]`, in order round it from `(x0, y0)`:
/// corner `i` is [`Handle::Corner`]`(i)`, and the opposite corner is `i + 2`.
pub fn corners(b: [f64; 4]) -> [[f64; 2]; 4] {
    [[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]]]
}

/// The grips a selected shape offers, with their image positions.
pub fn handles(shape: &Shape) -> Vec<(Handle, [f64; 2])> {
    match shape {
        Shape::Rectangle { .. } | Shape::Ellipse { .. } => {
            let c = corners(bounds(shape));
            (0..4u8)
                .map(|i| (Handle::Corner(i), c[usize::from(i)]))
                .collect()
        }
        Shape::Arrow { from, to } => vec![(Handle::Vertex(0), *from), (Handle::Vertex(1), *to)],
        Shape::Polygon { points } => points
            .iter()
            .enumerate()
            .map(|(i, p)| (Handle::Vertex(i), *p))
            .collect(),
        Shape::Point { .. } | Shape::Text { .. } | Shape::Freehand { .. } => Vec::new(),
    }
}

/// The shape with `handle` dragged to `p`. Boxes keep the opposite corner fixed and never
/// shrink below one pixel, so a resize cannot produce a shape that fails validation.
pub fn resized(shape: &Shape, handle: Handle, p: [f64; 2]) -> Shape {
    match (shape, handle) {
        (Shape::Rectangle { .. } | Shape::Ellipse { .. }, Handle::Corner(c)) => {
            let fixed = corners(bounds(shape))[usize::from((c % 4 + 2) % 4)];
            let boxed = box_between(fixed, p);
            match shape {
                Shape::Ellipse { .. } => ellipse_in(boxed),
                _ => rectangle_in(boxed),
            }
        }
        (Shape::Arrow { from, to }, Handle::Vertex(i)) => Shape::Arrow {
            from: if i == 0 { p } else { *from },
            to: if i == 0 { *to } else { p },
        },
        (Shape::Polygon { points }, Handle::Vertex(i)) if i < points.len() => {
            let mut points = points.clone();
            points[i] = p;
            Shape::Polygon { points }
        }
        _ => shape.clone(),
    }
}

/// (x0, y0, x1, y1) spanned by two corners, at least one pixel each way.
pub fn box_between(a: [f64; 2], b: [f64; 2]) -> [f64; 4] {
    let x0 = a[0].min(b[0]);
    let y0 = a[1].min(b[1]);
    [
        x0,
        y0,
        a[0].max(b[0]).max(x0 + 1.0),
        a[1].max(b[1]).max(y0 + 1.0),
    ]
}

pub fn rectangle_in(b: [f64; 4]) -> Shape {
    Shape::Rectangle {
        x: b[0],
        y: b[1],
        w: b[2] - b[0],
        h: b[3] - b[1],
    }
}

pub fn ellipse_in(b: [f64; 4]) -> Shape {
    Shape::Ellipse {
        cx: (b[0] + b[2]) / 2.0,
        cy: (b[1] + b[3]) / 2.0,
        rx: (b[2] - b[0]) / 2.0,
        ry: (b[3] - b[1]) / 2.0,
    }
}

/// Points along an ellipse outline, for renderers that draw polylines.
pub fn ellipse_points(cx: f64, cy: f64, rx: f64, ry: f64, segments: usize) -> Vec<[f64; 2]> {
    (0..segments)
        .map(|i| {
            let t = i as f64 / segments as f64 * std::f64::consts::TAU;
            [cx + rx * t.cos(), cy + ry * t.sin()]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clicks_inside_regions_and_near_outlines_hit() {
        let r = rectangle_in([10.0, 10.0, 50.0, 30.0]);
        assert_eq!(distance(&r, [20.0, 20.0]), 0.0);
        assert!((distance(&r, [60.0, 20.0]) - 10.0).abs() < 1e-9);
        let e = ellipse_in([0.0, 0.0, 20.0, 20.0]);
        assert_eq!(distance(&e, [10.0, 10.0]), 0.0);
        assert!((distance(&e, [25.0, 10.0]) - 5.0).abs() < 1e-9);
        let poly = Shape::Polygon {
            points: vec![[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]],
        };
        assert_eq!(distance(&poly, [2.0, 2.0]), 0.0);
        assert!(distance(&poly, [9.0, 9.0]) > 1.0);
        let arrow = Shape::Arrow {
            from: [0.0, 0.0],
            to: [10.0, 0.0],
        };
        assert!((distance(&arrow, [5.0, 3.0]) - 3.0).abs() < 1e-9);
    }

    #[test]
    fn resizing_keeps_the_opposite_corner_and_never_collapses() {
        let r = rectangle_in([10.0, 10.0, 50.0, 30.0]);
        assert_eq!(
            resized(&r, Handle::Corner(2), [70.0, 40.0]),
            rectangle_in([10.0, 10.0, 70.0, 40.0])
        );
        // Dragged past the opposite corner: the box flips instead of turning negative.
        assert_eq!(
            resized(&r, Handle::Corner(0), [60.0, 35.0]),
            rectangle_in([50.0, 30.0, 60.0, 35.0])
        );
        let tiny = resized(&r, Handle::Corner(2), [10.0, 10.0]);
        assert_eq!(tiny, rectangle_in([10.0, 10.0, 11.0, 11.0]));
        let moved = translated(&r, 5.0, -5.0);
        assert_eq!(bounds(&moved), [15.0, 5.0, 55.0, 25.0]);
    }
}
