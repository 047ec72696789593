//! Bad input: a clear 4xx with `{code, message}`, never a 500, never a panic.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{SITE_KEY, Server};

async fn raw(
    server: &Server,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = server
        .http
        .request(method, format!("{}{path}", server.url))
        .bearer_auth(SITE_KEY)
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn assert_error(result: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(result.0, status, "{}", result.1);
    assert_eq!(result.1["code"], code, "{}", result.1);
    assert!(!result.1["message"].as_str().unwrap().is_empty());
}

const JSON: Option<&str> = Some("application/json");

#[tokio::test]
async fn json_bodies() {
    let server = Server::start().await;
    let post = |body: &str, content_type| {
        raw(
            &server,
            Method::POST,
            "/rp/v1/enrollments",
            content_type,
            body.as_bytes().to_vec(),
        )
    };
    let result = post("{\"user_id\": ", JSON).await;
    assert_error(&result, StatusCode::BAD_REQUEST, "malformed_json");
    assert!(
        result.1["message"]
            .as_str()
            .unwrap()
            .starts_with("the body is not valid JSON")
    );
    assert_error(
        &post("", JSON).await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
    );
    let result = post(r#"{"user_id": "a", "admin": true}"#, JSON).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "invalid_json");
    assert!(
        result.1["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `admin`")
    );
    assert_error(
        &post(r#"{"user_id": 5}"#, JSON).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_json",
    );
    assert_error(
        &post(r#"{}"#, JSON).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_json",
    );
    assert_error(
        &post(r#"[1,2]"#, JSON).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_json",
    );
    assert_error(
        &post(r#"{"user_id": "a"}"#, Some("text/plain")).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    assert_error(
        &post(r#"{"user_id": "a"}"#, None).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let ok = post(
        r#"{"user_id": "a"}"#,
        Some("application/json; charset=utf-8"),
    )
    .await;
    assert_eq!(ok.0, StatusCode::CREATED);
}

#[tokio::test]
async fn huge_bodies_are_refused() {
    let server = Server::start().await;
    let huge = format!(r#"{{"user_id": "{}"}}"#, "a".repeat(2 * 1024 * 1024));
    for path in [
        "/rp/v1/enrollments",
        "/rp/v1/logins",
        "/device/v1/enroll",
        "/device/v1/challenges/x/answer",
    ] {
        let result = raw(&server, Method::POST, path, JSON, huge.clone().into_bytes()).await;
        assert_eq!(
            result.0,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{path}: {}",
            result.1
        );
        if path.starts_with("/rp") {
            assert_eq!(result.1["code"], "body_too_large");
        }
    }
}

#[tokio::test]
async fn field_limits_and_unicode_ids() {
    let server = Server::start().await;
    let create = |user_id: Value| {
        server.rp(
            Method::POST,
            "/enrollments",
            Some(json!({ "user_id": user_id })),
        )
    };
    let unicode = "Budi Śantoso 🚀 ユーザー";
    let (status, enrollment) = create(json!(unicode)).await;
    assert_eq!(status, StatusCode::CREATED, "{enrollment}");
    let uri = enrollment["otpauth_uri"].as_str().unwrap();
    assert_eq!(
        otentik::otpauth::parse(uri).unwrap().account.name,
        unicode,
        "round-trips in the URI"
    );
    let device = crate::harness::Device::enroll(&server.http, server.clock.clone(), uri)
        .await
        .unwrap();
    let encoded =
        percent_encoding::utf8_percent_encode(unicode, percent_encoding::NON_ALPHANUMERIC);
    let (status, user) = server
        .rp(Method::GET, &format!("/users/{encoded}"), None)
        .await;
    assert_eq!(
        (status, user),
        (
            StatusCode::OK,
            json!({ "totp_enabled": true, "devices": 1 })
        )
    );
    let (status, login) = server.create_login(unicode).await;
    assert_eq!(status, StatusCode::CREATED, "{login}");
    assert_eq!(device.challenges(0).await[0].account, unicode);

    let result = create(json!("")).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(result.1["message"], "invalid user_id: must not be empty");
    let result = create(json!("a\nb")).await;
    assert_eq!(
        result.1["message"],
        "invalid user_id: must not contain control or invisible formatting characters (found U+000A)"
    );
    let result = create(json!("x".repeat(129))).await;
    assert_eq!(
        result.1["message"],
        "invalid user_id: at most 128 characters"
    );
    let result = server
        .rp(
            Method::POST,
            "/logins",
            Some(json!({ "user_id": unicode, "ip": "1", "user_agent": "a\u{0}b" })),
        )
        .await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    // Invalid UTF-8 in a path segment, control characters, an empty id.
    let result = raw(&server, Method::GET, "/rp/v1/users/%FF%FE", None, vec![]).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let result = raw(&server, Method::GET, "/rp/v1/users/a%00b", None, vec![]).await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let result = raw(
        &server,
        Method::GET,
        "/rp/v1/logins/x?wait=soon",
        None,
        vec![],
    )
    .await;
    assert_error(&result, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let result = raw(&server, Method::GET, "/rp/v1/logins/nope", None, vec![]).await;
    assert_error(&result, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn routes_methods_and_auth() {
    let server = Server::start().await;
    assert_error(
        &raw(&server, Method::GET, "/nope", None, vec![]).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &raw(
            &server,
            Method::PUT,
            "/rp/v1/enrollments",
            JSON,
            b"{}".to_vec(),
        )
        .await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    let response = server
        .http
        .get(format!("{}/rp/v1/users/a", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = server
        .http
        .get(format!("{}/rp/v1/users/a", server.url))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({ "code": "unauthorized", "message": "authentication failed" })
    );
    // Device API with garbage headers.
    let response = server
        .http
        .get(format!("{}/device/v1/challenges", server.url))
        .header("Otentik-Device", "a,b,,c")
        .header("Otentik-Timestamp", "99999999999999999999999")
        .header("Otentik-Nonce", "***")
        .header("Otentik-Signature", "x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // Enrolment with a bad public key (the body is parsed before the signature is checked).
    let body = json!({ "token": "t", "public_key": "AAAA", "code": "1" }).to_string();
    let result = raw(
        &server,
        Method::POST,
        "/device/v1/enroll",
        JSON,
        body.into_bytes(),
    )
    .await;
    assert_error(&result, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn random_bodies_never_cause_a_server_error() {
    use rand::{Rng as _, RngCore as _};
    let server = Server::start().await;
    let device = server.enrolled_device("u").await;
    let paths = [
        "/rp/v1/enrollments",
        "/rp/v1/logins",
        "/rp/v1/verify",
        "/rp/v1/enrollments/x/confirm",
        "/device/v1/enroll",
    ];
    let samples: Vec<Vec<u8>> = (0..40)
        .map(|i| {
            let mut rng = rand::rng();
            match i % 4 {
                0 => {
                    let mut bytes = vec![0u8; rng.random_range(0..512)];
                    rng.fill_bytes(&mut bytes);
                    bytes
                }
                1 => json!({ "user_id": "u", "ip": [1], "user_agent": null, "code": {} })
                    .to_string()
                    .into_bytes(),
                2 => format!(
                    "{{\"user_id\": \"{}\"}}",
                    "\\ud800".repeat(rng.random_range(1..5))
                )
                .into_bytes(),
                _ => "{\"code\": \"1\", \"user_id\": \"u\""
                    .repeat(rng.random_range(1..50))
                    .into_bytes(),
            }
        })
        .collect();
    for path in paths {
        for body in &samples {
            let (status, value) = raw(&server, Method::POST, path, JSON, body.clone()).await;
            assert!(status.is_client_error(), "{path}: {status} {value}");
            assert!(value["code"].is_string(), "{path}: {value}");
        }
    }
    // A signed answer with a body that is not JSON.
    let (status, body) = device
        .signed(Method::POST, "/challenges/x/answer", Some(b"not json"))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );
    let (status, body) = device
        .signed(
            Method::POST,
            "/challenges/x/answer",
            Some(br#"{"decision":"maybe","signature":"x"}"#),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_json"))
    );
}

#[tokio::test]
async fn demo_forms_with_bad_input() {
    let outbox = tempfile::tempdir().unwrap();
    let server = Server::start_demo(outbox.path(), |_| {}).await;
    for (path, body) in [
        ("/login/penyedia", "userid=%FF&password"),
        ("/login/unknown", "userid=a"),
        ("/resettotp", "\u{0}\u{1}"),
        ("/proc4user/resettotp", "userid=a&kode=b"),
        ("/login/kode", "totp=1"),
        ("/totp/enable/kode", "totp=1"),
    ] {
        let (status, value) = raw(
            &server,
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            body.as_bytes().to_vec(),
        )
        .await;
        assert!(!status.is_server_error(), "{path}: {status} {value}");
    }
    let (status, _) = raw(
        &server,
        Method::GET,
        "/proc4user/resettotp?kode=%ZZ",
        None,
        vec![],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn text_shown_on_the_device_with_bidi_or_invisible_characters_is_refused() {
    let server = Server::start().await;
    let _device = server.enrolled_device("u").await;
    // U+202E turns "Chrome exe.fdp" into "Chrome pdf.exe" on screen.
    for (field, ip, user_agent) in [
        ("user_agent", "203.0.113.7", "Chrome\u{202E}exe.fdp"),
        ("user_agent", "203.0.113.7", "Fire\u{200B}fox"),
        ("ip", "203.0.113.7\u{2066}", "Firefox/128"),
    ] {
        let (status, body) = server
            .rp(
                Method::POST,
                "/logins",
                Some(json!({ "user_id": "u", "ip": ip, "user_agent": user_agent })),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field")),
            "{body}"
        );
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("invalid {field}:")),
            "{body}"
        );
    }
    // The account name (display name) too.
    let (status, body) = server
        .rp(
            Method::POST,
            "/enrollments",
            Some(json!({ "user_id": "v", "display_name": "budi\u{202E}nimda" })),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field"))
    );
    // And the site name, when the server starts.
    let config = otentik_server::Config::new("SPSE\u{202E}", "http://127.0.0.1:1", "sk_x");
    let key = otentik_server::seal::DataKey::generate();
    let clock = std::sync::Arc::new(otentik_server::clock::SystemClock);
    let error = otentik_server::AppState::open(config, ":memory:", key, clock)
        .err()
        .unwrap();
    assert!(
        error.to_string().starts_with("invalid site_name:"),
        "{error}"
    );
}
