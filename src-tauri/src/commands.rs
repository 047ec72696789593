//! The commands the UI calls. Each is one call into the `otentik` core (through
//! [`AppState`]) plus the conversion of its error into [`Failure`]; the time is read here, once
//! per command, and passed in. Keep this list, `build.rs` and `capabilities/default.json` in
//! step (a test checks them).

use otentik::otp;
use otentik::otpauth;
use otentik::push::{Decision, accounts};
use otentik::vault::PushState;
use otentik::{Account, Algorithm, OtpKind, Secret};
use tauri::State;
use tauri::ipc::{InvokeBody, Request};
use zeroize::Zeroizing;

use crate::approvals::device_name;
use crate::capture;
use crate::failure::{CommandResult, ErrorCode, Failure};
use crate::state::AppState;
use crate::transfer;
use crate::views::{
    AccountView, AddResult, AnswerView, AppInfo, CodeFailure, CodeView, Codes, ManualForm, Pending,
    RemovalCheck, RequestView, Requests, is_totp,
};

/// Version, licence and where the account list lives.
#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    let data_dir = state.with_vault(|vault| Ok(vault.dir().display().to_string()))?;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        license: env!("CARGO_PKG_LICENSE").to_owned(),
        data_dir,
    })
}

/// Every account, in display order (re-read: the CLI may have changed the list).
#[tauri::command(async)]
pub fn list_accounts(state: State<'_, AppState>) -> CommandResult<Vec<AccountView>> {
    state.with_vault(|vault| {
        vault.reload()?;
        Ok(vault
            .accounts()
            .iter()
            .map(|a| AccountView::live(a, &state.approvals))
            .collect())
    })
}

/// Every TOTP account's code now. HOTP codes are only shown on request ([`next_hotp`]).
#[tauri::command(async)]
pub fn codes(state: State<'_, AppState>) -> CommandResult<Codes> {
    let at_ms = state.clock.now_ms();
    let now = at_ms / 1000;
    state.with_vault(|vault| {
        let totp: Vec<(String, u32)> = vault
            .accounts()
            .iter()
            .filter(|a| is_totp(a.kind))
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
        Ok(Codes {
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
    let kind = state.with_vault(|vault| Ok(vault.get(&id)?.kind))?;
    if kind == OtpKind::Hotp {
        // Copying must not advance a counter behind the user's back.
        return Err(Failure::new(
            ErrorCode::InvalidInput,
            "an HOTP code is copied right after it is shown: use 'next code' first",
        ));
    }
    let code = state.with_vault(|vault| vault.code(&id, now))?;
    state.copier.copy(Zeroizing::new(code))
}

/// Accounts in a pasted `otpauth://` or `otpauth-migration://` text, held for confirmation.
#[tauri::command(async)]
pub fn read_text(state: State<'_, AppState>, text: String) -> CommandResult<Pending> {
    let text = Zeroizing::new(text);
    state.hold(capture::from_text(&text)?, "uri")
}

/// Accounts in the QR code of an image file; the body is the file's raw bytes.
#[tauri::command(async)]
pub fn scan_image(state: State<'_, AppState>, request: Request<'_>) -> CommandResult<Pending> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(Failure::new(
            ErrorCode::InvalidInput,
            "send the image as raw bytes",
        ));
    };
    state.hold(capture::from_image(bytes, "from the file")?, "image")
}

/// Accounts in one camera frame (raw RGBA body; `x-width` and `x-height` headers). `null`
/// when the frame shows no QR code yet.
#[tauri::command(async)]
pub fn scan_frame(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> CommandResult<Option<Pending>> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(Failure::new(
            ErrorCode::InvalidInput,
            "send the frame as raw RGBA bytes",
        ));
    };
    let dimension = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u32>().ok())
            .ok_or_else(|| Failure::new(ErrorCode::InvalidInput, format!("missing header {name}")))
    };
    let (width, height) = (dimension("x-width")?, dimension("x-height")?);
    match capture::from_camera_frame(width, height, bytes)? {
        Some(parsed) => state.hold(parsed, "camera").map(Some),
        None => Ok(None),
    }
}

