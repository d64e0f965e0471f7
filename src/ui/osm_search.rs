//! *Find candidate sites (OpenStreetMap)…*: the query builder. Open a regional `.osm.pbf`
//! extract (indexed in the background once, with progress and cancel; cached) or connect
//! to a team's PostGIS database (queries as jobs, each in the network ledger),
//! pick the feature to find (presets or a filter), add proximity constraints, choose the
//! area (the map view, one drawn on the map, a bbox, a country), see the live count and
//! the results on the map, and add them to the selected geolocation finding as unchecked
//! candidates in one edit.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::jobs::{Job, Jobs};

use crate::case::candidates::{self, OsmRef};
use crate::case::{Edit, FindingKind};
use crate::osm::filter::{PRESETS, TagFilter};
use crate::osm::index::{OsmIndex, default_cache_dir};
use crate::osm::postgis::PostgisSource;
use crate::osm::query::{self, Area, Constraint, Hit, Query};

use super::command::{Command, MapViewExtent, Status};

use super::command::ShellCommand;
use super::ledger::NetworkLedger;

/// What the query builder reads and changes besides its own state: the map's view (a
/// "visible area" search), the ledger (database queries), the selected finding (where
/// results go) and the command queue (status messages included).
pub struct SearchCtx<'a> {
    pub map_view: Option<MapViewExtent>,
    pub ledger: &'a Arc<NetworkLedger>,
    pub selected: Option<&'a crate::case::Finding>,
    pub commands: &'a mut Vec<Command>,
}

enum IndexState {
    None,
    /// Indexing an extract (a job with progress and cancel).
    Building(Job<Result<OsmIndex, String>>),
    Ready(Arc<OsmIndex>),
    /// Connecting to a PostGIS database (a job).
    Connecting(Job<Result<PostgisSource, String>>),
    /// Queries go to this database (each a job, one at a time).
    Database(Arc<Mutex<PostgisSource>>),
    Failed(String),
}

/// A database query on its way: its description and its answer.
type Running = (String, Job<Result<Vec<Hit>, String>>);

#[derive(Debug, Clone, PartialEq)]
pub struct ConstraintRow {
    pub within: bool,
    pub distance: String,
    pub filter: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AreaChoice {
    MapView,
    /// The area drawn on the map ([`OsmSearch::drawn`]).
    Drawn,
    Bbox(String),
    Country(String),
    Everywhere,
}

/// The window's state (owned by the app, not the case).
pub struct OsmSearch {
    pub open: bool,
    pub extract: Option<PathBuf>,
    index: IndexState,
    pub find: String,
    pub constraints: Vec<ConstraintRow>,
    pub area: AreaChoice,
    /// The search area drawn on the map, (longitude, latitude): two corners of a
    /// rectangle, or three or more of a polygon.
    pub drawn: Vec<[f64; 2]>,
    /// Clicks on the map add corners to [`OsmSearch::drawn`].
    pub drawing: bool,
    /// The inputs the results were computed for, and the results.
    computed_for: Option<String>,
    pub results: Result<Vec<Hit>, String>,
    pub description: String,
    /// Where indexes are cached; `None`: the user cache folder.
    pub cache_dir: Option<PathBuf>,
    /// A PostGIS database loaded by osm2pgsql --hstore-all, instead of an extract.
    pub postgis_conninfo: String,
    pub postgis_prefix: String,
    /// The database query running, if any.
    running: Option<Running>,
    /// When the results were last computed: while the map pans, at most every
    /// [`RECOMPUTE_EVERY`], so a large extract does not stall the frames.
    computed_at: Option<f64>,
}

const RECOMPUTE_EVERY: std::time::Duration = std::time::Duration::from_millis(400);

impl Default for OsmSearch {
    fn default() -> OsmSearch {
        OsmSearch {
            open: false,
            extract: None,
            index: IndexState::None,
            find: "place_of_worship".into(),
            constraints: Vec::new(),
            area: AreaChoice::MapView,
            drawn: Vec::new(),
            drawing: false,
            computed_for: None,
            results: Ok(Vec::new()),
            description: String::new(),
            cache_dir: None,
            postgis_conninfo: String::new(),
            postgis_prefix: "planet_osm".into(),
            running: None,
            computed_at: None,
        }
    }
}

impl OsmSearch {
    /// Starts indexing `extract` on a worker thread (cached index: almost instant).
    pub fn open_extract(&mut self, extract: PathBuf, ctx: &egui::Context) {
        // Replacing a job that is still building drops its handle, which cancels it.
        let path = extract.clone();
        let cache = self.cache_dir.clone().or_else(default_cache_dir);
        let job = Jobs::of(ctx).spawn(Some(ctx), "indexing the extract", move |w| {
            let cache = cache.ok_or("no cache folder (HOME is not set)")?;
            let report = |f: f64| {
                w.progress(Some(f as f32), "indexing");
                w.repaint();
            };
            OsmIndex::open(&path, &cache, &report, w.cancel_token()).map_err(|e| e.to_string())
        });
        self.extract = Some(extract);
        self.index = IndexState::Building(job);
        self.computed_for = None;
    }

