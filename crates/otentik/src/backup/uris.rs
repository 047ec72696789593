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
    // A Steam secret alone, as Bitwarden, Proton and others write Steam accounts.
    if let Some(secret) = uri::strip_scheme(line, "steam://") {
        match uri::secret_base32(secret) {
            Ok(secret) => import
                .entries
                .push(Entry::new(Account::steam("Steam", "Steam", secret))),
            Err(reason) => import
                .skipped
                .push(Skipped::new(format!("line {number}"), reason)),
        }
        return;
    }
    let lower = line.to_ascii_lowercase();
    if !lower.starts_with("otpauth://") && !lower.starts_with("motp://") {
        import.skipped.push(Skipped::new(
            format!("line {number}"),
            "not an otpauth:// or steam:// URI",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OtpKind;

    #[test]
    fn a_bare_steam_secret_is_a_steam_account_and_junk_is_skipped_by_line() {
        let text = "steam://JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n\nhello\nsteam://NOT-BASE32!\n";
        let import = read(text.as_bytes()).unwrap();
        assert_eq!(import.entries.len(), 1);
        let account = &import.entries[0].account;
        assert_eq!(account.kind, OtpKind::Steam);
        assert_eq!((account.issuer.as_str(), account.digits), ("Steam", 5));
        // Named, so that Otentik's own URI export of it reads back.
        let again = otpauth::parse(&otpauth::format(account)).unwrap().account;
        assert_eq!((again.kind, again.name.as_str()), (OtpKind::Steam, "Steam"));
        let skipped: Vec<(&str, &str)> = import
            .skipped
            .iter()
            .map(|s| (s.name.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(skipped[0], ("line 3", "not an otpauth:// or steam:// URI"));
        assert_eq!(skipped[1].0, "line 4");
        assert!(skipped[1].1.contains("base32"), "{skipped:?}");
    }

    #[test]
    fn a_secret_with_a_letter_past_its_last_byte_reads_as_the_app_read_it() {
        // 17 letters (Bitwarden's and Ente's own test exports): the 16 that make whole bytes.
        let text = "otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXPJ&issuer=A\n\
                    otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP&issuer=A\n";
        let import = read(text.as_bytes()).unwrap();
        assert!(import.skipped.is_empty(), "{:?}", import.skipped);
        let [held, whole] = [&import.entries[0], &import.entries[1]];
        assert_eq!(held.account.secret.expose(), whole.account.secret.expose());
        assert_eq!(held.account.secret.expose().len(), 10);

        // An HOTP URI without a counter (Ente's) starts at 0; one with a counter keeps it.
        let text = "otpauth://hotp/A:a?secret=JBSWY3DPEHPK3PXP&issuer=A\n\
                    otpauth://hotp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=A&counter=7\n";
        let import = read(text.as_bytes()).unwrap();
        assert!(import.skipped.is_empty(), "{:?}", import.skipped);
        let counters: Vec<u64> = import.entries.iter().map(|e| e.account.counter).collect();
        assert_eq!(counters, [0, 7]);
    }
}
