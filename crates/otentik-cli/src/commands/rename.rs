//! `otentik rename <query> --issuer … --account …`.

use std::process::ExitCode;

use otentik::vault::Vault;

use crate::args::RenameArgs;
use crate::{Outcome, messages, output};

/// Runs the command.
pub fn run(args: &RenameArgs) -> Outcome {
    let mut vault = Vault::open_default()?;
    let id = vault.find_one(&args.query)?.id.clone();
    let renamed = vault.rename(&id, args.issuer.as_deref(), args.account.as_deref())?;
    output::line(&messages::renamed(&renamed));
    Ok(ExitCode::SUCCESS)
}
