//! Browser sessions: the [`Session`] extractor every page uses, and the middleware that sets
//! the session cookie (`otentik_demo_sid`) on the answer when the extractor made a new one.
//!
//! A request without a known cookie gets a new session the first time a handler asks for one;
//! the middleware then adds `Set-Cookie` to whatever the handler answered (a page, a
//! redirect, an error). Pages that never ask for a session (the choice of user type, the
//! reset link, the outbox) set no cookie.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use super::reply::page_error;
use super::{Demo, DemoState, DemoUser, find_user};
use crate::{Error, token};

/// The session cookie's name.
const COOKIE: &str = "otentik_demo_sid";
/// Above this many sessions, all are dropped (the demo keeps them in memory).
const MAX_SESSIONS: usize = 10_000;

/// A login waiting for the device (or a typed code).
#[derive(Debug, Clone)]
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

/// What the demo remembers of one browser.
#[derive(Debug, Clone, Default)]
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
/// [`set_cookie`] middleware sets on the answer).
pub struct Session {
    id: std::sync::Mutex<String>,
    demo: Arc<Demo>,
    new: NewSession,
}

/// Put on each request by [`set_cookie`]: the id of a session the extractor made (or moved
/// to, at login) for it, whose cookie the answer must set.
#[derive(Clone, Default)]
struct NewSession(Arc<std::sync::Mutex<Option<String>>>);

impl NewSession {
    fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set(&self, id: &str) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(id.to_owned());
    }
}

impl FromRequestParts<DemoState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &DemoState) -> Result<Self, Response> {
        let Some(new) = parts.extensions.get::<NewSession>().cloned() else {
            return Err(page_error(Error::Internal(
                "the session cookie middleware is not on this route".into(),
            )));
        };
        let demo = state.demo.clone();
        // A second extraction in the same request reuses the session made by the first.
        let given = new.get().or_else(|| cookie(&parts.headers));
        let mut sessions = demo.sessions();
        if let Some(id) = given
            && sessions.contains_key(&id)
        {
            drop(sessions);
            return Ok(Self {
                id: std::sync::Mutex::new(id),
                demo,
                new,
            });
        }
        if sessions.len() > MAX_SESSIONS {
            sessions.clear();
        }
        let id = token::random("", 18);
        sessions.insert(id.clone(), SessionData::default());
        drop(sessions);
        new.set(&id);
        Ok(Self {
            id: std::sync::Mutex::new(id),
            demo,
            new,
        })
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

/// Middleware of the demo's routes: sets the cookie of a session made while answering.
/// `secure`: the site is served over HTTPS (`--public-url https://…`), so the cookie gets
/// `Secure` too.
pub async fn set_cookie(
    axum::extract::State(secure): axum::extract::State<bool>,
    mut request: Request,
    next: Next,
) -> Response {
    let new = NewSession::default();
    request.extensions_mut().insert(new.clone());
    let mut response = next.run(request).await;
    if let Some(id) = new.get() {
        let secure = if secure { "; Secure" } else { "" };
        let cookie = format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax{secure}");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

impl Session {
    /// Runs `f` on this session's data.
    pub fn with<R>(&self, f: impl FnOnce(&mut SessionData) -> R) -> R {
        let id = self.id.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut sessions = self.demo.sessions();
        // Made again if dropped since (see MAX_SESSIONS).
        f(sessions.entry(id).or_default())
    }

    /// Logs `user_id` in under a **new session id** (the old id, which someone may have
    /// planted or seen before login, stops working), keeping the session's data.
    /// `proven_at`: when the second factor was proven (None when TOTP is off).
    pub fn log_in(&self, user_id: &str, proven_at: Option<u64>) {
        let mut id = self.id.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = token::random("", 18);
        let mut sessions = self.demo.sessions();
        let mut data = sessions.remove(id.as_str()).unwrap_or_default();
        data.pending = None;
        data.user = Some(user_id.to_owned());
        data.proven_at = proven_at;
        data.form_token = String::new();
        sessions.insert(fresh.clone(), data);
        drop(sessions);
        self.new.set(&fresh);
        *id = fresh;
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
