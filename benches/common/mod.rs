//! Shared by the benchmarks: realistic large inputs made on the spot.

/// A 6000×4000 (24-megapixel) JPEG with enough texture to be a realistic decode.
pub fn write_24mp_jpeg(path: &std::path::Path, seed: u32) {
    let img = image::RgbImage::from_fn(6000, 4000, |x, y| {
        let v = ((x * 7 + y * 3 + seed) % 255) as u8;
        image::Rgb([v, ((x / 20 + y / 20) % 255) as u8, (x ^ y) as u8])
    });
    img.save(path).expect("jpeg");
}