    /// Connects to the PostGIS database named in the window, on a worker thread; queries
    /// then go there (each written to the network ledger).
    pub fn connect_postgis(&mut self, ctx: &egui::Context) {
        let (conninfo, prefix) = (
            self.postgis_conninfo.trim().to_owned(),
            self.postgis_prefix.trim().to_owned(),
        );
        let job = Jobs::of(ctx).spawn(Some(ctx), "connecting to PostGIS", move |_| {
            PostgisSource::connect(&conninfo, &prefix).map_err(|e| e.to_string())
        });
        self.extract = None;
        self.index = IndexState::Connecting(job);
        self.computed_for = None;
    }

    fn poll(&mut self) {
        if let IndexState::Connecting(job) = &mut self.index {
            match job.take_flat() {
                Some(Ok(db)) => self.index = IndexState::Database(Arc::new(Mutex::new(db))),
                Some(Err(e)) => self.index = IndexState::Failed(e),
                None => {}
            }
        }
        if let Some((description, job)) = &mut self.running
            && let Some(results) = job.take_flat()
        {
            self.description = std::mem::take(description);
            self.results = results;
            self.running = None;
        }
        if let IndexState::Building(job) = &mut self.index {
            match job.take_flat() {
                Some(Ok(index)) => self.index = IndexState::Ready(Arc::new(index)),
                Some(Err(e)) => self.index = IndexState::Failed(e),
                None => {}
            }
        }
    }

    /// Whether the index is ready (tests wait for it).
    pub fn ready(&mut self) -> bool {
        self.poll();
        matches!(self.index, IndexState::Ready(_) | IndexState::Database(_))
    }

    fn query(&self, state: &SearchCtx<'_>) -> Result<Query, String> {
        let find = TagFilter::parse(&self.find).map_err(|e| e.to_string())?;
        let mut constraints = Vec::new();
        for row in &self.constraints {
            constraints.push(
                Constraint::parse(&format!("{}:{}", row.distance, row.filter), row.within)
                    .map_err(|e| e.to_string())?,
            );
        }
        let area = match &self.area {
            AreaChoice::Everywhere => Area::Everywhere,
            AreaChoice::MapView => {
                let v = state.map_view.ok_or("the map has not been shown yet")?;
                Area::Bbox([v.west, v.south.max(-90.0), v.east, v.north.min(90.0)])
            }
            AreaChoice::Drawn => match self.drawn.as_slice() {
                [] | [_] => {
                    return Err(
                        "draw the area on the map: Draw, then click two corners of a \
                                rectangle or the corners of a polygon"
                            .into(),
                    );
                }
                [a, b] => Area::Bbox([
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[0].max(b[0]),
                    a[1].max(b[1]),
                ]),
                ring => Area::Polygon(ring.to_vec()),
            },
            AreaChoice::Bbox(text) => Area::parse_bbox(text).map_err(|e| e.to_string())?,
            AreaChoice::Country(code) => Area::Country(code.trim().to_owned()),
        };
        Ok(Query {
            find,
            constraints,
            area,
            limit: Some(500),
        })
    }

    /// Recomputes the results when the inputs changed (the live count).
    pub fn refresh(&mut self, state: &SearchCtx<'_>, ctx: &egui::Context) {
        self.poll();
        if !self.ready() || self.running.is_some() {
            return;
        }
        let view = state
            .map_view
            .map(|v| format!("{:.5},{:.5},{:.5},{:.5}", v.west, v.south, v.east, v.north));
        let key = format!(
            "{}|{:?}|{:?}|{view:?}|{:?}",
            self.find, self.constraints, self.area, self.drawn
        );
        if self.computed_for.as_deref() == Some(key.as_str()) {
            return;
        }
        // egui's clock, so tests step time instead of sleeping.
        let now = ctx.input(|i| i.time);
        let every = RECOMPUTE_EVERY.as_secs_f64();
        if let Some(at) = self.computed_at
            && now - at < every
        {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(every - (now - at)));
            return;
        }
        self.computed_at = Some(now);
        self.computed_for = Some(key);
        let borders = crate::spatial::Borders::bundled().ok();
        let q = match self.query(state) {
            Ok(q) => q,
            Err(e) => {
                self.results = Err(e);
                return;
            }
        };
        match &self.index {
            IndexState::Ready(index) => {
                self.description = q.describe();
                self.results = query::run(index, &q, borders).map_err(|e| e.to_string());
            }
            IndexState::Database(db) => {
                self.running = Some(run_on_database(db, q, state.ledger, ctx));
            }
            _ => {}
        }
    }

