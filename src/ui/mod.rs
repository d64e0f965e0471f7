//! The desktop app (feature `gui`): app shell, panels, the map and its overlays.
//!
//! Who owns what:
//! - [`GeoproofApp`] (this file) owns the things that need egui or threads: the basemap's
//!   tile source, the imagery layers, textures, the import and collection jobs, and the
//!   job registry ([`jobs::Jobs`], the only place `ui/` starts a thread). Once per frame
//!   it first drains the registry (finished results reach their handles; video grabs and
//!   analyses become commands, whatever workspace is shown), then draws the panels,
//!   applies the commands they pushed, and then picks up work asked for (a basemap
//!   to open, files to import).
//! - [`state::AppState`] owns what the analyst is doing: the open case, the shell
//!   (selection, workspace, status line) and each part's own state in its part's module
//!   (`map_state`: the map and its tools; `prefs`; `basemap::state`: basemap, consent,
//!   ledger; `imports`; `case_lists`; board, georeference view, candidate session, query
//!   builder, and the dialogs). It is the one place commands are applied
//!   (`state::AppState::apply_commands`: one arm per owner, each owner's handler in
//!   `state/*_commands.rs`), and every change to the case goes through `case::Edit`.
//! - [`command`] is the vocabulary every part uses to ask for a change, nested by the
//!   owner that carries it out (`Command::Board(BoardCommand)`, …); of `ui/` it
//!   imports only the basemap's `SourceChoice`. `theme` holds every colour.
//! - Overlays on the map follow one convention (`map_overlays`, which lists them).
//! - `skyline` holds what the board's Skyline tool and the georeference view share to
//!   show a camera's terrain skyline: the horizon service (through `jobs`) and its style.
//! - The parts (`board`, `georef`, `candidates`, `osm_search`, `posts`, `stamp_dialog`,
//!   `map_sun`, `case_lists`, `basemap`) never import `state`: their `*_ui` functions take
//!   their own state and a narrow context (`BoardCtx`, `GeorefCtx`, …) that `AppState`
//!   lends for the call, and push commands (a message for the status line too:
//!   `ShellCommand::Notify`; only `state` writes it). `panels`, `map_view` and
//!   `map_overlays` are the app's own panels and read `AppState` directly.
//!   `tests/fitness/` keeps these arrows pointing down.

mod about;
pub mod basemap;
mod beside;
mod board;
pub use board::video::FRAME_CACHE_BYTES as VIDEO_FRAME_CACHE_BYTES;
pub mod candidates;
mod case_lists;
mod collection_job;
pub mod command;
pub mod date_compare;
pub mod georef;
mod imagery_layers;
mod import_job;
mod imports;
pub mod jobs;
mod layer_dates;
pub mod ledger;
mod map_camera;
pub mod map_marks;
mod map_overlays;
mod map_state;
mod map_sun;
mod map_terrain;
mod map_view;
mod map_world;
pub mod osm_search;
mod panels;
pub mod posts;
mod prefs;
pub mod review;
mod skyline;
pub mod stamp_dialog;
pub mod state;
pub mod terrain;
mod theme;
mod thumbnails;
mod undo_buttons;

use std::path::PathBuf;

use crate::case::Case;
use crate::spatial::Borders;
use walkers::Tiles;

pub use board::{BoardTool, Layout, RedactShape};
pub use command::{
    BesideCommand, BoardCommand, CaseCommand, ImportCommand, MapCommand, ReviewCommand,
    ShellCommand, StampCommand,
};
pub use map_camera::{CASE_MAX_ZOOM, ITEM_MAX_ZOOM};
pub use map_sun::Locus;
pub use state::{AppState, Command, MapViewExtent, Prefs, Selection, Status, Tool, Workspace};

use crate::assets::{self, APP_ID};
const LAST_CASE_KEY: &str = "last_case";
const PREFS_KEY: &str = "prefs";

/// The bundled demo case, written once into the user's data folder so exploring it
/// never modifies the program's own files.
pub fn demo_case_path() -> Result<PathBuf, String> {
    assets::demo_case_path().map_err(|e| e.to_string())
}

