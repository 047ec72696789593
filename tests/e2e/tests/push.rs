//! Login approvals in the real window, against `otentik-server --demo` on loopback, with the
//! demo site driven the way a browser would (a cookie-keeping HTTP client).
//!
//! One app session walks the guide: Aktivasi by the page's QR image → "Berhasil tambah akun"
//! and "Berhasil Enable TOTP"; logins answered Ya (with the typed number), Tidak, Bukan saya and with
//! a wrong number; a notification on the session bus; the server stopped and started again;
//! Hapus while the site still has TOTP on (the warning); Reset TOTP by the e-mail link →
//! revoked → "Aktivasi ulang" → Hapus without a warning; Disable TOTP → the same. A screenshot
//! per step under `target/e2e-screenshots/`, and no console error allowed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::Locator;
use otentik_e2e::Desktop;
use otentik_flows::{Browser, DemoServer, attribute};

/// One app at a time: the app is single-instance on the session bus.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_approvals_and_the_enrolment_lifecycle_in_the_window() {
    let _one = ONE_AT_A_TIME.lock().await;
    // The guide starts more logins within a minute than the site's default limit of 5 (a
    // deployment setting, tested in the server's own suite): raise it here.
    let mut server = blocking(|| DemoServer::start_with(&["--login-limit", "20"]));
    let notifications = Notifications::watch().expect("dbus-monitor on the session bus");
    let desktop = Desktop::start().await.expect("start the app");
    let _daemon = NotificationDaemon::start(&desktop.display);
    let outcome = guide(&desktop, &mut server, &notifications).await;
    if outcome.is_err() {
        let _ = desktop.screenshot("push-failure").await;
        eprintln!("--- the app's log\n{}", desktop.app_log());
    }
    let console = desktop.assert_no_console_errors().await;
    desktop.stop().await.expect("stop the app");
    outcome.expect("the guide's flows in the app");
    console.expect("no console errors");
}

