//! Opening the vault for a command that needs secrets: with the app lock on, the password
//! comes from `--password-file`, or is typed on a terminal; without either the command exits
//! with status 5 and says how to unlock.

use std::io::IsTerminal as _;
use std::path::Path;

use otentik::Zeroizing;
use otentik::vault::Vault;

use super::password;
use crate::failure::{Failure, LOCKED};
use crate::messages;

/// The vault, unlocked when the lock is on. `option` names the flag that gives the password
/// (`--password-file`, or `--vault-password-file` where the first names a backup's).
pub fn open(file: Option<&Path>, option: &str) -> Result<Vault, Failure> {
    let mut vault = Vault::open_default()?;
    if !vault.is_locked() {
        return Ok(vault);
    }
    let wait = vault.unlock_wait(crate::now());
    if wait > 0 {
        return Err(otentik::Error::LockWait { seconds: wait }.into());
    }
    vault.unlock(&vault_password(file, option)?, crate::now())?;
    Ok(vault)
}

/// The vault's password: the first line of `file`, or typed on a terminal; without either,
/// exit status 5 and a line naming `option`.
pub fn vault_password(file: Option<&Path>, option: &str) -> Result<Zeroizing<String>, Failure> {
    match file {
        Some(file) => password::from_file(file),
        None if std::io::stdin().is_terminal() => password::prompt(messages::VAULT_PASSWORD_PROMPT),
        None => Err(Failure {
            status: LOCKED,
            message: messages::vault_locked(option),
        }),
    }
}
