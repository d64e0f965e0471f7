//! What an annotation looks like, as plain marks in output space (screen points on the
//! board, pixels in an exported figure). The board and the figure exporter both draw
//! these marks, so a figure shows annotations exactly as the board does.

use super::geometry::{self, ellipse_points};
use super::ops::{display_color, link_of};
use super::view::ViewTransform;
use crate::case::Finding;
use crate::case::comparison::{Annotation, Shape};

#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// A stroked polyline; `closed` joins the last point to the first.
    Line {
        points: Vec<[f64; 2]>,
        closed: bool,
        color: [u8; 3],
        width: f64,
    },
    /// A filled triangle (arrow heads).
    Triangle {
        points: [[f64; 2]; 3],
        color: [u8; 3],
    },
    /// A filled dot with a dark rim.
    Dot {
        center: [f64; 2],
        radius: f64,
        color: [u8; 3],
    },
    /// Text on a dark backing box, `pos` is the box's top-left corner.
    Label {
        pos: [f64; 2],
        text: String,
        color: [u8; 3],
        size: f64,
    },
    /// A linked feature's number in a disc of its colour.
    Badge {
        center: [f64; 2],
        number: u32,
        color: [u8; 3],
        radius: f64,
    },
}

/// Sizes in output units; scaled together for large figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarkStyle {
    pub stroke: f64,
    pub text: f64,
    pub badge: f64,
}

impl MarkStyle {
    pub const SCREEN: MarkStyle = MarkStyle {
        stroke: 2.0,
        text: 13.0,
        badge: 9.0,
    };

    pub fn scaled(self, factor: f64) -> MarkStyle {
        MarkStyle {
            stroke: self.stroke * factor,
            text: self.text * factor,
            badge: self.badge * factor,
        }
    }
}

/// The marks for one annotation seen through `view`.
pub fn annotation_marks(
    finding: &Finding,
    annotation: &Annotation,
    view: &ViewTransform,
    style: MarkStyle,
) -> Vec<Mark> {
    let color = display_color(finding, annotation);
    let s = |p: [f64; 2]| view.to_screen(p);
    let line = |points: Vec<[f64; 2]>, closed| Mark::Line {
        points,
        closed,
        color,
        width: style.stroke,
    };
    let mut marks = match &annotation.shape {
        Shape::Rectangle { x, y, w, h } => vec![line(
            vec![
                s([*x, *y]),
                s([x + w, *y]),
                s([x + w, y + h]),
                s([*x, y + h]),
            ],
            true,
        )],
        Shape::Ellipse { cx, cy, rx, ry } => vec![line(
            ellipse_points(*cx, *cy, *rx, *ry, 64)
                .into_iter()
                .map(s)
                .collect(),
            true,
        )],
        Shape::Polygon { points } => vec![line(points.iter().copied().map(s).collect(), true)],
        Shape::Freehand { points } => vec![line(points.iter().copied().map(s).collect(), false)],
        Shape::Point { x, y } => vec![Mark::Dot {
            center: s([*x, *y]),
            radius: style.stroke * 2.5,
            color,
        }],
        Shape::Arrow { from, to } => {
            let (a, b) = (s(*from), s(*to));
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let len = dx.hypot(dy).max(1e-9);
            let (ux, uy) = (dx / len, dy / len);
            let head = (style.stroke * 6.0).min(len * 0.5);
            let base = [b[0] - ux * head, b[1] - uy * head];
            let half = head * 0.5;
            vec![
                line(vec![a, base], false),
                Mark::Triangle {
                    points: [
                        b,
                        [base[0] - uy * half, base[1] + ux * half],
                        [base[0] + uy * half, base[1] - ux * half],
                    ],
                    color,
                },
            ]
        }
        Shape::Text { x, y, text } => vec![Mark::Label {
            pos: s([*x, *y]),
            text: text.clone(),
            color,
            size: style.text,
        }],
    };
    let corner = screen_top_left(&annotation.shape, view);
    let link = link_of(finding, &annotation.id);
    if let Some(l) = link {
        marks.push(Mark::Badge {
            center: [corner[0], corner[1]],
            number: l.number,
            color,
            radius: style.badge,
        });
    }
    if !annotation.label.is_empty() {
        let offset = if link.is_some() {
            style.badge * 1.3
        } else {
            0.0
        };
        marks.push(Mark::Label {
            pos: [corner[0] + offset, corner[1] - style.text * 1.6],
            text: annotation.label.clone(),
            color,
            size: style.text * 0.9,
        });
    }
    marks
}

/// The top-left corner of the shape's outline as drawn (rotation-aware), where badges go.
pub fn screen_top_left(shape: &Shape, view: &ViewTransform) -> [f64; 2] {
    let b = geometry::bounds(shape);
    let corners = geometry::corners(b).map(|p| view.to_screen(p));
    [
        corners.iter().map(|c| c[0]).fold(f64::INFINITY, f64::min),
        corners.iter().map(|c| c[1]).fold(f64::INFINITY, f64::min),
    ]
}

/// The middle of the shape's bounds in output space, where link lines attach.
pub fn screen_center(shape: &Shape, view: &ViewTransform) -> [f64; 2] {
    let b = geometry::bounds(shape);
    view.to_screen([(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0])
}

/// Black or white, whichever reads better on `color` (badge numbers).
pub fn ink_for(color: [u8; 3]) -> [u8; 3] {
    let luma =
        0.299 * f64::from(color[0]) + 0.587 * f64::from(color[1]) + 0.114 * f64::from(color[2]);
    if luma > 140.0 {
        [0, 0, 0]
    } else {
        [255, 255, 255]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::geometry::rectangle_in;
    use crate::board::ops;
    use crate::case::FindingKind;
    use crate::case::comparison::{Category, PanelSource};

    #[test]
    fn linked_annotations_carry_the_same_number_and_colour_on_both_sides() {
        let mut f = Finding::new(FindingKind::Comparison, "t");
        let src = PanelSource::Evidence {
            sha256: "b".repeat(64),
        };
        let p1 = ops::add_panel(&mut f, src.clone());
        let p2 = ops::add_panel(&mut f, src);
        let a = ops::add_annotation(
            &mut f,
            &p1,
            rectangle_in([10.0, 10.0, 20.0, 20.0]),
            Category::Clothing,
        );
        let b = ops::add_annotation(
            &mut f,
            &p2,
            rectangle_in([30.0, 30.0, 50.0, 40.0]),
            Category::Clothing,
        );
        ops::link(&mut f, &a, &b).unwrap();
        let view = ViewTransform::fit([100.0, 100.0], [200.0, 200.0], [100.0, 100.0], 0, false);
        let badge = |id: &str| {
            let ann = f.annotations.iter().find(|x| x.id == id).unwrap();
            annotation_marks(&f, ann, &view, MarkStyle::SCREEN)
                .into_iter()
                .find_map(|m| match m {
                    Mark::Badge {
                        number,
                        color,
                        center,
                        ..
                    } => Some((number, color, center)),
                    _ => None,
                })
                .unwrap()
        };
        let (na, ca, pa) = badge(&a);
        let (nb, cb, _) = badge(&b);
        assert_eq!((na, ca), (nb, cb));
        // Zoom 2, image (10,10) → screen (20,20): the badge sits on the shape's corner.
        assert_eq!(pa, [20.0, 20.0]);
    }
}