async fn guide(d: &Desktop, server: &mut DemoServer, notifications: &Notifications) -> Result<()> {
    let url = server.url.clone();
    let browser = Site::new(&url);

    // Aktivasi: log in, ENABLE TOTP, save the page's QR code as an image, add it in the app.
    let home = blocking(|| browser.login("penyedia", "penyedia1", "penyedia1-rahasia"));
    assert_eq!(home.at, "/beranda", "{}", home.html);
    let (page, _) = blocking(|| browser.enable_totp());
    let png = d.home.join("qr-spse.png");
    render_page_qr(&page.html, &png)?;
    add_image(d, &png).await?;
    d.wait_for("[data-testid=add-result] [data-testid=push-active]")
        .await?;
    d.wait_for_text("Berhasil tambah akun").await?;
    step(d, "30-push-added").await?;
    let status = blocking(|| browser.get("/totp/enable/status?wait=5"));
    assert!(status.html.contains("\"completed\""), "{}", status.html);
    assert!(
        blocking(|| browser.get("/totp/enable"))
            .html
            .contains("Berhasil Enable TOTP")
    );
    d.click("[data-testid=add-done]").await?;
    push_state(d, "penyedia1", "active").await?;
    d.wait_for_text("Persetujuan login aktif").await?;
    blocking(|| browser.logout());

    // Login → the request appears → click the account name → Ya with the site's number.
    let waiting = blocking(|| browser.login("penyedia", "penyedia1", "penyedia1-rahasia"));
    assert_eq!(waiting.at, "/login/tunggu");
    let number = attribute(&waiting.html, "id=\"nomor\"", "data-number").context("a number")?;
    let seen = Instant::now();
    d.wait_for("[data-testid=request-badge]").await?;
    println!(
        "request visible in the window {:?} after the login",
        seen.elapsed()
    );
    step(d, "31-request-badge").await?;
    notifications.tray_shows("tray-alert.png")?;
    d.click("[data-testid=account-name]").await?;
    d.wait_for("[data-testid=request]").await?;
    d.wait_for_text("SPSE Demo").await?;
    d.wait_for_text("127.0.0.1").await?;
    d.wait_for_text("Firefox 128").await?;
    // Ya without the number is held back with a hint; nothing is sent. The user types the
    // number the site shows (typed number matching, the server's default).
    d.click("[data-testid=approve]").await?;
    d.wait_for_text("Ketik angka dua digit yang tampil di situs, lalu tekan Ya.")
        .await?;
    d.fill("[data-testid=number-entry]", &number).await?;
    step(d, "32-request-number").await?;
    d.click("[data-testid=approve]").await?;
    result(d, "approved").await?;
    d.wait_for_text("Berhasil Login").await?;
    step(d, "33-berhasil-login").await?;
    let status = blocking(|| browser.get("/login/tunggu/status?wait=5"));
    assert!(status.html.contains("\"approved\""), "{}", status.html);
    assert_eq!(blocking(|| browser.get("/login/selesai")).at, "/beranda");
    blocking(|| browser.logout());
    notifications
        .wait_for("Permintaan login: SPSE Demo")
        .context("the notification")?;
    // Answered: the tray's red dot goes.
    notifications.tray_shows("tray.png")?;

    // Locked (issue 15): the request still arrives, polled with the poll-only key; the
    // notification names nothing and says to unlock; it is answered after the unlock.
    while_locked(d, &browser, notifications).await?;

    // Tidak, reached from the notification: its default action (a click; here dunst's
    // `dunstctl action`) brings the window to the request from any screen.
    d.click("[data-testid=nav-settings]").await?;
    dunstctl(&["close-all"])?;
    let before = notifications.count()?;
    blocking(|| browser.logout());
    let waiting = blocking(|| browser.login("penyedia", "penyedia1", "penyedia1-rahasia"));
    assert_eq!(waiting.at, "/login/tunggu", "{}", waiting.html);
    notifications.wait_for_more(before)?;
    click_notification()?;
    d.wait_for("[data-testid=request]").await?;
    step(d, "34-from-notification").await?;
    d.click("[data-testid=deny]").await?;
    result(d, "denied").await?;
    d.wait_for_text("Login ditolak").await?;
    step(d, "35-tidak").await?;
    assert!(
        blocking(|| browser.get("/login/tunggu"))
            .html
            .contains("Login ditolak")
    );
    assert_eq!(blocking(|| browser.get("/beranda")).at, "/login");

    // Bukan saya: refused and reported.
    answer_next(d, &browser, "not-me", None).await?;
    result(d, "not_me").await?;
    step(d, "36-bukan-saya").await?;
    assert!(
        blocking(|| browser.get("/login/selesai"))
            .html
            .contains("dilaporkan")
    );

    // A wrong number: not approved (once the back-off after Bukan saya has passed).
    blocking(|| browser.logout());
    let refused = blocking(|| browser.login("penyedia", "penyedia1", "penyedia1-rahasia"));
    assert!(refused.html.contains("Coba lagi dalam"), "{}", refused.html);
    answer_next(d, &browser, "approve", Some(Wrong)).await?;
    result(d, "wrong_number").await?;
    step(d, "37-wrong-number").await?;
    assert_eq!(blocking(|| browser.get("/beranda")).at, "/login");

    // The server stops: push accounts say so, codes are still shown. Back: requests flow.
    d.click("[data-testid=nav-accounts]").await?;
    server.stop();
    push_state(d, "penyedia1", "unreachable").await?;
    d.wait_for_text("Server tidak dapat dihubungi").await?;
    d.wait_for("[data-testid=account][data-name=\"penyedia1\"] [data-testid=code]")
        .await?;
    step(d, "38-server-down").await?;
    blocking(|| server.restart());
    push_state(d, "penyedia1", "active").await?;
    answer_next(d, &browser, "approve", Some(Right)).await?;
    result(d, "approved").await?;
    step(d, "39-server-back").await?;
    blocking(|| browser.logout());

    // Hapus while the site still has TOTP on: the warning, then cancel.
    open_detail(d, "penyedia1").await?;
    d.click("[data-testid=remove]").await?;
    d.wait_for("[data-testid=remove-warning]").await?;
    d.wait_for_text("TOTP masih aktif di situs").await?;
    step(d, "40-hapus-warning").await?;
    d.client
        .find(Locator::XPath("//button[normalize-space()='Batal']"))
        .await?
        .click()
        .await?;
    if !d.cli(&["list"])?.contains("penyedia1") {
        bail!("cancelling Hapus removed the account");
    }

    // Reset TOTP by the e-mail link: revoked → Aktivasi ulang → Hapus without a warning.
    let reset = Site::new(&server.url);
    blocking(|| reset.reset_totp_by_email("penyedia1", "penyedia1@demo.test", "penyedia"));
    d.click("[data-testid=nav-accounts]").await?;
    push_state(d, "penyedia1", "revoked").await?;
    d.wait_for_text("TOTP dinonaktifkan atau direset di server")
        .await?;
    step(d, "41-reset-revoked").await?;
    open_detail(d, "penyedia1").await?;
    d.wait_for("[data-testid=reactivate]").await?;
    d.wait_for_text("Aktivasi ulang").await?;
    step(d, "42-aktivasi-ulang").await?;
    remove_without_warning(d, "penyedia1").await?;

    // Disable TOTP on the site: the same.
    let (page, _) = blocking(|| {
        assert_eq!(
            browser
                .login("penyedia", "penyedia1", "penyedia1-rahasia")
                .at,
            "/beranda"
        );
        browser.enable_totp()
    });
    render_page_qr(&page.html, &png)?;
    add_image(d, &png).await?;
    d.wait_for("[data-testid=add-result] [data-testid=push-active]")
        .await?;
    d.click("[data-testid=add-done]").await?;
    push_state(d, "penyedia1", "active").await?;
    // Activated in this browser session just now: the form needs its token, not a code.
    let disabled = blocking(|| browser.disable_totp(None));
    assert!(disabled.html.contains("Berhasil Disable TOTP"));
    push_state(d, "penyedia1", "revoked").await?;
    step(d, "43-disabled-revoked").await?;
    open_detail(d, "penyedia1").await?;
    remove_without_warning(d, "penyedia1").await?;
    step(d, "44-removed").await
}

