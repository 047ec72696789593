//! `otentik export`: a backup that proves it restores (`--format aegis -o FILE`), or every
//! account as otpauth:// URIs (`--uris`, the plain escape hatch).

use std::process::ExitCode;

use super::password;
use crate::args::ExportArgs;
use crate::failure::Failure;
use crate::{Outcome, messages, output};

/// Runs the command. Everything is read before anything is printed or written.
pub fn run(args: &ExportArgs) -> Outcome {
    let vault = super::unlock::open(args.vault_password_file.as_deref(), "--vault-password-file")?;
    if args.uris {
        let mut accounts = Vec::with_capacity(vault.accounts().len());
        for stored in vault.accounts() {
            accounts.push(vault.account(&stored.id)?);
        }
        eprintln!("{}", messages::warning_line(messages::EXPORT_WARNING));
        output::line(otentik::backup::uris::write(&accounts).trim_end());
        return Ok(ExitCode::SUCCESS);
    }
    let Some(path) = &args.output else {
        return Err(Failure::bad_input("give the backup file with -o FILE"));
    };
    let entries = vault.backup_entries()?;
    let password = if args.plain {
        eprintln!("{}", messages::warning_line(messages::PLAIN_BACKUP_WARNING));
        None
    } else {
        Some(password::new(args.password_file.as_deref())?)
    };
    otentik::backup::save_verified(path, &entries, password.as_deref().map(String::as_str))?;
    output::line(&messages::backup_written(path, entries.len()));
    Ok(ExitCode::SUCCESS)
}
