//! The real binary, restarted on the same SQLite file in the middle of a flow.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use otentik_protocol::answer::Decision;
use otentik_test_support::server::{Launch, Server};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Device, real_now, right_number};

const DATA_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
pub const SITE_KEY: &str = "sk_restart_test_0123456789abcdefghijk";

/// The real binary started through the shared test support (`Launch`), on one database file.
pub struct Binary {
    pub server: Server,
    pub url: String,
}

impl Binary {
    pub fn launch(db: &Path, extra: &[&str]) -> Launch {
        Launch::new(env!("CARGO_BIN_EXE_otentik-server"))
            .arg("--db")
            .arg(db)
            .args(extra)
            .env("OTENTIK_DATA_KEY", DATA_KEY)
            .env("OTENTIK_SITE_KEY", SITE_KEY)
    }

    pub fn start(db: &Path, extra: &[&str]) -> Binary {
        let server = Self::launch(db, extra).start();
        let url = server.url.clone();
        Binary { server, url }
    }

    pub async fn rp(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = reqwest::Client::new()
            .request(method, format!("{}/rp/v1{path}", self.url))
            .bearer_auth(SITE_KEY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        (
            response.status(),
            response.json().await.unwrap_or(Value::Null),
        )
    }
}

#[tokio::test]
async fn restart_mid_flow_loses_nothing_and_applies_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite3");
    let server = Binary::start(&db, &[]);
    let http = reqwest::Client::new();
    let (status, enrollment) = server
        .rp(
            Method::POST,
            "/enrollments",
            Some(json!({ "user_id": "u" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let uri = enrollment["otpauth_uri"].as_str().unwrap();
    let clock = Arc::new(real_now);
    let mut device = Device::enroll_at(&http, clock.clone(), uri).await.unwrap();
    let (_, login) = server
        .rp(
            Method::POST,
            "/logins",
            Some(json!({ "user_id": "u", "ip": "10.0.0.1", "user_agent": "ua" })),
        )
        .await;
    let login_id = login["login_id"].as_str().unwrap().to_owned();
    let (_, user_before) = server.rp(Method::GET, "/users/u", None).await;
    drop(server); // SIGKILL: no graceful shutdown

    let server = Binary::start(&db, &[]);
    device.push_url = format!("{}/device/v1", server.url);
    let (_, user_after) = server.rp(Method::GET, "/users/u", None).await;
    assert_eq!(user_before, user_after);
    // The pending challenge survived, and still verifies with the pinned server key.
    let challenges = device.challenges(0).await;
    assert_eq!(challenges.len(), 1);
    assert_eq!(challenges[0].id, login_id);
    let (status, _) = device
        .answer(&challenges[0], Decision::Approve, right_number(&login))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, seen) = server
        .rp(Method::GET, &format!("/logins/{login_id}"), None)
        .await;
    assert_eq!(seen["status"], "approved");
    drop(server);

    // After a second restart the answer is still there and cannot be applied again.
    let server = Binary::start(&db, &[]);
    device.push_url = format!("{}/device/v1", server.url);
    let (_, seen) = server
        .rp(Method::GET, &format!("/logins/{login_id}"), None)
        .await;
    assert_eq!(seen["status"], "approved");
    let (status, body) = device.answer(&challenges[0], Decision::Deny, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("challenge_answered"))
    );
    // The used enrolment token stays used (the URI pointed at the first process's port).
    let mut account = otentik::otpauth::parse(uri).unwrap().account;
    if let Some(push) = account.push.as_mut() {
        push.url = device.push_url.clone();
    }
    let moved = otentik::otpauth::format(&account);
    let (status, _) = Device::enroll_at(&http, clock.clone(), &moved)
        .await
        .err()
        .unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A typed code accepted before a restart is refused after it. (The enrolment's own step
    // is spent, so use the next step's code, which the ±1 step window accepts.)
    let code = otentik::otp::totp_code(
        &device.secret,
        otentik::account::Algorithm::Sha1,
        6,
        30,
        real_now() + 30,
    );
    let (_, verify) = server
        .rp(
            Method::POST,
            "/verify",
            Some(json!({ "user_id": "u", "code": code })),
        )
        .await;
    assert_eq!(verify, json!({ "valid": true }));
    drop(server);
    let server = Binary::start(&db, &[]);
    let (_, again) = server
        .rp(
            Method::POST,
            "/verify",
            Some(json!({ "user_id": "u", "code": code })),
        )
        .await;
    assert_eq!(again, json!({ "valid": false }));
}

#[tokio::test]
async fn sigterm_ends_long_polls_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite3");
    let mut server = Binary::start(&db, &[]);
    let http = reqwest::Client::new();
    let (_, enrollment) = server
        .rp(
            Method::POST,
            "/enrollments",
            Some(json!({ "user_id": "u" })),
        )
        .await;
    let device = Device::enroll_at(
        &http,
        Arc::new(real_now),
        enrollment["otpauth_uri"].as_str().unwrap(),
    )
    .await
    .unwrap();
    let pid = server.server.pid().to_string();
    let device = Arc::new(device);
    // Hold as many long-polls as one device may; the server refusing one more (429) is how
    // the test knows they are all held, without sleeping. A probe can take a slot while the
    // polls start, and a poll refused for it ends at once: such a poll is started again.
    let spawn = |device: Arc<Device>| tokio::spawn(async move { device.poll(25).await });
    let polls = std::sync::Mutex::new(
        (0..otentik_server::limits::MAX_POLLS_PER_DEVICE)
            .map(|_| spawn(device.clone()))
            .collect::<Vec<_>>(),
    );
    otentik_test_support::wait::until_async(
        // Generous: a loaded machine (the whole suite, two engines) can be slow to start them.
        Duration::from_secs(30),
        "every long-poll to be held",
        || async {
            for poll in polls.lock().unwrap().iter_mut() {
                if poll.is_finished() {
                    *poll = spawn(device.clone());
                }
            }
            (device.poll(0).await.0 == StatusCode::TOO_MANY_REQUESTS).then_some(())
        },
        tokio::time::sleep,
    )
    .await;
    let polls = polls.into_inner().unwrap();
    let started = Instant::now();
    // The shell's built-in `kill` (no procps needed).
    let kill = format!("kill -TERM {pid}");
    assert!(
        Command::new("sh")
            .args(["-c", &kill])
            .status()
            .unwrap()
            .success()
    );
    for poll in polls {
        let (status, body) = poll.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["challenges"], json!([]));
    }
    let exit = server.server.wait_exit();
    assert!(exit.success(), "{exit:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "shutdown did not wait for the 25 s poll"
    );
}
