//! Basemap label placement for one view (#32: ~1000 candidate labels in < 2 ms): 1000
//! synthetic candidates (a third each places, roads, water; points and bent lines over
//! an 800×600 view), and the real candidates of the Vaduz test archive's tiles under a
//! 900×700 view at zoom 15.5 (tests/util/vector_tiles.rs), placed with their shaped
//! sizes; and the shaping of those names with the bundled fonts (done once per name).
//!
//! `cargo bench --bench map_labels --no-default-features`

#[path = "../tests/util/vector_tiles.rs"]
mod vector_tiles;

use criterion::{Criterion, criterion_group, criterion_main};
use geoproof::vector::labels::{Candidate, Frame, Kind, Shape, ShapeCache, place, tile_candidates};
use geoproof::vector::snapshot::View;

fn synthetic(frame: &Frame, n: usize) -> Vec<Candidate> {
    let w = |p: [f32; 2]| {
        [
            (frame.origin[0] + f64::from(p[0])) / frame.world,
            (frame.origin[1] + f64::from(p[1])) / frame.world,
        ]
    };
    let mut seed = 11u32;
    let mut rnd = move || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        (seed >> 8) as f32 / (1u32 << 24) as f32
    };
    (0..n)
        .map(|i| {
            let p = [rnd() * 800.0, rnd() * 600.0];
            let shape = if i % 2 == 0 {
                Shape::Point(w(p))
            } else {
                let (a, l) = (rnd() * std::f32::consts::TAU, 80.0 + rnd() * 300.0);
                let m = [p[0] + a.cos() * l / 2.0 + 5.0, p[1] + a.sin() * l / 2.0];
                let q = [p[0] + a.cos() * l, p[1] + a.sin() * l];
                Shape::Line(vec![w(p), w(m), w(q)])
            };
            Candidate {
                text: format!("name {i}"),
                kind: [Kind::Place, Kind::Road, Kind::Water][i % 3],
                rank: rnd() * 10.0,
                px: 12.0,
                bold: false,
                min_zoom: 0.0,
                shape,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let frame = Frame {
        origin: [1.0e6, 2.0e6],
        world: 256.0 * 4096.0 * 16.0,
        size: [800.0, 600.0],
    };
    let cands = synthetic(&frame, 1000);
    let sizes: Vec<_> = (0..cands.len())
        .map(|i| Some([40.0 + (i % 9) as f32 * 8.0, 14.0]))
        .collect();
    eprintln!(
        "synthetic: {} candidates, {} placed",
        cands.len(),
        place(&cands, &sizes, &frame).len()
    );
    c.bench_function("place 1000 candidate labels (synthetic, 800x600)", |b| {
        b.iter(|| place(&cands, &sizes, &frame))
    });

    let (_, tiles) = vector_tiles::vaduz_tiles();
    let mut real = Vec::new();
    for (t, gz) in tiles.iter().filter(|(t, _)| t.z == 14) {
        let raw = geoproof::vector::archive::gunzip_if_needed(gz.clone()).expect("gunzip");
        real.extend(tile_candidates(&raw, *t).expect("tile"));
    }
    let view = View {
        center: [47.1395, 9.5215],
        zoom: 15.5,
        size: [900, 700],
        theme: geoproof::vector::Theme::Light,
    };
    let vframe = Frame::of(&view);
    let mut shapes = ShapeCache::new().expect("fonts");
    let real_sizes = shapes.sizes(&real).expect("shaped");
    eprintln!(
        "Vaduz z14 tiles: {} candidates, {} placed at z15.5",
        real.len(),
        place(&real, &real_sizes, &vframe).len()
    );
    c.bench_function("place the Vaduz view's labels (900x700, z15.5)", |b| {
        b.iter(|| place(&real, &real_sizes, &vframe))
    });
    c.bench_function("shape the Vaduz view's names (fresh cache)", |b| {
        b.iter(|| {
            let mut s = ShapeCache::new().expect("fonts");
            s.sizes(&real).expect("shaped")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
