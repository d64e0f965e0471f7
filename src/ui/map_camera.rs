//! Where the map looks: framing the whole case or the selection (`F`, `Shift+F`, opening
//! a case, selecting in a list) and the short flight from one view to the next. The
//! arithmetic of fitting a view is the domain's (`spatial::framing`); this module owns
//! only when to do it and the animation.

use egui::{Key, Modifiers, Ui};
use walkers::MapMemory;

use crate::case::Case;
use crate::spatial::LatLon;
use crate::spatial::framing::{self, Extent, View};

use super::command::Selection;

/// Free pixels around what is framed.
const MARGIN: f64 = 48.0;
/// A case opens no deeper than this: the bundled imagery ends at zoom 5 and still reads a
/// few levels further in (the borders are drawn sharp at any zoom).
pub const CASE_MAX_ZOOM: f64 = 8.0;
/// A selected item is shown no deeper than this (street level).
pub const ITEM_MAX_ZOOM: f64 = 17.0;
/// The reach drawn around a camera with GPS when it is framed, metres.
const CAMERA_REACH_M: f64 = 300.0;
/// How long a flight takes, seconds.
const FLIGHT_SECONDS: f64 = 0.45;

/// What to bring into view at the next frame (the viewport's size is known only then).
#[derive(Debug, Clone, PartialEq)]
pub enum FrameRequest {
    /// A case was opened: jump to its located items, or the world.
    OpenCase,
    /// `Shift+F`: fly to the whole case.
    Case,
    /// A selection in a list, or `F`: fly to it unless it is already in view.
    Selection,
    /// Fly to show this box (a part's places, such as the Skyline scan's sites).
    Extent(Extent),
}

/// A view changing over time, from `from` to `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Flight {
    from: View,
    to: View,
    started: f64,
}

#[derive(Debug, Default, Clone)]
pub struct Camera {
    pub request: Option<FrameRequest>,
    pub flight: Option<Flight>,
    /// The map's rectangle last frame: a request waits until it stops changing (the
    /// side panels settle their widths over the first frames).
    pub last_rect: Option<egui::Rect>,
}

/// The places a case shows on the map, with the radius that should be visible around
/// each: findings with their precision circle, cameras with a street's reach.
pub fn case_places(case: &Case) -> Vec<(LatLon, f64)> {
    let findings = case.findings().filter_map(|f| {
        f.location.map(|l| {
            (
                LatLon {
                    lat: l.lat,
                    lon: l.lon,
                },
                l.precision_m,
            )
        })
    });
    let evidence = case.evidence().filter_map(|e| {
        Some((
            LatLon {
                lat: e.exif.lat?,
                lon: e.exif.lon?,
            },
            CAMERA_REACH_M,
        ))
    });
    findings.chain(evidence).collect()
}

/// The places of one selected item.
pub fn selection_places(case: &Case, selection: &Selection) -> Vec<(LatLon, f64)> {
    match selection {
        Selection::Evidence(id) => case
            .find_evidence(id)
            .ok()
            .and_then(|e| {
                Some((
                    LatLon {
                        lat: e.exif.lat?,
                        lon: e.exif.lon?,
                    },
                    CAMERA_REACH_M,
                ))
            })
            .into_iter()
            .collect(),
        Selection::Finding(id) => {
            let Ok(f) = case.finding(id) else {
                return Vec::new();
            };
            let mut places: Vec<(LatLon, f64)> = f
                .location
                .map(|l| {
                    (
                        LatLon {
                            lat: l.lat,
                            lon: l.lon,
                        },
                        l.precision_m,
                    )
                })
                .into_iter()
                .collect();
            // A chronolocation locus: its polygons' corners frame it.
            if let Some(locus) = f.chronolocation.as_ref().and_then(|c| c.locus.as_ref()) {
                places.extend(
                    locus
                        .iter()
                        .filter_map(|rings| rings.first())
                        .flatten()
                        .map(|[lon, lat]| {
                            (
                                LatLon {
                                    lat: *lat,
                                    lon: *lon,
                                },
                                0.0,
                            )
                        }),
                );
            }
            places
        }
    }
}

fn current_view(memory: &MapMemory, my_position: walkers::Position) -> View {
    let center = memory.detached().unwrap_or(my_position);
    View {
        center: LatLon {
            lat: center.y(),
            lon: center.x(),
        },
        zoom: memory.zoom(),
    }
}

