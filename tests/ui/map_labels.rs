//! Markers and labels on the map never overprint: markers at one place form a numbered
//! cluster that spreads on click and comes apart on zoom, labels that collide move
//! around their marker or are dropped, the selected one first (egui_kittest, no GPU).
#![allow(clippy::unwrap_used)]

use crate::util;

use egui_kittest::Harness;
use geoproof::case::{Case, Edit, Finding, FindingKind, FindingLocation};
use geoproof::ui::Selection;
use geoproof::ui::map_marks::{Drawn, last_drawn};

use util::app::{Holder, app, click, default_harness as harness};

/// Findings `(title, lat, lon)` with a 50 m precision, saved in a new case.
fn case_with(findings: &[(&str, f64, f64)]) -> (tempfile::TempDir, Case, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::create(&dir.path().join("c"), "labels").unwrap();
    let mut ids = Vec::new();
    for (title, lat, lon) in findings {
        let mut f = Finding::new(FindingKind::Geolocation, title);
        f.location = Some(FindingLocation {
            lat: *lat,
            lon: *lon,
            precision_m: 50.0,
        });
        ids.push(f.id.clone());
        case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    }
    case.save().unwrap();
    (dir, case, ids)
}

fn drawn(h: &Harness<'static, Holder>) -> Drawn {
    last_drawn(&h.ctx)
}

/// No label overlaps another, a marker, or leaves the map. (The selected item's label,
/// placed first, may lie over markers when they crowd every side: `selected_first`.)
fn assert_no_overprint(h: &Harness<'static, Holder>, d: &Drawn) {
    assert_no_overprint_but(h, d, false);
}

fn assert_no_overprint_but(h: &Harness<'static, Holder>, d: &Drawn, selected_first: bool) {
    let map = app(h).state.map().view.expect("map drawn").rect;
    for (i, (text, a)) in d.labels.iter().enumerate() {
        assert!(
            map.contains_rect(*a),
            "{text:?} leaves the map: {a:?} {map:?}"
        );
        for (other, b) in &d.labels[i + 1..] {
            assert!(
                !a.intersects(*b) || a.intersect(*b).area() < 0.01,
                "{text:?} {a:?} overprints {other:?} {b:?}"
            );
        }
        for (p, _) in d.groups.iter().filter(|_| !(selected_first && i == 0)) {
            let marker = egui::Rect::from_center_size(*p, egui::vec2(14.0, 14.0));
            assert!(
                a.intersect(marker).area() < 0.01 || !a.intersects(marker),
                "{text:?} {a:?} covers a marker at {p:?}"
            );
        }
    }
}

#[test]
fn findings_at_one_place_form_a_numbered_cluster_that_spreads_on_click() {
    let village = (53.0, 34.0);
    let (_dir, case, ids) = case_with(&[
        ("Checkpoint", village.0, village.1),
        ("Burned truck", village.0, village.1),
        ("Crater", village.0, village.1),
        ("Bridge", 54.0, 36.0),
    ]);
    let mut h = harness(Some(case));
    h.run_steps(3);
    let d = drawn(&h);
    let clusters: Vec<_> = d.groups.iter().filter(|(_, n)| *n > 1).collect();
    assert_eq!(clusters.len(), 1, "{d:?}");
    let (at, count) = *clusters[0];
    assert_eq!(count, 3);
    assert_eq!(d.groups.len(), 2, "the cluster and the bridge: {d:?}");
    // The cluster is labelled once, by its first marker, with how many more it holds.
    let cluster_labels: Vec<_> = d
        .labels
        .iter()
        .filter(|(t, _)| t.ends_with(" +2"))
        .collect();
    assert_eq!(cluster_labels.len(), 1, "{:?}", d.labels);
    assert_no_overprint(&h, &d);

    // A click spreads it: three markers on a ring, each labelled, none overprinting.
    click(&mut h, at);
    let d = drawn(&h);
    assert_eq!(
        app(&h).state.shell().selection,
        None,
        "a cluster click selects nothing"
    );
    let ring: Vec<_> = d
        .groups
        .iter()
        .filter(|(p, n)| *n == 1 && p.distance(at) < 40.0)
        .collect();
    assert_eq!(ring.len(), 3, "{d:?}");
    for title in ["Checkpoint", "Burned truck", "Crater"] {
        assert!(
            d.labels.iter().any(|(t, _)| t == title),
            "{title}: {:?}",
            d.labels
        );
    }
    assert_no_overprint(&h, &d);

    // A click on a ring member selects that finding.
    let (member, _) = *ring[1];
    click(&mut h, member);
    let selected = app(&h).state.shell().selection.clone();
    assert!(
        matches!(&selected, Some(Selection::Finding(id)) if ids[..3].contains(id)),
        "{selected:?}"
    );
}

