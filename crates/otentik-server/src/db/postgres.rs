//! The PostgreSQL engine: a pool of connections, the server's migrations counted in
//! `schema_migrations` under the component `server`, and the conversions between [`Value`]
//! and PostgreSQL's types.
//!
//! Each connection is a `tokio-postgres` client whose connection is driven by the thread
//! that holds it, on a small runtime of its own ([`Session`]), the way the `postgres` crate
//! drives its clients, so that a statement costs one round trip and no hand-off between
//! threads; `r2d2` pools them. Calls block their thread: they are made on blocking threads
//! (`api::blocking`), never on a runtime worker. Why this shape, with the figures, is in
//! `docs/decisions/0007-postgres-engine.md`.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

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

/// The longest the migrations of one component may take (waiting for another process's
/// included).
const MIGRATION_LIMIT: Duration = Duration::from_secs(600);

/// A pool of connections to one PostgreSQL database.
#[derive(Clone)]
pub struct Pool {
    pool: r2d2::Pool<Manager>,
    url: String,
}

impl Pool {
    /// Connects to `url` (`postgres://user@host:port/db`), checks it answers and migrates
    /// it. Unless the URL's `options` set one, a statement is cancelled after `statement_timeout`
    /// (the request timeout: a statement stuck on a lock would otherwise hold its connection
    /// and thread long after its request has been answered).
    pub async fn connect(
        url: &str,
        connections: usize,
        statement_timeout: Duration,
    ) -> Result<Self, Error> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| Error::Internal(format!("the PostgreSQL URL does not parse: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(WAIT);
        }
        // A connection cut without a word is noticed within about a minute.
        if config.get_keepalives_idle() > Duration::from_secs(30) {
            config.keepalives_idle(Duration::from_secs(30));
        }
        if config.get_keepalives_interval().is_none() {
            config.keepalives_interval(Duration::from_secs(10));
        }
        if config.get_keepalives_retries().is_none() {
            config.keepalives_retries(3);
        }
        let options = config.get_options().unwrap_or_default().to_owned();
        if !options.contains("statement_timeout") {
            let timeout = format!(
                "-c statement_timeout={}",
                statement_timeout.as_millis().max(1)
            );
            config.options(format!("{options} {timeout}").trim());
        }
        let url = url.to_owned();
        tokio::task::spawn_blocking(move || {
            let manager = Manager {
                config,
                // A call whose answer does not come (a connection cut without a reset) ends
                // a little after PostgreSQL would have cancelled its statement.
                limit: statement_timeout.saturating_add(WAIT),
            };
            let pool = r2d2::Pool::builder()
                .max_size(u32::try_from(connections.max(2)).unwrap_or(u32::MAX))
                // Opened when first needed: many processes may share one database.
                .min_idle(Some(0))
                .connection_timeout(WAIT)
                .error_handler(Box::new(LogErrors))
                .build_unchecked(manager);
            let this = Self { pool, url };
            migrate(&mut this.get()?)?;
            Ok(this)
        })
        .await
        .map_err(|e| Error::Internal(format!("connecting to PostgreSQL failed: {e}")))?
    }

    /// The URL it connects to (for the listening connection).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A connection: waits up to 5 s for a free one.
    pub fn get(&self) -> Result<Conn, Error> {
        let session = self.pool.get().map_err(unavailable)?;
        Ok(Conn {
            session,
            deferred: Vec::new(),
        })
    }

    /// Whether the database answers now (`/readyz`).
    pub async fn ready(&self) -> Result<(), Error> {
        let pool = self.clone();
        tokio::task::spawn_blocking(move || pool.get()?.batch("SELECT 1"))
            .await
            .map_err(|e| Error::Internal(format!("checking PostgreSQL failed: {e}")))?
    }
}

fn unavailable(error: r2d2::Error) -> Error {
    Error::DatabaseUnavailable(error.to_string())
}

/// Opens and checks the pool's connections.
#[derive(Debug)]
struct Manager {
    config: tokio_postgres::Config,
    /// The longest a call may take.
    limit: Duration,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Session;
    type Error = Error;

    fn connect(&self) -> Result<Session, Error> {
        Session::open(&self.config, self.limit)
    }

    /// On every check-out: whether the server has closed the connection while it sat in the
    /// pool (a restart, an administrator's command); no round trip.
    fn is_valid(&self, session: &mut Session) -> Result<(), Error> {
        if session.alive() {
            Ok(())
        } else {
            Err(closed())
        }
    }

