//! Reads `src/` as a set of modules and the modules each one imports.
//!
//! A path counts when it is written `crate::…`, `super::…`, `self::…` or starts with the
//! name of one of the module's own submodules. A path that ends at a re-export
//! (`pub use model::Case` in `case/mod.rs`) counts for the module that defines the item,
//! not for the one that re-exports it, so `use super::Case` in `case/store.rs` is an
//! import of `case::model`, while `use super::Thing` of an item defined in `case/mod.rs`
//! is an import of the parent file itself.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path such as `["ui", "board", "canvas"]`, read from a file's place in `src/`.
pub type ModPath = Vec<String>;

/// This crate's `src/`, or another checkout's given in `GEOPROOF_FITNESS_SRC` (to print
/// the measures of an older commit beside today's: the ceilings then fail, the printed
/// figures are what is wanted).
pub fn src_dir() -> PathBuf {
    match std::env::var_os("GEOPROOF_FITNESS_SRC") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
    }
}

pub fn module_of(src: &Path, file: &Path) -> ModPath {
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

pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
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
pub fn library_text(text: &str) -> String {
    let code = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    code.lines()
        .map(|l| match comment_start(l) {
            Some(at) => &l[..at],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where a `//` comment starts on a line: not inside a string literal (`"://"` is code,
/// and cutting there would leave an open quote that hides the rest of the file).
fn comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut in_str = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            // A quote as a character literal ('"') is not a string.
            b'\'' if !in_str && b.get(i + 1) == Some(&b'"') && b.get(i + 2) == Some(&b'\'') => {
                i += 2
            }
            b'/' if !in_str && b.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every module path a file writes, expanded into absolute paths (a `use` group
/// `a::{b, c::d}` gives `a::b` and `a::c::d`). `children` are the names of the module's
/// own submodules, which a path may start with.
pub fn referenced_paths(module: &ModPath, children: &BTreeSet<String>, text: &str) -> Vec<ModPath> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !is_ident(chars[i - 1]) && chars[i - 1] != ':';
        if !starts_word {
            i += 1;
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 7)].iter().collect();
        let root = ["crate::", "super::", "self::"]
            .into_iter()
            .find(|r| rest.starts_with(r));
        // The module the path starts from: in module a::b (file `a/b.rs` or
        // `a/b/mod.rs`) `super` is a and `self` is a::b.
        let (mut base, mut j): (ModPath, usize) = match root {
            Some("crate::") => (Vec::new(), i + 7),
            Some("self::") => (module.clone(), i + 6),
            Some(_) => {
                let mut m = module.clone();
                m.pop();
                (m, i + 7)
            }
            None => {
                let word: String = chars[i..].iter().take_while(|c| is_ident(**c)).collect();
                let after = i + word.chars().count();
                let followed = chars[after..].iter().take(2).collect::<String>() == "::";
                if word.is_empty() || !followed || !children.contains(&word) {
                    i += word.chars().count().max(1);
                    continue;
                }
                (module.clone(), i)
            }
        };
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
                at = if end <= at { at + 1 } else { end };
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

/// The paths a module re-exports (`pub use …;`, `pub(crate) use …;`), by the name they
/// are known by in the module.
fn reexports(
    module: &ModPath,
    children: &BTreeSet<String>,
    text: &str,
) -> BTreeMap<String, ModPath> {
    let mut out = BTreeMap::new();
    for stmt in text.split(';') {
        let stmt = stmt.trim_start();
        let Some(rest) = ["pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .find_map(|p| stmt.strip_prefix(p))
        else {
            continue;
        };
        // Written without a root (`pub use model::Case`), a path starts at a submodule.
        let rooted = ["crate::", "super::", "self::"]
            .iter()
            .any(|r| rest.trim_start().starts_with(r));
        let text = if rooted {
            rest.to_owned()
        } else {
            format!("self::{}", rest.trim_start())
        };
        for path in referenced_paths(module, children, &text) {
            if let Some(name) = path.last()
                && name != "*"
            {
                out.insert(name.clone(), path);
            }
        }
    }
    out
}

pub struct Crate {
    /// Every module that has a file.
    pub modules: BTreeSet<ModPath>,
    /// For each module, the modules it imports (a re-exported item counts for the module
    /// that defines it).
    pub imports: BTreeMap<ModPath, BTreeSet<ModPath>>,
}

pub fn read_crate() -> Crate {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.retain(|f| f.file_name().is_some_and(|n| n != "main.rs"));
    let modules: BTreeSet<ModPath> = files.iter().map(|f| module_of(&src, f)).collect();
    let children_of = |m: &ModPath| -> BTreeSet<String> {
        modules
            .iter()
            .filter(|c| c.len() == m.len() + 1 && c.starts_with(m))
            .map(|c| c[m.len()].clone())
            .collect()
    };
    let texts: BTreeMap<ModPath, String> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("read file");
            (module_of(&src, f), library_text(&text))
        })
        .collect();
    let aliases: BTreeMap<ModPath, BTreeMap<String, ModPath>> = texts
        .iter()
        .map(|(m, t)| (m.clone(), reexports(m, &children_of(m), t)))
        .collect();
    // The module a path lands in, following re-exports to where an item is defined.
    let resolve = |path: &ModPath| -> Option<ModPath> {
        let mut path = path.clone();
        for _ in 0..8 {
            let known = (0..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| modules.contains(p))?;
            let next = path.get(known.len());
            match next.and_then(|name| aliases.get(&known)?.get(name)) {
                Some(target) if target != &path[..=known.len()] => {
                    let mut followed = target.clone();
                    followed.extend_from_slice(&path[known.len() + 1..]);
                    path = followed;
                }
                _ => return Some(known),
            }
        }
        None
    };
    let mut imports: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (module, text) in &texts {
        let entry = imports.entry(module.clone()).or_default();
        for path in referenced_paths(module, &children_of(module), text) {
            if let Some(target) = resolve(&path)
                && &target != module
                && !target.is_empty()
            {
                entry.insert(target);
            }
        }
    }
    Crate { modules, imports }
}

#[test]
fn the_reader_resolves_relative_paths_and_use_groups() {
    let module: ModPath = vec!["ui".into(), "board".into(), "canvas".into()];
    let children = BTreeSet::from(["paint".to_owned()]);
    let found = referenced_paths(
        &module,
        &children,
        "use super::{toolbar::Tool, state::{A, B}};\nuse crate::case::Edit;\nlet x = super::super::theme::INK;\nuse paint::Brush; let y = image::open(p);",
    );
    let as_text: Vec<String> = found.iter().map(|p| p.join("::")).collect();
    for want in [
        "ui::board::toolbar::Tool",
        "ui::board::state::A",
        "ui::board::state::B",
        "case::Edit",
        "ui::theme::INK",
        "ui::board::canvas::paint::Brush",
    ] {
        assert!(as_text.iter().any(|p| p == want), "{want} in {as_text:?}");
    }
    assert!(
        !as_text.iter().any(|p| p.contains("image")),
        "an outside crate is not a module of ours: {as_text:?}"
    );
}

#[test]
fn a_url_in_a_string_is_not_a_comment() {
    let text = "fn a(t: &str) -> bool { t.contains(\"://\") } // note\nlet c = '\"'; // x";
    assert_eq!(
        library_text(text),
        "fn a(t: &str) -> bool { t.contains(\"://\") } \nlet c = '\"'; "
    );
}

#[test]
fn a_reexport_counts_for_the_module_that_defines_the_item() {
    let module: ModPath = vec!["case".into()];
    let children = BTreeSet::from(["model".to_owned()]);
    let found = reexports(
        &module,
        &children,
        "pub use model::{Case, Finding};\npub use crate::spatial::LatLon;\nuse x::Y;",
    );
    assert_eq!(found["Case"].join("::"), "case::model::Case");
    assert_eq!(found["LatLon"].join("::"), "spatial::LatLon");
    assert!(!found.contains_key("Y"), "a private use is not a re-export");
}
