//! Comparing two dated imagery layers on the map: swipe draws layer A only left of the
//! divider and layer B only right of it (dragging the divider moves the cut), blink
//! alternates them on egui's clock (stepped, no sleeping) and by the B key, and both
//! dates are written on the map.
#![allow(clippy::unwrap_used)]

use crate::util;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use egui::{Pos2, Rect, vec2};
use egui_kittest::Harness;
use geoproof::case::{Case, Edit};
use geoproof::imagery::{DateKind, ImageryLayerRef, LayerDate};
use geoproof::ui::date_compare::CompareMode;
use util::app::{Holder, app, app_harness, button, run_until};

/// A one-colour GeoTIFF in EPSG:4326 over 9.4–9.6°E, 47.05–47.25°N.
fn tiff(path: &Path, colour: [u8; 3]) {
    util::geotiff::one_colour_wgs84(path, colour, 256, [9.4, 47.25], 0.2);
}

/// A case with two dated layers, the app on it at the layers' centre, both comparing.
fn comparing(
    mode: CompareMode,
) -> (
    tempfile::TempDir,
    Harness<'static, Holder>,
    PathBuf,
    PathBuf,
) {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("before.tif"), dir.path().join("after.tif"));
    tiff(&a, [220, 30, 30]);
    tiff(&b, [30, 30, 220]);
    let mut case = Case::create(&dir.path().join("case"), "dates").unwrap();
    let dated = |path: &Path, date: &str| ImageryLayerRef {
        path: path.to_owned(),
        opacity: 1.0,
        visible: true,
        date: Some(LayerDate::entered(date, DateKind::Capture).unwrap()),
    };
    case.apply(Edit::SetImageryLayers(vec![
        dated(&a, "2019-08-21"),
        dated(&b, "2023-05-14"),
    ]))
    .unwrap();
    case.save().unwrap();
    let mut h = app_harness(Some(case), vec2(1400.0, 860.0));
    h.run_steps(2);
    {
        let state = &mut h.state_mut().app.as_mut().unwrap().state;
        let map = state.map_mut();
        map.memory.center_at(walkers::lon_lat(9.5, 47.15));
        let _ = map.memory.set_zoom(14.0);
        map.compare.a = Some(a.clone());
        map.compare.b = Some(b.clone());
        map.compare.mode = mode;
    }
    run_until(
        &mut h,
        "rendering both layers",
        std::time::Duration::from_secs(60),
        |h| {
            let app = h.state_mut().app.as_mut().unwrap();
            [&a, &b].iter().all(|p| {
                app.imagery
                    .get_mut(p)
                    .is_some_and(|t| t.cached() > 0 && t.idle())
            })
        },
    );
    h.run_steps(1);
    (dir, h, a, b)
}

fn textures(h: &mut Harness<'static, Holder>, layer: &Path) -> HashSet<egui::TextureId> {
    let app = h.state_mut().app.as_mut().unwrap();
    app.imagery.get_mut(layer).unwrap().texture_ids()
}

/// The clip rectangles of the meshes drawn last frame with one of `ids`.
fn drawn_with(h: &Harness<'static, Holder>, ids: &HashSet<egui::TextureId>) -> Vec<Rect> {
    h.output()
        .shapes
        .iter()
        .filter_map(|c| match &c.shape {
            egui::Shape::Mesh(m) if ids.contains(&m.texture_id) && !m.vertices.is_empty() => {
                Some(c.clip_rect.intersect(m.calc_bounds()))
            }
            _ => None,
        })
        .filter(|r| r.width() > 0.0 && r.height() > 0.0)
        .collect()
}

/// Every text painted last frame.
fn texts(h: &Harness<'static, Holder>) -> Vec<String> {
    h.output()
        .shapes
        .iter()
        .filter_map(|c| match &c.shape {
            egui::Shape::Text(t) => Some(t.galley.job.text.clone()),
            _ => None,
        })
        .collect()
}

fn map_rect(h: &Harness<'static, Holder>) -> Rect {
    app(h).state.map().view.as_ref().unwrap().rect
}

