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
        otentik::OtpKind::Hotp => format!(
            "HOTP, {} digits, counter {}",
            account.digits, account.counter
        ),
        otentik::OtpKind::Steam => format!("Steam Guard, 5 characters, {} s", account.period),
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
    format!(
        "Moved: {} is now at position {position}",
        otentik::vault::label(account)
    )
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

/// `export --plain`.
pub const PLAIN_BACKUP_WARNING: &str = "the backup is not encrypted: anyone who reads the file can generate your codes; keep it somewhere only you can open";

/// After an import from another app.
pub const IMPORT_LOST: &str = "note: icons, groups, notes and favourites are not imported";

/// After `import`.
pub fn imported(format: &str, added: usize, duplicates: usize, skipped: usize) -> String {
    format!(
        "Imported from {format}: {added} added, {duplicates} already in Otentik, {skipped} skipped"
    )
}

/// After `import --dry-run`.
pub fn would_import(format: &str, new: usize, duplicates: usize, skipped: usize) -> String {
    format!(
        "Would import from {format}: {new} to add, {duplicates} already in Otentik, {skipped} skipped (nothing was added)"
    )
}

/// After `export --format aegis`.
pub fn backup_written(path: &std::path::Path, count: usize) -> String {
    let accounts = if count == 1 { "account" } else { "accounts" };
    format!(
        "Backup written and verified: {} ({count} {accounts}); it opens in Otentik and Aegis",
        path.display()
    )
}

/// `code` without a URI and with an empty vault.
pub const CODE_NO_ACCOUNTS: &str =
    "no accounts yet: add one with 'otentik add <URI>', or use 'otentik code --uri <URI>'";

/// After a push enrolment.
pub fn push_active(account: &StoredAccount) -> String {
    format!(
        "Push: active for {} (login requests will arrive here)",
        otentik::vault::label(account)
    )
}

/// A push enrolment that did not happen now.
pub fn push_not_active(error: &otentik::Error) -> String {
    format!(
        "push approvals are not active yet: {error} (TOTP codes work; enrolment is retried by 'otentik status')"
    )
}

/// A pending enrolment that succeeded on a retry.
pub fn push_enrolled_later(account: &StoredAccount) -> String {
    format!("Push: now active for {}", otentik::vault::label(account))
}

/// `pending` with nothing pending.
pub const NO_REQUESTS: &str = "No login requests are waiting.";

/// A pending request, as a block of lines.
pub fn request_block(r: &otentik::push::RequestView) -> String {
    let mut text = format!(
        "Login request {id}\n  Account: {account} ({site_account} at {site})\n  From:    {ip}, {browser}\n  Time:    {time} (Unix), {left} s left",
        id = r.id,
        account = r.account,
        site_account = r.site_account,
        site = r.site,
        ip = r.ip,
        browser = r.browser,
        time = r.time,
        left = r.seconds_left
    );
    if let Some(numbers) = &r.numbers {
        let list: Vec<String> = numbers.iter().map(u8::to_string).collect();
        text.push_str(&format!(
            "\n  Number:  pick the one the site shows: {}",
            list.join(" ")
        ));
    } else if r.number_entry {
        text.push_str("\n  Number:  type the number the site shows (approve ID --number N)");
    }
    text
}

/// `watch`'s question (the SPSE guide's words).
pub const ASK_DECISION: &str = "Ya/Tidak/Bukan saya? [y/t/b]";

/// `watch`'s number question: the choices, or none when the number is typed.
pub fn ask_number(numbers: Option<&[u8]>) -> String {
    match numbers {
        Some(numbers) => {
            let list: Vec<String> = numbers.iter().map(u8::to_string).collect();
            format!("Number shown on the site ({})?", list.join("/"))
        }
        None => "Number shown on the site (two digits)?".to_owned(),
    }
}

/// After an answer.
pub fn answered(
    request: &otentik::push::PendingRequest,
    decision: otentik::push::Decision,
    response: &otentik::push::AnswerResponse,
) -> String {
    let site = &request.challenge.site;
    match decision {
        _ if response.wrong_number => {
            format!("Refused: the number did not match; the login at {site} was denied")
        }
        otentik::push::Decision::Approve => format!("Approved: the login at {site} goes ahead"),
        otentik::push::Decision::Deny => format!("Refused: the login at {site} was denied"),
        otentik::push::Decision::NotMe => {
            format!("Reported: the login at {site} was denied and reported as not you")
        }
    }
}

/// `watch` with no push account.
pub const WATCH_NOTHING: &str =
    "No account receives login requests: add one from a site's push QR code.";

/// `watch` started.
pub const WATCH_STARTED: &str = "Waiting for login requests (Ctrl-C to stop)…";