    /// The results as candidates of the selected finding: one edit.
    pub fn add_to_finding(&self, state: &mut SearchCtx<'_>) {
        let Ok(hits) = &self.results else {
            return;
        };
        let Some(f) = state
            .selected
            .filter(|f| f.kind == FindingKind::Geolocation)
            .cloned()
        else {
            state
                .commands
                .push(Command::Shell(ShellCommand::Notify(Status::Error(
                    "select a geolocation finding to add the candidates to".into(),
                ))));
            return;
        };
        let mut f = f;
        let found = hits.iter().map(|h| candidates::OsmResult {
            lat: h.lat,
            lon: h.lon,
            osm: OsmRef {
                osm_type: h.osm_type,
                osm_id: h.osm_id,
            },
            name: h.tags.get("name").cloned(),
        });
        let added = candidates::add_osm_results_from(
            &mut f.candidates,
            found,
            Some(&self.description),
            self.extract_ref(),
        );
        state
            .commands
            .push(Command::Shell(ShellCommand::Notify(Status::Info(format!(
                "{added} candidates added to {}",
                f.id
            )))));
        state
            .commands
            .push(Command::Edit(Edit::PutFinding(Box::new(f))));
    }

    /// The extract the results came from, by file name and the SHA-256 its index
    /// recorded (signatures of the finding cover it); `None` for a database.
    pub fn extract_ref(&self) -> Option<candidates::OsmExtractRef> {
        let (IndexState::Ready(index), Some(path)) = (&self.index, &self.extract) else {
            return None;
        };
        let name = path.file_name()?.to_string_lossy().into_owned();
        Some(candidates::OsmExtractRef {
            name,
            sha256: index.source_sha256.clone(),
        })
    }

    /// A click on the map while drawing the search area: one more corner. `false` when
    /// not drawing (the click is the map tool's).
    pub fn map_clicked(&mut self, lat: f64, lon: f64) -> bool {
        if !(self.open && self.drawing) {
            return false;
        }
        self.drawn.push([lon, lat]);
        true
    }

    /// The drawn search area's outline to show (longitude, latitude), closed unless still
    /// being drawn; two corners are a rectangle.
    pub fn drawn_outline(&self) -> Option<(Vec<[f64; 2]>, bool)> {
        if !self.open || self.area != AreaChoice::Drawn || self.drawn.is_empty() {
            return None;
        }
        let outline = match self.drawn.as_slice() {
            [a, b] if !self.drawing => {
                crate::board::geometry::corners([a[0], a[1], b[0], b[1]]).to_vec()
            }
            points => points.to_vec(),
        };
        Some((outline, !self.drawing))
    }

    /// The result points to preview on the map (longitude, latitude).
    pub fn preview(&self) -> Vec<(f64, f64)> {
        match (&self.results, self.open) {
            (Ok(hits), true) => hits.iter().map(|h| (h.lat, h.lon)).collect(),
            _ => Vec::new(),
        }
    }
}

/// Runs a query on the database as a job; the request is written to the network ledger
/// first, as every request the app makes.
fn run_on_database(
    db: &Arc<Mutex<PostgisSource>>,
    q: Query,
    ledger: &Arc<super::ledger::NetworkLedger>,
    ctx: &egui::Context,
) -> Running {
    let (db, ledger) = (Arc::clone(db), Arc::clone(ledger));
    let description = q.describe();
    let shown = description.clone();
    let job = Jobs::of(ctx).spawn(Some(ctx), "querying PostGIS", move |_| {
        let mut db = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = ledger.start_request(
            db.host().to_owned(),
            format!("postgresql://{}", db.label()),
            &format!("OSM query: {description}"),
        );
        let started = std::time::Instant::now();
        let result = db
            .run(&q, crate::spatial::Borders::bundled().ok())
            .map_err(|e| e.to_string());
        let outcome = result.as_ref().map(|_| Vec::new()).map_err(Clone::clone);
        ledger.finish_with(entry, &outcome, started);
        result
    });
    (shown, job)
}