    /// Never: a connection that ended goes back to the pool, which wakes a request waiting
    /// for one, and that request's check-out ([`Manager::is_valid`]) drops it and opens
    /// another (r2d2 wakes no one when it drops a broken connection itself).
    fn has_broken(&self, _: &mut Session) -> bool {
        false
    }
}

/// The pool's errors (a connection that cannot be opened, one found closed at check-out) go
/// to the server's log.
#[derive(Debug)]
struct LogErrors;

impl r2d2::HandleError<Error> for LogErrors {
    fn handle_error(&self, error: Error) {
        tracing::warn!(%error, "a PostgreSQL connection failed");
    }
}

fn closed() -> Error {
    Error::DatabaseUnavailable("the connection to PostgreSQL is closed".into())
}

/// The future that runs a connection: reads and writes its socket for the client.
type Driver = Pin<Box<dyn Future<Output = Result<(), tokio_postgres::Error>> + Send>>;

/// One connection to PostgreSQL, driven by the thread that uses it: each call runs the
/// client's requests and the connection together on the session's own single-threaded
/// runtime, so the answer is read by the thread that waits for it (no wake-up of another
/// thread on the way, which cost more than the round trip itself on the server's runtime).
pub struct Session {
    runtime: Local,
    client: tokio_postgres::Client,
    /// `None` once the connection has ended.
    driver: Option<Driver>,
    /// Statements prepared on this connection, by their SQL.
    statements: HashMap<String, tokio_postgres::Statement>,
    /// The longest a call may take before the connection is given up.
    limit: Duration,
}

impl Session {
    fn open(config: &tokio_postgres::Config, limit: Duration) -> Result<Self, Error> {
        // In `Local` at once: a failed connection leaves a host name's lookup behind, which
        // dropping the runtime must not wait for.
        let runtime = Local(Some(
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Error::Internal(format!("starting a PostgreSQL connection: {e}")))?,
        ));
        // Bounded as a whole: `connect_timeout` covers the TCP connection, not a server that
        // accepts it and never answers the start-up.
        let (client, connection) = block(
            &runtime,
            // Made inside the runtime: a timer needs one.
            async { tokio::time::timeout(limit, config.connect(tokio_postgres::NoTls)).await },
        )?
        .map_err(|_| {
            Error::DatabaseUnavailable(format!(
                "PostgreSQL did not answer within {} s",
                limit.as_secs()
            ))
        })??;
        Ok(Self {
            runtime,
            client,
            driver: Some(Box::pin(connection)),
            statements: HashMap::new(),
            limit,
        })
    }

    /// Whether the connection is still open: reads, without waiting, what the server sent
    /// since the last call (a closed socket, a fatal error), which ends the connection.
    fn alive(&mut self) -> bool {
        let Some(connection) = self.driver.as_mut() else {
            return false;
        };
        let ended = block(&self.runtime, async {
            // Lets the runtime look at the socket (a poll that does not wait) first: a
            // yielding task makes tokio's single-threaded runtime poll its I/O driver without
            // waiting before it polls the task again (pinned by the test that ends idle
            // connections with pg_terminate_backend).
            tokio::task::yield_now().await;
            std::future::poll_fn(|cx| Poll::Ready(connection.as_mut().poll(cx).is_ready())).await
        })
        .unwrap_or(true);
        if ended {
            self.driver = None;
        }
        !ended && !self.client.is_closed()
    }

    /// The prepared statements of `sql` (prepared on this connection the first time, all in
    /// one round trip).
    fn prepare(&mut self, sql: &[&str]) -> Result<Vec<tokio_postgres::Statement>, Error> {
        let mut missing: Vec<&str> = sql
            .iter()
            .copied()
            .filter(|sql| !self.statements.contains_key(*sql))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            let prepared = self.drive(|client| {
                futures_util::future::try_join_all(missing.iter().map(|sql| client.prepare(sql)))
            })??;
            self.statements
                .extend(missing.iter().map(|sql| (*sql).to_owned()).zip(prepared));
        }
        sql.iter()
            .map(|sql| {
                self.statements
                    .get(*sql)
                    .cloned()
                    .ok_or_else(|| Error::Internal("a prepared statement went missing".into()))
            })
            .collect()
    }
}

impl Session {
    /// Runs the requests `work` makes of the client ([`drive`]).
    fn drive<'a, F: Future>(
        &'a mut self,
        work: impl FnOnce(&'a tokio_postgres::Client) -> F,
    ) -> Result<F::Output, Error> {
        let Self {
            runtime,
            client,
            driver,
            limit,
            ..
        } = self;
        let client: &'a tokio_postgres::Client = client;
        drive(runtime, driver, *limit, work(client))
    }
}

