//! The board's gestures as a state machine without egui: one pointer event on a panel,
//! in the panel's image pixels, changes the board's working copy and gesture and says
//! what the app must do (commit the gesture as one undo step, or report why it was
//! refused). The canvas turns egui's input into these events; unit tests drive every
//! tool through them.

use super::{BoardState, BoardTool, Gesture};
use crate::board::geometry::{self, Handle};
use crate::board::ops;
use crate::case::Finding;
use crate::case::comparison::{Panel, Shape};
use crate::ui::command::Command;
use crate::ui::command::{BoardCommand, ShellCommand};

/// Screen distance (points) within which a press picks an annotation, a grip or a mark.
pub const PICK_RADIUS: f64 = 7.0;
/// A drawn box or arrow shorter than this on screen (points) is a slip, not a shape.
const MIN_DRAG: f64 = 3.0;
/// Freehand keeps a new point once the pointer moved this far on screen (points).
const FREEHAND_STEP: f64 = 2.0;

/// What the pointer did on a panel, in image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PointerEvent {
    /// A primary-button drag began where the button went down.
    DragStart([f64; 2]),
    /// The drag moved here.
    DragTo([f64; 2]),
    DragEnd,
    /// A primary click (`double`: the second of a double click).
    Click {
        at: [f64; 2],
        double: bool,
    },
}

/// One pointer event on `panel` with `tool`, the panel drawn at `zoom` screen points per
/// image pixel. Returns the command the app must run, if any.
pub fn on_pointer(
    b: &mut BoardState,
    panel: &Panel,
    tool: BoardTool,
    zoom: f64,
    event: PointerEvent,
) -> Option<Command> {
    match event {
        PointerEvent::DragStart(at) => {
            begin_drag(b, panel, tool, at, zoom);
            None
        }
        PointerEvent::DragTo(at) => {
            continue_drag(b, at, zoom);
            None
        }
        PointerEvent::DragEnd => finish_drag(b, zoom),
        PointerEvent::Click { at, double } => click(b, panel, tool, at, zoom, double),
    }
}

/// The annotation on `panel` under image point `p`, nearest first.
/// (`frame`: the frame a video panel shows; annotations of other frames are not there.)
fn pick(
    finding: &Finding,
    panel: &str,
    frame: Option<u64>,
    p: [f64; 2],
    zoom: f64,
) -> Option<String> {
    finding
        .annotations
        .iter()
        .rev()
        .filter(|a| a.panel == panel && a.shows_on(frame))
        .map(|a| (geometry::distance(&a.shape, p) * zoom, a))
        .filter(|(d, _)| *d <= PICK_RADIUS)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, a)| a.id.clone())
}

fn pick_handle(
    finding: &Finding,
    selected: &str,
    p: [f64; 2],
    zoom: f64,
) -> Option<(Handle, Shape)> {
    let a = finding.annotations.iter().find(|a| a.id == selected)?;
    geometry::handles(&a.shape)
        .into_iter()
        .find(|(_, h)| (h[0] - p[0]).hypot(h[1] - p[1]) * zoom <= PICK_RADIUS)
        .map(|(handle, _)| (handle, a.shape.clone()))
}

