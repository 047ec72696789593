//! The desktop app's start-up and memory, in its real window (release build): the time from
//! requesting the WebDriver session (the app starts) to the first code on screen, the time from
//! the page's navigation start to that paint, and resident memory after start with 20
//! accounts; then the same start with the app lock on: to the lock screen, and from the
//! unlock to the codes (Argon2id + unsealing + the list). Prints figures; asserts nothing. Needs the release binaries:
//! `cargo build --release -p otentik-app -p otentik-cli` (`make bench` does), and runs inside
//! `scripts/with-keyring.sh`.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::Locator;
use otentik_e2e::{Desktop, app_env, binary, proportional_kb, resident_kb};

const RUNS: usize = 5;
const LOCK_PASSWORD: &str = "meja kantor lantai tiga";

fn main() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(bench())
}

async fn bench() -> Result<()> {
    let home = tempfile::tempdir()?;
    let service = format!("otentik-bench-{}", std::process::id());
    let env = app_env(home.path(), &service, ":0");
    for index in 0..20 {
        let uri = format!(
            "otpauth://totp/LPSE%20{index}:pengguna{index}?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=LPSE%20{index}"
        );
        let status = Command::new(binary("otentik")?)
            .args(["add", &uri])
            .envs(env.iter().cloned())
            .stdout(std::process::Stdio::null())
            .status()?;
        if !status.success() {
            bail!("otentik add failed");
        }
    }

    let mut to_first_code = Vec::new();
    let mut page_to_code = Vec::new();
    let mut own_rss = Vec::new();
    let mut tree_rss = Vec::new();
    let mut own_pss = Vec::new();
    let mut tree_pss = Vec::new();
    for _ in 0..RUNS {
        let desktop = Desktop::start_in(home.path().to_path_buf(), service.clone()).await?;
        to_first_code.push(codes_after(&desktop, desktop.requested).await?);
        let first = desktop
            .script("return window.__otentikFirstCode;", vec![])
            .await?
            .as_f64()
            .context("no first-code mark")?;
        page_to_code.push(first);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let pid = desktop.app_pid()?;
        let (own, tree) = resident_kb(pid)?;
        own_rss.push(own as f64 / 1024.0);
        tree_rss.push(tree as f64 / 1024.0);
        let (own, tree) = proportional_kb(pid)?;
        own_pss.push(own as f64 / 1024.0);
        tree_pss.push(tree as f64 / 1024.0);
        desktop.stop().await?;
    }
    // The lock on: the same starts reach the lock screen; the password (typed by WebDriver,
    // not timed) then opens the codes.
    let password_file = home.path().join("lock-password");
    std::fs::write(&password_file, format!("{LOCK_PASSWORD}\n"))?;
    let status = Command::new(binary("otentik")?)
        .args(["lock", "on", "--password-file"])
        .arg(&password_file)
        .envs(env.iter().cloned())
        .stdout(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        bail!("otentik lock on failed");
    }
    let mut to_lock_screen = Vec::new();
    let mut unlock_to_codes = Vec::new();
    for _ in 0..RUNS {
        let desktop = Desktop::start_in(home.path().to_path_buf(), service.clone()).await?;
        let start = desktop.requested;
        desktop.wait_for("[data-testid=lock-screen]").await?;
        to_lock_screen.push(start.elapsed().as_secs_f64() * 1000.0);
        let field = desktop.wait_for("[data-testid=lock-password]").await?;
        field.send_keys(LOCK_PASSWORD).await?;
        let unlock = desktop.wait_for("[data-testid=lock-unlock]").await?;
        let clicked = Instant::now();
        unlock.click().await?;
        match codes_after(&desktop, clicked).await {
            Ok(ms) => unlock_to_codes.push(ms),
            Err(error) => {
                let _ = desktop.screenshot("bench-lock-failure").await;
                eprintln!("app log:\n{}", desktop.app_log());
                return Err(error);
            }
        }
        desktop.stop().await?;
    }

    println!(
        "app start-up and memory, 20 TOTP accounts, release build, {RUNS} runs (median, min–max)"
    );
    report(
        "WebDriver session request → 20 codes in the DOM (ms)",
        &mut to_first_code,
    );
    report(
        "page navigation start → first codes in the DOM (ms)",
        &mut page_to_code,
    );
    report(
        "lock on: WebDriver session request → lock screen (ms)",
        &mut to_lock_screen,
    );
    report(
        "lock on: Buka kunci clicked → 20 codes in the DOM (ms)",
        &mut unlock_to_codes,
    );
    report("RSS of the app process after start (MB)", &mut own_rss);
    report(
        "RSS of the app + WebKit web/network processes (MB)",
        &mut tree_rss,
    );
    report("PSS of the app process (MB)", &mut own_pss);
    report(
        "PSS of the app + WebKit web/network processes (MB)",
        &mut tree_pss,
    );
    Ok(())
}

/// Milliseconds from `start` until the 20 codes are in the DOM.
async fn codes_after(desktop: &Desktop, start: Instant) -> Result<f64> {
    loop {
        if desktop
            .client
            .find_all(Locator::Css("[data-testid=code]"))
            .await?
            .len()
            == 20
        {
            return Ok(start.elapsed().as_secs_f64() * 1000.0);
        }
        if start.elapsed() > Duration::from_secs(30) {
            bail!("no codes after 30 s");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn report(what: &str, values: &mut [f64]) {
    values.sort_by(f64::total_cmp);
    let median = values[values.len() / 2];
    println!(
        "  {what}: {median:.0} ({:.0}–{:.0})",
        values[0],
        values[values.len() - 1]
    );
}
