//! The database behind one interface, with two engines:
//!
//! - **SQLite** (`--db PATH`, or `:memory:`; the default): one machine, zero set-up; a few
//!   connections to the file, write transactions `BEGIN IMMEDIATE`;
//! - **PostgreSQL** (`--db postgres://…`): several server processes on one database; a pool
//!   of connections (`r2d2` over `tokio-postgres` clients, each driven by the thread that
//!   holds it), per-user advisory locks inside transactions, and wake-ups across processes
//!   with `LISTEN/NOTIFY` (`db::listen`).
//!
//! The server's statements are written once, with `?1`, `?2`… placeholders (rewritten to
//! `$1`, `$2`… for PostgreSQL) and the SQL both engines share; each engine has its own
//! migrations ([`sqlite`], [`postgres`]) that give the same tables the same columns.
//! Values cross as [`Value`] (integers are `i64` in both: `u64` times are converted at the
//! boundary) and rows come back as owned [`Row`]s.
//!
//! Every call blocks its thread: handlers make them inside `api::blocking` (a
//! blocking thread), never on a runtime worker.

use std::sync::MutexGuard;

use crate::Error;

pub(crate) mod listen;
pub mod postgres;
pub mod sqlite;
mod value;

pub use value::{FromValue, Row, Value};

/// Which engine a database runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// A SQLite file (or `:memory:`).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Engine {
    /// The engine a `--db` value names: a `postgres://` or `postgresql://` URL, else a
    /// SQLite path.
    pub fn of(db: &str) -> Self {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// `db` as it may be printed or logged: a SQLite path as it is; a URL without its password
/// and without its parameters (which may hold one: `?password=…`).
pub fn shown(db: &str) -> String {
    if Engine::of(db) == Engine::Sqlite {
        return db.to_owned();
    }
    let Some((scheme, rest)) = db.split_once("://") else {
        return String::new();
    };
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let authority = match authority.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{user}@{host}")
        }
        None => authority.to_owned(),
    };
    format!("{scheme}://{authority}{path}")
}

/// The connections of one database.
pub(crate) enum Pool {
    Sqlite(sqlite::Pool),
    Postgres(postgres::Pool),
}

impl Pool {
    /// The engine.
    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    /// A connection (waits for a free one).
    pub fn conn(&self) -> Result<Conn<'_>, Error> {
        Ok(match self {
            Self::Sqlite(pool) => Conn::Sqlite(pool.get()),
            Self::Postgres(pool) => Conn::Postgres(Box::new(pool.get()?)),
        })
    }
}

/// What a transaction locks besides the rows it writes.
#[derive(Debug, Clone, Copy)]
pub enum Lock<'a> {
    /// Nothing more: every read-modify-write inside is a conditional update.
    Rows,
    /// Everything else done under the same key (a user id) waits: reads that decide a write
    /// (counting logins for the rate limit, replacing the pending one) cannot race. SQLite's
    /// `BEGIN IMMEDIATE` takes the database's write lock, which covers every key; PostgreSQL
    /// takes `pg_advisory_xact_lock` of the key's hash.
    Key(&'a str),
}

/// One connection, held until dropped.
pub enum Conn<'a> {
    /// SQLite.
    Sqlite(MutexGuard<'a, rusqlite::Connection>),
    /// PostgreSQL.
    Postgres(Box<postgres::Conn>),
}

