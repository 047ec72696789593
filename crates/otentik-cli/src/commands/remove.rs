//! `otentik remove <query> [--yes]`: remove an account, after confirmation.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use otentik::vault::Vault;

use crate::args::RemoveArgs;
use crate::failure::Failure;
use crate::{Outcome, messages, output};

/// Runs the command.
pub fn run(args: &RemoveArgs) -> Outcome {
    let mut vault = Vault::open_default()?;
    let account = vault.find_one(&args.query)?.clone();
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
    let removed = vault.remove(&account.id)?;
    output::line(&messages::removed(&removed));
    Ok(ExitCode::SUCCESS)
}
