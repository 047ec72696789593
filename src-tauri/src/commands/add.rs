//! Adding accounts: read them from a pasted text, an image, a camera frame, the screen, the
//! clipboard or the form; hold them under a one-time token; add them when the user confirms.

use otentik::browser::relay;
use otentik::otpauth;
use otentik::{Account, Code, Secret};
use tauri::State;
use tauri::ipc::{InvokeBody, Request};
use zeroize::Zeroizing;

use crate::capture;
use crate::failure::{AppCode, CommandResult, ErrorCode, Failure};
use crate::state::AppState;
use crate::views::{AddResult, ManualForm, Pending, Source};

/// Accounts in a pasted `otpauth://` or `otpauth-migration://` text, held for confirmation.
#[tauri::command(async)]
pub fn read_text(state: State<'_, AppState>, text: String) -> CommandResult<Pending> {
    let text = Zeroizing::new(text);
    state.hold(capture::from_text(&text)?, Source::Uri)
}

/// Accounts in the QR code of an image file; the body is the file's raw bytes.
#[tauri::command(async)]
pub fn scan_image(state: State<'_, AppState>, request: Request<'_>) -> CommandResult<Pending> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(Failure::new(
            AppCode::InvalidInput,
            "send the image as raw bytes",
        ));
    };
    state.hold(capture::from_image(bytes, "from the file")?, Source::Image)
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
            AppCode::InvalidInput,
            "send the frame as raw RGBA bytes",
        ));
    };
    let dimension = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u32>().ok())
            .ok_or_else(|| Failure::new(AppCode::InvalidInput, format!("missing header {name}")))
    };
    let (width, height) = (dimension("x-width")?, dimension("x-height")?);
    match capture::from_camera_frame(width, height, bytes)? {
        Some(parsed) => state.hold(parsed, Source::Camera).map(Some),
        None => Ok(None),
    }
}

/// Accounts in a QR code on the screen.
#[tauri::command(async)]
pub fn scan_screen(state: State<'_, AppState>) -> CommandResult<Pending> {
    state.hold(capture::from_screen()?, Source::Screen)
}

/// Accounts from the clipboard (an `otpauth` text or a QR image).
#[tauri::command(async)]
pub fn scan_clipboard(state: State<'_, AppState>) -> CommandResult<Pending> {
    state.hold(capture::from_clipboard()?, Source::Clipboard)
}

/// An account typed by hand, validated like a URI, held for confirmation.
#[tauri::command(async)]
pub fn add_manual(state: State<'_, AppState>, form: ManualForm) -> CommandResult<Pending> {
    let secret_text = Zeroizing::new(form.secret);
    let name = form.name.trim();
    if name.is_empty() {
        return Err(Failure::new(AppCode::InvalidInput, "the account name is empty").on("name"));
    }
    let secret = Secret::from_base32(&secret_text).map_err(|e| Failure::from(e).on("secret"))?;
    let account = Account {
        kind: form.kind,
        issuer: form.issuer.trim().to_owned(),
        name: name.to_owned(),
        algorithm: form.algorithm,
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
    state.hold(vec![parsed], Source::Form)
}

/// Adds the accounts held under `token`. Accounts already kept with the same secret are
/// skipped and listed; if the keyring fails midway, the rest stay held for a retry. Push
/// accounts are enrolled at their server (see [`super::push::enroll`]).
#[tauri::command(async)]
pub fn confirm_add(state: State<'_, AppState>, token: String) -> CommandResult<AddResult> {
    let now = state.clock.now();
    let mut accounts = state.take(&token)?.into_iter();
    // From the browser: bound to the page's origin, and the browser is answered.
    let asked = state.take_asked(&token);
    let mut result = AddResult {
        added: Vec::new(),
        duplicates: Vec::new(),
    };
    while let Some(account) = accounts.next() {
        let added = state.with_vault(|vault| {
            let stored = vault.add(&account, now, false)?;
            match &asked {
                // Bound before any enrolment: the account is never unbound once listed.
                Some(asked) => vault.set_origins(&stored.id, std::slice::from_ref(&asked.origin)),
                None => Ok(stored),
            }
        });
        match added {
            Ok(stored) if stored.push.is_some() => {
                match super::push::enroll(&state, &stored.id, now) {
                    Ok(view) => result.added.push(view),
                    Err(failure) => {
                        // Kept and bound all the same: the browser is told so.
                        if let Some(asked) = asked {
                            asked.answer(relay::added(&stored.id, &stored.issuer, &stored.name));
                        }
                        return Err(failure);
                    }
                }
            }
            Ok(stored) => result.added.push((&stored).into()),
            Err(failure) if failure.code == ErrorCode::Core(Code::Duplicate) => {
                result.duplicates.push(account.label())
            }
            Err(failure) => {
                let rest: Vec<Account> = std::iter::once(account).chain(accounts).collect();
                state.put_back(&token, rest)?;
                if let Some(asked) = asked {
                    state.put_back_asked(&token, asked);
                }
                super::push::restart_polling(&state);
                return Err(failure);
            }
        }
    }
    super::push::restart_polling(&state);
    state.backups.nudge();
    if let Some(asked) = asked {
        asked.answer(match (result.added.first(), result.duplicates.first()) {
            (Some(view), _) => relay::added(&view.id, &view.issuer, &view.name),
            (None, Some(label)) => relay::refused(
                "duplicate",
                &format!("{label} is already in Otentik: to fill its codes on this site, add the site in Detail akun"),
            ),
            (None, None) => relay::refused("not_confirmed", "nothing was added"),
        });
    }
    Ok(result)
}

/// Forgets the accounts held under `token` (from the browser: it is told they were declined).
#[tauri::command(async)]
pub fn cancel_add(state: State<'_, AppState>, token: String) -> CommandResult<()> {
    let taken = state.take(&token).map(drop);
    if let Some(asked) = state.take_asked(&token) {
        asked.answer(relay::refused(
            "declined",
            "declined in Otentik: nothing was added",
        ));
    }
    taken
}

/// The oldest `otpauth://` link the app was opened with and the UI has not shown yet.
#[tauri::command(async)]
pub fn take_link(state: State<'_, AppState>) -> CommandResult<Option<Pending>> {
    state.take_link()
}