impl Conn<'_> {
    /// The engine of this connection.
    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs a statement; the number of rows it changed.
    pub fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, Error> {
        match self {
            Self::Sqlite(conn) => sqlite::execute(conn, sql, args),
            Self::Postgres(conn) => conn.execute(sql, args),
        }
    }

    /// Every row a query returns.
    pub fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, Error> {
        match self {
            Self::Sqlite(conn) => sqlite::query(conn, sql, args),
            Self::Postgres(conn) => conn.query(sql, args),
        }
    }

    /// The first row a query returns, if any.
    pub fn query_opt(&mut self, sql: &str, args: &[Value]) -> Result<Option<Row>, Error> {
        Ok(self.query(sql, args)?.into_iter().next())
    }

    /// The first row of a query that always returns one (an aggregate).
    pub fn query_one(&mut self, sql: &str, args: &[Value]) -> Result<Row, Error> {
        self.query_opt(sql, args)?
            .ok_or_else(|| Error::Internal("a query that returns a row returned none".into()))
    }

    /// Runs several statements without arguments (migrations).
    pub fn batch(&mut self, sql: &str) -> Result<(), Error> {
        match self {
            Self::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Self::Postgres(conn) => conn.batch(sql),
        }
    }

    /// Runs `work` in a transaction that takes `lock`: committed when `work` returns
    /// `Ok`, rolled back on `Err` (and when `work` panics: the connection goes back to its
    /// pool outside any transaction). `work` returns `Ok(Err(e))` to commit what it did and
    /// still answer `e` (a refusal that records something, such as a settled back-off; see
    /// [`refusal`]).
    pub fn transaction<T>(
        &mut self,
        lock: Lock<'_>,
        work: impl FnOnce(&mut Self) -> Result<Result<T, Error>, Error>,
    ) -> Result<T, Error> {
        match (&mut *self, lock) {
            (Self::Sqlite(conn), _) => conn.execute_batch("BEGIN IMMEDIATE")?,
            // Sent with the transaction's first statement, in the same round trip.
            (Self::Postgres(conn), Lock::Key(key)) => {
                conn.defer("BEGIN", &[]);
                conn.defer(&postgres::key_lock("?1"), &[Value::from(key)]);
            }
            (Self::Postgres(conn), Lock::Rows) => conn.defer("BEGIN", &[]),
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(self)));
        match outcome {
            // The commit carries the statements still deferred.
            Ok(Ok(result)) => match self.batch("COMMIT") {
                Ok(()) => result,
                Err(error) => {
                    self.rollback();
                    Err(error)
                }
            },
            Ok(Err(error)) => {
                // A failed rollback leaves nothing committed either; the first error tells.
                self.rollback();
                Err(error)
            }
            Err(panic) => {
                self.rollback();
                std::panic::resume_unwind(panic)
            }
        }
    }

    /// Rolls back the transaction, without what it deferred.
    fn rollback(&mut self) {
        if let Self::Postgres(conn) = self {
            conn.discard_deferred();
        }
        let _ = self.batch("ROLLBACK");
    }

    /// Inside a transaction: runs a statement whose result is not read (one that returns no
    /// rows: SQLite refuses a query here). On PostgreSQL it is
    /// sent with the transaction's next statement (at the latest its `COMMIT`), in the same
    /// round trip, and its error fails that statement; SQLite runs it at once.
    pub fn defer(&mut self, sql: &str, args: &[Value]) -> Result<(), Error> {
        match self {
            Self::Sqlite(conn) => sqlite::execute(conn, sql, args).map(drop),
            Self::Postgres(conn) => {
                conn.defer(sql, args);
                Ok(())
            }
        }
    }

    /// The rows of each query, in order; on PostgreSQL sent together, in one round trip.
    pub fn pipeline(&mut self, queries: &[(&str, &[Value])]) -> Result<Vec<Vec<Row>>, Error> {
        match self {
            Self::Sqlite(conn) => queries
                .iter()
                .map(|(sql, args)| sqlite::query(conn, sql, args))
                .collect(),
            Self::Postgres(conn) => conn.pipeline(queries),
        }
    }

    /// Inside a transaction: waits for, then holds until the transaction ends, the lock of
    /// `key` (PostgreSQL's `pg_advisory_xact_lock` of its hash; on SQLite the transaction's
    /// write lock covers every key already).
    pub fn lock_key(&mut self, key: &str) -> Result<(), Error> {
        match self {
            Self::Sqlite(_) => Ok(()),
            Self::Postgres(conn) => {
                conn.execute(&postgres::key_lock("?1"), &[Value::from(key)])?;
                Ok(())
            }
        }
    }
}

impl Conn<'_> {
    /// Runs a statement that changes rows (`sql`, an `INSERT`, `UPDATE` or `DELETE` without
    /// `RETURNING`) and, if it changed any, tells the other server processes that `topics`
    /// changed ([`Conn::notify`]): on PostgreSQL in one statement, one round trip. The rows it
    /// changed.
    pub fn execute_notify(
        &mut self,
        sql: &str,
        args: &[Value],
        hub: &crate::hub::Hub,
        topics: &[String],
    ) -> Result<u64, Error> {
        match self {
            Self::Sqlite(conn) => sqlite::execute(conn, sql, args),
            Self::Postgres(_) if topics.is_empty() => self.execute(sql, args),
            Self::Postgres(conn) => {
                let (channel, notice) = (args.len() + 1, args.len() + 2);
                let combined = format!(
                    "WITH changed AS ({sql} RETURNING 1)
                     SELECT n, CASE WHEN n > 0 THEN pg_notify(?{channel}, ?{notice}) END
                     FROM (SELECT COUNT(*) AS n FROM changed) AS c"
                );
                let mut all = args.to_vec();
                all.push(Value::from(listen::CHANNEL));
                all.push(Value::from(hub.notice(topics)));
                let rows = conn.query(&combined, &all)?;
                let changed: i64 = rows
                    .first()
                    .ok_or_else(|| Error::Internal("a count returned no row".into()))?
                    .get(0)?;
                Ok(changed.max(0) as u64)
            }
        }
    }

    /// Inside a transaction: tells the other server processes that `topics` changed
    /// (PostgreSQL; nothing to tell on SQLite, which has one process). PostgreSQL delivers
    /// the notification when the transaction commits and drops it on a rollback; the
    /// statement is deferred ([`Conn::defer`]) to the commit's round trip. This process's own
    /// waiters are woken by the caller after the commit
    /// ([`crate::hub::Hub::publish_local_all`]).
    pub fn notify(&mut self, hub: &crate::hub::Hub, topics: &[String]) -> Result<(), Error> {
        match self {
            Self::Sqlite(_) => Ok(()),
            Self::Postgres(_) if topics.is_empty() => Ok(()),
            Self::Postgres(conn) => {
                conn.defer(
                    "SELECT pg_notify(?1, ?2)",
                    &[
                        Value::from(listen::CHANNEL),
                        Value::from(hub.notice(topics)),
                    ],
                );
                Ok(())
            }
        }
    }
}

