//! A throw-away PostgreSQL server for tests: Debian's `postgresql` package (`make test`
//! installs it), a new cluster in a temporary folder (`initdb`, then `pg_ctl start` on a free
//! loopback port with its socket in that folder), trust authentication, no fsync. PostgreSQL
//! refuses to run as root, so as root (CI) its programs run as the `postgres` user through
//! `runuser`, which owns the folder.
//!
//! [`Cluster::shared`] starts one per test process and hands each test its own database
//! ([`Cluster::database`]). A watchdog process stops the cluster and removes its folder when
//! the test process ends, however it ends (a static is never dropped, a failed test aborts).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where Debian puts PostgreSQL's server programs (the newest version installed).
fn bin_dir() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<u32> = std::fs::read_dir(root)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|v: &u32| root.join(v.to_string()).join("bin/initdb").exists())
        .collect();
    versions.sort_unstable();
    let Some(version) = versions.last() else {
        panic!(
            "PostgreSQL's server programs are not in /usr/lib/postgresql/*/bin: install Debian's \
             `postgresql` package (`make deps` does)"
        );
    };
    root.join(version.to_string()).join("bin")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A running PostgreSQL cluster.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    port: u16,
    bin: PathBuf,
    as_postgres: bool,
    next_db: AtomicUsize,
}

impl Cluster {
    /// The cluster of this test process, started on first use.
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<Cluster> = OnceLock::new();
        SHARED.get_or_init(Self::start)
    }

    /// Starts a new cluster (about a second and a half), stopped by its watchdog when this
    /// process ends.
    pub fn start() -> Self {
        let bin = bin_dir();
        let as_postgres = is_root();
        // Short: the socket's path must fit in 107 bytes.
        let dir = PathBuf::from(format!(
            "/tmp/otentik-pg-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        if as_postgres {
            let status = Command::new("chown")
                .arg("postgres:postgres")
                .arg(&dir)
                .status()
                .unwrap();
            assert!(status.success(), "chown postgres {} failed", dir.display());
        }
        let port = free_port();
        let this = Self {
            dir,
            port,
            bin,
            as_postgres,
            next_db: AtomicUsize::new(0),
        };
        this.run(
            "initdb",
            &[
                "-D",
                &this.data(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        );
        this.watchdog();
        this.start_server();
        this
    }

    fn data(&self) -> String {
        self.dir.join("data").to_string_lossy().into_owned()
    }

    /// Runs one of PostgreSQL's programs (as `postgres` when we are root); panics with its
    /// output when it fails.
    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        let output = command
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", path.display()));
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Stops the cluster (at once, as a crash) and removes its folder when this process ends.
    fn watchdog(&self) {
        let stop = format!(
            "{}{} -D {} -m immediate -w stop",
            if self.as_postgres {
                "runuser -u postgres -- "
            } else {
                ""
            },
            self.bin.join("pg_ctl").display(),
            self.data()
        );
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            dir = self.dir.display()
        );
        // Backgrounded by the shell, which returns at once: the watchdog outlives this call
        // (and, by design, this process).
        let status = Command::new("sh")
            .args(["-c", &format!("( {script} ) </dev/null >/dev/null 2>&1 &")])
            .status()
            .unwrap();
        assert!(status.success(), "starting the cluster's watchdog failed");
    }

    fn start_server(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log").to_string_lossy().into_owned();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        );
    }

    /// Stops the server as a crash would (`-m immediate`); [`Cluster::resume`] starts it again
    /// on the same port with the same data.
    pub fn crash(&self) {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }

    /// Starts the server again after [`Cluster::crash`].
    pub fn resume(&self) {
        self.start_server();
    }

    /// The URL of the server's `postgres` database.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A new, empty database of its own for one test; its URL.
    pub fn database(&self) -> String {
        let name = format!("t{}", self.next_db.fetch_add(1, Ordering::SeqCst));
        let port = self.port.to_string();
        let host = self.dir.to_string_lossy().into_owned();
        self.run(
            "createdb",
            &["-h", &host, "-p", &port, "-U", "postgres", &name],
        );
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether the tests of this process run on PostgreSQL (`OTENTIK_TEST_DB=postgres`) instead
/// of SQLite.
pub fn selected() -> bool {
    std::env::var("OTENTIK_TEST_DB").is_ok_and(|v| v == "postgres")
}
