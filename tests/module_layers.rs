//! The module dependency picture, and the rules it must keep: no two modules import each
//! other (at the top level, inside `ui/` and inside `ui/board/`), and `case` imports
//! nothing above it. Also: the UI names its colours only in `ui/theme.rs`.
//!
//! `cargo test --test module_layers -- --nocapture` prints the picture: one line per
//! module, with the modules it imports. Only the library's own code counts; unit tests
//! (`#[cfg(test)]` to the end of a file) may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules `case` may import: everything it stands on. Anything else is above it.
const BELOW_CASE: &[&str] = &[
    "assets",
    "evidence",
    "fingerprint",
    "fsio",
    "imagery",
    "metadata",
    "osm",
    "spatial",
    "sun",
    "timestamp",
    "video",
];

/// A module path such as `["ui", "board", "canvas"]`, read from a file's place in `src/`.
type ModPath = Vec<String>;

fn module_of(src: &Path, file: &Path) -> ModPath {
    let rel = file.strip_prefix(src).expect("file under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The library code of a file: without comments and without its unit tests.
fn library_text(text: &str) -> String {
    let code = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    code.lines()
        .map(|l| match l.find("//") {
            Some(at) => &l[..at],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path written as `crate::…`, `super::…` or `self::…`, expanded into absolute
/// module paths (a `use` group `a::{b, c::d}` gives `a::b` and `a::c::d`).
fn referenced_paths(module: &ModPath, text: &str) -> Vec<ModPath> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !is_ident(chars[i - 1]) && chars[i - 1] != ':';
        let rest: String = chars[i..chars.len().min(i + 7)].iter().collect();
        let root = ["crate::", "super::", "self::"]
            .into_iter()
            .find(|r| rest.starts_with(r));
        if let (true, Some(root)) = (starts_word, root) {
            // The module the path starts from: in module a::b (file `a/b.rs` or
            // `a/b/mod.rs`) `super` is a and `self` is a::b.
            let mut base: ModPath = match root {
                "crate::" => Vec::new(),
                "self::" => module.clone(),
                _ => {
                    let mut m = module.clone();
                    m.pop();
                    m
                }
            };
            let mut j = i + root.len();
            // Further `super::` segments.
            while chars[j..].iter().collect::<String>().starts_with("super::") {
                base.pop();
                j += "super::".len();
            }
            let (paths, end) = parse_tree(&chars, j);
            for p in paths {
                let mut full = base.clone();
                full.extend(p);
                out.push(full);
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Parses `a::b::{c, d::e}` or `a::b` at `at`; returns the paths and where it ended.
fn parse_tree(chars: &[char], mut at: usize) -> (Vec<ModPath>, usize) {
    let mut prefix = Vec::new();
    loop {
        while at < chars.len() && chars[at].is_whitespace() {
            at += 1;
        }
        if at < chars.len() && chars[at] == '{' {
            let mut paths = Vec::new();
            at += 1;
            loop {
                while at < chars.len() && (chars[at].is_whitespace() || chars[at] == ',') {
                    at += 1;
                }
                if at >= chars.len() || chars[at] == '}' {
                    return (paths, at + 1);
                }
                let (inner, end) = parse_tree(chars, at);
                for p in inner {
                    let mut full = prefix.clone();
                    full.extend(p);
                    paths.push(full);
                }
                if end <= at {
                    at += 1;
                } else {
                    at = end;
                }
            }
        }
        let start = at;
        while at < chars.len() && is_ident(chars[at]) {
            at += 1;
        }
        if start == at {
            return (vec![prefix], at);
        }
        prefix.push(chars[start..at].iter().collect());
        if chars[at..].iter().take(2).collect::<String>() == "::" {
            at += 2;
        } else {
            return (vec![prefix], at);
        }
    }
}

struct Crate {
    /// Every module that has a file.
    modules: BTreeSet<ModPath>,
    /// For each module, the modules it names (resolved to the longest known module).
    imports: BTreeMap<ModPath, BTreeSet<ModPath>>,
}

fn read_crate() -> Crate {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.retain(|f| f.file_name().is_some_and(|n| n != "main.rs"));
    let modules: BTreeSet<ModPath> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut imports: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        let text = library_text(&std::fs::read_to_string(file).expect("read file"));
        let entry = imports.entry(module.clone()).or_default();
        for path in referenced_paths(&module, &text) {
            let known = (0..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| modules.contains(p));
            if let Some(target) = known
                && target != module
                && !target.is_empty()
            {
                entry.insert(target);
            }
        }
    }
    Crate { modules, imports }
}

/// The picture at one level: the children of `parent`, and which of them each imports
/// (an import of a deeper module counts for the child that holds it).
fn level(c: &Crate, parent: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let child_of = |m: &ModPath| -> Option<String> {
        (m.len() > parent.len() && m.iter().zip(parent).all(|(a, b)| a == b))
            .then(|| m[parent.len()].clone())
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in &c.modules {
        if let Some(child) = child_of(m) {
            out.entry(child).or_default();
        }
    }
    for (from, targets) in &c.imports {
        let Some(a) = child_of(from) else { continue };
        for t in targets {
            if let Some(b) = child_of(t)
                && a != b
            {
                out.entry(a.clone()).or_default().insert(b);
            }
        }
    }
    out
}

/// Groups of modules at this level that import each other (directly or round a loop):
/// the strongly connected components with more than one module.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let reachable = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = graph.get(from).into_iter().flatten().cloned().collect();
        while let Some(n) = stack.pop() {
            if seen.insert(n.clone()) {
                stack.extend(graph.get(&n).into_iter().flatten().cloned());
            }
        }
        seen
    };
    let reach: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|m| (m, reachable(m))).collect();
    let mut groups = BTreeSet::new();
    for (m, from_m) in &reach {
        let group: BTreeSet<&str> = from_m
            .iter()
            .filter(|o| reach.get(o).is_some_and(|r| r.contains(*m)))
            .map(String::as_str)
            .collect();
        if group.len() > 1 {
            groups.insert(group.into_iter().collect::<Vec<_>>().join(" ⇄ "));
        }
    }
    groups.into_iter().collect()
}

fn print_level(name: &str, graph: &BTreeMap<String, BTreeSet<String>>) {
    println!("{name}");
    for (m, targets) in graph {
        let list: Vec<&str> = targets.iter().map(String::as_str).collect();
        println!("  {m:<16} → {}", list.join(", "));
    }
}

#[test]
fn modules_import_downwards_only() {
    let c = read_crate();
    let levels: [(&str, &[&str]); 3] = [
        ("crate", &[]),
        ("crate::ui", &["ui"]),
        ("crate::ui::board", &["ui", "board"]),
    ];
    let mut problems = Vec::new();
    for (name, parent) in levels {
        let graph = level(&c, parent);
        print_level(name, &graph);
        for cycle in cycles(&graph) {
            problems.push(format!("{name}: these import each other: {cycle}"));
        }
    }
    let top = level(&c, &[]);
    for t in top.get("case").into_iter().flatten() {
        if !BELOW_CASE.contains(&t.as_str()) {
            problems.push(format!("case imports {t}, which is above it"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_reader_resolves_relative_paths_and_use_groups() {
    let module: ModPath = vec!["ui".into(), "board".into(), "canvas".into()];
    let found = referenced_paths(
        &module,
        "use super::{toolbar::Tool, state::{A, B}};\nuse crate::case::Edit;\nlet x = super::super::theme::INK;",
    );
    let as_text: Vec<String> = found.iter().map(|p| p.join("::")).collect();
    for want in [
        "ui::board::toolbar::Tool",
        "ui::board::state::A",
        "ui::board::state::B",
        "case::Edit",
        "ui::theme::INK",
    ] {
        assert!(as_text.iter().any(|p| p == want), "{want} in {as_text:?}");
    }
}

#[test]
fn ui_colours_come_from_the_theme() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join("ui"), &mut files);
    let mut found = Vec::new();
    for file in files {
        if file.ends_with("ui/theme.rs") {
            continue;
        }
        let text = library_text(&std::fs::read_to_string(&file).expect("read file"));
        for (n, line) in text.lines().enumerate() {
            if line.contains("Color32::") {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "name colours in src/ui/theme.rs and use them from there:\n{}",
        found.join("\n")
    );
}
