//! `otentik move <query> --to N`: change an account's place in the list.

use std::process::ExitCode;

use otentik::vault::Vault;

use crate::args::MoveArgs;
use crate::{Outcome, messages, output};

/// Runs the command.
pub fn run(args: &MoveArgs) -> Outcome {
    let mut vault = Vault::open_default()?;
    let account = vault.find_one(&args.query)?.clone();
    let position = usize::try_from(args.to.saturating_sub(1)).unwrap_or(usize::MAX);
    vault.move_to(&account.id, position)?;
    output::line(&messages::moved(&account, args.to));
    Ok(ExitCode::SUCCESS)
}