/// Accounts in a QR code on the screen.
#[tauri::command(async)]
pub fn scan_screen(state: State<'_, AppState>) -> CommandResult<Pending> {
    state.hold(capture::from_screen()?, "screen")
}

/// Accounts from the clipboard (an `otpauth` text or a QR image).
#[tauri::command(async)]
pub fn scan_clipboard(state: State<'_, AppState>) -> CommandResult<Pending> {
    state.hold(capture::from_clipboard()?, "clipboard")
}

/// An account typed by hand, validated like a URI, held for confirmation.
#[tauri::command(async)]
pub fn add_manual(state: State<'_, AppState>, form: ManualForm) -> CommandResult<Pending> {
    let secret_text = Zeroizing::new(form.secret);
    let name = form.name.trim();
    if name.is_empty() {
        return Err(Failure::new(ErrorCode::InvalidInput, "the account name is empty").on("name"));
    }
    let kind = match form.kind.as_str() {
        "totp" => OtpKind::Totp,
        "hotp" => OtpKind::Hotp,
        other => {
            return Err(
                Failure::new(ErrorCode::InvalidInput, format!("unknown type '{other}'")).on("kind"),
            );
        }
    };
    let algorithm: Algorithm = form.algorithm.parse().map_err(|()| {
        Failure::new(
            ErrorCode::InvalidInput,
            format!("unknown algorithm '{}'", form.algorithm),
        )
        .on("algorithm")
    })?;
    let secret = Secret::from_base32(&secret_text).map_err(|e| Failure::from(e).on("secret"))?;
    let account = Account {
        kind,
        issuer: form.issuer.trim().to_owned(),
        name: name.to_owned(),
        algorithm,
        digits: form.digits,
        period: form.period,
        counter: form.counter,
        secret,
        push: None,
    };
    // The same checks as a scanned URI (length, digits, period), with the same warnings.
    let uri = Zeroizing::new(otpauth::format(&account));
    let parsed = otpauth::parse(&uri).map_err(|e| {
        let field = match &e {
            otentik::Error::InvalidDigits { .. } => "digits",
            otentik::Error::InvalidPeriod { .. } => "period",
            otentik::Error::InvalidCounter { .. } => "counter",
            otentik::Error::SecretTooShort { .. } | otentik::Error::EmptySecret => "secret",
            _ => "name",
        };
        Failure::from(e).on(field)
    })?;
    state.hold(vec![parsed], "form")
}

/// Adds the accounts held under `token`. Accounts already kept with the same secret are
/// skipped and listed; if the keyring fails midway, the rest stay held for a retry.
#[tauri::command(async)]
pub fn confirm_add(state: State<'_, AppState>, token: String) -> CommandResult<AddResult> {
    let now = state.clock.now();
    let mut accounts = state.take(&token)?.into_iter();
    let mut result = AddResult {
        added: Vec::new(),
        duplicates: Vec::new(),
    };
    while let Some(account) = accounts.next() {
        match state.with_vault(|vault| vault.add(&account, now, false)) {
            Ok(stored) if stored.push.is_some() => {
                result.added.push(enroll(&state, &stored.id, now)?);
            }
            Ok(stored) => result.added.push((&stored).into()),
            Err(failure) if failure.code == ErrorCode::Duplicate => {
                result.duplicates.push(account.label())
            }
            Err(failure) => {
                let rest: Vec<Account> = std::iter::once(account).chain(accounts).collect();
                state.put_back(&token, rest)?;
                restart_push(&state);
                return Err(failure);
            }
        }
    }
    restart_push(&state);
    Ok(result)
}

