//! Importing a Telegram channel export of 1,000 posts, each with its own 640×360 JPEG
//! and a caption: the whole `Case::import_collection` (read result.json, hash, decode,
//! thumbnail and perceptual hash of every photo, store, record, save), then the same
//! export again (nothing new: every file is hashed and found already there).
//!
//! `cargo bench --bench collection_import`

use std::io::Cursor;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use geoproof::case::Case;
use image::codecs::jpeg::JpegEncoder;

const POSTS: usize = 1000;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let export = dir.path().join("ChatExport_bench");
    std::fs::create_dir_all(export.join("photos")).expect("photos dir");
    let base = image::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/rocket-gps.jpg"
    ))
    .expect("fixture")
    .resize_exact(640, 360, image::imageops::FilterType::Triangle)
    .to_rgb8();
    let mut messages = Vec::new();
    for i in 0..POSTS {
        // Each photo differs (a moving bar), so each is new evidence.
        let mut img = base.clone();
        for y in 0..360 {
            img.put_pixel(
                (i * 7 % 640) as u32,
                y,
                image::Rgb([255, (i % 256) as u8, 0]),
            );
        }
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut Cursor::new(&mut bytes), 85)
            .encode_image(&img)
            .expect("encode");
        let name = format!("photos/photo_{i}.jpg");
        std::fs::write(export.join(&name), bytes).expect("write");
        messages.push(serde_json::json!({
            "id": i + 1, "type": "message", "date_unixtime": (1_711_178_100 + i * 60).to_string(),
            "from": "bench channel", "photo": name,
            "text_entities": [{"type": "plain", "text": format!("post {i}: caption text")}],
        }));
    }
    let result = serde_json::json!({"name": "bench channel", "type": "public_channel",
        "id": 1, "messages": messages});
    std::fs::write(
        export.join("result.json"),
        serde_json::to_vec(&result).expect("json"),
    )
    .expect("write");
    let mut case = Case::create(&dir.path().join("case"), "bench").expect("case");
    let never = AtomicBool::new(false);
    let started = Instant::now();
    let report = case
        .import_collection(&export, &never, &mut |_, _| {})
        .expect("import");
    let first = started.elapsed();
    assert_eq!(report.added.len(), POSTS);
    let started = Instant::now();
    let again = case
        .import_collection(&export, &never, &mut |_, _| {})
        .expect("re-import");
    let second = started.elapsed();
    assert!(again.added.is_empty());
    println!(
        "import of {POSTS} posts with a 640×360 photo each: {:.2} s ({:.1} ms a post); \
         the same export again: {:.2} s",
        first.as_secs_f64(),
        first.as_secs_f64() * 1000.0 / POSTS as f64,
        second.as_secs_f64()
    );
}