/// The session's runtime, shut down without waiting when the session is dropped (which may
/// happen on any thread).
struct Local(Option<tokio::runtime::Runtime>);

impl Drop for Local {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// Runs `future` to completion on the session's runtime (from a worker of a multi-threaded
/// runtime, which never happens in the server's requests, that worker first hands its other
/// tasks over).
fn block<F: Future>(runtime: &Local, future: F) -> Result<F::Output, Error> {
    let runtime = runtime.0.as_ref().ok_or_else(closed)?;
    let on_worker = tokio::runtime::Handle::try_current().is_ok_and(|current| {
        current.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
    });
    Ok(if on_worker {
        tokio::task::block_in_place(|| runtime.block_on(future))
    } else {
        runtime.block_on(future)
    })
}

/// Runs `work` (requests of the session's client) to completion on the session's runtime,
/// driving the connection meanwhile, for at most `limit`. A connection that ends meanwhile,
/// or a call that takes longer, gives the connection up for good: the pool replaces it.
fn drive<F: Future>(
    runtime: &Local,
    driver: &mut Option<Driver>,
    limit: Duration,
    work: F,
) -> Result<F::Output, Error> {
    let Some(connection) = driver.as_mut() else {
        return Err(closed());
    };
    let outcome = block(runtime, async {
        let mut work = std::pin::pin!(work);
        let both = std::future::poll_fn(|cx| {
            if let Poll::Ready(output) = work.as_mut().poll(cx) {
                return Poll::Ready(Ok(output));
            }
            match connection.as_mut().poll(cx) {
                Poll::Pending => Poll::Pending,
                // The connection may have handed over the last answer before it ended.
                Poll::Ready(end) => match work.as_mut().poll(cx) {
                    Poll::Ready(output) => Poll::Ready(Err((Some(output), end))),
                    Poll::Pending => Poll::Ready(Err((None, end))),
                },
            }
        });
        tokio::time::timeout(limit, both).await
    })?;
    match outcome {
        Ok(Ok(output)) => Ok(output),
        Ok(Err((output, end))) => {
            *driver = None;
            match (output, end) {
                (Some(output), _) => Ok(output),
                (None, Ok(())) => Err(closed()),
                (None, Err(error)) => Err(Error::DatabaseUnavailable(format!(
                    "the connection to PostgreSQL ended: {error}"
                ))),
            }
        }
        Err(_) => {
            *driver = None;
            Err(Error::DatabaseUnavailable(format!(
                "PostgreSQL did not answer within {} s",
                limit.as_secs()
            )))
        }
    }
}

/// One connection of the pool, returned to it when dropped.
pub struct Conn {
    session: r2d2::PooledConnection<Manager>,
    /// Statements whose results nobody reads, sent with the next statement
    /// ([`Conn::defer`]).
    deferred: Vec<(String, Vec<Value>)>,
}

impl Conn {
    /// `result`, after forgetting the connection's prepared statements if it says one is
    /// stale (another process's migration changed what it reads, or the server no longer has
    /// it): the next call prepares them again instead of failing the same way until the
    /// connection is closed.
    fn noted<T>(&mut self, result: Result<T, Error>) -> Result<T, Error> {
        use tokio_postgres::error::SqlState;
        if let Err(Error::Postgres(error)) = &result
            && error.code().is_some_and(|code| {
                *code == SqlState::FEATURE_NOT_SUPPORTED
                    || *code == SqlState::INVALID_SQL_STATEMENT_NAME
            })
        {
            self.session.statements.clear();
        }
        result
    }

    /// Keeps a statement (inside a transaction) to be sent, in order, in the same round trip
    /// as the next statement run on this connection; its error fails that statement.
    pub fn defer(&mut self, sql: &str, args: &[Value]) {
        self.deferred.push((numbered(sql), args.to_vec()));
    }

    /// Forgets the deferred statements (the transaction rolls back).
    pub fn discard_deferred(&mut self) {
        self.deferred.clear();
    }

    /// The deferred statements prepared, then `statements` prepared, each with its arguments
    /// checked ([`check`]) so that they can all go out one after the other without waiting.
    #[allow(clippy::type_complexity)]
    fn prepared(
        &mut self,
        deferred: &[(String, Vec<Value>)],
        statements: &[(&str, &[Value])],
    ) -> Result<
        (
            Vec<tokio_postgres::Statement>,
            Vec<tokio_postgres::Statement>,
        ),
        Error,
    > {
        let sql: Vec<&str> = deferred
            .iter()
            .map(|(sql, _)| sql.as_str())
            .chain(statements.iter().map(|(sql, _)| *sql))
            .collect();
        let mut prepared = self.session.prepare(&sql)?;
        let args = deferred
            .iter()
            .map(|(_, args)| args.as_slice())
            .chain(statements.iter().map(|(_, args)| *args));
        for (statement, args) in prepared.iter().zip(args) {
            check(statement, args)?;
        }
        let after = prepared.split_off(deferred.len());
        Ok((prepared, after))
    }

