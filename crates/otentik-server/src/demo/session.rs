//! Browser sessions: the [`Session`] extractor every page uses, and the middleware that sets
//! the session cookie (`otentik_demo_sid`) on the answer when the extractor made a new one.
//!
//! A request without a known cookie gets a new session the first time a handler asks for one;
//! the middleware then adds `Set-Cookie` to whatever the handler answered (a page, a
//! redirect, an error). Pages that never ask for a session (the choice of user type, the
//! reset link, the outbox) set no cookie.

use std::sync::{Arc, OnceLock};

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
}

/// The browser's session: the one its cookie names, or a new one (whose cookie the
/// [`set_cookie`] middleware sets on the answer).
pub struct Session {
    id: String,
    demo: Arc<Demo>,
}

/// Put on each request by [`set_cookie`]: the id of a session the extractor made for it.
#[derive(Clone, Default)]
struct NewSession(Arc<OnceLock<String>>);

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
        let given = new.0.get().cloned().or_else(|| cookie(&parts.headers));
        let mut sessions = demo.sessions();
        if let Some(id) = given
            && sessions.contains_key(&id)
        {
            drop(sessions);
            return Ok(Self { id, demo });
        }
        if sessions.len() > MAX_SESSIONS {
            sessions.clear();
        }
        let id = token::random("", 18);
        sessions.insert(id.clone(), SessionData::default());
        drop(sessions);
        let _ = new.0.set(id.clone());
        Ok(Self { id, demo })
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
pub async fn set_cookie(mut request: Request, next: Next) -> Response {
    let new = NewSession::default();
    request.extensions_mut().insert(new.clone());
    let mut response = next.run(request).await;
    if let Some(id) = new.0.get() {
        let cookie = format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

impl Session {
    /// Runs `f` on this session's data.
    pub fn with<R>(&self, f: impl FnOnce(&mut SessionData) -> R) -> R {
        let mut sessions = self.demo.sessions();
        // Made again if dropped since (see MAX_SESSIONS).
        f(sessions.entry(self.id.clone()).or_default())
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
