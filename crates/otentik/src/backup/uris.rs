//! A text file of `otpauth://` and `otpauth-migration://` lines: see `docs/backup.md`
//! ("URI lists"). Read (also Ente's plain export, Aegis's and FreeOTP+'s URI exports) and
//! written (`otentik export --uris`).

use super::{Entry, Format, Import, Skipped, text, uri};
use crate::account::Account;
use crate::error::Result;
use crate::otpauth::{self, MIGRATION_SCHEME};

/// Reads a URI list: one account per `otpauth://` line, every account of an
/// `otpauth-migration://` line; other lines are skipped with their line number.
pub(crate) fn read(bytes: &[u8]) -> Result<Import> {
    let mut import = Import::new(Format::Uris, false);
    read_lines(text(bytes, Format::Uris)?, &mut import);
    Ok(import)
}

/// Adds the accounts of `text`'s lines to `import` (shared with the Google reader).
pub(crate) fn read_lines(text: &str, import: &mut Import) {
    for (index, line) in text.lines().enumerate() {
        read_line(line, index + 1, import);
    }
}

/// Adds the accounts of one line, line `number` of its file, to `import` (shared with the
/// Ente reader, which looks at each line first).
pub(crate) fn read_line(line: &str, number: usize, import: &mut Import) {
    let line = line.trim();
    if line.is_empty() {
        return;
    }
    let is_migration = line
        .get(..MIGRATION_SCHEME.len() + 1)
        .is_some_and(|start| start.eq_ignore_ascii_case(&format!("{MIGRATION_SCHEME}:")));
    if is_migration {
        read_migration(line, number, import);
        return;
    }
    let lower = line.to_ascii_lowercase();
    if !lower.starts_with("otpauth://") && !lower.starts_with("motp://") {
        import.skipped.push(Skipped::new(
            format!("line {number}"),
            "not an otpauth:// URI",
        ));
        return;
    }
    match uri::account(line) {
        Ok(account) => import.entries.push(Entry::new(account)),
        Err(reason) => import
            .skipped
            .push(Skipped::new(format!("line {number}"), reason)),
    }
}

fn read_migration(line: &str, number: usize, import: &mut Import) {
    match crate::migration::parse(line) {
        Ok(export) => {
            import.entries.extend(
                export
                    .accounts
                    .into_iter()
                    .map(|parsed| Entry::new(parsed.account)),
            );
            for warning in export.skipped {
                import
                    .skipped
                    .push(skipped_export_account(&warning, number));
            }
        }
        Err(error) => import
            .skipped
            .push(Skipped::new(format!("line {number}"), error.to_string())),
    }
}

/// A skipped account of a migration payload, named by its label and `line`.
pub(crate) fn skipped_export_account(warning: &otpauth::Warning, line: usize) -> Skipped {
    match warning {
        otpauth::Warning::ExportAccountSkipped { label, reason, .. } => {
            Skipped::new(format!("{label} (line {line})"), reason.clone())
        }
        other => Skipped::new(format!("line {line}"), other.to_string()),
    }
}

/// One `otpauth://` URI per line, `\n` line ends (contains the secrets). Push invitations
/// are left out: their tokens are single-use and already spent.
pub fn write(accounts: &[Account]) -> String {
    let mut text = String::new();
    for account in accounts {
        let account = Account {
            push: None,
            ..account.clone()
        };
        text.push_str(&otpauth::format(&account));
        text.push('\n');
    }
    text
}
