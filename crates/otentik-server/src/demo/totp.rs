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
    match enrollment::create(&app, &request) {
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
    let message = match enrollment::confirm(&app, &id, &code) {
        Ok(_) | Err(Error::EnrollmentClosed) => None,
        Err(Error::InvalidCode) => Some("Kode TOTP salah."),
        Err(e) => return page_error(e),
    };
    enable_view(&app, &session, &id, &uri, &svg, message).await
}

pub async fn disable_page(session: Session) -> Response {
    if session.user().is_none() {
        return Redirect::to("/login").into_response();
    }
    html(pages::disable_confirm())
}

pub async fn disable_submit(State(app): State<AppState>, session: Session) -> Response {
    let Some(user) = session.user() else {
        return Redirect::to("/login").into_response();
    };
    match user::turn_off(&app, user.id, "disabled") {
        Ok(_) => html(pages::done(
            "Berhasil Disable TOTP",
            "Berhasil Disable TOTP. Akun situs ini di Otentik boleh dihapus.",
        )),
        Err(e) => page_error(e),
    }
}
