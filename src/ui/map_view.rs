//! The map: the offline basemap, the Natural Earth overlay drawn by the app (crisp at
//! every zoom), evidence cameras with direction wedges, finding candidates with their
//! precision circles, and the measure line. Every overlay follows one convention,
//! written down (with the list of overlays) in `map_overlays`.

use crate::spatial::labels::Bounds;
use crate::spatial::{Borders, LatLon, Outline, measure};
use egui::{Align2, FontId, Pos2, Response, Shape, Stroke, Ui, Vec2};
use walkers::{MapMemory, Plugin, Projector, Tiles, lon_lat};

use super::basemap::vector_labels;
use super::map_world::merc;
use super::state::{AppState, Selection};
use super::theme;

/// An outline with its points in zoom-0 Web Mercator pixels.
type ProjectedOutline = (Outline, Vec<[f64; 2]>);

/// Natural Earth outlines at several simplification levels, chosen by zoom.
pub struct BorderOverlay {
    /// Outlines simplified for each zoom from the first number on, each with its
    /// points in zoom-0 Web Mercator pixels (projected once, not each frame).
    levels: Vec<(f64, Vec<ProjectedOutline>)>,
    labels: Vec<(String, LatLon)>,
    capitals: Vec<(String, LatLon)>,
}

impl BorderOverlay {
    pub fn new(borders: &Borders, capitals: Vec<(String, LatLon)>) -> BorderOverlay {
        // (minimum zoom, tolerance in degrees): about one screen pixel at that zoom.
        let levels = [
            (0.0, 0.3),
            (3.0, 0.05),
            (5.0, 0.01),
            (7.0, 0.002),
            (9.0, 0.0),
        ]
        .into_iter()
        .map(|(zoom, tol)| {
            let outlines = (borders.outlines(tol).into_iter())
                .map(|o| {
                    let merc = o.points.iter().map(|p| merc(p.lat, p.lon)).collect();
                    (o, merc)
                })
                .collect();
            (zoom, outlines)
        })
        .collect();
        let labels = borders
            .label_points()
            .into_iter()
            .map(|(i, p)| (borders.countries()[i].name_en.clone(), p))
            .collect();
        BorderOverlay {
            levels,
            labels,
            capitals,
        }
    }

    /// No overlay (when the bundled data could not be read; the error is shown).
    pub fn empty() -> BorderOverlay {
        BorderOverlay {
            levels: Vec::new(),
            labels: Vec::new(),
            capitals: Vec::new(),
        }
    }

    fn outlines_for(&self, zoom: f64) -> &[ProjectedOutline] {
        self.levels
            .iter()
            .rev()
            .find(|(min_zoom, _)| zoom >= *min_zoom)
            .map_or(&[][..], |(_, o)| o.as_slice())
    }
}

/// Reads the capitals shipped with Natural Earth.
pub fn load_capitals(geojson_text: &str) -> Vec<(String, LatLon)> {
    let Ok(collection) = geojson_text.parse::<geojson::FeatureCollection>() else {
        return Vec::new();
    };
    collection
        .features
        .iter()
        .filter_map(|f| {
            let name = f.properties.as_ref()?.get("name")?.as_str()?.to_owned();
            match &f.geometry.as_ref()?.value {
                geojson::GeometryValue::Point { coordinates } => Some((
                    name,
                    LatLon {
                        lat: *coordinates.as_slice().get(1)?,
                        lon: *coordinates.as_slice().first()?,
                    },
                )),
                _ => None,
            }
        })
        .collect()
}

