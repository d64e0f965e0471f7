//! The demo case's terrain (#33): its synthetic DEM is the case's elevation layer, so the
//! skyline finding opens in the Skyline tool with K as the demo comes; and an open
//! elevation surface leaves the map its width (the Terrain section of the inspector
//! once widened it by a third, and a flight to a finding stopped a quarter zoom short).
#![allow(clippy::unwrap_used)]

use crate::util;

use std::time::Duration;

use egui::Key;
use egui_kittest::kittest::Queryable;
use geoproof::case::{Case, Edit};
use geoproof::terrain::fit::{MAX_TRACE_POINTS, score_on, skyline_on};
use geoproof::ui::BoardTool;
use geoproof::ui::terrain::Opening;
use geoproof::ui::{BoardCommand, Command, Selection};
use util::app::{app, default_harness as harness, push, run_until};

const LIMIT: Duration = Duration::from_secs(120);
const SKYLINE: &str = "F-demo-skyline-synthetic";

/// The width of the map in the demo case with its elevation layer (and a viewshed shown
/// in the Terrain section, its widest state) or without any.
fn map_width(elevation: bool) -> f32 {
    let (_dir, root) = util::demo_copy();
    let mut case = Case::open(&root).unwrap();
    if !elevation {
        case.apply(Edit::SetElevation(Box::default())).unwrap();
    }
    let at = case.finding(SKYLINE).unwrap().location.unwrap();
    let mut h = harness(Some(case));
    h.run_steps(2);
    if elevation {
        run_until(&mut h, "the demo's surface opens", LIMIT, |h| {
            app(h)
                .elevation
                .surface
                .as_ref()
                .is_some_and(|s| matches!(s.opening, Opening::Ready(_)))
        });
        {
            let terrain = &mut h.state_mut().app.as_mut().unwrap().state.map_mut().terrain;
            terrain.viewshed_at = Some(geoproof::spatial::LatLon::new(at.lat, at.lon).unwrap());
            terrain.wedge = Some((12.0, 55.0));
        }
        run_until(&mut h, "the viewshed", LIMIT, |h| {
            let s = app(h).elevation.surface.as_ref().unwrap();
            matches!(s.viewshed, Some(Ok(_)))
        });
        h.get_by_label_contains("visible: ");
    } else {
        h.get_by_label_contains("Add elevation files");
    }
    h.run_steps(3);
    app(&h).state.map().camera.last_rect.unwrap().width()
}

#[test]
fn an_open_elevation_surface_leaves_the_map_its_width() {
    let without = map_width(false);
    let with = map_width(true);
    assert!(without > 400.0, "the map is {without} px wide");
    assert!(
        (with - without).abs() < 1.0,
        "the map is {with} px wide with the demo's elevation, {without} px without"
    );
}

#[test]
fn k_on_the_demo_skyline_finding_shows_the_rendered_skyline() {
    let (_dir, root) = util::demo_copy();
    let case = Case::open(&root).unwrap();
    let saved = case.finding(SKYLINE).unwrap().skyline_fit.clone().unwrap();
    let mut h = harness(Some(case));
    h.run_steps(2);
    push(&mut h, Command::Select(Selection::Finding(SKYLINE.into())));
    h.run_steps(2);
    push(&mut h, Command::Board(BoardCommand::Open(SKYLINE.into())));
    run_until(&mut h, "the frame decodes", LIMIT, |h| {
        !app(h).board_images.loading() && app(h).board_images.texture_count() > 0
    });
    assert_eq!(app(&h).state.board().tool(), BoardTool::Select);
    h.key_press(Key::K);
    h.run_steps(2);
    assert_eq!(app(&h).state.board().tool(), BoardTool::Skyline);
    run_until(&mut h, "the horizon at the saved camera", LIMIT, |h| {
        let s = &app(h).state.board().skyline;
        (s.idle() && s.current_table().is_some()) || s.horizon_error.is_some()
    });
    h.run_steps(2);
    let s = &app(&h).state.board().skyline;
    assert_eq!(s.horizon_error, None);
    // The tool starts from the finding's saved fit: its camera and its trace.
    let camera = s.camera.unwrap();
    assert_eq!(camera, saved.camera);
    assert_eq!(s.place_source, "the finding's saved fit");
    assert_eq!(s.trace, saved.trace);
    // The terrain skyline drawn over the frame: one line across it, within the frame.
    let table = s.current_table().unwrap();
    let lines = skyline_on(table, &camera).unwrap();
    let points: Vec<[f64; 2]> = lines.iter().flatten().copied().collect();
    assert!(points.len() > 100, "{} points rendered", points.len());
    let (w, hgt) = (f64::from(camera.width), f64::from(camera.height));
    assert!(
        points
            .iter()
            .all(|p| (0.0..=w).contains(&p[0]) && (-1.0..=hgt + 1.0).contains(&p[1]))
    );
    let span = points.iter().map(|p| p[0]).fold(f64::MIN, f64::max)
        - points.iter().map(|p| p[0]).fold(f64::MAX, f64::min);
    assert!(span > 0.9 * w, "the skyline spans {span} of {w} px");
    // It agrees with the trace as the saved fit did, and the inspector says so.
    let score = score_on(table, &camera, &s.trace, MAX_TRACE_POINTS).unwrap();
    assert!(score.mean_deg < 0.05, "{score:?}");
    assert!(
        (score.mean_deg - saved.score.mean_deg).abs() < 0.01,
        "{score:?}"
    );
    h.get_by_label_contains(&format!("Fit score: {:.3}°", score.mean_deg));
    assert!(h.query_by_label_contains("Add elevation files").is_none());
}
