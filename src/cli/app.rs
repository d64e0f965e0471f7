//! The commands that are not tools: `open` (the desktop app; plain `geoproof` too) and
//! `demo`.

use std::path::PathBuf;

use anyhow::Result;
use serde_json::json;

use super::output::{Outcome, print_json};

#[cfg(feature = "gui")]
pub fn open_app(case: Option<PathBuf>) -> Result<Outcome> {
    geoproof::ui::run(case)?;
    Ok(Outcome::Success)
}

/// Built without the `gui` feature: there is no window to open. Plain `geoproof` shows
/// the help; `geoproof open` is an error, never a silent success.
#[cfg(not(feature = "gui"))]
pub fn open_app(case: Option<PathBuf>) -> Result<Outcome> {
    match case {
        Some(case) => anyhow::bail!(
            "{}: cannot open the desktop app: this geoproof was built without the `gui` \
             feature (build with default features); the command-line tools work",
            case.display()
        ),
        None => {
            <super::args::Cli as clap::CommandFactory>::command().print_help()?;
            println!();
            Ok(Outcome::Success)
        }
    }
}

pub fn demo(json: bool) -> Result<Outcome> {
    let path = geoproof::assets::demo_case_path()?;
    if json {
        print_json(&json!({ "case": path }))?;
    } else {
        println!("{}", path.display());
    }
    Ok(Outcome::Success)
}
