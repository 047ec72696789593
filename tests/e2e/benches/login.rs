//! Login created on the site → the request visible in the app window (the account's badge),
//! over 50 logins, in the real window (release build) against `otentik-server --demo` on
//! loopback. The clock starts before the browser asks for the login page (so it includes the
//! site's own work) and stops when WebDriver, polling the DOM, finds the badge. Each request
//! is then answered Tidak in the window. Prints figures; asserts nothing. Runs inside
//! `scripts/with-keyring.sh` after `cargo build --release -p otentik-app -p otentik-cli`
//! (`make bench` does).

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use otentik_e2e::{Desktop, app_env, binary};
use otentik_flows::{Browser, DemoServer};

const LOGINS: usize = 50;

fn main() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    // The site's browser is a blocking client: it lives on this thread, outside the runtime.
    // 50 logins in a few seconds: above the site's default of 5 per user per minute.
    let server = DemoServer::start_with(&["--login-limit", "1000"]);
    let browser = Browser::new(&server.url);
    if browser
        .login("penyedia", "penyedia1", "penyedia1-rahasia")
        .at
        != "/beranda"
    {
        bail!("the demo site did not log in");
    }
    let (_, uri) = browser.enable_totp();
    browser.logout();
    let home = tempfile::tempdir()?;
    let service = format!("otentik-bench-login-{}", std::process::id());
    let status = Command::new(binary("otentik")?)
        .args(["add", &uri])
        .envs(app_env(home.path(), &service, ":0"))
        .stdout(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        bail!("otentik add failed");
    }
    let desktop = runtime.block_on(Desktop::start_in(home.path().to_path_buf(), service))?;
    runtime.block_on(desktop.wait_for("[data-testid=push-state][data-state=active]"))?;

    let mut latencies = Vec::with_capacity(LOGINS);
    // Its parts: the site's own work (login page, captcha, form post, challenge created), and
    // from the site's answer to the badge in the window.
    let mut site = Vec::with_capacity(LOGINS);
    let mut after_site = Vec::with_capacity(LOGINS);
    for round in 0..LOGINS {
        // The refused login of the previous round leaves a session to end first.
        browser.logout();
        let start = Instant::now();
        let page = browser.login("penyedia", "penyedia1", "penyedia1-rahasia");
        let created = Instant::now();
        if page.at != "/login/tunggu" {
            bail!(
                "login {round} did not wait for the app (at {}):\n{}",
                page.at,
                page.html
            );
        }
        runtime.block_on(async {
            loop {
                let seen = desktop
                    .script(
                        "return document.querySelector('[data-testid=request-badge]') !== null;",
                        vec![],
                    )
                    .await?;
                if seen == serde_json::Value::Bool(true) {
                    break;
                }
                if start.elapsed() > Duration::from_secs(20) {
                    bail!("the request never appeared");
                }
            }
            latencies.push(start.elapsed());
            after_site.push(created.elapsed());
            site.push(created - start);
            desktop.click("[data-testid=account-name]").await?;
            desktop.click("[data-testid=deny]").await?;
            desktop
                .wait_for("[data-testid=request-result][data-status=denied]")
                .await?;
            desktop.click("[data-testid=nav-accounts]").await
        })?;
    }
    runtime.block_on(desktop.stop())?;
    report("login → request visible in the app window", latencies);
    report(
        "  of which the demo site's login (page, captcha, post)",
        site,
    );
    report(
        "  of which the site's answer → the badge in the window",
        after_site,
    );
    Ok(())
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what}, {LOGINS} logins: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        at(1.0).as_secs_f64() * 1000.0,
    );
}