fn begin_drag(b: &mut BoardState, panel: &Panel, tool: BoardTool, start: [f64; 2], zoom: f64) {
    let frame = b.video_frames.get(&panel.id).map(|fr| fr.index);
    let Some(f) = &b.working else { return };
    // A shadow mark under the pointer is dragged with the Select tool.
    let shadow_mark = f
        .shadows
        .iter()
        .filter(|m| m.panel == panel.id)
        .flat_map(|m| {
            m.points().into_iter().enumerate().map(move |(i, q)| {
                (
                    m.id.clone(),
                    i,
                    (q[0] - start[0]).hypot(q[1] - start[1]) * zoom,
                )
            })
        })
        .filter(|(_, _, d)| *d <= PICK_RADIUS)
        .min_by(|a, b| a.2.total_cmp(&b.2));
    if tool == BoardTool::Select
        && let Some((id, mark, _)) = shadow_mark
    {
        b.selected = Some(id.clone());
        b.gesture = Some(Gesture::MoveShadowMark { id, mark });
        return;
    }
    b.gesture = match tool {
        BoardTool::Select => {
            let on_handle = b
                .selected
                .as_deref()
                .filter(|id| {
                    f.annotations
                        .iter()
                        .any(|a| a.id == *id && a.panel == panel.id)
                })
                .and_then(|id| pick_handle(f, id, start, zoom).map(|h| (id.to_owned(), h)));
            if let Some((id, (handle, original))) = on_handle {
                Some(Gesture::Resize {
                    id,
                    handle,
                    original,
                })
            } else if let Some(id) = pick(f, &panel.id, frame, start, zoom) {
                let original = f
                    .annotations
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| a.shape.clone());
                b.selected = Some(id.clone());
                original.map(|original| Gesture::Move {
                    id,
                    grab: start,
                    original,
                })
            } else {
                Some(Gesture::Pan)
            }
        }
        BoardTool::Rectangle | BoardTool::Ellipse | BoardTool::Arrow | BoardTool::Freehand => {
            Some(Gesture::Draw {
                panel: panel.id.clone(),
                tool,
                start,
                points: vec![start],
            })
        }
        _ => None,
    };
}

fn continue_drag(b: &mut BoardState, p: [f64; 2], zoom: f64) {
    match &mut b.gesture {
        Some(Gesture::Draw { points, tool, .. }) => {
            if *tool == BoardTool::Freehand {
                let far = points
                    .last()
                    .is_none_or(|q| (q[0] - p[0]).hypot(q[1] - p[1]) * zoom >= FREEHAND_STEP);
                if far {
                    points.push(p);
                }
            } else {
                points.truncate(1);
                points.push(p);
            }
        }
        Some(Gesture::MoveShadowMark { id, mark }) => {
            if let Some(m) = b
                .working
                .as_mut()
                .and_then(|f| f.shadows.iter_mut().find(|m| m.id == *id))
            {
                m.set_point(*mark, p);
            }
        }
        Some(Gesture::Move { id, grab, original }) => {
            let moved = geometry::translated(original, p[0] - grab[0], p[1] - grab[1]);
            if let Some(a) = b.working.as_mut().and_then(|f| ops::annotation_mut(f, id)) {
                a.shape = moved;
            }
        }
        Some(Gesture::Resize {
            id,
            handle,
            original,
        }) => {
            let resized = geometry::resized(original, *handle, p);
            if let Some(a) = b.working.as_mut().and_then(|f| ops::annotation_mut(f, id)) {
                a.shape = resized;
            }
        }
        Some(Gesture::Pan) | None => {}
    }
}

fn finish_drag(b: &mut BoardState, zoom: f64) -> Option<Command> {
    let gesture = b.gesture.take()?;
    match gesture {
        Gesture::Draw {
            panel,
            tool,
            start,
            points,
        } => {
            let end = *points.last().unwrap_or(&start);
            let big_enough =
                (end[0] - start[0]).abs().max((end[1] - start[1]).abs()) * zoom >= MIN_DRAG;
            let shape = match tool {
                BoardTool::Rectangle if big_enough => {
                    Some(geometry::rectangle_in(geometry::box_between(start, end)))
                }
                BoardTool::Ellipse if big_enough => {
                    Some(geometry::ellipse_in(geometry::box_between(start, end)))
                }
                BoardTool::Arrow if big_enough => Some(Shape::Arrow {
                    from: start,
                    to: end,
                }),
                BoardTool::Freehand if points.len() >= 2 => Some(Shape::Freehand { points }),
                _ => None,
            };
            add_and_commit(b, &panel, shape?)
        }
        Gesture::Move { .. } | Gesture::Resize { .. } | Gesture::MoveShadowMark { .. } => {
            Some(Command::Board(BoardCommand::Commit))
        }
        Gesture::Pan => None,
    }
}