/// Which number to pick when approving.
#[derive(Clone, Copy)]
enum Pick {
    Right,
    Wrong,
}
use Pick::{Right, Wrong};

/// Logs in on the site, waits for the request in the app, opens it and answers.
const LOCK_PASSWORD: &str = "meja kantor lantai tiga";

async fn while_locked(d: &Desktop, browser: &Browser, notifications: &Notifications) -> Result<()> {
    d.click("[data-testid=nav-settings]").await?;
    d.click("[data-testid=lock-enable]").await?;
    d.fill("[data-testid=lock-new]", LOCK_PASSWORD).await?;
    d.fill("[data-testid=lock-again]", LOCK_PASSWORD).await?;
    d.click("[data-testid=lock-enable-confirm]").await?;
    d.wait_for("[data-testid=lock-panel][data-state=unlocked]")
        .await?;
    d.click("[data-testid=lock-now]").await?;
    d.wait_for("[data-testid=lock-screen]").await?;
    dunstctl(&["close-all"])?;
    let before = notifications.count()?;

    let waiting = blocking(|| browser.login("penyedia", "penyedia1", "penyedia1-rahasia"));
    assert_eq!(waiting.at, "/login/tunggu", "{}", waiting.html);
    let number = attribute(&waiting.html, "id=\"nomor\"", "data-number").context("a number")?;
    notifications.wait_for_more(before)?;
    notifications
        .wait_for("Permintaan login — buka kunci Otentik untuk menjawab")
        .context("the locked notification")?;
    d.wait_for("[data-testid=lock-requests]").await?;
    d.wait_for_text("1 permintaan login menunggu").await?;
    let html = d
        .script("return document.documentElement.outerHTML;", vec![])
        .await?;
    let html = html.as_str().unwrap_or_default();
    for named in ["penyedia1", "SPSE Demo", "127.0.0.1"] {
        if html.contains(named) {
            bail!("the locked window shows {named:?}");
        }
    }
    step(d, "33a-locked-request").await?;

    d.fill("[data-testid=lock-password]", LOCK_PASSWORD).await?;
    d.click("[data-testid=lock-unlock]").await?;
    d.wait_for("[data-testid=request-badge]").await?;
    d.click("[data-testid=account-name]").await?;
    d.wait_for("[data-testid=request]").await?;
    d.fill("[data-testid=number-entry]", &number).await?;
    d.click("[data-testid=approve]").await?;
    result(d, "approved").await?;
    step(d, "33b-answered-after-unlock").await?;
    let status = blocking(|| browser.get("/login/tunggu/status?wait=5"));
    assert!(status.html.contains("\"approved\""), "{}", status.html);
    assert_eq!(blocking(|| browser.get("/login/selesai")).at, "/beranda");
    blocking(|| browser.logout());

    // The lock goes off again for the rest of the guide.
    d.click("[data-testid=nav-settings]").await?;
    d.click("[data-testid=lock-disable]").await?;
    d.fill("[data-testid=lock-off-password]", LOCK_PASSWORD)
        .await?;
    d.click("[data-testid=lock-disable-confirm]").await?;
    d.wait_for("[data-testid=lock-panel][data-state=off]")
        .await?;
    Ok(())
}

