//! The database across releases: a database made before the demo had migrations of its own
//! (its table made by the server's first migration) keeps opening and working, and a new one
//! gets the demo's table only when the demo runs.

use std::path::Path;

use reqwest::StatusCode;
use rusqlite::Connection;
use sha2::{Digest as _, Sha256};

use crate::harness::{Server, real_now};

/// The server's one migration as it shipped before the demo got migrations of its own (commit
/// 17f6420), `demo_resets` included: what databases in the field hold, at `user_version` 1.
const SCHEMA_BEFORE_DEMO_MIGRATIONS: &str = r#"
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
"#;

/// A kode e-mailed by the old release, still unused in its database.
const OLD_KODE: &str = "kode-from-the-old-release";

fn db_path(dir: &Path) -> String {
    dir.join("server.sqlite3").to_str().unwrap().to_owned()
}

/// A database as the old release left it: its schema, version 1, a pending reset link.
fn database_from_the_old_release(path: &str) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(SCHEMA_BEFORE_DEMO_MIGRATIONS).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn.execute(
        "INSERT INTO demo_resets (kode_hash, user_id, expires_at) VALUES (?1, 'penyedia1', ?2)",
        rusqlite::params![hex::encode(Sha256::digest(OLD_KODE)), real_now() + 600],
    )
    .unwrap();
}

fn has_table(conn: &Connection, table: &str) -> bool {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get::<_, i64>(0),
    )
    .unwrap()
        == 1
}

fn demo_version(conn: &Connection) -> Option<i64> {
    use rusqlite::OptionalExtension as _;
    conn.query_row(
        "SELECT version FROM schema_migrations WHERE component = 'demo'",
        [],
        |r| r.get(0),
    )
    .optional()
    .unwrap()
}

/// The server's own schema version today (its migrations applied).
const SERVER_VERSION: i64 = 5;
/// The demo's migrations today (reset links, then sessions).
const DEMO_VERSION: i64 = 2;

fn user_version(conn: &Connection) -> i64 {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn a_database_of_the_old_release_keeps_its_reset_links_and_takes_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = tempfile::tempdir().unwrap();
    let db = db_path(dir.path());
    database_from_the_old_release(&db);

    let server = Server::launch(|_| {}, &db, Some(outbox.path())).await;
    {
        let conn = Connection::open(&db).unwrap();
        assert_eq!(
            user_version(&conn),
            SERVER_VERSION,
            "the server's schema went on to today's"
        );
        assert_eq!(
            demo_version(&conn),
            Some(DEMO_VERSION),
            "the demo adopted its table"
        );
    }
    let http = reqwest::Client::new();
    // The link e-mailed before the upgrade still opens, and works once.
    let link = format!(
        "{}/proc4user/resettotp?userid=penyedia1&tipe=penyedia&kode={OLD_KODE}",
        server.url
    );
    let page = http.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("RESET TOTP"));
    let form = [
        ("userid", "penyedia1"),
        ("tipe", "penyedia"),
        ("kode", OLD_KODE),
    ];
    let done = http
        .post(format!("{}/proc4user/resettotp", server.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(done.text().await.unwrap().contains("Berhasil Reset TOTP"));
    assert_eq!(
        http.get(&link).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // A new reset by e-mail lands in the adopted table.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let page = browser
        .get(format!("{}/resettotp", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let kode = page
        .split("data-kode=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    let form = [
        ("userid", "penyedia2"),
        ("email", "penyedia2@demo.test"),
        ("kode", kode),
        ("tipe", "penyedia"),
    ];
    let page = browser
        .post(format!("{}/resettotp", server.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(page.text().await.unwrap().contains("telah dikirim"));
    drop(server);
    let conn = Connection::open(&db).unwrap();
    let links: i64 = conn
        .query_row("SELECT count(*) FROM demo_resets", [], |r| r.get(0))
        .unwrap();
    assert_eq!(links, 2);
    drop(conn);

    // Opening it again (a restart) changes nothing: no migration runs twice.
    let _again = Server::launch(|_| {}, &db, Some(outbox.path())).await;
    let conn = Connection::open(&db).unwrap();
    assert_eq!(
        (user_version(&conn), demo_version(&conn)),
        (SERVER_VERSION, Some(DEMO_VERSION))
    );
}

#[tokio::test]
async fn a_new_database_gets_the_demo_table_only_with_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = tempfile::tempdir().unwrap();
    let db = db_path(dir.path());

    let server = Server::launch(|_| {}, &db, None).await;
    {
        let conn = Connection::open(&db).unwrap();
        assert_eq!(user_version(&conn), SERVER_VERSION);
        assert!(has_table(&conn, "schema_migrations"));
        assert!(!has_table(&conn, "demo_resets"), "the push server alone");
        assert_eq!(demo_version(&conn), None);
    }
    drop(server);

    let _server = Server::launch(|_| {}, &db, Some(outbox.path())).await;
    let conn = Connection::open(&db).unwrap();
    assert!(has_table(&conn, "demo_resets"));
    assert_eq!(demo_version(&conn), Some(DEMO_VERSION));
}
