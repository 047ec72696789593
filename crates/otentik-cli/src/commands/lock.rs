//! `otentik lock on|off|passwd|status`: the app lock, whose password encrypts the vault key.

use std::io::IsTerminal as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use otentik::Zeroizing;
use otentik::vault::{KdfParams, LockState, Vault, lock};
use serde::Serialize;

use super::password;
use crate::args::{LockCommand, LockNewArgs, LockOldArgs, LockPasswdArgs, LockStatusArgs};
use crate::failure::Failure;
use crate::{Outcome, messages, now, output};

/// How long the key derivation should take on this machine.
const KDF_TARGET: Duration = Duration::from_millis(500);

/// Runs the command.
pub fn run(command: &LockCommand) -> Outcome {
    match command {
        LockCommand::On(args) => on(args),
        LockCommand::Off(args) => off(args),
        LockCommand::Passwd(args) => passwd(args),
        LockCommand::Status(args) => status(args),
    }
}

fn on(args: &LockNewArgs) -> Outcome {
    let mut vault = Vault::open_default()?;
    if vault.lock_state() != LockState::Off {
        return Err(otentik::Error::LockAlreadyOn.into());
    }
    eprintln!("{}", messages::warning_line(messages::LOCK_FORGET_WARNING));
    let password = new_password(args.password_file.as_deref())?;
    vault.enable_lock(&password, KdfParams::calibrate(KDF_TARGET))?;
    output::line(messages::LOCK_ON);
    Ok(ExitCode::SUCCESS)
}

fn off(args: &LockOldArgs) -> Outcome {
    let mut vault = Vault::open_default()?;
    if vault.lock_state() == LockState::Off {
        return Err(otentik::Error::LockOff.into());
    }
    let password = old_password(args.password_file.as_deref())?;
    vault.disable_lock(&password, now())?;
    output::line(messages::LOCK_OFF);
    Ok(ExitCode::SUCCESS)
}

fn passwd(args: &LockPasswdArgs) -> Outcome {
    let mut vault = Vault::open_default()?;
    if vault.lock_state() == LockState::Off {
        return Err(otentik::Error::LockOff.into());
    }
    let old = old_password(args.password_file.as_deref())?;
    let new = new_password(args.new_password_file.as_deref())?;
    vault.change_password(&old, &new, KdfParams::calibrate(KDF_TARGET), now())?;
    output::line(messages::LOCK_PASSWORD_CHANGED);
    Ok(ExitCode::SUCCESS)
}

/// `lock status --json` (a contract: keep the field names).
#[derive(Serialize)]
struct StatusJson {
    lock: &'static str,
    wait_seconds: u64,
    kdf: Option<KdfParams>,
}

fn status(args: &LockStatusArgs) -> Outcome {
    let vault = Vault::open_default()?;
    let on = vault.lock_state() != LockState::Off;
    let json = StatusJson {
        lock: if on { "on" } else { "off" },
        wait_seconds: vault.unlock_wait(now()),
        kdf: vault.lock_params()?,
    };
    if args.json {
        output::json(&json);
    } else {
        output::line(&messages::lock_status(on, json.kdf, json.wait_seconds));
    }
    Ok(ExitCode::SUCCESS)
}

/// The current password: a file's first line, or typed; status 5 without either.
fn old_password(file: Option<&Path>) -> Result<Zeroizing<String>, Failure> {
    super::unlock::vault_password(file, "--password-file")
}

/// A new password: a file's first line, or typed twice; at least 8 characters, with a hint
/// of its strength.
fn new_password(file: Option<&Path>) -> Result<Zeroizing<String>, Failure> {
    let password = match file {
        Some(file) => password::from_file(file)?,
        None if std::io::stdin().is_terminal() => {
            let first = password::prompt(messages::LOCK_NEW_PROMPT)?;
            lock::check_password(&first)?;
            let again = password::prompt(messages::LOCK_AGAIN_PROMPT)?;
            if first != again {
                return Err(Failure::bad_input(messages::LOCK_PASSWORDS_DIFFER));
            }
            first
        }
        None => return Err(Failure::bad_input(messages::LOCK_NEEDS_PASSWORD)),
    };
    lock::check_password(&password)?;
    eprintln!("{}", messages::strength(lock::strength(&password)));
    Ok(password)
}
