//! The private channel from the native host to the running app. For `add`: the page's
//! `otpauth://` URI must be confirmed by the user in Otentik's own window before anything is
//! kept, and the host has no window. For `status`, `accounts` and `code` while the lock is on:
//! the host has no password, the unlocked app has the vault open. The app listens on a Unix
//! socket in a folder only its user may enter (`<data dir>/run/browser.sock`, the folder 0700);
//! the host connects, sends one JSON line (`{"type":"add","origin","uri"}`, or the extension's
//! request) and waits for one JSON line back: `added` with the account's names, the request's
//! reply, or an error (`declined`, `vault_locked`, `timeout`…). Never argv, never a file: the
//! URI holds the seed.
//!
//! Unix only; elsewhere the host answers that adding from the browser is not available.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::origin::Origin;

/// Longest line either side sends (a URI is far shorter; a request over it is refused).
pub const MAX_LINE: u64 = 64 * 1024;

/// How long the app holds an add for the user's answer. The waits nest, so that the one
/// that knows most answers: the app ([`WAIT`]) < the host ([`HOST_WAIT`], after starting the
/// app if need be) < the extension (`ADD_TIMEOUT_MS` in `browser/src/background.ts`, 6 min).
pub const WAIT: Duration = Duration::from_secs(4 * 60);

/// How long the host waits for the app's answer to an add: the app's own wait and a margin.
pub const HOST_WAIT: Duration = Duration::from_secs(4 * 60 + 20);

/// How long the app waits for the request line after a connection (a local program that
/// connects and says nothing holds no thread for long).
pub const REQUEST_WAIT: Duration = Duration::from_secs(10);

/// A refusal: the error code the extension knows, and a message that says what to do.
pub type Refusal = (String, String);

/// The socket the app listens on for the vault in `data_dir`.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join("run").join("browser.sock")
}

/// The reply for an account added after the user confirmed.
pub fn added(id: &str, issuer: &str, label: &str) -> Value {
    json!({ "type": "added", "account": { "id": id, "issuer": issuer, "label": label } })
}

/// An error reply.
pub fn refused(code: &str, message: &str) -> Value {
    json!({ "type": "error", "code": code, "message": message })
}

/// What the app is asked: add the account of `uri`, bound to `origin`.
#[derive(Deserialize)]
struct Wire {
    origin: String,
    uri: String,
}

/// A request the app received.
pub enum Request {
    /// Add the account of `uri`, bound to `origin`, if the user confirms.
    Add {
        /// The page's origin.
        origin: Origin,
        /// The page's `otpauth://` URI (not yet parsed; wiped on drop).
        uri: Zeroizing<String>,
    },
    /// The extension's `status`, `accounts` or `code`, for a host whose vault is locked:
    /// answered from the app's open vault (`super::host::answer_open`).
    Query(Value),
}

/// Never shows the URI (it holds a seed).
impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Add { origin, .. } => f
                .debug_struct("Add")
                .field("origin", &origin.as_str())
                .finish_non_exhaustive(),
            Self::Query(request) => f.debug_tuple("Query").field(request).finish(),
        }
    }
}

/// The types of reply a query may get from the app.
const QUERY_REPLIES: [&str; 4] = ["status", "accounts", "code", "error"];

/// How long the host waits for the app's answer to `status`, `accounts` or `code`.
pub const QUERY_WAIT: Duration = Duration::from_secs(10);

/// Reads one line of at most [`MAX_LINE`] bytes (without its newline); `None` at the end of
/// the stream before any byte. The buffer is wiped on drop: a request line holds a seed.
fn read_line(stream: impl Read) -> std::io::Result<Option<Zeroizing<Vec<u8>>>> {
    let mut line = Zeroizing::new(Vec::new());
    BufReader::new(stream.take(MAX_LINE + 1)).read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        let why = if line.len() as u64 > MAX_LINE {
            "the line is too long"
        } else {
            "the line ended early"
        };
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, why));
    }
    line.pop();
    Ok(Some(line))
}

