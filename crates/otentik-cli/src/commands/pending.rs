//! `otentik pending [--wait S] [--json]`: login requests waiting for an answer.

use std::process::ExitCode;

use otentik::push::{PushClient, accounts, view};

use crate::args::PendingArgs;
use crate::commands::push::retry_pending;
use crate::{Outcome, messages, output};

/// Runs the command.
pub fn run(args: &PendingArgs) -> Outcome {
    let mut vault = super::unlock::open(args.password_file.as_deref(), "--password-file")?;
    let client = PushClient::new()?;
    let runtime = crate::runtime()?;
    let now = crate::now();
    runtime.block_on(retry_pending(&mut vault, &client, now));
    let (requests, problems) =
        runtime.block_on(accounts::pending(&mut vault, &client, args.wait, now))?;
    for problem in &problems {
        eprintln!("{}", messages::warning_line(&problem.to_string()));
    }
    let (listed, _) = view::visible(&vault, &requests, crate::now().saturating_mul(1000));
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
