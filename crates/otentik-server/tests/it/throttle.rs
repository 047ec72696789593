//! Limits kept in the database (issue 13, items 1 and 2): the login back-off after "Bukan
//! saya" or three failed logins in a row, the not-me report, the wrong-code lock, and the
//! enrolment's wrong-code count — each across a restart where it matters.

use otentik_protocol::answer::Decision;
use otentik_server::clock::Clock as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Device, Server, right_number};

/// Creates a login and expects it refused with 429 and this `Retry-After`.
async fn expect_backoff(server: &Server, user: &str, retry_after: u64) {
    let response = server
        .http
        .post(format!("{}/rp/v1/logins", server.url))
        .bearer_auth(crate::harness::SITE_KEY)
        .json(&json!({ "user_id": user, "ip": "203.0.113.7", "user_agent": "Firefox/128" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(retry, Some(retry_after.to_string()));
}

/// A login the device answers with `decision` (the right number when approving).
async fn login_answered(server: &Server, device: &Device, user: &str, decision: Decision) {
    let (status, login) = server.create_login(user).await;
    assert_eq!(status, StatusCode::CREATED, "{login}");
    let challenge = device.challenges(0).await.remove(0);
    let number = match decision {
        Decision::Approve => right_number(&login),
        _ => None,
    };
    let (status, body) = device.answer(&challenge, decision, number).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn relaxed(config: &mut otentik_server::Config) {
    // The per-minute limits are another rule; keep them out of these sequences.
    config.login_limit = 1000;
    config.verify_limit = 1000;
}

#[tokio::test]
async fn failed_logins_back_off_doubling_and_an_approval_resets() {
    let server = Server::start_with(relaxed).await;
    let device = server.enrolled_device("u").await;
    for _ in 0..3 {
        login_answered(&server, &device, "u", Decision::Deny).await;
    }
    expect_backoff(&server, "u", 10).await;
    server.clock.advance(9);
    expect_backoff(&server, "u", 1).await;
    server.clock.advance(1);
    // Backing off: one more failure (a wrong number this time) blocks twice as long.
    let (_, login) = server.create_login("u").await;
    let challenge = device.challenges(0).await.remove(0);
    let numbers = challenge.numbers.clone().unwrap();
    let wrong = *numbers
        .iter()
        .find(|n| Some(**n) != right_number(&login))
        .unwrap();
    let (_, body) = device
        .answer(&challenge, Decision::Approve, Some(wrong))
        .await;
    assert_eq!(body["wrong_number"], true);
    expect_backoff(&server, "u", 20).await;
    server.clock.advance(20);
    // Unanswered until it expires: 40 s, counted from the expiry.
    let (status, _) = server.create_login("u").await;
    assert_eq!(status, StatusCode::CREATED);
    server.clock.advance(60);
    expect_backoff(&server, "u", 40).await;
    server.clock.advance(40);
    // An approval resets everything: three more strikes are needed again.
    login_answered(&server, &device, "u", Decision::Approve).await;
    for _ in 0..3 {
        login_answered(&server, &device, "u", Decision::Deny).await;
    }
    expect_backoff(&server, "u", 10).await;
}

#[tokio::test]
async fn not_me_backs_off_at_once_is_reported_and_a_typed_code_resets() {
    let server = Server::start_with(relaxed).await;
    let device = server.enrolled_device("u").await;
    let (_, user) = server.rp(Method::GET, "/users/u", None).await;
    assert_eq!(user, json!({ "totp_enabled": true, "devices": 1 }));
    login_answered(&server, &device, "u", Decision::NotMe).await;
    let at = server.clock.now();
    expect_backoff(&server, "u", 10).await;
    let (_, user) = server.rp(Method::GET, "/users/u", None).await;
    assert_eq!(
        user,
        json!({
            "totp_enabled": true,
            "devices": 1,
            "not_me": [{ "at": at, "ip": "203.0.113.7", "user_agent": "Firefox/128" }]
        })
    );
    // The user types a right code at the site: the back-off ends at once.
    server.clock.advance(30);
    let (_, valid) = server
        .rp(
            Method::POST,
            "/verify",
            Some(json!({ "user_id": "u", "code": device.code() })),
        )
        .await;
    assert_eq!(valid, json!({ "valid": true }));
    let (status, _) = server.create_login("u").await;
    assert_eq!(status, StatusCode::CREATED);
    // The report stays for 30 days, then goes.
    server.clock.advance(30 * 24 * 3600);
    let (_, user) = server.rp(Method::GET, "/users/u", None).await;
    assert_eq!(user["not_me"], Value::Null);
}

#[tokio::test]
async fn back_off_and_the_wrong_code_lock_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite3");
    let db = db.to_str().unwrap();
    let server = Server::launch(relaxed, db, None).await;
    let device = server.enrolled_device("u").await;
    login_answered(&server, &device, "u", Decision::NotMe).await;
    expect_backoff(&server, "u", 10).await;
    // Ten wrong codes within the hour.
    for _ in 0..10 {
        let (status, body) = server
            .rp(
                Method::POST,
                "/verify",
                Some(json!({ "user_id": "u", "code": "000000" })),
            )
            .await;
        assert_eq!((status, body), (StatusCode::OK, json!({ "valid": false })));
        server.clock.advance(1);
    }
    let now = server.clock.now();
    drop(server);

    let mut server = Server::launch(relaxed, db, None).await;
    server.clock.set(now);
    let mut device = device;
    device.push_url = format!("{}/device/v1", server.url);
    device.clock = {
        let clock = server.clock.clone();
        std::sync::Arc::new(move || clock.now())
    };
    // The login back-off is still on (10 s from the answer; 10 s have passed in codes).
    // Move back to just after the answer to see it.
    expect_backoff_or_pass(&mut server, now).await;
    // Even the right code is refused until the first wrong one is an hour old.
    let verify = |code: String| {
        let server = &server;
        async move {
            server
                .rp(
                    Method::POST,
                    "/verify",
                    Some(json!({ "user_id": "u", "code": code })),
                )
                .await
        }
    };
    let (status, body) = verify(device.code()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    server.clock.advance(3600 - 11);
    let (status, _) = verify(device.code()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    server.clock.advance(1);
    let (status, body) = verify(device.code()).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "valid": true })));
}

/// After a restart at `now` (10 s after a "Bukan saya"), the block has just run out; one
/// second earlier it still held.
async fn expect_backoff_or_pass(server: &mut Server, now: u64) {
    server.clock.set(now - 1);
    expect_backoff(server, "u", 1).await;
    server.clock.set(now);
}

#[tokio::test]
async fn five_wrong_codes_close_an_enrolment_confirmed_by_code() {
    let server = Server::start().await;
    let enrollment = server.create_enrollment("u").await;
    let id = enrollment["enrollment_id"].as_str().unwrap();
    let account = otentik::otpauth::parse(enrollment["otpauth_uri"].as_str().unwrap())
        .unwrap()
        .account;
    let server = &server;
    let confirm = |code: String| async move {
        server
            .rp(
                Method::POST,
                &format!("/enrollments/{id}/confirm"),
                Some(json!({ "code": code })),
            )
            .await
    };
    for _ in 0..5 {
        let (status, body) = confirm("000000".into()).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_code"))
        );
    }
    let right = otentik::otp::totp_code(
        &account.secret,
        account.algorithm,
        6,
        30,
        server.clock.now(),
    );
    let (status, body) = confirm(right).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("enrollment_closed"))
    );
}
