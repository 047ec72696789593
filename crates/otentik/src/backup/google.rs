//! Google Authenticator export QR codes (`otpauth-migration://`): see `docs/backup.md`
//! ("Google Authenticator export QR codes"). Read from images (screenshots of the phone) and
//! written as QR payloads, batched like Google's, for moving accounts to a phone.

use std::collections::BTreeMap;

use super::{Entry, Format, Import, Skipped, uri};
use crate::account::Account;
use crate::error::{Error, Result};
use crate::otpauth;

/// At most this many accounts per QR code, so that each stays easy to scan from a screen.
pub const ACCOUNTS_PER_QR: usize = 10;

/// The payloads of a move to a phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// One `otpauth-migration://` URI per QR code, in order (they contain the secrets).
    pub payloads: Vec<String>,
    /// The accounts Google Authenticator cannot hold, each with the reason.
    pub left_out: Vec<Skipped>,
}

/// Reads one image of an export QR code.
pub(crate) fn read(bytes: &[u8]) -> Result<Import> {
    read_images(&[bytes])
}

/// Reads the images of one export (any order; one image may show several QR codes is not
/// supported: each image holds one, as the phone shows them). Missing batches are a note,
/// not an error: the accounts that are there are imported. No usable account at all is
/// [`Error::BackupNoAccounts`].
///
/// A text file of `otpauth-migration://` lines (the export's payloads copied out of its QR
/// codes, as other apps and scripts save them) is read too.
pub fn read_images(images: &[&[u8]]) -> Result<Import> {
    let mut texts = Vec::with_capacity(images.len());
    for (index, bytes) in images.iter().enumerate() {
        match migration_lines(bytes) {
            Some(lines) => texts.extend(lines),
            None => texts.push(qr_text(bytes, index + 1)?),
        }
    }
    read_texts(&texts)?.non_empty()
}

/// The `otpauth-migration://` lines of a text file, if it is one that holds some.
fn migration_lines(bytes: &[u8]) -> Option<Vec<String>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| line.to_ascii_lowercase().starts_with("otpauth-migration:"))
        .map(str::to_owned)
        .collect();
    (!lines.is_empty()).then_some(lines)
}

/// Reads the `otpauth-migration://` texts of an export's QR codes.
pub fn read_texts(texts: &[String]) -> Result<Import> {
    let mut import = Import::new(Format::Google, false);
    // batch id → (batch size, batch indexes seen)
    let mut batches: BTreeMap<i32, (i32, Vec<i32>)> = BTreeMap::new();
    for (index, text) in texts.iter().enumerate() {
        let number = index + 1;
        let export =
            crate::migration::parse(text.trim()).map_err(|error| Error::BackupMalformed {
                format: Format::Google.app_name(),
                detail: format!("QR code {number}: {error}"),
            })?;
        let seen = batches
            .entry(export.batch_id)
            .or_insert((export.batch_size, Vec::new()));
        seen.1.push(export.batch_index);
        import.entries.extend(
            export
                .accounts
                .into_iter()
                .map(|parsed| Entry::new(parsed.account)),
        );
        for warning in &export.skipped {
            if let otpauth::Warning::ExportAccountSkipped { label, reason, .. } = warning {
                import.skipped.push(Skipped::new(
                    format!("{label} (QR code {number})"),
                    reason.clone(),
                ));
            }
        }
    }
    for (size, seen) in batches.values() {
        let missing: Vec<String> = (0..*size)
            .filter(|index| !seen.contains(index))
            .map(|index| (index + 1).to_string())
            .collect();
        if !missing.is_empty() {
            import.notes.push(format!(
                "QR code {} of {size} of the export is missing: scan it too, or its accounts stay on the phone",
                missing.join(", ")
            ));
        }
    }
    Ok(import)
}

/// The export payloads for `accounts`, [`ACCOUNTS_PER_QR`] per QR code, all with one
/// `batch_id`. Accounts Google cannot hold are listed in [`Written::left_out`].
pub fn write(accounts: &[Account], batch_id: i32) -> Written {
    let mut fit = Vec::new();
    let mut left_out = Vec::new();
    for account in accounts {
        if otpauth::google_can_hold(account) {
            fit.push(account.clone());
        } else {
            left_out.push(Skipped::new(
                uri::label(&account.issuer, &account.name),
                why_not(account),
            ));
        }
    }
    let chunks: Vec<&[Account]> = fit.chunks(ACCOUNTS_PER_QR).collect();
    let size = i32::try_from(chunks.len()).unwrap_or(i32::MAX);
    let payloads = chunks
        .iter()
        .enumerate()
        .map(|(index, chunk)| {
            otpauth::format_migration_batch(
                chunk,
                i32::try_from(index).unwrap_or(i32::MAX),
                size,
                batch_id,
            )
        })
        .collect();
    Written { payloads, left_out }
}

fn why_not(account: &Account) -> String {
    match account.kind {
        crate::OtpKind::Steam => "Google Authenticator cannot hold Steam Guard accounts".to_owned(),
        _ if !matches!(account.digits, 6 | 8) => format!(
            "Google Authenticator cannot hold {}-digit codes",
            account.digits
        ),
        _ => format!(
            "Google Authenticator cannot hold {}-second codes",
            account.period
        ),
    }
}

#[cfg(feature = "scan")]
fn qr_text(bytes: &[u8], number: usize) -> Result<String> {
    use crate::scan::{Frame, ScanOptions, image_file, scan};
    let grey = image_file::decode(bytes, &format!("number {number}"))?;
    let what = format!("in image {number}");
    let options = ScanOptions {
        budget: std::time::Duration::from_secs(5),
        ..ScanOptions::default()
    };
    let outcome = scan(Frame::grey(&grey), &options);
    let found = outcome.authenticator().ok_or_else(|| {
        if outcome.found.is_empty() {
            Error::QrNotFound { what: what.clone() }
        } else {
            Error::NotAuthenticatorQr { what: what.clone() }
        }
    })?;
    if !found
        .text
        .to_ascii_lowercase()
        .starts_with("otpauth-migration:")
    {
        return Err(Error::BackupMalformed {
            format: Format::Google.app_name(),
            detail: format!(
                "the QR code {what} is a single account, not an export: add it with 'otentik add'"
            ),
        });
    }
    Ok(found.text.clone())
}

#[cfg(not(feature = "scan"))]
fn qr_text(_bytes: &[u8], _number: usize) -> Result<String> {
    Err(Error::BackupUnsupported {
        format: Format::Google.app_name(),
        what: "reading QR images (this build has no scanner)".to_owned(),
    })
}