/// The results not yet added, as small diamonds on the map.
pub fn draw_preview(ui: &egui::Ui, search: &OsmSearch, extent: &MapViewExtent) -> usize {
    let points = search.preview();
    let painter = ui.painter().with_clip_rect(extent.rect);
    if let Some((outline, closed)) = search.drawn_outline() {
        let mut screen: Vec<egui::Pos2> = outline
            .iter()
            .map(|p| extent.to_screen(p[1], p[0]))
            .collect();
        let stroke = egui::Stroke::new(2.0, super::theme::OSM_RESULT);
        for p in &screen {
            painter.circle_filled(*p, 3.5, super::theme::OSM_RESULT);
        }
        if closed {
            screen.push(screen[0]);
            painter.add(egui::Shape::line(screen, stroke));
        } else {
            painter.add(egui::Shape::dashed_line(&screen, stroke, 6.0, 4.0));
        }
    }
    for (lat, lon) in &points {
        let p = extent.to_screen(*lat, *lon);
        painter.add(egui::Shape::convex_polygon(
            vec![
                p + egui::vec2(0.0, -6.0),
                p + egui::vec2(6.0, 0.0),
                p + egui::vec2(0.0, 6.0),
                p + egui::vec2(-6.0, 0.0),
            ],
            super::theme::OSM_RESULT,
            egui::Stroke::new(1.0, super::theme::OUTLINE),
        ));
    }
    points.len()
}

pub fn window_ui(ui: &mut egui::Ui, search: &mut OsmSearch, mut state: SearchCtx<'_>) {
    if !search.open {
        return;
    }
    search.refresh(&state, ui.ctx());
    let mut open = search.open;
    egui::Window::new("Find candidate sites (OpenStreetMap)")
        .open(&mut open)
        .default_width(440.0)
        .show(ui.ctx(), |ui| {
            source_ui(ui, search);
            ui.separator();
            query_ui(ui, search);
            area_ui(ui, search);
            ui.separator();
            results_ui(ui, search, &mut state);
            ui.label(egui::RichText::new(crate::osm::ATTRIBUTION).small());
        });
    search.open = open;
}

/// Where features come from: the extract and its index, or a PostGIS database.
fn source_ui(ui: &mut egui::Ui, search: &mut OsmSearch) {
    ui.horizontal(|ui| {
        let name = search
            .extract
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or("no extract".into(), |n| n.to_string_lossy().into_owned());
        ui.label(name);
        if ui.button("Open .osm.pbf extract…").clicked()
            && let Some(file) = rfd::FileDialog::new()
                .add_filter("OSM PBF", &["pbf"])
                .pick_file()
        {
            search.open_extract(file, ui.ctx());
        }
    });
    match &search.index {
        IndexState::None => {
            ui.label("Open a regional extract (e.g. from Geofabrik): it is indexed once, offline.");
        }
        IndexState::Building(job) => {
            let f = job.progress().0.unwrap_or(0.0);
            ui.add(egui::ProgressBar::new(f).text(format!("indexing {:.0} %", f * 100.0)));
            if ui.button("Cancel").clicked() {
                job.cancel();
            }
        }
        IndexState::Failed(e) => {
            ui.label(egui::RichText::new(e).color(super::theme::ERROR));
        }
        IndexState::Ready(index) => {
            ui.label(format!("{} features indexed", index.len()));
        }
        IndexState::Connecting(_) => {
            ui.label("connecting to the PostGIS database…");
        }
        IndexState::Database(db) => {
            let label = db.lock().map(|d| d.label()).unwrap_or_default();
            ui.label(format!(
                "querying PostGIS at {label} (each query is in the network ledger)"
            ));
        }
    }
    ui.collapsing("…or a PostGIS database (osm2pgsql --hstore-all)", |ui| {
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut search.postgis_conninfo)
                    .hint_text("host=osm.example dbname=osm user=analyst")
                    .desired_width(260.0),
            );
            ui.add(egui::TextEdit::singleline(&mut search.postgis_prefix).desired_width(80.0))
                .on_hover_text("osm2pgsql's table prefix");
            let named = !search.postgis_conninfo.trim().is_empty();
            if ui
                .add_enabled(named, egui::Button::new("Connect"))
                .on_hover_text("Queries, and so your area of interest, go to this server")
                .clicked()
            {
                search.connect_postgis(ui.ctx());
            }
        });
    });
}