/// DejaVu Sans as a fallback after egui's own font: it covers Cyrillic, the symbols
/// the UI uses and most Arabic-script letters (egui itself does not shape Arabic).
fn install_fonts(ctx: &egui::Context) {
    match assets::read(assets::path::FONT_REGULAR) {
        Ok(bytes) => ctx.add_font(egui::epaint::text::FontInsert::new(
            "DejaVuSans",
            egui::FontData::from_owned(bytes.into_owned()),
            [egui::FontFamily::Proportional, egui::FontFamily::Monospace]
                .into_iter()
                .map(|family| egui::epaint::text::InsertFontFamily {
                    family,
                    priority: egui::epaint::text::FontPriority::Lowest,
                })
                .collect(),
        )),
        Err(e) => log::error!("{e}"),
    }
}

pub struct GeoproofApp {
    pub state: AppState,
    basemap: Option<Box<dyn Tiles>>,
    /// The case's own imagery over the basemap.
    pub imagery: imagery_layers::ImageryLayers,
    /// The case's elevation surface (hillshade, profiles, viewsheds).
    pub elevation: terrain::Elevation,
    /// The picture the georeference view and the map overlay show.
    georef_image: georef::GeorefImages,
    /// The skyline check of the georeference view (its horizons are computed off the UI
    /// thread).
    georef_sky: georef::SkyView,
    overlay: std::sync::Arc<map_view::BorderOverlay>,
    borders: Option<&'static Borders>,
    thumbnails: thumbnails::Thumbnails,
    import: Option<import_job::ImportJob>,
    collection: Option<collection_job::CollectionJob>,
    pub board_images: board::BoardImages,
    /// The screenshot being waited for (map snapshots).
    snapshot_shot: Option<std::sync::mpsc::Receiver<std::sync::Arc<egui::ColorImage>>>,
    /// Every background job of the app; drained at the top of each frame.
    jobs: jobs::Jobs,
}

impl GeoproofApp {
    /// Builds the app around an already-opened case (or none). Used by `run` and tests.
    pub fn new(ctx: &egui::Context, case: Option<Case>) -> GeoproofApp {
        install_fonts(ctx);
        let borders = Borders::bundled().map_err(|e| log::error!("{e}")).ok();
        let capitals = assets::read(assets::path::CITIES)
            .map_err(|e| log::error!("{e}"))
            .map(|bytes| map_view::load_capitals(&String::from_utf8_lossy(&bytes)))
            .unwrap_or_default();
        // Simplifying every outline takes a moment: do it once per process.
        static OVERLAY: std::sync::OnceLock<std::sync::Arc<map_view::BorderOverlay>> =
            std::sync::OnceLock::new();
        let overlay = OVERLAY
            .get_or_init(|| {
                std::sync::Arc::new(match borders {
                    Some(b) => map_view::BorderOverlay::new(b, capitals),
                    None => map_view::BorderOverlay::empty(),
                })
            })
            .clone();
        let mut state = AppState::new(case);
        let basemap = basemap::open_source(
            &basemap::SourceChoice::BlueMarble,
            ctx,
            &state.basemap.ledger,
        )
        .map_err(|e| state.notify(Status::Error(e)))
        .ok();
        GeoproofApp {
            state,
            basemap,
            imagery: imagery_layers::ImageryLayers::default(),
            elevation: terrain::Elevation::default(),
            georef_image: georef::GeorefImages::default(),
            georef_sky: georef::SkyView::default(),
            overlay,
            borders,
            thumbnails: thumbnails::Thumbnails::new(ctx),
            import: None,
            collection: None,
            board_images: board::BoardImages::default(),
            snapshot_shot: None,
            jobs: jobs::Jobs::of(ctx),
        }
    }

