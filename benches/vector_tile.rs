//! One z14 vector tile decoded, styled and tessellated (#32: < 10 ms), and the same tile
//! filled into a 256-pixel image by the snapshot rasteriser. The tile is the densest z14
//! tile of the Vaduz extract in tests/data (a small town; no dense city extract is in
//! the repository), encoded here in the Protomaps schema.
//!
//! `cargo bench --bench vector_tile --no-default-features`

#[path = "../tests/util/vector_tiles.rs"]
mod vector_tiles;

use criterion::{Criterion, criterion_group, criterion_main};
use geoproof::vector::raster::{Placement, fill_mesh};
use geoproof::vector::{Theme, tile_mesh};

fn bench(c: &mut Criterion) {
    let (_, tiles) = vector_tiles::vaduz_tiles();
    let (addr, gz) = tiles
        .iter()
        .filter(|(t, _)| t.z == 14)
        .max_by_key(|(_, b)| b.len())
        .expect("a z14 tile");
    let bytes = geoproof::vector::archive::gunzip_if_needed(gz.clone()).expect("gunzip");
    let mesh = tile_mesh(&bytes, Theme::Light, 14.0, 256.0).expect("tile");
    eprintln!(
        "tile {addr}: {} bytes gzipped, {} bytes MVT, {} features, {} triangles",
        gz.len(),
        bytes.len(),
        mesh.features,
        mesh.mesh.triangles()
    );
    c.bench_function("z14 tile: gunzip, decode, style, tessellate", |b| {
        b.iter(|| {
            let raw = geoproof::vector::archive::gunzip_if_needed(gz.clone()).expect("gunzip");
            tile_mesh(&raw, Theme::Light, 14.0, 256.0).expect("tile")
        })
    });
    c.bench_function("z14 tile at z17 (overzoomed 8x): decode, tessellate", |b| {
        b.iter(|| tile_mesh(&bytes, Theme::Light, 17.0, 2048.0).expect("tile"))
    });
    c.bench_function("z14 tile: fill the mesh into 256 px", |b| {
        let at = Placement {
            offset: [0.0, 0.0],
            scale: 256.0,
            clip: [0, 0, 256, 256],
        };
        b.iter(|| {
            let mut img = image::RgbaImage::new(256, 256);
            fill_mesh(&mut img, &mesh.mesh, at);
            img
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
