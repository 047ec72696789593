//! `otentik list [--json]`: the accounts, never their secrets.

use std::process::ExitCode;

use otentik::vault::{StoredAccount, Vault};
use serde::Serialize;

use crate::args::ListArgs;
use crate::{Outcome, messages, output};

/// The JSON shape of one account (a contract: keep the field names).
#[derive(Debug, Serialize)]
struct Listed<'a> {
    id: &'a str,
    issuer: &'a str,
    account: &'a str,
    r#type: &'static str,
    digits: u8,
    period: Option<u32>,
}

impl<'a> From<&'a StoredAccount> for Listed<'a> {
    fn from(account: &'a StoredAccount) -> Self {
        Self {
            id: &account.id,
            issuer: &account.issuer,
            account: &account.name,
            r#type: account.kind.as_str(),
            digits: account.digits,
            period: (account.kind == otentik::OtpKind::Totp).then_some(account.period),
        }
    }
}

/// Runs the command.
pub fn run(args: &ListArgs) -> Outcome {
    let vault = Vault::open_default()?;
    if args.json {
        let listed: Vec<Listed<'_>> = vault.accounts().iter().map(Listed::from).collect();
        output::json(&listed);
    } else if vault.accounts().is_empty() {
        output::line(messages::NO_ACCOUNTS);
    } else {
        for (position, account) in vault.accounts().iter().enumerate() {
            output::line(&format!(
                "{:>3}. {}  [{}]",
                position + 1,
                messages::account_line(account),
                account.id
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}
