//! `otentik-server`: the reference push server, optionally with the SPSE-like demo site on top
//! (`--demo`: the demo opens its own state on the server's and its router is merged in).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser;
use otentik_protocol::rp_api::NumberMatching;
use otentik_server::clock::SystemClock;
use otentik_server::db::Engine;
use otentik_server::demo::{self, Demo, DemoConfig};
use otentik_server::seal::DataKey;
use otentik_server::{AppState, Config};

/// `--number-matching` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum NumberMode {
    Typed,
    Choices,
    Off,
}

impl From<NumberMode> for NumberMatching {
    fn from(mode: NumberMode) -> Self {
        match mode {
            NumberMode::Typed => Self::Typed,
            NumberMode::Choices => Self::Choices,
            NumberMode::Off => Self::Off,
        }
    }
}

/// Otentik push server: relying-party API (/rp/v1), device API (/device/v1), demo site.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:9000")]
    listen: SocketAddr,
    /// Serve the relying-party API (/rp/v1) on this address instead, apart from the device API
    /// (keep it off the internet: only the site's back end calls it). Without it both are on
    /// --listen.
    #[arg(long)]
    rp_listen: Option<SocketAddr>,
    /// Concurrent connections served (each idle device holds one); over it new connections
    /// are closed at once and counted in the log. Keep it below the open-file limit.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections: u64,
    /// SQLite database file, `:memory:`, or a PostgreSQL URL (`postgres://user@host/db`) for
    /// several server processes on one database [default: otentik-server.sqlite3 in the data
    /// dir, $OTENTIK_SERVER_DATA_DIR or ~/.local/share/otentik-server]. Prefer
    /// $OTENTIK_DATABASE_URL for a URL that holds a password.
    #[arg(long, env = "OTENTIK_DATABASE_URL", hide_env_values = true)]
    db: Option<String>,
    /// Connections to PostgreSQL this process keeps at most (all processes together must stay
    /// under the server's max_connections).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(2..=1000))]
    db_connections: u64,
    /// Bearer key the site's back end sends to /rp/v1, at least 32 characters. On the command
    /// line it is visible to other users of the machine (a warning says so): prefer
    /// --site-key-file or $OTENTIK_SITE_KEY. Without any, a random key is written to a file
    /// only the owner can read, and its path is printed.
    #[arg(long, env = "OTENTIK_SITE_KEY", hide_env_values = true)]
    site_key: Option<String>,
    /// File holding the site key (refused when group or others may read it).
    #[arg(long, env = "OTENTIK_SITE_KEY_FILE", conflicts_with = "site_key")]
    site_key_file: Option<PathBuf>,
    /// Key sealing TOTP seeds at rest: 64 hex characters (32 bytes). Prefer --data-key-file
    /// or $OTENTIK_DATA_KEY (the flag warns). Without any, a key file next to the database is
    /// used (created on first start); keep that file apart from database backups.
    #[arg(long, env = "OTENTIK_DATA_KEY", hide_env_values = true)]
    data_key: Option<String>,
    /// File holding the data key (refused when group or others may read it).
    #[arg(long, env = "OTENTIK_DATA_KEY_FILE", conflicts_with = "data_key")]
    data_key_file: Option<PathBuf>,
    /// Base URL devices reach this server at [default: http://<listen address>]
    #[arg(long)]
    public_url: Option<String>,
    /// Site name shown in the authenticator [default: "SPSE Demo" with --demo, else "Otentik"]
    #[arg(long)]
    site_name: Option<String>,
    /// How logins ask the user to match the number the site shows: `typed` (the user types
    /// it; devices too old to offer a field get three choices), `choices` (pick one of three)
    /// or `off`. Sites may override it per login (`number_mode`).
    #[arg(long, value_enum, default_value_t = NumberMode::Typed)]
    number_matching: NumberMode,
    /// Turn number matching off (the same as `--number-matching off`).
    #[arg(long)]
    no_number_matching: bool,
    /// Seconds a login request stays valid (at most 120).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(10..=120))]
    challenge_ttl: u64,
    /// Logins one user may start per minute before the site answers "too many attempts"
    /// (raise it for load tests and benchmarks).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    login_limit: u32,
    /// Serve the SPSE-like demo site too (its users and passwords are public: only on a
    /// loopback --listen unless --demo-public).
    #[arg(long)]
    demo: bool,
    /// Allow --demo on a non-loopback address (a public demo with known passwords).
    #[arg(long, requires = "demo")]
    demo_public: bool,
    /// Folder the demo site writes its e-mails to [default: outbox/ in the data dir]
    #[arg(long)]
    outbox: Option<PathBuf>,
    /// Log as JSON lines instead of text.
    #[arg(long)]
    log_json: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    use clap::{CommandFactory as _, FromArgMatches as _};
    let matches = Args::command().get_matches();
    let args = Args::from_arg_matches(&matches)?;
    init_logs(args.log_json);
    for (id, flag) in [("site_key", "--site-key"), ("data_key", "--data-key")] {
        if matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine) {
            tracing::warn!(
                "{flag} puts a secret on the command line, where other users of this machine can \
                 read it; use {flag}-file or the environment variable instead"
            );
        }
    }
    if args.demo && !args.listen.ip().is_loopback() && !args.demo_public {
        anyhow::bail!(
            "--demo serves known users and passwords: it listens only on a loopback address \
             (not {}) unless --demo-public is given",
            args.listen
        );
    }
    raise_file_limit();

    let data_dir = data_dir()?;
    let engine = Engine::of(args.db.as_deref().unwrap_or_default());
    if engine == Engine::Postgres {
        // Every process on the database must seal and verify with the same keys (an empty
        // value counts as none).
        let given = |value: &Option<String>| value.as_deref().is_some_and(|v| !v.is_empty());
        if matches.value_source("db") == Some(clap::parser::ValueSource::CommandLine)
            && otentik_server::db::shown(args.db.as_deref().unwrap_or_default())
                != args.db.as_deref().unwrap_or_default()
        {
            tracing::warn!(
                "--db puts the database password on the command line, where other users of \
                 this machine can read it; set OTENTIK_DATABASE_URL instead"
            );
        }
        if !given(&args.data_key) && args.data_key_file.is_none() {
            anyhow::bail!(
                "with PostgreSQL every server process needs the same data key: pass \
                 --data-key-file (or set OTENTIK_DATA_KEY_FILE / OTENTIK_DATA_KEY)"
            );
        }
        if !given(&args.site_key) && args.site_key_file.is_none() {
            anyhow::bail!(
                "with PostgreSQL every server process needs the same site key: pass \
                 --site-key-file (or set OTENTIK_SITE_KEY_FILE / OTENTIK_SITE_KEY)"
            );
        }
    }
    let db = match &args.db {
        Some(db) => db.clone(),
        None => {
            std::fs::create_dir_all(&data_dir)
                .with_context(|| format!("creating {}", data_dir.display()))?;
            data_dir
                .join("otentik-server.sqlite3")
                .to_string_lossy()
                .into_owned()
        }
    };
    let data_key = match &args.data_key_file {
        Some(path) => DataKey::from_hex(&read_key_file(path)?)
            .with_context(|| format!("data key file {}", path.display()))?,
        None => load_data_key(args.data_key.as_deref(), &db)?,
    };

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    let rp_listener = match args.rp_listen {
        Some(rp_address) => Some(
            tokio::net::TcpListener::bind(rp_address)
                .await
                .with_context(|| format!("cannot listen on {rp_address}"))?,
        ),
        None => None,
    };
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"));
    let (site_key, generated) = match (&args.site_key, &args.site_key_file) {
        (_, Some(path)) => (read_key_file(path)?, None),
        (Some(key), None) if !key.is_empty() => (key.clone(), None),
        _ => {
            let path = if db == ":memory:" {
                std::fs::create_dir_all(&data_dir)
                    .with_context(|| format!("creating {}", data_dir.display()))?;
                data_dir.join("site-key")
            } else {
                PathBuf::from(format!("{db}.site-key"))
            };
            if path.exists() {
                (read_key_file(&path)?, Some(path))
            } else {
                let key = otentik_server::random_site_key();
                write_private(&path, &key)?;
                (key, Some(path))
            }
        }
    };
    if site_key.len() < MIN_SITE_KEY_LEN {
        anyhow::bail!(
            "the site key is {} bytes long; use at least {MIN_SITE_KEY_LEN} random characters",
            site_key.len()
        );
    }
    let site_name = args.site_name.clone().unwrap_or_else(|| {
        if args.demo {
            "SPSE Demo".into()
        } else {
            "Otentik".into()
        }
    });
    let mut config = Config::new(&site_name, &public_url, &site_key);
    config.number_mode = if args.no_number_matching {
        NumberMatching::Off
    } else {
        args.number_matching.into()
    };
    config.challenge_ttl = args.challenge_ttl;
    config.login_limit = args.login_limit;
    config.max_connections = usize::try_from(args.max_connections).unwrap_or(usize::MAX);
    config.db_connections = usize::try_from(args.db_connections).unwrap_or(16);
    let shown_db = otentik_server::db::shown(&db);
    let state = AppState::connect(config, &db, data_key, Arc::new(SystemClock))
        .await
        .with_context(|| format!("opening the database {shown_db}"))?;
    let demo = if args.demo {
        let outbox = args
            .outbox
            .clone()
            .unwrap_or_else(|| data_dir.join("outbox"));
        std::fs::create_dir_all(&outbox)
            .with_context(|| format!("creating the outbox {}", outbox.display()))?;
        let opened = state.clone();
        let demo = tokio::task::spawn_blocking(move || Demo::open(&opened, DemoConfig { outbox }))
            .await?
            .with_context(|| format!("opening the demo site on the database {shown_db}"))?;
        Some(demo)
    } else {
        None
    };

    // Before the main line, which test-support reads as the last one it needs.
    if let Some(rp) = &rp_listener {
        println!(
            "otentik-server rp api listening on http://{}",
            rp.local_addr()?
        );
    }
    println!("otentik-server listening on http://{address}");
    println!("database: {shown_db}");
    println!("push_url: {}", state.push_url());
    if let Some(path) = &generated {
        println!("site key (for /rp/v1): in {}", path.display());
    }
    if let Some(demo) = &demo {
        println!("demo site: http://{address}/  (e-mails: http://{address}/outbox)");
        for user in demo::USERS {
            println!(
                "  demo user {:<14} password {:<16} ({})",
                user.id,
                user.password,
                user.kind.label()
            );
        }
        println!("  outbox folder: {}", demo.outbox().display());
    }
    use std::io::Write as _;
    std::io::stdout().flush().ok();

    let site = match demo {
        Some(demo) => demo::router(state.clone(), demo),
        None => axum::Router::new(),
    };
    match rp_listener {
        Some(rp_listener) => {
            otentik_server::serve_split(listener, rp_listener, state, site, shutdown_signal()).await
        }
        None => otentik_server::serve(listener, state, site, shutdown_signal()).await,
    }
    .context("serving")?;
    tracing::info!("stopped");
    Ok(())
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Each idle long-poll holds a socket: lift the soft open-file limit to the hard one.
fn raise_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "open-file limit"),
        Err(error) => tracing::warn!(%error, "could not raise the open-file limit"),
    }
}

