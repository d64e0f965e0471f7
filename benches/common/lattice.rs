//! A ≥ 100 MB OpenStreetMap extract made on the spot for the benchmarks (#31, #32): the
//! Liechtenstein test extract replicated GRID × GRID times on a lattice half a degree
//! apart, each copy's node, way and relation ids shifted by its number times 2³³
//! (written as OPL and converted by `osmium`, made once under target/bench-data).
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

pub const GRID: i64 = 9;
const ID_STRIDE: i64 = 1 << 33;
pub const STEP_DEG: f64 = 0.5;

/// One token of an OPL line with ids shifted and coordinates moved for copy `k`.
fn shifted(token: &str, k: i64, dx: f64, dy: f64, out: &mut String) {
    let shift_ref = |r: &str, out: &mut String| {
        // n123, w123@role, r123@role
        let (head, rest) = r.split_at(1);
        let end = rest.find('@').unwrap_or(rest.len());
        let id: i64 = rest[..end].parse().expect("ref id");
        assert!(id < ID_STRIDE, "id {id} too large to shift");
        out.push_str(head);
        out.push_str(&(id + k * ID_STRIDE).to_string());
        out.push_str(&rest[end..]);
    };
    match token.as_bytes().first() {
        Some(b'n' | b'w' | b'r') if out.is_empty() => shift_ref(token, out),
        Some(b'x') if token.len() > 1 => {
            let v: f64 = token[1..].parse().expect("x");
            out.push_str(&format!("x{:.7}", v + dx));
        }
        Some(b'y') if token.len() > 1 => {
            let v: f64 = token[1..].parse().expect("y");
            out.push_str(&format!("y{:.7}", v + dy));
        }
        Some(b'N' | b'M') if token.len() > 1 => {
            out.push_str(&token[..1]);
            for (i, r) in token[1..].split(',').enumerate() {
                if i > 0 {
                    out.push(',');
                }
                shift_ref(r, out);
            }
        }
        _ => out.push_str(token),
    }
}

/// The lattice of copies of `source`, nodes first, then ways, then relations, each
/// sorted by id (the order osmium writes).
pub fn synthetic(source: &Path) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("dir");
    let pbf = dir.join(format!("lattice-{GRID}x{GRID}.osm.pbf"));
    if pbf.exists() {
        return pbf;
    }
    let t = Instant::now();
    let opl = Command::new("osmium")
        .args(["cat", "-f", "opl", "-o", "-"])
        .arg(source)
        .output()
        .expect("osmium (apt install osmium-tool)");
    assert!(opl.status.success());
    let lines: Vec<&str> = opl
        .stdout
        .lines_slice()
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect();
    let tmp = dir.join("lattice.tmp.osm.pbf");
    let mut child = Command::new("osmium")
        .args(["cat", "-F", "opl", "--overwrite", "-o"])
        .arg(&tmp)
        .arg("-")
        .stdin(Stdio::piped())
        .spawn()
        .expect("osmium");
    {
        let mut w = std::io::BufWriter::new(child.stdin.take().expect("stdin"));
        let mut out = String::new();
        for kind in ['n', 'w', 'r'] {
            for k in 0..GRID * GRID {
                let (dx, dy) = ((k % GRID) as f64 * STEP_DEG, (k / GRID) as f64 * STEP_DEG);
                for line in lines.iter().filter(|l| l.starts_with(kind)) {
                    let mut text = String::new();
                    for (i, token) in line.split(' ').enumerate() {
                        out.clear();
                        shifted(token, k, dx, dy, &mut out);
                        if i > 0 {
                            text.push(' ');
                        }
                        text.push_str(&out);
                    }
                    writeln!(w, "{text}").expect("write");
                }
            }
        }
    }
    assert!(child.wait().expect("osmium").success());
    std::fs::rename(&tmp, &pbf).expect("rename");
    println!(
        "made {} in {:.0} s",
        pbf.display(),
        t.elapsed().as_secs_f64()
    );
    pbf
}

trait LinesSlice {
    fn lines_slice(&self) -> Vec<&str>;
}

impl LinesSlice for Vec<u8> {
    fn lines_slice(&self) -> Vec<&str> {
        std::str::from_utf8(self).expect("utf-8").lines().collect()
    }
}