/// The layers over the basemap, bottom first, with their opacity: the case's imagery,
/// then its terrain (hillshade, viewshed).
pub struct MapLayers<'a> {
    /// The case's visible imagery layers with their opacity.
    pub imagery: Vec<(&'a mut super::imagery_layers::ImageryTiles, f32)>,
    /// Two dated layers compared by swipe or blink, drawn over the others.
    pub compared: Option<[super::date_compare::Compared<'a>; 2]>,
    /// Terrain layers (hillshade, viewshed) with their opacity.
    pub terrain: Vec<(&'a mut dyn Tiles, f32)>,
    /// The picture the georeference overlay shows, when one is shown.
    pub georef_image: Option<&'a super::georef::GeorefImage>,
}

/// Draws the map and its overlays; clicks and hover go back into `state`.
pub fn map_ui(
    ui: &mut Ui,
    state: &mut AppState,
    tiles: Option<&mut dyn Tiles>,
    layers: MapLayers<'_>,
    overlay: &BorderOverlay,
) {
    let attribution = tiles.as_ref().map(|t| t.attribution().text);
    let center = state
        .map
        .memory
        .detached()
        .unwrap_or(lon_lat(34.554344, 53.079839));
    start_marker_drag(ui, state);
    let mut memory = std::mem::take(&mut state.map.memory);
    // The rectangle walkers is about to allocate for the map: all that is left.
    let rect = ui.available_rect_before_wrap();
    wheel_zoom_at_pointer(ui, &mut memory, rect, center);
    frame_camera(ui, state, &mut memory, rect, center);
    let mut sun = std::mem::take(&mut state.map.sun);
    let mut compare = std::mem::take(&mut state.map.compare);
    let sun_point = state.sun_point().map(|(p, _)| p);
    let plugin = CaseOverlay {
        state: &*state,
        overlay,
        sun: &mut sun,
        sun_point,
        georef_image: layers.georef_image,
        out: OverlayOutput::default(),
    };
    let (sender, receiver) = std::sync::mpsc::channel();
    let plugin = SendBack {
        inner: plugin,
        sender,
    };
    let layer_names: Vec<String> = layers
        .imagery
        .iter()
        .filter_map(|(t, _)| t.info().path.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .chain(layers.compared.iter().flatten().map(|c| c.name.clone()))
        .collect();
    let mut map = walkers::Map::new(tiles, &mut memory, center);
    for (layer, opacity) in layers.imagery {
        map = map.with_layer(layer, opacity);
    }
    let shaded = !layers.terrain.is_empty();
    for (layer, opacity) in layers.terrain {
        map = map.with_layer(layer, opacity);
    }
    // The compared layers go under the case's markers, over the other layers.
    if let Some(compared) = layers.compared {
        map = map.with_plugin(super::date_compare::ComparePlugin {
            layers: compared,
            compare: &mut compare,
        });
    }
    let response = map
        // The basemap's names are drawn by the case overlay, under its marks.
        .with_plugin(plugin)
        .double_click_to_zoom(true)
        // While a marker is dragged, the drag moves the marker, not the map.
        .drag_pan_buttons(
            if state.map.dragging.is_some() || super::georef::holds_map(state.georef()) {
                egui::DragPanButtons::empty()
            } else {
                egui::DragPanButtons::PRIMARY
            },
        )
        .show(ui, |_, _, _, _| ())
        .response;
    state.map.memory = memory;
    state.map.sun = sun;
    state.map.compare = compare;
    if let Ok(out) = receiver.try_recv() {
        take_overlay_output(ui, state, out);
    }
    draw_attribution(ui, response.rect, attribution, &layer_names, shaded);
}

/// Moves the camera where it was asked to go (a case opened, a selection framed).
fn frame_camera(
    ui: &Ui,
    state: &mut AppState,
    memory: &mut MapMemory,
    rect: egui::Rect,
    center: walkers::Position,
) {
    // Framing a finding whose answer is hidden would show where it is.
    let framed = state.shell.selection.as_ref().filter(|s| match s {
        Selection::Finding(id) => !state.shell.review.hides(id),
        Selection::Evidence(_) => true,
    });
    super::map_camera::camera_ui(
        ui,
        &mut state.map.camera,
        memory,
        rect,
        center,
        state.case.as_ref(),
        framed,
    );
}

/// What the map's overlay saw this frame: hover, the view, clicks and drags.
fn take_overlay_output(ui: &Ui, state: &mut AppState, out: OverlayOutput) {
    state.map.hover = out.hover;
    state.map.selected_marker_screen = out.selected_marker;
    state.map.view = out.extent;
    state.map.set_overlays_drawn(out.drawn);
    if let Some(selection) = out.clicked_marker.filter(|_| !state.osm_search.drawing) {
        state
            .commands
            .push(super::state::Command::Select(selection));
    } else if let Some(p) = out.clicked {
        state.map_clicked(p);
    }
    continue_marker_drag(ui, state, out.pointer);
    if let Some(p) = out.zoom_to {
        state.map.memory.center_at(lon_lat(p.lon, p.lat));
        let _ = state
            .map
            .memory
            .set_zoom((state.map.memory.zoom() + 2.0).min(MAX_ZOOM));
    }
}

/// The basemap's attribution, and the analyst's own layers named after it.
fn draw_attribution(
    ui: &Ui,
    rect: egui::Rect,
    attribution: Option<&str>,
    layer_names: &[String],
    shaded: bool,
) {
    let painter = ui.painter().with_clip_rect(rect);
    let mut text = format!(
        "{}  ·  Natural Earth (public domain)",
        attribution.unwrap_or("no basemap")
    );
    if !layer_names.is_empty() {
        text.push_str("  ·  your imagery: ");
        text.push_str(&layer_names.join(", "));
    }
    if shaded {
        text.push_str("  ·  your elevation");
    }
    // Wrapped to the map's width: a basemap's credit (OpenStreetMap's is required by its
    // licence) must not run off the map's left edge when layers are named after it.
    let galley = painter.layout(
        text,
        FontId::proportional(11.0),
        theme::ATTRIBUTION,
        (rect.width() - 12.0).max(40.0),
    );
    let at = rect.right_bottom() - galley.size() + Vec2::new(-6.0, -4.0);
    painter.galley(at, galley, theme::ATTRIBUTION);
}

/// Picks up the selected finding's marker when the primary button goes down on it.
fn start_marker_drag(ui: &Ui, state: &mut AppState) {
    if state.map.dragging.is_some() || state.map.tool == super::state::Tool::Measure {
        return;
    }
    let (pressed, origin) = ui.input(|i| (i.pointer.primary_pressed(), i.pointer.press_origin()));
    let (Some(origin), Some(marker)) = (origin, state.map.selected_marker_screen) else {
        return;
    };
    let writable = state
        .case
        .as_ref()
        .is_some_and(|c| c.read_only_reason().is_none());
    if pressed
        && writable
        && origin.distance(marker) <= MARKER_GRAB_RADIUS
        && let Some(f) = state.selected_finding()
        && let Some(l) = f.location
    {
        state.map.dragging = Some((
            f.id.clone(),
            LatLon {
                lat: l.lat,
                lon: l.lon,
            },
        ));
    }
}

/// Moves the dragged marker with the pointer; on release, saves the new location as one
/// edit (a drag is one change, not one per frame).
fn continue_marker_drag(ui: &Ui, state: &mut AppState, pointer: Option<LatLon>) {
    let Some((id, mut at)) = state.map.dragging.take() else {
        return;
    };
    if let Some(p) = pointer {
        at = p;
    }
    if ui.input(|i| i.pointer.primary_down()) {
        state.map.dragging = Some((id, at));
        return;
    }
    let unmoved = state
        .case
        .as_ref()
        .and_then(|c| c.finding(&id).ok()?.location)
        .is_some_and(|l| l.lat == at.lat && l.lon == at.lon);
    if !unmoved {
        state.place_finding(id, at);
    }
}

/// How far (screen points) from a marker's centre a press still grabs or selects it.
const MARKER_GRAB_RADIUS: f32 = super::map_marks::GRAB_RADIUS;

#[derive(Default)]
struct OverlayOutput {
    hover: Option<LatLon>,
    /// The pointer's map position, even outside the map while dragging.
    pointer: Option<LatLon>,
    clicked: Option<LatLon>,
    /// A click (with the Pan tool) on a marker selects it.
    clicked_marker: Option<Selection>,
    selected_marker: Option<Pos2>,
    /// A big cluster was clicked: zoom in there.
    zoom_to: Option<LatLon>,
    extent: Option<super::state::MapViewExtent>,
    /// What the parts' overlays drew.
    drawn: super::map_state::OverlaysDrawn,
}

/// walkers plugins are consumed each frame; this passes what they saw back out.
struct SendBack<'a> {
    inner: CaseOverlay<'a>,
    sender: std::sync::mpsc::Sender<OverlayOutput>,
}

impl Plugin for SendBack<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        response: &Response,
        projector: &Projector,
        _: &MapMemory,
    ) {
        let SendBack { mut inner, sender } = *self;
        inner.draw(ui, response, projector);
        let _ = sender.send(inner.out);
    }
}