async fn answer_next(
    d: &Desktop,
    browser: &Browser,
    button: &str,
    pick: Option<Pick>,
) -> Result<()> {
    blocking(|| browser.logout());
    // After Bukan saya the site makes the next login wait out its back-off (10 s the first
    // time, "Coba lagi dalam N detik"): log in again until it asks the app.
    let waiting = blocking(|| {
        otentik_test_support::wait::until(Duration::from_secs(30), "a login the site sends", || {
            let page = browser.login("penyedia", "penyedia1", "penyedia1-rahasia");
            assert!(
                page.at == "/login/tunggu" || page.html.contains("Coba lagi dalam"),
                "{}",
                page.html
            );
            (page.at == "/login/tunggu").then_some(page)
        })
    });
    let number = attribute(&waiting.html, "id=\"nomor\"", "data-number").context("a number")?;
    d.click("[data-testid=nav-accounts]").await?;
    d.click("[data-testid=account-name]").await?;
    d.wait_for("[data-testid=request]").await?;
    if let Some(pick) = pick {
        let typed = match pick {
            Right => number.clone(),
            Wrong => {
                let right: u8 = number.parse().context("a two-digit number")?;
                format!("{:02}", (right + 1) % 100)
            }
        };
        d.fill("[data-testid=number-entry]", &typed).await?;
    }
    d.click(&format!("[data-testid={button}]")).await
}

async fn result(d: &Desktop, status: &str) -> Result<()> {
    d.wait_for(&format!(
        "[data-testid=request-result][data-status=\"{status}\"]"
    ))
    .await
    .map(drop)
}

/// Waits (up to 20 s: a revocation arrives with the next poll) for an account's push state.
async fn push_state(d: &Desktop, name: &str, state: &str) -> Result<()> {
    let css = format!(
        "[data-testid=account][data-name=\"{name}\"] [data-testid=push-state][data-state=\"{state}\"]"
    );
    d.client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(&css))
        .await
        .with_context(|| format!("{name} never showed push state {state}"))?;
    Ok(())
}