    /// One frame of the whole UI.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.before_panels(&ctx);
        self.edge_panels_ui(ui);
        egui::Panel::right("inspector")
            .default_size(320.0)
            .min_size(320.0)
            .resizable(true)
            .show(ui, |ui| self.inspector_ui(ui, &ctx));
        egui::CentralPanel::no_frame().show(ui, |ui| match self.state.shell.workspace {
            Workspace::Board => {
                board::board_ui(ui, &mut self.state.board_ctx(), &mut self.board_images)
            }
            Workspace::Map => self.map_workspace_ui(ui, &ctx),
        });
        self.dialogs_ui(ui);
        about::about_window_ui(&ctx);
        self.take_map_snapshot(&ctx);
        self.state.apply_commands(ctx.input(|i| i.time));
        self.run_imports(&ctx);
        self.open_asked_basemap(&ctx);
    }

    /// What comes in before any panel draws: finished jobs, thumbnails, review state,
    /// match and find results (so a finished match shows its proposals this frame),
    /// dropped files, the case's imagery and terrain, and the sun on the terrain.
    fn before_panels(&mut self, ctx: &egui::Context) {
        self.drain_jobs(ctx);
        self.thumbnails.drain(ctx);
        if let Some(e) = self
            .state
            .shell
            .review
            .refresh_awaiting(self.state.case.as_ref())
        {
            self.state.notify(Status::Error(e));
        }
        self.state.board_ctx().poll_matching();
        self.state.board_ctx().poll_find(ctx);
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .collect()
        });
        if !dropped.is_empty() {
            self.state
                .commands
                .push(Command::Import(ImportCommand::Files(dropped)));
        }
        for error in self.imagery.sync(self.state.case.as_ref(), ctx) {
            self.state.notify(Status::Error(error));
        }
        self.sync_terrain(ctx);
        let point = self.state.sun_point().map(|(p, _)| p);
        let time = self.observed_at();
        let sun = terrain::wanted_sun(&mut self.state.map.terrain, point, time);
        if let Some(surface) = &mut self.elevation.surface {
            surface.set_sun(sun);
        }
    }

    /// When the selected finding was observed, in UTC.
    fn observed_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.state
            .selected_finding()
            .and_then(|f| f.observed_at)
            .map(|t| t.with_timezone(&chrono::Utc))
    }

    /// The panels along the window's edges: top bar, status bar, terrain profile, network
    /// ledger and the case panel.
    fn edge_panels_ui(&mut self, ui: &mut egui::Ui) {
        egui::Panel::top("top-bar").show(ui, |ui| {
            panels::top_bar_ui(ui, &mut self.state, &self.imagery, &self.elevation)
        });
        egui::Panel::bottom("status-bar").show(ui, |ui| panels::status_bar_ui(ui, &mut self.state));
        if self.state.shell.workspace == Workspace::Map
            && self
                .elevation
                .surface
                .as_ref()
                .is_some_and(|s| s.profile_asked.is_some())
        {
            egui::Panel::bottom("terrain-profile")
                .resizable(true)
                .default_size(200.0)
                .show(ui, |ui| {
                    if let Some(surface) = &self.elevation.surface {
                        terrain::profile_panel_ui(ui, &mut self.state.commands, surface)
                    }
                });
        }
        if self.state.basemap.show_ledger {
            egui::Panel::bottom("network-ledger")
                .resizable(true)
                .default_size(160.0)
                .show(ui, |ui| panels::ledger_ui(ui, &mut self.state));
        }
        egui::Panel::left("case-panel")
            .default_size(260.0)
            .min_size(260.0)
            .resizable(true)
            .show(ui, |ui| {
                panels::case_panel_ui(ui, &mut self.state, &mut self.thumbnails)
            });
    }

    /// The right-hand inspector: the board's, the candidate session's, the georeference
    /// view's, or the map's (with the sun and terrain panels).
    fn inspector_ui(&mut self, ui: &mut egui::Ui, ctx: &egui::Context) {
        match self.state.shell.workspace {
            Workspace::Board => board::board_inspector_ui(ui, &mut self.state.board_ctx()),
            // The inspector and the sun panel can be taller than the window.
            Workspace::Map if self.state.candidate_session().is_some() => {
                egui::ScrollArea::vertical()
                    .id_salt("candidates-inspector-scroll")
                    .show(ui, |ui| {
                        candidates::inspector_ui(ui, self.state.candidate_ctx())
                    });
            }
            Workspace::Map if self.state.georef().is_some() => {
                egui::ScrollArea::vertical()
                    .id_salt("georef-inspector-scroll")
                    .show(ui, |ui| georef::inspector_ui(ui, self.state.georef_ctx()));
            }
            Workspace::Map => {
                egui::ScrollArea::vertical()
                    .id_salt("map-inspector-scroll")
                    .show(ui, |ui| self.map_inspector_ui(ui, ctx));
            }
        }
    }

    /// The map's inspector: the selection, the sun panel and the terrain panel.
    fn map_inspector_ui(&mut self, ui: &mut egui::Ui, ctx: &egui::Context) {
        panels::inspector_ui(ui, &mut self.state, self.borders);
        let point = self.state.sun_point();
        let observed = self.observed_at();
        let state = &mut self.state;
        map_sun::sun_panel_ui(ui, &mut state.map.sun, point, observed, &mut state.commands);
        let selected = state.sun_point();
        let cx = terrain::PanelCtx {
            view: &mut state.map.terrain,
            tool: &mut state.map.tool,
            selected,
            export_to: None,
        };
        let surface = self.elevation.surface.as_ref();
        if let Some(path) = terrain::terrain_panel_ui(ui, cx, surface)
            && let Err(e) = self.elevation.export_viewshed(path, ctx)
        {
            state.notify(Status::Error(e));
        }
    }

    /// The map workspace: the map with its overlays, beside the candidate session's or
    /// the georeference view's picture when one is open.
    fn map_workspace_ui(&mut self, ui: &mut egui::Ui, ctx: &egui::Context) {
        candidates::keys(ui, self.state.candidate_ctx());
        let blind = self
            .state
            .shell
            .review
            .blind_evidence(self.state.case.as_ref());
        let evidence = if self.state.candidate_session().is_some() {
            candidates::session_evidence(self.state.case.as_ref(), self.state.candidate_session())
        } else if blind.is_some() {
            blind.clone()
        } else {
            georef::overlay::shown_evidence(&self.state.overlay_source())
        };
        let image = self.georef_image.ensure(
            ctx,
            self.state.case.as_ref(),
            evidence.as_deref(),
            &self.state.prefs.exposure,
        );
        let tiles = self.basemap.as_mut().map(|b| &mut **b as &mut dyn Tiles);
        let (imagery, compared) = self
            .imagery
            .for_map(self.state.case.as_ref(), &self.state.map.compare);
        let layers = map_view::MapLayers {
            imagery,
            compared,
            terrain: self.elevation.map_layers(self.state.case.as_ref()),
            georef_image: image,
        };
        let overlay = &self.overlay;
        let map = |ui: &mut egui::Ui, state: &mut AppState| {
            map_view::map_ui(ui, state, tiles, layers, overlay);
        };
        if self.state.candidate_session().is_some() || blind.is_some() {
            candidates::view_ui(ui, &mut self.state, image, map);
        } else if self.state.georef().is_some() {
            let sky = &mut self.georef_sky;
            georef::view_ui(ui, &mut self.state, image, sky, AppState::georef_ctx, map);
        } else {
            map(ui, &mut self.state);
        }
    }

    /// The windows over the workspace: consent, figure, recovery, posts, the query
    /// builder and the stamp dialog.
    fn dialogs_ui(&mut self, ui: &mut egui::Ui) {
        if self.state.basemap.consent_request.is_some() {
            panels::online_consent_ui(ui, &mut self.state);
        }
        if self.state.dialogs.figure.is_some() {
            board::figure_dialog_ui(ui, &mut self.state.board_ctx());
        }
        if !self.state.board.recovery.is_empty() {
            panels::recovery_ui(ui, &mut self.state);
        }
        posts::posts_ui(
            ui,
            &mut self.state.dialogs.posts,
            self.state.case.as_ref(),
            &self.state.prefs.exposure,
            &mut self.state.commands,
            &mut self.thumbnails,
        );
        {
            let state = &mut self.state;
            let selected =
                state::selected_finding(state.case.as_ref(), state.shell.selection.as_ref());
            osm_search::window_ui(
                ui,
                &mut state.osm_search,
                osm_search::SearchCtx {
                    map_view: state.map.view,
                    ledger: &state.basemap.ledger,
                    selected,
                    commands: &mut state.commands,
                },
            );
        }
        stamp_dialog::stamp_dialog_ui(
            ui,
            stamp_dialog::StampCtx {
                case: self.state.case.as_ref(),
                ledger: &self.state.basemap.ledger,
                stamp_dialog: &mut self.state.dialogs.stamp,
                commands: &mut self.state.commands,
            },
        );
    }

    /// Opens the basemap a panel asked for this frame.
    fn open_asked_basemap(&mut self, ctx: &egui::Context) {
        if let Some(choice) = self.state.take_basemap_request() {
            let osm_cache = self.state.osm_search().cache_dir.clone();
            match basemap::open_source_with(&choice, ctx, &self.state.basemap.ledger, osm_cache) {
                Ok(tiles) => {
                    // Dropping the old source stops its download workers.
                    self.basemap = Some(tiles);
                    self.state
                        .notify(Status::Info(format!("basemap: {}", choice.label())));
                    self.state.basemap.choice = choice;
                }
                Err(e) => self.state.notify(Status::Error(e)),
            }
        }
    }
}