/// What to find, and the constraints on it.
fn query_ui(ui: &mut egui::Ui, search: &mut OsmSearch) {
    ui.horizontal(|ui| {
        ui.label("Find");
        egui::ComboBox::from_id_salt("osm-preset")
            .selected_text("preset")
            .show_ui(ui, |ui| {
                for (name, _) in PRESETS {
                    if ui.selectable_label(search.find == *name, *name).clicked() {
                        search.find = (*name).to_owned();
                    }
                }
            });
        ui.add(
            egui::TextEdit::singleline(&mut search.find)
                .hint_text("amenity=fuel")
                .desired_width(220.0),
        );
    });
    let mut remove = None;
    for (i, row) in search.constraints.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            egui::ComboBox::from_id_salt(("osm-rel", i))
                .selected_text(if row.within { "within" } else { "not within" })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut row.within, true, "within");
                    ui.selectable_value(&mut row.within, false, "not within");
                });
            ui.add(egui::TextEdit::singleline(&mut row.distance).desired_width(60.0));
            ui.label("of");
            ui.add(egui::TextEdit::singleline(&mut row.filter).desired_width(160.0));
            if ui.small_button("✕").clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        search.constraints.remove(i);
    }
    if ui.button("+ constraint").clicked() {
        search.constraints.push(ConstraintRow {
            within: true,
            distance: "200m".into(),
            filter: "amenity=fuel".into(),
        });
    }
}

/// Where to search: the map view, a drawn area, a box, a country or the whole extract.
fn area_ui(ui: &mut egui::Ui, search: &mut OsmSearch) {
    ui.horizontal(|ui| {
        ui.label("In");
        let choices = [
            (AreaChoice::MapView, "map view"),
            (AreaChoice::Drawn, "drawn"),
            (AreaChoice::Bbox(String::new()), "bbox"),
            (AreaChoice::Country(String::new()), "country"),
            (AreaChoice::Everywhere, "whole extract"),
        ];
        for (choice, label) in choices {
            let current = std::mem::discriminant(&search.area) == std::mem::discriminant(&choice);
            if ui.selectable_label(current, label).clicked() && !current {
                search.drawing = choice == AreaChoice::Drawn && search.drawn.is_empty();
                search.area = choice;
            }
        }
        match &mut search.area {
            AreaChoice::Bbox(text) => {
                ui.add(
                    egui::TextEdit::singleline(text)
                        .hint_text("W,S,E,N")
                        .desired_width(160.0),
                );
            }
            AreaChoice::Country(code) => {
                ui.add(
                    egui::TextEdit::singleline(code)
                        .hint_text("UKR")
                        .desired_width(60.0),
                );
            }
            _ => {}
        }
    });
    if search.area == AreaChoice::Drawn {
        ui.horizontal(|ui| {
            let corners = search.drawn.len();
            if search.drawing {
                ui.label(format!(
                    "click the map: {corners} corners (two: a rectangle)"
                ));
                if ui.button("Finish").clicked() {
                    search.drawing = false;
                }
            } else {
                ui.label(match corners {
                    0 => "no area drawn".to_owned(),
                    2 => "a rectangle".to_owned(),
                    n => format!("a polygon of {n} corners"),
                });
                if ui.button("Draw again").clicked() {
                    search.drawn.clear();
                    search.drawing = true;
                }
            }
            if corners > 0 && ui.button("Clear").clicked() {
                search.drawn.clear();
            }
        });
    }
}

/// The results, and the button that adds them as candidates of the selected finding.
fn results_ui(ui: &mut egui::Ui, search: &mut OsmSearch, state: &mut SearchCtx<'_>) {
    if search.running.is_some() {
        ui.label("querying the database…");
    }
    match &search.results {
        Ok(hits) => {
            ui.label(egui::RichText::new(format!("{} results", hits.len())).strong());
            for h in hits.iter().take(8) {
                let name = h.tags.get("name").map_or("", String::as_str);
                ui.label(format!("{:.5}, {:.5}  {name}", h.lat, h.lon));
            }
            let selected = state
                .selected
                .filter(|f| f.kind == FindingKind::Geolocation)
                .map(|f| f.title.clone());
            let label = match &selected {
                Some(t) => format!("Add {} as candidates of “{t}”", hits.len()),
                None => "Select a geolocation finding to add them".into(),
            };
            if ui
                .add_enabled(
                    selected.is_some() && !hits.is_empty(),
                    egui::Button::new(label),
                )
                .clicked()
            {
                search.add_to_finding(state);
            }
        }
        Err(e) => {
            ui.label(egui::RichText::new(e).color(super::theme::WARNING));
        }
    }
}
