//! The demo's tables and the only module of the demo that speaks SQL: its migrations and the
//! e-mailed reset links (`demo_resets`). Everything goes through [`AppState::db`]; the
//! migrations are versioned as the component `demo`, apart from the server's own schema.

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
];

const POSTGRES: &[&str] = &[r#"
CREATE TABLE demo_resets (
    kode_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL
);
"#];

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
