//! Frame CPU time of the comparison board (headless egui_kittest harness, no GPU): two
//! 24-megapixel panels side by side with 500 annotations (every shape kind, 100 linked
//! pairs with labels and link lines).
//!
//! `cargo bench --bench board_frame`

#[path = "common/mod.rs"]
mod common;

use common::write_24mp_jpeg;
use criterion::{Criterion, criterion_group, criterion_main};
use geoproof::board::geometry::{ellipse_in, rectangle_in};
use geoproof::board::ops;
use geoproof::case::comparison::{Category, PanelSource, Shape};
use geoproof::case::{Case, Edit, Finding, FindingKind, ImportOptions, ImportOutcome};
use geoproof::ui::BoardCommand;
use geoproof::ui::Command;

#[path = "../tests/util/app.rs"]
mod app;

fn shape(i: usize) -> Shape {
    let x = 100.0 + (i % 25) as f64 * 230.0;
    let y = 100.0 + (i / 25) as f64 * 350.0;
    match i % 6 {
        0 => rectangle_in([x, y, x + 150.0, y + 100.0]),
        1 => ellipse_in([x, y, x + 140.0, y + 90.0]),
        2 => Shape::Arrow {
            from: [x, y],
            to: [x + 120.0, y + 80.0],
        },
        3 => Shape::Polygon {
            points: vec![[x, y], [x + 100.0, y + 10.0], [x + 60.0, y + 120.0]],
        },
        4 => Shape::Freehand {
            points: (0..20)
                .map(|k| [x + k as f64 * 6.0, y + (k % 5) as f64 * 9.0])
                .collect(),
        },
        _ => Shape::Point { x, y },
    }
}

fn board_case(dir: &std::path::Path) -> (Case, String) {
    let mut case = Case::create(&dir.join("case"), "bench").expect("case");
    let mut finding = Finding::new(FindingKind::Comparison, "bench");
    for seed in 0..2 {
        let path = dir.join(format!("photo{seed}.jpg"));
        write_24mp_jpeg(&path, seed);
        let ImportOutcome::Added(r) = case
            .import(&path, &ImportOptions::default())
            .expect("import")
        else {
            panic!("not added")
        };
        ops::add_panel(&mut finding, PanelSource::Evidence { sha256: r.sha256 });
    }
    let mut ids = [Vec::new(), Vec::new()];
    for i in 0..500 {
        let panel = i % 2;
        let id = ops::add_annotation(
            &mut finding,
            &format!("P{}", panel + 1),
            shape(i / 2),
            Category::Clothing,
        );
        if i % 5 == 0 {
            ops::annotation_mut(&mut finding, &id)
                .expect("annotation")
                .label = format!("feature {i}");
        }
        ids[panel].push(id);
    }
    for (a, b) in ids[0].iter().zip(&ids[1]).take(100) {
        ops::link(&mut finding, a, b).expect("link");
    }
    let id = finding.id.clone();
    case.apply(Edit::PutFinding(Box::new(finding)))
        .expect("put");
    case.save().expect("save");
    (case, id)
}

fn frames(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (case, id) = board_case(dir.path());
    let mut h = app::app_harness(Some(case), egui::vec2(1400.0, 860.0));
    h.run_steps(2);
    h.state_mut()
        .app
        .as_mut()
        .expect("app")
        .state
        .push(Command::Board(BoardCommand::Open(id)));
    for _ in 0..3000 {
        h.step();
        let app = h.state().app.as_ref().expect("app");
        if !app.board_images.loading() && app.board_images.texture_count() >= 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run_steps(10);
    let app = h.state().app.as_ref().expect("app");
    assert!(!app.board_images.loading(), "both images decoded");
    eprintln!(
        "board: {} annotations, {} tile textures, {} MB decoded",
        app.state
            .board()
            .working
            .as_ref()
            .map_or(0, |f| f.annotations.len()),
        app.board_images.texture_count(),
        app.board_images.cpu_bytes() / 1_000_000
    );
    let mut group = c.benchmark_group("board_frame");
    group.bench_function("two_24mp_panels_500_annotations", |b| b.iter(|| h.step()));
    group.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
