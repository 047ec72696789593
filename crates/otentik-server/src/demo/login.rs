//! The login flow: LOGIN → PENYEDIA / NON PENYEDIA → form (User ID, password, Kode Keamanan)
//! → straight to Beranda (TOTP off), the waiting page with the number to match (push), or the
//! TOTP code form (no push device, or the user's choice); then Beranda and logout.

use std::net::SocketAddr;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use otentik_protocol::rp_api::{CreateLogin, LoginState};
use serde::Deserialize;

use super::pages;
use super::reply::{html, no_status, page_error, status_json, status_wait};
use super::session::{PendingLogin, Session, SessionData};
use super::users::{UserKind, find_user};
use crate::api::blocking;
use crate::state::AppState;
use crate::{Error, login, user};

/// The user type in `/login/{tipe}`; any other value is the "not found" page.
pub struct Kind(UserKind);

impl<S: Send + Sync> FromRequestParts<S> for Kind {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path(tipe) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        UserKind::from_slug(&tipe)
            .map(Kind)
            .ok_or_else(|| page_error(Error::NotFound("page")))
    }
}

/// The browser's address, when the server was started with connect info.
pub struct ClientIp(String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string())
                .unwrap_or_else(|| "tidak diketahui".into()),
        ))
    }
}

pub async fn home(session: Session) -> Response {
    let logged_in = session.with(|s| s.user.is_some());
    html(pages::home(logged_in))
}

pub async fn choose_kind() -> Response {
    html(pages::choose_kind())
}

pub async fn form(Kind(kind): Kind, session: Session) -> Response {
    let code = session.new_captcha();
    html(pages::login_form(kind, &code, None))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    userid: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    kode: String,
}

pub async fn submit(
    State(app): State<AppState>,
    Kind(kind): Kind,
    session: Session,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let again = |message: &str| {
        let code = session.new_captcha();
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            html(pages::login_form(kind, &code, Some(message))),
        )
            .into_response()
    };
    let Ok(Form(form)) = form else {
        return again("Formulir tidak lengkap.");
    };
    if !session.captcha_ok(&form.kode) {
        return again("Kode Keamanan salah. Ketik kode yang tampil.");
    }
    let user = find_user(form.userid.trim()).filter(|u| {
        u.kind == kind
            && subtle::ConstantTimeEq::ct_eq(u.password.as_bytes(), form.password.as_bytes()).into()
    });
    let Some(user) = user else {
        return again("User ID atau password salah.");
    };
    let status = match blocking(&app, move |app| user::status(app, user.id)).await {
        Ok(status) => status,
        Err(e) => return page_error(e),
    };
    if !status.totp_enabled {
        session.log_in(user.id, None);
        return Redirect::to("/beranda").into_response();
    }
    if status.devices == 0 {
        session.with(|s| {
            s.pending = Some(PendingLogin {
                user_id: user.id.to_owned(),
                login_id: None,
                number: None,
                number_entry: false,
            })
        });
        return Redirect::to("/login/kode").into_response();
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("tidak diketahui")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let request = CreateLogin {
        user_id: user.id.to_owned(),
        ip,
        user_agent,
        number_matching: None,
        number_mode: None,
    };
    match blocking(&app, move |app| login::create(app, &request)).await {
        Ok(login) => {
            session.with(|s| {
                s.pending = Some(PendingLogin {
                    user_id: user.id.to_owned(),
                    login_id: Some(login.login_id),
                    number: login.number,
                    number_entry: login.number_entry,
                })
            });
            Redirect::to("/login/tunggu").into_response()
        }
        Err(Error::RateLimited(seconds)) => again(&format!(
            "Terlalu banyak percobaan login. Coba lagi dalam {}.",
            wait_text(seconds)
        )),
        Err(e) => page_error(e),
    }
}

