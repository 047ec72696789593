//! The server's shared state: configuration, database, keys, clock and wake-ups.

use std::sync::Arc;

use otentik_protocol::keys::SigningKey;
use otentik_protocol::rp_api::NumberMatching;

use crate::Error;
use crate::clock::Clock;
use crate::db::{self, Conn, Engine, Pool, args};
use crate::hub::Hub;
use crate::seal::DataKey;

/// Settings, with defaults that suit a real deployment. `Debug` redacts the site key.
#[derive(Clone)]
pub struct Config {
    /// Shown in the authenticator as the issuer ("SPSE Demo").
    pub site_name: String,
    /// Base URL the devices reach this server at (`push_url` is this plus `/device/v1`).
    pub public_url: String,
    /// The relying party's bearer key.
    pub site_key: String,
    /// Seconds an enrolment (its QR and push token) stays valid.
    pub enrollment_ttl: u64,
    /// Seconds a login challenge stays valid (at most 120).
    pub challenge_ttl: u64,
    /// Seconds a device should hold each long-poll.
    pub poll_wait: u64,
    /// How logins match numbers unless the site says otherwise: typed by default (a blind
    /// guess succeeds 1 time in 100); devices that have not declared `number_entry` get three
    /// choices instead.
    pub number_mode: NumberMatching,
    /// Logins a user may start per `rate_window`.
    pub login_limit: u32,
    /// Typed-code checks a user may make per `rate_window`.
    pub verify_limit: u32,
    /// Seconds of the rate-limit window.
    pub rate_window: u64,
    /// Wrong codes an enrolment tolerates before it expires.
    pub enroll_code_attempts: u32,
    /// Largest accepted request body, bytes.
    pub body_limit: usize,
    /// Concurrent connections served; over it new ones are closed at once (`--max-connections`).
    pub max_connections: usize,
    /// Seconds a connection may take to send a request's headers before it is closed.
    pub header_read_timeout: u64,
    /// Seconds any request but a long-poll may take before it is ended with a 500.
    pub request_timeout: u64,
    /// Connections to PostgreSQL this process keeps at most (`--db-connections`).
    pub db_connections: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("site_name", &self.site_name)
            .field("public_url", &self.public_url)
            .field("site_key", &"<redacted>")
            .field("challenge_ttl", &self.challenge_ttl)
            .field("number_mode", &self.number_mode)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Defaults for a site called `site_name` reachable at `public_url` with `site_key`.
    pub fn new(site_name: &str, public_url: &str, site_key: &str) -> Self {
        Self {
            site_name: site_name.to_owned(),
            public_url: public_url.trim_end_matches('/').to_owned(),
            site_key: site_key.to_owned(),
            enrollment_ttl: 600,
            challenge_ttl: 60,
            poll_wait: 25,
            number_mode: NumberMatching::Typed,
            login_limit: 5,
            verify_limit: 5,
            rate_window: 60,
            enroll_code_attempts: 5,
            body_limit: 64 * 1024,
            max_connections: 10_000,
            header_read_timeout: 10,
            request_timeout: 15,
            db_connections: db::postgres::DEFAULT_CONNECTIONS,
        }
    }
}

/// Cheap to clone: everything is behind one `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// What [`AppState`] holds.
pub struct Inner {
    /// Settings.
    pub config: Config,
    /// The database's connections.
    db: Pool,
    /// Seals secrets at rest.
    pub data_key: DataKey,
    /// Signs challenges; its public half is pinned by devices.
    pub signing_key: SigningKey,
    /// The injected clock.
    pub clock: Arc<dyn Clock>,
    /// Long-poll wake-ups (on PostgreSQL, across processes).
    pub hub: Arc<Hub>,
    /// Device request nonces seen within the clock tolerance (SQLite: one process).
    pub(crate) replay: std::sync::Mutex<crate::limits::ReplayCache>,
    /// When this process last swept expired nonces and rate-limit rows (unix seconds).
    pub(crate) last_sweep: std::sync::atomic::AtomicU64,
    /// Whether the replay table was full of live nonces at the last sweep.
    pub(crate) replay_full: std::sync::atomic::AtomicBool,
    /// Set when a graceful shutdown begins: `/readyz` answers 503 from then on.
    pub draining: std::sync::atomic::AtomicBool,
    /// Long-polls each device holds (capped).
    pub polls: crate::limits::PollSlots,
    /// Connections closed at once because [`Config::max_connections`] were open.
    pub connections_refused: std::sync::atomic::AtomicU64,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Opens the SQLite database at `db_path` (or `:memory:`), loading or creating the
    /// server's signing key (sealed with `data_key`). For either engine, use
    /// [`AppState::connect`].
    pub fn open(
        config: Config,
        db_path: &str,
        data_key: DataKey,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        if Engine::of(db_path) != Engine::Sqlite {
            return Err(Error::Internal(
                "AppState::open takes a SQLite path; a PostgreSQL URL needs AppState::connect"
                    .into(),
            ));
        }
        crate::user::check_shown_chars("site_name", &config.site_name)?;
        let pool = Pool::Sqlite(db::sqlite::Pool::open(db_path)?);
        Self::with_pool(config, pool, data_key, clock)
    }

