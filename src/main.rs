//! The `geoproof` binary: clap → library calls → exit code. No logic lives here.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Warnings by default. mp4parse logs each harmless deviation from the MP4 standard it
    // meets (iPhone clips have several) as a warning; its result is checked and ffprobe
    // answers when it fails, so those lines are noise. `RUST_LOG` naming `mp4parse`
    // brings them back.
    env_logger::Builder::new()
        .filter_level(log::LevelFilter::Warn)
        .filter_module("mp4parse", log::LevelFilter::Off)
        // c2pa warns on every read that its thumbnail feature is off (we only read).
        .filter_module("c2pa", log::LevelFilter::Error)
        .parse_env(env_logger::Env::default())
        .format_timestamp(None)
        .init();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => {
            // One line: the library's errors already name the file and the cause.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