impl GeoproofApp {
    /// The one place background results come in, first thing in the frame and whatever
    /// workspace is shown: the registry hands finished results to their handles, and work
    /// that changes the case (video grabs and analyses) becomes commands now, not when
    /// the board is next drawn.
    fn drain_jobs(&mut self, ctx: &egui::Context) {
        self.jobs.drain(Some(ctx));
        for finished in self.board_images.videos.finished_work() {
            self.state.commands.push(finished.into_command());
        }
        // A finished skyline scan shows on the map too, whatever workspace is shown.
        let state = &mut self.state;
        state.board.skyline.scan.take_result(&mut state.commands);
    }

    /// Keeps the elevation surface in step with the case and the map (see `terrain`).
    fn sync_terrain(&mut self, ctx: &egui::Context) {
        let state = &mut self.state;
        let mut cx = terrain::TerrainCtx {
            case: state.case.as_ref(),
            view: &mut state.map.terrain,
            hover: state.map.hover,
            measure: &state.map.measure,
            commands: &mut state.commands,
        };
        self.elevation.sync(&mut cx, ctx);
    }

    /// The app's job registry (tests wait on it instead of sleeping).
    pub fn jobs(&self) -> &jobs::Jobs {
        &self.jobs
    }

    /// The size of the picture the georeference / candidate view shows (tests: a graphic
    /// item must arrive there as its 20 px stand-in).
    pub fn side_image_size(&self) -> Option<[usize; 2]> {
        self.georef_image.current_size()
    }