async fn open_detail(d: &Desktop, name: &str) -> Result<()> {
    d.click("[data-testid=nav-accounts]").await?;
    d.click(&format!(
        "[data-testid=account][data-name=\"{name}\"] [data-testid=details]"
    ))
    .await?;
    d.wait_for("[data-testid=push-section]").await.map(drop)
}

async fn remove_without_warning(d: &Desktop, name: &str) -> Result<()> {
    d.click("[data-testid=remove]").await?;
    d.wait_for_text("Hapus akun ini?").await?;
    if d.client
        .find(Locator::Css("[data-testid=remove-warning]"))
        .await
        .is_ok()
    {
        bail!("Hapus warned although the site no longer has TOTP on");
    }
    d.client
        .find(Locator::XPath("//button[normalize-space()='Ya, hapus']"))
        .await?
        .click()
        .await?;
    d.wait_for_text("dihapus").await?;
    if d.cli(&["list"])?.contains(name) {
        bail!("{name} is still listed after Hapus");
    }
    Ok(())
}

async fn add_image(d: &Desktop, png: &Path) -> Result<()> {
    d.click("[data-testid=nav-add]").await?;
    let input = d.wait_for("[data-testid=file]").await?;
    input.send_keys(&png.display().to_string()).await?;
    d.wait_for("[data-testid=pending]").await?;
    d.wait_for_text("SPSE Demo").await?;
    d.click("[data-testid=confirm-add]").await
}

async fn step(d: &Desktop, name: &str) -> Result<()> {
    d.screenshot(name).await?;
    d.assert_no_console_errors().await
}

/// The page's inline SVG QR code, rendered to a PNG as a user would save it.
fn render_page_qr(html: &str, png: &Path) -> Result<()> {
    let start = html.find("<svg").context("an inline SVG QR code")?;
    let end = html[start..].find("</svg>").context("the SVG ends")? + start + "</svg>".len();
    let svg = png.with_extension("svg");
    std::fs::write(&svg, &html[start..end])?;
    let status = Command::new("rsvg-convert")
        .arg(&svg)
        .arg("-o")
        .arg(png)
        .status()
        .context("rsvg-convert (Debian package librsvg2-bin)")?;
    if !status.success() {
        bail!("rsvg-convert failed");
    }
    Ok(())
}

/// Blocking HTTP (the demo site's browser) from inside the async test.
fn blocking<T>(work: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(work)
}

/// The demo site's browser, made and dropped where blocking is allowed (its HTTP client runs
/// a runtime of its own).
struct Site(Option<Browser>);

impl Site {
    fn new(url: &str) -> Self {
        Self(Some(blocking(|| Browser::new(url))))
    }
}

impl std::ops::Deref for Site {
    type Target = Browser;
    fn deref(&self) -> &Browser {
        self.0.as_ref().expect("the browser is open until dropped")
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let browser = self.0.take();
        blocking(move || drop(browser));
    }
}

/// `dbus-monitor` watching `Notify` calls on the test's session bus.
struct Notifications {
    child: Child,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Notifications {
    fn watch() -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let log = dir.path().join("notify.log");
        let child = Command::new("dbus-monitor")
            .args([
                "--session",
                "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
                "interface='org.kde.StatusNotifierItem'",
                "interface='org.kde.StatusNotifierWatcher'",
            ])
            .stdout(std::fs::File::create(&log)?)
            .stderr(Stdio::null())
            .spawn()
            .context("dbus-monitor (Debian package dbus-bin)")?;
        Ok(Self {
            child,
            log,
            _dir: dir,
        })
    }

