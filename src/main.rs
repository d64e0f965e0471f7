//! The `geoproof` binary: clap → library calls → exit code. No logic lives here.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
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
