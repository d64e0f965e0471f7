//! Frame CPU time of the map workspace (headless egui_kittest harness, no GPU): an empty
//! case, cases with 10,000 and 100,000 labelled finding markers spread over the visible
//! map (clustered, labels placed without collisions), and a case of 5,000 evidence items
//! with the evidence list in view (target: under 8 ms a frame).
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
    // 100,000 record files would take minutes to write; the map draws the case in memory.
    if n <= 10_000 {
        case.save().expect("save");
    }
    case
}

/// 5,000 evidence records (no originals: the list shows them as unreadable, which costs
/// the list nothing) with GPS spread around the demo area.
fn case_with_evidence(dir: &std::path::Path, n: usize) -> Case {
    let mut case = Case::create(&dir.join("evidence"), "bench").expect("case");
    for i in 0..n {
        let sha = format!("{:064x}", i + 1);
        let record = geoproof::case::EvidenceRecord {
            file: format!("evidence/{sha}.jpg"),
            sha256: sha,
            original_name: format!("still-{i:05}.jpg"),
            size_bytes: 1,
            media_type: "image/jpeg".into(),
            width: 1920,
            height: 1080,
            exif: geoproof::evidence::ExifSummary {
                lat: Some(50.0 + (i % 100) as f64 * 0.05),
                lon: Some(30.0 + (i / 100) as f64 * 0.05),
                ..Default::default()
            },
            perceptual_hash: None,
            source_url: None,
            acquired_at: chrono::Utc::now(),
            notes: String::new(),
            fov_deg: None,
            warnings: Vec::new(),
            video: None,
            derived_from: None,
            graphic: false,
            sources: Vec::new(),
            content_credentials: None,
            extra: Default::default(),
        };
        case.apply(Edit::AddEvidence(Box::new(record)))
            .expect("apply");
    }
    case.save().expect("save");
    case
}

fn frames(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = Case::create(&dir.path().join("empty"), "empty").expect("case");
    let mut empty = harness(empty);
    let mut full = harness(case_with_markers(dir.path(), 10_000));
    let mut listed = harness(case_with_evidence(dir.path(), 5_000));
    let huge_dir = tempfile::tempdir().expect("tempdir");
    let mut huge = harness(case_with_markers(huge_dir.path(), 100_000));
    let mut group = c.benchmark_group("map_frame");
    group.bench_function("empty_case", |b| b.iter(|| empty.step()));
    group.bench_function("10000_markers", |b| b.iter(|| full.step()));
    group.bench_function("100000_markers", |b| b.iter(|| huge.step()));
    group.bench_function("5000_evidence_listed", |b| b.iter(|| listed.step()));
    group.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
