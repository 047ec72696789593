//! The PostgreSQL engine: a pool of connections (`deadpool-postgres` over `tokio-postgres`),
//! the server's migrations counted in `schema_migrations` under the component `server`, and
//! the conversions between [`Value`] and PostgreSQL's types.
//!
//! Calls block their thread on the server's runtime (the pool's connections run there), so
//! they are made on blocking threads (`api::blocking`), never on a runtime worker.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, RecyclingMethod, Runtime};
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::{Row, Value};
use crate::Error;

/// The server's migrations, applied in order. They make the same tables and columns as the
/// SQLite ones (integers are `BIGINT`, bytes `BYTEA`); never edit one that shipped.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE server_key (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    sealed BYTEA NOT NULL
);
CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    seed BYTEA,
    totp_enabled BIGINT NOT NULL DEFAULT 0,
    last_step BIGINT NOT NULL DEFAULT -1,
    updated_at BIGINT NOT NULL
);
CREATE TABLE enrollments (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    seed BYTEA NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    push BIGINT NOT NULL DEFAULT 0,
    code_attempts BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX enrollments_user ON enrollments (user_id, status);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    public_key BYTEA NOT NULL,
    name TEXT,
    status TEXT NOT NULL,
    revoked_reason TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    features TEXT NOT NULL DEFAULT '',
    poll_key BYTEA
);
CREATE INDEX devices_user ON devices (user_id, status);
CREATE TABLE logins (
    seq BIGSERIAL NOT NULL,          -- insertion order (SQLite's rowid)
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    numbers TEXT,
    number BIGINT,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    answered_at BIGINT,
    device_id TEXT,
    answer_signature TEXT,
    settled BIGINT NOT NULL DEFAULT 0,
    typed BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX logins_user ON logins (user_id, status);
CREATE INDEX logins_created ON logins (user_id, created_at);
CREATE UNIQUE INDEX logins_one_pending ON logins (user_id) WHERE status = 'pending';
CREATE TABLE login_backoff (
    user_id TEXT PRIMARY KEY,
    strikes BIGINT NOT NULL DEFAULT 0,
    level BIGINT NOT NULL DEFAULT 0,
    blocked_until BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE code_failures (
    user_id TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX code_failures_user ON code_failures (user_id, at);
CREATE TABLE seen_nonces (
    nonce TEXT PRIMARY KEY,
    forget_after BIGINT NOT NULL
);
CREATE INDEX seen_nonces_forget ON seen_nonces (forget_after);
CREATE TABLE verify_attempts (
    user_id TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX verify_attempts_user ON verify_attempts (user_id, at);
"#];

/// The component name of the server's own migrations in `schema_migrations`.
const SERVER: &str = "server";

/// Serialises migrations of every process starting on the same database.
const MIGRATION_LOCK: i64 = 0x6f74_656e_7469_6b00; // "otentik\0"

/// Connections each server process keeps at most.
pub const DEFAULT_CONNECTIONS: usize = 16;

/// How long a request waits for a free connection, or for a new one to open.
const WAIT: Duration = Duration::from_secs(5);

/// A pool of connections to one PostgreSQL database.
pub struct Pool {
    pool: deadpool_postgres::Pool,
    handle: tokio::runtime::Handle,
    url: String,
}

impl Pool {
    /// Connects to `url` (`postgres://user@host:port/db`), checks it answers and migrates
    /// it. Must run inside the runtime the server serves on: the connections live there.
    pub async fn connect(url: &str, connections: usize) -> Result<Self, Error> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| Error::Internal(format!("the PostgreSQL URL does not parse: {e}")))?;
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = deadpool_postgres::Pool::builder(manager)
            .max_size(connections.max(2))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(WAIT))
            .create_timeout(Some(WAIT))
            .recycle_timeout(Some(WAIT))
            .build()
            .map_err(|e| Error::Internal(format!("building the PostgreSQL pool: {e}")))?;
        let this = Self {
            pool,
            handle: tokio::runtime::Handle::current(),
            url: url.to_owned(),
        };
        let mut client = this.pool.get().await.map_err(unavailable)?;
        migrate(&mut client).await?;
        Ok(this)
    }

    /// The URL it connects to (for the listening connection).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A connection: waits up to 5 s for a free one.
    pub fn get(&self) -> Result<Conn, Error> {
        let client = block_on(&self.handle, self.pool.get()).map_err(unavailable)?;
        Ok(Conn {
            client,
            handle: self.handle.clone(),
        })
    }

    /// Whether the database answers now (`/readyz`).
    pub async fn ready(&self) -> Result<(), Error> {
        let client = self.pool.get().await.map_err(unavailable)?;
        client.simple_query("SELECT 1").await?;
        Ok(())
    }
}

fn unavailable(error: deadpool_postgres::PoolError) -> Error {
    Error::DatabaseUnavailable(error.to_string())
}

/// Runs `future` to completion from a blocking thread (or, on a multi-threaded runtime, from
/// a worker, which then hands its other tasks over first).
fn block_on<F: std::future::Future>(handle: &tokio::runtime::Handle, future: F) -> F::Output {
    let on_worker = tokio::runtime::Handle::try_current().is_ok_and(|current| {
        current.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
    });
    if on_worker {
        tokio::task::block_in_place(|| handle.block_on(future))
    } else {
        handle.block_on(future)
    }
}

/// One connection of the pool, returned to it when dropped.
pub struct Conn {
    client: deadpool_postgres::Object,
    handle: tokio::runtime::Handle,
}

impl Conn {
    /// Runs one statement; the rows it changed.
    pub fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, Error> {
        let sql = numbered(sql);
        let client = &self.client;
        block_on(&self.handle, async {
            let statement = client.prepare_cached(&sql).await?;
            Ok(client.execute(&statement, &params(args)).await?)
        })
    }

    /// Every row of a query.
    pub fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, Error> {
        let sql = numbered(sql);
        let client = &self.client;
        let rows = block_on(&self.handle, async {
            let statement = client.prepare_cached(&sql).await?;
            client.query(&statement, &params(args)).await
        })?;
        rows.iter().map(row).collect()
    }

    /// Several statements without arguments.
    pub fn batch(&mut self, sql: &str) -> Result<(), Error> {
        let client = &self.client;
        block_on(&self.handle, client.batch_execute(sql))?;
        Ok(())
    }
}

/// The statement that takes the transaction's lock of a key (`key`: a placeholder or a
/// literal): `pg_advisory_xact_lock` of its hash.
pub fn key_lock(key: &str) -> String {
    format!("SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))")
}

/// `text` as a PostgreSQL escape-string literal (`E'…'`: quotes doubled, backslashes
/// escaped), read the same whatever `standard_conforming_strings` says.
pub fn literal(text: &str) -> String {
    format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

/// `?1`, `?2`… (the server's placeholders) as PostgreSQL's `$1`, `$2`…; the statements hold
/// no `?` anywhere else.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

fn params(args: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|a| a as &(dyn ToSql + Sync)).collect()
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) => match *ty {
                Type::INT8 => n.to_sql(ty, out),
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                Type::BOOL => (*n != 0).to_sql(ty, out),
                _ => Err(format!("an integer cannot be sent as {ty}").into()),
            },
            Value::Text(text) => text.as_str().to_sql(ty, out),
            Value::Blob(bytes) => bytes.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn row(row: &tokio_postgres::Row) -> Result<Row, Error> {
    let mut values = Vec::with_capacity(row.len());
    for (index, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        let value = match *ty {
            Type::INT8 => row.try_get::<_, Option<i64>>(index)?.map(Value::Int),
            Type::INT4 => row
                .try_get::<_, Option<i32>>(index)?
                .map(|n| Value::Int(n.into())),
            Type::INT2 => row
                .try_get::<_, Option<i16>>(index)?
                .map(|n| Value::Int(n.into())),
            Type::BOOL => row.try_get::<_, Option<bool>>(index)?.map(Value::from),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                row.try_get::<_, Option<String>>(index)?.map(Value::Text)
            }
            Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(index)?.map(Value::Blob),
            Type::VOID => None,
            _ => {
                return Err(Error::Internal(format!(
                    "column {} has the type {ty}, which the server does not read",
                    column.name()
                )));
            }
        };
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(Row(values))
}

async fn migrate(client: &mut deadpool_postgres::Object) -> Result<(), Error> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             component TEXT PRIMARY KEY,
             version BIGINT NOT NULL
         )",
    )
    .await?;
    apply(&tx, SERVER, MIGRATIONS).await?;
    tx.commit().await?;
    Ok(())
}

