//! Demo-site handlers. Every failure is a page (HTML), never a panic or a JSON error.

use axum::Form;
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;
use otentik_protocol::rp_api::{CreateEnrollment, CreateLogin, EnrollmentState, LoginState};
use rusqlite::{OptionalExtension as _, params};
use serde::Deserialize;

use super::{ClientIp, PendingLogin, Session, UserKind, find_user, outbox, pages};
use crate::api_body::wait_param;
use crate::state::AppState;
use crate::{Error, enrollment, login, token, user};

const COOKIE: &str = "otentik_demo_sid";
/// Seconds an e-mailed reset link stays valid.
const RESET_TTL: u64 = 30 * 60;

/// The browser's session id, made (and set as a cookie on the answer) when missing.
struct Sid {
    id: String,
    new: bool,
}

fn sid(state: &AppState, headers: &HeaderMap) -> Sid {
    let Some(demo) = &state.demo else {
        return Sid {
            id: String::new(),
            new: false,
        };
    };
    let given = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned());
    let mut sessions = demo.sessions();
    if let Some(id) = given
        && sessions.contains_key(&id)
    {
        return Sid { id, new: false };
    }
    if sessions.len() > 10_000 {
        sessions.clear();
    }
    let id = token::random("", 18);
    sessions.insert(id.clone(), Session::default());
    Sid { id, new: true }
}

fn with<R>(state: &AppState, sid: &Sid, f: impl FnOnce(&mut Session) -> R) -> R {
    let mut empty = Session::default();
    match &state.demo {
        Some(demo) => {
            let mut sessions = demo.sessions();
            let session = sessions.entry(sid.id.clone()).or_default();
            f(session)
        }
        None => f(&mut empty),
    }
}

fn respond(sid: &Sid, response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    if sid.new {
        let cookie = format!("{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax", sid.id);
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

fn html(markup: Markup) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        markup.into_string(),
    )
        .into_response()
}

fn page_error(error: Error) -> Response {
    let status = error.status();
    let text = if status.is_server_error() {
        tracing::error!(%error, "demo page failed");
        "Terjadi kesalahan pada server. Silakan coba lagi.".to_owned()
    } else {
        error.to_string()
    };
    (status, html(pages::refused("Kesalahan", &text))).into_response()
}

fn new_captcha(state: &AppState, sid: &Sid) -> String {
    let code = format!("{:04}", token::below(10_000));
    with(state, sid, |s| s.captcha = code.clone());
    code
}

/// Checks and consumes the captcha (each one works once).
fn captcha_ok(state: &AppState, sid: &Sid, typed: &str) -> bool {
    with(state, sid, |s| {
        let ok = !s.captcha.is_empty() && s.captcha == typed.trim();
        s.captcha.clear();
        ok
    })
}

pub async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sid = sid(&state, &headers);
    let logged_in = with(&state, &sid, |s| s.user.is_some());
    respond(&sid, html(pages::home(logged_in)))
}

pub async fn choose_kind() -> Response {
    html(pages::choose_kind())
}

pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(tipe): Path<String>,
) -> Response {
    let Some(kind) = UserKind::from_slug(&tipe) else {
        return page_error(Error::NotFound("page"));
    };
    let sid = sid(&state, &headers);
    let code = new_captcha(&state, &sid);
    respond(&sid, html(pages::login_form(kind, &code, None)))
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

pub async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Path(tipe): Path<String>,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Some(kind) = UserKind::from_slug(&tipe) else {
        return page_error(Error::NotFound("page"));
    };
    let sid = sid(&state, &headers);
    let again = |state: &AppState, sid: &Sid, message: &str| {
        let code = new_captcha(state, sid);
        respond(
            sid,
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                html(pages::login_form(kind, &code, Some(message))),
            ),
        )
    };
    let Ok(Form(form)) = form else {
        return again(&state, &sid, "Formulir tidak lengkap.");
    };
    if !captcha_ok(&state, &sid, &form.kode) {
        return again(&state, &sid, "Kode Keamanan salah. Ketik kode yang tampil.");
    }
    let user = find_user(form.userid.trim()).filter(|u| {
        u.kind == kind
            && subtle::ConstantTimeEq::ct_eq(u.password.as_bytes(), form.password.as_bytes()).into()
    });
    let Some(user) = user else {
        return again(&state, &sid, "User ID atau password salah.");
    };
    let status = match user::status(&state, user.id) {
        Ok(status) => status,
        Err(e) => return page_error(e),
    };
    if !status.totp_enabled {
        with(&state, &sid, |s| {
            s.user = Some(user.id.to_owned());
            s.pending = None;
        });
        return respond(&sid, Redirect::to("/beranda"));
    }
    if status.devices == 0 {
        with(&state, &sid, |s| {
            s.pending = Some(PendingLogin {
                user_id: user.id.to_owned(),
                login_id: None,
                number: None,
            })
        });
        return respond(&sid, Redirect::to("/login/kode"));
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
    };
    match login::create(&state, &request) {
        Ok(login) => {
            with(&state, &sid, |s| {
                s.pending = Some(PendingLogin {
                    user_id: user.id.to_owned(),
                    login_id: Some(login.login_id),
                    number: login.number,
                })
            });
            respond(&sid, Redirect::to("/login/tunggu"))
        }
        Err(Error::RateLimited(seconds)) => again(
            &state,
            &sid,
            &format!("Terlalu banyak percobaan login. Coba lagi dalam {seconds} detik."),
        ),
        Err(e) => page_error(e),
    }
}

pub async fn waiting(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sid = sid(&state, &headers);
    let Some(pending) = with(&state, &sid, |s| s.pending.clone()) else {
        return respond(&sid, Redirect::to("/login"));
    };
    let Some(login_id) = &pending.login_id else {
        return respond(&sid, Redirect::to("/login/kode"));
    };
    match login::status(&state, login_id, 0).await {
        Ok(status) if status.status == LoginState::Pending => {
            respond(&sid, html(pages::waiting(&pending.user_id, pending.number)))
        }
        Ok(_) => respond(&sid, Redirect::to("/login/selesai")),
        Err(e) => page_error(e),
    }
}

pub async fn waiting_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let sid = sid(&state, &headers);
    let login_id = with(&state, &sid, |s| {
        s.pending.as_ref().and_then(|p| p.login_id.clone())
    });
    let Some(login_id) = login_id else {
        return respond(&sid, Json(serde_json::json!({ "status": "none" })));
    };
    let wait = wait_param(query.as_deref()).unwrap_or(0).min(25);
    match login::status(&state, &login_id, wait).await {
        Ok(status) => respond(&sid, Json(status)),
        Err(e) => e.into_response(),
    }
}

pub async fn finish_login(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sid = sid(&state, &headers);
    let Some(pending) = with(&state, &sid, |s| s.pending.clone()) else {
        return respond(&sid, Redirect::to("/login"));
    };
    let Some(login_id) = &pending.login_id else {
        return respond(&sid, Redirect::to("/login/kode"));
    };
    let status = match login::status(&state, login_id, 0).await {
        Ok(status) => status.status,
        Err(e) => return page_error(e),
    };
    let clear = |s: &mut Session| s.pending = None;
    match status {
        LoginState::Pending => respond(&sid, Redirect::to("/login/tunggu")),
        LoginState::Approved => {
            with(&state, &sid, |s| {
                s.pending = None;
                s.user = Some(pending.user_id.clone());
            });
            respond(&sid, Redirect::to("/beranda"))
        }
        LoginState::Denied => {
            with(&state, &sid, clear);
            respond(
                &sid,
                html(pages::refused(
                    "Login Ditolak",
                    "Login ditolak di aplikasi Otentik.",
                )),
            )
        }
        LoginState::NotMe => {
            with(&state, &sid, clear);
            respond(
                &sid,
                html(pages::refused(
                    "Login Ditolak dan Dilaporkan",
                    "Pemilik akun menjawab \"Bukan saya\": login ditolak dan dilaporkan. \
                     Segera ganti password Anda.",
                )),
            )
        }
        LoginState::Expired => {
            with(&state, &sid, clear);
            respond(
                &sid,
                html(pages::refused(
                    "Permintaan Kedaluwarsa",
                    "Permintaan login kedaluwarsa atau digantikan. Silakan login ulang.",
                )),
            )
        }
    }
}