/// One more shadow mark; the last one (third on a photo, second on a north-up map
/// snapshot) stores the measurement.
fn shadow_click(b: &mut BoardState, panel: &Panel, p: [f64; 2]) -> Option<Command> {
    let top_down = matches!(
        panel.source,
        crate::case::comparison::PanelSource::MapSnapshot { .. }
    );
    let marks = match &mut b.shadow_marks {
        Some((id, marks)) if *id == panel.id => {
            marks.push(p);
            marks.clone()
        }
        _ => {
            b.shadow_marks = Some((panel.id.clone(), vec![p]));
            return None;
        }
    };
    let complete = match (top_down, marks.as_slice()) {
        (true, [object, tip]) => Some(crate::sun::ShadowMarks::Bearing {
            object: *object,
            tip: *tip,
        }),
        (false, [base, top, tip]) => Some(crate::sun::ShadowMarks::Ratio {
            base: *base,
            top: *top,
            tip: *tip,
        }),
        _ => None,
    };
    let (marks, f) = (complete?, b.working.as_mut()?);
    let id = ops::add_shadow(f, &panel.id, marks);
    b.shadow_marks = None;
    b.selected = Some(id);
    Some(Command::Board(BoardCommand::Commit))
}

fn add_and_commit(b: &mut BoardState, panel: &str, shape: Shape) -> Option<Command> {
    let category = b.category;
    // The Redact tool's shapes hide; a brush's width is kept in image pixels.
    let redaction = (b.tool() == BoardTool::Redact).then(|| {
        let zoom = b.transforms.get(panel).map_or(1.0, |t| t.zoom);
        crate::case::comparison::Redaction {
            method: b.redact.method,
            brush_px: matches!(shape, Shape::Freehand { .. })
                .then(|| b.redact.brush_pt / zoom.max(1e-9)),
        }
    });
    let f = b.working.as_mut()?;
    {
        let id = ops::add_annotation(f, panel, shape, category);
        if let Some(a) = ops::annotation_mut(f, &id) {
            a.redaction = redaction;
        }
        // On a video panel the annotation belongs to the frame it was drawn on.
        if let Some(frame) = b.video_frames.get(panel)
            && let Some(a) = ops::annotation_mut(f, &id)
        {
            a.frame = Some(*frame);
        }
        b.selected = Some(id);
    }
    Some(Command::Board(BoardCommand::Commit))
}

fn click(
    b: &mut BoardState,
    panel: &Panel,
    tool: BoardTool,
    p: [f64; 2],
    zoom: f64,
    double: bool,
) -> Option<Command> {
    let f = b.working.clone()?;
    let frame = b.video_frames.get(&panel.id).map(|fr| fr.index);
    match tool {
        BoardTool::Select | BoardTool::Pan => {
            b.selected = pick(&f, &panel.id, frame, p, zoom);
            None
        }
        BoardTool::Point => add_and_commit(b, &panel.id, Shape::Point { x: p[0], y: p[1] }),
        BoardTool::Text => add_and_commit(
            b,
            &panel.id,
            Shape::Text {
                x: p[0],
                y: p[1],
                text: "Text".into(),
            },
        ),
        BoardTool::Polygon if double => close_polygon(b),
        BoardTool::Polygon => {
            match &mut b.polygon {
                Some((id, points)) if *id == panel.id => {
                    let first = points[0];
                    if points.len() >= 3
                        && (first[0] - p[0]).hypot(first[1] - p[1]) * zoom <= PICK_RADIUS
                    {
                        return close_polygon(b);
                    }
                    points.push(p);
                }
                _ => b.polygon = Some((panel.id.clone(), vec![p])),
            }
            None
        }
        BoardTool::Shadow => shadow_click(b, panel, p),
        BoardTool::Link => {
            let Some(hit) = pick(&f, &panel.id, frame, p, zoom) else {
                b.link_from = None;
                return None;
            };
            if f.annotations
                .iter()
                .any(|a| a.id == hit && a.redaction.is_some())
            {
                return Some(Command::Shell(ShellCommand::Report(format!(
                    "{hit} is a redaction: only features can be linked"
                ))));
            }
            match b.link_from.take() {
                Some(first) if first != hit => match ops::link(b.working.as_mut()?, &first, &hit) {
                    Ok(_) => {
                        b.selected = Some(hit);
                        Some(Command::Board(BoardCommand::Commit))
                    }
                    Err(e) => {
                        b.link_from = Some(hit);
                        Some(Command::Shell(ShellCommand::Report(e.to_string())))
                    }
                },
                _ => {
                    b.selected = Some(hit.clone());
                    b.link_from = Some(hit);
                    None
                }
            }
        }
        _ => None,
    }
}

