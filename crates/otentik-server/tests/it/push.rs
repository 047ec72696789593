//! The push flows over real HTTP with a protocol-level test device.

use std::time::{Duration, Instant};

use otentik_protocol::answer::{self, Decision};
use otentik_protocol::keys::SigningKey;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{Device, PollKey, Server, right_number};

#[tokio::test]
async fn enrol_then_approve_with_number_matching() {
    let server = Server::start().await;
    let device = server.enrolled_device("penyedia1").await;
    let (status, user) = server.rp(Method::GET, "/users/penyedia1", None).await;
    assert_eq!(
        (status, user),
        (
            StatusCode::OK,
            json!({ "totp_enabled": true, "devices": 1 })
        )
    );

    // The device is already long-polling when the login is created.
    let waiting = async { device.challenges(10).await };
    let creating = async {
        server.until_waiting("user:penyedia1", 1).await;
        server.create_login("penyedia1").await
    };
    let started = Instant::now();
    let (challenges, (status, login)) = tokio::join!(waiting, creating);
    assert_eq!(status, StatusCode::CREATED, "{login}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the long-poll woke on the new login"
    );
    assert_eq!(challenges.len(), 1);
    let challenge = &challenges[0];
    assert_eq!(challenge.id, login["login_id"].as_str().unwrap());
    assert_eq!(challenge.site, "Test Site");
    assert_eq!(challenge.account, "penyedia1");
    assert_eq!(challenge.ip, "203.0.113.7");
    assert_eq!(challenge.user_agent, "Firefox/128");
    assert!(challenge.expires_at - challenge.created_at <= 120);
    let number = right_number(&login).unwrap();
    let numbers = challenge.numbers.clone().unwrap();
    assert_eq!(numbers.len(), 3);
    assert!(numbers.contains(&number));

    let login_id = login["login_id"].as_str().unwrap().to_owned();
    assert_eq!(server.login_status(&login_id, 0).await, "pending");
    let (status, answer) = device
        .answer(challenge, Decision::Approve, Some(number))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["status"], "approved");
    assert_eq!(answer["wrong_number"], false);
    assert_eq!(server.login_status(&login_id, 5).await, "approved");

    // Answering again (a replayed answer, freshly signed) is refused; nothing changes.
    let (status, body) = device.answer(challenge, Decision::Deny, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("challenge_answered"))
    );
    assert_eq!(server.login_status(&login_id, 0).await, "approved");
    // No challenge is pending any more.
    assert!(device.challenges(0).await.is_empty());
}

#[tokio::test]
async fn site_long_poll_sees_the_answer() {
    let server = Server::start().await;
    let device = server.enrolled_device("u").await;
    let (_, login) = server.create_login("u").await;
    let login_id = login["login_id"].as_str().unwrap().to_owned();
    let challenge = device.challenges(0).await.remove(0);
    let site = async { server.login_status(&login_id, 10).await };
    let answer = async {
        server.until_waiting(&format!("login:{login_id}"), 1).await;
        device
            .answer(&challenge, Decision::Approve, right_number(&login))
            .await
    };
    let started = Instant::now();
    let (seen, (status, _)) = tokio::join!(site, answer);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen, "approved");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn deny_not_me_and_wrong_number() {
    let server = Server::start().await;
    let device = server.enrolled_device("u").await;

    let (_, login) = server.create_login("u").await;
    let challenge = device.challenges(0).await.remove(0);
    let (status, body) = device.answer(&challenge, Decision::Deny, None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("denied"))
    );
    assert_eq!(
        server
            .login_status(login["login_id"].as_str().unwrap(), 0)
            .await,
        "denied"
    );

    let (_, login) = server.create_login("u").await;
    let challenge = device.challenges(0).await.remove(0);
    let (status, body) = device.answer(&challenge, Decision::NotMe, None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("not_me"))
    );
    assert_eq!(
        server
            .login_status(login["login_id"].as_str().unwrap(), 0)
            .await,
        "not_me"
    );

    // "Bukan saya" makes the site wait 10 s before the next login (the back-off).
    server.clock.advance(10);
    let (_, login) = server.create_login("u").await;
    let right = right_number(&login).unwrap();
    let challenge = device.challenges(0).await.remove(0);
    let wrong = challenge
        .numbers
        .clone()
        .unwrap()
        .into_iter()
        .find(|n| *n != right)
        .unwrap();
    let (status, body) = device
        .answer(&challenge, Decision::Approve, Some(wrong))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "denied");
    assert_eq!(body["wrong_number"], true);
    assert_eq!(
        server
            .login_status(login["login_id"].as_str().unwrap(), 0)
            .await,
        "denied"
    );

    // An approval without a number when numbers are offered is refused, and changes nothing.
    // (Backing off after "Bukan saya", the wrong number doubled the wait to 20 s.)
    server.clock.advance(20);
    let (_, login) = server.create_login("u").await;
    let challenge = device.challenges(0).await.remove(0);
    let (status, body) = device.answer(&challenge, Decision::Approve, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field"))
    );
    assert_eq!(
        server
            .login_status(login["login_id"].as_str().unwrap(), 0)
            .await,
        "pending"
    );
}

