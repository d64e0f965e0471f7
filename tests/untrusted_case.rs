//! A case folder is untrusted input. Generated damage to the demo case (fields removed,
//! types changed, huge or negative numbers, 1 MB strings, invalid UTF-8, `..`, absolute
//! and Windows paths, NUL, duplicate ids, deep nesting, truncated files, symlinks out of
//! the folder) never makes open, list, show, verify, export or the app (map and board)
//! panic, never makes them read a sentinel file beside the case (watched with inotify),
//! and every refusal is an error value.
//!
//! CI runs a small number of generated cases; `GEOPROOF_FUZZ_CASES=5000 cargo test
//! --release --test untrusted_case` runs more (the app property runs a quarter as many),
//! and `GEOPROOF_FUZZ_STATS=1 … -- --nocapture` prints how each generated case opened.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::path::{Path, PathBuf};

use geoproof::case::Case;
use geoproof::export::GeoFormat;
use geoproof::export::figure::{self, FigureOptions};
use inotify::{Inotify, WatchMask};
use proptest::prelude::*;
use serde_json::Value;

/// How many generated cases a property runs: `GEOPROOF_FUZZ_CASES`, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("GEOPROOF_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A string an attacker (or a damaged disk) might put anywhere.
#[derive(Debug, Clone)]
enum Nasty {
    Empty,
    Dots,
    ParentSentinel,
    AbsoluteSentinel,
    SnapshotEscape,
    WindowsPath,
    UncPath,
    Nul,
    Huge,
    RightToLeft,
    ShortHex,
    Unicode12,
}

impl Nasty {
    fn text(&self, sentinel: &Path) -> String {
        match self {
            Nasty::Empty => String::new(),
            Nasty::Dots => "..".into(),
            Nasty::ParentSentinel => "../sentinel.jpg".into(),
            Nasty::AbsoluteSentinel => sentinel.display().to_string(),
            Nasty::SnapshotEscape => "snapshots/../../sentinel.jpg".into(),
            Nasty::WindowsPath => "C:\\Windows\\..\\sentinel.jpg".into(),
            Nasty::UncPath => "\\\\server\\share\\sentinel.jpg".into(),
            Nasty::Nul => "evidence/a\0b.jpg".into(),
            Nasty::Huge => "x".repeat(1 << 20),
            Nasty::RightToLeft => "\u{202e}gpj.exe".into(),
            Nasty::ShortHex => "abc".into(),
            // Multi-byte characters where 12 bytes would cut one in half.
            Nasty::Unicode12 => "ααααααααααααααα".into(),
        }
    }
}

#[derive(Debug, Clone)]
enum Replacement {
    Null,
    Bool,
    Int(i64),
    Float(f64),
    Text(Nasty),
    EmptyArray,
    EmptyObject,
    /// `depth` nested arrays around an integer.
    Nested(usize),
}

impl Replacement {
    fn value(&self, sentinel: &Path) -> Value {
        match self {
            Replacement::Null => Value::Null,
            Replacement::Bool => Value::Bool(true),
            Replacement::Int(i) => Value::from(*i),
            Replacement::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
            }
            Replacement::Text(n) => Value::String(n.text(sentinel)),
            Replacement::EmptyArray => Value::Array(Vec::new()),
            Replacement::EmptyObject => Value::Object(Default::default()),
            // Spliced into the text after serialising (see `nested_text`): a Value this
            // deep would overflow the test's own stack when dropped.
            Replacement::Nested(depth) => Value::String(format!("@@NESTED-{depth}@@")),
        }
    }
}

#[derive(Debug, Clone)]
enum Damage {
    /// Replace the `node`-th value (depth first) of JSON file `file`.
    Replace {
        file: usize,
        node: usize,
        with: Replacement,
    },
    /// Remove the `node`-th object member of JSON file `file`.
    Remove { file: usize, node: usize },
    /// Append a copy of the `node`-th array's first element (duplicate ids).
    Duplicate { file: usize, node: usize },
    /// Cut the file at a fraction of its length.
    Truncate { file: usize, per_mille: u16 },
    /// Put bytes that are not UTF-8 (or a number JSON cannot hold) at a fraction.
    Splice {
        file: usize,
        per_mille: u16,
        bytes: Vec<u8>,
    },
    /// Copy a finding to a second file name (two files, one id).
    CopyFinding { file: usize },
    /// Replace a stored original by a symlink to the sentinel.
    SymlinkOriginal { index: usize },
    /// Remove a file.
    Delete { file: usize },
}

