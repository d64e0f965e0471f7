//! The OpenStreetMap query builder (egui_kittest): an extract indexed in the background,
//! a query with a constraint, the live count equal to the library's answer, the results
//! previewed on the map and added to the selected finding as candidates in one edit.
#![allow(clippy::unwrap_used)]

use crate::util;

use egui::vec2;
use egui_kittest::kittest::Queryable;
use geoproof::case::{Case, Edit, Finding, FindingKind};
use geoproof::ui::{Command, Selection};

use util::app::{app, app_harness, run_until};

/// Opens the extract in the query builder and waits for its index (built in the
/// background).
fn open_extract_and_wait(
    h: &mut egui_kittest::Harness<'static, util::app::Holder>,
    extract: &std::path::Path,
) {
    fn search<'h>(
        h: &'h mut egui_kittest::Harness<'static, util::app::Holder>,
    ) -> &'h mut geoproof::ui::osm_search::OsmSearch {
        h.state_mut().app.as_mut().unwrap().state.osm_search_mut()
    }
    let ctx = h.ctx.clone();
    search(h).open_extract(extract.to_owned(), &ctx);
    run_until(
        h,
        "indexing the extract",
        std::time::Duration::from_secs(180),
        |h| search(h).ready(),
    );
    // `ready()` may take the finished index between two frames; the last frame then
    // still showed the progress bar, and a click aimed by it would land on the wrong
    // row once the window shows the index. Let it lay itself out first.
    h.run_steps(2);
}

#[test]
fn a_query_built_in_the_window_adds_its_results_as_candidates() {
    let (dir, root) = util::new_case();
    let finding = {
        let mut case = Case::open(&root).unwrap();
        let f = Finding::new(FindingKind::Geolocation, "bus stop in the footage");
        let id = f.id.clone();
        case.apply(Edit::PutFinding(Box::new(f))).unwrap();
        case.save().unwrap();
        id
    };
    let extract = util::data("osm/liechtenstein-latest.osm.pbf");
    let cache = tempfile::tempdir().unwrap();
    let mut h = app_harness(Some(Case::open(&root).unwrap()), vec2(1400.0, 860.0));
    h.run_steps(2);
    {
        let state = &mut h.state_mut().app.as_mut().unwrap().state;
        state.push(Command::Select(Selection::Finding(finding.clone())));
        let search = state.osm_search_mut();
        util::app::ask_for_bus_stops_near_post_boxes(search);
        search.cache_dir = Some(cache.path().to_owned());
    }
    open_extract_and_wait(&mut h, &extract);
    h.run_steps(3);
    // The live count is the library's answer to the same query.
    let index = geoproof::osm::index::OsmIndex::build_uncached(&extract).unwrap();
    let q = geoproof::osm::query::Query {
        find: geoproof::osm::filter::TagFilter::parse("highway=bus_stop").unwrap(),
        constraints: vec![
            geoproof::osm::query::Constraint::parse("150m:amenity=post_box", true).unwrap(),
        ],
        area: geoproof::osm::query::Area::Everywhere,
        limit: Some(500),
    };
    let expected = geoproof::osm::query::run(&index, &q, None).unwrap().len();
    assert!(expected > 0);
    let shown = app(&h).state.osm_search().results.as_ref().unwrap().len();
    assert_eq!(shown, expected);
    h.get_by_label_contains(&format!("{expected} results"));
    // Click "Add N as candidates of …": one edit, every result an unchecked candidate.
    h.get_by_label_contains("as candidates of").click();
    h.run_steps(3);
    let saved = Case::open_read_only(&root).unwrap();
    let c = &saved.finding(&finding).unwrap().candidates;
    assert_eq!(c.len(), expected);
    assert!(
        c.iter()
            .all(|c| c.origin.kind == "osm_query" && c.origin.osm.is_some())
    );
    assert!(
        c[0].origin
            .query
            .as_deref()
            .unwrap()
            .contains("within 150 m of amenity=post_box")
    );
    // Each candidate names the extract by the SHA-256 of its bytes (as sha256sum has
    // it), and a signature of the finding covers it.
    let sha = geoproof::fingerprint::sha256_file(&extract).unwrap();
    assert!(c.iter().all(|c| {
        c.origin
            .extract
            .as_ref()
            .is_some_and(|e| e.name == "liechtenstein-latest.osm.pbf" && e.sha256 == sha)
    }));
    let inputs = saved.finding_inputs(saved.finding(&finding).unwrap());
    assert!(
        inputs
            .iter()
            .any(|i| i.kind == "osm_extract" && i.sha256.as_deref() == Some(sha.as_str())),
        "{inputs:?}"
    );
    // The index was cached where asked, nowhere else.
    assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 1);
    drop(dir);
}

