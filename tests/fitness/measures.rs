//! The measures #30 holds the source to, printed by
//! `cargo test --test fitness -- --nocapture`:
//!
//! - fields of the app state (`struct AppState`), and how many are visible outside `ui/`;
//! - places in `ui/` that start a thread, outside the job registry (`ui/jobs`): none
//!   may (`threads_start_only_in_the_job_registry`), and the registry starts every
//!   job's thread at one place;
//! - public functions outside `ui/` and `cli/` that return `Result<_, String>`;
//! - files over 800 lines and functions over 120 lines;
//! - import loops (see `layers.rs`);
//! - flat variants of the UI's `Command`: variants other than `Edit`, `Select` and one
//!   owner's nested command (`Board(BoardCommand)`, …), so commands stay grouped by the
//!   part that carries them out;
//! - hand-written Web Mercator formulas in `ui/`: overlays use the map's own projection
//!   (walkers' `Projector`, or `MapViewExtent` built from it; see `ui/map_overlays.rs`);
//! - writes of the status line outside the app's command applier (`ui/state/`): a part
//!   lent `&mut Option<Status>` (or `&mut ….status`) or assigning `status = Some(…)`
//!   instead of pushing `ShellCommand::Notify`.
//!
//! Each measure is held to a ceiling: the test fails when one grows, so the code can only
//! get better. Lower a ceiling when the code gets better; the target is in the comment.

use std::path::{Path, PathBuf};

use crate::source::{library_text, rust_files, src_dir};

const MAX_FILE_LINES: usize = 800;
const MAX_FN_LINES: usize = 120;

/// Ceilings of today's code (targets from #30 in the comments).
const CEILING_APP_STATE_FIELDS: usize = 12; // target ≤ 12 (reached)
const CEILING_APP_STATE_PUB_FIELDS: usize = 0; // target 0 (reached)
const CEILING_UI_THREADS: usize = 0; // was 17; every job goes through ui/jobs
const CEILING_STRING_ERRORS: usize = 0; // was 20; the domain speaks typed errors
const CEILING_LONG_FILES: usize = 0; // target 0 (reached)
const CEILING_LONG_FNS: usize = 0; // target 0 (reached)
const CEILING_IMPORT_LOOPS: usize = 0; // target 0 (reached)
const CEILING_FLAT_COMMANDS: usize = 0; // was 31; every command nested by its owner
const CEILING_UI_MERCATOR: usize = 0; // was 7 (in 4 files); the map's own projection only
const CEILING_STATUS_WRITES: usize = 0; // was 54 (in 13 files); parts push ShellCommand::Notify

struct Source {
    path: PathBuf,
    text: String,
}

fn sources() -> Vec<Source> {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| Source {
            text: std::fs::read_to_string(&path).expect("read source"),
            path,
        })
        .collect()
}

