//! Login approvals: the requests waiting, answering them, enrolling a push account (after an
//! add, or again when its server was away), and asking the site before a removal.

use otentik::push::{Decision, PushStatus, accounts, view};
use otentik::vault::PushState;
use otentik::{Code, Error};
use tauri::State;

use crate::failure::{CommandResult, Failure};
use crate::state::AppState;
use crate::views::{AccountView, AnswerView, RemovalCheck, Requests};

/// The login requests waiting, newest first; expired ones (and those of accounts gone) leave
/// the queue.
#[tauri::command(async)]
pub fn push_requests(state: State<'_, AppState>) -> CommandResult<Requests> {
    let at_ms = state.clock.now_ms();
    let queued = state.approvals.queued();
    let (requests, over) =
        state.with_vault(|vault| Ok::<_, Failure>(view::visible(vault, &queued, at_ms)))?;
    state.approvals.forget_all(&over);
    Ok(Requests { at_ms, requests })
}

/// Answers a login request: Ya (approve, with the number when the site shows one), Tidak
/// (deny) or Bukan saya (not me).
#[tauri::command(async)]
pub fn answer_request(
    state: State<'_, AppState>,
    id: String,
    decision: Decision,
    number: Option<u8>,
) -> CommandResult<AnswerView> {
    let now = state.clock.now();
    let request_id = id.clone();
    let answered = state.push(move |vault, client| {
        Box::pin(async move {
            accounts::answer(vault, client, &request_id, decision, number, now).await
        })
    });
    state.approvals.wake();
    match answered {
        Ok((request, response)) => {
            state.approvals.forget(&id);
            Ok(AnswerView {
                status: response.status,
                wrong_number: response.wrong_number,
                site: request.challenge.site,
                site_account: request.challenge.account,
            })
        }
        Err(failure) => {
            if failure.code == Code::PushRequestGone.into() {
                state.approvals.forget(&id);
            }
            Err(failure)
        }
    }
}

/// Tries again to enrol a push account whose server could not be reached or refused.
#[tauri::command(async)]
pub fn retry_push(state: State<'_, AppState>, id: String) -> CommandResult<AccountView> {
    let now = state.clock.now();
    let current = state.with_vault(|vault| Ok::<_, Failure>(vault.get(&id)?.clone()))?;
    match current.push.as_ref().map(|p| p.state) {
        None => Err(Error::NotPushAccount {
            label: otentik::vault::label(&current),
        }
        .into()),
        Some(PushState::Revoked) => Err(Error::PushRevoked.into()),
        Some(_) => {
            let view = enroll(&state, &id, now)?;
            restart_polling(&state);
            Ok(view)
        }
    }
}

/// Before Hapus: asks the site whether TOTP is still on for this push account.
#[tauri::command(async)]
pub fn check_removal(state: State<'_, AppState>, id: String) -> CommandResult<RemovalCheck> {
    let now = state.clock.now();
    let push = state.with_vault(|vault| Ok::<_, Failure>(vault.get(&id)?.push.is_some()))?;
    if !push {
        return Ok(RemovalCheck {
            site_active: false,
            unreachable: None,
        });
    }
    let status = state.push(move |vault, client| {
        Box::pin(async move { accounts::status(vault, client, &id, now).await })
    })?;
    Ok(match status {
        PushStatus::Active => RemovalCheck {
            site_active: true,
            unreachable: None,
        },
        PushStatus::Unreachable(why) => RemovalCheck {
            site_active: false,
            unreachable: Some(why),
        },
        PushStatus::Pending | PushStatus::Revoked | PushStatus::Failed => RemovalCheck {
            site_active: false,
            unreachable: None,
        },
    })
}

/// Enrols a push account at its server. The account is kept whatever happens: when the
/// server cannot be reached or refuses, the view says why (TOTP codes work regardless) and
/// `retry_push` tries again.
pub fn enroll(state: &AppState, id: &str, now: u64) -> CommandResult<AccountView> {
    let target = id.to_owned();
    let name = crate::approvals::device_name();
    let outcome = state.push(move |vault, client| {
        Box::pin(async move { accounts::enroll(vault, client, &target, &name, now).await })
    });
    let stored = state.with_vault(|vault| Ok::<_, Failure>(vault.get(id)?.clone()))?;
    let mut view = AccountView::live(&stored, &state.approvals);
    if let (Some(push), Err(problem)) = (view.push.as_mut(), outcome) {
        push.problem.get_or_insert(problem.message);
    }
    Ok(view)
}

/// Polling follows the vault's push accounts; a failure here only delays requests (the next
/// start or add retries), so it is logged, not returned.
pub fn restart_polling(state: &AppState) {
    if let Err(failure) = state.restart_push() {
        tracing::warn!(%failure, "login requests are not being fetched");
    }
}