#[tokio::test]
async fn without_number_matching() {
    let server =
        Server::start_with(|c| c.number_mode = otentik_protocol::rp_api::NumberMatching::Off).await;
    let device = server.enrolled_device("u").await;
    let (_, login) = server.create_login("u").await;
    assert_eq!(login["number"], serde_json::Value::Null);
    let challenge = device.challenges(0).await.remove(0);
    assert_eq!(challenge.numbers, None);
    let (status, body) = device.answer(&challenge, Decision::Approve, None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("approved"))
    );
}

#[tokio::test]
async fn expiry() {
    let server = Server::start().await;
    let device = server.enrolled_device("u").await;
    let (_, login) = server.create_login("u").await;
    let login_id = login["login_id"].as_str().unwrap().to_owned();
    let challenge = device.challenges(0).await.remove(0);
    assert_eq!(challenge.expires_at - challenge.created_at, 60);
    server.clock.advance(61);
    assert!(
        device.challenges(0).await.is_empty(),
        "an expired challenge is not delivered"
    );
    assert_eq!(server.login_status(&login_id, 0).await, "expired");
    let (status, body) = device
        .answer(&challenge, Decision::Approve, right_number(&login))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("challenge_expired"))
    );
    assert_eq!(server.login_status(&login_id, 0).await, "expired");
}

