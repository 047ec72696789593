//! `otentik inspect <URI>`: what a URI holds, as JSON, never the secret.

use std::process::ExitCode;

use serde::Serialize;

use crate::Outcome;
use crate::args::InspectArgs;
use crate::output;

/// The JSON shape of one account (a contract: keep the field names).
#[derive(Debug, Serialize)]
pub struct Inspected {
    r#type: &'static str,
    issuer: String,
    account: String,
    algorithm: &'static str,
    digits: u8,
    /// TOTP only.
    period: Option<u32>,
    /// HOTP only.
    counter: Option<u64>,
    secret_bits: usize,
    push_url: Option<String>,
    warnings: Vec<String>,
}

impl From<&otentik::otpauth::Parsed> for Inspected {
    fn from(parsed: &otentik::otpauth::Parsed) -> Self {
        let account = &parsed.account;
        let totp = account.kind == otentik::OtpKind::Totp;
        Self {
            r#type: account.kind.as_str(),
            issuer: account.issuer.clone(),
            account: account.name.clone(),
            algorithm: account.algorithm.as_str(),
            digits: account.digits,
            period: totp.then_some(account.period),
            counter: (!totp).then_some(account.counter),
            secret_bits: account.secret.bits(),
            push_url: account.push.as_ref().map(|push| push.url.clone()),
            warnings: parsed.warnings.iter().map(ToString::to_string).collect(),
        }
    }
}

/// Runs the command.
pub fn run(args: &InspectArgs) -> Outcome {
    let parsed = otentik::otpauth::parse_any(&args.uri)?;
    let inspected: Vec<Inspected> = parsed.iter().map(Inspected::from).collect();
    if is_migration(&args.uri) {
        output::json(&inspected);
    } else if let Some(one) = inspected.first() {
        output::json(one);
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether the text is a Google Authenticator export (whose output is an array).
pub fn is_migration(uri: &str) -> bool {
    uri.trim()
        .get(..otentik::otpauth::MIGRATION_SCHEME.len() + 1)
        .is_some_and(|start| start.eq_ignore_ascii_case("otpauth-migration:"))
}
