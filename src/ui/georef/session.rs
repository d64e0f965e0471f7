//! What the analyst is doing in the georeference view, without egui: a click on the
//! image starts a point, a click on the map finishes it; a press on a point selects it
//! and a drag moves it (on either side); Delete removes the selected one. Each finished
//! gesture is one [`Change`] (one `Edit`, one undo step).

use crate::case::georeference::Georeference;
use crate::spatial::georef::{ControlPoint, Method};

/// Which half of the view a gesture is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Image,
    Map,
}

/// Where a dragged point is now: an image pixel, or latitude and longitude.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DragPos {
    Image([f64; 2]),
    Map(f64, f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointDrag {
    pub index: usize,
    pub side: Side,
    pub at: Option<DragPos>,
}

/// How the overlay is compared with the imagery under it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Compare {
    /// Drawn at the georeference's opacity.
    Opacity,
    /// Drawn only left of this fraction of the map's width.
    Swipe(f32),
    /// Shown and hidden twice a second.
    Blink,
}

/// A change to the control points, applied as one edit.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Add(ControlPoint),
    Move(usize, ControlPoint),
    Delete(usize),
    SetMethod(Method),
}

/// The image half's view: zoom 1 fits the image; `centre` is the image pixel at the
/// middle of the half.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageView {
    pub zoom: f64,
    pub centre: [f64; 2],
}

#[derive(Debug, Clone, PartialEq)]
pub struct GeorefSession {
    pub finding: String,
    pub panel: String,
    /// The image's size in pixels (EXIF orientation applied).
    pub size: [u32; 2],
    /// An image point clicked, waiting for its place on the map.
    pub pending: Option<[f64; 2]>,
    pub selected: Option<usize>,
    pub drag: Option<PointDrag>,
    pub view: ImageView,
    pub compare: Compare,
    /// The field of view for the camera estimate, degrees (starts from the evidence's).
    pub fov_deg: f64,
    pub fov_source: String,
    /// Where the whole image was drawn last frame (screen points).
    pub image_rect: Option<egui::Rect>,
}

impl GeorefSession {
    pub fn new(finding: &str, panel: &str, size: [u32; 2], fov: (f64, String)) -> GeorefSession {
        GeorefSession {
            finding: finding.to_owned(),
            panel: panel.to_owned(),
            size,
            pending: None,
            selected: None,
            drag: None,
            view: ImageView {
                zoom: 1.0,
                centre: [f64::from(size[0]) / 2.0, f64::from(size[1]) / 2.0],
            },
            compare: Compare::Opacity,
            fov_deg: fov.0,
            fov_source: fov.1,
            image_rect: None,
        }
    }

    /// A click on the image at pixel `px`; `hit` is the point within reach, if any.
    pub fn click_image(&mut self, px: [f64; 2], hit: Option<usize>) {
        if let Some(i) = hit {
            self.selected = Some(i);
            self.pending = None;
        } else if px[0] >= 0.0
            && px[1] >= 0.0
            && px[0] <= f64::from(self.size[0])
            && px[1] <= f64::from(self.size[1])
        {
            self.pending = Some(px);
            self.selected = None;
        }
    }

    /// A click on the map: finishes a pending point there, else selects (or clears).
    pub fn click_map(&mut self, lat: f64, lon: f64, hit: Option<usize>) -> Option<Change> {
        if let Some(px) = self.pending.take() {
            return Some(Change::Add(ControlPoint {
                x: px[0],
                y: px[1],
                lat,
                lon,
            }));
        }
        self.selected = hit;
        None
    }

    /// The primary button went down on point `hit` (if any) on `side`.
    pub fn press(&mut self, side: Side, hit: Option<usize>) {
        if let Some(index) = hit {
            self.selected = Some(index);
            self.drag = Some(PointDrag {
                index,
                side,
                at: None,
            });
        }
    }

    pub fn drag_to(&mut self, at: DragPos) {
        if let Some(d) = &mut self.drag {
            d.at = Some(at);
        }
    }

    /// The button came up: a drag that moved is one change.
    pub fn release(&mut self, points: &[ControlPoint]) -> Option<Change> {
        let drag = self.drag.take()?;
        let mut p = *points.get(drag.index)?;
        match drag.at? {
            DragPos::Image([x, y]) => {
                p.x = x.clamp(0.0, f64::from(self.size[0]));
                p.y = y.clamp(0.0, f64::from(self.size[1]));
            }
            DragPos::Map(lat, lon) => {
                p.lat = lat;
                p.lon = lon;
            }
        }
        (p != points[drag.index]).then_some(Change::Move(drag.index, p))
    }

    pub fn delete_selected(&mut self) -> Option<Change> {
        let i = self.selected.take()?;
        Some(Change::Delete(i))
    }

    /// Escape: forget the pending point and any drag.
    pub fn cancel(&mut self) {
        self.pending = None;
        self.drag = None;
    }