#[test]
fn a_cluster_of_nearby_findings_comes_apart_when_zoomed_in() {
    // Two findings 100 m apart and one 200 km away: the case view holds all three, so
    // the two are one cluster; flying to one of them (zoom > 14) separates them.
    let (_dir, case, ids) = case_with(&[
        ("North gate", 53.0, 34.0),
        ("South gate", 52.9991, 34.0),
        ("Depot", 54.5, 36.0),
    ]);
    let mut h = harness(Some(case));
    h.run_steps(3);
    let d = drawn(&h);
    assert!(d.groups.iter().any(|(_, n)| *n == 2), "{d:?}");
    h.state_mut()
        .app
        .as_mut()
        .unwrap()
        .state
        .push(geoproof::ui::Command::Select(Selection::Finding(
            ids[0].clone(),
        )));
    h.run_steps(8);
    assert!(app(&h).state.map().view.unwrap().zoom > 14.0);
    let d = drawn(&h);
    assert!(d.groups.iter().all(|(_, n)| *n == 1), "{d:?}");
    for title in ["North gate", "South gate"] {
        assert!(
            d.labels.iter().any(|(t, _)| t == title),
            "{title}: {:?}",
            d.labels
        );
    }
    assert_no_overprint(&h, &d);
}

#[test]
fn crowded_labels_never_overprint_and_the_selected_one_is_kept() {
    // 120 findings with long titles packed in a small area: most labels must give way.
    let mut places = Vec::new();
    let titles: Vec<String> = (0..120)
        .map(|i| format!("Vehicle checkpoint number {i:03}"))
        .collect();
    for (i, t) in titles.iter().enumerate() {
        places.push((
            t.as_str(),
            50.0 + (i / 12) as f64 * 0.05,
            30.0 + (i % 12) as f64 * 0.05,
        ));
    }
    let (_dir, case, ids) = case_with(&places);
    let mut h = harness(Some(case));
    h.run_steps(3);
    let d = drawn(&h);
    assert_no_overprint(&h, &d);
    assert!(!d.labels.is_empty());
    // Select a finding in the middle of the crowd without moving the map: its label is
    // drawn first, and still nothing overprints.
    let middle = 6 * 12 + 6;
    h.state_mut()
        .app
        .as_mut()
        .unwrap()
        .state
        .shell_mut()
        .selection = Some(Selection::Finding(ids[middle].clone()));
    h.run_steps(2);
    let d = drawn(&h);
    let first = &d.labels.first().expect("a label").0;
    assert!(
        first.starts_with(&titles[middle]),
        "{first:?} is not the selected one"
    );
    assert_no_overprint_but(&h, &d, true);
}

/// Centres the map on `(lat, lon)` at `zoom` and lets it draw.
fn look_at(h: &mut Harness<'static, Holder>, (lat, lon): (f64, f64), zoom: f64) {
    {
        let map = h.state_mut().app.as_mut().unwrap().state.map_mut();
        map.memory.center_at(walkers::lat_lon(lat, lon));
        map.memory.set_zoom(zoom).unwrap();
    }
    h.run_steps(3);
}

