//! The demo as a layer on top of the push server: absent from the push server alone, behind
//! the same server-wide layers when on, one session cookie per browser, and `--demo` wiring
//! it into the binary.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::harness::Server;

/// A client that neither keeps cookies nor follows redirects: the test sees every header.
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

struct Answer {
    status: StatusCode,
    set_cookies: Vec<String>,
    location: Option<String>,
    body: String,
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.unwrap();
    let headers = response.headers();
    let set_cookies = headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let location = headers
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    Answer {
        status: response.status(),
        set_cookies,
        location,
        body: response.text().await.unwrap(),
    }
}

/// The session id in a `Set-Cookie` value, checking the cookie's attributes.
fn session_id(set_cookie: &str) -> String {
    let id = set_cookie
        .strip_prefix("otentik_demo_sid=")
        .and_then(|rest| rest.strip_suffix("; Path=/; HttpOnly; SameSite=Lax"))
        .unwrap_or_else(|| panic!("unexpected cookie {set_cookie}"));
    assert!(!id.is_empty() && !id.contains(';'));
    id.to_owned()
}

fn captcha(page: &str) -> String {
    page.split("data-kode=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_push_server_alone_serves_no_demo_page() {
    let server = Server::start().await;
    let http = bare_client();
    for path in ["/", "/login", "/login/penyedia", "/beranda", "/outbox"] {
        let answer = send(http.get(format!("{}{path}", server.url))).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        let body: Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(body["code"], "not_found", "{path}");
        assert!(answer.set_cookies.is_empty(), "{path}");
    }
    // The APIs are there.
    let (status, _) = server.rp(Method::GET, "/users/someone", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_server_wide_layers_cover_the_demo() {
    let outbox = tempfile::tempdir().unwrap();
    let server = Server::start_demo(outbox.path(), |c| c.body_limit = 256).await;
    let http = bare_client();
    // Unknown paths and methods: the server's JSON answers.
    let answer = send(http.get(format!("{}/tidak-ada", server.url))).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(answer.body.contains("\"not_found\""), "{}", answer.body);
    let answer = send(http.delete(format!("{}/beranda", server.url))).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        answer.body.contains("\"method_not_allowed\""),
        "{}",
        answer.body
    );
    // The body limit: the same login form, once short and once padded past 256 bytes.
    let login = |password: String| {
        let http = http.clone();
        let url = server.url.clone();
        async move {
            let form = send(http.get(format!("{url}/login/penyedia"))).await;
            let sid = session_id(&form.set_cookies[0]);
            let kode = captcha(&form.body);
            let fields = [
                ("userid", "penyedia1".to_owned()),
                ("password", password),
                ("kode", kode),
            ];
            send(
                http.post(format!("{url}/login/penyedia"))
                    .header(COOKIE, format!("otentik_demo_sid={sid}"))
                    .form(&fields),
            )
            .await
        }
    };
    let short = login("salah".into()).await;
    assert!(short.body.contains("User ID atau password salah"));
    let long = login("x".repeat(300)).await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        long.body.contains("Formulir tidak lengkap"),
        "{}",
        long.body
    );
}

#[tokio::test]
async fn one_cookie_per_browser_and_its_session_is_kept() {
    let outbox = tempfile::tempdir().unwrap();
    let server = Server::start_demo(outbox.path(), |_| {}).await;
    let http = bare_client();
    let url = &server.url;

    // A page that needs no session sets no cookie.
    let answer = send(http.get(format!("{url}/login"))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.set_cookies.is_empty());

    // The first page with a session sets exactly one cookie.
    let form = send(http.get(format!("{url}/login/penyedia"))).await;
    assert_eq!(form.set_cookies.len(), 1, "{:?}", form.set_cookies);
    let sid = session_id(&form.set_cookies[0]);
    let cookie = format!("theme=dark; otentik_demo_sid={sid}");

    // The same session afterwards: its captcha is kept; logging in moves it to a new id (the
    // old one, which may have been planted or seen before login, stops working).
    let fields = [
        ("userid", "penyedia1".to_owned()),
        ("password", "penyedia1-rahasia".to_owned()),
        ("kode", captcha(&form.body)),
    ];
    let answer = send(
        http.post(format!("{url}/login/penyedia"))
            .header(COOKIE, &cookie)
            .form(&fields),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location.as_deref(), Some("/beranda"));
    assert_eq!(
        answer.set_cookies.len(),
        1,
        "the session id rotates at login"
    );
    let before = sid;
    let sid = session_id(&answer.set_cookies[0]);
    assert_ne!(sid, before);
    let old = send(
        http.get(format!("{url}/beranda"))
            .header(COOKIE, format!("otentik_demo_sid={before}")),
    )
    .await;
    assert_eq!(
        old.location.as_deref(),
        Some("/login"),
        "the old id is not logged in"
    );
    let cookie = format!("theme=dark; otentik_demo_sid={sid}");
    let answer = send(http.get(format!("{url}/beranda")).header(COOKIE, &cookie)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("PT Maju Jaya"));
    assert!(answer.set_cookies.is_empty());

    // A redirect for a new browser carries its cookie too.
    let answer = send(http.get(format!("{url}/beranda"))).await;
    assert_eq!(answer.location.as_deref(), Some("/login"));
    assert_eq!(answer.set_cookies.len(), 1);
    assert_ne!(session_id(&answer.set_cookies[0]), sid);

    // An unknown (or forged) id gets a fresh session, not the one it names.
    let answer = send(
        http.get(format!("{url}/beranda"))
            .header(COOKIE, "otentik_demo_sid=forged"),
    )
    .await;
    assert_eq!(answer.location.as_deref(), Some("/login"));
    let fresh = session_id(&answer.set_cookies[0]);
    assert!(fresh != "forged" && fresh != sid);

    // Logout empties the session but keeps its id.
    let answer = send(http.post(format!("{url}/logout")).header(COOKIE, &cookie)).await;
    assert_eq!(answer.location.as_deref(), Some("/"));
    assert!(answer.set_cookies.is_empty());
    let answer = send(http.get(format!("{url}/beranda")).header(COOKIE, &cookie)).await;
    assert_eq!(answer.location.as_deref(), Some("/login"));
    assert!(answer.set_cookies.is_empty());
}

/// Starts the binary and returns it with the lines it printed before serving.
/// A binary started here (not through `Launch`, which does not keep what it printed).
struct Printing {
    child: std::process::Child,
    url: String,
}

impl Drop for Printing {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_binary(dir: &std::path::Path, extra: &[&str]) -> (Printing, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_otentik-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--site-key",
            "sk_layering_0123456789abcdefghijklmn",
        ])
        .arg("--db")
        .arg(dir.join("server.sqlite3"))
        .args(extra)
        .env("OTENTIK_SERVER_DATA_DIR", dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    let last = if extra.contains(&"--demo") {
        "  outbox folder:"
    } else {
        "push_url:"
    };
    loop {
        let line = lines.next().unwrap().unwrap();
        let done = line.starts_with(last);
        printed.push(line);
        if done {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let url = printed[0]
        .strip_prefix("otentik-server listening on ")
        .unwrap()
        .to_owned();
    (Printing { child, url }, printed)
}

#[tokio::test]
async fn the_binary_serves_the_demo_only_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("mail");
    let (server, printed) = start_binary(
        dir.path(),
        &["--demo", "--outbox", outbox.to_str().unwrap()],
    );
    let url = &server.url;
    let db = dir.path().join("server.sqlite3");
    let mut expected = vec![
        format!("otentik-server listening on {url}"),
        format!("database: {}", db.display()),
        format!("push_url: {url}/device/v1"),
        format!("demo site: {url}/  (e-mails: {url}/outbox)"),
        "  demo user penyedia1      password penyedia1-rahasia (PENYEDIA)".to_owned(),
        "  demo user penyedia2      password penyedia2-rahasia (PENYEDIA)".to_owned(),
        "  demo user penyedia3      password penyedia3-rahasia (PENYEDIA)".to_owned(),
        "  demo user ppk1           password ppk1-rahasia     (NON PENYEDIA)".to_owned(),
        "  demo user pokja1         password pokja1-rahasia   (NON PENYEDIA)".to_owned(),
    ];
    expected.push(format!("  outbox folder: {}", outbox.display()));
    assert_eq!(printed, expected);
    let http = bare_client();
    let home = send(http.get(format!("{url}/"))).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("LOGIN"));
    assert_eq!(home.set_cookies.len(), 1);
    drop(server);

    // The same database without --demo: the push server alone.
    let (server, printed) = start_binary(dir.path(), &[]);
    assert_eq!(printed.len(), 3, "{printed:?}");
    let home = send(http.get(format!("{}/", server.url))).await;
    assert_eq!(home.status, StatusCode::NOT_FOUND);
    assert!(home.body.contains("\"not_found\""));
}

#[tokio::test]
async fn session_cookies_are_secure_when_the_site_is_served_over_https() {
    let outbox = tempfile::tempdir().unwrap();
    let server = Server::start_demo(outbox.path(), |c| {
        c.public_url = "https://demo.example".into();
    })
    .await;
    let answer = send(bare_client().get(format!("{}/login/penyedia", server.url))).await;
    assert_eq!(answer.set_cookies.len(), 1);
    assert!(
        answer.set_cookies[0].ends_with("; Path=/; HttpOnly; SameSite=Lax; Secure"),
        "{}",
        answer.set_cookies[0]
    );
}