fn replacement() -> impl Strategy<Value = Replacement> {
    let nasty = prop_oneof![
        Just(Nasty::Empty),
        Just(Nasty::Dots),
        Just(Nasty::ParentSentinel),
        Just(Nasty::AbsoluteSentinel),
        Just(Nasty::SnapshotEscape),
        Just(Nasty::WindowsPath),
        Just(Nasty::UncPath),
        Just(Nasty::Nul),
        Just(Nasty::Huge),
        Just(Nasty::RightToLeft),
        Just(Nasty::ShortHex),
        Just(Nasty::Unicode12),
    ];
    prop_oneof![
        Just(Replacement::Null),
        Just(Replacement::Bool),
        prop_oneof![
            Just(i64::MIN),
            Just(-1i64),
            Just(0i64),
            Just(i64::MAX),
            any::<i64>()
        ]
        .prop_map(Replacement::Int),
        prop_oneof![
            Just(1e308f64),
            Just(-1e308f64),
            Just(5e-324f64),
            Just(-0.0f64),
            any::<f64>()
        ]
        .prop_map(Replacement::Float),
        nasty.prop_map(Replacement::Text),
        Just(Replacement::EmptyArray),
        Just(Replacement::EmptyObject),
        prop_oneof![Just(40usize), Just(127usize), Just(5000usize)].prop_map(Replacement::Nested),
    ]
}

fn damage() -> impl Strategy<Value = Damage> {
    let file = any::<usize>();
    let node = any::<usize>();
    prop_oneof![
        6 => (file, node, replacement()).prop_map(|(file, node, with)| Damage::Replace { file, node, with }),
        2 => (file, node).prop_map(|(file, node)| Damage::Remove { file, node }),
        1 => (file, node).prop_map(|(file, node)| Damage::Duplicate { file, node }),
        1 => (file, 0u16..1000).prop_map(|(file, per_mille)| Damage::Truncate { file, per_mille }),
        1 => (file, 0u16..1000, prop_oneof![
            Just(vec![0xff, 0xfe]),
            Just(vec![0xc3]),
            Just(b"1e999".to_vec()),
            Just(b"NaN".to_vec()),
            Just(vec![0]),
        ]).prop_map(|(file, per_mille, bytes)| Damage::Splice { file, per_mille, bytes }),
        1 => file.prop_map(|file| Damage::CopyFinding { file }),
        1 => any::<usize>().prop_map(|index| Damage::SymlinkOriginal { index }),
        1 => file.prop_map(|file| Damage::Delete { file }),
    ]
}

/// The demo case beside a sentinel file it must never read.
struct Planted {
    _dir: tempfile::TempDir,
    root: PathBuf,
    sentinel: PathBuf,
    out: PathBuf,
    watch: Inotify,
}

impl Planted {
    fn new() -> Planted {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("case");
        let sentinel = dir.path().join("sentinel.jpg");
        // A real JPEG: if anything opened it, it would decode.
        std::fs::copy(util::data("coffee-no-gps.jpg"), &sentinel).unwrap();
        std::fs::create_dir(dir.path().join("sentinel.png")).ok();
        geoproof::assets::write_demo_case(&root).unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let watch = Inotify::init().unwrap();
        watch
            .watches()
            .add(&sentinel, WatchMask::OPEN | WatchMask::ACCESS)
            .unwrap();
        Planted {
            _dir: dir,
            root,
            sentinel,
            out,
            watch,
        }
    }

