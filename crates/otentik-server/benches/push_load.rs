//! Load generator for the push server: holds N simulated devices long-polling one
//! `otentik-server` process on loopback, fires logins, and prints idle devices held, server
//! RSS, "login created → challenge delivered to the device" and "answer → site sees it"
//! (p50/p99).
//!
//! `cargo bench -p otentik-server --bench push_load` (release build). Environment:
//! `PUSH_BENCH_DEVICES` (comma-separated N, default `1000,10000`), `PUSH_BENCH_LOGINS`
//! (logins per N, default 300). Client and server share the machine's cores.
//!
//! `-- --db postgres://…` runs the server on that PostgreSQL database (`--db postgres` starts
//! a throw-away cluster, as the tests do); `-- --processes 2` runs two server processes on it,
//! devices spread over both and each login created on the process its device does not poll
//! (the site long-polls the login where it created it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use otentik_protocol::answer::{self, Decision};
use otentik_protocol::device_api::{EnrollRequest, EnrollResponse, PollResponse};
use otentik_protocol::keys::{self, SigningKey};
use otentik_protocol::request::{self, header};
use rand::RngCore as _;
use serde_json::{Value, json};

const SITE_KEY: &str = "sk_bench_0123456789abcdefghijklmnopq";
const DATA_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn nonce() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// The real binary, started through the shared test support.
struct Server(otentik_test_support::server::Server);

impl Server {
    /// `max_connections`: the server's connection cap (`--max-connections`).
    fn start(db: &std::ffi::OsStr, max_connections: usize) -> Server {
        let server =
            otentik_test_support::server::Launch::new(env!("CARGO_BIN_EXE_otentik-server"))
                .arg("--db")
                .arg(db)
                .args(["--login-limit", "100000"])
                .args(["--max-connections", &max_connections.to_string()])
                .env("OTENTIK_DATA_KEY", DATA_KEY)
                .env("OTENTIK_SITE_KEY", SITE_KEY)
                .env("RUST_LOG", "error")
                .start();
        Server(server)
    }

    fn url(&self) -> String {
        self.0.url.clone()
    }

    /// CPU time the process has used, in clock ticks (user + system).
    fn cpu_ticks(&self) -> u64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.0.pid())).unwrap_or_default();
        // After the command name in parentheses: state is field 3, utime 14, stime 15.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok());
        field(14).unwrap_or(0) + field(15).unwrap_or(0)
    }

    fn rss_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.0.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

struct Device {
    id: String,
    key: SigningKey,
    push_url: String,
    user: String,
}