/// Only the fields the extension expects, from a reply the app sent: an `added` with three
/// string names, or an `error` with a code and a message. Anything else is the app's fault.
fn checked_reply(reply: &Value) -> Option<Value> {
    let text = |value: &Value, key: &str| value.get(key)?.as_str().map(str::to_owned);
    match reply.get("type")?.as_str()? {
        "added" => {
            let account = reply.get("account")?;
            Some(added(
                &text(account, "id")?,
                &text(account, "issuer")?,
                &text(account, "label")?,
            ))
        }
        "error" => {
            let code = text(reply, "code")?;
            let valid = !code.is_empty()
                && code.len() <= 64
                && code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            valid.then(|| refused(&code, &text(reply, "message").unwrap_or_default()))
        }
        _ => None,
    }
}

/// The app's program name.
pub const APP_PROGRAM: &str = "otentik-app";

/// Names the app's program explicitly (for a host whose app is not beside it or on `PATH`).
pub const APP_ENV: &str = "OTENTIK_APP";

/// How long the host waits for an app it started to listen.
pub const START_WAIT: Duration = Duration::from_secs(30);

/// The app to start for an add when none runs: `explicit` (`OTENTIK_APP`) if set, else
/// `otentik-app` beside the host's program (`beside`: its folder), else the first on `path`
/// (`PATH`).
pub fn find_app(
    explicit: Option<std::ffi::OsString>,
    beside: Option<&Path>,
    path: Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    if let Some(explicit) = explicit.filter(|e| !e.is_empty()) {
        return Some(PathBuf::from(explicit));
    }
    let candidates = beside.map(Path::to_path_buf).into_iter().chain(
        path.map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    candidates
        .map(|dir| dir.join(APP_PROGRAM))
        .find(|program| program.is_file())
}

#[cfg(unix)]
pub use unix::{Asked, Listener, ask, query, start_app};

#[cfg(unix)]
mod unix {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::{UnixListener, UnixStream};

    use super::*;

    /// Asks the app serving the vault in `data_dir` to add `uri` bound to `origin`, and waits
    /// up to `wait` for the user's answer. The reply is `added` or an error reply; a refusal
    /// when no app listens (`app_not_running`) or the channel fails.
    pub fn ask(
        data_dir: &Path,
        origin: &Origin,
        uri: &str,
        wait: Duration,
    ) -> Result<Value, Refusal> {
        let request = json!({ "type": "add", "origin": origin.as_str(), "uri": uri });
        let reply = exchange(data_dir, &request, wait)?;
        checked_reply(&reply).ok_or_else(bad_reply)
    }

    /// Asks the app serving the vault in `data_dir` the extension's `request` (`status`,
    /// `accounts` or `code`, without its `id`): its reply, or an error reply. A refusal when
    /// no app listens or it does not answer in `wait`: the host then answers by itself.
    pub fn query(data_dir: &Path, request: &Value, wait: Duration) -> Result<Value, Refusal> {
        let reply = exchange(data_dir, request, wait)?;
        let known = reply
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| QUERY_REPLIES.contains(&t));
        if known { Ok(reply) } else { Err(bad_reply()) }
    }

    /// Starts the app (`program`, on this vault: it inherits the environment) and waits up
    /// to `wait` for it to listen. Its output goes nowhere: the host's standard output is the
    /// browser's pipe.
    pub fn start_app(data_dir: &Path, program: &Path, wait: Duration) -> Result<(), Refusal> {
        use std::os::unix::process::CommandExt;
        let not_started = |why: String| {
            (
                "app_not_running".to_owned(),
                format!(
                    "Otentik could not be started ({why}): open the Otentik app, then press the button again"
                ),
            )
        };
        let mut child = std::process::Command::new(program)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            // Its own process group: closing the browser's port does not end the app.
            .process_group(0)
            .spawn()
            .map_err(|e| not_started(format!("{}: {e}", program.display())))?;
        let path = socket_path(data_dir);
        let start = std::time::Instant::now();
        loop {
            if UnixStream::connect(&path).is_ok() {
                return Ok(());
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(not_started(format!("it ended: {status}")));
            }
            if start.elapsed() > wait {
                return Err(not_started(format!(
                    "it did not answer in {} s",
                    wait.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn bad_reply() -> Refusal {
        (
            "bad_reply".to_owned(),
            "the Otentik app answered something the host does not understand: update Otentik"
                .to_owned(),
        )
    }

    /// Connects to the app, sends `request` as one line and reads one JSON line back within
    /// `wait`.
    fn exchange(data_dir: &Path, request: &Value, wait: Duration) -> Result<Value, Refusal> {
        let path = socket_path(data_dir);
        let mut stream = UnixStream::connect(&path).map_err(|e| {
            use std::io::ErrorKind::{ConnectionRefused, NotFound};
            match e.kind() {
                NotFound | ConnectionRefused => (
                    "app_not_running".to_owned(),
                    "the Otentik app is not running: open it, then press the button again (it asks you to confirm the account)".to_owned(),
                ),
                _ => (
                    "app_unreachable".to_owned(),
                    format!("cannot reach the Otentik app at {}: {e}", path.display()),
                ),
            }
        })?;
        let broken = |e: std::io::Error| {
            (
                "app_unreachable".to_owned(),
                format!("the Otentik app stopped answering: {e}"),
            )
        };
        let mut line = Zeroizing::new(
            serde_json::to_vec(request).map_err(|e| ("internal".to_owned(), e.to_string()))?,
        );
        line.push(b'\n');
        stream
            .set_write_timeout(Some(REQUEST_WAIT))
            .map_err(broken)?;
        stream.write_all(&line).map_err(broken)?;
        stream.set_read_timeout(Some(wait)).map_err(broken)?;
        let reply = match read_line(&stream) {
            Ok(Some(reply)) => reply,
            Ok(None) => {
                return Err((
                    "app_unreachable".to_owned(),
                    "the Otentik app closed the request without an answer (did it quit?): press the button again".to_owned(),
                ));
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err((
                    "timeout".to_owned(),
                    "no answer in Otentik in time: press the button again and confirm in the Otentik window".to_owned(),
                ));
            }
            Err(e) => return Err(broken(e)),
        };
        serde_json::from_slice::<Value>(&reply).map_err(|_| bad_reply())
    }

    /// The app's end: a socket in a folder only this user may enter, removed on drop.
    pub struct Listener {
        socket: UnixListener,
        path: PathBuf,
    }

    impl Listener {
        /// Listens for the vault in `data_dir`. A socket left by an app that is gone is
        /// replaced; one another app still answers on is not (`AddrInUse`).
        pub fn bind(data_dir: &Path) -> std::io::Result<Self> {
            let path = socket_path(data_dir);
            let folder = path.parent().unwrap_or(data_dir);
            std::fs::create_dir_all(folder)?;
            // Whoever can enter the folder could connect: only this user.
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))?;
            if UnixStream::connect(&path).is_ok() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AddrInUse,
                    format!("another Otentik app listens on {}", path.display()),
                ));
            }
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
            let socket = UnixListener::bind(&path)?;
            Ok(Self { socket, path })
        }

        /// Waits for the next request's connection.
        pub fn accept(&self) -> std::io::Result<Asked> {
            let (stream, _) = self.socket.accept()?;
            Ok(Asked { stream })
        }

        /// The socket's path.
        pub fn path(&self) -> &Path {
            &self.path
        }
    }

    impl Drop for Listener {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// One request from a host, answered once.
    pub struct Asked {
        stream: UnixStream,
    }

    impl Asked {
        /// The request: an add (its origin checked, its URI not yet parsed) or a query.
        pub fn request(&mut self) -> Result<Request, Refusal> {
            let bad = |why: String| ("bad_request".to_owned(), why);
            self.stream
                .set_read_timeout(Some(REQUEST_WAIT))
                .map_err(|e| bad(e.to_string()))?;
            let line = read_line(&self.stream)
                .map_err(|e| bad(format!("the request could not be read: {e}")))?
                .ok_or_else(|| bad("the request is empty".to_owned()))?;
            let request: Value = serde_json::from_slice(&line)
                .map_err(|_| bad("the request is not a JSON object".to_owned()))?;
            match request.get("type").and_then(Value::as_str) {
                Some("add") => {
                    let wire: Wire = serde_json::from_value(request)
                        .map_err(|_| bad("the request is not {origin, uri}".to_owned()))?;
                    let uri = Zeroizing::new(wire.uri);
                    let origin = Origin::parse(&wire.origin)
                        .map_err(|e| ("origin_not_allowed".to_owned(), e.to_string()))?;
                    Ok(Request::Add { origin, uri })
                }
                Some("status" | "accounts" | "code") => Ok(Request::Query(request)),
                _ => Err(bad("not a request Otentik knows".to_owned())),
            }
        }

        /// Sends the one reply (`added` or an error reply) and closes the connection.
        pub fn answer(mut self, reply: &Value) -> std::io::Result<()> {
            let mut line = serde_json::to_vec(reply).map_err(std::io::Error::other)?;
            line.push(b'\n');
            self.stream.write_all(&line)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = "http://127.0.0.1:8080";
    const URI: &str = "otpauth://totp/Demo:budi?secret=JBSWY3DPEHPK3PXP&issuer=Demo";

    #[test]
    fn only_the_expected_fields_of_a_reply_pass() {
        let extra = json!({ "type": "added", "account": { "id": "a", "issuer": "D", "label": "b", "secret": "X" }, "uri": "otpauth://" });
        assert_eq!(checked_reply(&extra), Some(added("a", "D", "b")));
        let error = json!({ "type": "error", "code": "declined", "message": "no", "more": 1 });
        assert_eq!(checked_reply(&error), Some(refused("declined", "no")));
        for bad in [
            json!({ "type": "added", "account": { "id": "a" } }),
            json!({ "type": "error", "code": "Not A Code", "message": "" }),
            json!({ "type": "code", "code": "123456" }),
            json!([1, 2]),
        ] {
            assert_eq!(checked_reply(&bad), None, "{bad}");
        }
    }

    #[test]
    fn the_app_is_the_named_one_then_the_one_beside_the_host_then_the_one_on_path() {
        let dir = tempfile::tempdir().unwrap();
        let (beside, on_path) = (dir.path().join("bin"), dir.path().join("usr/bin"));
        std::fs::create_dir_all(&beside).unwrap();
        std::fs::create_dir_all(&on_path).unwrap();
        let path = std::env::join_paths([dir.path().join("nothing"), on_path.clone()]).ok();
        assert_eq!(find_app(None, Some(&beside), path.clone()), None);
        std::fs::write(on_path.join(APP_PROGRAM), b"").unwrap();
        assert_eq!(
            find_app(None, Some(&beside), path.clone()),
            Some(on_path.join(APP_PROGRAM))
        );
        std::fs::write(beside.join(APP_PROGRAM), b"").unwrap();
        assert_eq!(
            find_app(None, Some(&beside), path.clone()),
            Some(beside.join(APP_PROGRAM))
        );
        assert_eq!(
            find_app(Some("/opt/otentik/app".into()), Some(&beside), path.clone()),
            Some(PathBuf::from("/opt/otentik/app"))
        );
        assert_eq!(
            find_app(Some("".into()), Some(&beside), path),
            Some(beside.join(APP_PROGRAM))
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_app_that_cannot_start_or_ends_at_once_is_said_plainly() {
        let dir = tempfile::tempdir().unwrap();
        let (code, message) = start_app(
            dir.path(),
            Path::new("/nonexistent/otentik-app"),
            START_WAIT,
        )
        .unwrap_err();
        assert_eq!(code, "app_not_running");
        assert!(message.contains("/nonexistent/otentik-app"), "{message}");
        let (_, message) = start_app(dir.path(), Path::new("/bin/false"), START_WAIT).unwrap_err();
        assert!(message.contains("it ended"), "{message}");
    }

    #[test]
    fn a_line_longer_than_the_limit_or_cut_short_is_refused() {
        let long = vec![b'a'; MAX_LINE as usize + 10];
        assert!(read_line(&long[..]).is_err());
        assert!(read_line(&b"{\"no newline\""[..]).is_err());
        assert!(read_line(&b""[..]).unwrap().is_none());
        assert_eq!(&**read_line(&b"{}\nrest"[..]).unwrap().unwrap(), b"{}");
    }

    #[cfg(unix)]
    #[test]
    fn the_app_gets_the_request_and_the_host_its_answer() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let origin = Origin::parse(DEMO).unwrap();
        // No app: said plainly.
        let (code, message) = ask(dir.path(), &origin, URI, WAIT).unwrap_err();
        assert_eq!(code, "app_not_running");
        assert!(message.contains("open it"), "{message}");

        let listener = Listener::bind(dir.path()).unwrap();
        let folder = listener.path().parent().unwrap().to_path_buf();
        assert_eq!(
            std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777,
            0o700
        );
        // A second app on the same vault is refused while the first answers.
        assert_eq!(
            Listener::bind(dir.path()).err().map(|e| e.kind()),
            Some(std::io::ErrorKind::AddrInUse)
        );
        let app = std::thread::spawn(move || {
            // The second app's probe: a connection that says nothing.
            let mut asked = listener.accept().unwrap();
            assert_eq!(asked.request().unwrap_err().0, "bad_request");
            let mut asked = listener.accept().unwrap();
            let Request::Add { origin, uri } = asked.request().unwrap() else {
                panic!("not an add")
            };
            assert_eq!(origin.as_str(), DEMO);
            assert_eq!(uri.as_str(), URI);
            asked.answer(&added("id1", "Demo", "budi")).unwrap();
            // The next one declines.
            let mut asked = listener.accept().unwrap();
            asked.request().unwrap();
            asked
                .answer(&refused("declined", "declined in Otentik"))
                .unwrap();
            listener
        });
        assert_eq!(
            ask(dir.path(), &origin, URI, WAIT).unwrap(),
            added("id1", "Demo", "budi")
        );
        assert_eq!(
            ask(dir.path(), &origin, URI, WAIT).unwrap()["code"],
            "declined"
        );
        let listener = app.join().unwrap();
        let path = listener.path().to_path_buf();
        drop(listener);
        assert!(!path.exists(), "the socket is removed when the app stops");
    }

    #[cfg(unix)]
    #[test]
    fn a_stale_socket_is_replaced_and_a_silent_app_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let origin = Origin::parse(DEMO).unwrap();
        // An app that crashed left its socket: nobody answers on it.
        let path = socket_path(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        assert!(path.exists());
        assert_eq!(
            ask(dir.path(), &origin, URI, WAIT).unwrap_err().0,
            "app_not_running"
        );
        let listener = Listener::bind(dir.path()).unwrap();
        let app = std::thread::spawn(move || {
            let mut asked = listener.accept().unwrap();
            asked.request().unwrap();
            // The user does not answer; the host gives up first.
            std::thread::sleep(Duration::from_millis(500));
            drop(asked);
            let mut asked = listener.accept().unwrap();
            asked.request().unwrap();
            asked.answer(&json!({ "type": "status" })).unwrap();
        });
        let (code, _) = ask(dir.path(), &origin, URI, Duration::from_millis(100)).unwrap_err();
        assert_eq!(code, "timeout");
        // An app answering nonsense is not passed on.
        let (code, _) = ask(dir.path(), &origin, URI, WAIT).unwrap_err();
        assert_eq!(code, "bad_reply");
        app.join().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_query_gets_the_apps_reply_and_nonsense_is_not_passed_on() {
        let dir = tempfile::tempdir().unwrap();
        let request = json!({ "type": "code", "origin": DEMO, "account": "a1" });
        // No app: the host answers by itself.
        assert_eq!(
            query(dir.path(), &request, QUERY_WAIT).unwrap_err().0,
            "app_not_running"
        );
        let listener = Listener::bind(dir.path()).unwrap();
        let app = std::thread::spawn(move || {
            let mut asked = listener.accept().unwrap();
            let Request::Query(got) = asked.request().unwrap() else {
                panic!("not a query")
            };
            asked
                .answer(&json!({ "type": "code", "account": got["account"], "code": "123456" }))
                .unwrap();
            let mut asked = listener.accept().unwrap();
            asked.request().unwrap();
            asked.answer(&added("a", "b", "c")).unwrap();
        });
        let reply = query(dir.path(), &request, QUERY_WAIT).unwrap();
        assert_eq!(reply["code"], "123456");
        // An `added` to a query is the app's fault, not a reply.
        assert_eq!(
            query(dir.path(), &request, QUERY_WAIT).unwrap_err().0,
            "bad_reply"
        );
        app.join().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_malformed_request_is_refused_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        let listener = Listener::bind(dir.path()).unwrap();
        let path = listener.path().to_path_buf();
        let app = std::thread::spawn(move || {
            let mut codes = Vec::new();
            for _ in 0..3 {
                let mut asked = listener.accept().unwrap();
                codes.push(asked.request().err().map(|r| r.0));
            }
            codes
        });
        for line in [
            &b"not json\n"[..],
            b"{\"type\":\"add\",\"origin\":\"http://evil.example\",\"uri\":\"x\"}\n",
            b"{\"type\":\"launch\"}\n",
        ] {
            let mut stream = std::os::unix::net::UnixStream::connect(&path).unwrap();
            stream.write_all(line).unwrap();
        }
        assert_eq!(
            app.join().unwrap(),
            [
                Some("bad_request".to_owned()),
                Some("origin_not_allowed".to_owned()),
                Some("bad_request".to_owned())
            ]
        );
    }
}
