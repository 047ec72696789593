//! `otentik approve <id> [--number N]` and `otentik deny <id> [--not-me]`.

use std::process::ExitCode;

use otentik::push::{Decision, PushClient, accounts};

use crate::args::{ApproveArgs, DenyArgs};
use crate::{Outcome, messages, output};

/// "Ya".
pub fn approve(args: &ApproveArgs) -> Outcome {
    respond(
        &args.request_id,
        Decision::Approve,
        args.number,
        args.password_file.as_deref(),
    )
}

/// "Tidak", or "Bukan saya" with `--not-me`.
pub fn deny(args: &DenyArgs) -> Outcome {
    let decision = if args.not_me {
        Decision::NotMe
    } else {
        Decision::Deny
    };
    respond(
        &args.request_id,
        decision,
        None,
        args.password_file.as_deref(),
    )
}

fn respond(
    request_id: &str,
    decision: Decision,
    number: Option<u8>,
    password_file: Option<&std::path::Path>,
) -> Outcome {
    let mut vault = super::unlock::open(password_file, "--password-file")?;
    let client = PushClient::new()?;
    let runtime = crate::runtime()?;
    let (request, response) = runtime.block_on(accounts::answer(
        &mut vault,
        &client,
        request_id,
        decision,
        number,
        crate::now(),
    ))?;
    output::line(&messages::answered(&request, decision, &response));
    Ok(ExitCode::SUCCESS)
}