/// For [`Conn::transaction`]'s `work`: a refusal the transaction records (too many attempts,
/// a wrong code) commits and is answered; any other error (the database's) rolls back.
pub fn refusal<T>(error: Error) -> Result<Result<T, Error>, Error> {
    match error {
        Error::RateLimited(_) | Error::InvalidCode => Ok(Err(error)),
        other => Err(other),
    }
}

/// Arguments for a statement: `args![a, b]` is `&[Value::from(a), Value::from(b)]`.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        &[$($crate::db::Value::from($value)),*] as &[$crate::db::Value]
    };
}
pub(crate) use args;

/// A component's migrations for each engine (the same tables, each engine's SQL).
#[derive(Debug, Clone, Copy)]
pub struct Migrations<'a> {
    /// SQLite's, in order.
    pub sqlite: &'a [&'a str],
    /// PostgreSQL's, in order.
    pub postgres: &'a [&'a str],
}

#[cfg(test)]
mod tests {
    use super::{Lock, Pool, sqlite};

    #[test]
    fn a_panic_or_an_error_inside_a_transaction_rolls_it_back() {
        let pool = Pool::Sqlite(sqlite::Pool::open(":memory:").unwrap());
        let mut conn = pool.conn().unwrap();
        let insert = "INSERT INTO code_failures (user_id, at) VALUES (?1, ?2)";
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: Result<(), _> = conn.transaction(Lock::Key("u"), |tx| {
                tx.execute(insert, args!["u", 1u64])?;
                panic!("a bug in the middle of a transaction");
            });
        }));
        assert!(panicked.is_err());
        // An error rolls back too; a refusal commits what was done.
        let failed: Result<(), _> = conn.transaction(Lock::Rows, |tx| {
            tx.execute(insert, args!["u", 2u64])?;
            Err(crate::Error::Internal("x".into()))
        });
        assert!(failed.is_err());
        let refused: Result<(), _> = conn.transaction(Lock::Rows, |tx| {
            tx.execute(insert, args!["u", 3u64])?;
            super::refusal(crate::Error::RateLimited(1))
        });
        assert!(matches!(refused, Err(crate::Error::RateLimited(1))));
        // The connection is outside any transaction (a new one begins) and holds only the
        // refusal's row.
        let rows = conn
            .transaction(Lock::Rows, |tx| {
                Ok(Ok(
                    tx.query("SELECT at FROM code_failures ORDER BY at", &[])?
                ))
            })
            .unwrap();
        let times: Vec<u64> = rows.iter().map(|r| r.get(0).unwrap()).collect();
        assert_eq!(times, vec![3]);
    }

    #[test]
    fn a_shown_database_has_no_password() {
        for (given, shown) in [
            (
                "/var/lib/otentik/server.sqlite3",
                "/var/lib/otentik/server.sqlite3",
            ),
            (":memory:", ":memory:"),
            (
                "postgres://otentik@db/otentik",
                "postgres://otentik@db/otentik",
            ),
            (
                "postgres://otentik:s3cret@db:5432/otentik",
                "postgres://otentik@db:5432/otentik",
            ),
            ("postgresql://u:p@ss@db/x", "postgresql://u@db/x"),
            (
                "postgres://otentik@db/otentik?password=p@ss",
                "postgres://otentik@db/otentik",
            ),
            (
                "postgres://db/otentik?user=u&password=x",
                "postgres://db/otentik",
            ),
        ] {
            assert_eq!(super::shown(given), shown, "{given}");
            let shown = super::shown(given);
            assert!(
                !shown.contains("s3cret") && !shown.contains("p@ss") && !shown.contains("password")
            );
        }
    }
}
