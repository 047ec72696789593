//! The server's shared state: configuration, database, keys, clock and wake-ups.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use otentik_protocol::MAX_CLOCK_SKEW_SECS;
use otentik_protocol::keys::SigningKey;
use otentik_protocol::rp_api::NumberMatching;
use rusqlite::{Connection, OptionalExtension as _};

use crate::clock::Clock;
use crate::hub::Hub;
use crate::seal::DataKey;
use crate::{Error, db};

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
        }
    }
}

/// Connections to a database file (a `:memory:` database has one).
const DB_CONNECTIONS: usize = 4;

/// Cheap to clone: everything is behind one `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// What [`AppState`] holds.
pub struct Inner {
    /// Settings.
    pub config: Config,
    /// A few connections to the same file (one for `:memory:`), so a request waiting on a
    /// write lock does not hold up requests that only read.
    db: Vec<Mutex<Connection>>,
    next_db: std::sync::atomic::AtomicUsize,
    /// Seals secrets at rest.
    pub data_key: DataKey,
    /// Signs challenges; its public half is pinned by devices.
    pub signing_key: SigningKey,
    /// The injected clock.
    pub clock: Arc<dyn Clock>,
    /// Long-poll wake-ups.
    pub hub: Hub,
    /// Device request nonces seen within the clock tolerance.
    pub replay: Mutex<crate::limits::ReplayCache>,
    /// Recent typed-code checks per user, for the rate limit.
    pub verify_attempts: Mutex<HashMap<String, Vec<u64>>>,
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
    /// Opens the database at `db_path` (or `:memory:`), loading or creating the server's
    /// signing key (sealed with `data_key`).
    pub fn open(
        config: Config,
        db_path: &str,
        data_key: DataKey,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        crate::user::check_shown_chars("site_name", &config.site_name)?;
        let conn = db::open(db_path)?;
        let signing_key = load_or_create_signing_key(&conn, &data_key)?;
        let mut pool = vec![Mutex::new(conn)];
        if db_path != ":memory:" {
            for _ in 1..DB_CONNECTIONS {
                pool.push(Mutex::new(db::open_more(db_path)?));
            }
        }
        Ok(Self(Arc::new(Inner {
            config,
            db: pool,
            next_db: Default::default(),
            data_key,
            signing_key,
            clock,
            hub: Hub::default(),
            replay: Mutex::new(crate::limits::ReplayCache::new(
                MAX_CLOCK_SKEW_SECS,
                crate::device::REPLAY_CAP,
            )),
            verify_attempts: Mutex::new(HashMap::new()),
            polls: crate::limits::PollSlots::default(),
            connections_refused: Default::default(),
        })))
    }

    /// How many request nonces the replay cache holds (tests, metrics).
    pub fn replay_len(&self) -> usize {
        self.replay.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// The current unix time from the injected clock.
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// A database connection: a free one of the pool when there is one (every use is short;
    /// handlers run them on blocking threads, never on a runtime worker).
    pub fn db(&self) -> MutexGuard<'_, Connection> {
        use std::sync::TryLockError;
        let count = self.db.len().max(1);
        let start = self
            .next_db
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for offset in 0..count {
            if let Some(slot) = self.db.get((start + offset) % count) {
                match slot.try_lock() {
                    Ok(guard) => return guard,
                    Err(TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
                    Err(TryLockError::WouldBlock) => {}
                }
            }
        }
        // All busy: wait for one (the pool is never empty: `open` puts one in).
        self.db[start % count]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Brings the tables of a component built on this server (a site layered on top, with
    /// tables of its own) up to date: its `migrations` apply in order, each once, counted in
    /// `schema_migrations` under `component`, apart from the server's own schema version.
    /// Never edit a migration that shipped: append a new one.
    pub fn migrate_component(&self, component: &str, migrations: &[&str]) -> Result<(), Error> {
        db::migrate_component(&self.db(), component, migrations)
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

fn load_or_create_signing_key(conn: &Connection, data_key: &DataKey) -> Result<SigningKey, Error> {
    const CONTEXT: &str = "server-signing-key";
    let sealed: Option<Vec<u8>> = conn
        .query_row("SELECT sealed FROM server_key WHERE id = 1", [], |row| {
            row.get(0)
        })
        .optional()?;
    if let Some(sealed) = sealed {
        let bytes = zeroize::Zeroizing::new(data_key.open(CONTEXT, &sealed)?);
        let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| Error::Unseal)?;
        return Ok(SigningKey::from_bytes(&bytes));
    }
    let bytes = zeroize::Zeroizing::new(crate::token::random_bytes(32));
    let array: [u8; 32] = bytes.as_slice().try_into().map_err(|_| Error::Unseal)?;
    let key = SigningKey::from_bytes(&array);
    conn.execute(
        "INSERT INTO server_key (id, sealed) VALUES (1, ?1)",
        [data_key.seal(CONTEXT, &array)?],
    )?;
    Ok(key)
}
