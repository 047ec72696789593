//! The demo's tables and the only module of the demo that speaks SQL: its migrations, the
//! e-mailed reset links (`demo_resets`) and the browsers' sessions (`demo_sessions`, shared by
//! every server process on one database). Everything goes through [`AppState::db`]; the
//! migrations are versioned as the component `demo`, apart from the server's own schema.

use super::session::SessionData;
use crate::Error;
use crate::db::{Migrations, args};
use crate::state::AppState;

/// The demo's name in `schema_migrations`.
const COMPONENT: &str = "demo";

/// The demo's migrations, applied in order; never edit one that shipped: append a new one.
const MIGRATIONS: Migrations<'static> = Migrations {
    sqlite: SQLITE,
    postgres: POSTGRES,
};

const SQLITE: &[&str] = &[
    // Databases made before the demo had migrations of its own already hold this table (the
    // server's first migration created it, with these columns): keep it as it is.
    r#"
CREATE TABLE IF NOT EXISTS demo_resets (
    kode_hash TEXT PRIMARY KEY,      -- SHA-256 of the e-mailed kode
    user_id TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL
);
"#,
    SESSIONS_SQLITE,
];

const SESSIONS_SQLITE: &str = r#"
CREATE TABLE demo_sessions (
    id TEXT PRIMARY KEY,             -- the cookie's value
    data BLOB NOT NULL,              -- SessionData as JSON, sealed (it can hold a QR's seed)
    updated_at INTEGER NOT NULL
);
CREATE INDEX demo_sessions_updated ON demo_sessions (updated_at);
"#;

const POSTGRES: &[&str] = &[
    r#"
CREATE TABLE demo_resets (
    kode_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL
);
"#,
    r#"
CREATE TABLE demo_sessions (
    id TEXT PRIMARY KEY,
    data BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX demo_sessions_updated ON demo_sessions (updated_at);
"#,
];

/// Sessions unused this long are forgotten (log in again).
const SESSION_TTL: u64 = 12 * 3600;

/// Brings the demo's tables up to date.
pub fn migrate(app: &AppState) -> Result<(), Error> {
    app.migrate_component(COMPONENT, &MIGRATIONS)
}

/// An e-mailed reset link, by the hash of its kode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reset {
    /// Whose TOTP it resets.
    pub user_id: String,
    /// Whether it was used.
    pub used: bool,
    /// Unix time it stops working.
    pub expires_at: u64,
}

/// Records a new reset link.
pub fn add_reset(
    app: &AppState,
    kode_hash: &str,
    user_id: &str,
    expires_at: u64,
) -> Result<(), Error> {
    app.db()?.execute(
        "INSERT INTO demo_resets (kode_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
        args![kode_hash, user_id, expires_at],
    )?;
    Ok(())
}

/// The reset link with this kode hash.
pub fn find_reset(app: &AppState, kode_hash: &str) -> Result<Option<Reset>, Error> {
    app.db()?
        .query_opt(
            "SELECT user_id, used, expires_at FROM demo_resets WHERE kode_hash = ?1",
            args![kode_hash],
        )?
        .map(|r| {
            Ok(Reset {
                user_id: r.get(0)?,
                used: r.get(1)?,
                expires_at: r.get(2)?,
            })
        })
        .transpose()
}

/// Marks the link used; false when it was already (or does not exist): only one caller wins.
pub fn use_reset(app: &AppState, kode_hash: &str) -> Result<bool, Error> {
    let changed = app.db()?.execute(
        "UPDATE demo_resets SET used = 1 WHERE kode_hash = ?1 AND used = 0",
        args![kode_hash],
    )?;
    Ok(changed == 1)
}

/// What a session's sealing is bound to: its id (a sealed session copied under another id
/// does not open).
fn session_context(id: &str) -> String {
    format!("demo-session:{id}")
}

/// The session with this id, unless it is unknown or expired.
pub fn load_session(app: &AppState, id: &str) -> Result<Option<SessionData>, Error> {
    let since = app.now().saturating_sub(SESSION_TTL);
    let Some(row) = app.db()?.query_opt(
        "SELECT data FROM demo_sessions WHERE id = ?1 AND updated_at > ?2",
        args![id, since],
    )?
    else {
        return Ok(None);
    };
    let sealed: Vec<u8> = row.get(0)?;
    // One sealed under another data key, or written by another release that no longer
    // parses, is a new session.
    let Ok(json) = app.data_key.open(&session_context(id), &sealed) else {
        return Ok(None);
    };
    let json = zeroize::Zeroizing::new(json);
    Ok(serde_json::from_slice(&json).ok())
}

/// Stores a session under `id` (and forgets `forget`, the id it had before login); now and
/// then, forgets expired sessions.
pub fn save_session(
    app: &AppState,
    id: &str,
    data: &SessionData,
    forget: Option<&str>,
    now: u64,
) -> Result<(), Error> {
    // Sealed: an enrolment in progress holds its otpauth URI, seed included.
    let json = zeroize::Zeroizing::new(
        serde_json::to_vec(data)
            .map_err(|e| Error::Internal(format!("a session does not serialise: {e}")))?,
    );
    let sealed = app.data_key.seal(&session_context(id), &json)?;
    let mut conn = app.db()?;
    if let Some(old) = forget {
        conn.execute("DELETE FROM demo_sessions WHERE id = ?1", args![old])?;
    }
    let inserted = conn.execute(
        "INSERT INTO demo_sessions (id, data, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET data = ?2, updated_at = ?3",
        args![id, sealed, now],
    )?;
    if inserted == 1 && crate::token::below(100) == 0 {
        conn.execute(
            "DELETE FROM demo_sessions WHERE updated_at <= ?1",
            args![now.saturating_sub(SESSION_TTL)],
        )?;
    }
    Ok(())
}