fn rel(path: &Path) -> String {
    path.strip_prefix(src_dir())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The code of a file with comments, strings and character literals blanked out (kept
/// as spaces so line numbers and braces in code stay where they are).
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |ch: char| if ch == '\n' { '\n' } else { ' ' };
    while i < c.len() {
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c[i] == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(c[i]));
                    i += 1;
                }
            }
        } else if c[i] == 'r' && (next == Some('"') || next == Some('#')) && raw_start(&c, i) {
            // r"…" or r#"…"#: ends at a quote followed by as many hashes.
            let hashes = c[i + 1..].iter().take_while(|ch| **ch == '#').count();
            let body = i + 2 + hashes;
            let mut j = body;
            while j < c.len() {
                if c[j] == '"'
                    && c[j + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|h| **h == '#')
                        .count()
                        == hashes
                {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.extend(c[i..j.min(c.len())].iter().map(|ch| blank(*ch)));
            i = j;
        } else if c[i] == '"' {
            out.push(' ');
            i += 1;
            while i < c.len() && c[i] != '"' {
                let step = if c[i] == '\\' { 2 } else { 1 };
                for k in 0..step {
                    if let Some(ch) = c.get(i + k) {
                        out.push(blank(*ch));
                    }
                }
                i += step;
            }
            out.push(' ');
            i += 1;
        } else if c[i] == '\'' && char_literal_len(&c, i).is_some() {
            let len = char_literal_len(&c, i).unwrap_or(1);
            out.extend(std::iter::repeat_n(' ', len));
            i += len;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn raw_start(c: &[char], i: usize) -> bool {
    let word_before = i > 0 && (c[i - 1].is_ascii_alphanumeric() || c[i - 1] == '_');
    let hashes = c[i + 1..].iter().take_while(|ch| **ch == '#').count();
    !word_before && c.get(i + 1 + hashes) == Some(&'"')
}

/// The length of a character literal at `i` ('x', '\n', '\u{1F600}'), or None for a
/// lifetime ('a).
fn char_literal_len(c: &[char], i: usize) -> Option<usize> {
    if c.get(i + 1) == Some(&'\\') {
        let end = c[i + 2..].iter().position(|ch| *ch == '\'')?;
        return Some(end + 3);
    }
    (c.get(i + 2) == Some(&'\'')).then_some(3)
}

/// Every `fn` with a body, as (name, first line, number of lines).
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let c: Vec<char> = code.chars().collect();
    let line_at = |at: usize| c[..at].iter().filter(|ch| **ch == '\n').count() + 1;
    let mut out = Vec::new();
    let mut i = 0;
    while i + 3 < c.len() {
        let word_start = i == 0 || !(c[i - 1].is_ascii_alphanumeric() || c[i - 1] == '_');
        if !(word_start && c[i] == 'f' && c[i + 1] == 'n' && c[i + 2] == ' ') {
            i += 1;
            continue;
        }
        let name: String = c[i + 3..]
            .iter()
            .take_while(|ch| ch.is_ascii_alphanumeric() || **ch == '_')
            .collect();
        // The body starts at the first `{` outside parentheses; a `;` first means none.
        let mut j = i + 3;
        let mut parens = 0i32;
        while j < c.len() {
            match c[j] {
                '(' | '[' => parens += 1,
                ')' | ']' => parens -= 1,
                '{' | ';' if parens == 0 => break,
                _ => {}
            }
            j += 1;
        }
        if j >= c.len() || c[j] == ';' {
            i = j;
            continue;
        }
        let mut depth = 0i32;
        let mut k = j;
        while k < c.len() {
            match c[k] {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            k += 1;
        }
        let (first, last) = (line_at(i), line_at(k.min(c.len() - 1)));
        out.push((name, first, last - first + 1));
        // Nested functions are inside this one's count; go on after the signature so
        // they are measured on their own too.
        i = j + 1;
    }
    out
}

/// (fields, fields visible outside `ui/`) of `struct AppState`.
fn app_state_fields(files: &[Source]) -> (usize, usize) {
    for f in files {
        let code = code_only(&f.text);
        let Some(at) = code.find("struct AppState {") else {
            continue;
        };
        let body = &code[at + "struct AppState {".len()..];
        let mut depth = 1;
        let (mut fields, mut public) = (0, 0);
        for line in body.lines() {
            let t = line.trim();
            if depth == 1 && t.contains(':') && !t.starts_with('#') {
                fields += 1;
                if t.starts_with("pub ") || t.starts_with("pub(crate)") {
                    public += 1;
                }
            }
            depth += line.matches(['{', '(', '<']).count() as i32;
            depth -= line.matches(['}', ')', '>']).count() as i32;
            depth += line.matches("->").count() as i32;
            if depth <= 0 {
                break;
            }
        }
        return (fields, public);
    }
    (0, 0)
}

fn is_under(path: &Path, folder: &str) -> bool {
    path.strip_prefix(src_dir())
        .is_ok_and(|p| p.starts_with(folder))
}

/// Whether a line starts a thread (or imports what starts one, to call it unqualified).
fn starts_a_thread(line: &str) -> bool {
    [
        "thread::spawn",
        "thread::Builder",
        "thread::scope",
        "std::thread::{",
    ]
    .iter()
    .any(|p| line.contains(p))
}

/// Places in `ui/` that start a thread: outside the job registry (`ui/jobs`), or in it.
fn thread_sites_in(files: &[Source], in_registry: bool) -> Vec<String> {
    let mut out = Vec::new();
    for f in files.iter().filter(|f| is_under(&f.path, "ui")) {
        let r = rel(&f.path);
        if r.starts_with("ui/jobs") != in_registry {
            continue;
        }
        for (n, line) in library_text(&f.text).lines().enumerate() {
            if starts_a_thread(line) {
                out.push(format!("{r}:{}", n + 1));
            }
        }
    }
    out
}

fn thread_sites(files: &[Source]) -> Vec<String> {
    thread_sites_in(files, false)
}

#[test]
fn threads_start_only_in_the_job_registry() {
    let files = sources();
    let outside = thread_sites(&files);
    assert!(
        outside.is_empty(),
        "start background work in ui/ through the job registry (ui::jobs::Jobs::spawn or \
         spawn_service), not a thread of its own:\n{}",
        outside.join("\n")
    );
    let inside = thread_sites_in(&files, true);
    assert_eq!(
        inside.len(),
        1,
        "the registry starts every job's thread at one place: {inside:?}"
    );
    assert!(starts_a_thread("        std::thread::Builder::new()"));
    assert!(starts_a_thread("use std::thread::{spawn, sleep};"));
    assert!(!starts_a_thread("std::thread::sleep(d);"));
}

/// Public functions outside `ui/` and `cli/` whose signature returns `Result<_, String>`.
fn string_errors(files: &[Source]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        if is_under(&f.path, "ui") || is_under(&f.path, "cli") || f.path.ends_with("main.rs") {
            continue;
        }
        let code = code_only(&library_text(&f.text));
        for (name, line, _) in functions(&code) {
            let start = code
                .lines()
                .take(line - 1)
                .map(|l| l.len() + 1)
                .sum::<usize>();
            let sig_end = code[start..]
                .find(['{', ';'])
                .map_or(code.len(), |e| start + e);
            let sig = code[start..sig_end]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let public = sig.trim_start().starts_with("pub fn")
                || sig.contains(" pub fn ")
                || sig.trim_start().starts_with("pub(crate) fn");
            let returns = sig.split("->").nth(1).unwrap_or("");
            if public && returns.contains("Result<") && returns.contains(", String>") {
                out.push(format!("{}:{line} {name}", rel(&f.path)));
            }
        }
    }
    out
}

fn long_files(files: &[Source]) -> Vec<String> {
    files
        .iter()
        .map(|f| (rel(&f.path), f.text.lines().count()))
        .filter(|(_, n)| *n > MAX_FILE_LINES)
        .map(|(p, n)| format!("{p} ({n} lines)"))
        .collect()
}

fn long_functions(files: &[Source]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        for (name, line, len) in functions(&code_only(&f.text)) {
            if len > MAX_FN_LINES {
                out.push(format!("{}:{line} {name} ({len} lines)", rel(&f.path)));
            }
        }
    }
    out
}

/// The variants of `enum Command` in `ui/command.rs` that are flat: neither `Edit` nor
/// `Select` (which every part sends and the app applies itself) nor a nested owner's
/// command (`Name(OwnerCommand)`).
fn flat_command_variants(files: &[Source]) -> Vec<String> {
    files
        .iter()
        .filter(|f| rel(&f.path) == "ui/command.rs")
        .flat_map(|f| flat_variants(&code_only(&f.text), "pub enum Command {"))
        .collect()
}

fn flat_variants(code: &str, header: &str) -> Vec<String> {
    let Some(at) = code.find(header) else {
        return vec![format!("`{header}` not found")];
    };
    let body: Vec<char> = code[at + header.len()..].chars().collect();
    let (mut items, mut item, mut depth) = (Vec::new(), String::new(), 0i32);
    let mut i = 0;
    while i < body.len() {
        let ch = body[i];
        if depth == 0 && ch == '#' {
            // An attribute: skip to its closing bracket.
            let mut d = 0;
            while i < body.len() {
                d += i32::from(body[i] == '[') - i32::from(body[i] == ']');
                i += 1;
                if d == 0 && body[i - 1] == ']' {
                    break;
                }
            }
            continue;
        }
        match ch {
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '>' => depth -= 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut item));
                i += 1;
                continue;
            }
            _ => {}
        }
        item.push(ch);
        i += 1;
    }
    items.push(item);
    items
        .iter()
        .map(|v| v.split_whitespace().collect::<String>())
        .filter(|v| !v.is_empty())
        .filter(|v| {
            let name: String = v.chars().take_while(|c| c.is_alphanumeric()).collect();
            let payload = &v[name.len()..];
            let nested = payload
                .strip_prefix('(')
                .and_then(|p| p.strip_suffix(')'))
                .is_some_and(|t| {
                    t.ends_with("Command") && t.chars().all(|c| c.is_alphanumeric() || c == ':')
                });
            !(name == "Edit" || name == "Select" || nested)
        })
        .collect()
}