/// The few records of a case the map draws besides its markers: findings with a
/// chronolocation locus, cameras with a direction. Listed once per case revision, so a
/// frame does not walk a large case's findings and evidence.
#[derive(Default)]
struct CaseIndex {
    key: Option<(std::path::PathBuf, u64)>,
    loci: Vec<String>,
    wedges: Vec<String>,
}

impl CaseIndex {
    fn of(ctx: &egui::Context, case: &crate::case::Case) -> std::sync::Arc<CaseIndex> {
        let key = (case.root().to_path_buf(), case.revision());
        let id = egui::Id::unique("geoproof.map_case_index");
        ctx.data_mut(|d| {
            let slot = d.get_temp_mut_or_default::<std::sync::Arc<CaseIndex>>(id);
            if slot.key.as_ref() != Some(&key) {
                *slot = std::sync::Arc::new(CaseIndex {
                    loci: (case.findings())
                        .filter(|f| f.chronolocation.as_ref().is_some_and(|c| c.locus.is_some()))
                        .map(|f| f.id.clone())
                        .collect(),
                    wedges: (case.evidence())
                        .filter(|e| e.exif.direction_deg.is_some())
                        .map(|e| e.sha256.clone())
                        .collect(),
                    key: Some(key),
                });
            }
            slot.clone()
        })
    }
}

