//! ENABLE TOTP (the QR page, followed until the device enrols or a typed code confirms it) and
//! DISABLE TOTP, from Beranda.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use otentik_protocol::rp_api::{CreateEnrollment, EnrollmentState};

use super::login::CodeForm;
use super::pages;
use super::reply::{html, no_status, page_error, status_json, status_wait};
use super::session::Session;
use crate::api::blocking;
use crate::state::AppState;
use crate::{Error, enrollment, user};

pub async fn enable_start(State(app): State<AppState>, session: Session) -> Response {
    let Some(user) = session.user() else {
        return Redirect::to("/login").into_response();
    };
    let request = CreateEnrollment {
        user_id: user.id.to_owned(),
        display_name: Some(user.id.to_owned()),
    };
    match blocking(&app, move |app| enrollment::create(app, &request)).await {
        Ok(e) => {
            session.with(|s| s.enrollment = Some((e.enrollment_id, e.otpauth_uri, e.qr_svg)));
            Redirect::to("/totp/enable").into_response()
        }
        Err(Error::TotpAlreadyEnabled) => Redirect::to("/beranda").into_response(),
        Err(e) => page_error(e),
    }
}

pub async fn enable_page(State(app): State<AppState>, session: Session) -> Response {
    if session.user().is_none() {
        return Redirect::to("/login").into_response();
    }
    let Some((id, uri, svg)) = session.with(|s| s.enrollment.clone()) else {
        return Redirect::to("/beranda").into_response();
    };
    enable_view(&app, &session, &id, &uri, &svg, None).await
}

/// The enrolment's page as it stands: done, the QR (with `message`), or expired.
async fn enable_view(
    app: &AppState,
    session: &Session,
    id: &str,
    uri: &str,
    svg: &str,
    message: Option<&str>,
) -> Response {
    match enrollment::status(app, id, 0).await {
        Ok(status) => match status.status {
            EnrollmentState::Completed => html(pages::done(
                "Berhasil Enable TOTP",
                "Berhasil Enable TOTP. Login berikutnya memakai persetujuan di Otentik.",
            )),
            EnrollmentState::Pending => html(pages::enable_qr(uri, svg, message)),
            EnrollmentState::Expired => {
                session.with(|s| s.enrollment = None);
                html(pages::refused(
                    "Kode QR Kedaluwarsa",
                    "Kode QR kedaluwarsa. Kembali ke Beranda dan klik ENABLE TOTP lagi.",
                ))
            }
        },
        Err(e) => page_error(e),
    }
}

pub async fn enable_status(
    State(app): State<AppState>,
    session: Session,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((id, _, _)) = session.with(|s| s.enrollment.clone()) else {
        return no_status();
    };
    status_json(enrollment::status(&app, &id, status_wait(query.as_deref())).await)
}

pub async fn enable_code(
    State(app): State<AppState>,
    session: Session,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let Some((id, uri, svg)) = session.with(|s| s.enrollment.clone()) else {
        return Redirect::to("/beranda").into_response();
    };
    let code = form.map(|Form(f)| f.totp).unwrap_or_default();
    let enrollment_id = id.clone();
    let message = match blocking(&app, move |app| {
        enrollment::confirm(app, &enrollment_id, &code)
    })
    .await
    {
        Ok(_) | Err(Error::EnrollmentClosed) => None,
        Err(Error::InvalidCode) => Some("Kode TOTP salah."),
        Err(e) => return page_error(e),
    };
    enable_view(&app, &session, &id, &uri, &svg, message).await
}

/// How long a second factor proven at login (or by activating TOTP in this session) lets
/// the user disable TOTP without typing a code.
pub const FRESH_PROOF_SECS: u64 = 10 * 60;

/// The DISABLE TOTP form: carries the session's form token, and asks for a current code
/// unless the second factor was proven in this session in the last [`FRESH_PROOF_SECS`].
#[derive(Debug, serde::Deserialize)]
pub struct DisableForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub totp: String,
}

/// Whether the user proved the second factor in this session recently: a push approval or a
/// typed code at login, or the activation this session just completed.
async fn recently_proven(app: &AppState, session: &Session) -> bool {
    let (proven_at, enrollment) = session.with(|s| (s.proven_at, s.enrollment.clone()));
    if proven_at.is_some_and(|at| at + FRESH_PROOF_SECS > app.now()) {
        return true;
    }
    match enrollment {
        Some((id, _, _)) => matches!(
            enrollment::status(app, &id, 0).await,
            Ok(status) if status.status == EnrollmentState::Completed
        ),
        None => false,
    }
}

pub async fn disable_page(State(app): State<AppState>, session: Session) -> Response {
    if session.user().is_none() {
        return Redirect::to("/login").into_response();
    }
    let needs_code = !recently_proven(&app, &session).await;
    html(pages::disable_confirm(
        &session.form_token(),
        needs_code,
        None,
    ))
}

pub async fn disable_submit(
    State(app): State<AppState>,
    session: Session,
    form: Result<Form<DisableForm>, FormRejection>,
) -> Response {
    let Some(user) = session.user() else {
        return Redirect::to("/login").into_response();
    };
    let form = form.map(|Form(f)| f).unwrap_or(DisableForm {
        token: String::new(),
        totp: String::new(),
    });
    if !session.form_token_ok(&form.token) {
        return (
            axum::http::StatusCode::FORBIDDEN,
            html(pages::refused(
                "Formulir Kedaluwarsa",
                "Formulir tidak sah atau kedaluwarsa. Buka Beranda dan klik DISABLE TOTP lagi.",
            )),
        )
            .into_response();
    }
    if !recently_proven(&app, &session).await {
        let again = |message: &str| {
            (
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                html(pages::disable_confirm(
                    &session.form_token(),
                    true,
                    Some(message),
                )),
            )
                .into_response()
        };
        let typed = form.totp.clone();
        match blocking(&app, move |app| user::verify_code(app, user.id, &typed)).await {
            Ok(true) => {}
            Ok(false) | Err(Error::InvalidField { .. }) => {
                return again("Kode TOTP salah atau sudah dipakai.");
            }
            Err(Error::RateLimited(seconds)) => {
                return again(&format!(
                    "Terlalu banyak percobaan. Coba lagi dalam {}.",
                    super::login::wait_text(seconds)
                ));
            }
            Err(e) => return page_error(e),
        }
    }
    match blocking(&app, move |app| user::turn_off(app, user.id, "disabled")).await {
        Ok(_) => html(pages::done(
            "Berhasil Disable TOTP",
            "Berhasil Disable TOTP. Akun situs ini di Otentik boleh dihapus.",
        )),
        Err(e) => page_error(e),
    }
}