    /// The georeference view's skyline check: what it drew last frame.
    pub fn georef_skyline(&self) -> &georef::SkyView {
        &self.georef_sky
    }
}

impl GeoproofApp {
    /// Map snapshots: after the map has been drawn for a frame, ask the window for a
    /// screenshot; when it arrives, cut out the map and add it to the board's finding.
    fn take_map_snapshot(&mut self, ctx: &egui::Context) {
        use state::SnapshotStep;
        match self.state.map.snapshot {
            SnapshotStep::Idle => {}
            SnapshotStep::ShowMap => {
                if self.state.map.view.is_some() {
                    let (tx, rx) = std::sync::mpsc::channel();
                    let repaint = ctx.clone();
                    ctx.request_screenshot(move |image| {
                        let _ = tx.send(image);
                        repaint.request_repaint();
                    });
                    self.snapshot_shot = Some(rx);
                    self.state.map.snapshot = SnapshotStep::Waiting;
                }
                ctx.request_repaint();
            }
            SnapshotStep::Waiting => {
                let shot = self.snapshot_shot.as_ref().map(|rx| rx.try_recv());
                let image = match shot {
                    Some(Ok(image)) => image,
                    Some(Err(std::sync::mpsc::TryRecvError::Empty)) => return,
                    _ => {
                        self.state.map.snapshot = SnapshotStep::Idle;
                        self.state.notify(Status::Error(
                            "the window did not deliver the map snapshot".into(),
                        ));
                        return;
                    }
                };
                self.snapshot_shot = None;
                self.state.map.snapshot = SnapshotStep::Idle;
                let result = self.snapshot_edit(&image, ctx.pixels_per_point());
                match result {
                    Ok(edit) => {
                        self.state.commands.push(Command::Edit(edit));
                        if let Some(id) = self.state.board.finding.clone() {
                            self.state
                                .commands
                                .push(Command::Board(BoardCommand::Open(id)));
                        }
                    }
                    Err(e) => self.state.notify(Status::Error(e)),
                }
                self.state.apply_commands(ctx.input(|i| i.time));
            }
        }
    }

