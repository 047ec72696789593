//! Every sentence the command line prints, in one place, so that a translation can follow.
//!
//! English for now. Core errors arrive as `otentik::Error`, whose `code()` is stable: a
//! translation maps codes (and fields) to its own sentences here.

use otentik::vault::StoredAccount;

/// The line printed on stderr for a failure.
pub fn error_line(message: &str) -> String {
    format!("error: {message}")
}

/// A warning printed on stderr.
pub fn warning_line(message: &str) -> String {
    format!("warning: {message}")
}

/// A core error, as the user reads it, with the CLI's way out where there is one.
pub fn core_error(error: &otentik::Error) -> String {
    match error {
        otentik::Error::Duplicate { .. } => format!("{error}: add --force to keep a second copy"),
        _ => error.to_string(),
    }
}

/// A command line that could not be parsed.
pub fn usage_error(detail: &str) -> String {
    format!("{detail} (see 'otentik --help')")
}

/// One line describing an account (no secret).
pub fn account_line(account: &StoredAccount) -> String {
    let kind = match account.kind {
        otentik::OtpKind::Totp => format!("TOTP, {} digits, {} s", account.digits, account.period),
        otentik::OtpKind::Hotp => format!("HOTP, {} digits, counter {}", account.digits, account.counter),
    };
    format!("{} ({kind})", otentik::vault::label(account))
}

/// After `add`.
pub fn added(account: &StoredAccount) -> String {
    format!("Added: {}", account_line(account))
}

/// After `remove`.
pub fn removed(account: &StoredAccount) -> String {
    format!("Removed: {}", otentik::vault::label(account))
}

/// After `rename`.
pub fn renamed(account: &StoredAccount) -> String {
    format!("Renamed: {}", otentik::vault::label(account))
}

/// After `move`.
pub fn moved(account: &StoredAccount, position: u32) -> String {
    format!("Moved: {} is now at position {position}", otentik::vault::label(account))
}

/// `list` with no account.
pub const NO_ACCOUNTS: &str = "No accounts yet. Add one with: otentik add '<otpauth:// URI>'";

/// The question `remove` asks on a terminal.
pub fn confirm_remove(account: &StoredAccount) -> String {
    format!(
        "Remove '{}'? Without it you cannot sign in to that site unless it has another way. [y/N] ",
        otentik::vault::label(account)
    )
}

/// `remove` answered with anything but yes.
pub const REMOVE_CANCELLED: &str = "Not removed.";

/// `remove` without a terminal to ask on and without `--yes`.
pub const REMOVE_NEEDS_YES: &str =
    "cannot ask for confirmation without a terminal: add --yes to remove the account";

/// `export --uris` prints secrets.
pub const EXPORT_WARNING: &str =
    "the output contains the secrets of your accounts: anyone who sees it can generate your codes";

/// `code` without a URI and with an empty vault.
pub const CODE_NO_ACCOUNTS: &str = "no accounts yet: add one with 'otentik add <URI>', or use 'otentik code --uri <URI>'";
