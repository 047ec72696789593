//! The app lock: its state, unlocking, locking now, turning it on and off, the password, the
//! idle time, and the activity that keeps the idle lock away. These are the only commands
//! that answer while the vault is locked (besides the language), and none of them returns an
//! account.

use std::time::Duration;

use otentik::backup::auto;
use otentik::vault::{KdfParams, LockState, Strength, lock};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::failure::{AppCode, CommandResult, Failure};
use crate::locking;
use crate::state::AppState;
use crate::views::LockView;

/// How long the key derivation should take on this machine (issue 15: about half a second).
const KDF_TARGET: Duration = Duration::from_millis(500);
/// The shortest idle time that can be set: anything shorter would lock mid-sentence.
pub const MIN_IDLE_SECONDS: u64 = 5;

/// Where the lock stands.
#[tauri::command(async)]
pub fn lock_status(state: State<'_, AppState>) -> CommandResult<LockView> {
    view(&state)
}

/// Unlocks with `password`; the wait after wrong tries is the core's. Polling for login
/// requests starts again, and enrolments whose server was away are retried (off this call:
/// they may wait on the network).
#[tauri::command(async)]
pub fn unlock<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    password: String,
) -> CommandResult<LockView> {
    let password = otentik::Zeroizing::new(password);
    let now = state.clock.now();
    state.with_vault_locked(|vault| {
        vault.unlock(&password, now)?;
        // Under the vault's lock: the idle check cannot see the vault open with an old time.
        state.activity.reset(now);
        Ok::<_, otentik::Error>(())
    })?;
    // A backup that came due while locked (a change made by the CLI) is written now.
    state.backups.nudge();
    // Enrolments, then polling with the device keys: as at start, off this call.
    let spawned = std::thread::Builder::new()
        .name("otentik-unlocked".into())
        .spawn(move || {
            let state = app.state::<AppState>();
            crate::background::retry_pending(&state);
            super::push::restart_polling(&state);
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "login requests are not being fetched");
        super::push::restart_polling(&state);
    }
    view(&state)
}

/// Locks now (Kunci sekarang). With the lock off there is nothing to lock: `lock_state`.
#[tauri::command(async)]
pub fn lock_now(state: State<'_, AppState>) -> CommandResult<LockView> {
    if !locking::lock(&state)? && view(&state)?.state == LockState::Off {
        return Err(otentik::Error::LockOff.into());
    }
    view(&state)
}

/// Turns the lock on with `password`, typed twice.
#[tauri::command(async)]
pub fn enable_lock(
    state: State<'_, AppState>,
    password: String,
    confirm: String,
) -> CommandResult<LockView> {
    let (password, confirm) = (
        otentik::Zeroizing::new(password),
        otentik::Zeroizing::new(confirm),
    );
    same(&password, &confirm)?;
    lock::check_password(&password).map_err(|e| Failure::from(e).on("password"))?;
    state.with_vault(|vault| {
        vault.enable_lock(&password, KdfParams::calibrate(KDF_TARGET))?;
        state.activity.reset(state.clock.now());
        Ok::<_, otentik::Error>(())
    })?;
    view(&state)
}

/// Changes the password: `old`, then `new` typed twice.
#[tauri::command(async)]
pub fn change_lock_password(
    state: State<'_, AppState>,
    old: String,
    new: String,
    confirm: String,
) -> CommandResult<LockView> {
    let (old, new, confirm) = (
        otentik::Zeroizing::new(old),
        otentik::Zeroizing::new(new),
        otentik::Zeroizing::new(confirm),
    );
    same(&new, &confirm)?;
    lock::check_password(&new).map_err(|e| Failure::from(e).on("password"))?;
    let now = state.clock.now();
    state.with_vault(|vault| {
        vault.change_password(&old, &new, KdfParams::calibrate(KDF_TARGET), now)
    })?;
    view(&state)
}

/// Turns the lock off (the password once more).
#[tauri::command(async)]
pub fn disable_lock(state: State<'_, AppState>, password: String) -> CommandResult<LockView> {
    let password = otentik::Zeroizing::new(password);
    let now = state.clock.now();
    state.with_vault(|vault| vault.disable_lock(&password, now))?;
    view(&state)
}

/// Sets the idle time in seconds (0: never; otherwise 5 s to a day).
#[tauri::command(async)]
pub fn set_idle_lock(state: State<'_, AppState>, seconds: u64) -> CommandResult<LockView> {
    if seconds != 0 && !(MIN_IDLE_SECONDS..=lock::MAX_IDLE_SECONDS).contains(&seconds) {
        return Err(Failure::new(
            AppCode::InvalidInput,
            format!(
                "the idle time is 0 (never) or {MIN_IDLE_SECONDS} to {} seconds",
                lock::MAX_IDLE_SECONDS
            ),
        )
        .on("idle"));
    }
    state.with_vault(|vault| vault.set_idle_lock(seconds))?;
    state.activity.touch(state.clock.now());
    view(&state)
}

/// The user used the window (a key, a click, scrolling): the idle lock starts over.
#[tauri::command(async)]
pub fn note_activity(state: State<'_, AppState>) -> CommandResult<()> {
    state.activity.touch(state.clock.now());
    Ok(())
}

/// The strength hint for a password being typed (never stored, never logged).
#[tauri::command(async)]
pub fn password_strength(password: String) -> Strength {
    let password = otentik::Zeroizing::new(password);
    lock::strength(&password)
}

fn same(password: &str, confirm: &str) -> CommandResult<()> {
    if password == confirm {
        Ok(())
    } else {
        Err(Failure::new(
            AppCode::InvalidInput,
            "the two passwords are not the same: type the new password twice",
        )
        .on("confirm"))
    }
}

fn view(state: &AppState) -> CommandResult<LockView> {
    let now = state.clock.now();
    state.with_vault_locked(|vault| {
        Ok::<_, Failure>(LockView {
            state: vault.lock_state(),
            wait_seconds: if vault.lock_state() == LockState::Locked {
                vault.unlock_wait(now)
            } else {
                0
            },
            idle_seconds: vault.idle_lock(),
            // A damaged settings file must not stop the lock screen from showing.
            backups_on: auto::Settings::read(vault.dir()).is_ok_and(|s| s.enabled),
            requests: u32::try_from(state.approvals.waiting(None)).unwrap_or(u32::MAX),
        })
    })
}
