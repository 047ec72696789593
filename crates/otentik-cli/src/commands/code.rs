//! `otentik code [<query>] [--uri <URI>] [--at T] [--json]`: current codes, of the vault's
//! accounts or of a URI.

use std::process::ExitCode;

use otentik::vault::StoredAccount;
use serde::Serialize;

use crate::args::CodeArgs;
use crate::commands::inspect::is_migration;
use crate::failure::Failure;
use crate::{Outcome, messages, output};

/// The JSON shape of one code (a contract: keep the field names).
#[derive(Debug, Serialize)]
struct CodeJson {
    /// Account fields, for codes from the vault.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    account: Option<AccountJson>,
    code: String,
    /// Seconds until the code changes; null for HOTP.
    remaining: Option<u32>,
}

#[derive(Debug, Serialize)]
struct AccountJson {
    id: String,
    issuer: String,
    account: String,
}

/// Runs the command.
pub fn run(args: &CodeArgs) -> Outcome {
    let at = args.at.unwrap_or_else(crate::now);
    match &args.uri {
        Some(uri) => from_uri(uri, at, args.json),
        None => from_vault(args, args.at, args.json),
    }
}

fn from_uri(uri: &str, at: u64, json: bool) -> Outcome {
    let parsed = otentik::otpauth::parse_any(uri)?;
    let codes: Vec<CodeJson> = parsed
        .iter()
        .map(|p| CodeJson {
            account: None,
            code: otentik::otp::code_at(&p.account, at),
            remaining: remaining(p.account.kind, p.account.period, at),
        })
        .collect();
    print(&codes, json, is_migration(uri), None);
    Ok(ExitCode::SUCCESS)
}

/// Codes of the vault's accounts, at `at`, or now corrected by each push server's clock.
fn from_vault(args: &CodeArgs, at: Option<u64>, json: bool) -> Outcome {
    let query = args.query.as_deref();
    let mut vault = super::unlock::open(args.password_file.as_deref(), "--password-file")?;
    let chosen: Vec<StoredAccount> = match query {
        Some(query) => vec![vault.find_one(query)?.clone()],
        None => vault.accounts().to_vec(),
    };
    if chosen.is_empty() {
        return Err(Failure::bad_input(messages::CODE_NO_ACCOUNTS));
    }
    let mut codes = Vec::with_capacity(chosen.len());
    for account in &chosen {
        let offset = account.clock_offset();
        let at = at.unwrap_or_else(|| otentik::push::clock::corrected(crate::now(), offset));
        if otentik::push::clock::is_off(offset) {
            let who = otentik::vault::label(account);
            eprintln!(
                "{}",
                messages::warning_line(&messages::clock_off(&who, offset))
            );
        }
        codes.push(CodeJson {
            code: vault.code(&account.id, at)?,
            remaining: remaining(account.kind, account.period, at),
            account: Some(AccountJson {
                id: account.id.clone(),
                issuer: account.issuer.clone(),
                account: account.name.clone(),
            }),
        });
    }
    let labels: Vec<String> = chosen.iter().map(otentik::vault::label).collect();
    print(
        &codes,
        json,
        query.is_none(),
        (query.is_none()).then_some(labels.as_slice()),
    );
    Ok(ExitCode::SUCCESS)
}

fn remaining(kind: otentik::OtpKind, period: u32, at: u64) -> Option<u32> {
    (kind == otentik::OtpKind::Totp).then(|| otentik::otp::remaining(period, at))
}

/// One code alone on a line (or one object), or a table (or an array) for several.
fn print(codes: &[CodeJson], json: bool, many: bool, labels: Option<&[String]>) {
    match (json, many, labels) {
        (true, true, _) => output::json(&codes),
        (true, false, _) => {
            if let Some(one) = codes.first() {
                output::json(one);
            }
        }
        (false, _, Some(labels)) => {
            let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
            for (code, label) in codes.iter().zip(labels) {
                let left = code
                    .remaining
                    .map(|s| format!("  ({s:>2} s)"))
                    .unwrap_or_default();
                output::line(&format!("{label:<width$}  {}{left}", code.code));
            }
        }
        (false, _, None) => {
            for code in codes {
                output::line(&code.code);
            }
        }
    }
}