#[tokio::test]
async fn a_newer_login_replaces_the_pending_one() {
    let server = Server::start().await;
    let device = server.enrolled_device("u").await;
    let (_, first) = server.create_login("u").await;
    let old = device.challenges(0).await.remove(0);
    let (_, second) = server.create_login("u").await;
    let pending = device.challenges(0).await;
    assert_eq!(pending.len(), 1, "one pending challenge per user");
    assert_eq!(pending[0].id, second["login_id"].as_str().unwrap());
    assert_eq!(
        server
            .login_status(first["login_id"].as_str().unwrap(), 0)
            .await,
        "expired"
    );
    let (status, body) = device
        .answer(&old, Decision::Approve, right_number(&first))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("challenge_expired"))
    );
    let (status, _) = device
        .answer(&pending[0], Decision::Approve, right_number(&second))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn login_creation_is_rate_limited_per_user() {
    let server = Server::start().await;
    let device = server.enrolled_device("u").await;
    let _other = server.enrolled_device("v").await;
    // Each one approved: logins that end unanswered would start the back-off (another rule,
    // tests/it/throttle.rs) before this one.
    for _ in 0..5 {
        let (status, login) = server.create_login("u").await;
        assert_eq!(status, StatusCode::CREATED);
        let challenge = device.challenges(0).await.remove(0);
        let (status, _) = device
            .answer(&challenge, Decision::Approve, right_number(&login))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let response = server
        .http
        .post(format!("{}/rp/v1/logins", server.url))
        .bearer_auth(crate::harness::SITE_KEY)
        .json(&json!({ "user_id": "u", "ip": "1.2.3.4", "user_agent": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    // Another user is not affected; after the window the user may try again.
    assert_eq!(server.create_login("v").await.0, StatusCode::CREATED);
    server.clock.advance(61);
    assert_eq!(server.create_login("u").await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn logins_need_totp_and_a_push_device() {
    let server = Server::start().await;
    let (status, body) = server.create_login("nobody").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("totp_not_enabled"))
    );
}

async fn turn_off(server: &Server, user: &str, reason: &str) -> (StatusCode, serde_json::Value) {
    match reason {
        "disabled" => {
            server
                .rp(Method::DELETE, &format!("/users/{user}/totp"), None)
                .await
        }
        _ => {
            server
                .rp(Method::POST, &format!("/users/{user}/totp/reset"), None)
                .await
        }
    }
}

async fn revoked_after(reason: &str) {
    let server = Server::start().await;
    // A device that is long-polling when the site turns TOTP off learns at once.
    let idle = server.enrolled_device("idle").await;
    let polling = async { idle.poll(10).await };
    let turning_off = async {
        server.until_waiting("user:idle", 1).await;
        turn_off(&server, "idle", reason).await
    };
    let started = Instant::now();
    let ((poll_status, poll_body), (status, body)) = tokio::join!(polling, turning_off);
    assert_eq!(
        (status, body),
        (
            StatusCode::OK,
            json!({ "totp_enabled": false, "devices": 0 })
        )
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(poll_status, StatusCode::GONE, "{poll_body}");
    assert_eq!(poll_body["code"], "device_revoked");
    assert!(poll_body["message"].as_str().unwrap().contains(reason));

    // A device with a pending challenge: the challenge dies with the enrolment.
    let device = server.enrolled_device("u").await;
    let (_, login) = server.create_login("u").await;
    let challenge = device.challenges(0).await.remove(0);
    let (status, _) = turn_off(&server, "u", reason).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = device.status().await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("device_revoked"))
    );
    let (status, body) = device.poll(0).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("device_revoked"))
    );
    let (status, body) = device
        .answer(&challenge, Decision::Approve, right_number(&login))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("device_revoked"))
    );
    assert_eq!(
        server
            .login_status(login["login_id"].as_str().unwrap(), 0)
            .await,
        "expired"
    );
    let (_, user) = server.rp(Method::GET, "/users/u", None).await;
    assert_eq!(user, json!({ "totp_enabled": false, "devices": 0 }));
    let (status, body) = server.create_login("u").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("totp_not_enabled"))
    );
    // Typed codes of the old seed no longer work.
    server.clock.advance(30);
    let (_, verify) = server
        .rp(
            Method::POST,
            "/verify",
            Some(json!({ "user_id": "u", "code": device.code() })),
        )
        .await;
    assert_eq!(verify, json!({ "valid": false }));
    // Activating again works, with a new device; the old one stays revoked.
    let fresh = server.enrolled_device("u").await;
    assert_eq!(fresh.status().await.0, StatusCode::OK);
    assert_eq!(device.status().await.0, StatusCode::GONE);
}

#[tokio::test]
async fn revocation_after_disable() {
    revoked_after("disabled").await;
}

#[tokio::test]
async fn revocation_after_reset() {
    revoked_after("reset").await;
}

#[tokio::test]
async fn unregister_keeps_totp_on_at_the_site() {
    let server = Server::start().await;
    let device = server.enrolled_device("u").await;
    let (status, body) = device.status().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["state"], "active");
    assert_eq!(body["device_id"], device.id.as_str());
    assert_eq!(
        device.signed(Method::POST, "/unregister", None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(device.status().await.0, StatusCode::GONE);
    let (_, user) = server.rp(Method::GET, "/users/u", None).await;
    assert_eq!(user, json!({ "totp_enabled": true, "devices": 0 }));
    let (status, body) = server.create_login("u").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("no_push_device"))
    );
}