/// Enrols a push account at its server. The account is kept whatever happens: when the
/// server cannot be reached or refuses, the view says why (TOTP codes work regardless) and
/// `retry_push` tries again.
fn enroll(state: &AppState, id: &str, now: u64) -> CommandResult<AccountView> {
    let client = state.approvals.client()?;
    state.with_vault(|vault| {
        let outcome =
            state
                .approvals
                .block_on(accounts::enroll(vault, client, id, &device_name(), now));
        let stored = vault.get(id)?;
        let mut view = AccountView::live(stored, &state.approvals);
        if let (Some(push), Some(problem)) = (view.push.as_mut(), problem(outcome)) {
            push.problem.get_or_insert(problem);
        }
        Ok(view)
    })
}

/// Why a push call that does not stop the command failed, if it did (the push runtime, or the
/// server).
fn problem<T>(outcome: CommandResult<otentik::Result<T>>) -> Option<String> {
    match outcome {
        Ok(Ok(_)) => None,
        Ok(Err(error)) => Some(error.to_string()),
        Err(failure) => Some(failure.message),
    }
}

/// Polling follows the vault's push accounts; a failure here only delays requests (the next
/// start or add retries), so it is reported, not returned.
fn restart_push(state: &AppState) {
    if let Err(failure) = state.restart_push() {
        eprintln!("Otentik: login requests are not being fetched: {failure}");
    }
}

/// Forgets the accounts held under `token`.
#[tauri::command(async)]
pub fn cancel_add(state: State<'_, AppState>, token: String) -> CommandResult<()> {
    state.take(&token).map(drop)
}

/// The oldest `otpauth://` link the app was opened with and the UI has not shown yet.
#[tauri::command(async)]
pub fn take_link(state: State<'_, AppState>) -> CommandResult<Option<Pending>> {
    state.take_link()
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
        return Err(Failure::new(ErrorCode::InvalidInput, "the account name is empty").on("name"));
    }
    let issuer = issuer.map(|i| i.trim().to_owned());
    state.with_vault(|vault| {
        let stored = vault.rename(&id, issuer.as_deref(), name.as_deref())?;
        Ok((&stored).into())
    })
}

/// Moves an account to `index` (0-based) in the list.
#[tauri::command(async)]
pub fn move_account(state: State<'_, AppState>, id: String, index: usize) -> CommandResult<()> {
    state.with_vault(|vault| vault.move_to(&id, index))
}

/// Removes an account and its secret (the UI asks first, after `check_removal`). A push
/// device is unregistered at its server first; when the server is away the account goes all
/// the same (the site's "disable TOTP" clears a device it can no longer reach).
#[tauri::command(async)]
pub fn remove_account(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    let now = state.clock.now();
    let push = state.with_vault(|vault| Ok(vault.get(&id)?.push.is_some()))?;
    if push && let Ok(client) = state.approvals.client() {
        let unregistered = state.with_vault(|vault| {
            Ok(state
                .approvals
                .block_on(accounts::unregister(vault, client, &id, now)))
        })?;
        if let Some(problem) = problem(unregistered) {
            eprintln!("Otentik: the device could not be unregistered: {problem}");
        }
    }
    state.with_vault(|vault| vault.remove(&id).map(drop))?;
    state.approvals.forget_account(&id);
    if push {
        restart_push(&state);
    }
    Ok(())
}

/// Before Hapus: asks the site whether TOTP is still on for this push account.
#[tauri::command(async)]
pub fn check_removal(state: State<'_, AppState>, id: String) -> CommandResult<RemovalCheck> {
    let now = state.clock.now();
    let push = state.with_vault(|vault| Ok(vault.get(&id)?.push.is_some()))?;
    let (site_active, unreachable) = if push {
        let client = state.approvals.client()?;
        let status = state.with_vault(|vault| {
            Ok(state
                .approvals
                .block_on(accounts::status(vault, client, &id, now)))
        })???;
        match status {
            otentik::push::PushStatus::Active => (true, None),
            otentik::push::PushStatus::Unreachable(why) => (false, Some(why)),
            _ => (false, None),
        }
    } else {
        (false, None)
    };
    Ok(RemovalCheck {
        site_active,
        unreachable,
    })
}

