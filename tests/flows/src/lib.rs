//! A harness for the guide's flows: the real reference server with its demo site, a browser
//! made of a cookie-keeping HTTP client, and the real `otentik` command in a vault of its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

use std::io::Read as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use otentik_test_support::binary::path as binary;
use otentik_test_support::server::{Launch, Server};

/// `otentik-server --demo` on a free loopback port, with its own database and outbox.
pub struct DemoServer {
    server: Server,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Where the database lives (kept across restarts).
    pub dir: tempfile::TempDir,
}

impl DemoServer {
    /// Starts on a free port.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts on a free port with more command-line options (kept across restarts).
    /// On PostgreSQL when the suite runs there (`OTENTIK_TEST_DB=postgres`: a database of its
    /// own on the shared throw-away cluster, the data key in a private file), else SQLite.
    pub fn start_with(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut launch = Launch::workspace().arg("--demo").arg("--db");
        if otentik_test_support::postgres::selected() {
            let key = dir.path().join("data.key");
            write_private(&key, DATA_KEY);
            launch = launch
                .arg(otentik_test_support::postgres::Cluster::shared().database())
                .arg("--data-key-file")
                .arg(key);
        } else {
            launch = launch.arg(dir.path().join("server.sqlite3"));
        }
        let server = launch
            .arg("--outbox")
            .arg(dir.path().join("outbox"))
            .args(["--site-key", SITE_KEY])
            .args(extra)
            .env("OTENTIK_SERVER_DATA_DIR", dir.path())
            .start();
        Self {
            url: server.url.clone(),
            server,
            dir,
        }
    }

    /// Stops the server (the port and database stay for [`DemoServer::restart`]).
    pub fn stop(&mut self) {
        self.server.stop();
    }

    /// Starts it again on the same port with the same database.
    pub fn restart(&mut self) {
        self.server.restart();
        self.url = self.server.url.clone();
    }
}

/// The data key of a demo server on PostgreSQL (a test key, sealing test seeds only).
const DATA_KEY: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