#[tokio::test]
async fn typed_code_fallback_is_accepted_once() {
    let server = Server::start().await;
    let device = server.enrolled_device("u").await;
    // The enrolment's own proof code cannot be replayed as a login code.
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
    assert_eq!(verify(device.code()).await.1, json!({ "valid": false }));
    server.clock.advance(30);
    let code = device.code();
    assert_eq!(verify(code.clone()).await.1, json!({ "valid": true }));
    assert_eq!(
        verify(code).await.1,
        json!({ "valid": false }),
        "a code is accepted once"
    );
    server.clock.advance(30);
    let wrong = if device.code() == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert_eq!(verify(wrong.into()).await.1, json!({ "valid": false }));
    assert_eq!(verify(device.code()).await.1, json!({ "valid": true }));
    // Brute force is rate limited.
    for _ in 0..2 {
        verify("123456".into()).await;
    }
    let (status, body) = verify("123456".into()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
}

#[tokio::test]
async fn plain_totp_app_confirms_with_a_code() {
    let server = Server::start().await;
    let enrollment = server.create_enrollment("u").await;
    let id = enrollment["enrollment_id"].as_str().unwrap();
    let uri = enrollment["otpauth_uri"].as_str().unwrap();
    assert!(uri.contains("push_url=") && uri.contains("push_token="));
    assert!(enrollment["qr_svg"].as_str().unwrap().starts_with("<?xml"));
    let account = otentik::otpauth::parse(uri).unwrap().account;
    let code_at = |t| otentik::otp::totp_code(&account.secret, account.algorithm, 6, 30, t);
    let now = otentik_server::clock::Clock::now(&*server.clock);
    let (status, body) = server
        .rp(
            Method::POST,
            &format!("/enrollments/{id}/confirm"),
            Some(json!({ "code": "000000x" })),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_code"))
    );
    let (status, body) = server
        .rp(
            Method::POST,
            &format!("/enrollments/{id}/confirm"),
            Some(json!({ "code": code_at(now) })),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::OK,
            json!({ "status": "completed", "push": false })
        )
    );
    let (_, status) = server
        .rp(Method::GET, &format!("/enrollments/{id}"), None)
        .await;
    assert_eq!(status, json!({ "status": "completed", "push": false }));
    let (_, user) = server.rp(Method::GET, "/users/u", None).await;
    assert_eq!(user, json!({ "totp_enabled": true, "devices": 0 }));
    // The push token of a completed enrolment is dead.
    let err = Device::enroll(&server.http, server.clock.clone(), uri)
        .await
        .err()
        .unwrap();
    assert_eq!(err.0, StatusCode::UNAUTHORIZED);
    // A second enrolment while TOTP is on is refused.
    let (status, body) = server
        .rp(
            Method::POST,
            "/enrollments",
            Some(json!({ "user_id": "u" })),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("totp_already_enabled"))
    );
}

#[tokio::test]
async fn enrolment_token_is_one_time_and_expires() {
    let server = Server::start().await;
    let enrollment = server.create_enrollment("u").await;
    let uri = enrollment["otpauth_uri"].as_str().unwrap().to_owned();
    Device::enroll(&server.http, server.clock.clone(), &uri)
        .await
        .unwrap();
    // Stolen QR used after the real device: refused, same answer as an unknown token.
    let (status, body) = Device::enroll(&server.http, server.clock.clone(), &uri)
        .await
        .err()
        .unwrap();
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let bogus = uri.replace("push_token=pt_", "push_token=pt_x");
    let (status, bogus_body) = Device::enroll(&server.http, server.clock.clone(), &bogus)
        .await
        .err()
        .unwrap();
    assert_eq!((status, &bogus_body), (StatusCode::UNAUTHORIZED, &body));

    let server = Server::start().await;
    let enrollment = server.create_enrollment("w").await;
    server.clock.advance(601);
    let id = enrollment["enrollment_id"].as_str().unwrap();
    let (_, status) = server
        .rp(Method::GET, &format!("/enrollments/{id}"), None)
        .await;
    assert_eq!(status, json!({ "status": "expired", "push": false }));
    let uri = enrollment["otpauth_uri"].as_str().unwrap();
    let (status, _) = Device::enroll(&server.http, server.clock.clone(), uri)
        .await
        .err()
        .unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn enrolment_needs_the_current_code() {
    let server = Server::start().await;
    let enrollment = server.create_enrollment("u").await;
    let uri = enrollment["otpauth_uri"].as_str().unwrap();
    // A device whose clock is 5 minutes off computes a code the server refuses.
    let skewed = {
        let clock = server.clock.clone();
        std::sync::Arc::new(move || otentik_server::clock::Clock::now(&*clock) - 100)
    };
    let (status, body) = Device::enroll_at(&server.http, skewed, uri)
        .await
        .err()
        .unwrap();
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_code"))
    );
    // After that the right code still works (a few attempts are allowed).
    Device::enroll(&server.http, server.clock.clone(), uri)
        .await
        .unwrap();
}