pub async fn waiting(State(app): State<AppState>, session: Session) -> Response {
    let Some(pending) = session.with(|s| s.pending.clone()) else {
        return Redirect::to("/login").into_response();
    };
    let Some(login_id) = &pending.login_id else {
        return Redirect::to("/login/kode").into_response();
    };
    match login::status(&app, login_id, 0).await {
        Ok(status) if status.status == LoginState::Pending => html(pages::waiting(
            &pending.user_id,
            pending.number,
            pending.number_entry,
        )),
        Ok(_) => Redirect::to("/login/selesai").into_response(),
        Err(e) => page_error(e),
    }
}

pub async fn waiting_status(
    State(app): State<AppState>,
    session: Session,
    RawQuery(query): RawQuery,
) -> Response {
    let login_id = session.with(|s| s.pending.as_ref().and_then(|p| p.login_id.clone()));
    let Some(login_id) = login_id else {
        return no_status();
    };
    status_json(login::status(&app, &login_id, status_wait(query.as_deref())).await)
}

pub async fn finish(State(app): State<AppState>, session: Session) -> Response {
    let Some(pending) = session.with(|s| s.pending.clone()) else {
        return Redirect::to("/login").into_response();
    };
    let Some(login_id) = &pending.login_id else {
        return Redirect::to("/login/kode").into_response();
    };
    let status = match login::status(&app, login_id, 0).await {
        Ok(status) => status.status,
        Err(e) => return page_error(e),
    };
    let refused = |title: &str, text: &str| {
        session.with(|s| s.pending = None);
        html(pages::refused(title, text))
    };
    match status {
        LoginState::Pending => Redirect::to("/login/tunggu").into_response(),
        LoginState::Approved => {
            session.log_in(&pending.user_id, Some(app.now()));
            Redirect::to("/beranda").into_response()
        }
        LoginState::Denied => refused("Login Ditolak", "Login ditolak di aplikasi Otentik."),
        LoginState::NotMe => refused(
            "Login Ditolak dan Dilaporkan",
            "Pemilik akun menjawab \"Bukan saya\": login ditolak dan dilaporkan. \
             Segera ganti password Anda.",
        ),
        LoginState::Expired => refused(
            "Permintaan Kedaluwarsa",
            "Permintaan login kedaluwarsa atau digantikan. Silakan login ulang.",
        ),
    }
}

pub async fn code_form(session: Session) -> Response {
    if session.with(|s| s.pending.is_none()) {
        return Redirect::to("/login").into_response();
    }
    html(pages::code_form(None))
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub totp: String,
}

pub async fn code_submit(
    State(app): State<AppState>,
    session: Session,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let Some(pending) = session.with(|s| s.pending.clone()) else {
        return Redirect::to("/login").into_response();
    };
    let code = form.map(|Form(f)| f.totp).unwrap_or_default();
    let user_id = pending.user_id.clone();
    match blocking(&app, move |app| user::verify_code(app, &user_id, &code)).await {
        Ok(true) => {
            session.log_in(&pending.user_id, Some(app.now()));
            Redirect::to("/beranda").into_response()
        }
        Ok(false) | Err(Error::InvalidField { .. }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            html(pages::code_form(Some(
                "Kode TOTP salah atau sudah dipakai.",
            ))),
        )
            .into_response(),
        Err(Error::RateLimited(seconds)) => (
            StatusCode::TOO_MANY_REQUESTS,
            html(pages::code_form(Some(&format!(
                "Terlalu banyak percobaan. Coba lagi dalam {}.",
                wait_text(seconds)
            )))),
        )
            .into_response(),
        Err(e) => page_error(e),
    }
}

pub async fn beranda(State(app): State<AppState>, session: Session) -> Response {
    let Some(user) = session.user() else {
        return Redirect::to("/login").into_response();
    };
    match blocking(&app, move |app| user::status(app, user.id)).await {
        Ok(status) => html(pages::beranda(user, &status, None)),
        Err(e) => page_error(e),
    }
}

pub async fn logout(session: Session) -> Response {
    session.with(|s| *s = SessionData::default());
    Redirect::to("/").into_response()
}

/// "N detik" under a minute, else "N menit" (rounded up): how long the user must wait.
pub fn wait_text(seconds: u64) -> String {
    if seconds < 60 {
        format!("{seconds} detik")
    } else {
        format!("{} menit", seconds.div_ceil(60))
    }
}