    /// JSON files of the case, in a fixed order.
    fn json_files(&self) -> Vec<PathBuf> {
        let mut files = vec![self.root.join("case.json")];
        for sub in ["evidence", "findings"] {
            let mut more: Vec<PathBuf> = std::fs::read_dir(self.root.join(sub))
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            more.retain(|p| p.extension().is_some_and(|e| e == "json"));
            more.sort();
            files.extend(more);
        }
        files
    }

    fn originals(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.root.join("evidence"))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e != "json"));
        files.sort();
        files
    }

    fn apply(&self, damage: &Damage) {
        let files = self.json_files();
        let pick = |i: usize| files[i % files.len()].clone();
        let edit_json = |file: usize, f: &dyn Fn(&mut Value)| {
            let path = pick(file);
            let Ok(text) = std::fs::read(&path) else {
                return;
            };
            let Ok(mut value) = serde_json::from_slice::<Value>(&text) else {
                return;
            };
            f(&mut value);
            let text = serde_json::to_string_pretty(&value).unwrap();
            write_over(&path, nested_text(&text).as_bytes());
        };
        match damage {
            Damage::Replace { file, node, with } => edit_json(*file, &|v| {
                let n = count_nodes(v);
                if let Some(target) = nth_node(v, node % n) {
                    *target = with.value(&self.sentinel);
                }
            }),
            Damage::Remove { file, node } => edit_json(*file, &|v| remove_member(v, *node)),
            Damage::Duplicate { file, node } => edit_json(*file, &|v| duplicate_in_array(v, *node)),
            Damage::Truncate { file, per_mille } => {
                let path = pick(*file);
                let bytes = std::fs::read(&path).unwrap_or_default();
                let at = bytes.len() * usize::from(*per_mille) / 1000;
                write_over(&path, &bytes[..at]);
            }
            Damage::Splice {
                file,
                per_mille,
                bytes,
            } => {
                let path = pick(*file);
                let mut text = std::fs::read(&path).unwrap_or_default();
                let at = text.len() * usize::from(*per_mille) / 1000;
                text.splice(at..at, bytes.iter().copied());
                write_over(&path, &text);
            }
            Damage::CopyFinding { file } => {
                let findings: Vec<_> = files
                    .iter()
                    .filter(|p| p.parent().is_some_and(|d| d.ends_with("findings")))
                    .collect();
                if let Some(from) = findings.get(file % findings.len().max(1)) {
                    let to = from.with_file_name("F-copy.json");
                    std::fs::copy(from, to).ok();
                }
            }
            Damage::SymlinkOriginal { index } => {
                let originals = self.originals();
                if let Some(original) = originals.get(index % originals.len().max(1)) {
                    std::fs::remove_file(original).ok();
                    std::os::unix::fs::symlink(&self.sentinel, original).unwrap();
                }
            }
            Damage::Delete { file } => {
                std::fs::remove_file(pick(*file)).ok();
            }
        }
    }

    /// Panics if anything opened or read the sentinel.
    fn assert_sentinel_untouched(&mut self, what: &str) {
        let mut buffer = [0u8; 4096];
        match self.watch.read_events(&mut buffer) {
            Ok(events) => {
                let n = events.count();
                assert_eq!(
                    n, 0,
                    "{what}: the sentinel outside the case was opened or read"
                );
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("inotify: {e}"),
        }
    }
}

/// Replaces the `"@@NESTED-N@@"` markers by N nested arrays.
fn nested_text(text: &str) -> String {
    let mut out = text.to_owned();
    while let Some(start) = out.find("\"@@NESTED-") {
        let rest = &out[start + 10..];
        let end = rest.find("@@\"").unwrap();
        let depth: usize = rest[..end].parse().unwrap();
        let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        out.replace_range(start..start + 10 + end + 3, &nested);
    }
    out
}

/// Originals are read-only in a case; damage replaces files rather than writing in them.
fn write_over(path: &Path, bytes: &[u8]) {
    std::fs::remove_file(path).ok();
    std::fs::write(path, bytes).unwrap();
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

fn nth_node(v: &mut Value, n: usize) -> Option<&mut Value> {
    fn walk<'a>(v: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
        if *n == 0 {
            return Some(v);
        }
        *n -= 1;
        match v {
            Value::Array(a) => a.iter_mut().find_map(|c| walk(c, n)),
            Value::Object(o) => o.values_mut().find_map(|c| walk(c, n)),
            _ => None,
        }
    }
    let mut n = n;
    walk(v, &mut n)
}

