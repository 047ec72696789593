//! The SPSE guide's flows end to end, compiled as one binary: the real `otentik-server --demo`
//! on loopback, the real `otentik` command, the real Secret Service (run through
//! `scripts/with-keyring.sh`), a cookie-keeping HTTP client as the browser.
//!
//! - `activation`: log in, ENABLE TOTP, add the QR → "Berhasil Enable TOTP".
//! - `login`: Ya, Tidak, Bukan saya, a wrong number, a typed code; `watch` answering.
//! - `lifecycle`: reset by e-mail → revoked → activate again → remove; disable → remove;
//!   remove while still enabled warns.
//! - `outage`: the server down during `add` and during `watch`, and back.
//! - `clock`: a device clock 10 minutes off: enrolment retries at the server's time, the offset
//!   is learned, and corrected codes are the ones the site accepts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod activation;
mod clock;
mod lifecycle;
mod login;
mod outage;

use otentik_flows::{Browser, Cli, DemoServer};

/// A demo site with `user` logged in and TOTP activated in a fresh `otentik` vault.
pub fn activated(user: &str, password: &str, kind: &str) -> (DemoServer, Browser, Cli) {
    activated_on(DemoServer::start(), user, password, kind)
}

/// As [`activated`], on a server started by the caller (with options of its own).
pub fn activated_on(
    server: DemoServer,
    user: &str,
    password: &str,
    kind: &str,
) -> (DemoServer, Browser, Cli) {
    let browser = Browser::new(&server.url);
    let cli = Cli::new();
    let page = browser.login(kind, user, password);
    assert_eq!(page.at, "/beranda", "{}", page.html);
    let (_, uri) = browser.enable_totp();
    let added = cli.ok(&["add", &uri]);
    assert!(
        added.stdout.contains("Push: active"),
        "{}{}",
        added.stdout,
        added.stderr
    );
    assert!(
        browser
            .get("/totp/enable")
            .html
            .contains("Berhasil Enable TOTP")
    );
    browser.logout();
    (server, browser, cli)
}

/// The single pending request, waiting for it to arrive.
pub fn one_request(cli: &Cli) -> serde_json::Value {
    let pending = cli.ok(&["pending", "--wait", "10", "--json"]).json();
    let requests = pending.as_array().unwrap();
    assert_eq!(requests.len(), 1, "{pending}");
    requests[0].clone()
}