fn set_view(memory: &mut MapMemory, view: View) {
    memory.center_at(walkers::lon_lat(view.center.lon, view.center.lat));
    let _ = memory.set_zoom(view.zoom.clamp(0.0, 26.0));
}

/// Handles `F` / `Shift+F`, turns a pending request into a jump or a flight, and moves
/// a flight on by one frame. `rect` is where the map is drawn.
pub fn camera_ui(
    ui: &Ui,
    camera: &mut Camera,
    memory: &mut MapMemory,
    rect: egui::Rect,
    my_position: walkers::Position,
    case: Option<&Case>,
    selection: Option<&Selection>,
) {
    if !ui.ctx().egui_wants_keyboard_input() {
        if ui.input_mut(|i| i.consume_key(Modifiers::SHIFT, Key::F)) {
            camera.request = Some(FrameRequest::Case);
        } else if ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::F)) {
            camera.request = Some(FrameRequest::Selection);
        }
    }
    let (width, height) = (f64::from(rect.width()), f64::from(rect.height()));
    let now = ui.input(|i| i.time);
    let settled = camera.last_rect == Some(rect);
    camera.last_rect = Some(rect);
    if camera.request.is_some() && !settled {
        ui.ctx().request_repaint();
    }
    if settled
        && let Some(request) = camera.request.take()
        && width > 1.0
        && height > 1.0
    {
        let current = current_view(memory, my_position);
        let target = match (&request, case) {
            (FrameRequest::OpenCase | FrameRequest::Case, Some(case)) => {
                Some(match Extent::around(case_places(case)) {
                    Some(e) => framing::fit(&e, width, height, MARGIN, 1.0, CASE_MAX_ZOOM),
                    None => world(width, height),
                })
            }
            (FrameRequest::OpenCase | FrameRequest::Case, None) => Some(world(width, height)),
            (FrameRequest::Selection, Some(case)) => selection
                .map(|s| selection_places(case, s))
                .and_then(Extent::around)
                .map(|e| {
                    let target = framing::fit(&e, width, height, MARGIN, 1.0, ITEM_MAX_ZOOM);
                    let shown = framing::visible_extent(&current, width, height);
                    // Already in view, and close enough to see its circle: stay.
                    let in_view = shown.contains_extent(&e) && current.zoom >= target.zoom - 3.0;
                    if in_view { current } else { target }
                }),
            (FrameRequest::Selection, None) => None,
            (FrameRequest::Extent(e), _) => {
                Some(framing::fit(e, width, height, MARGIN, 1.0, ITEM_MAX_ZOOM))
            }
        };
        match (request, target) {
            (FrameRequest::OpenCase, Some(view)) => {
                camera.flight = None;
                set_view(memory, view);
                // Panels drawn earlier this frame saw the old view.
                ui.ctx().request_repaint();
            }
            (_, Some(view)) if view != current => {
                camera.flight = Some(Flight {
                    from: current,
                    to: view,
                    started: now,
                });
            }
            _ => {}
        }
    }
    // A gesture of the analyst's own ends a flight where it is.
    let interrupted = ui.input(|i| {
        i.pointer.any_down() || i.smooth_scroll_delta != egui::Vec2::ZERO || i.zoom_delta() != 1.0
    }) && ui.ui_contains_pointer();
    if interrupted {
        camera.flight = None;
    }
    if let Some(flight) = &camera.flight {
        let t = ((now - flight.started) / FLIGHT_SECONDS).clamp(0.0, 1.0);
        set_view(memory, flight.at(t));
        if t >= 1.0 {
            camera.flight = None;
        } else {
            ui.ctx().request_repaint();
        }
    }
}

fn world(width: f64, height: f64) -> View {
    framing::fit(&Extent::WORLD, width, height, 8.0, 0.0, CASE_MAX_ZOOM)
}

impl Flight {
    /// The view at `t` (0..1) of the way, eased in and out; the centre moves on the
    /// Mercator plane, so a flight is a straight line on the map.
    fn at(&self, t: f64) -> View {
        let s = t * t * (3.0 - 2.0 * t);
        let a = framing::mercator(self.from.center);
        let b = framing::mercator(self.to.center);
        View {
            center: framing::unmercator([a[0] + (b[0] - a[0]) * s, a[1] + (b[1] - a[1]) * s]),
            zoom: self.from.zoom + (self.to.zoom - self.from.zoom) * s,
        }
    }
}
