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
            deferred: Vec::new(),
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
    /// Statements whose results nobody reads, sent with the next statement
    /// ([`Conn::defer`]).
    deferred: Vec<(String, Vec<Value>)>,
}

impl Conn {
    /// Keeps a statement (inside a transaction) to be sent, in order, in the same round trip
    /// as the next statement run on this connection; its error fails that statement.
    pub fn defer(&mut self, sql: &str, args: &[Value]) {
        self.deferred.push((numbered(sql), args.to_vec()));
    }

    /// Forgets the deferred statements (the transaction rolls back).
    pub fn discard_deferred(&mut self) {
        self.deferred.clear();
    }

    /// Runs one statement (after the deferred ones); the rows it changed.
    pub fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, Error> {
        let sql = numbered(sql);
        let deferred = std::mem::take(&mut self.deferred);
        let client = &*self.client;
        block_on(&self.handle, async {
            let (before, statement) = futures_util::future::try_join(
                prepare(client, held(&deferred)),
                prepare(client, [(sql.as_str(), args)]),
            )
            .await?;
            let (done, changed) = futures_util::future::join(
                run(client, &before, &deferred),
                client.execute(&statement[0], &params(args)),
            )
            .await;
            done?;
            Ok(changed?)
        })
    }

    /// Every row of a query (run after the deferred statements).
    pub fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, Error> {
        let mut rows = self.pipeline(&[(sql, args)])?;
        Ok(rows.pop().unwrap_or_default())
    }

    /// The deferred statements, then `statements`, each sent without waiting for the one
    /// before: one round trip (plus one the first time this connection meets a statement, to
    /// prepare it). The rows of each of `statements`; the first failure is the answer (in a
    /// transaction, the statements after it fail too).
    pub fn pipeline(&mut self, statements: &[(&str, &[Value])]) -> Result<Vec<Vec<Row>>, Error> {
        let deferred = std::mem::take(&mut self.deferred);
        let sql: Vec<String> = statements.iter().map(|(sql, _)| numbered(sql)).collect();
        let client = &*self.client;
        let results = block_on(&self.handle, async {
            let (before, prepared) = futures_util::future::try_join(
                prepare(client, held(&deferred)),
                prepare(
                    client,
                    sql.iter()
                        .zip(statements)
                        .map(|(sql, (_, args))| (sql.as_str(), *args)),
                ),
            )
            .await?;
            let arguments: Vec<_> = statements.iter().map(|(_, args)| params(args)).collect();
            let (done, results) = futures_util::future::join(
                run(client, &before, &deferred),
                futures_util::future::join_all(
                    prepared
                        .iter()
                        .zip(&arguments)
                        .map(|(statement, args)| client.query(statement, args)),
                ),
            )
            .await;
            done?;
            Ok::<_, Error>(results)
        })?;
        results
            .into_iter()
            .map(|rows| rows?.iter().map(row).collect())
            .collect()
    }

    /// Several statements without arguments (after the deferred statements: a `COMMIT`
    /// sends them with it).
    pub fn batch(&mut self, sql: &str) -> Result<(), Error> {
        let deferred = std::mem::take(&mut self.deferred);
        let client = &*self.client;
        block_on(&self.handle, async {
            let before = prepare(client, held(&deferred)).await?;
            let (done, batch) = futures_util::future::join(
                run(client, &before, &deferred),
                client.batch_execute(sql),
            )
            .await;
            done?;
            Ok(batch?)
        })
    }
}

/// Prepares `statements` (cached on the connection: a round trip only the first time) and
/// checks their arguments ([`check`]), so that they can then go out one after the other
/// without waiting.
async fn prepare<'a>(
    client: &deadpool_postgres::ClientWrapper,
    statements: impl IntoIterator<Item = (&'a str, &'a [Value])>,
) -> Result<Vec<tokio_postgres::Statement>, Error> {
    let statements: Vec<(&str, &[Value])> = statements.into_iter().collect();
    let prepared = futures_util::future::try_join_all(
        statements.iter().map(|(sql, _)| client.prepare_cached(sql)),
    )
    .await?;
    for (statement, (_, args)) in prepared.iter().zip(&statements) {
        check(statement, args)?;
    }
    Ok(prepared)
}

/// The deferred statements, as [`prepare`] takes them.
fn held(deferred: &[(String, Vec<Value>)]) -> impl Iterator<Item = (&str, &[Value])> {
    deferred
        .iter()
        .map(|(sql, args)| (sql.as_str(), args.as_slice()))
}

/// Whether `args` can be sent for `statement` (their number, and each as its type), checked
/// before a pipeline sends anything: tokio-postgres refuses such a statement without sending
/// it, and the statements around it, a `COMMIT` among them, would still go.
fn check(statement: &tokio_postgres::Statement, args: &[Value]) -> Result<(), Error> {
    let types = statement.params();
    if types.len() != args.len() {
        return Err(Error::Internal(format!(
            "a statement takes {} arguments, {} were given",
            types.len(),
            args.len()
        )));
    }
    for (ty, value) in types.iter().zip(args) {
        value
            .to_sql_checked(ty, &mut bytes::BytesMut::new())
            .map_err(|e| Error::Internal(format!("an argument cannot be sent as {ty}: {e}")))?;
    }
    Ok(())
}

/// Runs the deferred statements, sent in order; the first error.
async fn run(
    client: &deadpool_postgres::ClientWrapper,
    statements: &[tokio_postgres::Statement],
    deferred: &[(String, Vec<Value>)],
) -> Result<(), Error> {
    let arguments: Vec<_> = deferred.iter().map(|(_, args)| params(args)).collect();
    let results = futures_util::future::join_all(
        statements
            .iter()
            .zip(&arguments)
            .map(|(statement, args)| client.execute(statement, args)),
    )
    .await;
    for result in results {
        result?;
    }
    Ok(())
}

/// The statement that takes the transaction's lock of a key (`key`: a placeholder):
/// `pg_advisory_xact_lock` of its hash.
pub fn key_lock(key: &str) -> String {
    format!("SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))")
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
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(
            super::numbered("UPDATE t SET a = ?2 WHERE id = ?1 AND b = ?10"),
            "UPDATE t SET a = $2 WHERE id = $1 AND b = $10"
        );
        assert_eq!(super::numbered("SELECT '?' , x ?"), "SELECT '?' , x ?");
    }
}
