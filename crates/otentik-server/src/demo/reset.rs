//! Reset TOTP by e-mail: the form (User ID, e-mail, user type, Kode Keamanan), the e-mail with
//! a one-time link written to the outbox, and the link's confirmation page.

use std::sync::Arc;

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::reply::{html, page_error};
use super::session::Session;
use super::users::{DemoUser, UserKind, find_user};
use super::{Demo, outbox, pages, store};
use crate::api::blocking;
use crate::state::AppState;
use crate::{Error, token, user};

/// Seconds an e-mailed reset link stays valid.
const RESET_TTL: u64 = 30 * 60;

pub async fn form(session: Session) -> Response {
    let code = session.new_captcha();
    html(pages::reset_form(&code, None, false))
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

pub async fn submit(
    State(app): State<AppState>,
    State(demo): State<Arc<Demo>>,
    session: Session,
    form: Result<Form<ResetForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        let code = session.new_captcha();
        return html(pages::reset_form(
            &code,
            Some("Formulir tidak lengkap."),
            false,
        ));
    };
    if !session.captcha_ok(&form.kode) {
        let code = session.new_captcha();
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            html(pages::reset_form(
                &code,
                Some("Kode Keamanan salah. Ketik kode yang tampil."),
                false,
            )),
        )
            .into_response();
    }
    let user = find_user(form.userid.trim()).filter(|u| {
        u.email.eq_ignore_ascii_case(form.email.trim())
            && Some(u.kind) == UserKind::from_slug(&form.tipe)
    });
    // The same answer whether or not the data matched: the form cannot be used to probe.
    if let Some(user) = user
        && let Err(e) = blocking(&app, move |app| send_mail(app, &demo, user)).await
    {
        return page_error(e);
    }
    let code = session.new_captcha();
    html(pages::reset_form(&code, None, true))
}

/// Records a one-time link for `user` and e-mails it.
fn send_mail(app: &AppState, demo: &Demo, user: &DemoUser) -> Result<(), Error> {
    let now = app.now();
    let kode = token::random("", 24);
    store::add_reset(app, &token::hash(&kode), user.id, now + RESET_TTL)?;
    let link = format!(
        "{}/proc4user/resettotp?userid={}&tipe={}&kode={}",
        app.config.public_url,
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

/// The reset link's parameters (in its query string, then in the confirmation form).
#[derive(Debug, Clone, Deserialize)]
pub struct ResetLink {
    #[serde(default)]
    userid: String,
    #[serde(default)]
    tipe: String,
    #[serde(default)]
    kode: String,
}

/// Whether the link is one we sent, unused, unexpired, for this user and user type.
fn link_valid(app: &AppState, link: &ResetLink) -> Result<bool, Error> {
    let reset = store::find_reset(app, &token::hash(&link.kode))?;
    Ok(
        matches!(reset, Some(store::Reset { user_id, used: false, expires_at })
        if user_id == link.userid && expires_at > app.now()
            && find_user(&user_id).map(|u| u.kind.slug()) == Some(link.tipe.as_str())),
    )
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

pub async fn confirm_page(
    State(app): State<AppState>,
    link: Result<Query<ResetLink>, QueryRejection>,
) -> Response {
    let Ok(Query(link)) = link else {
        return invalid_link();
    };
    let checked = link.clone();
    match blocking(&app, move |app| link_valid(app, &checked)).await {
        Ok(true) => html(pages::reset_confirm(&link.userid, &link.tipe, &link.kode)),
        Ok(false) => invalid_link(),
        Err(e) => page_error(e),
    }
}

pub async fn confirm(
    State(app): State<AppState>,
    form: Result<Form<ResetLink>, FormRejection>,
) -> Response {
    let Ok(Form(link)) = form else {
        return invalid_link();
    };
    let checked = link.clone();
    match blocking(&app, move |app| link_valid(app, &checked)).await {
        Ok(true) => {}
        Ok(false) => return invalid_link(),
        Err(e) => return page_error(e),
    }
    let kode_hash = token::hash(&link.kode);
    match blocking(&app, move |app| store::use_reset(app, &kode_hash)).await {
        Ok(true) => {}
        Ok(false) => return invalid_link(),
        Err(e) => return page_error(e),
    }
    let user_id = link.userid.clone();
    match blocking(&app, move |app| user::turn_off(app, &user_id, "reset")).await {
        Ok(_) => html(pages::refused_ok(
            "Berhasil Reset TOTP",
            "Berhasil Reset TOTP. Silakan login lalu aktifkan TOTP kembali (ENABLE TOTP).",
        )),
        Err(e) => page_error(e),
    }
}