    /// Waits up to 10 s for the tray icon (the StatusNotifierItem the app exports on the
    /// session bus, as a desktop's tray reads it) to be `icons/<file>`, pixel for pixel.
    fn tray_shows(&self, file: &str) -> Result<()> {
        let icons = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../icons");
        let expected = image::open(icons.join(file))?.to_rgba8();
        let start = Instant::now();
        loop {
            let shown = self.tray_icon();
            if let Ok(Some(shown)) = &shown
                && *shown == expected
            {
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(10) {
                let what = shown.map(|s| s.map(|i| i.dimensions()));
                bail!("the tray icon is not {file}: {what:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The tray icon's picture now: its `IconName` (a PNG file written by the app) read back.
    fn tray_icon(&self) -> Result<Option<image::RgbaImage>> {
        let mut seen = String::new();
        std::fs::File::open(&self.log)?.read_to_string(&mut seen)?;
        // "signal … sender=:1.5 -> … path=/org/ayatana/NotificationItem/<id>; interface=org.kde.StatusNotifierItem; …"
        let Some(line) = seen
            .lines()
            .rev()
            .find(|l| l.contains("interface=org.kde.StatusNotifierItem"))
        else {
            return Ok(None);
        };
        let field = |name: &str| {
            line.split([' ', ';'])
                .find_map(|part| part.strip_prefix(name))
                .map(str::to_owned)
        };
        let (Some(sender), Some(path)) = (field("sender="), field("path=")) else {
            return Ok(None);
        };
        let get = |property: &str| -> Result<String> {
            let out = Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    &format!("--dest={sender}"),
                    &path,
                    "org.freedesktop.DBus.Properties.Get",
                    "string:org.kde.StatusNotifierItem",
                    &format!("string:{property}"),
                ])
                .output()?;
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            Ok(text
                .split('"')
                .nth(1)
                .map(str::to_owned)
                .unwrap_or_default())
        };
        let (name, theme) = (get("IconName")?, get("IconThemePath")?);
        let file = if Path::new(&name).is_absolute() {
            std::path::PathBuf::from(&name)
        } else {
            Path::new(&theme).join(format!("{name}.png"))
        };
        Ok(image::open(&file).ok().map(|i| i.to_rgba8()))
    }

    /// How many Notify calls were seen so far.
    fn count(&self) -> Result<usize> {
        let mut seen = String::new();
        std::fs::File::open(&self.log)?.read_to_string(&mut seen)?;
        Ok(seen.matches("member=Notify").count())
    }

    /// Waits up to 10 s for more than `before` Notify calls.
    fn wait_for_more(&self, before: usize) -> Result<()> {
        let start = Instant::now();
        while self.count()? <= before {
            if start.elapsed() > Duration::from_secs(10) {
                bail!("no new notification after the login");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// Waits up to 10 s for a Notify call carrying `text`.
    fn wait_for(&self, text: &str) -> Result<()> {
        let start = Instant::now();
        loop {
            let mut seen = String::new();
            std::fs::File::open(&self.log)?.read_to_string(&mut seen)?;
            if seen.contains(text) {
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(10) {
                bail!("no Notify call with {text:?}; dbus-monitor saw:\n{seen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Notifications {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real notification daemon (dunst) on the test's session bus and the app's display, so
/// notifications are shown and can be clicked; killed when dropped.
struct NotificationDaemon(Child);

impl NotificationDaemon {
    fn start(display: &str) -> Self {
        let child = Command::new("dunst")
            .env("DISPLAY", display)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dunst (Debian package dunst; scripts/deps.sh installs it)");
        let start = Instant::now();
        while dunstctl(&["is-paused"]).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "dunst did not come up on the session bus"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self(child)
    }
}

impl Drop for NotificationDaemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn dunstctl(args: &[&str]) -> Result<String> {
    let out = Command::new("dunstctl").args(args).output()?;
    if !out.status.success() {
        bail!(
            "dunstctl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Clicks the notification on screen (its default action), once dunst shows it.
fn click_notification() -> Result<()> {
    let start = Instant::now();
    while dunstctl(&["count", "displayed"])? != "1" {
        if start.elapsed() > Duration::from_secs(10) {
            bail!("dunst shows no notification");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    dunstctl(&["action", "0"]).map(drop)
}