#[test]
fn swipe_shows_a_left_of_the_divider_and_b_right_of_it() {
    let (_dir, mut h, a, b) = comparing(CompareMode::Swipe);
    let rect = map_rect(&h);
    let check = |h: &mut Harness<'static, Holder>, divider: f32| {
        let (ta, tb) = (textures(h, &a), textures(h, &b));
        assert!(!ta.is_empty() && !tb.is_empty());
        let x = rect.left() + rect.width() * divider;
        let (left, right) = (drawn_with(h, &ta), drawn_with(h, &tb));
        assert!(!left.is_empty() && !right.is_empty(), "both layers drawn");
        assert!(
            left.iter().all(|r| r.right() <= x + 0.01),
            "A only left of {x}"
        );
        assert!(
            right.iter().all(|r| r.left() >= x - 0.01),
            "B only right of {x}"
        );
        // Together they cover the map on both sides of the cut.
        let reach = |rs: &[Rect], f: fn(&Rect) -> f32| rs.iter().map(f).fold(f32::NAN, f32::max);
        assert!((reach(&left, |r| r.right()) - x).abs() < 0.5);
        assert!((-reach(&right, |r| -r.left()) - x).abs() < 0.5);
    };
    check(&mut h, 0.5);
    let shown = texts(&h);
    assert!(
        shown
            .iter()
            .any(|t| t.contains("before.tif") && t.contains("2019-08-21 captured, entered")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|t| t.contains("2023-05-14 captured, entered"))
    );

    // Drag the divider 200 points to the right.
    let from = Pos2::new(rect.center().x, rect.center().y + 100.0);
    let to = from + vec2(200.0, 0.0);
    h.hover_at(from);
    h.run_steps(1);
    button(&h, from, true);
    h.run_steps(1);
    for k in 1..=4 {
        h.hover_at(from + vec2(50.0 * k as f32, 0.0));
        h.run_steps(1);
    }
    button(&h, to, false);
    h.run_steps(2);
    let divider = app(&h).state.map().compare.divider;
    assert!(
        (rect.left() + rect.width() * divider - to.x).abs() < 1.0,
        "divider at {divider}"
    );
    // The map itself did not pan (the drag moved the divider).
    let centre = app(&h).state.map().center().unwrap();
    assert!((centre.lon - 9.5).abs() < 1e-6, "{centre:?}");
    // Layer A's tiles newly uncovered arrive, then the cut is checked again.
    run_until(
        &mut h,
        "the newly shown tiles",
        std::time::Duration::from_secs(60),
        |h| {
            let app = h.state_mut().app.as_mut().unwrap();
            [&a, &b]
                .iter()
                .all(|p| app.imagery.get_mut(p).is_some_and(|t| t.idle()))
        },
    );
    h.run_steps(1);
    check(&mut h, divider);
}

#[test]
fn blink_alternates_on_the_clock_and_on_the_b_key() {
    let (_dir, mut h, a, b) = comparing(CompareMode::Blink);
    let (ta, tb) = (textures(&mut h, &a), textures(&mut h, &b));
    app_mut(&mut h).state.map_mut().compare.interval_s = 1.0;
    let shown_at = |h: &mut Harness<'static, Holder>, t: f64| {
        h.input_mut().time = Some(t);
        h.run_steps(1);
        let (sa, sb) = (
            !drawn_with(h, &ta).is_empty(),
            !drawn_with(h, &tb).is_empty(),
        );
        assert!(sa != sb, "exactly one layer at {t}s");
        if sa { 'A' } else { 'B' }
    };
    let seen: String = [100.0, 100.5, 101.0, 101.9, 102.0, 103.2]
        .iter()
        .map(|t| shown_at(&mut h, *t))
        .collect();
    assert_eq!(seen, "AABBAB");
    // Both dates stay on screen whichever is shown.
    let shown = texts(&h);
    assert!(shown.iter().any(|t| t.contains("2019-08-21")));
    assert!(shown.iter().any(|t| t.contains("2023-05-14")));
    // The B key flips by hand and stops the clock.
    h.key_press(egui::Key::B);
    let after_key: String = [103.3, 104.1, 105.1]
        .iter()
        .map(|t| shown_at(&mut h, *t))
        .collect();
    assert_eq!(after_key, "AAA");
    assert!(!app(&h).state.map().compare.auto);
    h.key_press(egui::Key::B);
    assert_eq!(shown_at(&mut h, 106.0), 'B');
}

fn app_mut<'h>(h: &'h mut Harness<'static, Holder>) -> &'h mut geoproof::ui::GeoproofApp {
    h.state_mut().app.as_mut().unwrap()
}
