//! Command-line interface: `run` sends each subcommand (its shape in `args`) to the one
//! function that does it, in the file that owns that kind of command. Every subcommand
//! prints human text by default and one JSON document with `--json`.

mod app;
mod args;
mod case_cmds;
mod export;
mod filter;
mod find;
mod frames;
mod georef;
mod imagery_dates;
mod import;
mod inputs;
mod matching;
mod osm;
mod output;
mod redact;
mod review;
mod snapshot;
mod spatial;
mod stamp;
mod sun;
mod terrain;

use anyhow::Result;

pub use args::Cli;
use args::Command;
use output::Outcome;

pub fn run(cli: Cli) -> Result<Outcome> {
    let Some(command) = cli.command else {
        return app::open_app(None);
    };
    match command {
        Command::Open { case } => app::open_app(Some(case)),
        Command::Demo { json } => app::demo(json),
        Command::New { case, title, json } => case_cmds::new_case(case, &title, json),
        Command::Add {
            case,
            files,
            source,
            note,
            json,
        } => case_cmds::add(case, &files, source, note, json),
        Command::List { case, filter, json } => case_cmds::list(case, &filter.into_filter(), json),
        Command::Inspect { file, json } => case_cmds::inspect(file, json),
        Command::Verify { case, json } => case_cmds::verify(case, json),
        Command::Coords { text, json } => spatial::coords(&text, json),
        Command::Measure { a, b, json } => spatial::measure(&a, &b, json),
        Command::BorderDistance {
            point,
            country,
            json,
        } => spatial::border_distance(&point, country.as_deref(), json),
        Command::Show {
            case,
            finding,
            json,
        } => case_cmds::show(case, &finding, json),
        Command::Sun {
            point,
            time,
            elevation_m,
            json,
        } => sun::sun_command(&point, &time, elevation_m, json),
        Command::Shadow(args) => sun::shadow_command(args),
        Command::Frames(args) => frames::frames_command(args),
        Command::Redact(args) => redact::redact_command(args),
        Command::Analyst(command) => review::analyst_command(command).map(Outcome::ok_if),
        Command::Sign(args) => review::sign_command(args).map(Outcome::ok_if),
        Command::Review(args) => review::review_command(args).map(Outcome::ok_if),
        Command::Report(args) => review::report_command(args).map(Outcome::ok_if),
        Command::Import(args) => import::import_command(args),
        Command::Stamp(args) => stamp::stamp_command(args),
        Command::Georef(args) => georef::georef_command(args),
        Command::OsmSearch(args) => osm::osm_search_command(args),
        Command::Candidates(args) => osm::candidates_command(args),
        Command::Terrain(args) => terrain::terrain_command(args).map(|()| Outcome::Success),
        Command::Snapshot(args) => snapshot::snapshot_command(args).map(|()| Outcome::Success),
        Command::ImageryDates(args) => {
            imagery_dates::imagery_dates_command(args).map(|()| Outcome::Success)
        }
        Command::BeforeAfter(args) => {
            imagery_dates::before_after_command(args).map(|()| Outcome::Success)
        }
        Command::Match {
            a,
            b,
            roi_a,
            roi_b,
            features,
            json,
        } => matching::match_command(&a, &b, roi_a, roi_b, features, json),
        Command::Colours {
            a,
            b,
            roi_a,
            roi_b,
            json,
        } => matching::colours(&a, &b, roi_a, roi_b, json),
        Command::Similar {
            case,
            evidence,
            max_distance,
            json,
        } => case_cmds::similar(case, &evidence, max_distance, json),
        Command::Export(args) => export::export_command(args),
        Command::Find(args) => find::find_command(args),
    }
}