struct CaseOverlay<'a> {
    state: &'a AppState,
    overlay: &'a BorderOverlay,
    /// The sun view, lent by the state for this frame (it caches the day it computes).
    sun: &'a mut super::map_sun::SunView,
    sun_point: Option<LatLon>,
    georef_image: Option<&'a super::georef::GeorefImage>,
    out: OverlayOutput,
}

fn to_latlon(p: walkers::Position) -> LatLon {
    LatLon {
        lat: p.y(),
        lon: p.x(),
    }
}

fn screen(projector: &Projector, p: LatLon) -> Pos2 {
    projector.project(lon_lat(p.lon, p.lat)).to_pos2()
}

impl CaseOverlay<'_> {
    fn draw(&mut self, ui: &mut Ui, response: &Response, projector: &Projector) {
        let painter = ui.painter().with_clip_rect(response.rect);
        let rect = response.rect;
        let zoom = projector.zoom();
        let top_left = to_latlon(projector.unproject(rect.left_top().to_vec2()));
        let bottom_right = to_latlon(projector.unproject(rect.right_bottom().to_vec2()));
        let extent = super::state::MapViewExtent::of(projector, rect);
        self.out.extent = Some(extent);
        let visible = |b: &geo::Rect<f64>| {
            b.max().x >= top_left.lon
                && b.min().x <= bottom_right.lon
                && b.max().y >= bottom_right.lat
                && b.min().y <= top_left.lat
        };

        self.draw_borders(&painter, projector, zoom, &visible);
        // A click with the Pan tool selects the nearest marker under it.
        let click = (response.clicked() && self.state.map.tool == super::state::Tool::Pan)
            .then(|| response.interact_pointer_pos())
            .flatten();
        self.draw_wedges(&painter, projector, rect);
        // The case's marks and labels are laid out first; the basemap's names and the
        // country and capital names go under them and keep clear of their boxes.
        let under = |taken: &[Bounds]| {
            let has_places = vector_labels::draw_current(&painter, projector, rect, taken);
            self.draw_names(&painter, projector, rect, zoom, (has_places, taken));
        };
        let marks = super::map_marks::draw(&painter, self.state, projector, click, under);
        self.out.selected_marker = marks.selected_marker;
        self.out.zoom_to = marks.zoom_to;
        self.draw_loci(&painter, projector);
        if self.sun.enabled {
            super::map_sun::draw_locus(&painter, self.sun, |p| screen(projector, p));
            if let Some(p) = self.sun_point {
                super::map_sun::draw_sun(&painter, screen(projector, p), self.sun, p);
            }
        }

        self.draw_measure(&painter, projector);
        self.draw_blind(&painter, projector);
        self.out.drawn =
            super::map_overlays::draw_parts(ui, self.state, self.georef_image, &extent);

        self.out.clicked_marker = marks.clicked;
        if let Some(pos) = response.hover_pos() {
            self.out.hover = Some(to_latlon(projector.unproject(pos.to_vec2())));
        }
        if let Some(pos) = ui.input(|i| i.pointer.latest_pos()) {
            self.out.pointer = Some(to_latlon(projector.unproject(pos.to_vec2())));
        }
        if response.clicked()
            && !marks.cluster_clicked
            && let Some(pos) = response.interact_pointer_pos()
        {
            self.out.clicked = Some(to_latlon(projector.unproject(pos.to_vec2())));
        }
    }

    /// Country borders and coastline.
    fn draw_borders(
        &self,
        painter: &egui::Painter,
        projector: &Projector,
        zoom: f64,
        visible: &dyn Fn(&geo::Rect<f64>) -> bool,
    ) {
        let stroke = Stroke::new(1.0, theme::BORDER);
        let view = super::map_world::View::of(projector);
        for (outline, merc) in self.overlay.outlines_for(zoom) {
            if !visible(&outline.bbox) {
                continue;
            }
            let points: Vec<Pos2> = merc.iter().map(|&m| view.screen_of(m)).collect();
            painter.add(Shape::line(points, stroke));
        }
    }

    /// Country names from zoom 3, capitals from zoom 4 — unless the basemap shows its
    /// own place names here (`basemap_places`: the same city would be named twice); a
    /// capital whose name would cover one of the case's boxes (`taken`) is left out.
    fn draw_names(
        &self,
        painter: &egui::Painter,
        projector: &Projector,
        rect: egui::Rect,
        zoom: f64,
        (basemap_places, taken): (bool, &[Bounds]),
    ) {
        if basemap_places {
            return;
        }
        if zoom >= 3.0 {
            for (name, p) in &self.overlay.labels {
                if rect.contains(screen(projector, *p)) {
                    painter.text(
                        screen(projector, *p),
                        Align2::CENTER_CENTER,
                        name,
                        FontId::proportional(12.0),
                        theme::COUNTRY_LABEL,
                    );
                }
            }
        }
        if zoom >= 4.0 {
            let font = FontId::proportional(11.0);
            // The case's boxes in a grid, built for the first capital in view.
            let mut marks: Option<crate::spatial::labels::Taken> = None;
            for (name, p) in &self.overlay.capitals {
                let s = screen(projector, *p);
                if !rect.contains(s) {
                    continue;
                }
                let galley = painter.layout_no_wrap(name.clone(), font.clone(), theme::CAPITAL);
                let size = galley.size();
                let b = Bounds::new(
                    [s.x - 3.0, s.y - size.y / 2.0],
                    [s.x + 5.0 + size.x, s.y + size.y / 2.0],
                );
                let marks = marks.get_or_insert_with(|| {
                    let view = Bounds::new([rect.min.x, rect.min.y], [rect.max.x, rect.max.y]);
                    let mut grid = crate::spatial::labels::Taken::new(view);
                    taken.iter().for_each(|t| grid.add(*t));
                    grid
                });
                if marks.collides(&b) {
                    continue;
                }
                painter.circle_filled(s, 2.5, theme::CAPITAL);
                painter.galley(s + Vec2::new(5.0, -size.y / 2.0), galley, theme::CAPITAL);
            }
        }
    }

    /// The evidence cameras' view wedges (their markers and labels are `map_marks`').
    fn draw_wedges(&self, painter: &egui::Painter, projector: &Projector, rect: egui::Rect) {
        let Some(case) = &self.state.case else {
            return;
        };
        let index = CaseIndex::of(painter.ctx(), case);
        for e in index
            .wedges
            .iter()
            .filter_map(|sha| case.find_evidence(sha).ok())
        {
            let (Some(lat), Some(lon), Some(dir)) = (e.exif.lat, e.exif.lon, e.exif.direction_deg)
            else {
                continue;
            };
            let s = screen(projector, LatLon { lat, lon });
            if rect.expand(200.0).contains(s) {
                let magnetic = e.exif.direction_ref.as_deref() != Some("T");
                self.wedge(painter, s, dir, self.state.fov_for(e), magnetic);
            }
        }
    }

    /// Saved chronolocation loci: the places a finding's shadows fit; the selected
    /// finding's drawn bold and named.
    fn draw_loci(&self, painter: &egui::Painter, projector: &Projector) {
        if let Some(case) = &self.state.case {
            let selected = self.state.selected_finding().map(|f| f.id.as_str());
            let index = CaseIndex::of(painter.ctx(), case);
            let with_locus = (index.loci.iter())
                .filter(|id| !self.state.shell.review.hides(id))
                .filter_map(|id| case.finding(id).ok());
            for f in with_locus {
                let Some(locus) = f.chronolocation.as_ref().and_then(|c| c.locus.as_ref()) else {
                    continue;
                };
                let is_selected = selected == Some(f.id.as_str());
                let stroke = if is_selected {
                    egui::Stroke::new(2.5, theme::SUN)
                } else {
                    egui::Stroke::new(1.0, theme::SUN.gamma_multiply(0.6))
                };
                for rings in locus {
                    for ring in rings {
                        let points: Vec<Pos2> = ring
                            .iter()
                            .map(|[lon, lat]| {
                                screen(
                                    projector,
                                    LatLon {
                                        lat: *lat,
                                        lon: *lon,
                                    },
                                )
                            })
                            .collect();
                        painter.add(Shape::closed_line(points, stroke));
                    }
                }
                if is_selected
                    && let Some([lon, lat]) = locus
                        .first()
                        .and_then(|r| r.first())
                        .and_then(|r| r.first())
                {
                    painter.text(
                        screen(
                            projector,
                            LatLon {
                                lat: *lat,
                                lon: *lon,
                            },
                        ) + Vec2::new(6.0, -6.0),
                        Align2::LEFT_BOTTOM,
                        &f.title,
                        FontId::proportional(12.0),
                        super::theme::HALO,
                    );
                }
            }
        }
    }

    /// The reviewer's blind location with its precision circle, while reviewing blind.
    fn draw_blind(&self, painter: &egui::Painter, projector: &Projector) {
        let Some(b) = &self.state.shell.review.blind else {
            return;
        };
        let Some(p) = b.point else { return };
        let c = screen(projector, p);
        // The circle's radius: the screen distance to a point `precision_m` north.
        let north = LatLon {
            lat: (p.lat + b.precision_m / 111_320.0).min(89.9),
            lon: p.lon,
        };
        let r = c.distance(screen(projector, north));
        let stroke = Stroke::new(2.0, theme::BLIND);
        painter.circle_stroke(c, r.max(4.0), stroke);
        painter.circle(c, 6.0, theme::BLIND, Stroke::new(1.5, theme::OUTLINE));
        painter.text(
            c + Vec2::new(9.0, -9.0),
            Align2::LEFT_BOTTOM,
            "your blind location",
            FontId::proportional(12.0),
            theme::HALO,
        );
    }

    /// The measurement: its points, its line, the last leg and the total.
    fn draw_measure(&self, painter: &egui::Painter, projector: &Projector) {
        let m = &self.state.map.measure;
        if !m.is_empty() {
            let pts: Vec<Pos2> = m.iter().map(|&p| screen(projector, p)).collect();
            painter.add(Shape::line(pts.clone(), Stroke::new(2.0, theme::MEASURE)));
            for p in &pts {
                painter.circle_filled(*p, 4.0, theme::MEASURE);
            }
            if m.len() >= 2 {
                let last = measure(m[m.len() - 2], m[m.len() - 1]);
                let total = crate::spatial::path_length_m(m);
                painter.text(
                    pts[pts.len() - 1] + Vec2::new(8.0, 8.0),
                    Align2::LEFT_TOP,
                    format!(
                        "{:.1} m, az {:.2}° (total {:.1} m)",
                        last.distance_m, last.azimuth_deg, total
                    ),
                    FontId::proportional(12.0),
                    theme::MEASURE,
                );
            }
        }
    }

    /// The camera's field of view as a wedge; a magnetic (or unknown) reference is drawn
    /// dashed in a warning colour so it is never mistaken for true north.
    fn wedge(&self, painter: &egui::Painter, s: Pos2, dir_deg: f64, fov_deg: f64, magnetic: bool) {
        let length = 60.0;
        let half = fov_deg / 2.0;
        let ray = |deg: f64| {
            let r = deg.to_radians();
            s + Vec2::new(r.sin() as f32, -r.cos() as f32) * length
        };
        let color = if magnetic {
            theme::WEDGE_MAGNETIC
        } else {
            theme::WEDGE
        };
        let mut points = vec![s];
        let steps = 12;
        for i in 0..=steps {
            points.push(ray(
                dir_deg - half + fov_deg * f64::from(i) / f64::from(steps)
            ));
        }
        if magnetic {
            let outline: Vec<Pos2> = points.iter().copied().chain(std::iter::once(s)).collect();
            painter.extend(Shape::dashed_line(
                &outline,
                Stroke::new(1.5, color),
                5.0,
                4.0,
            ));
            painter.text(
                ray(dir_deg),
                Align2::CENTER_BOTTOM,
                "magnetic",
                FontId::proportional(10.0),
                color,
            );
        } else {
            painter.add(Shape::convex_polygon(
                points,
                color.gamma_multiply(0.35),
                Stroke::new(1.0, color),
            ));
        }
    }
}

