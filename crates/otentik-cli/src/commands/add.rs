//! `otentik add <URI>`: add an account, or every account of an export.

use std::process::ExitCode;

use otentik::vault::Vault;

use crate::args::AddArgs;
use crate::{Outcome, messages, output};

/// Runs the command. The URI is parsed completely before the vault is touched.
pub fn run(args: &AddArgs) -> Outcome {
    let parsed = otentik::otpauth::parse_any(&args.uri)?;
    let mut vault = Vault::open_default()?;
    for item in &parsed {
        for warning in &item.warnings {
            eprintln!("{}", messages::warning_line(warning));
        }
        let stored = vault.add(&item.account, crate::now(), args.force)?;
        output::line(&messages::added(&stored));
    }
    Ok(ExitCode::SUCCESS)
}
