//! The SQLite database: opening (a file or `:memory:`) and migrations by `PRAGMA user_version`.

use rusqlite::Connection;

use crate::Error;

/// Schema migrations, applied in order; the database's `user_version` counts those applied.
/// Never edit one that shipped: append a new one.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE server_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sealed BLOB NOT NULL
);
CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    seed BLOB,                       -- sealed TOTP seed, NULL when TOTP is off
    totp_enabled INTEGER NOT NULL DEFAULT 0,
    last_step INTEGER NOT NULL DEFAULT -1,   -- last accepted TOTP time step
    updated_at INTEGER NOT NULL
);
CREATE TABLE enrollments (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    seed BLOB NOT NULL,              -- sealed
    token_hash TEXT NOT NULL UNIQUE, -- SHA-256 of the one-time push token
    status TEXT NOT NULL,            -- pending | completed | expired
    push INTEGER NOT NULL DEFAULT 0,
    code_attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX enrollments_user ON enrollments (user_id, status);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    public_key BLOB NOT NULL,
    name TEXT,
    status TEXT NOT NULL,            -- active | revoked
    revoked_reason TEXT,             -- disabled | reset | replaced | unregistered
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX devices_user ON devices (user_id, status);
CREATE TABLE logins (
    id TEXT PRIMARY KEY,             -- also the challenge id
    user_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    numbers TEXT,                    -- "12,47,83" or NULL
    number INTEGER,                  -- the one shown on the site
    status TEXT NOT NULL,            -- pending | approved | denied | not_me | expired
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    answered_at INTEGER,
    device_id TEXT,
    answer_signature TEXT
);
CREATE INDEX logins_user ON logins (user_id, status);
CREATE INDEX logins_created ON logins (user_id, created_at);
CREATE TABLE demo_resets (
    kode_hash TEXT PRIMARY KEY,      -- SHA-256 of the e-mailed kode
    user_id TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL
);
"#];

/// Opens (creating if needed) and migrates the database at `path` (`:memory:` for none).
pub fn open(path: &str) -> Result<Connection, Error> {
    let conn = if path == ":memory:" {
        Connection::open_in_memory()?
    } else {
        Connection::open(path)?
    };
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    if path != ":memory:" {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrate(&conn)?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> Result<(), Error> {
    let applied: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if applied > MIGRATIONS.len() {
        return Err(Error::Internal(format!(
            "the database schema (version {applied}) is newer than this server ({}); upgrade the server",
            MIGRATIONS.len()
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrates_once_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let path = path.to_str().unwrap();
        drop(super::open(path).unwrap());
        let conn = super::open(path).unwrap();
        let version: usize = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, super::MIGRATIONS.len());
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        assert!(
            super::open(path)
                .unwrap_err()
                .to_string()
                .contains("newer than this server")
        );
    }
}
