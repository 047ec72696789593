//! Browser sessions: the [`Session`] extractor every page uses, and the middleware that saves
//! what the page changed and sets the session cookie (`otentik_demo_sid`).
//!
//! Sessions live in the database (`demo_sessions`, [`super::store`]), so every server process
//! on one PostgreSQL database knows every browser: the extractor loads the session named by the
//! cookie once per request (off the runtime's workers), the page reads and changes it in memory,
//! and the middleware writes it back when it changed, before the answer leaves. A request
//! without a known cookie gets a new session the first time a handler asks for one; the
//! middleware then adds `Set-Cookie` to whatever the handler answered (a page, a redirect, an
//! error). Pages that never ask for a session (the choice of user type, the reset link, the
//! outbox) set no cookie and store nothing.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::reply::page_error;
use super::{DemoState, DemoUser, find_user, store};
use crate::api::blocking;
use crate::state::AppState;
use crate::{Error, token};

/// The session cookie's name.
const COOKIE: &str = "otentik_demo_sid";

/// A login waiting for the device (or a typed code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLogin {
    /// The user.
    pub user_id: String,
    /// The push login, when the user has a push device.
    pub login_id: Option<String>,
    /// The number to match.
    pub number: Option<u8>,
    /// Whether the user types it in the app (else picks it from choices).
    pub number_entry: bool,
}

/// What the demo remembers of one browser (stored as JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionData {
    /// The Kode Keamanan last shown.
    pub captcha: String,
    /// Logged-in user.
    pub user: Option<String>,
    /// Login in progress.
    pub pending: Option<PendingLogin>,
    /// Enrolment in progress: id, otpauth URI, QR SVG.
    pub enrollment: Option<(String, String, String)>,
    /// When the user last proved the second factor in this session (a push approval or a
    /// typed code at login), unix seconds: DISABLE TOTP needs a recent one or a fresh code.
    pub proven_at: Option<u64>,
    /// The token the session's forms carry (CSRF); made on first use.
    pub form_token: String,
}

/// The browser's session: the one its cookie names, or a new one (whose cookie the
/// [`set_cookie`] middleware sets on the answer, after storing it).
pub struct Session(Arc<Mutex<Slot>>);

/// The request's session as loaded, and what the page did to it.
#[derive(Debug, Default)]
struct Slot {
    /// Loaded (or made) by the extractor in this request.
    loaded: bool,
    id: String,
    data: SessionData,
    /// As stored (to save only what changed).
    stored: Option<SessionData>,
    /// The answer must set the cookie (a new session, or a new id at login).
    new_cookie: bool,
    /// An id to forget (the one replaced at login).
    forget: Option<String>,
}

/// Put on each request by [`set_cookie`] and filled by the extractor.
#[derive(Clone, Default)]
struct RequestSession(Arc<Mutex<Slot>>);

fn lock(slot: &Mutex<Slot>) -> MutexGuard<'_, Slot> {
    slot.lock().unwrap_or_else(|p| p.into_inner())
}

impl FromRequestParts<DemoState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &DemoState) -> Result<Self, Response> {
        let Some(RequestSession(slot)) = parts.extensions.get::<RequestSession>().cloned() else {
            return Err(page_error(Error::Internal(
                "the session cookie middleware is not on this route".into(),
            )));
        };
        // A second extraction in the same request shares the session of the first.
        if lock(&slot).loaded {
            return Ok(Self(slot));
        }
        let given = cookie(&parts.headers);
        let stored = match given.clone() {
            Some(id) => blocking(&state.app, move |app| store::load_session(app, &id))
                .await
                .map_err(page_error)?,
            None => None,
        };
        let mut guard = lock(&slot);
        guard.loaded = true;
        match (given, stored) {
            (Some(id), Some(data)) => {
                guard.id = id;
                guard.stored = Some(data.clone());
                guard.data = data;
            }
            _ => {
                guard.id = token::random("", 18);
                guard.new_cookie = true;
            }
        }
        drop(guard);
        Ok(Self(slot))
    }
}

