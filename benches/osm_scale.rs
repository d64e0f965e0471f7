//! Index build of a ≥ 100 MB extract within a laptop's memory (#31), release build:
//! the Liechtenstein test extract replicated 9 × 9 times on a lattice half a degree apart,
//! each copy's node, way and relation ids shifted by its number times 2³³ (written as OPL
//! and converted by `osmium`, made once under target/bench-data). `geoproof osm-search`
//! builds the index in a fresh cache, run as a child under `/usr/bin/time`: wall time and
//! peak resident memory (the child's `ru_maxrss`), against the extract's size (target:
//! peak ≤ 3× the extract).
//!
//! With `GEOPROOF_BEFORE=/path/to/an/older/geoproof`, the two builds alternate in one run
//! (two rounds), the ratios are printed and the two binaries' query results compared.
//!
//! `cargo build --release --no-default-features --bin geoproof &&
//!  cargo bench --no-default-features --bench osm_scale` (needs osmium-tool).

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/lattice.rs"]
mod lattice;

use lattice::{GRID, synthetic};

fn bin() -> PathBuf {
    let exe = std::env::current_exe().expect("bench path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target")
        .join("geoproof")
}

/// Builds the index with `binary` in a fresh cache, answering one query: (seconds, peak
/// MB, the query's JSON results).
fn timed_build(binary: &Path, extract: &Path) -> (f64, f64, String) {
    let cache = tempfile::tempdir().expect("tmp");
    let built = timed_search(binary, extract, cache.path());
    let reopened = timed_search(binary, extract, cache.path());
    println!(
        "  {}: reopening the built index and answering: {:.2} s, peak {:.0} MB",
        binary.display(),
        reopened.0,
        reopened.1
    );
    assert_eq!(
        built.2, reopened.2,
        "the reopened index answers differently"
    );
    built
}

fn timed_search(binary: &Path, extract: &Path, cache: &Path) -> (f64, f64, String) {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%e %M"])
        .arg(binary)
        .arg("osm-search")
        .arg(extract)
        .args([
            "--find",
            "amenity",
            "--within",
            "200m:highway=bus_stop",
            "--not-within",
            "30m:building",
            "--json",
            "--index-dir",
        ])
        .arg(cache)
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
    let results = String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip_while(|l| !l.contains("\"results\""))
        .collect::<Vec<_>>()
        .join("\n");
    (secs, kb / 1024.0, results)
}

fn main() {
    let source =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/osm/liechtenstein-latest.osm.pbf");
    let big = synthetic(&source);
    let size_mb = std::fs::metadata(&big).expect("extract").len() as f64 / 1e6;
    println!(
        "extract: {} ({size_mb:.1} MB, {} copies of Liechtenstein)",
        big.display(),
        GRID * GRID
    );
    let before = std::env::var_os("GEOPROOF_BEFORE").map(PathBuf::from);
    let mut runs: Vec<(&str, PathBuf)> = vec![("now", bin())];
    if let Some(b) = &before {
        runs.insert(0, ("before", b.clone()));
    }
    let rounds = if before.is_some() { 2 } else { 1 };
    let mut best: std::collections::HashMap<&str, (f64, f64)> = Default::default();
    let mut answers: std::collections::HashMap<&str, String> = Default::default();
    for round in 0..rounds {
        for (name, binary) in &runs {
            let (s, mb, results) = timed_build(binary, &big);
            println!(
                "round {round}, {name}: build {s:.1} s, peak {mb:.0} MB = {:.2}× the extract",
                mb / size_mb
            );
            let e = best.entry(name).or_insert((f64::MAX, f64::MAX));
            *e = (e.0.min(s), e.1.min(mb));
            answers.insert(name, results);
        }
    }
    let (s, mb) = best["now"];
    println!(
        "now: build {s:.1} s, peak {mb:.0} MB = {:.2}× the {size_mb:.0} MB extract (target ≤ 3×)",
        mb / size_mb
    );
    if before.is_some() {
        let (bs, bmb) = best["before"];
        println!(
            "before: build {bs:.1} s, peak {bmb:.0} MB = {:.2}× the extract; \
             now/before: time {:.2}, peak {:.2}",
            bmb / size_mb,
            s / bs,
            mb / bmb
        );
        let same = answers["now"] == answers["before"];
        println!(
            "query results of the two builds: {}",
            if same { "identical" } else { "DIFFERENT" }
        );
        assert!(same, "the two builds answer the query differently");
    }
}