    /// Runs one statement (after the deferred ones); the rows it changed.
    pub fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, Error> {
        let result = self.execute_once(sql, args);
        self.noted(result)
    }

    fn execute_once(&mut self, sql: &str, args: &[Value]) -> Result<u64, Error> {
        let sql = numbered(sql);
        let deferred = std::mem::take(&mut self.deferred);
        let (before, statement) = self.prepared(&deferred, &[(sql.as_str(), args)])?;
        let arguments = params(args);
        let (done, changed) = self.session.drive(|client| {
            futures_util::future::join(
                run(client, &before, &deferred),
                client.execute(&statement[0], &arguments),
            )
        })?;
        done?;
        Ok(changed?)
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
        let result = self.pipeline_once(statements);
        self.noted(result)
    }

    fn pipeline_once(&mut self, statements: &[(&str, &[Value])]) -> Result<Vec<Vec<Row>>, Error> {
        let deferred = std::mem::take(&mut self.deferred);
        let sql: Vec<String> = statements.iter().map(|(sql, _)| numbered(sql)).collect();
        let numbered: Vec<(&str, &[Value])> = sql
            .iter()
            .zip(statements)
            .map(|(sql, (_, args))| (sql.as_str(), *args))
            .collect();
        let (before, prepared) = self.prepared(&deferred, &numbered)?;
        let arguments: Vec<_> = statements.iter().map(|(_, args)| params(args)).collect();
        let (done, results) = self.session.drive(|client| {
            futures_util::future::join(
                run(client, &before, &deferred),
                futures_util::future::join_all(
                    prepared
                        .iter()
                        .zip(&arguments)
                        .map(|(statement, args)| client.query(statement, args)),
                ),
            )
        })?;
        done?;
        results
            .into_iter()
            .map(|rows| rows?.iter().map(row).collect())
            .collect()
    }

    /// Several statements without arguments (after the deferred statements: a `COMMIT`
    /// sends them with it).
    pub fn batch(&mut self, sql: &str) -> Result<(), Error> {
        let result = self.batch_once(sql);
        self.noted(result)
    }

    fn batch_once(&mut self, sql: &str) -> Result<(), Error> {
        let deferred = std::mem::take(&mut self.deferred);
        let (before, _) = self.prepared(&deferred, &[])?;
        let (done, batch) = self.session.drive(|client| {
            futures_util::future::join(run(client, &before, &deferred), client.batch_execute(sql))
        })?;
        done?;
        Ok(batch?)
    }
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
    client: &tokio_postgres::Client,
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

/// Applies the server's migrations not applied yet.
fn migrate(conn: &mut Conn) -> Result<(), Error> {
    conn.migrate(SERVER, MIGRATIONS, true)
}

impl Conn {
    /// Applies the migrations of `component` not applied yet, all or none, under a lock that
    /// every process starting on the same database takes (creating `schema_migrations` first
    /// when `create` is set).
    fn migrate(&mut self, component: &str, migrations: &[&str], create: bool) -> Result<(), Error> {
        let Session {
            runtime,
            client,
            driver,
            ..
        } = &mut *self.session;
        drive(runtime, driver, MIGRATION_LIMIT, async {
            let tx = client.transaction().await?;
            let applied = async {
                // Waiting for another process's migrations, or a long one, is not a stuck
                // request: no statement timeout here.
                tx.batch_execute("SET LOCAL statement_timeout = 0").await?;
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                    .await?;
                if create {
                    tx.batch_execute(
                        "CREATE TABLE IF NOT EXISTS schema_migrations (
                             component TEXT PRIMARY KEY,
                             version BIGINT NOT NULL
                         )",
                    )
                    .await?;
                }
                apply(&tx, component, migrations).await
            }
            .await;
            match applied {
                Ok(()) => Ok(tx.commit().await?),
                Err(error) => {
                    // Sent now (dropping the transaction would only queue it): the connection
                    // goes back to its pool without the migration lock.
                    let _ = tx.rollback().await;
                    Err(error)
                }
            }
        })?
    }
}

/// Applies the migrations of `component` not applied yet (inside the caller's transaction).
async fn apply(
    tx: &tokio_postgres::Transaction<'_>,
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
    pool.get()?.migrate(component, migrations, false)
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
