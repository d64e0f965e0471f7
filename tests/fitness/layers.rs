//! The module dependency picture, and the rules it must keep: no two modules import each
//! other at any folder level, no two files import each other round a loop, and `case`
//! imports nothing above it. Also: the UI names its colours only in `ui/theme.rs`.
//!
//! `cargo test --test fitness -- --nocapture` prints the picture: one line per module,
//! with the modules it imports. Only the library's own code counts; unit tests
//! (`#[cfg(test)]` to the end of a file) may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};

use crate::source::{Crate, ModPath, library_text, read_crate, rust_files, src_dir};

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
    "terrain",
    "timestamp",
    "video",
];

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

/// Every folder of `src/` as a level: the crate root and each module with submodules.
fn folders(c: &Crate) -> Vec<ModPath> {
    c.modules
        .iter()
        .filter(|m| {
            c.modules
                .iter()
                .any(|o| o.len() == m.len() + 1 && o.starts_with(m))
        })
        .cloned()
        .collect()
}

/// The file-level graph with each file as a node, named by its module path.
fn file_graph(c: &Crate) -> BTreeMap<String, BTreeSet<String>> {
    let name = |m: &ModPath| {
        if m.is_empty() {
            "crate".to_owned()
        } else {
            m.join("::")
        }
    };
    c.modules
        .iter()
        .map(|m| {
            let targets = c.imports.get(m).into_iter().flatten().map(name).collect();
            (name(m), targets)
        })
        .collect()
}

/// Import loops that exist today and are to be taken apart (#30): none left. The test fails on any
/// loop not listed here, and on a listed loop that is gone, so the list stays true.
const KNOWN_LOOPS: &[&str] = &[];

/// Every import loop: between the children of each folder (a folder counts as one node)
/// and between single files anywhere, a parent's own file included.
fn import_loops(c: &Crate, print: bool) -> Vec<String> {
    let mut loops = Vec::new();
    for folder in folders(c) {
        let parent: Vec<&str> = folder.iter().map(String::as_str).collect();
        let name = if folder.is_empty() {
            "crate".to_owned()
        } else {
            format!("crate::{}", folder.join("::"))
        };
        let graph = level(c, &parent);
        if print {
            print_level(&name, &graph);
        }
        loops.extend(cycles(&graph).into_iter().map(|l| format!("{name}: {l}")));
    }
    let files = file_graph(c);
    loops.extend(cycles(&files).into_iter().map(|l| format!("files: {l}")));
    loops
}

#[test]
fn modules_import_downwards_only() {
    let c = read_crate();
    let loops = import_loops(&c, true);
    let mut problems: Vec<String> = loops
        .iter()
        .filter(|l| !KNOWN_LOOPS.contains(&l.as_str()))
        .map(|l| format!("these import each other: {l}"))
        .collect();
    for known in KNOWN_LOOPS {
        if !loops.iter().any(|l| l == known) {
            problems.push(format!("gone, take it off KNOWN_LOOPS: {known}"));
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

/// The number of import loops, for the fitness report.
pub fn loop_count() -> usize {
    import_loops(&read_crate(), false).len()
}

#[test]
fn ui_colours_come_from_the_theme() {
    let src = src_dir();
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
