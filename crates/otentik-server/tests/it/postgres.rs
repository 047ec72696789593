//! Two server processes (the real binary) on one PostgreSQL database behave as one server:
//! wake-ups cross processes, a replay is refused by the other process, rate limits count
//! across both, a killed process loses nothing, and a PostgreSQL restart under load leaves
//! every process waking its devices. The database is a throw-away cluster the test starts
//! (`otentik_test_support::postgres`).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use otentik_protocol::answer::Decision;
use otentik_test_support::postgres::Cluster;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{Device, real_now, right_number};
use crate::restart::Binary;

/// Two processes on a new database of the shared cluster.
fn two(cluster: &Cluster, extra: &[&str]) -> (Binary, Binary) {
    let url = cluster.database();
    (
        Binary::start(Path::new(&url), extra),
        Binary::start(Path::new(&url), extra),
    )
}

/// Enrols `user` through `a` and returns the device, polling `b`.
async fn device_on(a: &Binary, b: &Binary, user: &str) -> Device {
    let (status, enrollment) = a
        .rp(
            Method::POST,
            "/enrollments",
            Some(json!({ "user_id": user })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{enrollment}");
    let uri = enrollment["otpauth_uri"].as_str().unwrap();
    let mut device = Device::enroll_at(&reqwest::Client::new(), Arc::new(real_now), uri)
        .await
        .unwrap();
    device.push_url = format!("{}/device/v1", b.url);
    device
}

async fn create_login(server: &Binary, user: &str) -> (StatusCode, serde_json::Value) {
    server
        .rp(
            Method::POST,
            "/logins",
            Some(json!({ "user_id": user, "ip": "203.0.113.9", "user_agent": "Firefox/128" })),
        )
        .await
}

/// A connection of the test's own to the database at `url` (what another process or an
/// administrator does to it).
async fn admin(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

/// Long-polls in the background; the challenges it got.
fn poll_in_background(
    device: &Arc<Device>,
    wait: u64,
) -> tokio::task::JoinHandle<(StatusCode, serde_json::Value)> {
    let device = device.clone();
    tokio::spawn(async move { device.poll(wait).await })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_made_on_one_process_wakes_a_device_polling_the_other() {
    let (a, b) = two(Cluster::shared(), &[]);
    let device = Arc::new(device_on(&a, &b, "budi").await);
    // The device waits on B before the login exists; A creates it.
    let poll = poll_in_background(&device, 20);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    let (status, login) = create_login(&a, "budi").await;
    assert_eq!(status, StatusCode::CREATED, "{login}");
    let (status, body) = poll.await.unwrap();
    let waited = started.elapsed();
    assert_eq!(status, StatusCode::OK, "{body}");
    let challenges: Vec<otentik_protocol::challenge::Challenge> =
        serde_json::from_value(body["challenges"].clone()).unwrap();
    assert_eq!(challenges.len(), 1, "{body}");
    assert_eq!(challenges[0].id, login["login_id"].as_str().unwrap());
    // Woken by the other process's NOTIFY, not by the poll's 20 s timeout.
    assert!(waited < Duration::from_secs(10), "woke after {waited:?}");
    // Answered on B; the site, waiting on A, sees it.
    let login_id = login["login_id"].as_str().unwrap().to_owned();
    let site_wait = {
        let url = a.url.clone();
        let id = login_id.clone();
        tokio::spawn(async move {
            reqwest::Client::new()
                .get(format!("{url}/rp/v1/logins/{id}?wait=20"))
                .bearer_auth(crate::restart::SITE_KEY)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, answer) = device
        .answer(&challenges[0], Decision::Approve, right_number(&login))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(site_wait.await.unwrap()["status"], "approved");
    // Single use across processes: A refuses a second answer.
    let mut on_a = Arc::try_unwrap(device).ok().unwrap();
    on_a.push_url = format!("{}/device/v1", a.url);
    let (status, body) = on_a.answer(&challenges[0], Decision::Deny, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("challenge_answered"))
    );
}

#[tokio::test]
async fn a_device_request_replayed_to_the_other_process_is_refused() {
    let (a, b) = two(Cluster::shared(), &[]);
    let device = device_on(&a, &b, "sari").await;
    let headers = device.sign("GET", "/status", b"", real_now());
    let first = crate::harness::send(
        &device.http,
        Method::GET,
        &format!("{}/device/v1/status", a.url),
        &headers,
        None,
    )
    .await;
    assert_eq!(first.0, StatusCode::OK, "{}", first.1);
    let replayed = crate::harness::send(
        &device.http,
        Method::GET,
        &format!("{}/device/v1/status", b.url),
        &headers,
        None,
    )
    .await;
    assert_eq!(
        (replayed.0, replayed.1["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized")),
        "{}",
        replayed.1
    );
}

#[tokio::test]
async fn rate_limits_count_across_both_processes() {
    // Two logins a minute: one on each process. Counted per process, a third would pass on
    // either; counted together, it is refused on both. (The second replaces the first, one
    // strike: the back-off, which needs three, plays no part.)
    let (a, b) = two(Cluster::shared(), &["--login-limit", "2"]);
    let _device = device_on(&a, &b, "tono").await;
    for server in [&a, &b] {
        let (status, body) = create_login(server, "tono").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for server in [&a, &b] {
        let (status, body) = create_login(server, "tono").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")),
            "{body}"
        );
    }
    // Typed codes: five checks per minute in all, not per process.
    for (index, server) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
        let (status, body) = server
            .rp(
                Method::POST,
                "/verify",
                Some(json!({ "user_id": "tono", "code": "000000" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "check {index}: {body}");
    }
    let (status, body) = b
        .rp(
            Method::POST,
            "/verify",
            Some(json!({ "user_id": "tono", "code": "000000" })),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_mid_poll_loses_nothing_and_applies_nothing_twice() {
    let (mut a, b) = two(Cluster::shared(), &[]);
    let mut device = device_on(&a, &b, "wati").await;
    device.push_url = format!("{}/device/v1", a.url);
    let device = Arc::new(device);
    let poll = poll_in_background(&device, 20);
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.server.stop(); // SIGKILL mid-poll
    assert!(
        poll.await.is_err(),
        "the poll held by the killed process ends with a broken connection"
    );
    // The device moves to B; the login is created there (A is gone).
    let mut device = Arc::try_unwrap(device).ok().unwrap();
    device.push_url = format!("{}/device/v1", b.url);
    let (status, login) = create_login(&b, "wati").await;
    assert_eq!(status, StatusCode::CREATED, "{login}");
    let challenges = device.challenges(5).await;
    assert_eq!(challenges.len(), 1);
    let (status, answer) = device
        .answer(&challenges[0], Decision::Approve, right_number(&login))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // A comes back on the same database: the answer is there once, and cannot be applied
    // again through it.
    a.server.restart();
    a.url = a.server.url.clone();
    let login_id = login["login_id"].as_str().unwrap();
    let (_, seen) = a
        .rp(Method::GET, &format!("/logins/{login_id}"), None)
        .await;
    assert_eq!(seen["status"], "approved");
    device.push_url = format!("{}/device/v1", a.url);
    let (status, body) = device.answer(&challenges[0], Decision::Deny, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("challenge_answered"))
    );
    assert!(device.challenges(0).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_postgres_restart_every_process_wakes_its_devices_again() {
    // A cluster of its own: restarting the shared one would disturb the other tests.
    let cluster = Cluster::start();
    let (a, b) = two(&cluster, &[]);
    let on_b = Arc::new(device_on(&a, &b, "ani").await);
    let on_a = {
        let mut device = device_on(&b, &a, "eko").await;
        device.push_url = format!("{}/device/v1", a.url);
        Arc::new(device)
    };
    // Under load: devices waiting on both processes while PostgreSQL goes down and up.
    let waiting_b = poll_in_background(&on_b, 20);
    let waiting_a = poll_in_background(&on_a, 20);
    tokio::time::sleep(Duration::from_millis(300)).await;
    cluster.crash();
    // While PostgreSQL is down the load balancer is told: /readyz answers 503.
    otentik_test_support::wait::until_async(
        Duration::from_secs(15),
        "/readyz to answer 503 while PostgreSQL is down",
        || async {
            let response = reqwest::get(format!("{}/readyz", a.url)).await.ok()?;
            (response.status() == StatusCode::SERVICE_UNAVAILABLE).then_some(())
        },
        tokio::time::sleep,
    )
    .await;
    cluster.resume();
    // Both processes report ready again once their pools and listeners are back.
    for server in [&a, &b] {
        otentik_test_support::wait::until_async(
            Duration::from_secs(30),
            "the server to be ready again",
            || async {
                let response = reqwest::get(format!("{}/readyz", server.url)).await.ok()?;
                (response.status() == StatusCode::OK).then_some(())
            },
            tokio::time::sleep,
        )
        .await;
    }
    // Polls in flight during the restart ended one way or another; new ones wake at once on
    // a login made on the other process.
    let _ = waiting_a.await;
    let _ = waiting_b.await;
    for (device, maker, user) in [(&on_b, &a, "ani"), (&on_a, &b, "eko")] {
        let poll = poll_in_background(device, 20);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let started = std::time::Instant::now();
        let (status, login) = create_login(maker, user).await;
        assert_eq!(status, StatusCode::CREATED, "{login}");
        let (status, body) = poll.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["challenges"].as_array().map(Vec::len),
            Some(1),
            "{body}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "woke after {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn health_and_readiness_answer_for_the_load_balancer() {
    let (a, _b) = two(Cluster::shared(), &[]);
    for (path, expected) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let response = reqwest::get(format!("{}{path}", a.url)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_sends_waiting_devices_to_the_other_process_at_once() {
    let (mut a, b) = two(Cluster::shared(), &[]);
    let mut device = device_on(&a, &b, "rina").await;
    device.push_url = format!("{}/device/v1", a.url);
    // A long-poll held by A, read with its headers.
    let path = "/challenges?wait=25";
    let headers = device.sign("GET", path, b"", real_now());
    let request = device
        .http
        .get(format!("{}{path}", device.push_url))
        .header(
            otentik_protocol::request::header::DEVICE,
            headers.device.unwrap(),
        )
        .header(
            otentik_protocol::request::header::TIMESTAMP,
            &headers.timestamp,
        )
        .header(otentik_protocol::request::header::NONCE, &headers.nonce)
        .header(
            otentik_protocol::request::header::SIGNATURE,
            &headers.signature,
        );
    let poll = tokio::spawn(async move { request.send().await.unwrap() });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stopped_at = std::time::Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &a.server.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let response = poll.await.unwrap();
    // Answered at once, not at the end of its 25 s, with nothing to do and a hint to retry now.
    assert!(stopped_at.elapsed() < Duration::from_secs(5));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("0")
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["challenges"], json!([]), "{body}");
    assert!(a.server.wait_exit().success(), "A exits cleanly");
    // The device goes on at B: a login is delivered there.
    device.push_url = format!("{}/device/v1", b.url);
    let (status, login) = create_login(&b, "rina").await;
    assert_eq!(status, StatusCode::CREATED, "{login}");
    assert_eq!(device.challenges(5).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_processes_leave_one_pending_login_and_take_one_answer() {
    let (a, b) = two(Cluster::shared(), &[]);
    let device = device_on(&a, &b, "dewi").await;
    // The site creates two logins at once, one on each process: one stays pending.
    let (first, second) = tokio::join!(create_login(&a, "dewi"), create_login(&b, "dewi"));
    assert_eq!(first.0, StatusCode::CREATED, "{}", first.1);
    assert_eq!(second.0, StatusCode::CREATED, "{}", second.1);
    let challenges = device.challenges(0).await;
    assert_eq!(challenges.len(), 1, "exactly one pending login");
    let pending = challenges[0].id.clone();
    let login = if first.1["login_id"] == pending.as_str() {
        first.1
    } else {
        second.1
    };
    // The device answers twice at once, through each process: exactly one answer counts.
    let mut on_a = device.signing_with(&device.key.clone());
    on_a.push_url = format!("{}/device/v1", a.url);
    let number = right_number(&login);
    let (through_a, through_b) = tokio::join!(
        on_a.answer(&challenges[0], Decision::Approve, number),
        device.answer(&challenges[0], Decision::Deny, None)
    );
    let mut statuses = [through_a.0, through_b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} / {}",
        through_a.1,
        through_b.1
    );
    let (_, seen) = a.rp(Method::GET, &format!("/logins/{pending}"), None).await;
    let expected = if through_a.0 == StatusCode::OK {
        "approved"
    } else {
        "denied"
    };
    assert_eq!(seen["status"], expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pooled_connection_the_database_closed_is_replaced_before_a_request_uses_it() {
    let url = Cluster::shared().database();
    let server = Binary::start(Path::new(&url), &[]);
    let enrol = |user: &'static str| {
        let server = &server;
        async move {
            server
                .rp(
                    Method::POST,
                    "/enrollments",
                    Some(json!({ "user_id": user })),
                )
                .await
        }
    };
    let (status, body) = enrol("before").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The database ends every connection of the server (as an administrator's
    // pg_terminate_backend does, or a restart) while they sit idle in its pool.
    let admin = admin(&url).await;
    let ended: Vec<i32> = admin
        .query(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(!ended.is_empty(), "the server's pooled connection");
    otentik_test_support::wait::until_async(
        Duration::from_secs(10),
        "the ended connections to be gone",
        || async {
            let left: i64 = admin
                .query_one(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ANY($1)",
                    &[&ended],
                )
                .await
                .ok()?
                .get(0);
            (left == 0).then_some(())
        },
        tokio::time::sleep,
    )
    .await;
    // The next request gets a new connection, not the dead one's error.
    let (status, body) = enrol("after").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_stuck_on_a_lock_is_cancelled_at_the_request_timeout() {
    let url = Cluster::shared().database();
    let server = crate::harness::Server::launch(|c| c.request_timeout = 1, &url, None).await;
    let _device = server.enrolled_device("u").await;
    // Another connection holds the user's lock, as a transaction stuck in another process
    // would, until the test lets go.
    let admin = admin(&url).await;
    admin
        .batch_execute("BEGIN; SELECT pg_advisory_xact_lock(hashtextextended('u', 0))")
        .await
        .unwrap();
    // A login waits for the lock; the request timeout answers it.
    let (status, body) = server.create_login("u").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    // The server's statement does not go on waiting behind the answered request: PostgreSQL
    // cancels it, and its connection is free again.
    otentik_test_support::wait::until_async(
        Duration::from_secs(10),
        "the server's statement waiting for the lock to be cancelled",
        || async {
            let waiting: i64 = admin
                .query_one(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
                     AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
                    &[],
                )
                .await
                .ok()?
                .get(0);
            (waiting == 0).then_some(())
        },
        tokio::time::sleep,
    )
    .await;
    admin.batch_execute("COMMIT").await.unwrap();
    let (status, body) = server.create_login("u").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_whose_nonce_another_process_recorded_first_is_refused_and_not_stored() {
    let url = Cluster::shared().database();
    let server = crate::harness::Server::launch(|_| {}, &url, None).await;
    let (device, signed) = server.signed_denial("u").await;
    let login_id = &signed.login_id;
    // The same request reached another process a moment before, which recorded its nonce
    // (the race the answer's single statement decides): the login is still pending.
    let admin = admin(&url).await;
    let key = format!("{}/{}", device.id, signed.headers.nonce);
    admin
        .execute(
            "INSERT INTO seen_nonces (nonce, forget_after) VALUES ($1, $2)",
            &[&key, &i64::MAX],
        )
        .await
        .unwrap();
    let (status, replay) = device.send_answer(&signed).await;
    assert_eq!(
        (status, replay["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized")),
        "{replay}"
    );
    assert_eq!(server.login_status(login_id, 0).await, "pending");
    // The device's own next request (a new nonce) is stored.
    let (status, answered) = device.answer(&signed.challenge, Decision::Deny, None).await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!(server.login_status(login_id, 0).await, "denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_whose_statement_fails_still_records_its_nonce() {
    let url = Cluster::shared().database();
    let server = crate::harness::Server::launch(|c| c.request_timeout = 1, &url, None).await;
    let (device, signed) = server.signed_denial("u").await;
    let login_id = &signed.login_id;
    // Another connection holds the login's row: the statement that stores the answer waits,
    // and PostgreSQL cancels it at the statement timeout.
    let admin = admin(&url).await;
    admin
        .batch_execute(&format!(
            "BEGIN; SELECT 1 FROM logins WHERE id = '{login_id}' FOR UPDATE"
        ))
        .await
        .unwrap();
    let (status, failed) = device.send_answer(&signed).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{failed}");
    // Nothing was stored, but the request's nonce is recorded all the same.
    let key = format!("{}/{}", device.id, signed.headers.nonce);
    otentik_test_support::wait::until_async(
        Duration::from_secs(10),
        "the failed answer's nonce to be recorded",
        || async {
            let rows = admin
                .query("SELECT 1 FROM seen_nonces WHERE nonce = $1", &[&key])
                .await
                .ok()?;
            (!rows.is_empty()).then_some(())
        },
        tokio::time::sleep,
    )
    .await;
    admin.batch_execute("COMMIT").await.unwrap();
    // A captured copy sent again is a replay: refused, and the login stays pending.
    let (status, replay) = device.send_answer(&signed).await;
    assert_eq!(
        (status, replay["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized")),
        "{replay}"
    );
    assert_eq!(server.login_status(login_id, 0).await, "pending");
}
