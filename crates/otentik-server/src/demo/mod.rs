//! The SPSE-like demo site: the guide's pages in Bahasa Indonesia on top of the
//! relying-party operations (login with push approval or a typed code, enable/disable TOTP,
//! reset TOTP through an e-mailed link written to an outbox folder and listed at `/outbox`).
//!
//! Demo users and their passwords are fixed and printed at start; sessions live in memory.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::routing::{get, post};

use crate::state::{AppState, DemoConfig};
use crate::{Error, token};

mod outbox;
mod pages;
mod routes;

/// PENYEDIA (supplier) or NON PENYEDIA (government staff).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    /// Supplier.
    Penyedia,
    /// Government staff (PPK, Pokja, …).
    NonPenyedia,
}

impl UserKind {
    /// As shown: `PENYEDIA` / `NON PENYEDIA`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Penyedia => "PENYEDIA",
            Self::NonPenyedia => "NON PENYEDIA",
        }
    }

    /// As in URLs and forms: `penyedia` / `nonpenyedia`.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Penyedia => "penyedia",
            Self::NonPenyedia => "nonpenyedia",
        }
    }

    /// From [`UserKind::slug`].
    pub fn from_slug(slug: &str) -> Option<Self> {
        match slug {
            "penyedia" => Some(Self::Penyedia),
            "nonpenyedia" => Some(Self::NonPenyedia),
            _ => None,
        }
    }
}

/// A seeded demo user.
#[derive(Debug, Clone, Copy)]
pub struct DemoUser {
    /// User ID typed at login.
    pub id: &'static str,
    /// Password (demo only: printed at start).
    pub password: &'static str,
    /// Full name.
    pub name: &'static str,
    /// E-mail address for the reset form.
    pub email: &'static str,
    /// PENYEDIA or NON PENYEDIA.
    pub kind: UserKind,
}

/// The seeded demo users.
pub const USERS: &[DemoUser] = &[
    DemoUser {
        id: "penyedia1",
        password: "penyedia1-rahasia",
        name: "PT Maju Jaya",
        email: "penyedia1@demo.test",
        kind: UserKind::Penyedia,
    },
    DemoUser {
        id: "penyedia2",
        password: "penyedia2-rahasia",
        name: "CV Sinar Terang",
        email: "penyedia2@demo.test",
        kind: UserKind::Penyedia,
    },
    DemoUser {
        id: "penyedia3",
        password: "penyedia3-rahasia",
        name: "PT Karya Nusantara",
        email: "penyedia3@demo.test",
        kind: UserKind::Penyedia,
    },
    DemoUser {
        id: "ppk1",
        password: "ppk1-rahasia",
        name: "Budi Santoso (PPK)",
        email: "ppk1@demo.test",
        kind: UserKind::NonPenyedia,
    },
    DemoUser {
        id: "pokja1",
        password: "pokja1-rahasia",
        name: "Siti Rahma (Pokja)",
        email: "pokja1@demo.test",
        kind: UserKind::NonPenyedia,
    },
];

/// Finds a demo user by id.
pub fn find_user(id: &str) -> Option<&'static DemoUser> {
    USERS.iter().find(|u| u.id == id)
}

/// A random key (for a site key generated at start).
pub fn random_key() -> String {
    token::random("sk_", 32)
}

/// A login waiting for the device (or a typed code).
#[derive(Debug, Clone)]
pub struct PendingLogin {
    /// The user.
    pub user_id: String,
    /// The push login, when the user has a push device.
    pub login_id: Option<String>,
    /// The number to match.
    pub number: Option<u8>,
}

/// One browser's session.
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// The Kode Keamanan last shown.
    pub captcha: String,
    /// Logged-in user.
    pub user: Option<String>,
    /// Login in progress.
    pub pending: Option<PendingLogin>,
    /// Enrolment in progress: id, otpauth URI, QR SVG.
    pub enrollment: Option<(String, String, String)>,
}

/// Demo-site state.
#[derive(Debug)]
pub struct Demo {
    outbox: PathBuf,
    sessions: Mutex<HashMap<String, Session>>,
}

impl Demo {
    /// Demo state writing e-mails to `config.outbox` (created if missing).
    pub fn new(config: &DemoConfig) -> Result<Self, Error> {
        std::fs::create_dir_all(&config.outbox)
            .map_err(|e| Error::Internal(format!("creating the outbox folder: {e}")))?;
        Ok(Self {
            outbox: config.outbox.clone(),
            sessions: Mutex::new(HashMap::new()),
        })
    }

    /// The outbox folder.
    pub fn outbox(&self) -> &Path {
        &self.outbox
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The browser's address, when the server was started with connect info.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

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

/// The demo site's routes.
pub fn routes() -> Router<AppState> {
    use routes::*;
    Router::new()
        .route("/", get(home))
        .route("/login", get(choose_kind))
        .route("/login/tunggu", get(waiting))
        .route("/login/tunggu/status", get(waiting_status))
        .route("/login/selesai", get(finish_login))
        .route("/login/kode", get(code_form).post(code_submit))
        .route("/login/{tipe}", get(login_form).post(login_submit))
        .route("/beranda", get(beranda))
        .route("/logout", post(logout))
        .route("/totp/enable", get(enable_page).post(enable_start))
        .route("/totp/enable/status", get(enable_status))
        .route("/totp/enable/kode", post(enable_code))
        .route("/totp/disable", get(disable_page).post(disable_submit))
        .route("/resettotp", get(reset_form).post(reset_submit))
        .route(
            "/proc4user/resettotp",
            get(reset_confirm_page).post(reset_confirm),
        )
        .route("/outbox", get(outbox_page))
}
