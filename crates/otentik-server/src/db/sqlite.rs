//! The SQLite engine: opening (a file or `:memory:`), a few connections to the file, the
//! server's migrations counted by `PRAGMA user_version`, and the migrations of components built
//! on the server (a site layered on top, with tables of its own) counted per component in
//! `schema_migrations`.

use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension as _};

use super::{Row, Value};
use crate::Error;

/// Schema migrations, applied in order; the database's `user_version` counts those applied.
/// Never edit one that shipped in a way that changes existing databases: append a new one.
///
/// The first one once also created `demo_resets`, the demo site's table. The demo now creates
/// it with its own migrations (`CREATE TABLE IF NOT EXISTS`, the same columns), so databases
/// made before keep theirs and new ones only get it when the demo runs.
const MIGRATIONS: &[&str] = &[
    r#"
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
"#,
    r#"
CREATE TABLE schema_migrations (
    component TEXT PRIMARY KEY,      -- a component built on the server, such as a site on top
    version INTEGER NOT NULL         -- how many of its migrations are applied
);
"#,
    // Issue 13: limits that survive a restart (src/throttle.rs).
    r#"
CREATE TABLE login_backoff (
    user_id TEXT PRIMARY KEY,
    strikes INTEGER NOT NULL DEFAULT 0,       -- failed logins in a row, before a block
    level INTEGER NOT NULL DEFAULT 0,         -- blocks so far (the next lasts 10 s << level)
    blocked_until INTEGER NOT NULL DEFAULT 0  -- POST /rp/v1/logins answers 429 until then
);
ALTER TABLE logins ADD COLUMN settled INTEGER NOT NULL DEFAULT 0; -- counted by the back-off
UPDATE logins SET settled = 1;
CREATE TABLE code_failures (
    user_id TEXT NOT NULL,
    at INTEGER NOT NULL                      -- when a wrong typed code was checked
);
CREATE INDEX code_failures_user ON code_failures (user_id, at);
-- Typed number matching: the device types the number; devices that never declared the
-- number_entry feature in their signed poll query get the login's three choices instead.
ALTER TABLE logins ADD COLUMN typed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN features TEXT NOT NULL DEFAULT ''; -- as last declared
"#,
    r#"
-- Poll-only keys (protocol v1 addition): may sign polls and status requests, never answers.
ALTER TABLE devices ADD COLUMN poll_key BLOB;
"#,
    // Issue 16: the typed-code rate limit in the database and one pending login per user
    // enforced by the schema, as on PostgreSQL (replayed nonces stay in memory: SQLite serves
    // one process, and a status call must not wait for the write lock).
    r#"
CREATE TABLE verify_attempts (
    user_id TEXT NOT NULL,
    at INTEGER NOT NULL              -- when a typed code was checked (the rate limit)
);
CREATE INDEX verify_attempts_user ON verify_attempts (user_id, at);
-- One pending login per user, as on PostgreSQL (logins were replaced in one transaction
-- already; a database with two pending for a user keeps the newest).
UPDATE logins SET status = 'expired'
WHERE status = 'pending' AND rowid NOT IN
    (SELECT MAX(rowid) FROM logins WHERE status = 'pending' GROUP BY user_id);
CREATE UNIQUE INDEX logins_one_pending ON logins (user_id) WHERE status = 'pending';
"#,
];

/// Connections to a database file (a `:memory:` database has one).
const CONNECTIONS: usize = 4;

/// A few connections to the same file (one for `:memory:`), so a request waiting on the write
/// lock does not hold up requests that only read.
pub struct Pool {
    conns: Vec<Mutex<Connection>>,
    next: std::sync::atomic::AtomicUsize,
}

impl Pool {
    /// Opens (creating and migrating) the database at `path` (`:memory:` for none).
    pub fn open(path: &str) -> Result<Self, Error> {
        let mut conns = vec![Mutex::new(open(path)?)];
        if path != ":memory:" {
            for _ in 1..CONNECTIONS {
                conns.push(Mutex::new(open_more(path)?));
            }
        }
        Ok(Self {
            conns,
            next: Default::default(),
        })
    }