pub async fn code_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sid = sid(&state, &headers);
    if with(&state, &sid, |s| s.pending.is_none()) {
        return respond(&sid, Redirect::to("/login"));
    }
    respond(&sid, html(pages::code_form(None)))
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    totp: String,
}

pub async fn code_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let sid = sid(&state, &headers);
    let Some(pending) = with(&state, &sid, |s| s.pending.clone()) else {
        return respond(&sid, Redirect::to("/login"));
    };
    let code = form.map(|Form(f)| f.totp).unwrap_or_default();
    match user::verify_code(&state, &pending.user_id, &code) {
        Ok(true) => {
            with(&state, &sid, |s| {
                s.pending = None;
                s.user = Some(pending.user_id.clone());
            });
            respond(&sid, Redirect::to("/beranda"))
        }
        Ok(false) | Err(Error::InvalidField { .. }) => respond(
            &sid,
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                html(pages::code_form(Some(
                    "Kode TOTP salah atau sudah dipakai.",
                ))),
            ),
        ),
        Err(Error::RateLimited(seconds)) => respond(
            &sid,
            (
                StatusCode::TOO_MANY_REQUESTS,
                html(pages::code_form(Some(&format!(
                    "Terlalu banyak percobaan. Coba lagi dalam {seconds} detik."
                )))),
            ),
        ),
        Err(e) => page_error(e),
    }
}

fn logged_in(state: &AppState, sid: &Sid) -> Option<&'static super::DemoUser> {
    with(state, sid, |s| s.user.clone()).and_then(|id| find_user(&id))
}

pub async fn beranda(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sid = sid(&state, &headers);
    let Some(user) = logged_in(&state, &sid) else {
        return respond(&sid, Redirect::to("/login"));
    };
    match user::status(&state, user.id) {
        Ok(status) => respond(
            &sid,
            html(pages::beranda(
                user,
                status.totp_enabled,
                status.devices,
                None,
            )),
        ),
        Err(e) => page_error(e),
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sid = sid(&state, &headers);
    with(&state, &sid, |s| *s = Session::default());
    respond(&sid, Redirect::to("/"))
}

pub async fn enable_start(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sid = sid(&state, &headers);
    let Some(user) = logged_in(&state, &sid) else {
        return respond(&sid, Redirect::to("/login"));
    };
    let request = CreateEnrollment {
        user_id: user.id.to_owned(),
        display_name: Some(user.id.to_owned()),
    };
    match enrollment::create(&state, &request) {
        Ok(e) => {
            with(&state, &sid, |s| {
                s.enrollment = Some((e.enrollment_id, e.otpauth_uri, e.qr_svg))
            });
            respond(&sid, Redirect::to("/totp/enable"))
        }
        Err(Error::TotpAlreadyEnabled) => respond(&sid, Redirect::to("/beranda")),
        Err(e) => page_error(e),
    }
}

pub async fn enable_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sid = sid(&state, &headers);
    if logged_in(&state, &sid).is_none() {
        return respond(&sid, Redirect::to("/login"));
    }
    let Some((id, uri, svg)) = with(&state, &sid, |s| s.enrollment.clone()) else {
        return respond(&sid, Redirect::to("/beranda"));
    };
    enable_view(&state, &sid, &id, &uri, &svg, None).await
}

