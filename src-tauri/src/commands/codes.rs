//! Codes: every TOTP code now, the next HOTP code, copying a code.

use otentik::{OtpKind, otp};
use tauri::State;
use zeroize::Zeroizing;

use crate::failure::{AppCode, CommandResult, Failure};
use crate::state::AppState;
use crate::views::{CodeFailure, CodeView, Codes};

/// Every TOTP account's code now. HOTP codes are only shown on request ([`next_hotp`]).
#[tauri::command(async)]
pub fn codes(state: State<'_, AppState>) -> CommandResult<Codes> {
    let at_ms = state.clock.now_ms();
    let now = at_ms / 1000;
    state.with_vault(|vault| {
        let totp: Vec<(String, u32)> = vault
            .accounts()
            .iter()
            .filter(|a| a.kind == OtpKind::Totp)
            .map(|a| (a.id.clone(), a.period))
            .collect();
        let mut codes = Vec::with_capacity(totp.len());
        let mut failures = Vec::new();
        for (id, period) in totp {
            match vault.code(&id, now) {
                Ok(code) => codes.push(CodeView {
                    id,
                    code,
                    remaining: otp::remaining(period, now),
                    period,
                }),
                Err(error) => failures.push(CodeFailure {
                    id,
                    error: error.into(),
                }),
            }
        }
        Ok::<_, Failure>(Codes {
            at_ms,
            codes,
            failures,
        })
    })
}

/// The next code of an HOTP account (the counter advances and is saved first).
#[tauri::command(async)]
pub fn next_hotp(state: State<'_, AppState>, id: String) -> CommandResult<CodeView> {
    let now = state.clock.now();
    let code = state.with_vault(|vault| vault.code(&id, now))?;
    // The counter moved: a backup must carry it.
    state.backups.nudge();
    Ok(CodeView {
        id,
        code,
        remaining: 0,
        period: 0,
    })
}

/// Copies an account's current code; the clipboard is cleared after 30 s if it still holds it.
#[tauri::command(async)]
pub fn copy_code(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    let now = state.clock.now();
    let code = state.with_vault(|vault| {
        if vault.get(&id)?.kind == OtpKind::Hotp {
            // Copying must not advance a counter behind the user's back.
            return Err(Failure::new(
                AppCode::InvalidInput,
                "an HOTP code is copied right after it is shown: use 'next code' first",
            ));
        }
        Ok(vault.code(&id, now)?)
    })?;
    state.copier.copy(Zeroizing::new(code))
}
