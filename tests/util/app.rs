//! The whole app in a headless egui_kittest harness, shared by the UI tests and the
//! frame benchmarks (which include this file by path).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use egui_kittest::Harness;
use geoproof::case::Case;
use geoproof::ui::GeoproofApp;

/// The app is built on the first frame, when the harness's egui context exists.
pub struct Holder {
    pub case: Option<Case>,
    pub app: Option<GeoproofApp>,
}

/// The app around `case` in a window of `size` points.
pub fn app_harness(case: Option<Case>, size: egui::Vec2) -> Harness<'static, Holder> {
    app_harness_stepping(case, size, 1.0 / 4.0)
}

/// The same, with frames of `step_dt` seconds (short frames for timed gestures such as a
/// double-click).
pub fn app_harness_stepping(
    case: Option<Case>,
    size: egui::Vec2,
    step_dt: f32,
) -> Harness<'static, Holder> {
    Harness::builder()
        .with_size(size)
        .with_step_dt(step_dt)
        .build_ui_state(
            |ui, h: &mut Holder| {
                let app = h
                    .app
                    .get_or_insert_with(|| GeoproofApp::new(ui.ctx(), h.case.take()));
                app.frame_ui(ui);
            },
            Holder { case, app: None },
        )
}

/// The default window: the size the app opens at.
pub fn default_harness(case: Option<Case>) -> Harness<'static, Holder> {
    app_harness(case, egui::vec2(1400.0, 860.0))
}

pub fn app<'h>(h: &'h Harness<'_, Holder>) -> &'h GeoproofApp {
    h.state()
        .app
        .as_ref()
        .expect("the app is built after the first frame")
}

/// Queues a command for the next frame, as a UI element would.
pub fn push(h: &mut Harness<'static, Holder>, command: geoproof::ui::Command) {
    h.state_mut()
        .app
        .as_mut()
        .expect("the app is built after the first frame")
        .state
        .push(command);
}

/// The primary button going down or up at `pos`.
pub fn button(h: &Harness<'static, Holder>, pos: egui::Pos2, pressed: bool) {
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::default(),
    });
}

/// A primary click at `pos`, frame by frame as a user makes it.
pub fn click(h: &mut Harness<'static, Holder>, pos: egui::Pos2) {
    h.hover_at(pos);
    h.run_steps(1);
    button(h, pos, true);
    h.run_steps(1);
    button(h, pos, false);
    h.run_steps(2);
}

/// Press at `from`, move in eight steps to `to`, release: one gesture over many frames.
pub fn drag(h: &mut Harness<'static, Holder>, from: egui::Pos2, to: egui::Pos2) {
    h.hover_at(from);
    h.run_steps(1);
    button(h, from, true);
    h.run_steps(1);
    for i in 1..=8 {
        h.hover_at(from + (to - from) * (i as f32 / 8.0));
        h.run_steps(1);
    }
    button(h, to, false);
    h.run_steps(2);
}

/// Opens the query builder on the query the OSM kittests share: bus stops within 150 m
/// of a post box, anywhere in the extract.
pub fn ask_for_bus_stops_near_post_boxes(search: &mut geoproof::ui::osm_search::OsmSearch) {
    use geoproof::ui::osm_search::{AreaChoice, ConstraintRow};
    search.open = true;
    search.find = "highway=bus_stop".into();
    search.constraints.push(ConstraintRow {
        within: true,
        distance: "150m".into(),
        filter: "amenity=post_box".into(),
    });
    search.area = AreaChoice::Everywhere;
}

/// Runs frames until `done` holds. Between frames it waits for the app's background work
/// to report (a job finishing, a service sending a result: `ui::jobs`) instead of
/// sleeping a guessed time, so a test is as fast as the work and never too early.
/// Panics, naming `what`, when `limit` of real time passes first.
pub fn run_until(
    h: &mut Harness<'static, Holder>,
    what: &str,
    limit: std::time::Duration,
    mut done: impl FnMut(&mut Harness<'static, Holder>) -> bool,
) {
    let started = std::time::Instant::now();
    loop {
        let news = app(h).jobs().news();
        h.run_steps(1);
        if done(h) {
            return;
        }
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        // Nothing missed: news that came during the frame returns at once.
        app(h)
            .jobs()
            .wait_for_news(news, std::time::Duration::from_millis(50));
    }
}
