//! Candidate-site search figures (#15), release build:
//!
//! 1. index build of the Liechtenstein test extract and of a synthetic extract of two
//!    million features (1.5 M tagged nodes, 0.5 M tagged ways of 8 nodes; written as OSM
//!    XML and converted by `osmium`, made once under target/bench-data): wall time and peak
//!    memory of `geoproof osm-search` building the index (`/usr/bin/time`);
//! 2. a three-feature query (find + two *within* constraints) over 10,000+ anchors on the
//!    synthetic index (target: under 1 s);
//! 3. the index's memory per feature, to estimate a country-size extract.
//!
//! `cargo build --release && cargo bench --bench osm_search` (needs osmium-tool).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use geoproof::osm::filter::TagFilter;
use geoproof::osm::index::OsmIndex;
use geoproof::osm::query::{self, Area, Constraint, Query};

/// Tagged features of a Ukraine-size extract, generously: Liechtenstein's 20,417 features
/// come from 1.4 MB of PBF; Ukraine's extract is about 1.5 GB, so about 22 M at the same
/// density, rounded up.
const COUNTRY_FEATURES: u64 = 30_000_000;

fn bin() -> PathBuf {
    let exe = std::env::current_exe().expect("bench path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target")
        .join("geoproof")
}

/// Builds the index through the CLI in a fresh cache: (seconds, peak MB).
fn timed_build(extract: &Path) -> (f64, f64) {
    let cache = tempfile::tempdir().expect("tmp");
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%e %M"])
        .arg(bin())
        .arg("osm-search")
        .arg(extract)
        .args(["--find", "amenity=fuel", "--limit", "1", "--index-dir"])
        .arg(cache.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().expect("time output");
    let mut it = last.split_whitespace();
    let secs: f64 = it.next().and_then(|s| s.parse().ok()).expect("secs");
    let kb: f64 = it.next().and_then(|s| s.parse().ok()).expect("kb");
    (secs, kb / 1024.0)
}

/// 1.5 M tagged nodes and 0.5 M tagged ways of 8 (untagged) nodes over a 4° × 4° area.
fn synthetic() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("dir");
    let pbf = dir.join("synthetic-2m.osm.pbf");
    if pbf.exists() {
        return pbf;
    }
    let xml = dir.join("synthetic-2m.osm");
    let t = Instant::now();
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&xml).expect("xml"));
        writeln!(w, "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"geoproof bench\">").expect("w");
        let mut seed = 1u64;
        let mut rnd = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let kinds = [
            "fuel",
            "school",
            "pharmacy",
            "place_of_worship",
            "cafe",
            "bank",
            "post_box",
            "bench",
        ];
        let tagged = 1_500_000u64;
        let ways = 500_000u64;
        for id in 1..=tagged {
            let (lat, lon) = (48.0 + 4.0 * rnd(), 28.0 + 4.0 * rnd());
            let kind = kinds[(rnd() * kinds.len() as f64) as usize % kinds.len()];
            writeln!(w, "<node id=\"{id}\" lat=\"{lat:.7}\" lon=\"{lon:.7}\" version=\"1\"><tag k=\"amenity\" v=\"{kind}\"/></node>").expect("w");
        }
        let mut next = tagged + 1;
        let mut way_nodes = Vec::new();
        for _ in 0..ways {
            let (lat, lon) = (48.0 + 4.0 * rnd(), 28.0 + 4.0 * rnd());
            let mut refs = Vec::new();
            for k in 0..8 {
                let a = f64::from(k) * std::f64::consts::TAU / 8.0;
                writeln!(
                    w,
                    "<node id=\"{next}\" lat=\"{:.7}\" lon=\"{:.7}\" version=\"1\"/>",
                    lat + 0.0003 * a.sin(),
                    lon + 0.0004 * a.cos()
                )
                .expect("w");
                refs.push(next);
                next += 1;
            }
            way_nodes.push(refs);
        }
        let building = ["yes", "house", "apartments", "church", "school"];
        for (i, refs) in way_nodes.iter().enumerate() {
            write!(w, "<way id=\"{}\" version=\"1\">", i + 1).expect("w");
            for r in refs.iter().chain(std::iter::once(&refs[0])) {
                write!(w, "<nd ref=\"{r}\"/>").expect("w");
            }
            writeln!(
                w,
                "<tag k=\"building\" v=\"{}\"/></way>",
                building[i % building.len()]
            )
            .expect("w");
        }
        writeln!(w, "</osm>").expect("w");
    }
    let status = Command::new("osmium")
        .args(["cat", "--overwrite", "-o"])
        .arg(&pbf)
        .arg(&xml)
        .status()
        .expect("osmium (apt install osmium-tool)");
    assert!(status.success());
    let _ = std::fs::remove_file(&xml);
    println!(
        "made {} in {:.0} s",
        pbf.display(),
        t.elapsed().as_secs_f64()
    );
    pbf
}

