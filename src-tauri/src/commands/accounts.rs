//! The account list: listing, renaming, reordering, removing, and moving an account or all of
//! them to another authenticator.

use otentik::otpauth;
use otentik::push::accounts;
use tauri::State;

use crate::failure::{AppCode, CommandResult, Failure};
use crate::state::AppState;
use crate::transfer;
use crate::views::AccountView;

/// Every account, in display order (re-read: the CLI may have changed the list).
#[tauri::command(async)]
pub fn list_accounts(state: State<'_, AppState>) -> CommandResult<Vec<AccountView>> {
    state.with_vault(|vault| {
        vault.reload()?;
        Ok::<_, Failure>(
            vault
                .accounts()
                .iter()
                .map(|a| AccountView::live(a, &state.approvals))
                .collect(),
        )
    })
}

/// Renames an account; `null` leaves a part as it is.
#[tauri::command(async)]
pub fn rename_account(
    state: State<'_, AppState>,
    id: String,
    issuer: Option<String>,
    name: Option<String>,
) -> CommandResult<AccountView> {
    let name = name.map(|n| n.trim().to_owned());
    if name.as_deref() == Some("") {
        return Err(Failure::new(AppCode::InvalidInput, "the account name is empty").on("name"));
    }
    let issuer = issuer.map(|i| i.trim().to_owned());
    let stored = state.with_vault(|vault| vault.rename(&id, issuer.as_deref(), name.as_deref()))?;
    state.backups.nudge();
    Ok((&stored).into())
}

/// Binds an account to the sites in `origins` (replacing the ones it had; empty unbinds it):
/// where the browser extension may fill its codes. Every origin is checked before anything
/// changes.
#[tauri::command(async)]
pub fn set_account_origins(
    state: State<'_, AppState>,
    id: String,
    origins: Vec<String>,
) -> CommandResult<AccountView> {
    let origins = origins
        .iter()
        .filter(|o| !o.trim().is_empty())
        .map(|o| otentik::origin::Origin::parse(o).map_err(|e| Failure::from(e).on("origins")))
        .collect::<Result<Vec<_>, _>>()?;
    let stored = state.with_vault(|vault| vault.set_origins(&id, &origins))?;
    state.backups.nudge();
    Ok((&stored).into())
}

/// Moves an account to `index` (0-based) in the list.
#[tauri::command(async)]
pub fn move_account(state: State<'_, AppState>, id: String, index: usize) -> CommandResult<()> {
    state.with_vault(|vault| vault.move_to(&id, index))?;
    state.backups.nudge();
    Ok(())
}

/// Removes an account and its secret (the UI asks first, after `check_removal`). A push
/// device is unregistered at its server first; when the server is away the account goes all
/// the same (the site's "disable TOTP" clears a device it can no longer reach).
#[tauri::command(async)]
pub fn remove_account(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    let now = state.clock.now();
    let push = state.with_vault(|vault| Ok::<_, Failure>(vault.get(&id)?.push.is_some()))?;
    if push {
        let target = id.clone();
        let unregistered = state.push(move |vault, client| {
            Box::pin(async move { accounts::unregister(vault, client, &target, now).await })
        });
        if let Err(problem) = unregistered {
            tracing::warn!(%problem, "the device could not be unregistered");
        }
    }
    state.with_vault(|vault| vault.remove(&id).map(drop))?;
    state.backups.nudge();
    state.approvals.forget_account(&id);
    if push {
        super::push::restart_polling(&state);
    }
    Ok(())
}

/// The account as a QR code (SVG) for another authenticator; the UI asks first.
#[tauri::command(async)]
pub fn transfer_qr(state: State<'_, AppState>, id: String) -> CommandResult<String> {
    let account = state.with_vault(|vault| vault.account(&id))?;
    transfer::qr_svg(&account)
}

/// Every account as an `otpauth://` URI, secrets included; the UI warns first.
#[tauri::command(async)]
pub fn export_uris(state: State<'_, AppState>) -> CommandResult<Vec<String>> {
    state.with_vault(|vault| {
        let ids: Vec<String> = vault.accounts().iter().map(|a| a.id.clone()).collect();
        ids.iter()
            .map(|id| vault.account(id).map(|account| otpauth::format(&account)))
            .collect::<otentik::Result<Vec<String>>>()
    })
}
