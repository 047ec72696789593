//! The real `otentik-server` binary on a free loopback port: started with the options a test
//! gives, its address read from the line it prints, its output drained so it never blocks,
//! stopped (SIGKILL, as a crash) and restarted on the same port, killed when dropped.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::wait;

/// The line the server prints first: `otentik-server listening on http://ADDRESS`.
pub const LISTENING: &str = "otentik-server listening on ";
/// With `--rp-listen`, printed just before [`LISTENING`]:
/// `otentik-server rp api listening on http://ADDRESS`.
pub const RP_LISTENING: &str = "otentik-server rp api listening on ";

/// How to start a server: the binary, its options (without `--listen`) and environment.
#[derive(Debug, Clone)]
pub struct Launch {
    program: PathBuf,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
}

impl Launch {
    /// The binary at `program` (`env!("CARGO_BIN_EXE_otentik-server")` in the server's own
    /// tests, [`crate::binary::path`] elsewhere), logging warnings only.
    pub fn new(program: impl AsRef<Path>) -> Self {
        Self {
            program: program.as_ref().to_path_buf(),
            args: Vec::new(),
            envs: vec![("RUST_LOG".into(), "warn".into())],
        }
    }

    /// The workspace's `otentik-server` of this profile.
    pub fn workspace() -> Self {
        Self::new(crate::binary::path("otentik-server"))
    }

    /// One more option.
    #[must_use]
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// More options.
    #[must_use]
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// One environment variable.
    #[must_use]
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.envs
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Starts it on a free port; returns once it listens.
    pub fn start(self) -> Server {
        let (child, url, port, rp_url) = spawn(&self, 0);
        Server {
            launch: self,
            child,
            url,
            port,
            rp_url,
        }
    }
}

/// A running server process.
#[derive(Debug)]
pub struct Server {
    launch: Launch,
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its port (kept across restarts).
    pub port: u16,
    /// `http://127.0.0.1:PORT` of the relying-party API when started with `--rp-listen`.
    pub rp_url: Option<String>,
}

impl Server {
    /// Kills it (as a crash would; the port and database stay for [`Server::restart`]).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port with the same options, once the port is free.
    pub fn restart(&mut self) {
        self.stop();
        let port = self.port;
        wait::until_true(
            Duration::from_secs(10),
            &format!("port {port} to be free"),
            || std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(),
        );
        let (child, url, _, rp_url) = spawn(&self.launch, port);
        self.child = child;
        self.url = url;
        self.rp_url = rp_url;
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for it to exit on its own (after a signal the test sent) and returns how it
    /// ended.
    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn spawn(launch: &Launch, port: u16) -> (Child, String, u16, Option<String>) {
    let mut child = Command::new(&launch.program)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(&launch.args)
        .envs(launch.envs.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", launch.program.display()));
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut rp_url = None;
    let url = loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("{} exited before it listened", launch.program.display()))
            .unwrap();
        if let Some(url) = line.strip_prefix(RP_LISTENING) {
            rp_url = Some(url.trim().to_owned());
        }
        if let Some(url) = line.strip_prefix(LISTENING) {
            break url.trim().to_owned();
        }
    };
    // Keep draining its output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let port = url.rsplit(':').next().unwrap().parse().unwrap();
    (child, url, port, rp_url)
}