fn main() {
    let liechtenstein =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/osm/liechtenstein-latest.osm.pbf");
    let (s, mb) = timed_build(&liechtenstein);
    let small = OsmIndex::build_uncached(&liechtenstein).expect("index");
    println!(
        "index build, Liechtenstein (1.4 MB, {} features): {s:.2} s, peak {mb:.0} MB (whole process)",
        small.len()
    );
    // A real mix of features (buildings with addresses, roads, shops), to scale from.
    let real_per_feature = small.approximate_bytes() as f64 / small.len() as f64;
    println!(
        "index memory, Liechtenstein: {:.1} MB, {real_per_feature:.0} bytes a feature; \
         a country of {COUNTRY_FEATURES} features at this mix: {:.2} GB",
        small.approximate_bytes() as f64 / 1e6,
        real_per_feature * COUNTRY_FEATURES as f64 / 1e9
    );
    for (part, bytes) in small.memory_breakdown() {
        println!(
            "  {part}: {:.0} bytes a feature",
            bytes as f64 / small.len() as f64
        );
    }
    let big = synthetic();
    let (s, mb) = timed_build(&big);
    println!(
        "index build, synthetic 2 M features ({:.0} MB .osm.pbf): {s:.1} s, peak {mb:.0} MB",
        std::fs::metadata(&big)
            .map(|m| m.len() as f64 / 1e6)
            .unwrap_or(0.0)
    );
    let t = Instant::now();
    let index = OsmIndex::build_uncached(&big).expect("index");
    println!(
        "(in-process build {:.1} s, {} features)",
        t.elapsed().as_secs_f64(),
        index.len()
    );
    let bytes = index.approximate_bytes();
    println!(
        "index memory: {:.0} MB for {} features, {:.0} bytes a feature",
        bytes as f64 / 1e6,
        index.len(),
        bytes as f64 / index.len() as f64
    );
    // 1.5 M / 8 kinds ≈ 190,000 anchors of each kind over the whole area; a 1.2° square
    // holds about 17,000 of them.
    let q = Query {
        find: TagFilter::parse("amenity=pharmacy").expect("f"),
        constraints: vec![
            Constraint::parse("300m:amenity=fuel", true).expect("c"),
            Constraint::parse("300m:amenity=school", true).expect("c"),
        ],
        area: Area::Bbox([29.0, 49.0, 30.2, 50.2]),
        limit: None,
    };
    let anchors = index
        .near_box([29.0, 49.0, 30.2, 50.2])
        .filter(|f| f.tag("amenity") == Some("pharmacy"))
        .filter(|f| {
            let [x, y] = f.representative();
            (29.0..=30.2).contains(&x) && (49.0..=50.2).contains(&y)
        })
        .count();
    let mut times = Vec::new();
    let mut n = 0;
    for _ in 0..5 {
        let t = Instant::now();
        n = query::run(&index, &q, None).expect("query").len();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "three-feature query over {anchors} anchors: {n} results, median {:.3} s (5 runs)",
        times[2]
    );
}