/// Applies the migrations of `component` not applied yet (inside the caller's transaction).
async fn apply(
    tx: &deadpool_postgres::Transaction<'_>,
    component: &str,
    migrations: &[&str],
) -> Result<(), Error> {
    let applied: i64 = tx
        .query_opt(
            "SELECT version FROM schema_migrations WHERE component = $1",
            &[&component],
        )
        .await?
        .map(|r| r.get(0))
        .unwrap_or(0);
    let applied = usize::try_from(applied).unwrap_or(usize::MAX);
    if applied > migrations.len() {
        return Err(Error::Internal(format!(
            "the {component} schema (version {applied}) is newer than this server ({}); upgrade the server",
            migrations.len()
        )));
    }
    for (index, sql) in migrations.iter().enumerate().skip(applied) {
        tx.batch_execute(sql).await?;
        let version = i64::try_from(index + 1).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO schema_migrations (component, version) VALUES ($1, $2)
             ON CONFLICT (component) DO UPDATE SET version = excluded.version",
            &[&component, &version],
        )
        .await?;
    }
    Ok(())
}

/// Applies the migrations of a component built on the server, under the same lock as the
/// server's, all or none.
pub fn migrate_component(pool: &Pool, component: &str, migrations: &[&str]) -> Result<(), Error> {
    let mut client = block_on(&pool.handle, pool.pool.get()).map_err(unavailable)?;
    block_on(&pool.handle, async {
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        apply(&tx, component, migrations).await?;
        tx.commit().await?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_literal_keeps_quotes_and_backslashes_inside() {
        assert_eq!(super::literal("budi"), "E'budi'");
        assert_eq!(super::literal("o'brien\\x"), "E'o''brien\\\\x'");
    }

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(
            super::numbered("UPDATE t SET a = ?2 WHERE id = ?1 AND b = ?10"),
            "UPDATE t SET a = $2 WHERE id = $1 AND b = $10"
        );
        assert_eq!(super::numbered("SELECT '?' , x ?"), "SELECT '?' , x ?");
    }
}
