//! Connection limits (issue 13, item 3): a socket that never finishes its request line is
//! closed, connections over the cap are closed at once and counted, and the relying-party API
//! can listen on its own address.

use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::harness::{SITE_KEY, Server};

fn address(url: &str) -> String {
    url.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the socket (EOF or reset); panics after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buf = [0u8; 1024];
    let closed = tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the server kept the socket open for {limit:?}"
    );
    received
}

#[tokio::test]
async fn a_socket_that_stops_in_its_request_line_is_closed() {
    // 1 s here so the test is quick; the default is 10 s (Config::new).
    assert_eq!(
        otentik_server::Config::new("x", "http://x", "k").header_read_timeout,
        10
    );
    let server = Server::start_with(|c| c.header_read_timeout = 1).await;
    let mut slow = TcpStream::connect(address(&server.url)).await.unwrap();
    slow.write_all(b"GET /device/v1/sta").await.unwrap();
    // Generous bound: the point is "closed", not how fast (the issue asks for within 10 s).
    closed_within(&mut slow, Duration::from_secs(10)).await;
    // A normal client is served meanwhile and after.
    let (status, _) = server.rp(Method::GET, "/users/u", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_at_once_and_counted() {
    let server = Server::start_with(|c| c.max_connections = 2).await;
    // Two idle sockets hold both slots (the server has accepted them once a request on a
    // third is refused, which the count shows).
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(TcpStream::connect(address(&server.url)).await.unwrap());
    }
    let state = server.state.clone();
    let url = server.url.clone();
    let refused_before = state.connections_refused.load(Ordering::Relaxed);
    let mut extra = otentik_test_support::wait::until_async(
        Duration::from_secs(10),
        "a connection over the cap to be refused",
        || {
            let url = url.clone();
            let state = state.clone();
            async move {
                let mut extra = TcpStream::connect(address(&url)).await.unwrap();
                let _ = extra
                    .write_all(b"GET /rp/v1/users/u HTTP/1.1\r\nHost: x\r\n\r\n")
                    .await;
                (state.connections_refused.load(Ordering::Relaxed) > refused_before)
                    .then_some(extra)
            }
        },
        tokio::time::sleep,
    )
    .await;
    let answer = closed_within(&mut extra, Duration::from_secs(10)).await;
    assert!(answer.is_empty(), "a refused connection gets no answer");
    // One held socket goes away: its slot frees and new clients are served again.
    drop(held.pop());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    otentik_test_support::wait::until_async(
        Duration::from_secs(10),
        "a freed slot to serve a new client",
        || {
            let http = http.clone();
            let url = server.url.clone();
            async move {
                let response = http
                    .get(format!("{url}/rp/v1/users/u"))
                    .bearer_auth(SITE_KEY)
                    .send()
                    .await;
                response
                    .ok()
                    .filter(|r| r.status() == StatusCode::OK)
                    .map(|_| ())
            }
        },
        tokio::time::sleep,
    )
    .await;
}

#[tokio::test]
async fn rp_listen_puts_the_site_api_on_its_own_address() {
    let dir = tempfile::tempdir().unwrap();
    let server = crate::restart::Binary::launch(&dir.path().join("db.sqlite3"), &[])
        .args(["--rp-listen", "127.0.0.1:0"])
        .start();
    let rp_url = server.rp_url.clone().expect("the rp address is printed");
    assert_ne!(rp_url, server.url);
    let http = reqwest::Client::new();
    let get = |url: String| {
        let http = http.clone();
        async move {
            let response = http
                .get(url)
                .bearer_auth(crate::restart::SITE_KEY)
                .send()
                .await
                .unwrap();
            let status = response.status();
            (status, response.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, body) = get(format!("{rp_url}/rp/v1/users/u")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Not on the public address any more...
    let (status, body) = get(format!("{}/rp/v1/users/u", server.url)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    // ...where the device API stays (it answers: unauthorized, not "no such route").
    let (status, body) = get(format!("{}/device/v1/status", server.url)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (status, _) = get(format!("{rp_url}/device/v1/status")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
