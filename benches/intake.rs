//! Intake of a 24-megapixel JPEG: the whole `inspect_file` (read + SHA-256 + EXIF +
//! dimensions + 1/8-scale preview + perceptual hash), next to its floor — hashing alone
//! and the 1/8-scale decode alone — so the overhead is visible.
//!
//! `cargo bench --bench intake`

use std::hint::black_box;
use std::io::Cursor;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use image::codecs::jpeg::JpegEncoder;
use image::{ImageBuffer, Rgb};

/// A 6000×4000 photo-like JPEG (quality 90, with sensor-like noise so it compresses like
/// a camera file, ~10 MB), written once under `target/`.
fn sample_24mp_jpeg() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-24mp.jpg");
    if path.exists() {
        return path;
    }
    let base = image::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/rocket-gps.jpg"
    ))
    .expect("fixture")
    .resize_exact(6000, 4000, image::imageops::FilterType::Triangle)
    .to_rgb8();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let noisy = ImageBuffer::from_fn(6000, 4000, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let p = base.get_pixel(x, y).0;
        let n = (seed % 25) as i16 - 12;
        Rgb(p.map(|c| (i16::from(c) + n).clamp(0, 255) as u8))
    });
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut Cursor::new(&mut bytes), 90)
        .encode_image(&noisy)
        .expect("encode");
    std::fs::write(&path, bytes).expect("write sample");
    path
}

fn intake(c: &mut Criterion) {
    let path = sample_24mp_jpeg();
    let bytes = std::fs::read(&path).expect("read sample");
    let mut group = c.benchmark_group("intake_24mp_jpeg");
    group.sample_size(20);
    group.bench_function("inspect_file", |b| {
        b.iter(|| black_box(geoproof::evidence::inspect_file(&path).expect("inspect")))
    });
    group.bench_function("floor/sha256", |b| {
        b.iter(|| black_box(geoproof::evidence::sha256_hex(&bytes)))
    });
    group.bench_function("floor/decode_1_8_scale", |b| {
        b.iter(|| {
            let mut d = jpeg_decoder::Decoder::new(Cursor::new(&bytes));
            d.read_info().expect("info");
            d.scale(750, 500).expect("scale");
            black_box(d.decode().expect("decode"))
        })
    });
    group.finish();
}

criterion_group!(benches, intake);
criterion_main!(benches);