#[tokio::test]
async fn replayed_stale_and_forged_requests_are_refused_alike() {
    let server = Server::start().await;
    let device = server.enrolled_device("u").await;
    let now = device.now();
    let headers = device.sign("GET", "/status", b"", now);
    assert_eq!(
        device
            .send_signed(Method::GET, "/status", &headers, None)
            .await
            .0,
        StatusCode::OK
    );
    // Replay of the exact request.
    let (status, replay) = device
        .send_signed(Method::GET, "/status", &headers, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Wrong key (another device's signature under this id).
    let other = server.enrolled_device("v").await;
    let mut forged = device.sign("GET", "/status", b"", now);
    forged.signature = other.sign("GET", "/status", b"", now).signature;
    let (status, wrong_key) = device
        .send_signed(Method::GET, "/status", &forged, None)
        .await;
    // Unknown device.
    let mut unknown = device.sign("GET", "/status", b"", now);
    unknown.device = Some("AAAAAAAAAAAAAAAAAAAAAA".into());
    let (status2, unknown_body) = device
        .send_signed(Method::GET, "/status", &unknown, None)
        .await;
    assert_eq!(
        (status, status2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(
        replay, wrong_key,
        "every authentication failure answers the same way"
    );
    assert_eq!(replay, unknown_body);
    assert_eq!(replay["code"], "unauthorized");
    // Signed for another path.
    let moved = device.sign("GET", "/challenges?wait=0", b"", now);
    assert_eq!(
        device
            .send_signed(Method::GET, "/status", &moved, None)
            .await
            .1,
        replay
    );
    // Stale timestamp: a distinct code (it reveals nothing about devices).
    let stale = device.sign("GET", "/status", b"", now - 121);
    let (status, body) = device
        .send_signed(Method::GET, "/status", &stale, None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("clock_skew"))
    );
    let future = device.sign("GET", "/status", b"", now + 121);
    assert_eq!(
        device
            .send_signed(Method::GET, "/status", &future, None)
            .await
            .1["code"],
        "clock_skew"
    );
    // Missing headers.
    let response = server
        .http
        .get(format!("{}/device/v1/status", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // A challenge of another user cannot be answered.
    let (_, login) = server.create_login("v").await;
    let challenge = other.challenges(0).await.remove(0);
    let (status, body) = device
        .answer(&challenge, Decision::Approve, right_number(&login))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("challenge_not_found"))
    );
    let mut stolen = challenge.clone();
    stolen.device_id = device.id.clone();
    let (status, body) = device
        .answer(&stolen, Decision::Approve, right_number(&login))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("challenge_not_found"))
    );
}

#[tokio::test]
async fn one_poll_for_several_accounts() {
    let server = Server::start().await;
    let a = server.enrolled_device("a").await;
    let b = server.enrolled_device("b").await;
    let poll = |wait: u64| {
        let path = format!("/challenges?wait={wait}");
        let url = format!("{}{path}", a.push_url);
        let target = format!("/device/v1{path}");
        let headers = otentik_protocol::request::sign(
            &[(&a.id, &a.key), (&b.id, &b.key)],
            "GET",
            &target,
            a.now(),
            &crate::harness::nonce(),
            b"",
        );
        let http = server.http.clone();
        async move { crate::harness::send(&http, Method::GET, &url, &headers, None).await }
    };
    let (_, login) = server.create_login("b").await;
    let (status, body) = poll(0).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let challenges = body["challenges"].as_array().unwrap();
    assert_eq!(challenges.len(), 1);
    assert_eq!(challenges[0]["device_id"], b.id.as_str());
    assert_eq!(challenges[0]["id"], login["login_id"]);
    // One account revoked: listed, the other still polled.
    server.rp(Method::DELETE, "/users/a/totp", None).await;
    let (status, body) = poll(0).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["revoked"], json!([a.id]));
}

