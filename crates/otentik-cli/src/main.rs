//! `otentik`: Otentik's command line. Definitions and glue only; the `otentik` crate does the
//! work.

mod args;
mod commands;
mod failure;
mod messages;
mod output;

use std::process::ExitCode;

use clap::Parser as _;

use crate::args::{Cli, Command};
use crate::failure::Failure;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return failure::usage(error),
    };
    let result = match cli.command {
        Command::Inspect(args) => commands::inspect::run(&args),
        Command::Add(args) => commands::add::run(&args),
        Command::List(args) => commands::list::run(&args),
        Command::Code(args) => commands::code::run(&args),
        Command::Remove(args) => commands::remove::run(&args),
        Command::Rename(args) => commands::rename::run(&args),
        Command::Move(args) => commands::reorder::run(&args),
        Command::Export(args) => commands::export::run(&args),
        Command::Import(args) => commands::import::run(&args),
        Command::Pending(args) => commands::pending::run(&args),
        Command::Approve(args) => commands::respond::approve(&args),
        Command::Deny(args) => commands::respond::deny(&args),
        Command::Watch(args) => commands::watch::run(&args),
        Command::Lock(command) => commands::lock::run(&command),
        Command::Status(args) => commands::status::run(&args),
        Command::Convert(args) => commands::convert::run(&args),
        Command::Scan(args) => commands::scan::run(&args),
        Command::Origin(args) => commands::origin::run(&args),
        Command::BrowserHost(_) => commands::browser_host::run(),
        Command::Browser(command) => commands::browser_host::manifest(&command),
    };
    match result {
        Ok(status) => status,
        Err(failure) => failure.report(),
    }
}

/// The current Unix time: the one place the CLI reads the clock.
pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// A runtime for the commands that talk to push servers.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| Failure::bad_input(format!("cannot start: {e}")))
}

/// What a command returns.
pub(crate) type Outcome = Result<ExitCode, Failure>;
