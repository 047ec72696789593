//! What the app does while it runs: at start, it retries enrolments that could not reach
//! their server and starts polling; then every poller event updates the vault and the queue,
//! notifies, updates the tray, and tells the UI (`otentik://push`) to refresh.

use std::sync::Arc;

use otentik::push::{PushEvent, accounts};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::approvals::device_name;
use crate::state::AppState;
use crate::{alerts, tray};

/// The event that tells the UI that requests or push states changed.
pub const EVENT: &str = "otentik://push";

/// Installs the event handler and starts polling, off the calling thread (the vault may
/// need the keyring, which may be slow to answer at login).
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    app.state::<AppState>()
        .approvals
        .set_host(Arc::new(move |event| on_event(&handle, event)));
    let handle = app.clone();
    app.state::<AppState>()
        .approvals
        .on_change(Arc::new(move |waiting| {
            let language = handle.state::<AppState>().approvals.language();
            tray::update(&handle, waiting, language);
        }));
    let handle = app.clone();
    let spawned = std::thread::Builder::new()
        .name("otentik-push-start".into())
        .spawn(move || {
            let state = handle.state::<AppState>();
            retry_pending(&state);
            crate::commands::push::restart_polling(&state);
            let _ = handle.emit(EVENT, ());
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "login requests are not being fetched");
    }
}

/// Enrols the push accounts whose server could not be reached when they were added. A
/// failure is recorded on the account (shown in its detail) by the core.
pub fn retry_pending(state: &AppState) {
    let now = state.clock.now();
    let name = device_name();
    let _ = state.push(move |vault, client| {
        Box::pin(async move {
            for id in accounts::waiting_enrolments(vault) {
                let _ = accounts::enroll(vault, client, &id, &name, now).await;
            }
            Ok(())
        })
    });
}

fn on_event<R: Runtime>(app: &AppHandle<R>, event: PushEvent) {
    let state = app.state::<AppState>();
    let approvals = &state.approvals;
    match event {
        PushEvent::Request(request) => {
            if approvals.enqueue((*request).clone()) {
                alerts::login_request(app, &request, approvals.language(), state.is_locked());
            }
        }
        PushEvent::Revoked { account_id } => {
            approvals.forget_account(&account_id);
            let _ = state.with_vault_locked(|vault| accounts::record(vault, &account_id, true, 0));
        }
        PushEvent::Unreachable { server, message } => {
            approvals.set_unreachable(&server, Some(message));
        }
        PushEvent::Reachable { server } => approvals.set_unreachable(&server, None),
        PushEvent::ClockOffset {
            account_ids,
            offset,
        } => {
            let _ = state.with_vault_locked(|vault| {
                for id in &account_ids {
                    accounts::record(vault, id, false, offset)?;
                }
                Ok::<_, otentik::Error>(())
            });
        }
        PushEvent::Rejected { message } => {
            tracing::warn!(%message, "a login request failed verification and was dropped");
        }
    }
    tray::update(app, approvals.waiting(None), approvals.language());
    let _ = app.emit(EVENT, ());
}