    /// Opens the database `db` names: a SQLite path (or `:memory:`), or a `postgres://` URL
    /// (whose wake-ups then reach every server process on it). Call it inside the runtime
    /// that serves: PostgreSQL's connections live there.
    pub async fn connect(
        config: Config,
        db: &str,
        data_key: DataKey,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        crate::user::check_shown_chars("site_name", &config.site_name)?;
        match Engine::of(db) {
            Engine::Sqlite => {
                let path = db.to_owned();
                tokio::task::spawn_blocking(move || Self::open(config, &path, data_key, clock))
                    .await
                    .map_err(|e| Error::Internal(format!("opening the database failed: {e}")))?
            }
            Engine::Postgres => {
                let pool = Pool::Postgres(
                    db::postgres::Pool::connect(
                        db,
                        config.db_connections,
                        std::time::Duration::from_secs(config.request_timeout),
                    )
                    .await?,
                );
                let state = tokio::task::spawn_blocking(move || {
                    Self::with_pool(config, pool, data_key, clock)
                })
                .await
                .map_err(|e| Error::Internal(format!("opening the database failed: {e}")))??;
                if let Pool::Postgres(pool) = &state.db {
                    db::listen::start(pool.url().to_owned(), state.hub.clone());
                }
                Ok(state)
            }
        }
    }

    fn with_pool(
        config: Config,
        pool: Pool,
        data_key: DataKey,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        let signing_key = load_or_create_signing_key(&mut pool.conn()?, &data_key)?;
        Ok(Self(Arc::new(Inner {
            config,
            db: pool,
            data_key,
            signing_key,
            clock,
            hub: Arc::new(Hub::default()),
            replay: std::sync::Mutex::new(crate::limits::ReplayCache::new(
                otentik_protocol::MAX_CLOCK_SKEW_SECS,
                crate::device::MEMORY_REPLAY_CAP,
            )),
            last_sweep: Default::default(),
            replay_full: Default::default(),
            draining: Default::default(),
            polls: crate::limits::PollSlots::default(),
            connections_refused: Default::default(),
        })))
    }

    /// How many request nonces the replay cache (SQLite) or table (PostgreSQL) holds (tests,
    /// metrics).
    pub async fn replay_len(&self) -> Result<u64, Error> {
        if self.engine() == Engine::Sqlite {
            let cache = self.replay.lock().unwrap_or_else(|p| p.into_inner());
            return Ok(cache.len() as u64);
        }
        crate::api::blocking(self, |state| {
            state
                .db()?
                .query_one("SELECT COUNT(*) FROM seen_nonces", &[])?
                .get(0)
        })
        .await
    }

    /// The engine the database runs on.
    pub fn engine(&self) -> Engine {
        self.db.engine()
    }

    /// The current unix time from the injected clock.
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// A database connection (waits for a free one). It blocks the thread: handlers take
    /// it on blocking threads (`api::blocking`), never on a runtime worker.
    pub fn db(&self) -> Result<Conn<'_>, Error> {
        self.db.conn()
    }

    /// Whether the database answers now and wake-ups from other processes arrive
    /// (`/readyz`).
    pub async fn ready(&self) -> Result<(), Error> {
        match &self.db {
            Pool::Sqlite(_) => {
                let state = self.clone();
                crate::api::blocking(&state, |state| {
                    state.db()?.query_one("SELECT 1", &[])?;
                    Ok(())
                })
                .await
            }
            Pool::Postgres(pool) => {
                pool.ready().await?;
                if self.hub.is_listening() {
                    Ok(())
                } else {
                    Err(Error::DatabaseUnavailable(
                        "the connection that carries wake-ups is down".into(),
                    ))
                }
            }
        }
    }

    /// Brings the tables of a component built on this server (a site layered on top, with
    /// tables of its own) up to date: its `migrations` apply in order, each once, counted in
    /// `schema_migrations` under `component`, apart from the server's own schema version.
    /// Never edit a migration that shipped: append a new one.
    pub fn migrate_component(
        &self,
        component: &str,
        migrations: &db::Migrations<'_>,
    ) -> Result<(), Error> {
        match &self.db {
            Pool::Sqlite(pool) => {
                db::sqlite::migrate_component(&pool.get(), component, migrations.sqlite)
            }
            Pool::Postgres(pool) => {
                db::postgres::migrate_component(pool, component, migrations.postgres)
            }
        }
    }

    /// The server's public key in wire form.
    pub fn server_key(&self) -> String {
        otentik_protocol::keys::public_key_to_wire(&self.signing_key.verifying_key())
    }

    /// `push_url` for enrolment URIs.
    pub fn push_url(&self) -> String {
        format!(
            "{}{}",
            self.config.public_url,
            otentik_protocol::DEVICE_API_PREFIX
        )
    }
}

fn load_or_create_signing_key(
    conn: &mut Conn<'_>,
    data_key: &DataKey,
) -> Result<SigningKey, Error> {
    const CONTEXT: &str = "server-signing-key";
    let bytes = zeroize::Zeroizing::new(crate::token::random_bytes(32));
    let array: [u8; 32] = bytes.as_slice().try_into().map_err(|_| Error::Unseal)?;
    // Several processes may start at once on one database: the first key stored wins and
    // every process uses that one.
    conn.execute(
        "INSERT INTO server_key (id, sealed) VALUES (1, ?1) ON CONFLICT (id) DO NOTHING",
        args![data_key.seal(CONTEXT, &array)?],
    )?;
    let sealed: Vec<u8> = conn
        .query_one("SELECT sealed FROM server_key WHERE id = 1", &[])?
        .get(0)?;
    let bytes = zeroize::Zeroizing::new(data_key.open(CONTEXT, &sealed)?);
    let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| Error::Unseal)?;
    Ok(SigningKey::from_bytes(&bytes))
}