/// Shapes of a Web Mercator formula (whitespace removed): y from latitude, latitude
/// from y, longitude to tile column, metres per pixel at zoom 0, world size at a zoom.
const MERCATOR_SHAPES: &[&str] = &[
    ".tan().asinh()",
    ".tan().ln()",
    "FRAC_PI_4+",
    ".sinh().atan()",
    ").ln()/(4.0*",
    "+180.0)/360.0",
    "156_543",
    "156543",
    "2f64.powf(",
    "2.0f64.powf(",
    "2.0_f64.powf(",
];

/// Files in `ui/` allowed a Web Mercator formula: none (the map camera flies through the
/// domain's `spatial::framing::mercator`, tile sources use `vector::snapshot`'s).
const MERCATOR_ALLOWED: &[&str] = &[];

fn mercator_shapes_in(code: &str) -> Vec<&'static str> {
    let compact: String = code.split_whitespace().collect();
    MERCATOR_SHAPES
        .iter()
        .filter(|shape| compact.contains(*shape))
        .copied()
        .collect()
}

/// Hand-written Web Mercator in `ui/`, outside the allowed files.
fn ui_mercator(files: &[Source]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files.iter().filter(|f| is_under(&f.path, "ui")) {
        let r = rel(&f.path);
        if MERCATOR_ALLOWED.contains(&r.as_str()) {
            continue;
        }
        for shape in mercator_shapes_in(&code_only(&library_text(&f.text))) {
            out.push(format!("{r}: `{shape}`"));
        }
    }
    out
}