    /// Where point `i` is drawn now: its stored place, or where it is being dragged.
    pub fn shown(&self, i: usize, p: &ControlPoint) -> ControlPoint {
        let mut p = *p;
        if let Some(PointDrag {
            index,
            at: Some(at),
            ..
        }) = self.drag
            && index == i
        {
            match at {
                DragPos::Image([x, y]) => {
                    p.x = x;
                    p.y = y;
                }
                DragPos::Map(lat, lon) => {
                    p.lat = lat;
                    p.lon = lon;
                }
            }
        }
        p
    }
}

/// Applies a change to a georeference.
pub fn apply_change(g: &mut Georeference, change: Change) {
    match change {
        Change::Add(p) => g.points.push(p),
        Change::Move(i, p) => {
            if let Some(slot) = g.points.get_mut(i) {
                *slot = p;
            }
        }
        Change::Delete(i) => {
            if i < g.points.len() {
                g.points.remove(i);
            }
        }
        Change::SetMethod(m) => g.method = m,
    }
    // The camera was estimated from the old points.
    g.camera = None;
}

/// The point whose screen position is nearest `at` within `reach`.
pub fn hit(
    points: impl IntoIterator<Item = egui::Pos2>,
    at: egui::Pos2,
    reach: f32,
) -> Option<usize> {
    points
        .into_iter()
        .enumerate()
        .map(|(i, p)| (i, p.distance(at)))
        .filter(|(_, d)| *d <= reach)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> GeorefSession {
        GeorefSession::new("F", "P1", [1000, 800], (60.0, "default".into()))
    }

    #[test]
    fn an_image_click_then_a_map_click_adds_one_point() {
        let mut s = session();
        s.click_image([100.0, 200.0], None);
        assert_eq!(s.pending, Some([100.0, 200.0]));
        let change = s.click_map(50.0, 30.0, None).unwrap();
        assert_eq!(
            change,
            Change::Add(ControlPoint {
                x: 100.0,
                y: 200.0,
                lat: 50.0,
                lon: 30.0
            })
        );
        assert_eq!(s.pending, None);
        // A map click with nothing pending adds nothing.
        assert_eq!(s.click_map(50.0, 30.0, None), None);
        // A click outside the image starts nothing.
        s.click_image([-5.0, 10.0], None);
        assert_eq!(s.pending, None);
    }

    #[test]
    fn clicking_a_point_selects_it_and_delete_removes_it() {
        let mut s = session();
        s.click_image([10.0, 10.0], Some(2));
        assert_eq!((s.selected, s.pending), (Some(2), None));
        assert_eq!(s.delete_selected(), Some(Change::Delete(2)));
        assert_eq!(s.delete_selected(), None);
    }

    #[test]
    fn a_drag_is_one_move_on_release_and_a_press_without_motion_is_none() {
        let points = vec![ControlPoint {
            x: 10.0,
            y: 10.0,
            lat: 1.0,
            lon: 2.0,
        }];
        let mut s = session();
        s.press(Side::Map, Some(0));
        assert_eq!(s.release(&points), None);
        s.press(Side::Map, Some(0));
        s.drag_to(DragPos::Map(1.5, 2.5));
        assert_eq!(s.shown(0, &points[0]).lat, 1.5);
        let change = s.release(&points).unwrap();
        assert_eq!(
            change,
            Change::Move(
                0,
                ControlPoint {
                    x: 10.0,
                    y: 10.0,
                    lat: 1.5,
                    lon: 2.5
                }
            )
        );
        s.press(Side::Image, Some(0));
        s.drag_to(DragPos::Image([5000.0, 20.0]));
        let Some(Change::Move(_, p)) = s.release(&points) else {
            panic!("moved")
        };
        assert_eq!((p.x, p.y), (1000.0, 20.0), "kept inside the image");
        // A press on empty space starts no drag.
        s.press(Side::Image, None);
        assert!(s.drag.is_none());
    }

    #[test]
    fn changes_apply_and_forget_the_camera() {
        let mut g = Georeference::new("P1", Method::Affine);
        let p = ControlPoint {
            x: 1.0,
            y: 2.0,
            lat: 3.0,
            lon: 4.0,
        };
        apply_change(&mut g, Change::Add(p));
        apply_change(&mut g, Change::Add(p));
        apply_change(&mut g, Change::Delete(0));
        assert_eq!(g.points.len(), 1);
        apply_change(&mut g, Change::SetMethod(Method::Projective));
        assert_eq!(g.method, Method::Projective);
    }

    #[test]
    fn hits_take_the_nearest_point_in_reach() {
        let pts = [
            egui::pos2(0.0, 0.0),
            egui::pos2(8.0, 0.0),
            egui::pos2(100.0, 0.0),
        ];
        assert_eq!(hit(pts, egui::pos2(6.0, 0.0), 10.0), Some(1));
        assert_eq!(hit(pts, egui::pos2(50.0, 0.0), 10.0), None);
    }
}