    /// A free connection when there is one, else waits for one.
    pub fn get(&self) -> MutexGuard<'_, Connection> {
        use std::sync::TryLockError;
        let count = self.conns.len().max(1);
        let start = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for offset in 0..count {
            if let Some(slot) = self.conns.get((start + offset) % count) {
                match slot.try_lock() {
                    Ok(guard) => return guard,
                    Err(TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
                    Err(TryLockError::WouldBlock) => {}
                }
            }
        }
        // All busy: wait for one (the pool is never empty: `open` puts one in).
        self.conns[start % count]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn to_sql(value: &Value) -> rusqlite::types::Value {
    match value {
        Value::Null => rusqlite::types::Value::Null,
        Value::Int(n) => rusqlite::types::Value::Integer(*n),
        Value::Text(text) => rusqlite::types::Value::Text(text.clone()),
        Value::Blob(bytes) => rusqlite::types::Value::Blob(bytes.clone()),
    }
}

/// Runs one statement with `args`; the rows it changed.
pub fn execute(conn: &Connection, sql: &str, args: &[Value]) -> Result<u64, Error> {
    let mut statement = conn.prepare_cached(sql)?;
    let changed = statement.execute(rusqlite::params_from_iter(args.iter().map(to_sql)))?;
    Ok(changed as u64)
}

/// Every row of a query.
pub fn query(conn: &Connection, sql: &str, args: &[Value]) -> Result<Vec<Row>, Error> {
    use rusqlite::types::ValueRef;
    let mut statement = conn.prepare_cached(sql)?;
    let columns = statement.column_count();
    let mut rows = statement.query(rusqlite::params_from_iter(args.iter().map(to_sql)))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns);
        for index in 0..columns {
            values.push(match row.get_ref(index)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::Int(n),
                ValueRef::Real(x) => {
                    return Err(Error::Internal(format!(
                        "column {index} holds a real number ({x}); the schema has none"
                    )));
                }
                ValueRef::Text(text) => Value::Text(String::from_utf8_lossy(text).into_owned()),
                ValueRef::Blob(bytes) => Value::Blob(bytes.to_vec()),
            });
        }
        out.push(Row(values));
    }
    Ok(out)
}

/// Opens (creating if needed) and migrates the database at `path` (`:memory:` for none).
fn open(path: &str) -> Result<Connection, Error> {
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

/// Another connection to the already opened and migrated file at `path`.
fn open_more(path: &str) -> Result<Connection, Error> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
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

/// Applies the `migrations` of `component` not applied yet, in order, each in a transaction
/// with its new version in `schema_migrations`; refuses a database whose version of the
/// component is newer than `migrations`.
pub fn migrate_component(
    conn: &Connection,
    component: &str,
    migrations: &[&str],
) -> Result<(), Error> {
    let applied: usize = conn
        .query_row(
            "SELECT version FROM schema_migrations WHERE component = ?1",
            [component],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or(0);
    if applied > migrations.len() {
        return Err(Error::Internal(format!(
            "the {component} schema (version {applied}) is newer than this server ({}); upgrade the server",
            migrations.len()
        )));
    }
    for (index, sql) in migrations.iter().enumerate().skip(applied) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (component, version) VALUES (?1, ?2) \
             ON CONFLICT (component) DO UPDATE SET version = excluded.version",
            rusqlite::params![component, index + 1],
        )?;
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

    #[test]
    fn the_schema_holds_one_pending_login_per_user() {
        let conn = super::open(":memory:").unwrap();
        let insert = "INSERT INTO logins (id, user_id, nonce, ip, user_agent, status, created_at,
                                          expires_at) VALUES (?1, 'u', 'n', 'ip', 'ua', ?2, 1, 2)";
        conn.execute(insert, ["a", "pending"]).unwrap();
        conn.execute(insert, ["b", "approved"]).unwrap();
        assert!(conn.execute(insert, ["c", "pending"]).is_err());
    }

    fn version(conn: &rusqlite::Connection, component: &str) -> Option<usize> {
        use rusqlite::OptionalExtension as _;
        conn.query_row(
            "SELECT version FROM schema_migrations WHERE component = ?1",
            [component],
            |r| r.get(0),
        )
        .optional()
        .unwrap()
    }

    #[test]
    fn component_migrations_apply_once_each_and_apart_from_the_server() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let path = path.to_str().unwrap();
        let conn = super::open(path).unwrap();
        let first = ["CREATE TABLE a_one (x INTEGER)"];
        super::migrate_component(&conn, "a", &first).unwrap();
        // Again (a restart): nothing re-runs, or CREATE TABLE would fail.
        super::migrate_component(&conn, "a", &first).unwrap();
        assert_eq!(version(&conn, "a"), Some(1));
        // A later release appends a migration: only that one runs.
        let second = [
            "CREATE TABLE a_one (x INTEGER)",
            "ALTER TABLE a_one ADD y INTEGER",
        ];
        super::migrate_component(&conn, "a", &second).unwrap();
        assert_eq!(version(&conn, "a"), Some(2));
        conn.execute("INSERT INTO a_one (x, y) VALUES (1, 2)", [])
            .unwrap();
        // Another component counts on its own; the server's user_version is untouched.
        super::migrate_component(&conn, "b", &["CREATE TABLE b_one (x INTEGER)"]).unwrap();
        assert_eq!(
            (version(&conn, "a"), version(&conn, "b")),
            (Some(2), Some(1))
        );
        let user_version: usize = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(user_version, super::MIGRATIONS.len());
        drop(conn);
        // An older build of the component refuses the newer schema.
        let conn = super::open(path).unwrap();
        let error = super::migrate_component(&conn, "a", &first).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("the a schema (version 2) is newer"),
            "{error}"
        );
    }

    #[test]
    fn a_failing_component_migration_leaves_its_version_alone() {
        let conn = super::open(":memory:").unwrap();
        let migrations = [
            "CREATE TABLE c_one (x INTEGER)",
            "CREATE TABLE c_two (",
            "SELECT 1",
        ];
        assert!(super::migrate_component(&conn, "c", &migrations).is_err());
        assert_eq!(version(&conn, "c"), Some(1));
        let tables: usize = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'c_two'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0);
    }
}
