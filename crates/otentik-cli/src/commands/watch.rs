//! `otentik watch`: wait for login requests and answer each as it arrives.
//!
//! The poller runs in the background; this thread shows each request and asks
//! `Ya/Tidak/Bukan saya?` (and the number, when the site asks to match one). Answers are read
//! line by line from standard input, so a script can drive it too. Ctrl-C stops it.

use std::io::{BufRead as _, Write as _};
use std::process::ExitCode;
use std::sync::Arc;

use otentik::push::{Decision, PushClient, PushEvent, RequestView, SystemClock, accounts, poller};
use otentik::vault::PushState;

use crate::args::WatchArgs;
use tokio::sync::mpsc;

use crate::commands::push::retry_pending;
use crate::{Outcome, messages, output};

/// Runs the command until Ctrl-C or the end of standard input.
pub fn run(args: &WatchArgs) -> Outcome {
    let mut vault = super::unlock::open(args.password_file.as_deref(), "--password-file")?;
    let client = PushClient::new()?;
    let runtime = crate::runtime()?;
    runtime.block_on(retry_pending(&mut vault, &client, crate::now()));
    let servers = accounts::devices_by_server(&vault)?;
    if servers.is_empty() {
        output::line(messages::WATCH_NOTHING);
        return Ok(ExitCode::SUCCESS);
    }
    let (sender, mut events) = mpsc::unbounded_channel();
    let handle = {
        let _guard = runtime.enter();
        poller::spawn(client.clone(), servers, Arc::new(SystemClock), sender)
    };
    output::line(messages::WATCH_STARTED);
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    while let Some(event) = events.blocking_recv() {
        match event {
            PushEvent::Request(request) => {
                let offset = vault
                    .get(&request.account_id)
                    .map(|a| a.clock_offset())
                    .unwrap_or(0);
                let shown = RequestView::new(&request, crate::now().saturating_mul(1000), offset);
                output::line(&messages::request_block(&shown));
                let Some(decision) = ask(&mut lines, messages::ASK_DECISION, parse_decision) else {
                    break;
                };
                let number = match decision {
                    Decision::Approve if request.challenge.asks_number() => {
                        let question = messages::ask_number(request.challenge.numbers.as_deref());
                        let Some(n) = ask(&mut lines, &question, |t| {
                            t.trim().parse::<u8>().ok().filter(|n| *n < 100)
                        }) else {
                            break;
                        };
                        Some(n)
                    }
                    _ => None,
                };
                let answer = runtime.block_on(accounts::answer(
                    &mut vault,
                    &client,
                    &request.challenge.id,
                    decision,
                    number,
                    crate::now(),
                ));
                match answer {
                    Ok((request, response)) => {
                        output::line(&messages::answered(&request, decision, &response))
                    }
                    Err(error) => eprintln!("{}", messages::error_line(&error.to_string())),
                }
                // The poller paces itself while this request was pending; answered, it
                // goes back to waiting at once, so the next login shows without delay.
                handle.wake();
            }
            PushEvent::Revoked { account_id } => {
                let _ = vault.update(&account_id, |a| {
                    if let Some(push) = a.push.as_mut() {
                        push.state = PushState::Revoked;
                    }
                });
                let name = vault
                    .get(&account_id)
                    .map(otentik::vault::label)
                    .unwrap_or_default();
                output::line(&messages::revoked_line(&name));
            }
            PushEvent::Unreachable { server, message } => {
                eprintln!(
                    "{}",
                    messages::warning_line(&messages::server_down(&server, &message))
                );
            }
            PushEvent::Reachable { server } => output::line(&messages::server_back(&server)),
            PushEvent::ClockOffset {
                account_ids,
                offset,
            } => {
                for id in &account_ids {
                    let _ = accounts::record(&mut vault, id, false, offset);
                }
                if otentik::push::clock::is_off(offset) {
                    eprintln!(
                        "{}",
                        messages::warning_line(&messages::clock_off("this computer", offset))
                    );
                }
            }
            PushEvent::Rejected { message } => eprintln!("{}", messages::warning_line(&message)),
        }
        let _ = std::io::stdout().flush();
    }
    runtime.block_on(handle.stop());
    Ok(ExitCode::SUCCESS)
}

/// Asks until an answer parses; `None` at the end of input.
fn ask<T>(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    question: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    loop {
        print!("{question} ");
        let _ = std::io::stdout().flush();
        let line = lines.next()?.ok()?;
        if let Some(value) = parse(&line) {
            return Some(value);
        }
    }
}

fn parse_decision(text: &str) -> Option<Decision> {
    match text.trim().to_lowercase().as_str() {
        "y" | "ya" | "yes" => Some(Decision::Approve),
        "t" | "tidak" | "n" | "no" => Some(Decision::Deny),
        "b" | "bukan saya" | "bukan" | "not me" => Some(Decision::NotMe),
        _ => None,
    }
}
