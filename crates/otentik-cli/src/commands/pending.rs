//! `otentik pending [--wait S] [--json]`: login requests waiting for an answer.

use std::process::ExitCode;

use otentik::push::{PushClient, accounts};
use otentik::vault::Vault;

use crate::args::PendingArgs;
use crate::commands::push::{RequestJson, retry_pending};
use crate::{Outcome, messages, output};

/// Runs the command.
pub fn run(args: &PendingArgs) -> Outcome {
    let mut vault = Vault::open_default()?;
    let client = PushClient::new()?;
    let runtime = crate::runtime()?;
    let now = crate::now();
    runtime.block_on(retry_pending(&mut vault, &client, now));
    let (requests, problems) =
        runtime.block_on(accounts::pending(&mut vault, &client, args.wait, now))?;
    for problem in &problems {
        eprintln!("{}", messages::warning_line(&problem.to_string()));
    }
    let listed: Vec<RequestJson> = requests
        .iter()
        .map(|r| {
            let offset = vault
                .get(&r.account_id)
                .map(|a| a.clock_offset())
                .unwrap_or(0);
            RequestJson::new(r, crate::now().saturating_add_signed(offset))
        })
        .collect();
    if args.json {
        output::json(&listed);
    } else if listed.is_empty() {
        output::line(messages::NO_REQUESTS);
    } else {
        for request in &listed {
            output::line(&messages::request_block(request));
        }
    }
    Ok(ExitCode::SUCCESS)
}
