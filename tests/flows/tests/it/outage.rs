//! The push server away during `add` and during `watch`, then back.

use std::time::Duration;

use otentik_flows::{Browser, Cli, DemoServer};

#[test]
fn add_while_the_server_is_down_keeps_the_account_and_enrols_when_it_is_back() {
    let mut server = DemoServer::start();
    let browser = Browser::new(&server.url);
    let cli = Cli::new();
    browser.login("penyedia", "penyedia1", "penyedia1-rahasia");
    let (_, uri) = browser.enable_totp();
    server.stop();

    let added = cli.ok(&["add", &uri]);
    assert!(added.stdout.contains("Added"), "{}", added.stdout);
    assert!(
        added.stderr.contains("push approvals are not active yet"),
        "{}",
        added.stderr
    );
    assert!(
        added.stderr.contains("cannot reach the push server"),
        "{}",
        added.stderr
    );
    // Codes work meanwhile.
    assert_eq!(cli.ok(&["code", "penyedia1"]).stdout.trim().len(), 6);
    let status = cli.ok(&["status", "--json"]).json();
    assert_eq!(status[0]["push"], "pending", "{status}");

    server.restart();
    let status = cli.ok(&["status"]);
    assert!(
        status.stdout.contains("Push: now active"),
        "{}{}",
        status.stdout,
        status.stderr
    );
    assert!(status.stdout.contains("push active"), "{}", status.stdout);
    // The site sees the device (demo sessions do not survive a restart: ask its back-end API).
    let user = otentik_flows::site_user(&server, "penyedia1");
    assert_eq!(
        (user["totp_enabled"].as_bool(), user["devices"].as_u64()),
        (Some(true), Some(1)),
        "{user}"
    );
}

#[test]
fn watch_reports_the_outage_and_resumes_when_the_server_is_back() {
    let (mut server, browser, cli) = crate::activated("penyedia1", "penyedia1-rahasia", "penyedia");
    let mut watch = cli.watch();
    let mut seen = watch.wait_for("Waiting for login requests", 0, Duration::from_secs(10));
    server.stop();
    seen = watch.wait_for(
        "server tidak dapat dihubungi",
        seen,
        Duration::from_secs(40),
    );
    // The outage lasts 8 s (a scenario, not a wait for something): long enough for the
    // backoff to grow past the probe interval. Then polling must resume within a probe (2 s),
    // not after the backoff (up to 30 s).
    std::thread::sleep(Duration::from_secs(8));
    let back = std::time::Instant::now();
    server.restart();
    seen = watch.wait_for("answers again", seen, Duration::from_secs(60));
    // A figure, not an assertion (no timed assertions in tests): about one probe interval.
    eprintln!(
        "polling resumed {:?} after the server was restarted",
        back.elapsed()
    );
    browser.login("penyedia", "penyedia1", "penyedia1-rahasia");
    seen = watch.wait_for("Ya/Tidak/Bukan saya?", seen, Duration::from_secs(15));
    watch.answer("b");
    watch.wait_for("Reported", seen, Duration::from_secs(10));
}
