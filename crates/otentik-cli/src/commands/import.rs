//! `otentik import FILE… [--from FORMAT] [--password-file F] [--dry-run] [--json]`: accounts
//! from another authenticator's export or an Otentik backup, all of them or none.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use otentik::backup::{self, Format, Import};
use otentik::{Error, OtpKind, Zeroizing};
use serde::Serialize;

use super::password;
use crate::args::ImportArgs;
use crate::failure::Failure;
use crate::{Outcome, messages, now, output};

/// Runs the command: every file is read (and decrypted) before the vault is touched.
pub fn run(args: &ImportArgs) -> Outcome {
    let files: Vec<(PathBuf, Vec<u8>)> = args
        .files
        .iter()
        .map(|path| read_file(path).map(|bytes| (path.clone(), bytes)))
        .collect::<Result<_, _>>()?;
    let format = match &args.from {
        Some(name) => name.parse::<Format>().map_err(|()| {
            Failure::bad_input(format!(
                "unknown format '{name}': expected {}",
                Format::ALL.map(Format::as_str).join(", ")
            ))
        })?,
        None => files
            .first()
            .and_then(|(_, bytes)| backup::detect(bytes))
            .ok_or(Error::BackupUnknownFormat)?,
    };
    let import = read_all(&files, format, args.password_file.as_deref())?;
    let mut vault =
        super::unlock::open(args.vault_password_file.as_deref(), "--vault-password-file")?;
    if args.dry_run {
        let duplicates = vault
            .import_duplicates(&import.entries)?
            .into_iter()
            .filter(|duplicate| *duplicate)
            .count();
        report(&import, None, duplicates, args.json);
    } else {
        let imported = vault.import(&import.entries, now())?;
        report(
            &import,
            Some(imported.added.len()),
            imported.duplicates,
            args.json,
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path)
        .map_err(|e| Failure::bad_input(format!("cannot read {}: {e}", path.display())))
}

/// Reads every file as `format`; Google screenshots are read together (one export in several
/// QR codes). The password is asked once, for the first encrypted file.
fn read_all(
    files: &[(PathBuf, Vec<u8>)],
    format: Format,
    password_file: Option<&Path>,
) -> Result<Import, Failure> {
    if format == Format::Google {
        let images: Vec<&[u8]> = files.iter().map(|(_, bytes)| bytes.as_slice()).collect();
        return Ok(backup::google::read_images(&images)?);
    }
    let mut password: Option<Zeroizing<String>> = None;
    let mut all: Option<Import> = None;
    for (path, bytes) in files {
        if backup::is_encrypted(bytes, format) && password.is_none() {
            let what = format!("the {} file {}", format.app_name(), path.display());
            password = Some(password::existing(password_file, &what)?);
        }
        let import = backup::read(bytes, format, password.as_deref().map(String::as_str))
            .map_err(|error| in_file(path, files.len(), error))?;
        match &mut all {
            None => all = Some(import),
            Some(all) => all.absorb(import),
        }
    }
    all.ok_or_else(|| Failure::bad_input("no file given"))
}

/// With several files, the failing one is named.
fn in_file(path: &Path, count: usize, error: Error) -> Failure {
    let mut failure = Failure::from(error);
    if count > 1 {
        failure.message = format!("{}: {}", path.display(), failure.message);
    }
    failure
}

#[derive(Serialize)]
struct EntryJson<'a> {
    issuer: &'a str,
    label: &'a str,
    #[serde(rename = "type")]
    kind: OtpKind,
    algorithm: &'static str,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
}

#[derive(Serialize)]
struct ReportJson<'a> {
    format: Format,
    #[serde(skip_serializing_if = "Option::is_none")]
    entries: Option<Vec<EntryJson<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    added: Option<usize>,
    skipped: &'a [backup::Skipped],
    duplicates: usize,
    notes: &'a [String],
}

/// `added` is `None` for a dry run.
fn report(import: &Import, added: Option<usize>, duplicates: usize, json: bool) {
    if json {
        let entries = added.is_none().then(|| {
            import
                .entries
                .iter()
                .map(|entry| {
                    let account = &entry.account;
                    let hotp = account.kind == OtpKind::Hotp;
                    EntryJson {
                        issuer: &account.issuer,
                        label: &account.name,
                        kind: account.kind,
                        algorithm: account.algorithm.as_str(),
                        digits: account.digits,
                        period: (!hotp).then_some(account.period),
                        counter: hotp.then_some(account.counter),
                    }
                })
                .collect()
        });
        output::json(&ReportJson {
            format: import.format,
            entries,
            added,
            skipped: &import.skipped,
            duplicates,
            notes: &import.notes,
        });
        return;
    }
    let name = import.format.app_name();
    let skipped = import.skipped.len();
    match added {
        Some(added) => output::line(&messages::imported(name, added, duplicates, skipped)),
        None => {
            output::line(&messages::would_import(
                name,
                import.entries.len() - duplicates.min(import.entries.len()),
                duplicates,
                skipped,
            ));
            for entry in &import.entries {
                output::line(&format!("  {}", entry.account.label()));
            }
        }
    }
    for skipped in &import.skipped {
        output::line(&format!("  skipped: {} ({})", skipped.name, skipped.reason));
    }
    for note in &import.notes {
        eprintln!("{}", messages::warning_line(note));
    }
    if !matches!(import.format, Format::Aegis | Format::Uris | Format::Google) {
        eprintln!("{}", messages::IMPORT_LOST);
    }
}
