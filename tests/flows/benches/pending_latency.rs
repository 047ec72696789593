//! Login created at the site → request visible in `otentik pending`, through the real code
//! path: the real `otentik` binary long-polling the real `otentik-server` for a vault of 12
//! push accounts in the real keyring. Prints p50/p99 over 50 logins.
//!
//!     scripts/with-keyring.sh cargo bench -p otentik-flows --bench pending_latency

// A bench that cannot set up its world stops on the spot.
#![allow(clippy::expect_used, missing_docs)]

use std::process::Stdio;
use std::time::{Duration, Instant};

use otentik_flows::{Cli, DemoServer};

const USERS: usize = 12;
const LOGINS: usize = 50;

fn main() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!(
            "pending_latency skipped: no D-Bus session (run it through scripts/with-keyring.sh)"
        );
        return;
    }
    let server = DemoServer::start();
    let cli = Cli::new();
    let rp = reqwest::blocking::Client::new();
    let site = |path: &str| format!("{}/rp/v1{path}", server.url);
    for i in 0..USERS {
        let enrollment: serde_json::Value = rp
            .post(site("/enrollments"))
            .bearer_auth(otentik_flows::SITE_KEY)
            .json(&serde_json::json!({"user_id": format!("bench{i}")}))
            .send()
            .and_then(|r| r.json())
            .expect("enrolment created");
        let uri = enrollment["otpauth_uri"].as_str().expect("a URI");
        let added = cli.ok(&["add", uri]);
        assert!(
            added.stdout.contains("Push: active"),
            "{}{}",
            added.stdout,
            added.stderr
        );
    }

    let mut latencies = Vec::with_capacity(LOGINS);
    for i in 0..LOGINS {
        let pending = cli
            .command()
            .args(["pending", "--wait", "20", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("otentik pending");
        // Let it start and reach the long-poll.
        std::thread::sleep(Duration::from_millis(400));
        let created = Instant::now();
        let login: serde_json::Value = rp
            .post(site("/logins"))
            .bearer_auth(otentik_flows::SITE_KEY)
            .json(&serde_json::json!({"user_id": format!("bench{}", i % USERS), "ip": "127.0.0.1", "user_agent": "bench"}))
            .send()
            .and_then(|r| r.json())
            .expect("login created");
        let output = pending.wait_with_output().expect("pending ends");
        let seen = created.elapsed();
        let requests: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let id = login["login_id"].as_str().expect("login id");
        assert!(
            requests
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r["id"] == id)),
            "{requests}"
        );
        latencies.push(seen);
        cli.ok(&["deny", id]);
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "login created → visible in `otentik pending` ({USERS} push accounts, {LOGINS} logins, real binary, server and keyring)"
    );
    println!(
        "  p50 {:.1} ms   p99 {:.1} ms   min {:.1} ms   max {:.1} ms",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(latencies[0]),
        ms(latencies[LOGINS - 1])
    );
}