/// The value of our cookie in the request's `Cookie` headers.
fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// Middleware of the demo's routes: stores what the page changed in its session and sets the
/// cookie of a session made (or renamed) while answering. `secure`: the site is served over
/// HTTPS (`--public-url https://…`), so the cookie gets `Secure` too.
pub async fn set_cookie(
    axum::extract::State((secure, app)): axum::extract::State<(bool, AppState)>,
    mut request: Request,
    next: Next,
) -> Response {
    let session = RequestSession::default();
    request.extensions_mut().insert(session.clone());
    let mut response = next.run(request).await;
    let (save, new_cookie) = {
        let mut slot = lock(&session.0);
        if !slot.loaded {
            return response;
        }
        let changed = slot.stored.as_ref() != Some(&slot.data);
        let save = (changed || slot.forget.is_some())
            .then(|| (slot.id.clone(), slot.data.clone(), slot.forget.take()));
        (save, slot.new_cookie.then(|| slot.id.clone()))
    };
    if let Some((id, data, forget)) = save {
        let now = app.now();
        let saved = blocking(&app, move |app| {
            store::save_session(app, &id, &data, forget.as_deref(), now)
        })
        .await;
        if let Err(error) = saved {
            // The page's change is lost: say so instead of answering as if it were kept.
            return page_error(error);
        }
    }
    if let Some(id) = new_cookie {
        let secure = if secure { "; Secure" } else { "" };
        let cookie = format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax{secure}");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

impl Session {
    /// Runs `f` on this session's data (stored after the page answered, if it changed).
    pub fn with<R>(&self, f: impl FnOnce(&mut SessionData) -> R) -> R {
        f(&mut lock(&self.0).data)
    }

    /// Logs `user_id` in under a **new session id** (the old id, which someone may have
    /// planted or seen before login, stops working), keeping the session's data.
    /// `proven_at`: when the second factor was proven (None when TOTP is off).
    pub fn log_in(&self, user_id: &str, proven_at: Option<u64>) {
        let mut slot = lock(&self.0);
        let old = std::mem::replace(&mut slot.id, token::random("", 18));
        if slot.stored.is_some() {
            slot.forget = Some(old);
        }
        // Stored under the new id: nothing of it is stored there yet.
        slot.stored = None;
        slot.new_cookie = true;
        slot.data.pending = None;
        slot.data.user = Some(user_id.to_owned());
        slot.data.proven_at = proven_at;
        slot.data.form_token = String::new();
    }

    /// The token this session's forms carry.
    pub fn form_token(&self) -> String {
        self.with(|s| {
            if s.form_token.is_empty() {
                s.form_token = token::random("", 18);
            }
            s.form_token.clone()
        })
    }

    /// Whether `given` is this session's form token (constant time).
    pub fn form_token_ok(&self, given: &str) -> bool {
        let expected = self.with(|s| s.form_token.clone());
        !expected.is_empty()
            && bool::from(subtle::ConstantTimeEq::ct_eq(
                expected.as_bytes(),
                given.as_bytes(),
            ))
    }

    /// The logged-in demo user.
    pub fn user(&self) -> Option<&'static DemoUser> {
        self.with(|s| s.user.clone()).and_then(|id| find_user(&id))
    }

    /// A new Kode Keamanan (captcha) to show, replacing the last one.
    pub fn new_captcha(&self) -> String {
        let code = format!("{:04}", token::below(10_000));
        self.with(|s| s.captcha = code.clone());
        code
    }

    /// Checks and consumes the captcha (each one works once).
    pub fn captcha_ok(&self, typed: &str) -> bool {
        self.with(|s| {
            let ok = !s.captcha.is_empty() && s.captcha == typed.trim();
            s.captcha.clear();
            ok
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_our_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; b=2"));
        assert_eq!(cookie(&headers), None);
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("x=y;  otentik_demo_sid=abc ; z=w"),
        );
        assert_eq!(cookie(&headers).as_deref(), Some("abc"));
    }
}
