//! Frame CPU time of the map workspace (headless egui_kittest harness, no GPU): an empty
//! case, and a case with 10,000 finding markers spread over the visible map.
//!
//! `cargo bench --bench map_frame`

use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use geoproof::case::{Case, Edit, Finding, FindingKind, FindingLocation};

#[path = "../tests/util/app.rs"]
mod app;

fn harness(case: Case) -> Harness<'static, app::Holder> {
    let mut h = app::app_harness(Some(case), egui::vec2(1400.0, 860.0));
    h.run_steps(5);
    h
}

fn case_with_markers(dir: &std::path::Path, n: usize) -> Case {
    let mut case = Case::create(&dir.join("case"), "bench").expect("case");
    // A 20°×30° grid around the demo area: at the start zoom all of it is on screen.
    let side = (n as f64).sqrt().ceil() as usize;
    for i in 0..n {
        let mut f = Finding::new(FindingKind::Geolocation, &format!("candidate {i}"));
        f.id = format!("F-bench-{i:05}");
        f.location = Some(FindingLocation {
            lat: 43.0 + 20.0 * (i / side) as f64 / side as f64,
            lon: 20.0 + 30.0 * (i % side) as f64 / side as f64,
            precision_m: 500.0,
        });
        case.apply(Edit::PutFinding(Box::new(f))).expect("apply");
    }
    case.save().expect("save");
    case
}

fn frames(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = Case::create(&dir.path().join("empty"), "empty").expect("case");
    let mut empty = harness(empty);
    let mut full = harness(case_with_markers(dir.path(), 10_000));
    let mut group = c.benchmark_group("map_frame");
    group.bench_function("empty_case", |b| b.iter(|| empty.step()));
    group.bench_function("10000_markers", |b| b.iter(|| full.step()));
    group.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