async fn rp(http: &reqwest::Client, url: String, body: Option<Value>) -> Value {
    let request = match body {
        Some(body) => http.post(url).json(&body),
        None => http.get(url),
    };
    request
        .bearer_auth(SITE_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn enroll(http: reqwest::Client, base: String, user: String) -> Device {
    let enrollment = rp(
        &http,
        format!("{base}/rp/v1/enrollments"),
        Some(json!({ "user_id": user })),
    )
    .await;
    let account = otentik::otpauth::parse(enrollment["otpauth_uri"].as_str().unwrap())
        .unwrap()
        .account;
    let push = account.push.clone().unwrap();
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    let key = SigningKey::from_bytes(&seed);
    let code = otentik::otp::totp_code(&account.secret, account.algorithm, 6, 30, now());
    let body = serde_json::to_vec(&EnrollRequest {
        token: push.token,
        public_key: keys::public_key_to_wire(&key.verifying_key()),
        code,
        device_name: None,
        poll_key: None,
    })
    .unwrap();
    let headers = request::sign(
        &[("", &key)],
        "POST",
        "/device/v1/enroll",
        now(),
        &nonce(),
        &body,
    );
    let response: EnrollResponse = http
        .post(format!("{}/enroll", push.url))
        .header("content-type", "application/json")
        .header(header::TIMESTAMP, headers.timestamp)
        .header(header::NONCE, headers.nonce)
        .header(header::SIGNATURE, headers.signature)
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Device {
        id: response.device_id,
        key,
        push_url: push.url,
        user,
    }
}

#[derive(Default)]
struct Marks {
    /// user → when the device received the challenge.
    delivered: HashMap<String, Instant>,
    /// login id → when the device sent its answer.
    answered: HashMap<String, Instant>,
}

async fn run_device(
    http: reqwest::Client,
    device: Device,
    marks: Arc<Mutex<Marks>>,
    in_flight: Arc<AtomicUsize>,
) {
    let path = "/device/v1/challenges?wait=25";
    loop {
        let headers = request::sign(
            &[(&device.id, &device.key)],
            "GET",
            path,
            now(),
            &nonce(),
            b"",
        );
        in_flight.fetch_add(1, Ordering::Relaxed);
        let response = http
            .get(format!("{}/challenges?wait=25", device.push_url))
            .header(header::DEVICE, headers.device.unwrap())
            .header(header::TIMESTAMP, headers.timestamp)
            .header(header::NONCE, headers.nonce)
            .header(header::SIGNATURE, headers.signature)
            .send()
            .await;
        in_flight.fetch_sub(1, Ordering::Relaxed);
        let Ok(response) = response else {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        };
        let Ok(poll) = response.json::<PollResponse>().await else {
            continue;
        };
        for challenge in poll.challenges {
            let at = Instant::now();
            marks
                .lock()
                .unwrap()
                .delivered
                .insert(device.user.clone(), at);
            let number = challenge.numbers.as_ref().map(|n| n[0]);
            let body = serde_json::to_vec(&answer::sign(
                &challenge,
                Decision::Approve,
                number,
                &device.key,
            ))
            .unwrap();
            let path = format!("/device/v1/challenges/{}/answer", challenge.id);
            let headers = request::sign(
                &[(&device.id, &device.key)],
                "POST",
                &path,
                now(),
                &nonce(),
                &body,
            );
            marks
                .lock()
                .unwrap()
                .answered
                .insert(challenge.id.clone(), Instant::now());
            let _ = http
                .post(format!(
                    "{}/challenges/{}/answer",
                    device.push_url, challenge.id
                ))
                .header("content-type", "application/json")
                .header(header::DEVICE, headers.device.unwrap())
                .header(header::TIMESTAMP, headers.timestamp)
                .header(header::NONCE, headers.nonce)
                .header(header::SIGNATURE, headers.signature)
                .body(body)
                .send()
                .await;
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Where the server keeps its state and how many processes serve.
struct Setup {
    /// `None`: a SQLite file; else a PostgreSQL URL.
    postgres: Option<String>,
    processes: usize,
}

async fn bench(n: usize, logins: usize, setup: &Setup) {
    let dir = tempfile::tempdir().unwrap();
    // Room for the N long-polls plus the site's traffic; the last phase goes over it.
    let cap = n + CAP_MARGIN;
    let db: std::ffi::OsString = match &setup.postgres {
        Some(url) => url.into(),
        None => dir.path().join("bench.sqlite3").into(),
    };
    let servers: Vec<Server> = (0..setup.processes.max(1))
        .map(|_| Server::start(&db, cap))
        .collect();
    let bases: Vec<String> = servers.iter().map(Server::url).collect();
    let server = &servers[0];
    let rss_start = server.rss_kib();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .unwrap();

    // Enrol N devices (one user each) through the real APIs.
    let started = Instant::now();
    let mut devices = Vec::with_capacity(n);
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        set.spawn(enroll(
            http.clone(),
            bases[i % bases.len()].clone(),
            format!("load-{n}-{i}"),
        ));
        if set.len() >= 16 {
            devices.push(set.join_next().await.unwrap().unwrap());
        }
    }
    while let Some(device) = set.join_next().await {
        devices.push(device.unwrap());
    }
    let enrol_secs = started.elapsed().as_secs_f64();
    let users: Vec<String> = devices.iter().map(|d| d.user.clone()).collect();
    // Each user's login is created on a process its device does not poll (with two).
    let login_base: HashMap<String, String> = devices
        .iter()
        .map(|d| {
            let polled = bases
                .iter()
                .position(|b| d.push_url.starts_with(b.as_str()))
                .unwrap_or(0);
            (d.user.clone(), bases[(polled + 1) % bases.len()].clone())
        })
        .collect();

    // Start the long-polls, in batches so the listen backlog is not flooded.
    let marks = Arc::new(Mutex::new(Marks::default()));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, device) in devices.into_iter().enumerate() {
        tasks.spawn(run_device(
            http.clone(),
            device,
            marks.clone(),
            in_flight.clone(),
        ));
        if i % 500 == 499 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // The devices are idle once every poll is held and the servers have stopped working on
    // them (under 2 ticks, 20 ms, of CPU in half a second); logins start then, so that they
    // are not measured against devices still connecting. Bounded: a minute.
    let settling = Instant::now();
    let mut ticks: u64 = servers.iter().map(Server::cpu_ticks).sum();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now_ticks: u64 = servers.iter().map(Server::cpu_ticks).sum();
        let busy = now_ticks.saturating_sub(ticks);
        ticks = now_ticks;
        if (in_flight.load(Ordering::Relaxed) >= n && busy <= 2)
            || settling.elapsed() > Duration::from_secs(60)
        {
            break;
        }
    }
    let settle_secs = settling.elapsed().as_secs_f64();
    let held = in_flight.load(Ordering::Relaxed);
    let rss_idle = server.rss_kib();

    // Fire logins at distinct users, 20 ms apart; the site long-polls each one.
    let created: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let seen: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut site = tokio::task::JoinSet::new();
    let mut login_user: HashMap<String, String> = HashMap::new();
    for i in 0..logins {
        let user = users[(i * 7919) % users.len()].clone();
        let base = login_base[&user].clone();
        let t0 = Instant::now();
        let login = rp(
            &http,
            format!("{base}/rp/v1/logins"),
            Some(json!({ "user_id": user, "ip": "198.51.100.1", "user_agent": "bench" })),
        )
        .await;
        created.lock().unwrap().insert(user.clone(), t0);
        let Some(id) = login["login_id"].as_str().map(str::to_owned) else {
            eprintln!("login refused: {login}");
            continue;
        };
        login_user.insert(id.clone(), user);
        let (http, base, seen) = (http.clone(), base.clone(), seen.clone());
        site.spawn(async move {
            loop {
                let status = rp(&http, format!("{base}/rp/v1/logins/{id}?wait=30"), None).await;
                if status["status"] != "pending" {
                    seen.lock().unwrap().insert(id, Instant::now());
                    return;
                }
            }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    while site.join_next().await.is_some() {}
    let rss_end = server.rss_kib();
    // Over the cap: while the N polls are held, open CAP_MARGIN + EXTRA more connections,
    // each sending a request; those the server closes without an answer were refused.
    let (served, refused) = over_the_cap(&servers[0].url(), CAP_MARGIN + EXTRA).await;
    tasks.abort_all();

    let marks = marks.lock().unwrap();
    let created = created.lock().unwrap();
    let seen = seen.lock().unwrap();
    let mut delivery: Vec<f64> = created
        .iter()
        .filter_map(|(user, t0)| {
            marks
                .delivered
                .get(user)
                .map(|t| t.duration_since(*t0).as_secs_f64() * 1000.0)
        })
        .collect();
    let mut answer_to_site: Vec<f64> = seen
        .iter()
        .filter_map(|(id, t)| {
            marks
                .answered
                .get(id)
                .map(|a| t.duration_since(*a).as_secs_f64() * 1000.0)
        })
        .collect();
    delivery.sort_by(f64::total_cmp);
    answer_to_site.sort_by(f64::total_cmp);
    let engine = match (&setup.postgres, setup.processes) {
        (None, _) => "SQLite, one process".to_owned(),
        (Some(_), 1) => "PostgreSQL, one process".to_owned(),
        (Some(_), p) => format!("PostgreSQL, {p} processes (logins created on the other one)"),
    };
    println!("## N = {n} devices — {engine}");
    println!(
        "enrolment of {n} devices: {enrol_secs:.1} s ({:.2} ms each)",
        enrol_secs * 1000.0 / n as f64
    );
    println!(
        "idle long-polls held: {held} of {n} (servers idle {settle_secs:.1} s after the last poll started)"
    );
    println!(
        "server RSS (first process): {:.1} MiB at start, {:.1} MiB with {held} idle devices ({:.1} KiB per device), {:.1} MiB after the logins",
        rss_start as f64 / 1024.0,
        rss_idle as f64 / 1024.0,
        (rss_idle.saturating_sub(rss_start)) as f64 / held.max(1) as f64,
        rss_end as f64 / 1024.0
    );
    println!(
        "login created → challenge on the device: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} logins)",
        percentile(&delivery, 0.5),
        percentile(&delivery, 0.99),
        delivery.last().copied().unwrap_or(f64::NAN),
        delivery.len()
    );
    println!(
        "answer sent → site sees it: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} logins)",
        percentile(&answer_to_site, 0.5),
        percentile(&answer_to_site, 0.99),
        answer_to_site.last().copied().unwrap_or(f64::NAN),
        answer_to_site.len()
    );
    println!(
        "connection cap {cap}: {} more connections opened with {held} polls held: {served} served, {refused} refused (closed at once)",
        CAP_MARGIN + EXTRA
    );
    println!();
}

/// Connections the server may serve beyond the N long-polls.
const CAP_MARGIN: usize = 1000;
/// Connections the last phase opens beyond the cap.
const EXTRA: usize = 1000;

/// Opens `count` connections at once, each sending one request, and counts those answered
/// and those closed without an answer (refused by the cap).
async fn over_the_cap(base: &str, count: usize) -> (usize, usize) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let address = base.trim_start_matches("http://").to_owned();
    let mut sockets = Vec::with_capacity(count);
    for _ in 0..count {
        if let Ok(socket) = tokio::net::TcpStream::connect(&address).await {
            sockets.push(socket);
        }
    }
    let mut set = tokio::task::JoinSet::new();
    for mut socket in sockets {
        set.spawn(async move {
            let _ = socket
                .write_all(b"GET /rp/v1/none HTTP/1.1\r\nHost: bench\r\n\r\n")
                .await;
            let mut buf = [0u8; 64];
            // Answered (a 401, the connection kept alive), or closed at once: refused.
            let answered = matches!(
                tokio::time::timeout(Duration::from_secs(10), socket.read(&mut buf)).await,
                Ok(Ok(n)) if n > 0
            );
            (socket, answered)
        });
    }
    let (mut served, mut refused) = (0, 0);
    // Keep every socket open until all are counted, so the served ones hold their slots.
    let mut keep = Vec::new();
    while let Some(done) = set.join_next().await {
        let (socket, answered) = done.unwrap();
        if answered {
            served += 1;
        } else {
            refused += 1;
        }
        keep.push(socket);
    }
    (served, refused)
}

fn main() {
    // Filter arguments cargo passes to benches (`--bench`): nothing to parse.
    if let Err(error) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("could not raise the open-file limit: {error}");
    }
    let sizes: Vec<usize> = std::env::var("PUSH_BENCH_DEVICES")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let logins: usize = std::env::var("PUSH_BENCH_LOGINS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "push server load: {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    // `--db postgres` starts a throw-away cluster (kept until the bench ends).
    let cluster;
    let postgres = match value("--db").as_deref() {
        None => None,
        Some("postgres") => {
            cluster = otentik_test_support::postgres::Cluster::start();
            Some(cluster.admin_url())
        }
        Some(url) => Some(url.to_owned()),
    };
    let processes = value("--processes")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let setup = Setup {
        postgres,
        processes,
    };
    for n in sizes {
        runtime.block_on(bench(n, logins, &setup));
    }
}
