//! Helpers shared by the integration tests: run the real `geoproof` binary and reach
//! the fixtures in `tests/data`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "gui")]
pub mod app;
pub mod bars;
pub mod collections;
pub mod dem;
pub mod geotiff;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The result of one run of the binary.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    pub fn assert_ok(&self) -> &Self {
        assert_eq!(
            self.status, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn assert_failed(&self) -> &Self {
        assert_ne!(
            self.status, 0,
            "expected failure\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn geoproof<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let output: Output = Command::new(env!("CARGO_BIN_EXE_geoproof"))
        .args(args)
        .env("RUST_LOG", "warn")
        // No analyst key is ever read from the real home (`show` looks for one).
        .env(
            "GEOPROOF_CONFIG_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-analyst"),
        )
        .output()
        .expect("run geoproof");
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A fresh case in a temporary folder; the folder lives as long as the returned guard.
pub fn new_case() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    geoproof([
        "new".as_ref(),
        case.as_os_str(),
        "--title".as_ref(),
        "Test case".as_ref(),
    ])
    .assert_ok();
    (dir, case)
}

/// Adds `file` to a new case with `add --json`, which must succeed: the case's folder
/// (kept while the `TempDir` lives), its path and the run.
pub fn add_to_new_case(file: &Path) -> (tempfile::TempDir, PathBuf, Run) {
    let (dir, case) = new_case();
    let run = geoproof([
        "add".as_ref(),
        case.as_os_str(),
        file.as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_ok();
    (dir, case, run)
}

/// Every file under `root`, with its bytes, to prove that nothing changed.
pub fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}

/// Runs the binary with its address space capped (`ulimit -v`, in KiB), so a test can
/// prove a code path never allocates a large buffer.
#[cfg(unix)]
pub fn geoproof_with_memory_limit(limit_kib: u64, args: &[&std::ffi::OsStr]) -> Run {
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {limit_kib} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_geoproof"))
        .args(args)
        .output()
        .expect("run geoproof under sh");
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A tile server on 127.0.0.1 for tests of online sources (nothing leaves the machine).
/// It counts every connection, so a test can prove that none was made.
pub struct TileServer {
    pub port: u16,
    connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

#[derive(Clone, Copy)]
pub enum ServerMode {
    /// Answers every request with a 256×256 PNG.
    Tiles,
    /// Accepts the connection, reads the request and never answers.
    Hang,
    /// Answers 200 with an HTML page, as misconfigured servers do.
    Html,
}

impl TileServer {
    pub fn start(mode: ServerMode) -> TileServer {
        use std::io::{Read, Write};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = connections.clone();
        let mut png = Vec::new();
        image::RgbImage::from_pixel(256, 256, image::Rgb([10, 120, 200]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                counter.fetch_add(1, Ordering::SeqCst);
                let png = png.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    loop {
                        // One request per read is enough for these small GETs.
                        match stream.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                        match mode {
                            ServerMode::Hang => {
                                std::thread::sleep(std::time::Duration::from_secs(30));
                                return;
                            }
                            ServerMode::Tiles | ServerMode::Html => {
                                let (kind, body): (&str, &[u8]) = match mode {
                                    ServerMode::Html => {
                                        ("text/html", b"<html>quota exceeded</html>")
                                    }
                                    _ => ("image/png", &png),
                                };
                                let head = format!(
                                    "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\r\n",
                                    body.len()
                                );
                                if stream.write_all(head.as_bytes()).is_err()
                                    || stream.write_all(body).is_err()
                                {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        TileServer { port, connections }
    }

    pub fn template(&self) -> String {
        format!("http://127.0.0.1:{}/{{z}}/{{x}}/{{y}}.png", self.port)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Adds `file` (as given, run from `cwd`, with `env`) to a fresh case and checks the
/// refusal: one stderr line naming the file and containing `cause`, a non-zero exit, and
/// the case exactly as it was (but for its audit log).
pub fn assert_add_refused_with(cwd: Option<&Path>, env: &[(&str, &str)], file: &Path, cause: &str) {
    let (_dir, case) = new_case();
    let before = snapshot(&case);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_geoproof"));
    cmd.args([
        "add".as_ref(),
        case.as_os_str(),
        "--".as_ref(),
        file.as_os_str(),
    ])
    .env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    let out = cmd.output().expect("run geoproof");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "accepted {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stdout)
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got:\n{stderr}");
    assert!(
        lines[0].contains(&file.display().to_string()),
        "file not named: {}",
        lines[0]
    );
    assert!(
        lines[0].contains(cause),
        "cause {cause:?} missing: {}",
        lines[0]
    );
    let after = snapshot(&case);
    let changed: Vec<_> = after
        .iter()
        .filter(|f| !f.0.ends_with("log.jsonl"))
        .filter(|f| !before.contains(f))
        .map(|f| f.0.display().to_string())
        .collect();
    assert!(changed.is_empty(), "case changed: {changed:?}");
}

/// Compares with `tests/data/golden/<name>` (written when GEOPROOF_BLESS is set). A
/// tolerance absorbs last-bit differences between CPUs; any visible change fails.
pub fn assert_golden(name: &str, got: &image::RgbaImage) {
    let golden = data("golden").join(name);
    if std::env::var_os("GEOPROOF_BLESS").is_some() {
        got.save(&golden).unwrap();
    }
    let want = image::open(&golden)
        .unwrap_or_else(|e| panic!("{}: {e} (run with GEOPROOF_BLESS=1)", golden.display()))
        .into_rgba8();
    assert_eq!(got.dimensions(), want.dimensions(), "{name}: size differs");
    let mut total = 0u64;
    let mut differing = 0usize;
    for (a, b) in got.pixels().zip(want.pixels()) {
        let d = (0..3)
            .map(|c| a[c].abs_diff(b[c]) as u64)
            .max()
            .unwrap_or(0);
        total += d;
        differing += usize::from(d > 24);
    }
    let n = (got.width() * got.height()) as f64;
    let mean = total as f64 / n;
    let share = differing as f64 / n;
    if mean > 0.5 || share > 0.002 {
        let path = std::env::temp_dir().join(format!("got-{name}"));
        got.save(&path).unwrap();
        panic!(
            "{name}: mean difference {mean:.3}, {:.3}% pixels differ; got {}",
            share * 100.0,
            path.display()
        );
    }
}

/// A private copy of the bundled demo case: `(folder holding it, case root)`.
pub fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-case"),
        &root,
    );
    (dir, root)
}

/// Copies a folder tree (a case's lock file excepted).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else if entry.file_name() != ".geoproof.lock" {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A one-shot local "authority" answering any POST with `answer` (no network leaves the
/// machine); returns its URL and what it received.
pub fn local_authority(answer: Vec<u8>) -> (String, std::thread::JoinHandle<Vec<u8>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsr", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).unwrap();
            request.extend_from_slice(&buf[..n]);
            if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&request[..end]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().unwrap());
                if request.len() >= end + 4 + length {
                    break;
                }
            }
        }
        let header = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            answer.len()
        );
        stream.write_all(header.as_bytes()).unwrap();
        stream.write_all(&answer).unwrap();
        request
    });
    (url, handle)
}

/// The chunk types of a PNG, in order (to check what metadata it carries).
pub fn png_chunks(bytes: &[u8]) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        chunks.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
        at += 12 + len;
    }
    chunks
}