/// Zoom levels per point of wheel scroll: a notch of a mouse wheel (40 points) is half a
/// level, two notches a doubling of scale, whatever the frame rate.
const WHEEL_LEVELS_PER_POINT: f64 = 1.0 / 80.0;

/// The plain mouse wheel zooms the map, keeping the place under the pointer where it is.
///
/// walkers (0.65) pans the map with the plain wheel unless `zoom_with_ctrl(false)` is
/// set, which read as a zoom drifting away from the pointer (one notch at zoom 5 slid the
/// map by 4° of latitude); and with that option its wheel zoom is the scroll times the
/// frame time, so a notch zooms three times as far at 20 frames a second as at 60. Here
/// the wheel is turned into zoom levels by distance scrolled alone, anchored at the
/// pointer with the same projection arithmetic walkers uses, and consumed so that walkers
/// does not pan as well. Ctrl+wheel, pinch and double-click stay with walkers.
pub(crate) fn wheel_zoom_at_pointer(
    ui: &Ui,
    memory: &mut walkers::MapMemory,
    rect: egui::Rect,
    my_position: walkers::Position,
) {
    use walkers::{MercatorProjection, Projection};
    let (scroll, pointer, modifiers) =
        ui.input(|i| (i.smooth_scroll_delta, i.pointer.hover_pos(), i.modifiers));
    let Some(pointer) = pointer.filter(|p| rect.contains(*p)) else {
        return;
    };
    if scroll.y == 0.0 || !modifiers.is_none() || !ui.ui_contains_pointer() {
        return;
    }
    ui.input_mut(|i| i.smooth_scroll_delta = egui::Vec2::ZERO);
    let from = memory.zoom();
    // Not so far out that the world no longer fills the map's width.
    let min = (f64::from(rect.width()) / 256.0).log2().max(MIN_ZOOM);
    let to = (from + f64::from(scroll.y) * WHEEL_LEVELS_PER_POINT).clamp(min.min(from), MAX_ZOOM);
    if to == from {
        return;
    }
    let projector = walkers::Projector::new(rect, &MercatorProjection, memory, my_position);
    let under_pointer = projector.unproject(pointer.to_vec2());
    if memory.set_zoom(to).is_err() {
        return;
    }
    // The centre that puts `under_pointer` back under the pointer at the new zoom.
    let offset = pointer - rect.center();
    let at = MercatorProjection.project(under_pointer, to);
    let centre = MercatorProjection.unproject(
        walkers::Pixels::new(at.x() - f64::from(offset.x), at.y() - f64::from(offset.y)),
        to,
    );
    memory.center_at(centre);
}

/// The zoom levels the wheel moves between (walkers' own range).
const MIN_ZOOM: f64 = 0.0;
const MAX_ZOOM: f64 = 26.0;
