//! Exporting a two-panel figure from two 24-megapixel JPEGs at 3000 px width (decode at
//! the size needed, lay out, paint, encode PNG), plus the SVG of the same figure.
//!
//! `cargo bench --bench figure_export`

#[path = "common/mod.rs"]
mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use geoproof::board::geometry::{ellipse_in, rectangle_in};
use geoproof::board::ops;
use geoproof::case::comparison::{Category, PanelSource};
use geoproof::case::{Case, Edit, Finding, FindingKind, ImportOptions, ImportOutcome};
use geoproof::export::figure::{self, FigureOptions, Typesetter};

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut case = Case::create(&dir.path().join("case"), "bench").expect("case");
    let mut finding = Finding::new(FindingKind::Comparison, "Two 24-megapixel sources");
    finding.verdict = "Benchmark figure with linked features on both panels.".into();
    let mut ids = Vec::new();
    for seed in 0..2 {
        let path = dir.path().join(format!("photo{seed}.jpg"));
        common::write_24mp_jpeg(&path, seed);
        let ImportOutcome::Added(r) = case
            .import(&path, &ImportOptions::default())
            .expect("import")
        else {
            panic!("not added")
        };
        let panel = ops::add_panel(&mut finding, PanelSource::Evidence { sha256: r.sha256 });
        let a = ops::add_annotation(
            &mut finding,
            &panel,
            rectangle_in([1000.0, 800.0, 2200.0, 2000.0]),
            Category::Clothing,
        );
        let b = ops::add_annotation(
            &mut finding,
            &panel,
            ellipse_in([3000.0, 1500.0, 4200.0, 2600.0]),
            Category::Footwear,
        );
        ids.push((a, b));
    }
    ops::link(&mut finding, &ids[0].0, &ids[1].0).expect("link");
    ops::link(&mut finding, &ids[0].1, &ids[1].1).expect("link");
    case.apply(Edit::PutFinding(Box::new(finding.clone())))
        .expect("put");
    case.save().expect("save");
    let options = FigureOptions {
        width: 3000,
        ..FigureOptions::default()
    };
    let mut group = c.benchmark_group("figure_export");
    group.sample_size(10);
    group.bench_function("two_24mp_panels_3000px_png", |b| {
        b.iter(|| {
            let mut ts = Typesetter::new().expect("fonts");
            let fig = figure::build(&case, &finding, &options, &mut ts).expect("figure");
            figure::png(&fig, false).expect("png")
        })
    });
    group.bench_function("two_24mp_panels_3000px_svg", |b| {
        b.iter(|| {
            let mut ts = Typesetter::new().expect("fonts");
            let fig = figure::build(&case, &finding, &options, &mut ts).expect("figure");
            figure::svg(&fig).expect("svg")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