async fn enable_view(
    state: &AppState,
    sid: &Sid,
    id: &str,
    uri: &str,
    svg: &str,
    message: Option<&str>,
) -> Response {
    match enrollment::status(state, id, 0).await {
        Ok(status) => match status.status {
            EnrollmentState::Completed => respond(
                sid,
                html(pages::done(
                    "Berhasil Enable TOTP",
                    "Berhasil Enable TOTP. Login berikutnya memakai persetujuan di Otentik.",
                )),
            ),
            EnrollmentState::Pending => respond(sid, html(pages::enable_qr(uri, svg, message))),
            EnrollmentState::Expired => {
                with(state, sid, |s| s.enrollment = None);
                respond(
                    sid,
                    html(pages::refused(
                        "Kode QR Kedaluwarsa",
                        "Kode QR kedaluwarsa. Kembali ke Beranda dan klik ENABLE TOTP lagi.",
                    )),
                )
            }
        },
        Err(e) => page_error(e),
    }
}

pub async fn enable_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let sid = sid(&state, &headers);
    let Some((id, _, _)) = with(&state, &sid, |s| s.enrollment.clone()) else {
        return respond(&sid, Json(serde_json::json!({ "status": "none" })));
    };
    let wait = wait_param(query.as_deref()).unwrap_or(0).min(25);
    match enrollment::status(&state, &id, wait).await {
        Ok(status) => respond(&sid, Json(status)),
        Err(e) => e.into_response(),
    }
}

pub async fn enable_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let sid = sid(&state, &headers);
    let Some((id, uri, svg)) = with(&state, &sid, |s| s.enrollment.clone()) else {
        return respond(&sid, Redirect::to("/beranda"));
    };
    let code = form.map(|Form(f)| f.totp).unwrap_or_default();
    match enrollment::confirm(&state, &id, &code) {
        Ok(_) | Err(Error::EnrollmentClosed) => {
            enable_view(&state, &sid, &id, &uri, &svg, None).await
        }
        Err(Error::InvalidCode) => {
            enable_view(&state, &sid, &id, &uri, &svg, Some("Kode TOTP salah.")).await
        }
        Err(e) => page_error(e),
    }
}

pub async fn disable_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sid = sid(&state, &headers);
    if logged_in(&state, &sid).is_none() {
        return respond(&sid, Redirect::to("/login"));
    }
    respond(&sid, html(pages::disable_confirm()))
}

pub async fn disable_submit(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sid = sid(&state, &headers);
    let Some(user) = logged_in(&state, &sid) else {
        return respond(&sid, Redirect::to("/login"));
    };
    match user::turn_off(&state, user.id, "disabled") {
        Ok(_) => respond(
            &sid,
            html(pages::done(
                "Berhasil Disable TOTP",
                "Berhasil Disable TOTP. Akun situs ini di Otentik boleh dihapus.",
            )),
        ),
        Err(e) => page_error(e),
    }
}

pub async fn reset_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sid = sid(&state, &headers);
    let code = new_captcha(&state, &sid);
    respond(&sid, html(pages::reset_form(&code, None, false)))
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    userid: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    kode: String,
    #[serde(default)]
    tipe: String,
}

pub async fn reset_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<ResetForm>, FormRejection>,
) -> Response {
    let sid = sid(&state, &headers);
    let Ok(Form(form)) = form else {
        let code = new_captcha(&state, &sid);
        return respond(
            &sid,
            html(pages::reset_form(
                &code,
                Some("Formulir tidak lengkap."),
                false,
            )),
        );
    };
    if !captcha_ok(&state, &sid, &form.kode) {
        let code = new_captcha(&state, &sid);
        return respond(
            &sid,
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                html(pages::reset_form(
                    &code,
                    Some("Kode Keamanan salah. Ketik kode yang tampil."),
                    false,
                )),
            ),
        );
    }
    let user = find_user(form.userid.trim()).filter(|u| {
        u.email.eq_ignore_ascii_case(form.email.trim())
            && Some(u.kind) == UserKind::from_slug(&form.tipe)
    });
    // The same answer whether or not the data matched: the form cannot be used to probe.
    if let Some(user) = user
        && let Err(e) = send_reset_mail(&state, user)
    {
        return page_error(e);
    }
    let code = new_captcha(&state, &sid);
    respond(&sid, html(pages::reset_form(&code, None, true)))
}

