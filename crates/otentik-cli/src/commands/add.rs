//! `otentik add <URI>`: add an account, or every account of an export; an account whose QR
//! offers push approvals is enrolled at once (and retried later if the server is away).

use std::process::ExitCode;

use otentik::push::{PushClient, accounts};
use otentik::vault::Vault;

use crate::args::AddArgs;
use crate::commands::push::device_name;
use crate::{Outcome, messages, output};

/// Runs the command. The URI is parsed completely before the vault is touched.
pub fn run(args: &AddArgs) -> Outcome {
    let parsed = otentik::otpauth::parse_any(&args.uri)?;
    let mut vault = Vault::open_default()?;
    let mut added = Vec::new();
    for item in &parsed {
        for warning in &item.warnings {
            eprintln!("{}", messages::warning_line(warning));
        }
        let stored = vault.add(&item.account, crate::now(), args.force)?;
        output::line(&messages::added(&stored));
        added.push(stored);
    }
    let with_push: Vec<_> = added.iter().filter(|a| a.push.is_some()).collect();
    if with_push.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = crate::runtime()?;
    let client = PushClient::new()?;
    for account in with_push {
        let result = runtime.block_on(accounts::enroll(&mut vault, &client, &account.id, &device_name(), crate::now()));
        match result {
            Ok(enrolled) => output::line(&messages::push_active(&enrolled)),
            // The account is kept: its codes work, and enrolment is retried later.
            Err(error) => eprintln!("{}", messages::warning_line(&messages::push_not_active(&error))),
        }
    }
    Ok(ExitCode::SUCCESS)
}