#[test]
fn a_search_area_drawn_on_the_map_bounds_the_results() {
    let (dir, root) = util::new_case();
    let extract = util::data("osm/liechtenstein-latest.osm.pbf");
    let cache = tempfile::tempdir().unwrap();
    let mut h = app_harness(Some(Case::open(&root).unwrap()), vec2(1400.0, 860.0));
    h.run_steps(2);
    {
        let state = &mut h.state_mut().app.as_mut().unwrap().state;
        state
            .map_mut()
            .memory
            .center_at(walkers::lon_lat(9.53, 47.15));
        state.map_mut().memory.set_zoom(11.0).unwrap();
        let search = state.osm_search_mut();
        search.open = true;
        search.cache_dir = Some(cache.path().to_owned());
        search.find = "highway=bus_stop".into();
    }
    open_extract_and_wait(&mut h, &extract);
    // Choosing "drawn" starts drawing; the window says how.
    h.get_by_label("drawn").click();
    h.run_steps(3);
    assert!(app(&h).state.osm_search().drawing);
    h.get_by_label_contains("click the map: 0 corners");
    // Three clicks on the map: a triangle around the map's centre.
    let rect = app(&h).state.map().view.expect("map drawn").rect;
    let c = rect.center();
    for p in [
        c + vec2(-150.0, 120.0),
        c + vec2(150.0, 120.0),
        c + vec2(0.0, -160.0),
    ] {
        util::app::click(&mut h, p);
        h.run_steps(2);
    }
    h.get_by_label("Finish").click();
    h.run_steps(3);
    let search = &app(&h).state.osm_search();
    assert!(!search.drawing);
    assert_eq!(search.drawn.len(), 3, "{:?}", search.drawn);
    h.get_by_label_contains("a polygon of 3 corners");
    // The results are the library's answer for that polygon, and lie inside it.
    let ring = app(&h).state.osm_search().drawn.clone();
    // The live count recomputes at most every 0.4 s of egui's time: four frames of
    // 0.25 s pass it.
    h.run_steps(4);
    let index = geoproof::osm::index::OsmIndex::build_uncached(&extract).unwrap();
    let q = geoproof::osm::query::Query {
        find: geoproof::osm::filter::TagFilter::parse("highway=bus_stop").unwrap(),
        constraints: vec![],
        area: geoproof::osm::query::Area::Polygon(ring.clone()),
        limit: Some(500),
    };
    let expected = geoproof::osm::query::run(&index, &q, None).unwrap();
    let everywhere = geoproof::osm::query::Query {
        area: geoproof::osm::query::Area::Everywhere,
        ..q.clone()
    };
    let all = geoproof::osm::query::run(&index, &everywhere, None).unwrap();
    assert!(!expected.is_empty() && expected.len() < all.len());
    let shown = app(&h).state.osm_search().results.as_ref().unwrap().clone();
    let ids =
        |hits: &[geoproof::osm::query::Hit]| hits.iter().map(|h| h.osm_id).collect::<Vec<_>>();
    assert_eq!(ids(&shown), ids(&expected));
    let lons: Vec<f64> = ring.iter().map(|p| p[0]).collect();
    let lats: Vec<f64> = ring.iter().map(|p| p[1]).collect();
    for hit in &shown {
        assert!(hit.lon >= lons.iter().copied().fold(f64::MAX, f64::min));
        assert!(hit.lat <= lats.iter().copied().fold(f64::MIN, f64::max));
    }
    // Two corners make a rectangle.
    h.get_by_label("Draw again").click();
    h.run_steps(2);
    util::app::click(&mut h, c + vec2(-100.0, -100.0));
    h.run_steps(2);
    util::app::click(&mut h, c + vec2(100.0, 100.0));
    h.run_steps(2);
    h.get_by_label("Finish").click();
    h.run_steps(3);
    h.get_by_label("a rectangle");
    assert_eq!(app(&h).state.osm_search().drawn.len(), 2);
    drop(dir);
}