fn remove_member(v: &mut Value, node: usize) {
    // Keys of every object, depth first, as (path of keys) to remove one of them.
    fn keys(v: &Value, path: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
        match v {
            Value::Object(o) => {
                for (k, c) in o {
                    path.push(PathStep::Key(k.clone()));
                    out.push(path.clone());
                    keys(c, path, out);
                    path.pop();
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    path.push(PathStep::Index(i));
                    keys(c, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut all = Vec::new();
    keys(v, &mut Vec::new(), &mut all);
    if all.is_empty() {
        return;
    }
    let path = &all[node % all.len()];
    let (last, parent) = path.split_last().unwrap();
    let mut target = v;
    for step in parent {
        target = match (step, target) {
            (PathStep::Key(k), Value::Object(o)) => o.get_mut(k).unwrap(),
            (PathStep::Index(i), Value::Array(a)) => &mut a[*i],
            _ => return,
        };
    }
    if let (PathStep::Key(k), Value::Object(o)) = (last, target) {
        o.remove(k);
    }
}

#[derive(Debug, Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn duplicate_in_array(v: &mut Value, node: usize) {
    let n = count_nodes(v);
    let mut i = node % n;
    for _ in 0..n {
        if let Some(Value::Array(a)) = nth_node(v, i)
            && let Some(first) = a.first().cloned()
        {
            a.push(first);
            return;
        }
        i = (i + 1) % n;
    }
}

/// Everything the CLI does with a case, through the library; returns nothing, panics
/// only through a bug (which is what the property looks for).
fn exercise_domain(p: &mut Planted) {
    let read_only = Case::open_read_only(&p.root);
    p.assert_sentinel_untouched("open_read_only");
    if std::env::var_os("GEOPROOF_FUZZ_STATS").is_some() {
        match &read_only {
            Ok(c) => eprintln!(
                "STAT opened damaged={} findings={}",
                c.damaged().len(),
                c.findings().count()
            ),
            Err(e) => eprintln!("STAT refused {e}"),
        }
    }
    if let Ok(case) = &read_only {
        // list and show
        for f in case.findings() {
            serde_json::to_string(f).unwrap();
            for panel in &f.panels {
                if let Ok(file) = case.panel_file(&panel.source) {
                    assert!(
                        file.path.starts_with(&p.root),
                        "{} leads outside the case",
                        file.path.display()
                    );
                }
            }
        }
        for e in case.evidence() {
            serde_json::to_string(e).unwrap();
            let _ = e.short_id();
        }
        let _ = case.damaged();
        let _ = case.verify();
        p.assert_sentinel_untouched("verify");
        for format in [GeoFormat::GeoJson, GeoFormat::Kml, GeoFormat::Csv] {
            let _ = geoproof::export::geo::export(case, &Default::default(), format);
        }
    }
    drop(read_only);
    if let Ok(mut case) = Case::open(&p.root) {
        let ids: Vec<String> = case.findings().map(|f| f.id.clone()).take(3).collect();
        for id in ids {
            let options = FigureOptions {
                width: 320,
                ..FigureOptions::default()
            };
            let png = p.out.join(format!("{id}.png"));
            let svg = p.out.join(format!("{id}.svg"));
            let _ = figure::export(&mut case, &id, Some(&png), Some(&svg), &options, false);
        }
    }
    p.assert_sentinel_untouched("export");
}

fn run_damaged(damages: &[Damage], app: bool) {
    let mut p = Planted::new();
    for d in damages {
        p.apply(d);
    }
    exercise_domain(&mut p);
    #[cfg(feature = "gui")]
    if app {
        exercise_app(&mut p);
    }
    #[cfg(not(feature = "gui"))]
    let _ = app;
}

#[cfg(feature = "gui")]
fn exercise_app(p: &mut Planted) {
    use geoproof::ui::{BoardCommand, ShellCommand};
    use geoproof::ui::{Command, Selection, Workspace};
    let case = Case::open(&p.root).ok();
    let ids: Vec<String> = case
        .as_ref()
        .map(|c| c.findings().map(|f| f.id.clone()).collect())
        .unwrap_or_default();
    let mut h = util::app::default_harness(case);
    h.run_steps(3);
    for id in ids.iter().take(2) {
        let state = &mut h.state_mut().app.as_mut().unwrap().state;
        state.push(Command::Select(Selection::Finding(id.clone())));
        state.push(Command::Board(BoardCommand::Open(id.clone())));
        h.run_steps(3);
        // Give the background decoders a moment, then draw what they delivered.
        std::thread::sleep(std::time::Duration::from_millis(30));
        h.run_steps(3);
        let state = &mut h.state_mut().app.as_mut().unwrap().state;
        state.push(Command::Shell(ShellCommand::SetWorkspace(Workspace::Map)));
        h.run_steps(2);
    }
    p.assert_sentinel_untouched("the app");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(300),
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn no_damage_panics_or_reads_outside_the_case(damages in prop::collection::vec(damage(), 1..4)) {
        run_damaged(&damages, false);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(40).div_ceil(4),
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn the_app_opens_map_and_board_on_damaged_cases(damages in prop::collection::vec(damage(), 1..4)) {
        run_damaged(&damages, true);
    }
}

/// The issue's own examples, each of which broke the app before: a map-snapshot panel
/// that points at a file outside the case, and a panel hash shorter than 12 characters.
#[test]
fn a_snapshot_panel_pointing_outside_and_a_short_hash_are_damaged_records() {
    let mut p = Planted::new();
    let finding_path = p.root.join("findings/F-demo-astronaut-repost.json");
    let mut finding: Value =
        serde_json::from_slice(&std::fs::read(&finding_path).unwrap()).unwrap();
    finding["panels"][0]["source"] = serde_json::json!({
        "type": "map_snapshot", "file": "../sentinel.jpg", "sha256": "abc",
        "west": 0.0, "south": 0.0, "east": 1.0, "north": 1.0, "zoom": 3.0,
        "basemap": "x", "taken_at": "2024-03-25T00:00:00Z"
    });
    write_over(&finding_path, &serde_json::to_vec(&finding).unwrap());
    let other = p.root.join("findings/F-demo-launch-pad.json");
    let mut f2: Value = serde_json::from_slice(&std::fs::read(&other).unwrap()).unwrap();
    f2["panels"] =
        serde_json::json!([{ "id": "P1", "source": { "type": "evidence", "sha256": "abc" } }]);
    write_over(&other, &serde_json::to_vec(&f2).unwrap());

    let case = Case::open(&p.root).unwrap();
    let damaged: Vec<String> = case.damaged().iter().map(|d| d.to_string()).collect();
    assert_eq!(damaged.len(), 2, "{damaged:?}");
    assert!(
        damaged[0].starts_with("findings/F-demo-astronaut-repost.json: panel P1: map snapshot"),
        "{damaged:?}"
    );
    assert!(
        damaged[1].starts_with("findings/F-demo-launch-pad.json: panel P1: evidence \"abc\""),
        "{damaged:?}"
    );
    assert!(
        case.finding("F-demo-astronaut-repost")
            .unwrap_err()
            .to_string()
            .contains("damaged")
    );
    // The rest of the case is there (ten findings and nine evidence items in the demo).
    assert_eq!(case.findings().count(), 8);
    assert_eq!(case.evidence().count(), 9);
    // verify names both and fails.
    let report = case.verify().unwrap();
    assert!(!report.is_intact());
    assert_eq!(report.damaged.len(), 2);
    p.assert_sentinel_untouched("open");
    #[cfg(feature = "gui")]
    {
        drop(case);
        exercise_app(&mut p);
    }
    // The watch itself works: reading the sentinel is caught.
    std::fs::read(&p.sentinel).unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        p.assert_sentinel_untouched("a deliberate read")
    }));
    assert!(
        caught.is_err(),
        "inotify did not see the sentinel being read"
    );
}
