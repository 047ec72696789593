//! Test servers and a test device built on `otentik-protocol`.

use std::path::Path;
use std::sync::Arc;

use otentik_protocol::answer::{self, Decision};
use otentik_protocol::challenge::Challenge;
use otentik_protocol::device_api::{EnrollRequest, EnrollResponse, PollResponse};
use otentik_protocol::keys::{self, SigningKey, VerifyingKey};
use otentik_protocol::request::{self, header};
use otentik_server::clock::ManualClock;
use otentik_server::demo::{self, Demo, DemoConfig};
use otentik_server::seal::DataKey;
use otentik_server::{AppState, Config};
use rand::RngCore as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const SITE_KEY: &str = "sk_test_site_key";
/// The data key of every test server, so that a database file opens again after a restart.
pub const DATA_KEY: &str = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

/// A server on 127.0.0.1:0 with a manual clock.
pub struct Server {
    pub url: String,
    pub clock: Arc<ManualClock>,
    pub http: reqwest::Client,
    /// The server's state, for waiting on what it holds (never for driving it).
    pub state: AppState,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The database a test asked for: `:memory:` becomes a new PostgreSQL database of its own
/// when the suite runs on PostgreSQL (`OTENTIK_TEST_DB=postgres`); a file stays SQLite.
pub fn test_db(db: &str) -> String {
    if db == ":memory:" && otentik_test_support::postgres::selected() {
        otentik_test_support::postgres::Cluster::shared().database()
    } else {
        db.to_owned()
    }
}

pub fn real_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

impl Server {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// The push server alone.
    pub async fn start_with(configure: impl FnOnce(&mut Config)) -> Self {
        Self::launch(configure, ":memory:", None).await
    }

    /// The push server with the demo site on top, writing its e-mails to `outbox`.
    pub async fn start_demo(outbox: &Path, configure: impl FnOnce(&mut Config)) -> Self {
        Self::launch(configure, ":memory:", Some(outbox)).await
    }

    /// The push server on the database `db`, with the demo site when `outbox` is given (the
    /// way `main.rs` wires it).
    pub async fn launch(
        configure: impl FnOnce(&mut Config),
        db: &str,
        outbox: Option<&Path>,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut config = Config::new("Test Site", &url, SITE_KEY);
        configure(&mut config);
        let clock = Arc::new(ManualClock::new(real_now()));
        let data_key = DataKey::from_hex(DATA_KEY).unwrap();
        let on_postgres = (db == ":memory:" && otentik_test_support::postgres::selected())
            || otentik_server::db::Engine::of(db) == otentik_server::db::Engine::Postgres;
        let db = test_db(db);
        let state = AppState::connect(config, &db, data_key, clock.clone())
            .await
            .unwrap();
        // The suite's second run really is on PostgreSQL.
        assert_eq!(
            state.engine() == otentik_server::db::Engine::Postgres,
            on_postgres,
            "{db}"
        );
        let site = match outbox {
            Some(outbox) => {
                let config = DemoConfig {
                    outbox: outbox.to_owned(),
                };
                let opened = state.clone();
                let demo = tokio::task::spawn_blocking(move || Demo::open(&opened, config))
                    .await
                    .unwrap()
                    .unwrap();
                demo::router(state.clone(), demo)
            }
            None => axum::Router::new(),
        };
        let task = tokio::spawn({
            let state = state.clone();
            async move {
                otentik_server::serve(listener, state, site, std::future::pending())
                    .await
                    .unwrap();
            }
        });
        let http = reqwest::Client::new();
        Self {
            url,
            clock,
            http,
            state,
            task,
        }
    }