fn data_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("OTENTIK_SERVER_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let dirs = directories::ProjectDirs::from("", "", "otentik-server")
        .context("no data directory: set OTENTIK_SERVER_DATA_DIR or pass --db and --outbox")?;
    Ok(dirs.data_dir().to_owned())
}

fn load_data_key(given: Option<&str>, db: &str) -> anyhow::Result<DataKey> {
    if let Some(hex) = given {
        return DataKey::from_hex(hex).context("OTENTIK_DATA_KEY / --data-key");
    }
    if db == ":memory:" {
        return Ok(DataKey::generate());
    }
    let path = PathBuf::from(format!("{db}.key"));
    if path.exists() {
        let text = read_key_file(&path)?;
        return DataKey::from_hex(&text)
            .with_context(|| format!("data key file {}", path.display()));
    }
    let key = DataKey::generate();
    write_private(&path, &key.to_hex())?;
    tracing::warn!(path = %path.display(), "created a data key file; set OTENTIK_DATA_KEY in production");
    Ok(key)
}

/// Shortest accepted site key, bytes (the random ones are 46).
const MIN_SITE_KEY_LEN: usize = 32;

/// Reads a key file, refusing one that group or others may read (or write).
fn read_key_file(path: &Path) -> anyhow::Result<String> {
    let metadata = std::fs::metadata(path)
        .with_context(|| format!("reading the key file {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            anyhow::bail!(
                "the key file {} may be read by group or others (mode {mode:o}); \
                 run `chmod 600 {}` and start again",
                path.display(),
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the key file {}", path.display()))?;
    Ok(text.trim().to_owned())
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        #[cfg(unix)]
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