/// Turns the polygon being placed into an annotation (needs three corners).
pub fn close_polygon(b: &mut BoardState) -> Option<Command> {
    let (panel, mut points) = b.polygon.take()?;
    points.dedup();
    if points.len() < 3 {
        return None;
    }
    add_and_commit(b, &panel, Shape::Polygon { points })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::FindingKind;
    use crate::case::comparison::PanelSource;

    const ZOOM: f64 = 1.0;

    /// A board with two photo panels (P1, P2) and a map snapshot (P3).
    fn board() -> BoardState {
        let mut f = Finding::new(FindingKind::Comparison, "gestures");
        for sha in ["a", "b"] {
            f.add_panel(PanelSource::Evidence {
                sha256: sha.repeat(64),
            });
        }
        f.add_panel(PanelSource::MapSnapshot {
            file: "snapshots/x.png".into(),
            sha256: "c".repeat(64),
            west: 0.0,
            south: 0.0,
            east: 1.0,
            north: 1.0,
            zoom: 10.0,
            basemap: "test".into(),
            taken_at: chrono::Utc::now(),
        });
        let mut b = BoardState::default();
        b.open(&f);
        b
    }

    fn panel(b: &BoardState, i: usize) -> Panel {
        b.working.as_ref().unwrap().panels[i].clone()
    }

    fn annotations(b: &BoardState) -> &[crate::case::comparison::Annotation] {
        &b.working.as_ref().unwrap().annotations
    }

    fn drag(b: &mut BoardState, tool: BoardTool, from: [f64; 2], to: [f64; 2]) -> Option<Command> {
        let p = panel(b, 0);
        assert!(on_pointer(b, &p, tool, ZOOM, PointerEvent::DragStart(from)).is_none());
        assert!(on_pointer(b, &p, tool, ZOOM, PointerEvent::DragTo(to)).is_none());
        on_pointer(b, &p, tool, ZOOM, PointerEvent::DragEnd)
    }

    fn click_at(b: &mut BoardState, i: usize, tool: BoardTool, at: [f64; 2]) -> Option<Command> {
        let p = panel(b, i);
        on_pointer(b, &p, tool, ZOOM, PointerEvent::Click { at, double: false })
    }

    /// The first annotation's rectangle as x, y, w, h.
    fn rectangle(b: &BoardState) -> [f64; 4] {
        match annotations(b)[0].shape {
            Shape::Rectangle { x, y, w, h } => [x, y, w, h],
            ref other => panic!("not a rectangle: {other:?}"),
        }
    }

    fn commits(c: Option<Command>) -> bool {
        matches!(c, Some(Command::Board(BoardCommand::Commit)))
    }

    #[test]
    fn dragging_a_drawing_tool_adds_one_shape_and_commits() {
        for (tool, want) in [
            (BoardTool::Rectangle, "rectangle"),
            (BoardTool::Ellipse, "ellipse"),
            (BoardTool::Arrow, "arrow"),
        ] {
            let mut b = board();
            assert!(
                commits(drag(&mut b, tool, [10.0, 10.0], [60.0, 40.0])),
                "{tool:?}"
            );
            let a = &annotations(&b)[0];
            let kind = match a.shape {
                Shape::Rectangle { x, y, w, h } => {
                    assert_eq!([x, y, w, h], [10.0, 10.0, 50.0, 30.0]);
                    "rectangle"
                }
                Shape::Ellipse { cx, cy, rx, ry } => {
                    assert_eq!([cx, cy, rx, ry], [35.0, 25.0, 25.0, 15.0]);
                    "ellipse"
                }
                Shape::Arrow { from, to } => {
                    assert_eq!((from, to), ([10.0, 10.0], [60.0, 40.0]));
                    "arrow"
                }
                _ => "other",
            };
            assert_eq!(kind, want);
            assert_eq!(a.panel, "P1");
            assert_eq!(b.selected.as_deref(), Some(a.id.as_str()));
            assert!(b.gesture.is_none(), "the gesture ends with the drag");
        }
    }

    #[test]
    fn a_slip_of_the_pointer_draws_nothing() {
        for tool in [BoardTool::Rectangle, BoardTool::Ellipse, BoardTool::Arrow] {
            let mut b = board();
            // Two image pixels at zoom 1 is under the 3-point threshold.
            assert!(drag(&mut b, tool, [10.0, 10.0], [12.0, 11.0]).is_none());
            assert!(annotations(&b).is_empty(), "{tool:?}");
        }
        // At zoom 4 the same two pixels are eight points: a shape.
        let mut b = board();
        let p = panel(&b, 0);
        let tool = BoardTool::Rectangle;
        on_pointer(&mut b, &p, tool, 4.0, PointerEvent::DragStart([10.0, 10.0]));
        on_pointer(&mut b, &p, tool, 4.0, PointerEvent::DragTo([12.0, 11.0]));
        assert!(commits(on_pointer(
            &mut b,
            &p,
            tool,
            4.0,
            PointerEvent::DragEnd
        )));
    }

    #[test]
    fn freehand_keeps_points_a_screen_step_apart() {
        let mut b = board();
        let p = panel(&b, 0);
        let tool = BoardTool::Freehand;
        on_pointer(&mut b, &p, tool, ZOOM, PointerEvent::DragStart([0.0, 0.0]));
        for x in [0.5, 1.0, 3.0, 3.5, 6.0] {
            on_pointer(&mut b, &p, tool, ZOOM, PointerEvent::DragTo([x, 0.0]));
        }
        assert!(commits(on_pointer(
            &mut b,
            &p,
            tool,
            ZOOM,
            PointerEvent::DragEnd
        )));
        let Shape::Freehand { points } = &annotations(&b)[0].shape else {
            panic!("not freehand");
        };
        assert_eq!(points, &[[0.0, 0.0], [3.0, 0.0], [6.0, 0.0]]);
    }

    #[test]
    fn point_and_text_are_placed_by_a_click() {
        let mut b = board();
        assert!(commits(click_at(&mut b, 1, BoardTool::Point, [5.0, 6.0])));
        assert!(commits(click_at(&mut b, 1, BoardTool::Text, [7.0, 8.0])));
        let a = annotations(&b);
        assert!(matches!(a[0].shape, Shape::Point { x: 5.0, y: 6.0 }));
        assert!(matches!(&a[1].shape, Shape::Text { x: 7.0, y: 8.0, text } if text == "Text"));
        assert!(a.iter().all(|a| a.panel == "P2"));
    }

    #[test]
    fn a_polygon_closes_on_its_first_corner_or_a_double_click() {
        let mut b = board();
        let tool = BoardTool::Polygon;
        for at in [[0.0, 0.0], [100.0, 0.0], [100.0, 100.0]] {
            assert!(click_at(&mut b, 0, tool, at).is_none());
        }
        assert_eq!(b.polygon.as_ref().unwrap().1.len(), 3);
        // Within the pick radius of the first corner: closed, not a fourth corner.
        assert!(commits(click_at(&mut b, 0, tool, [3.0, 2.0])));
        assert!(b.polygon.is_none());
        assert!(
            matches!(&annotations(&b)[0].shape, Shape::Polygon { points } if points.len() == 3)
        );

        // A double click closes too; with only two corners it adds nothing.
        let p = panel(&b, 0);
        click_at(&mut b, 0, tool, [0.0, 0.0]);
        click_at(&mut b, 0, tool, [50.0, 0.0]);
        let double = PointerEvent::Click {
            at: [50.0, 0.0],
            double: true,
        };
        assert!(on_pointer(&mut b, &p, tool, ZOOM, double).is_none());
        assert_eq!(annotations(&b).len(), 1);
        for at in [[0.0, 0.0], [50.0, 0.0], [50.0, 50.0]] {
            click_at(&mut b, 0, tool, at);
        }
        assert!(commits(on_pointer(&mut b, &p, tool, ZOOM, double)));
        assert_eq!(annotations(&b).len(), 2);
    }

    #[test]
    fn select_picks_moves_and_resizes() {
        let mut b = board();
        drag(&mut b, BoardTool::Rectangle, [10.0, 10.0], [60.0, 40.0]);
        b.selected = None;
        // A click on the outline picks it; a click far away picks nothing.
        click_at(&mut b, 0, BoardTool::Select, [10.0, 25.0]);
        assert_eq!(b.selected.as_deref(), Some("A1"));
        click_at(&mut b, 0, BoardTool::Select, [300.0, 300.0]);
        assert_eq!(b.selected, None);
        // A drag on it moves it by the drag, as one committed step.
        let select = BoardTool::Select;
        assert!(commits(drag(&mut b, select, [10.0, 25.0], [20.0, 45.0])));
        assert_eq!(rectangle(&b), [20.0, 30.0, 50.0, 30.0]);
        // Now selected: a drag on its corner resizes it.
        assert!(commits(drag(&mut b, select, [70.0, 60.0], [90.0, 70.0])));
        assert_eq!(rectangle(&b), [20.0, 30.0, 70.0, 40.0]);
        // A drag on nothing pans (no edit, no command).
        let p = panel(&b, 0);
        on_pointer(
            &mut b,
            &p,
            BoardTool::Select,
            ZOOM,
            PointerEvent::DragStart([300.0, 300.0]),
        );
        assert_eq!(b.gesture, Some(Gesture::Pan));
        assert!(on_pointer(&mut b, &p, BoardTool::Select, ZOOM, PointerEvent::DragEnd).is_none());
    }

    #[test]
    fn the_pan_tool_selects_on_click_and_starts_no_gesture() {
        let mut b = board();
        click_at(&mut b, 0, BoardTool::Point, [40.0, 40.0]);
        b.selected = None;
        click_at(&mut b, 0, BoardTool::Pan, [41.0, 40.0]);
        assert_eq!(b.selected.as_deref(), Some("A1"));
        let p = panel(&b, 0);
        on_pointer(
            &mut b,
            &p,
            BoardTool::Pan,
            ZOOM,
            PointerEvent::DragStart([41.0, 40.0]),
        );
        assert_eq!(b.gesture, None, "the canvas pans the view itself");
    }

    #[test]
    fn link_joins_two_annotations_and_refuses_a_redaction() {
        let mut b = board();
        click_at(&mut b, 0, BoardTool::Point, [10.0, 10.0]);
        click_at(&mut b, 1, BoardTool::Point, [20.0, 20.0]);
        assert!(click_at(&mut b, 0, BoardTool::Link, [10.0, 10.0]).is_none());
        assert_eq!(b.link_from.as_deref(), Some("A1"));
        assert!(commits(click_at(&mut b, 1, BoardTool::Link, [20.0, 20.0])));
        let links = &b.working.as_ref().unwrap().links;
        assert_eq!((links[0].a.as_str(), links[0].b.as_str()), ("A1", "A2"));
        // A click on nothing forgets the first side.
        click_at(&mut b, 0, BoardTool::Link, [10.0, 10.0]);
        click_at(&mut b, 0, BoardTool::Link, [400.0, 400.0]);
        assert_eq!(b.link_from, None);
        // A redaction is never a feature.
        b.tool = Some(BoardTool::Redact);
        click_at(&mut b, 1, BoardTool::Point, [80.0, 80.0]);
        b.tool = None;
        let refused = click_at(&mut b, 1, BoardTool::Link, [80.0, 80.0]);
        assert!(
            matches!(refused, Some(Command::Shell(ShellCommand::Report(m))) if m.contains("redaction"))
        );
    }

    #[test]
    fn shadow_marks_three_points_on_a_photo_and_two_on_a_map_snapshot() {
        let mut b = board();
        assert!(click_at(&mut b, 0, BoardTool::Shadow, [10.0, 100.0]).is_none());
        assert!(click_at(&mut b, 0, BoardTool::Shadow, [10.0, 50.0]).is_none());
        assert!(commits(click_at(
            &mut b,
            0,
            BoardTool::Shadow,
            [60.0, 100.0]
        )));
        let shadows = &b.working.as_ref().unwrap().shadows;
        assert!(matches!(
            shadows[0].marks,
            crate::sun::ShadowMarks::Ratio { .. }
        ));
        assert!(b.shadow_marks.is_none());

        assert!(click_at(&mut b, 2, BoardTool::Shadow, [5.0, 5.0]).is_none());
        assert!(commits(click_at(&mut b, 2, BoardTool::Shadow, [9.0, 5.0])));
        let shadows = &b.working.as_ref().unwrap().shadows;
        assert!(matches!(
            shadows[1].marks,
            crate::sun::ShadowMarks::Bearing { .. }
        ));
        assert_eq!(shadows[1].panel, "P3");

        // With Select, a drag on a mark moves that mark.
        let p = panel(&b, 0);
        on_pointer(
            &mut b,
            &p,
            BoardTool::Select,
            ZOOM,
            PointerEvent::DragStart([60.0, 100.0]),
        );
        assert!(matches!(
            b.gesture,
            Some(Gesture::MoveShadowMark { mark: 2, .. })
        ));
        on_pointer(
            &mut b,
            &p,
            BoardTool::Select,
            ZOOM,
            PointerEvent::DragTo([70.0, 100.0]),
        );
        assert!(commits(on_pointer(
            &mut b,
            &p,
            BoardTool::Select,
            ZOOM,
            PointerEvent::DragEnd
        )));
        let shadows = &b.working.as_ref().unwrap().shadows;
        assert!(matches!(
            shadows[0].marks,
            crate::sun::ShadowMarks::Ratio {
                tip: [70.0, 100.0],
                ..
            }
        ));
    }

    #[test]
    fn the_redact_tool_draws_shapes_that_hide() {
        let mut b = board();
        b.tool = Some(BoardTool::Redact);
        // The canvas passes the shape the Redact tool draws (a rectangle by default).
        let tool = b.tool().drawing(&b.redact);
        assert_eq!(tool, BoardTool::Rectangle);
        assert!(commits(drag(&mut b, tool, [0.0, 0.0], [30.0, 30.0])));
        let r = annotations(&b)[0].redaction.expect("a redaction");
        assert_eq!(r.method, b.redact.method);
        assert_eq!(r.brush_px, None, "only a brush stroke keeps a width");
    }
}