#[tokio::test]
async fn the_fifth_concurrent_long_poll_of_a_device_is_refused() {
    let server = Server::start().await;
    let device = std::sync::Arc::new(server.enrolled_device("u").await);
    let limit = otentik_server::limits::MAX_POLLS_PER_DEVICE;
    let polls: Vec<_> = (0..limit)
        .map(|_| {
            let device = device.clone();
            tokio::spawn(async move { device.poll(20).await })
        })
        .collect();
    let state = server.state.clone();
    let id = device.id.clone();
    otentik_test_support::wait::until_async(
        Duration::from_secs(10),
        "four held long-polls",
        || async { (state.polls.held(&id) == limit).then_some(()) },
        tokio::time::sleep,
    )
    .await;
    let (status, body) = device.poll(20).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    // A login wakes the held polls; their slots free up and polling works again.
    let (status, _) = server.create_login("u").await;
    assert_eq!(status, StatusCode::CREATED);
    for poll in polls {
        assert_eq!(poll.await.unwrap().0, StatusCode::OK);
    }
    assert_eq!(device.challenges(0).await.len(), 1);
}

#[tokio::test]
async fn status_answers_are_signed_over_the_request_nonce() {
    use otentik_protocol::device_api::DeviceState;
    let server = Server::start().await;
    let device = server.enrolled_device("u").await;
    let (status, body, verified) = device.verified_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(verified.unwrap(), DeviceState::Active);
    // Bound to its request: the same answer does not verify for another request's nonce.
    let signed: otentik_protocol::device_api::StatusResponse =
        serde_json::from_value(body).unwrap();
    let other_nonce = otentik_protocol::keys::encode(&crate::harness::nonce());
    assert!(
        signed
            .verify(&device.server_key, &device.id, &other_nonce)
            .is_err()
    );
    // Revoked: 410 device_revoked, with the signed revoked status in the same body.
    let (status, _) = server.rp(Method::DELETE, "/users/u/totp", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body, verified) = device.verified_status().await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("device_revoked"))
    );
    assert!(body["message"].as_str().unwrap().contains("disabled"));
    assert_eq!(verified.unwrap(), DeviceState::Revoked);
}

#[tokio::test]
async fn typed_number_matching_is_the_default_with_choices_for_older_devices() {
    let server = Server::start().await;
    let device = server.enrolled_device("u").await;
    let (status, login) = server.create_login("u").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(login["number_entry"], true);
    let number = right_number(&login).unwrap();
    // A device that never declared number_entry gets the three choices (legacy fallback).
    let old = device.challenges(0).await.remove(0);
    assert!(!old.number_entry);
    assert!(old.numbers.as_ref().unwrap().contains(&number));
    // Once it declares the feature in its signed poll query, it gets a number field.
    let typed = device.challenges_typed(0).await.remove(0);
    assert!(typed.number_entry);
    assert_eq!(typed.numbers, None);
    let (status, body) = device.answer(&typed, Decision::Approve, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field")),
        "an approval must carry the typed number"
    );
    let (status, body) = device
        .answer(&typed, Decision::Approve, Some((number + 1) % 100))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["status"].as_str(), body["wrong_number"].as_bool()),
        (Some("denied"), Some(true))
    );

    let (_, login) = server.create_login("u").await;
    let typed = device.challenges_typed(0).await.remove(0);
    assert!(typed.number_entry);
    let (_, body) = device
        .answer(&typed, Decision::Approve, right_number(&login))
        .await;
    assert_eq!(body["status"], "approved");

    // Per login, the site may ask for choices, or for no number at all.
    let (_, login) = server
        .rp(
            Method::POST,
            "/logins",
            Some(
                json!({ "user_id": "u", "ip": "203.0.113.7", "user_agent": "Firefox/128",
                         "number_mode": "choices" }),
            ),
        )
        .await;
    assert_eq!(login["number_entry"], false);
    let choices = device.challenges_typed(0).await.remove(0);
    assert!(!choices.number_entry);
    assert!(
        choices
            .numbers
            .unwrap()
            .contains(&right_number(&login).unwrap())
    );
    let (_, login) = server
        .rp(
            Method::POST,
            "/logins",
            Some(
                json!({ "user_id": "u", "ip": "203.0.113.7", "user_agent": "Firefox/128",
                         "number_matching": false }),
            ),
        )
        .await;
    assert_eq!(
        (login["number"].clone(), login["number_entry"].clone()),
        (serde_json::Value::Null, json!(false))
    );
    let none = device.challenges_typed(0).await.remove(0);
    assert!(!none.number_entry && none.numbers.is_none());
}