/// The login requests waiting, newest first; expired ones are dropped.
#[tauri::command(async)]
pub fn push_requests(state: State<'_, AppState>) -> CommandResult<Requests> {
    let at_ms = state.clock.now_ms();
    let offsets: Vec<(String, i64)> = state.with_vault(|vault| {
        Ok(vault
            .accounts()
            .iter()
            .filter_map(|a| a.push.as_ref().map(|p| (a.id.clone(), p.clock_offset)))
            .collect())
    })?;
    let left_ms = |request: &otentik::push::PendingRequest| {
        let offset = offsets
            .iter()
            .find(|(id, _)| *id == request.account_id)
            .map_or(0, |(_, offset)| *offset);
        let server_now_ms = at_ms.saturating_add_signed(offset.saturating_mul(1000));
        request
            .challenge
            .expires_at
            .saturating_mul(1000)
            .saturating_sub(server_now_ms)
    };
    let requests = state
        .approvals
        .queued(|r| left_ms(r) == 0 || !offsets.iter().any(|(id, _)| *id == r.account_id))
        .iter()
        .map(|r| RequestView {
            id: r.challenge.id.clone(),
            account_id: r.account_id.clone(),
            account: r.account_label.clone(),
            site: r.challenge.site.clone(),
            site_account: r.challenge.account.clone(),
            ip: r.challenge.ip.clone(),
            browser: r.challenge.user_agent.clone(),
            time: r.challenge.created_at,
            expires_in_ms: left_ms(r),
            numbers: r.challenge.numbers.clone(),
        })
        .collect();
    Ok(Requests { at_ms, requests })
}

/// Answers a login request: `"approve"` (Ya, with the number when the site shows one),
/// `"deny"` (Tidak) or `"not_me"` (Bukan saya).
#[tauri::command(async)]
pub fn answer_request(
    state: State<'_, AppState>,
    id: String,
    decision: String,
    number: Option<u8>,
) -> CommandResult<AnswerView> {
    let now = state.clock.now();
    let decision = [Decision::Approve, Decision::Deny, Decision::NotMe]
        .into_iter()
        .find(|d| d.as_str() == decision)
        .ok_or_else(|| {
            Failure::new(
                ErrorCode::InvalidInput,
                format!("unknown decision '{decision}': use approve, deny or not_me"),
            )
        })?;
    let client = state.approvals.client()?;
    let answered = state.with_vault(|vault| {
        Ok(state
            .approvals
            .block_on(accounts::answer(vault, client, &id, decision, number, now)))
    })?;
    state.approvals.wake();
    match answered? {
        Ok((request, response)) => {
            state.approvals.forget(&id);
            Ok(AnswerView {
                status: response.status.as_str().to_owned(),
                wrong_number: response.wrong_number,
                site: request.challenge.site,
                site_account: request.challenge.account,
            })
        }
        Err(error) => {
            if matches!(error, otentik::Error::PushChallengeGone { .. }) {
                state.approvals.forget(&id);
            }
            Err(error.into())
        }
    }
}

/// Tries again to enrol a push account whose server could not be reached or refused.
#[tauri::command(async)]
pub fn retry_push(state: State<'_, AppState>, id: String) -> CommandResult<AccountView> {
    let now = state.clock.now();
    let current = state.with_vault(|vault| Ok(vault.get(&id)?.push.clone()))?;
    match current.map(|p| p.state) {
        None => Err(Failure::new(
            ErrorCode::NotPushAccount,
            "this account has no login approvals",
        )),
        Some(PushState::Revoked) => Err(Failure::new(
            ErrorCode::PushRevoked,
            "the site disabled or reset TOTP: enable it again on the site and scan the new QR code",
        )),
        Some(_) => {
            let view = enroll(&state, &id, now)?;
            restart_push(&state);
            Ok(view)
        }
    }
}

/// The UI's language, so notifications speak it too (`"id"` or `"en"`).
#[tauri::command(async)]
pub fn set_language(state: State<'_, AppState>, language: String) -> CommandResult<()> {
    state.approvals.set_language(&language)
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
            .collect()
    })
}