    pub async fn rp(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}/rp/v1{path}", self.url))
            .bearer_auth(SITE_KEY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn create_enrollment(&self, user_id: &str) -> Value {
        let (status, body) = self
            .rp(
                Method::POST,
                "/enrollments",
                Some(json!({ "user_id": user_id })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Enrols a new device for `user_id` and checks the enrolment completed with push.
    pub async fn enrolled_device(&self, user_id: &str) -> Device {
        let enrollment = self.create_enrollment(user_id).await;
        let uri = enrollment["otpauth_uri"].as_str().unwrap();
        let device = Device::enroll(&self.http, self.clock.clone(), uri)
            .await
            .unwrap();
        let id = enrollment["enrollment_id"].as_str().unwrap();
        let (_, status) = self
            .rp(Method::GET, &format!("/enrollments/{id}"), None)
            .await;
        assert_eq!(status, json!({ "status": "completed", "push": true }));
        device
    }

    pub async fn create_login(&self, user_id: &str) -> (StatusCode, Value) {
        self.rp(
            Method::POST,
            "/logins",
            Some(json!({ "user_id": user_id, "ip": "203.0.113.7", "user_agent": "Firefox/128" })),
        )
        .await
    }

    /// Waits (polling, no fixed sleep) until at least `count` long-polls wait on `topic`
    /// (`user:<id>` for device polls, `login:<id>` for the site's).
    pub async fn until_waiting(&self, topic: &str, count: usize) {
        let hub = &self.state.hub;
        otentik_test_support::wait::until_async(
            std::time::Duration::from_secs(10),
            &format!("{count} long-polls on {topic}"),
            || async { (hub.waiters(topic) >= count).then_some(()) },
            tokio::time::sleep,
        )
        .await;
    }

    /// Enrols a device for `user`, creates a login and has the device sign a denial of it,
    /// not sent yet (to send once, or again as a replay).
    pub async fn signed_denial(&self, user: &str) -> (Device, SignedAnswer) {
        let device = self.enrolled_device(user).await;
        let (status, login) = self.create_login(user).await;
        assert_eq!(status, StatusCode::CREATED, "{login}");
        let login_id = login["login_id"].as_str().unwrap().to_owned();
        let challenge = device.challenges(5).await.remove(0);
        let body = serde_json::to_vec(&answer::sign(&challenge, Decision::Deny, None, &device.key))
            .unwrap();
        let path = format!("/challenges/{login_id}/answer");
        let headers = device.sign("POST", &path, &body, device.now());
        let signed = SignedAnswer {
            login_id,
            challenge,
            path,
            headers,
            body,
        };
        (device, signed)
    }

    pub async fn login_status(&self, login_id: &str, wait: u64) -> String {
        let (status, body) = self
            .rp(
                Method::GET,
                &format!("/logins/{login_id}?wait={wait}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["status"].as_str().unwrap().to_owned()
    }
}

/// An answer request signed but not sent ([`Server::signed_denial`]).
pub struct SignedAnswer {
    pub login_id: String,
    pub challenge: Challenge,
    pub path: String,
    pub headers: request::SignedHeaders,
    pub body: Vec<u8>,
}

/// An authenticator as far as the protocol goes: a key pair, a pinned server key, a TOTP seed.
pub struct Device {
    pub id: String,
    pub key: SigningKey,
    /// The poll-only key registered at enrolment (protocol v1 addition), if one was.
    pub poll_key: Option<SigningKey>,
    pub server_key: VerifyingKey,
    pub push_url: String,
    pub secret: otentik::Secret,
    pub http: reqwest::Client,
    pub clock: Arc<dyn Fn() -> u64 + Send + Sync>,
}

/// Which poll-only key an enrolment registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollKey {
    /// A new one (what the app does).
    New,
    /// None (an enrolment made before the addition).
    None,
    /// The device key itself (refused).
    SameAsDevice,
}

pub fn nonce() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

fn path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    after_scheme
        .find('/')
        .map(|i| after_scheme[i..].to_owned())
        .unwrap_or_else(|| "/".into())
}

pub async fn send(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    headers: &request::SignedHeaders,
    body: Option<&[u8]>,
) -> (StatusCode, Value) {
    let mut request = http
        .request(method, url)
        .header(header::TIMESTAMP, &headers.timestamp)
        .header(header::NONCE, &headers.nonce)
        .header(header::SIGNATURE, &headers.signature);
    if let Some(device) = &headers.device {
        request = request.header(header::DEVICE, device);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_vec());
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

impl Device {
    /// Enrols from an enrolment URI the way the app does.
    pub async fn enroll(
        http: &reqwest::Client,
        clock: Arc<ManualClock>,
        uri: &str,
    ) -> Result<Device, (StatusCode, Value)> {
        let now = {
            let clock = clock.clone();
            Arc::new(move || otentik_server::clock::Clock::now(&*clock))
        };
        Self::enroll_at(http, now, uri).await
    }

    pub async fn enroll_at(
        http: &reqwest::Client,
        clock: Arc<dyn Fn() -> u64 + Send + Sync>,
        uri: &str,
    ) -> Result<Device, (StatusCode, Value)> {
        Self::enroll_with(http, clock, uri, PollKey::New).await
    }

    /// Enrols registering a poll-only key as `poll` says.
    pub async fn enroll_with(
        http: &reqwest::Client,
        clock: Arc<dyn Fn() -> u64 + Send + Sync>,
        uri: &str,
        poll: PollKey,
    ) -> Result<Device, (StatusCode, Value)> {
        let parsed = otentik::otpauth::parse(uri).unwrap();
        let account = parsed.account;
        let push = account.push.clone().expect("push extras in the URI");
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        let key = SigningKey::from_bytes(&seed);
        let poll_key = match poll {
            PollKey::New => {
                rand::rng().fill_bytes(&mut seed);
                Some(SigningKey::from_bytes(&seed))
            }
            PollKey::None => None,
            PollKey::SameAsDevice => Some(key.clone()),
        };
        let code = otentik::otp::totp_code(
            &account.secret,
            account.algorithm,
            account.digits,
            account.period,
            clock(),
        );
        let body = serde_json::to_vec(&EnrollRequest {
            token: push.token.clone(),
            public_key: keys::public_key_to_wire(&key.verifying_key()),
            code,
            device_name: Some("test device".into()),
            poll_key: poll_key
                .as_ref()
                .map(|poll| keys::public_key_to_wire(&poll.verifying_key())),
        })
        .unwrap();
        let url = format!("{}/enroll", push.url);
        let headers = request::sign(
            &[("", &key)],
            "POST",
            &path_of(&url),
            clock(),
            &nonce(),
            &body,
        );
        let (status, value) = send(http, Method::POST, &url, &headers, Some(&body)).await;
        if status != StatusCode::CREATED {
            return Err((status, value));
        }
        let response: EnrollResponse = serde_json::from_value(value).unwrap();
        assert_eq!(response.protocol, 1);
        Ok(Device {
            id: response.device_id,
            key,
            poll_key,
            server_key: keys::public_key_from_wire("server_key", &response.server_key).unwrap(),
            push_url: push.url,
            secret: account.secret,
            http: http.clone(),
            clock,
        })
    }

    pub fn now(&self) -> u64 {
        (self.clock)()
    }

    /// The same device signing with `key` in place of its device key.
    pub fn signing_with(&self, key: &SigningKey) -> Device {
        Device {
            id: self.id.clone(),
            key: key.clone(),
            poll_key: None,
            server_key: self.server_key,
            push_url: self.push_url.clone(),
            secret: self.secret.clone(),
            http: self.http.clone(),
            clock: self.clock.clone(),
        }
    }

    /// A signed request; returns the status and JSON body.
    pub async fn signed(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
    ) -> (StatusCode, Value) {
        let headers = self.sign(method.as_str(), path, body.unwrap_or(b""), self.now());
        self.send_signed(method, path, &headers, body).await
    }

    pub fn sign(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
        timestamp: u64,
    ) -> request::SignedHeaders {
        let url = format!("{}{path}", self.push_url);
        request::sign(
            &[(&self.id, &self.key)],
            method,
            &path_of(&url),
            timestamp,
            &nonce(),
            body,
        )
    }

    pub async fn send_signed(
        &self,
        method: Method,
        path: &str,
        headers: &request::SignedHeaders,
        body: Option<&[u8]>,
    ) -> (StatusCode, Value) {
        send(
            &self.http,
            method,
            &format!("{}{path}", self.push_url),
            headers,
            body,
        )
        .await
    }

    /// Sends a signed answer request as it was signed.
    pub async fn send_answer(&self, signed: &SignedAnswer) -> (StatusCode, Value) {
        self.send_signed(
            Method::POST,
            &signed.path,
            &signed.headers,
            Some(&signed.body),
        )
        .await
    }

    pub async fn poll(&self, wait: u64) -> (StatusCode, Value) {
        self.signed(Method::GET, &format!("/challenges?wait={wait}"), None)
            .await
    }

    /// Polls and returns the challenges, each verified with the pinned server key.
    pub async fn challenges(&self, wait: u64) -> Vec<Challenge> {
        let (status, body) = self.poll(wait).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let response: PollResponse = serde_json::from_value(body).unwrap();
        for challenge in &response.challenges {
            challenge
                .verify(&self.server_key, &self.id, self.now())
                .unwrap();
        }
        response.challenges
    }

    /// Polls as an up-to-date device does, declaring `features=number_entry` in the signed
    /// query, and returns the challenges, each verified with the pinned server key.
    pub async fn challenges_typed(&self, wait: u64) -> Vec<Challenge> {
        let (status, body) = self
            .signed(
                Method::GET,
                &format!("/challenges?wait={wait}&features=number_entry"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let response: PollResponse = serde_json::from_value(body).unwrap();
        for challenge in &response.challenges {
            challenge
                .verify(&self.server_key, &self.id, self.now())
                .unwrap();
        }
        response.challenges
    }

    pub async fn answer(
        &self,
        challenge: &Challenge,
        decision: Decision,
        number: Option<u8>,
    ) -> (StatusCode, Value) {
        let body =
            serde_json::to_vec(&answer::sign(challenge, decision, number, &self.key)).unwrap();
        self.signed(
            Method::POST,
            &format!("/challenges/{}/answer", challenge.id),
            Some(&body),
        )
        .await
    }

    /// `GET /status`, its signature checked against this request's nonce with the pinned key.
    pub async fn verified_status(
        &self,
    ) -> (
        StatusCode,
        Value,
        Result<otentik_protocol::device_api::DeviceState, otentik_protocol::Error>,
    ) {
        let headers = self.sign("GET", "/status", b"", self.now());
        let (status, body) = self
            .send_signed(Method::GET, "/status", &headers, None)
            .await;
        let signed: otentik_protocol::device_api::StatusResponse =
            serde_json::from_value(body.clone()).unwrap();
        let verified = signed.verify(&self.server_key, &self.id, &headers.nonce);
        (status, body, verified)
    }

    pub async fn status(&self) -> (StatusCode, Value) {
        self.signed(Method::GET, "/status", None).await
    }

    pub fn code(&self) -> String {
        otentik::otp::totp_code(
            &self.secret,
            otentik::account::Algorithm::Sha1,
            6,
            30,
            self.now(),
        )
    }
}

/// The right number for a challenge, given the number the site shows.
pub fn right_number(login: &Value) -> Option<u8> {
    login["number"].as_u64().map(|n| n as u8)
}
