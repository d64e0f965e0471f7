//! The map's marker layout alone (`spatial::labels`: clustering, label placement with
//! collision grid), timed in thread CPU time so other jobs on a shared machine do not
//! count. It uses no crate, so it builds in seconds without the dev-dependencies:
//!
//!     rustc -O --edition 2024 benches/standalone/labels_layout.rs -o /tmp/labels_layout
//!     /tmp/labels_layout
//!
//! The markers are the `map_frame` bench's grid as it falls on the map at the start zoom.

#[path = "../../src/spatial/labels.rs"]
#[allow(dead_code)]
mod labels;
use labels::*;
#[repr(C)] struct Ts { s: i64, ns: i64 }
unsafe extern "C" { fn clock_gettime(c: i32, t: *mut Ts) -> i32; }
/// Thread CPU time in ms (the machine is shared: wall time counts other jobs).
fn cpu_ms() -> f64 { let mut t = Ts { s: 0, ns: 0 }; unsafe { clock_gettime(3, &mut t) }; t.s as f64 * 1e3 + t.ns as f64 / 1e6 }
struct Instant(f64);
impl Instant { fn now() -> Instant { Instant(cpu_ms()) } fn elapsed(&self) -> D { D(cpu_ms() - self.0) } }
struct D(f64);
impl D { fn as_secs_f64(&self) -> f64 { self.0 / 1e3 } }

fn run(n: usize, label: bool) {
    let side = (n as f64).sqrt().ceil() as usize;
    // The bench's grid, as it falls on a 1150×700 map at the start zoom.
    let points: Vec<Px> = (0..n)
        .map(|i| [100.0 + 900.0 * (i % side) as f32 / side as f32, 80.0 + 600.0 * (i / side) as f32 / side as f32])
        .collect();
    let mut prio = vec![20u8; n];
    prio[n / 2] = 255;
    let params = Params {
        view: Bounds::new([0.0, 0.0], [1150.0, 760.0]),
        margin: 28.0,
        cluster_px: 14.0,
        marker_half: 7.0,
        gap: 3.0,
        spread_spacing: 20.0,
    };
    let mut times = Vec::new();
    let mut info = (0, 0);
    for _ in 0..30 {
        let t = Instant::now();
        let groups = cluster(&points, &prio, &params);
        let placed = if label { place_labels(&groups, &params, Some(0), |g| Some([8.0 * (10 + g % 7) as f32, 15.0])) } else { Vec::new() };
        times.push(t.elapsed().as_secs_f64() * 1e3);
        info = (groups.len(), placed.len());
    }
    times.sort_by(f64::total_cmp);
    println!("{n} markers, labels {label}: median {:.3} ms ({} groups, {} labels)", times[15], info.0, info.1);
}
fn main() {
    for n in [10_000, 100_000] { run(n, true); }
}