/// Where the status line may be written: the app's command applier
/// (`AppState::apply_commands` and the owners' handlers beside it).
const STATUS_WRITER: &str = "ui/state";

/// The code without whitespace; for each of its characters, the line it stands on and
/// whether whitespace came before it (where a word starts).
fn compact_with_lines(code: &str) -> (Vec<char>, Vec<(usize, bool)>) {
    let (mut chars, mut places, mut line, mut spaced) = (Vec::new(), Vec::new(), 1, true);
    for ch in code.chars() {
        if ch == '\n' {
            line += 1;
        }
        if ch.is_whitespace() {
            spaced = true;
        } else {
            chars.push(ch);
            places.push((line, spaced));
            spaced = false;
        }
    }
    (chars, places)
}

fn ident_char(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Writes of the status line in `code` (line, shape): a `&mut Option<…Status>` lent or
/// taken, a `….status` lent as `&mut`, or an assignment `status = Some(`.
fn status_writes_in(code: &str) -> Vec<(usize, &'static str)> {
    let (c, places) = compact_with_lines(code);
    let at = |i: usize, word: &str| {
        word.chars()
            .enumerate()
            .all(|(k, w)| c.get(i + k) == Some(&w))
    };
    let line = |i: usize| places[i].0;
    let starts_word = |i: usize| i == 0 || places[i].1 || !ident_char(c[i - 1]);
    let mut out = Vec::new();
    for i in 0..c.len() {
        if at(i, "mutOption<") {
            let mut j = i + "mutOption<".len();
            let start = j;
            while j < c.len() && (ident_char(c[j]) || c[j] == ':') {
                j += 1;
            }
            let path: String = c[start..j].iter().collect();
            if c.get(j) == Some(&'>') && (path == "Status" || path.ends_with("::Status")) {
                out.push((line(i), "&mut Option<Status>"));
            }
        } else if at(i, "status")
            && starts_word(i)
            && !c.get(i + 6).copied().is_some_and(ident_char)
        {
            if at(i + 6, "=Some(") {
                out.push((line(i), "status = Some("));
            }
            // `&mut a.b.status`: walk back over the path to the `&mut`.
            let mut k = i;
            while k > 0 && !places[k].1 && (ident_char(c[k - 1]) || c[k - 1] == '.') {
                k -= 1;
            }
            if k < i && c[i - 1] == '.' && k >= 4 && at(k - 4, "&mut") {
                out.push((line(i), "&mut ….status"));
            }
        }
    }
    out
}

/// Writes of the status line in `ui/` outside the command applier.
fn ui_status_writes(files: &[Source]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files.iter().filter(|f| is_under(&f.path, "ui")) {
        if is_under(&f.path, STATUS_WRITER) {
            continue;
        }
        let r = rel(&f.path);
        for (line, shape) in status_writes_in(&code_only(&library_text(&f.text))) {
            out.push(format!("{r}:{line} `{shape}`"));
        }
    }
    out
}

fn report(name: &str, items: &[String], ceiling: usize, failures: &mut Vec<String>) {
    println!("{name}: {} (ceiling {ceiling})", items.len());
    for item in items {
        println!("    {item}");
    }
    if items.len() > ceiling {
        failures.push(format!("{name}: {} > {ceiling}", items.len()));
    }
}

#[test]
fn fitness_measures_do_not_grow() {
    let files = sources();
    let mut failures = Vec::new();
    let (fields, public) = app_state_fields(&files);
    println!("fields of AppState: {fields} (ceiling {CEILING_APP_STATE_FIELDS})");
    println!("  visible outside ui/: {public} (ceiling {CEILING_APP_STATE_PUB_FIELDS})");
    if fields > CEILING_APP_STATE_FIELDS || public > CEILING_APP_STATE_PUB_FIELDS {
        failures.push(format!(
            "AppState: {fields} fields, {public} visible outside ui/"
        ));
    }
    report(
        "thread starts in ui/ outside the job registry",
        &thread_sites(&files),
        CEILING_UI_THREADS,
        &mut failures,
    );
    report(
        "public domain functions returning Result<_, String>",
        &string_errors(&files),
        CEILING_STRING_ERRORS,
        &mut failures,
    );
    report(
        &format!("files over {MAX_FILE_LINES} lines"),
        &long_files(&files),
        CEILING_LONG_FILES,
        &mut failures,
    );
    report(
        &format!("functions over {MAX_FN_LINES} lines"),
        &long_functions(&files),
        CEILING_LONG_FNS,
        &mut failures,
    );
    report(
        "flat variants of Command (not Edit, Select or an owner's command)",
        &flat_command_variants(&files),
        CEILING_FLAT_COMMANDS,
        &mut failures,
    );
    report(
        "hand-written Web Mercator in ui/",
        &ui_mercator(&files),
        CEILING_UI_MERCATOR,
        &mut failures,
    );
    report(
        "status line written in ui/ outside ui/state (not through ShellCommand::Notify)",
        &ui_status_writes(&files),
        CEILING_STATUS_WRITES,
        &mut failures,
    );
    let loops = crate::layers::loop_count();
    println!(
        "import loops (any folder level or between files): {loops} (ceiling {CEILING_IMPORT_LOOPS})"
    );
    if loops > CEILING_IMPORT_LOOPS {
        failures.push(format!("import loops: {loops} > {CEILING_IMPORT_LOOPS}"));
    }
    assert!(
        failures.is_empty(),
        "the code got worse:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_measures_see_what_they_measure() {
    let code = code_only(
        "fn a() {\n let s = \"}\"; let c = '}';\n}\nfn b(x: &'a str) -> Result<(), String> { r#\"{\"# ; }\nfn c();\n",
    );
    let fns = functions(&code);
    let names: Vec<_> = fns
        .iter()
        .map(|(n, l, len)| (n.as_str(), *l, *len))
        .collect();
    assert_eq!(names, [("a", 1, 3), ("b", 4, 1)]);
}

#[test]
fn the_command_and_mercator_measures_see_what_they_measure() {
    let enum_code = code_only(
        "/// doc, with (brackets\n#[derive(Debug)]\npub enum Command {\n    Edit(Edit),\n    \
         Select(Selection),\n    /// A doc.\n    Board(BoardCommand),\n    CenterOn(LatLon, \
         Option<f64>),\n    #[allow(dead_code)]\n    NewCase(PathBuf),\n    Undo,\n    \
         ExportFigure {\n        png: Option<PathBuf>,\n    },\n    AddFrameGrab(Result<Box<(A, \
         B)>, String>),\n}\n",
    );
    assert_eq!(
        flat_variants(&enum_code, "pub enum Command {"),
        [
            "CenterOn(LatLon,Option<f64>)",
            "NewCase(PathBuf)",
            "Undo",
            "ExportFigure{png:Option<PathBuf>,}",
            "AddFrameGrab(Result<Box<(A,B)>,String>)",
        ]
    );
    // The formulas the map's overlays wrote by hand before they used the map's own.
    for (formula, shape) in [
        ("lat.to_radians().tan().asinh()", ".tan().asinh()"),
        ("(FRAC_PI_4 + lat / 2.0).tan().ln()", ".tan().ln()"),
        ("(y.sinh().atan().to_degrees(), lon)", ".sinh().atan()"),
        ("((1.0 + s) / (1.0 - s)).ln() / (4.0 * PI)", ").ln()/(4.0*"),
        ("((pos.x() + 180.0) / 360.0 * n)", "+180.0)/360.0"),
        ("let m0 = 156_543.034 * lat.cos();", "156_543"),
    ] {
        assert!(
            mercator_shapes_in(formula).contains(&shape),
            "{formula} not seen as {shape}"
        );
    }
    assert!(mercator_shapes_in("let f = 500.0 / (30f64).to_radians().tan();").is_empty());
}

#[test]
fn the_status_measure_sees_what_it_measures() {
    let code = "pub struct Cx<'a> {\n    pub status: &'a mut Option<Status>,\n}\n\
                fn f(s: &mut Option<crate::ui::command::Status>) {\n    \
                *s.status = Some(Status::Info(x));\n    let mut status = Some(z);\n    \
                status =\n        Some(y);\n    g(&mut self.state.shell.status);\n}\n\
                fn ok(c: &mut Vec<Command>, r: Option<Status>) {\n    \
                c.push(Command::notify(Status::Error(e)));\n    \
                x.review_status = Some(1);\n    if a.status == Some(b) {}\n    \
                let s = &mut self.statuses;\n    h(&mut Option<CandidateStatus>);\n}\n";
    assert_eq!(
        status_writes_in(code),
        [
            (2, "&mut Option<Status>"),
            (4, "&mut Option<Status>"),
            (5, "status = Some("),
            (6, "status = Some("),
            (7, "status = Some("),
            (9, "&mut ….status"),
        ]
    );
}