    fn snapshot_edit(
        &self,
        shot: &egui::ColorImage,
        pixels_per_point: f32,
    ) -> Result<crate::case::Edit, String> {
        let extent = self.state.map.view.ok_or("the map was not shown")?;
        let finding = self
            .state
            .board
            .finding
            .clone()
            .ok_or("no finding on the board")?;
        let r = extent.rect;
        let px = |v: f32| (v * pixels_per_point).round().max(0.0) as usize;
        let (x0, y0) = (
            px(r.min.x).min(shot.width()),
            px(r.min.y).min(shot.height()),
        );
        let (x1, y1) = (
            px(r.max.x).min(shot.width()),
            px(r.max.y).min(shot.height()),
        );
        if x1 <= x0 || y1 <= y0 {
            return Err("the map area is empty; nothing to capture".into());
        }
        let mut rgba = image::RgbaImage::new((x1 - x0) as u32, (y1 - y0) as u32);
        for (x, y, p) in rgba.enumerate_pixels_mut() {
            let c = shot.pixels[(y0 + y as usize) * shot.width() + x0 + x as usize];
            *p = image::Rgba([c.r(), c.g(), c.b(), 255]);
        }
        let mut png = Vec::new();
        image::DynamicImage::ImageRgba8(rgba)
            .to_rgb8()
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|e| format!("cannot encode the map snapshot: {e}"))?;
        let basemap = format!(
            "{} ({})",
            self.state.basemap.choice.label(),
            self.basemap
                .as_ref()
                .map_or("no basemap", |b| b.attribution().text)
        );
        Ok(crate::case::Edit::AddMapSnapshot(Box::new(
            crate::case::MapSnapshot {
                finding,
                png,
                west: extent.west,
                south: extent.south,
                east: extent.east,
                north: extent.north,
                zoom: extent.zoom,
                basemap,
            },
        )))
    }

    /// Starts a background import for requested files and stores finished ones.
    fn run_imports(&mut self, ctx: &egui::Context) {
        if self.import.is_none() && !self.state.imports.files.is_empty() {
            let files = std::mem::take(&mut self.state.imports.files);
            self.import = Some(import_job::ImportJob::start(files, ctx));
        }
        if self.collection.is_none()
            && let Some(source) = self.state.imports.collection.take()
        {
            self.collection = Some(collection_job::CollectionJob::start(source, ctx));
        }
        if let Some(job) = &mut self.collection {
            if self.state.imports.cancel_collection {
                job.cancel();
            }
            match job.pump(self.state.case.as_mut()) {
                collection_job::Progress::Running => {
                    self.state.imports.collection_progress = Some((job.done, job.total));
                }
                collection_job::Progress::Finished(result) => {
                    self.state.notify(match result {
                        Ok(report) => Status::Info(collection_job::summary(&job.source, &report)),
                        Err(e) => Status::Error(e),
                    });
                    self.state.imports.last_collection = Some(job.source.clone());
                    self.state.board.find.evidence_changed = true;
                    self.collection = None;
                    self.state.imports.collection_progress = None;
                    self.state.imports.cancel_collection = false;
                }
            }
        }
        if let Some(job) = &mut self.import {
            for result in job.drain() {
                self.state.finish_import(result);
            }
            self.state.imports.import_progress = Some((job.done, job.total));
            if job.finished() {
                self.state.board.find.evidence_changed = true;
                self.import = None;
                self.state.imports.import_progress = None;
            }
        }
    }
}

