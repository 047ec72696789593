//! `otentik remove <query> [--yes]`: remove an account, after confirmation.
//!
//! For a push account the site is asked first whether TOTP is still on there (then removing
//! it here would lock the user out: a warning, and `--yes` is needed off a terminal), and the
//! device is unregistered before the account goes.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use otentik::push::{PushClient, PushStatus, accounts};

use crate::args::RemoveArgs;
use crate::failure::Failure;
use crate::{Outcome, messages, output};

/// Runs the command.
pub fn run(args: &RemoveArgs) -> Outcome {
    let mut vault = super::unlock::open(args.password_file.as_deref(), "--password-file")?;
    let account = vault.find_one(&args.query)?.clone();
    let mut push = None;
    if account.push.is_some() {
        let client = PushClient::new()?;
        let runtime = crate::runtime()?;
        let status = runtime.block_on(accounts::status(
            &mut vault,
            &client,
            &account.id,
            crate::now(),
        ));
        if matches!(status, Ok(PushStatus::Active)) {
            eprintln!(
                "{}",
                messages::warning_line(&messages::still_enabled(&account))
            );
        }
        if let Ok(PushStatus::Unreachable(why)) = &status {
            eprintln!("{}", messages::warning_line(why));
        }
        push = Some((client, runtime));
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::bad_input(messages::REMOVE_NEEDS_YES));
        }
        eprint!("{}", messages::confirm_remove(&account));
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "ya") {
            output::line(messages::REMOVE_CANCELLED);
            return Ok(ExitCode::SUCCESS);
        }
    }
    if let Some((client, runtime)) = push {
        // When the server is away the account is removed all the same; the site keeps a
        // device it can no longer reach, which its "disable TOTP" clears.
        if let Err(error) = runtime.block_on(accounts::unregister(
            &vault,
            &client,
            &account.id,
            crate::now(),
        )) {
            eprintln!("{}", messages::warning_line(&error.to_string()));
        }
    }
    let removed = vault.remove(&account.id)?;
    output::line(&messages::removed(&removed));
    Ok(ExitCode::SUCCESS)
}
