//! The SPSE-like demo site: the guide's pages in Bahasa Indonesia (login with push approval or
//! a typed code, enable/disable TOTP, reset TOTP through an e-mailed link written to an outbox
//! folder and listed at `/outbox`).
//!
//! The demo is a layer on top of the push server, not part of it: the server's state knows
//! nothing of it. It is a site like any other, calling the same operations its back end would
//! call over `/rp/v1` ([`crate::login`], [`crate::enrollment`], [`crate::user`]) on the
//! [`AppState`] it is given, and it keeps state of its own in [`Demo`]: the outbox folder and
//! its own tables, the browsers' sessions among them so that several server processes share
//! them (migrated by [`Demo::open`] as the component `demo`, versioned apart from the
//! server's schema). `otentik-server --demo`
//! opens a [`Demo`] and merges [`router`] into the server with [`crate::router_with`], behind
//! the server-wide layers.
//!
//! Modules follow the guide's flows: `login` (LOGIN → kind → form → waiting page or code →
//! Beranda, logout), `totp` (ENABLE / DISABLE TOTP), `reset` (Reset TOTP by e-mail), `outbox`
//! (the e-mails and their page); `session` holds the session extractor and its cookie, `store`
//! is the only module that speaks SQL, `pages` the HTML, `reply` how pages and errors are sent.
//!
//! Demo users and their passwords are fixed and printed at start.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::middleware;
use axum::routing::{get, post};

use crate::Error;
use crate::state::AppState;

mod login;
mod outbox;
mod pages;
mod reply;
mod reset;
mod session;
mod store;
mod totp;
mod users;

pub use users::{DemoUser, USERS, UserKind, find_user};

/// Settings of the demo site.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Folder the demo's e-mails are written to.
    pub outbox: PathBuf,
}

/// The demo site's own state: its outbox folder (the browsers' sessions are in its tables).
#[derive(Debug)]
pub struct Demo {
    outbox: PathBuf,
}

impl Demo {
    /// Opens the demo on the push server `app`: brings the demo's tables in `app`'s database
    /// up to date and creates the outbox folder if missing.
    pub fn open(app: &AppState, config: DemoConfig) -> Result<Self, Error> {
        store::migrate(app)?;
        std::fs::create_dir_all(&config.outbox)
            .map_err(|e| Error::Internal(format!("creating the outbox folder: {e}")))?;
        Ok(Self {
            outbox: config.outbox,
        })
    }

    /// The outbox folder.
    pub fn outbox(&self) -> &Path {
        &self.outbox
    }
}

/// What the demo's handlers see: the push server it sits on and the demo itself. Handlers
/// take `State<AppState>` or `State<Arc<Demo>>`, whichever they need.
#[derive(Clone)]
struct DemoState {
    app: AppState,
    demo: Arc<Demo>,
}

impl FromRef<DemoState> for AppState {
    fn from_ref(state: &DemoState) -> Self {
        state.app.clone()
    }
}

impl FromRef<DemoState> for Arc<Demo> {
    fn from_ref(state: &DemoState) -> Self {
        state.demo.clone()
    }
}

/// The demo site on top of the push server `app` (the one `demo` was opened on): merge it
/// with [`crate::router_with`] (or pass it to [`crate::serve`]) so that the server-wide layers
/// and fallbacks apply to it too.
pub fn router(app: AppState, demo: Demo) -> Router {
    let secure_cookies = app.config.public_url.starts_with("https://");
    let cookie_state = (secure_cookies, app.clone());
    let state = DemoState {
        app,
        demo: Arc::new(demo),
    };
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::choose_kind))
        .route("/login/tunggu", get(login::waiting))
        .route("/login/tunggu/status", get(login::waiting_status))
        .route("/login/selesai", get(login::finish))
        .route(
            "/login/kode",
            get(login::code_form).post(login::code_submit),
        )
        .route("/login/{tipe}", get(login::form).post(login::submit))
        .route("/beranda", get(login::beranda))
        .route("/logout", post(login::logout))
        .route(
            "/totp/enable",
            get(totp::enable_page).post(totp::enable_start),
        )
        .route("/totp/enable/status", get(totp::enable_status))
        .route("/totp/enable/kode", post(totp::enable_code))
        .route(
            "/totp/disable",
            get(totp::disable_page).post(totp::disable_submit),
        )
        .route("/resettotp", get(reset::form).post(reset::submit))
        .route(
            "/proc4user/resettotp",
            get(reset::confirm_page).post(reset::confirm),
        )
        .route("/outbox", get(outbox::page))
        .route_layer(middleware::from_fn_with_state(
            cookie_state,
            session::set_cookie,
        ))
        .with_state(state)
}