impl eframe::App for GeoproofApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if let Some(case) = &self.state.case {
            storage.set_string(LAST_CASE_KEY, case.root().display().to_string());
        }
        match serde_json::to_string(&self.state.saved_prefs()) {
            Ok(json) => storage.set_string(PREFS_KEY, json),
            Err(e) => log::error!("cannot save preferences: {e}"),
        }
    }
}

/// Opens the window: `case` if given, else the last case, else the demo case.
pub fn run(case: Option<PathBuf>) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("geoproof")
            .with_inner_size([1400.0, 860.0])
            .with_drag_and_drop(true)
            .with_app_id(APP_ID)
            .with_icon(window_icon()),
        wgpu_options: wgpu_options_with_adapter_texture_limit(),
        ..Default::default()
    };
    eframe::run_native(
        APP_ID,
        options,
        Box::new(move |cc| {
            let last = cc
                .storage
                .and_then(|s| s.get_string(LAST_CASE_KEY))
                .map(PathBuf::from);
            let prefs = cc.storage.and_then(|s| s.get_string(PREFS_KEY));
            let (case, error) = open_initial(case, last);
            let mut app = GeoproofApp::new(&cc.egui_ctx, case);
            match prefs.map(|json| serde_json::from_str::<Prefs>(&json)) {
                Some(Ok(prefs)) => app.state.apply_prefs(prefs),
                Some(Err(e)) => log::warn!("preferences unreadable, using defaults: {e}"),
                None => {}
            }
            if let Some(error) = error {
                app.state.notify(Status::Error(error));
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

/// The window's icon, drawn for geoproof (`assets/icons/geoproof.svg`, rendered to PNG).
fn window_icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icons/geoproof-128.png"))
        .unwrap_or_else(|e| {
            log::warn!("window icon: {e}");
            egui::IconData::default()
        })
}

/// egui-wgpu asks the device for 8192-px textures even when the adapter allows more;
/// ask for what the adapter offers so large tiles and previews fit.
fn wgpu_options_with_adapter_texture_limit() -> eframe::egui_wgpu::WgpuConfiguration {
    use eframe::egui_wgpu::WgpuSetup;
    let mut config = eframe::NativeOptions::default().wgpu_options;
    if let WgpuSetup::CreateNew(create) = &mut config.wgpu_setup {
        let default_descriptor = create.device_descriptor.clone();
        create.device_descriptor = std::sync::Arc::new(move |adapter| {
            let mut descriptor = default_descriptor(adapter);
            let adapter_max = adapter.limits().max_texture_dimension_2d;
            descriptor.required_limits.max_texture_dimension_2d = descriptor
                .required_limits
                .max_texture_dimension_2d
                .max(adapter_max);
            descriptor
        });
    }
    config
}

/// The case to show at start, and an error to show if the wanted one failed to open
/// (a case with errors is never silently replaced by an empty one).
fn open_initial(
    explicit: Option<PathBuf>,
    last: Option<PathBuf>,
) -> (Option<Case>, Option<String>) {
    let wanted = match explicit {
        Some(path) => Some(path),
        None => last.filter(|p| p.join("case.json").exists()),
    };
    let path = match wanted {
        Some(p) => p,
        None => match demo_case_path() {
            Ok(p) => p,
            Err(e) => return (None, Some(e)),
        },
    };
    match Case::open(&path) {
        Ok(case) => (Some(case), None),
        Err(e) => (None, Some(e.to_string())),
    }
}