fn send_reset_mail(state: &AppState, user: &super::DemoUser) -> Result<(), Error> {
    let Some(demo) = &state.demo else {
        return Ok(());
    };
    let now = state.now();
    let kode = token::random("", 24);
    state.db().execute(
        "INSERT INTO demo_resets (kode_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
        params![token::hash(&kode), user.id, now + RESET_TTL],
    )?;
    let link = format!(
        "{}/proc4user/resettotp?userid={}&tipe={}&kode={}",
        state.config.public_url,
        percent_encoding::utf8_percent_encode(user.id, percent_encoding::NON_ALPHANUMERIC),
        user.kind.slug(),
        kode
    );
    let body = format!(
        "Yth. {},\r\n\r\nKami menerima permintaan reset TOTP untuk User ID {}.\r\n\
         Klik tautan berikut dalam 30 menit untuk mereset TOTP:\r\n\r\n{link}\r\n\r\n\
         Jika Anda tidak meminta reset, abaikan email ini.\r\n\r\nSPSE Demo",
        user.name, user.id
    );
    outbox::write(
        demo.outbox(),
        now,
        user.email,
        "Reset TOTP SPSE Demo",
        &body,
    )?;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct ResetLink {
    #[serde(default)]
    userid: String,
    #[serde(default)]
    tipe: String,
    #[serde(default)]
    kode: String,
}

fn reset_valid(state: &AppState, link: &ResetLink) -> Result<bool, Error> {
    let row: Option<(String, bool, u64)> = state
        .db()
        .query_row(
            "SELECT user_id, used, expires_at FROM demo_resets WHERE kode_hash = ?1",
            [token::hash(&link.kode)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(matches!(row, Some((user_id, false, expires_at))
        if user_id == link.userid && expires_at > state.now()
            && find_user(&user_id).map(|u| u.kind.slug()) == Some(link.tipe.as_str())))
}

fn invalid_link() -> Response {
    (
        StatusCode::NOT_FOUND,
        html(pages::refused(
            "Tautan Tidak Valid",
            "Tautan reset tidak valid, sudah dipakai, atau kedaluwarsa. Minta tautan baru.",
        )),
    )
        .into_response()
}

pub async fn reset_confirm_page(
    State(state): State<AppState>,
    link: Result<Query<ResetLink>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(link)) = link else {
        return invalid_link();
    };
    match reset_valid(&state, &link) {
        Ok(true) => html(pages::reset_confirm(&link.userid, &link.tipe, &link.kode)),
        Ok(false) => invalid_link(),
        Err(e) => page_error(e),
    }
}

pub async fn reset_confirm(
    State(state): State<AppState>,
    form: Result<Form<ResetLink>, FormRejection>,
) -> Response {
    let Ok(Form(link)) = form else {
        return invalid_link();
    };
    match reset_valid(&state, &link) {
        Ok(true) => {}
        Ok(false) => return invalid_link(),
        Err(e) => return page_error(e),
    }
    let used = state.db().execute(
        "UPDATE demo_resets SET used = 1 WHERE kode_hash = ?1 AND used = 0",
        [token::hash(&link.kode)],
    );
    match used {
        Ok(1) => {}
        Ok(_) => return invalid_link(),
        Err(e) => return page_error(e.into()),
    }
    match user::turn_off(&state, &link.userid, "reset") {
        Ok(_) => html(pages::refused_ok(
            "Berhasil Reset TOTP",
            "Berhasil Reset TOTP. Silakan login lalu aktifkan TOTP kembali (ENABLE TOTP).",
        )),
        Err(e) => page_error(e),
    }
}

pub async fn outbox_page(State(state): State<AppState>) -> Response {
    let Some(demo) = &state.demo else {
        return page_error(Error::NotFound("page"));
    };
    match outbox::list(demo.outbox()) {
        Ok(mails) => html(pages::outbox(&mails)),
        Err(e) => page_error(e),
    }
}