/// A grid of `side` × `side` findings `step` degrees apart from `(lat, lon)`.
fn grid_of_findings(at: (f64, f64), side: usize, step: f64) -> Vec<(String, f64, f64)> {
    (0..side * side)
        .map(|i| {
            (
                format!("F{i}"),
                at.0 + step * (i / side) as f64,
                at.1 + step * (i % side) as f64,
            )
        })
        .collect()
}

fn as_refs(findings: &[(String, f64, f64)]) -> Vec<(&str, f64, f64)> {
    findings
        .iter()
        .map(|(t, a, b)| (t.as_str(), *a, *b))
        .collect()
}

#[test]
fn while_the_map_pans_its_clusters_move_with_it_and_do_not_regroup() {
    // 400 findings 0.01° apart: at zoom 9 about 7 points apart, so they cluster.
    let findings = grid_of_findings((53.0, 34.0), 20, 0.01);
    let (_dir, case, _) = case_with(&as_refs(&findings));
    let mut h = harness(Some(case));
    h.run_steps(2);
    look_at(&mut h, (53.1, 34.1), 9.0);
    let before = drawn(&h);
    assert!(
        before.groups.iter().any(|(_, n)| *n > 1),
        "clusters to follow: {before:?}"
    );
    let view = app(&h).state.map().view.unwrap();
    // Pan 61 points right and 37 down (the map's content moves up and left).
    let shift = egui::vec2(61.0, 37.0);
    {
        use walkers::Projection as _;
        let centre = walkers::Pixels::new(
            view.center.x() + f64::from(shift.x),
            view.center.y() + f64::from(shift.y),
        );
        let to = walkers::MercatorProjection.unproject(centre, view.zoom);
        let map = h.state_mut().app.as_mut().unwrap().state.map_mut();
        map.memory.center_at(to);
    }
    h.run_steps(2);
    let after = drawn(&h);
    let inside = view.rect.shrink(60.0);
    let moved: Vec<(egui::Pos2, usize)> = (before.groups.iter())
        .map(|(p, n)| (*p - shift, *n))
        .filter(|(p, _)| inside.contains(*p))
        .collect();
    let now: Vec<(egui::Pos2, usize)> = (after.groups.iter())
        .filter(|(p, _)| inside.contains(*p))
        .copied()
        .collect();
    assert!(moved.len() > 10, "{moved:?}");
    assert_eq!(moved.len(), now.len(), "{moved:?}\n{now:?}");
    for ((p, n), (q, m)) in moved.iter().zip(&now) {
        assert!(
            p.distance(*q) < 0.05 && n == m,
            "{p:?} {n} became {q:?} {m}"
        );
    }
    assert_no_overprint(&h, &after);
}

#[test]
fn panning_far_away_groups_the_markers_found_there() {
    // Two villages 4° apart: at zoom 10 a few thousand points, far outside the area
    // grouped around the first.
    let mut findings = grid_of_findings((53.0, 34.0), 3, 0.0001);
    findings.extend(grid_of_findings((53.0, 38.0), 2, 0.0001));
    let (_dir, case, _) = case_with(&as_refs(&findings));
    let mut h = harness(Some(case));
    h.run_steps(2);
    look_at(&mut h, (53.0, 34.0), 10.0);
    let counts = |d: &Drawn| d.groups.iter().map(|(_, n)| *n).collect::<Vec<_>>();
    assert_eq!(counts(&drawn(&h)), [9], "{:?}", drawn(&h));
    look_at(&mut h, (53.0, 38.0), 10.0);
    let d = drawn(&h);
    assert_eq!(counts(&d), [4], "{d:?}");
    let rect = app(&h).state.map().view.unwrap().rect;
    assert!(rect.shrink(100.0).contains(d.groups[0].0), "{d:?}");
    // And back: the first village's cluster again, with its label.
    look_at(&mut h, (53.0, 34.0), 10.0);
    let d = drawn(&h);
    assert_eq!(counts(&d), [9], "{d:?}");
    assert!(d.labels.iter().any(|(t, _)| t.ends_with(" +8")), "{d:?}");
}