fn write_private(path: &Path, text: &str) {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

/// The key the demo site's back end uses for `/rp/v1`.
pub const SITE_KEY: &str = "flows-site-key-0123456789abcdefghij";

/// What the site's back end knows of a user (`GET /rp/v1/users/{id}`).
pub fn site_user(server: &DemoServer, user: &str) -> serde_json::Value {
    reqwest::blocking::Client::new()
        .get(format!("{}/rp/v1/users/{user}", server.url))
        .bearer_auth(SITE_KEY)
        .send()
        .unwrap()
        .json()
        .unwrap()
}

/// A page as the browser got it.
pub struct Page {
    /// HTTP status.
    pub status: u16,
    /// The path it ended at, after redirects.
    pub at: String,
    /// The HTML.
    pub html: String,
}

/// A browser: a cookie-keeping HTTP client that follows redirects.
pub struct Browser {
    http: reqwest::blocking::Client,
    base: String,
}

impl Browser {
    /// A fresh browser (no cookies) for `base`.
    pub fn new(base: &str) -> Self {
        let http = reqwest::blocking::Client::builder()
            .cookie_store(true)
            .user_agent("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
            .timeout(Duration::from_secs(40))
            .build()
            .unwrap();
        Self {
            http,
            base: base.to_owned(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    fn page(response: reqwest::blocking::Response) -> Page {
        let status = response.status().as_u16();
        let at = response.url().path().to_owned();
        Page {
            status,
            at,
            html: response.text().unwrap(),
        }
    }

    /// GET.
    pub fn get(&self, path: &str) -> Page {
        Self::page(self.http.get(self.url(path)).send().unwrap())
    }

    /// POST a form.
    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        Self::page(self.http.post(self.url(path)).form(form).send().unwrap())
    }

    /// The "Kode Keamanan" of a form page.
    pub fn captcha(&self, path: &str) -> String {
        attribute(&self.get(path).html, "id=\"kode-keamanan\"", "data-kode").unwrap()
    }

    /// LOGIN → PENYEDIA / NON PENYEDIA → User ID, Password, Kode Keamanan.
    pub fn login(&self, kind: &str, user: &str, password: &str) -> Page {
        let path = format!("/login/{kind}");
        let kode = self.captcha(&path);
        self.post(
            &path,
            &[("userid", user), ("password", password), ("kode", &kode)],
        )
    }

    /// Logs out.
    pub fn logout(&self) {
        self.post("/logout", &[]);
    }

    /// ENABLE TOTP: returns the page and the otpauth URI it embeds.
    pub fn enable_totp(&self) -> (Page, String) {
        let page = self.post("/totp/enable", &[]);
        let uri = attribute(&page.html, "id=\"qr\"", "data-otpauth-uri")
            .expect("the QR page embeds the URI");
        (page, uri)
    }

    /// DISABLE TOTP from Beranda: the form's token (CSRF) and, when the page asks for one
    /// (no push approval or typed code at login in the last minutes), the current `code`.
    pub fn disable_totp(&self, code: Option<&str>) -> Page {
        let form = self.get("/totp/disable");
        let token = attribute(&form.html, "name=\"token\"", "value")
            .expect("the DISABLE TOTP form carries a token");
        let mut fields = vec![("token", token.as_str())];
        if let Some(code) = code {
            fields.push(("totp", code));
        }
        self.post("/totp/disable", &fields)
    }

    /// Reset TOTP through the e-mail link in the outbox.
    pub fn reset_totp_by_email(&self, user: &str, email: &str, kind: &str) -> Page {
        let kode = self.captcha("/resettotp");
        let sent = self.post(
            "/resettotp",
            &[
                ("userid", user),
                ("email", email),
                ("kode", &kode),
                ("tipe", kind),
            ],
        );
        assert!(sent.html.contains("telah dikirim"), "{}", sent.html);
        let mails = self.get("/outbox");
        let link = attribute(&mails.html, "class=\"reset-link\"", "href")
            .expect("a reset link in the outbox");
        let confirm = self.get(&link);
        assert!(confirm.html.contains("RESET TOTP"));
        let kode = link.rsplit("kode=").next().unwrap().to_owned();
        self.post(
            "/proc4user/resettotp",
            &[("userid", user), ("tipe", kind), ("kode", &kode)],
        )
    }
}

/// The value of `attribute="…"` after the first `marker` in `html`, entity-decoded.
pub fn attribute(html: &str, marker: &str, attribute: &str) -> Option<String> {
    let at = html.find(marker)?;
    let rest = &html[at..];
    let start = rest.find(&format!("{attribute}=\""))? + attribute.len() + 2;
    let end = rest[start..].find('"')? + start;
    Some(
        rest[start..end]
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The `otentik` command in a vault of its own (data directory + keyring namespace).
pub struct Cli {
    /// The data directory.
    pub dir: tempfile::TempDir,
    /// The keyring service.
    pub service: String,
}

/// What a command printed.
pub struct Output {
    /// Exit status.
    pub status: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    /// Standard output as JSON.
    pub fn json(&self) -> serde_json::Value {
        assert_eq!(self.status, 0, "{}", self.stderr);
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

impl Default for Cli {
    fn default() -> Self {
        Self::new()
    }
}

impl Cli {
    /// A fresh vault; needs the D-Bus session of `scripts/with-keyring.sh`.
    pub fn new() -> Self {
        otentik_test_support::keyring::require_session();
        Self {
            dir: tempfile::tempdir().unwrap(),
            service: otentik_test_support::keyring::service("flows"),
        }
    }

    /// The command, ready to run.
    pub fn command(&self) -> Command {
        let mut command = Command::new(binary("otentik"));
        command
            .env("OTENTIK_DATA_DIR", self.dir.path())
            .env("OTENTIK_KEYRING_SERVICE", &self.service)
            .stdin(Stdio::null());
        command
    }

    /// Runs `otentik ARGS`.
    pub fn run(&self, args: &[&str]) -> Output {
        let output = self.command().args(args).output().unwrap();
        Output {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs and expects success.
    pub fn ok(&self, args: &[&str]) -> Output {
        let output = self.run(args);
        assert_eq!(
            output.status, 0,
            "otentik {args:?}: {}{}",
            output.stdout, output.stderr
        );
        output
    }

    /// Starts `otentik watch`, answering from the returned handle.
    pub fn watch(&self) -> Watch {
        let mut child = self
            .command()
            .arg("watch")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let text = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let text = text.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buffer = [0u8; 1024];
                while let Ok(n) = stream.read(&mut buffer) {
                    if n == 0 {
                        break;
                    }
                    text.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buffer[..n]));
                }
            });
        }
        Watch { child, text }
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A running `otentik watch`.
pub struct Watch {
    child: Child,
    text: Arc<Mutex<String>>,
}

impl Watch {
    /// Waits until its output (stdout and stderr together) contains `needle` after `from`
    /// bytes; returns the new end.
    pub fn wait_for(&self, needle: &str, from: usize, timeout: Duration) -> usize {
        let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            otentik_test_support::wait::until(
                timeout,
                &format!("watch to print {needle:?}"),
                || {
                    let text = self.text.lock().unwrap();
                    text.get(from..)
                        .and_then(|t| t.find(needle))
                        .map(|at| from + at + needle.len())
                },
            )
        }));
        found.unwrap_or_else(|_| {
            panic!(
                "watch never printed {needle:?}; it printed:\n{}",
                self.output()
            )
        })
    }

    /// Everything printed so far.
    pub fn output(&self) -> String {
        self.text.lock().unwrap().clone()
    }

    /// Types a line.
    pub fn answer(&mut self, line: &str) {
        use std::io::Write as _;
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