#[tokio::test]
async fn the_enrolment_uri_pins_the_server_key_fingerprint() {
    let server = Server::start().await;
    let enrollment = server.create_enrollment("u").await;
    let uri = enrollment["otpauth_uri"].as_str().unwrap().to_owned();
    let device = Device::enroll(&server.http, server.clock.clone(), &uri)
        .await
        .unwrap();
    let push_key = uri
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("push_key="))
        .expect("push_key in the URI");
    assert_eq!(
        push_key,
        otentik_protocol::keys::fingerprint(&device.server_key)
    );
    // Generic authenticators still read the URI.
    assert!(otentik::otpauth::parse(&uri).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_enrol_requests_leave_the_replay_cache_empty() {
    use otentik_protocol::device_api::EnrollRequest;
    use otentik_protocol::keys::{self, SigningKey};
    let server = std::sync::Arc::new(Server::start().await);
    let url = format!("{}/device/v1/enroll", server.url);
    let now = otentik_server::clock::Clock::now(&*server.clock);
    // 10,000 enrol requests, each correctly signed by a key of its own making, none with a
    // valid token: they prove nothing, so none may take room in the replay cache.
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..16u32 {
        let (server, url) = (server.clone(), url.clone());
        tasks.spawn(async move {
            for i in 0..625u32 {
                let mut seed = [0u8; 32];
                seed[..4].copy_from_slice(&worker.to_le_bytes());
                seed[4..8].copy_from_slice(&i.to_le_bytes());
                let key = SigningKey::from_bytes(&seed);
                let body = serde_json::to_vec(&EnrollRequest {
                    token: "pt_not_a_token".into(),
                    public_key: keys::public_key_to_wire(&key.verifying_key()),
                    code: "123456".into(),
                    device_name: None,
                    poll_key: None,
                })
                .unwrap();
                let headers = otentik_protocol::request::sign(
                    &[("", &key)],
                    "POST",
                    "/device/v1/enroll",
                    now,
                    &crate::harness::nonce(),
                    &body,
                );
                let (status, _) =
                    crate::harness::send(&server.http, Method::POST, &url, &headers, Some(&body))
                        .await;
                assert_eq!(status, StatusCode::UNAUTHORIZED);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    assert_eq!(server.state.replay_len().await.unwrap(), 0);
    // A real enrolment records its nonce (and the polls of the enrolled device theirs).
    let _device = server.enrolled_device("u").await;
    assert_eq!(server.state.replay_len().await.unwrap(), 1);
}

#[tokio::test]
async fn a_poll_naming_one_device_twice_is_refused() {
    let server = Server::start().await;
    let device = server.enrolled_device("u").await;
    let now = otentik_server::clock::Clock::now(&*server.clock);
    let headers = otentik_protocol::request::sign(
        &[(&device.id, &device.key), (&device.id, &device.key)],
        "GET",
        "/device/v1/challenges?wait=0",
        now,
        &crate::harness::nonce(),
        b"",
    );
    let (status, body) = device
        .send_signed(Method::GET, "/challenges?wait=0", &headers, None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    assert_eq!(
        server.state.replay_len().await.unwrap(),
        1,
        "only the enrolment's nonce"
    );
}

/// Protocol v1 addition (`docs/protocol.md` §4.1): a poll-only key fetches challenges and
/// reads the status, as a locked app does, but can neither answer nor unregister; devices
/// enrolled without one keep working with their device key alone.
#[tokio::test]
async fn a_poll_key_polls_and_reads_status_but_never_answers() {
    let server = Server::start().await;
    let device = server.enrolled_device("penyedia1").await;
    let poller = device.signing_with(device.poll_key.as_ref().expect("a poll key"));

    let (status, login) = server.create_login("penyedia1").await;
    assert_eq!(status, StatusCode::CREATED, "{login}");
    let challenges = poller.challenges(5).await;
    assert_eq!(challenges.len(), 1, "the poll key fetches the login");
    let challenge = &challenges[0];
    let (status, _) = poller.status().await;
    assert_eq!(status, StatusCode::OK, "the poll key reads the status");

    // It cannot answer: neither its request signature nor its answer signature counts.
    let number = right_number(&login);
    let (status, body) = poller.answer(challenge, Decision::Approve, number).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // Nor answer with the device's answer signature under its own request signature.
    let answer_body = serde_json::to_vec(&answer::sign(
        challenge,
        Decision::Approve,
        number,
        &device.key,
    ))
    .unwrap();
    let (status, body) = poller
        .signed(
            Method::POST,
            &format!("/challenges/{}/answer", challenge.id),
            Some(&answer_body),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = poller.signed(Method::POST, "/unregister", Some(b"")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let login_id = login["login_id"].as_str().unwrap();
    assert_eq!(server.login_status(login_id, 0).await, "pending");

    // The device key answers.
    let (status, body) = device.answer(challenge, Decision::Approve, number).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(server.login_status(login_id, 0).await, "approved");

    // Another key polling as this device is refused.
    let stranger = device.signing_with(&SigningKey::from_bytes(&[9u8; 32]));
    assert_eq!(stranger.poll(0).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn enrolments_without_a_poll_key_still_work_and_the_device_key_is_not_a_poll_key() {
    let server = Server::start().await;
    let enrollment = server.create_enrollment("penyedia1").await;
    let uri = enrollment["otpauth_uri"].as_str().unwrap();
    let now = {
        let clock = server.clock.clone();
        std::sync::Arc::new(move || otentik_server::clock::Clock::now(&*clock))
    };
    let old = Device::enroll_with(&server.http, now.clone(), uri, PollKey::None)
        .await
        .unwrap();
    let (status, login) = server.create_login("penyedia1").await;
    assert_eq!(status, StatusCode::CREATED, "{login}");
    let challenges = old.challenges(5).await;
    let (status, _) = old
        .answer(&challenges[0], Decision::Approve, right_number(&login))
        .await;
    assert_eq!(status, StatusCode::OK);

    let enrollment = server.create_enrollment("penyedia2").await;
    let uri = enrollment["otpauth_uri"].as_str().unwrap();
    let (status, body) = Device::enroll_with(&server.http, now, uri, PollKey::SameAsDevice)
        .await
        .err()
        .expect("refused");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "invalid_field");
}

#[tokio::test]
async fn a_replayed_answer_is_refused_as_a_replay_whether_it_was_applied_or_refused() {
    let server = Server::start().await;
    let (device, signed) = server.signed_denial("u").await;
    let (status, first) = device.send_answer(&signed).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    // The exact request again: refused as a replay (on PostgreSQL the nonce goes in with the
    // answer, in one statement), not as an answered challenge.
    let (status, replay) = device.send_answer(&signed).await;
    assert_eq!(
        (status, replay["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized")),
        "{replay}"
    );
    // A refused answer (its login does not exist) records its nonce too.
    let missing = "/challenges/ch_missing/answer";
    let headers = device.sign("POST", missing, &signed.body, device.now());
    let (status, refused) = device
        .send_signed(Method::POST, missing, &headers, Some(&signed.body))
        .await;
    assert_eq!(refused["code"], "challenge_not_found", "{status} {refused}");
    let (status, replay) = device
        .send_signed(Method::POST, missing, &headers, Some(&signed.body))
        .await;
    assert_eq!(
        (status, replay["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized")),
        "{replay}"
    );
    assert_eq!(server.login_status(&signed.login_id, 0).await, "denied");
}
