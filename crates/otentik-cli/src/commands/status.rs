//! `otentik status [<query>] [--json]`: push state and clock offset of each account.

use std::process::ExitCode;

use otentik::push::{PushClient, PushStatus, accounts, clock};
use otentik::vault::{StoredAccount, Vault, label};
use serde::Serialize;

use crate::args::StatusArgs;
use crate::commands::push::retry_pending;
use crate::{Outcome, messages, output};

/// The JSON shape of one account's status.
#[derive(Debug, Serialize)]
struct StatusJson {
    id: String,
    account: String,
    /// `none`, `active`, `pending`, `revoked`, `failed` or `unreachable`.
    push: &'static str,
    /// Server clock minus this computer's, in seconds.
    clock_offset: i64,
    /// Why push is not active, for display.
    detail: Option<String>,
}

/// Runs the command.
pub fn run(args: &StatusArgs) -> Outcome {
    let mut vault = Vault::open_default()?;
    let chosen: Vec<StoredAccount> = match &args.query {
        Some(query) => vec![vault.find_one(query)?.clone()],
        None => vault.accounts().to_vec(),
    };
    let client = PushClient::new()?;
    let runtime = crate::runtime()?;
    // Locked, the device keys are sealed: the state last recorded, without asking the server.
    let locked = vault.is_locked();
    if !locked {
        runtime.block_on(retry_pending(&mut vault, &client, crate::now()));
    }
    let mut rows = Vec::new();
    for account in &chosen {
        let (push, detail) = if account.push.is_none() {
            ("none", None)
        } else if locked {
            (recorded(account), Some(messages::STATUS_LOCKED.to_owned()))
        } else {
            match runtime.block_on(accounts::status(
                &mut vault,
                &client,
                &account.id,
                crate::now(),
            ))? {
                PushStatus::Active => ("active", None),
                PushStatus::Pending => ("pending", last_error(&vault, &account.id)),
                PushStatus::Failed => ("failed", last_error(&vault, &account.id)),
                PushStatus::Revoked => ("revoked", Some(messages::REVOKED.to_owned())),
                PushStatus::Unreachable(why) => ("unreachable", Some(why)),
            }
        };
        let current = vault.get(&account.id)?;
        rows.push(StatusJson {
            id: account.id.clone(),
            account: label(current),
            push,
            clock_offset: current.clock_offset(),
            detail,
        });
    }
    if args.json {
        output::json(&rows);
    } else {
        for row in &rows {
            output::line(&messages::status_line(
                &row.account,
                row.push,
                row.detail.as_deref(),
            ));
            if clock::is_off(row.clock_offset) {
                eprintln!(
                    "{}",
                    messages::warning_line(&messages::clock_off(&row.account, row.clock_offset))
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn last_error(vault: &Vault, id: &str) -> Option<String> {
    vault
        .get(id)
        .ok()
        .and_then(|a| a.push.as_ref())
        .and_then(|p| p.last_error.clone())
}

/// The push state the account list records (what `status` says while the vault is locked).
fn recorded(account: &StoredAccount) -> &'static str {
    use otentik::vault::PushState;
    match account.push.as_ref().map(|push| push.state) {
        None => "none",
        Some(PushState::Active) => "active",
        Some(PushState::Pending) => "pending",
        Some(PushState::Revoked) => "revoked",
        Some(PushState::Failed) => "failed",
        Some(PushState::Restored) => "restored",
    }
}