/// The revoked state, in the guide's words.
pub const REVOKED: &str = "TOTP dinonaktifkan atau direset di server (disabled or reset on the site): remove the account, or activate TOTP again";

/// An account revoked while watching.
pub fn revoked_line(label: &str) -> String {
    format!("{label}: {REVOKED}")
}

/// The server stopped answering.
pub fn server_down(server: &str, detail: &str) -> String {
    format!("server tidak dapat dihubungi (cannot reach {server}): {detail}")
}

/// The server answers again.
pub fn server_back(server: &str) -> String {
    format!("The push server {server} answers again.")
}

/// One line of `status`.
pub fn status_line(account: &str, push: &str, detail: Option<&str>) -> String {
    match detail {
        Some(detail) => format!("{account}: push {push} — {detail}"),
        None => format!("{account}: push {push}"),
    }
}

/// The device clock is off.
pub fn clock_off(who: &str, offset: i64) -> String {
    let direction = if offset > 0 { "behind" } else { "ahead of" };
    format!(
        "{who}: this computer's clock is {} s {direction} the server's; codes use the server's time — set the clock right",
        offset.unsigned_abs()
    )
}

/// `remove` of an account whose site still has TOTP on.
pub fn still_enabled(account: &StoredAccount) -> String {
    format!(
        "the site still has TOTP on for '{}': without this account you cannot log in there; disable TOTP on the site first",
        otentik::vault::label(account)
    )
}

/// `scan`: an image in which no QR code could be read.
pub fn scan_nothing_found(file: &std::path::Path) -> String {
    format!(
        "no QR code found in '{}': crop the image around the code, or take a sharper, larger picture of it",
        file.display()
    )
}

/// `add --camera` while scanning.
pub const CAMERA_HOLD: &str = "Hold the QR code in front of the camera (Ctrl-C to stop)…";

/// `add --camera` in a build without the camera feature.
#[cfg_attr(feature = "camera", allow(dead_code))]
pub const CAMERA_NOT_BUILT: &str =
    "this build of otentik has no camera support: use --image, --screen or --clipboard";

// --- the app lock ------------------------------------------------------------------------------

/// The prompt for the vault's password.
pub const VAULT_PASSWORD_PROMPT: &str = "Password of the Otentik vault: ";
/// The prompt for a new lock password.
pub const LOCK_NEW_PROMPT: &str = "New password for the Otentik vault: ";
/// The prompt to repeat it.
pub const LOCK_AGAIN_PROMPT: &str = "The same password again: ";
/// Two different passwords typed.
pub const LOCK_PASSWORDS_DIFFER: &str = "the two passwords differ: nothing was changed";
/// No new password given off a terminal.
pub const LOCK_NEEDS_PASSWORD: &str =
    "give the new password with --password-file FILE, or run on a terminal to type it";
/// Said before the lock is turned on.
pub const LOCK_FORGET_WARNING: &str = "a forgotten password cannot be recovered: without it every account is lost. Keep an encrypted backup (otentik export --format aegis -o FILE) somewhere safe";
/// After `lock on`.
pub const LOCK_ON: &str = "The lock is on: codes and login approvals now need the password.";
/// After `lock off`.
pub const LOCK_OFF: &str = "The lock is off: the vault key is back in the OS keyring.";
/// After `lock passwd`.
pub const LOCK_PASSWORD_CHANGED: &str = "The password was changed.";

/// A command that needs secrets found the vault locked and no way to ask for the password.
pub fn vault_locked(option: &str) -> String {
    format!(
        "the vault is locked: give its password with {option} FILE, or run the command on a terminal to type it"
    )
}

/// The strength hint of a new password.
pub fn strength(strength: otentik::vault::Strength) -> String {
    use otentik::vault::Strength;
    let word = match strength {
        Strength::TooShort => "too short",
        Strength::Weak => "weak: a longer password, or several words, is much harder to guess",
        Strength::Fair => "fair: a few more characters or words make it strong",
        Strength::Strong => "strong",
    };
    format!("Password strength: {word}")
}

/// `lock status`.
pub fn lock_status(on: bool, kdf: Option<otentik::vault::KdfParams>, wait: u64) -> String {
    let mut line = match (on, kdf) {
        (true, Some(kdf)) => format!(
            "Lock: on (Argon2id, {} MiB, {} passes)",
            kdf.memory_kib / 1024,
            kdf.iterations
        ),
        (true, None) => "Lock: on".to_owned(),
        (false, _) => "Lock: off".to_owned(),
    };
    if wait > 0 {
        line.push_str(&format!(
            "; after wrong passwords, the next try in {}",
            otentik::error::duration(wait)
        ));
    }
    line
}

/// `status` on a locked vault.
pub const STATUS_LOCKED: &str =
    "as last recorded: the vault is locked, so the server was not asked";
