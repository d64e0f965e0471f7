//! `geoproof import`: a collection (a Telegram Desktop JSON export) into a case, each
//! file with the post it came from.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::Result;
use clap::Args;

use geoproof::case::{Case, short_hash};

use super::output::{Outcome, print_json};

#[derive(Debug, Args)]
pub struct ImportArgs {
    case: PathBuf,
    /// The collection: a Telegram Desktop JSON export folder (or its result.json).
    source: PathBuf,
    #[arg(long)]
    json: bool,
}

pub fn import_command(args: ImportArgs) -> Result<Outcome> {
    let mut case = Case::open(&args.case)?;
    let never = AtomicBool::new(false);
    let report = case.import_collection(&args.source, &never, &mut |_, _| {})?;
    if args.json {
        print_json(&report)?;
        return Ok(Outcome::Success);
    }
    println!(
        "{}: {} export, {} chat(s), {} message(s): {} file(s) added, {} already here gained \
         this post as a source, {} unchanged",
        args.source.display(),
        report.kind,
        report.chats,
        report.messages,
        report.added.len(),
        report.sources_added,
        report.unchanged
    );
    for id in &report.added {
        println!("added {}", short_hash(id));
    }
    for m in &report.missing {
        if m.path == m.reason {
            println!("missing: {}: {}", m.post, m.reason);
        } else {
            println!("missing: {} {}: {}", m.post, m.path, m.reason);
        }
    }
    for k in &report.kept_unanalysed {
        println!("kept, {}: {} {} as {}", k.reason, k.post, k.path, k.file);
    }
    for n in &report.not_imported {
        println!("not imported: {} {}: {}", n.post, n.path, n.reason);
    }
    for w in &report.warnings {
        println!("warning: {w}");
    }
    Ok(Outcome::Success)
}
