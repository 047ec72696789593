//! The app lock in the window: when it locks (now, after an idle time, when the desktop
//! session locks, at start) and what locking forgets.
//!
//! The vault itself holds the lock ([`otentik::vault::Vault::lock_now`] drops the key and the
//! secrets); the app adds what lives beside it in memory: the poller's device keys, accounts
//! and imports waiting for confirmation. The UI learns of a lock it did not ask for from the
//! [`EVENT`] and then shows only the lock screen.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use otentik::vault::LockState;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::failure::CommandResult;
use crate::state::AppState;

/// The event that tells the UI the app locked (idle, desktop session, tray).
pub const EVENT: &str = "otentik://lock";
/// How often the idle time is checked.
const TICK: Duration = Duration::from_secs(1);

/// When the user last used the window (Unix seconds), for the idle lock.
#[derive(Debug, Default)]
pub struct Activity(AtomicU64);

impl Activity {
    /// Records use at `now`.
    pub fn touch(&self, now: u64) {
        self.0.fetch_max(now, Ordering::SeqCst);
    }

    /// Forgets earlier use: `now` is the new start (an unlock).
    pub fn reset(&self, now: u64) {
        self.0.store(now, Ordering::SeqCst);
    }

    /// The last use.
    pub fn last(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Locks the vault if the lock is on and open, and forgets what only an unlocked app holds.
/// Returns whether it locked.
pub fn lock(state: &AppState) -> CommandResult<bool> {
    let locked = state.with_vault_locked(|vault| {
        if vault.lock_state() != LockState::Unlocked {
            return Ok::<_, otentik::Error>(false);
        }
        vault.lock_now();
        Ok(true)
    })?;
    if locked {
        // The poller holds the device keys: it stops with them, and starts again with the
        // poll-only keys, which can fetch requests but not answer them.
        state.approvals.stop();
        state.forget_unlocked();
        crate::commands::push::restart_polling(state);
        tracing::info!("the app locked");
    }
    Ok(locked)
}

/// Whether the idle time has passed at `now` (lock on and open, an idle time set).
pub fn idle_due(state: &AppState, now: u64) -> bool {
    state
        .with_open_vault(|vault| {
            let idle = vault.idle_lock();
            vault.lock_state() == LockState::Unlocked
                && idle > 0
                && now.saturating_sub(state.activity.last()) >= idle
        })
        .unwrap_or(false)
}

/// Locks from outside the window (idle time, desktop session, tray) and tells the UI.
pub fn lock_app<R: Runtime>(app: &AppHandle<R>, why: &str) {
    let state = app.state::<AppState>();
    match lock(&state) {
        Ok(true) => {
            tracing::info!(why, "locked");
            let _ = app.emit(EVENT, why);
            let language = state.approvals.language();
            crate::tray::update(app, state.approvals.waiting(None), language);
        }
        Ok(false) => {
            // The lock is off (or already closed): the tray's Kunci sekarang shows the window,
            // whose lock settings explain how to turn it on.
            if why == "tray" {
                let _ = app.emit(EVENT, why);
                crate::link::show(app);
            }
        }
        Err(failure) => tracing::warn!(%failure, "could not lock"),
    }
}

/// Starts the idle check and the desktop-session watch.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    let idle = std::thread::Builder::new()
        .name("otentik-idle".into())
        .spawn(move || {
            loop {
                std::thread::sleep(TICK);
                let state = handle.state::<AppState>();
                if idle_due(&state, state.clock.now()) {
                    lock_app(&handle, "idle");
                }
            }
        });
    if let Err(error) = idle {
        tracing::warn!(%error, "the idle lock is not running");
    }
    let handle = app.clone();
    crate::session::watch(move || lock_app(&handle, "session"));
}
