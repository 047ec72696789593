//! `otentik approve <id> [--number N]` and `otentik deny <id> [--not-me]`.

use std::process::ExitCode;

use otentik::push::{Decision, PushClient, accounts};
use otentik::vault::Vault;

use crate::args::{ApproveArgs, DenyArgs};
use crate::{Outcome, messages, output};

/// "Ya".
pub fn approve(args: &ApproveArgs) -> Outcome {
    respond(&args.request_id, Decision::Approve, args.number)
}

/// "Tidak", or "Bukan saya" with `--not-me`.
pub fn deny(args: &DenyArgs) -> Outcome {
    let decision = if args.not_me {
        Decision::NotMe
    } else {
        Decision::Deny
    };
    respond(&args.request_id, decision, None)
}

fn respond(request_id: &str, decision: Decision, number: Option<u8>) -> Outcome {
    let mut vault = Vault::open_default()?;
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
