//! Backup passwords: from a file (`--password-file`), or typed at the terminal without echo.

use std::io::IsTerminal as _;
use std::path::Path;

use otentik::Zeroizing;

use crate::failure::Failure;

/// The shortest backup password accepted for a new backup.
pub const MIN_LENGTH: usize = 8;

/// The password of an existing file: the first line of `file`, or typed at the terminal.
pub fn existing(file: Option<&Path>, what: &str) -> Result<Zeroizing<String>, Failure> {
    match file {
        Some(file) => from_file(file),
        None if std::io::stdin().is_terminal() => prompt(&format!("Password of {what}: ")),
        None => Err(Failure::bad_input(format!(
            "{what} is encrypted: give its password with --password-file FILE"
        ))),
    }
}

/// A new backup password: the first line of `file`, or typed twice at the terminal; at least
/// [`MIN_LENGTH`] characters.
pub fn new(file: Option<&Path>) -> Result<Zeroizing<String>, Failure> {
    let password = match file {
        Some(file) => from_file(file)?,
        None if std::io::stdin().is_terminal() => {
            let first = prompt("New backup password: ")?;
            let again = prompt("The same password again: ")?;
            if first != again {
                return Err(Failure::bad_input(
                    "the two passwords differ: nothing was written",
                ));
            }
            first
        }
        None => {
            return Err(Failure::bad_input(
                "give the backup password with --password-file FILE (or run on a terminal to type it), or --plain for an unencrypted backup",
            ));
        }
    };
    if password.chars().count() < MIN_LENGTH {
        return Err(Failure::bad_input(format!(
            "the backup password is too short: use at least {MIN_LENGTH} characters"
        )));
    }
    Ok(password)
}

pub fn from_file(file: &Path) -> Result<Zeroizing<String>, Failure> {
    let text = Zeroizing::new(std::fs::read_to_string(file).map_err(|e| {
        Failure::bad_input(format!(
            "cannot read the password file {}: {e}",
            file.display()
        ))
    })?);
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err(Failure::bad_input(format!(
            "the password file {} is empty: its first line is the password",
            file.display()
        )));
    }
    Ok(Zeroizing::new(line.to_owned()))
}

pub fn prompt(text: &str) -> Result<Zeroizing<String>, Failure> {
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .map_err(|e| Failure::bad_input(format!("cannot read the password: {e}")))
}
