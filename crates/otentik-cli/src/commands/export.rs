//! `otentik export --uris`: every account as an otpauth:// URI, the plain escape hatch.

use std::process::ExitCode;

use otentik::vault::Vault;

use crate::args::ExportArgs;
use crate::{Outcome, messages, output};

/// Runs the command. Everything is read before anything is printed.
pub fn run(_args: &ExportArgs) -> Outcome {
    let vault = Vault::open_default()?;
    let mut uris = Vec::with_capacity(vault.accounts().len());
    for stored in vault.accounts() {
        uris.push(otentik::otpauth::format(&vault.account(&stored.id)?));
    }
    eprintln!("{}", messages::warning_line(messages::EXPORT_WARNING));
    for uri in &uris {
        output::line(uri);
    }
    Ok(ExitCode::SUCCESS)
}
