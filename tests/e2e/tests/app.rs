//! The desktop app in its real window: one app session walks the user's flows in order, with a
//! screenshot per step under `target/e2e-screenshots/` and no console error allowed.
//!
//! Steps: the empty list; add by hand (a validation error first); add by `otpauth://` URI; add
//! by image file; by scanning the screen; the code on screen equals `otentik code`; copy; search; rename; Hapus;
//! switch language. A second session opens the app with an `otpauth://` link.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use anyhow::{Context, Result, bail};
use fantoccini::Locator;
use otentik_e2e::Desktop;

/// One app at a time: the app is single-instance on the session bus.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const URI: &str = "otpauth://totp/LPSE%20Kota%20Bandung:budi.santoso?secret=JBSWY3DPEHPK3PXP&issuer=LPSE%20Kota%20Bandung";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_app_flows() {
    let _one = ONE_AT_A_TIME.lock().await;
    let desktop = Desktop::start().await.expect("start the app");
    let outcome = flows(&desktop).await;
    if outcome.is_err() {
        let _ = desktop.screenshot("failure").await;
    }
    let console = desktop.assert_no_console_errors().await;
    desktop.stop().await.expect("stop the app");
    outcome.expect("the flows");
    console.expect("no console errors");
}

/// An `otpauth://` link the app is opened with asks before adding, then adds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_otpauth_link_asks_first() {
    let link = "otpauth://totp/LPSE%20Kota%20Medan:andi?secret=JBSWY3DPEHPK3PXP&issuer=LPSE%20Kota%20Medan";
    let _one = ONE_AT_A_TIME.lock().await;
    let desktop = Desktop::start_with_args(&[link])
        .await
        .expect("start the app");
    let outcome = async {
        desktop.wait_for("[data-testid=pending]").await?;
        desktop
            .wait_for_text("Sebuah tautan membuka Otentik")
            .await?;
        desktop.wait_for_text("LPSE Kota Medan").await?;
        step(&desktop, "20-link-confirm").await?;
        if desktop.cli(&["list"])?.contains("andi") {
            bail!("the link's account was added before the user confirmed");
        }
        desktop.click("[data-testid=confirm-add]").await?;
        desktop.wait_for_text("Berhasil tambah akun").await?;
        desktop
            .wait_for("[data-testid=account][data-name=\"andi\"]")
            .await?;
        step(&desktop, "21-link-added").await
    }
    .await;
    if outcome.is_err() {
        let _ = desktop.screenshot("link-failure").await;
    }
    desktop.stop().await.expect("stop the app");
    outcome.expect("the link flow");
}

async fn step(desktop: &Desktop, name: &str) -> Result<()> {
    desktop.screenshot(name).await?;
    desktop.assert_no_console_errors().await
}

async fn flows(d: &Desktop) -> Result<()> {
    // The empty list explains how to add the first account, in Indonesian.
    d.wait_for("[data-testid=empty]").await?;
    d.wait_for_text("Belum ada akun").await?;
    step(d, "01-empty").await?;

    // By hand: a wrong secret is refused next to its field, then corrected.
    d.click("[data-testid=nav-add]").await?;
    d.fill("#manual-issuer", "GitHub").await?;
    d.fill("#manual-name", "budi@example.id").await?;
    d.fill("#manual-secret", "JBSW Y3DP EHPK 3PX1").await?;
    d.click("[data-testid=manual-submit]").await?;
    let error = d
        .wait_for("[data-testid=error-secret]")
        .await?
        .text()
        .await?;
    if !error.contains("A–Z") {
        bail!("unexpected validation message: {error}");
    }
    // What was typed is still there.
    let kept = d.wait_for("#manual-name").await?.prop("value").await?;
    if kept.as_deref() != Some("budi@example.id") {
        bail!("the name field lost its text: {kept:?}");
    }
    step(d, "02-manual-invalid").await?;
    d.fill("#manual-secret", "GEZD GNBV GY3T QOJQ").await?;
    d.click("[data-testid=manual-submit]").await?;
    d.wait_for_text("Berhasil tambah akun").await?;
    d.wait_for("[data-testid=code]").await?;
    step(d, "03-manual-added").await?;

    // By URI: read, checked, confirmed.
    d.click("[data-testid=nav-add]").await?;
    d.fill("[data-testid=uri]", URI).await?;
    d.click("[data-testid=read-uri]").await?;
    d.wait_for("[data-testid=pending]").await?;
    d.wait_for_text("LPSE Kota Bandung").await?;
    step(d, "04-uri-confirm").await?;
    d.click("[data-testid=confirm-add]").await?;
    d.wait_for_text("Berhasil tambah akun").await?;

    // By image file: a QR code PNG picked in the file input.
    let png = d.home.join("qr-aktivasi.png");
    write_qr(
        &png,
        "otpauth://totp/SPSE%20Kemenkeu:siti?secret=MFRGGZDFMZTWQ2LK&issuer=SPSE%20Kemenkeu",
    )?;
    d.click("[data-testid=nav-add]").await?;
    let input = d.wait_for("[data-testid=file]").await?;
    input.send_keys(&png.display().to_string()).await?;
    d.wait_for("[data-testid=pending]").await?;
    d.wait_for_text("SPSE Kemenkeu").await?;
    step(d, "05-image-confirm").await?;
    d.click("[data-testid=confirm-add]").await?;
    d.wait_for_text("Berhasil tambah akun").await?;
    wait_for_codes(d, 3).await?;
    step(d, "06-list").await?;

    // By scanning the screen: a QR code shown in another window on the same display.
    let shown = d.home.join("qr-layar.png");
    write_qr(
        &shown,
        "otpauth://totp/LPSE%20Kota%20Surabaya:rina?secret=GEZDGNBVGY3TQOJQ&issuer=LPSE%20Kota%20Surabaya",
    )?;
    // A window of our own on the app's display, mapped and drawn before this returns.
    let qr = image::open(&shown)?.to_luma8();
    let viewer = d.xvfb().show(&qr, 820, 80);
    d.click("[data-testid=nav-add]").await?;
    d.click("[data-testid=scan-screen]").await?;
    let scanned = d.wait_for("[data-testid=pending]").await;
    drop(viewer);
    scanned?;
    d.wait_for_text("LPSE Kota Surabaya").await?;
    d.click("[data-testid=confirm-add]").await?;
    d.wait_for_text("Berhasil tambah akun").await?;
    wait_for_codes(d, 4).await?;

    // The code on screen is the CLI's code for the same account at that moment.
    same_code_as_cli(d, "budi.santoso").await?;

    // Copy: the clipboard holds the code.
    let card = account_card(d, "budi.santoso").await?;
    let code_button = card.find(Locator::Css("[data-testid=code]")).await?;
    let shown = code_button
        .attr("data-code")
        .await?
        .context("no data-code")?;
    code_button.click().await?;
    d.wait_for_text("Kode disalin").await?;
    let clipboard = clipboard_text(d)?;
    let now = code_of(d, "budi.santoso").await?;
    if clipboard != shown && clipboard != now {
        bail!("the clipboard holds {clipboard:?}, the screen {shown:?}");
    }
    step(d, "07-copied").await?;

    // Search.
    d.fill("[data-testid=search]", "kemenkeu").await?;
    wait_for_accounts(d, 1).await?;
    d.wait_for("[data-testid=account][data-issuer=\"SPSE Kemenkeu\"]")
        .await?;
    step(d, "08-search").await?;
    d.fill("[data-testid=search]", "tidak ada").await?;
    d.wait_for("[data-testid=no-results]").await?;
    d.fill("[data-testid=search]", "").await?;
    wait_for_accounts(d, 4).await?;

    // Rename, in the details.
    let card = account_card(d, "budi.santoso").await?;
    card.find(Locator::Css("[data-testid=details]"))
        .await?
        .click()
        .await?;
    d.fill("[data-testid=rename-issuer]", "LPSE Bandung")
        .await?;
    d.click("[data-testid=rename-save]").await?;
    d.wait_for_text("Nama disimpan").await?;
    step(d, "09-detail").await?;
    let list = d.cli(&["list"])?;
    if !list.contains("LPSE Bandung") {
        bail!("the CLI does not see the new name:\n{list}");
    }

    // Hapus, with confirmation.
    d.click("[data-testid=remove]").await?;
    d.wait_for("[role=alertdialog]").await?;
    step(d, "10-hapus-confirm").await?;
    d.click("[data-testid=dialog-confirm]").await?;
    d.wait_for_text("dihapus").await?;
    wait_for_accounts(d, 3).await?;
    let list = d.cli(&["list"])?;
    if list.contains("budi.santoso") {
        bail!("the CLI still lists the deleted account:\n{list}");
    }
    step(d, "11-after-hapus").await?;

    // Language: English everywhere, then back.
    d.click("[data-testid=nav-settings]").await?;
    d.wait_for("[data-testid=language]").await?;
    d.script(
        "const s = document.querySelector('[data-testid=language]'); s.value = 'en'; s.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![],
    )
    .await?;
    d.wait_for_text("Settings").await?;
    d.wait_for_text("Language").await?;
    step(d, "12-english-settings").await?;
    d.click("[data-testid=nav-accounts]").await?;
    d.wait_for_text("Click a code to copy it").await?;
    step(d, "13-english-accounts").await?;
    d.click("[data-testid=nav-settings]").await?;
    d.script(
        "const s = document.querySelector('[data-testid=language]'); s.value = 'id'; s.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![],
    )
    .await?;
    d.wait_for_text("Pengaturan").await?;
    Ok(())
}

async fn account_card(d: &Desktop, name: &str) -> Result<fantoccini::elements::Element> {
    d.wait_for(&format!("[data-testid=account][data-name=\"{name}\"]"))
        .await
        .with_context(|| format!("no account card shows {name}"))
}

async fn code_of(d: &Desktop, name: &str) -> Result<String> {
    let card = account_card(d, name).await?;
    let code = card.find(Locator::Css("[data-testid=code]")).await?;
    code.attr("data-code").await?.context("no data-code")
}

async fn wait_for_accounts(d: &Desktop, count: usize) -> Result<()> {
    for _ in 0..100 {
        if d.client
            .find_all(Locator::Css("[data-testid=account]"))
            .await?
            .len()
            == count
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("the list never showed {count} accounts")
}

async fn wait_for_codes(d: &Desktop, count: usize) -> Result<()> {
    for _ in 0..100 {
        if d.client
            .find_all(Locator::Css("[data-testid=code]"))
            .await?
            .len()
            == count
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("the list never showed {count} codes")
}

/// Reads the CLI's code before and after the screen's; when both CLI reads agree (no period
/// boundary in between), the screen must show that code.
async fn same_code_as_cli(d: &Desktop, name: &str) -> Result<()> {
    let mut last = String::new();
    for _ in 0..3 {
        let before = d.cli(&["code", name])?.trim().to_owned();
        let shown = code_of(d, name).await?;
        let after = d.cli(&["code", name])?.trim().to_owned();
        // The window refreshes its codes each second: just after a new period it may still
        // show the last one for a moment, so a difference is read again before it counts.
        if before == after && shown == before {
            return Ok(());
        }
        last = format!("the window shows {shown}, `otentik code {name}` says {before}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    bail!("{last}")
}

fn clipboard_text(d: &Desktop) -> Result<String> {
    let output = std::process::Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", &d.display)
        .output()
        .context("xclip (Debian package xclip)")?;
    Ok(String::from_utf8(output.stdout)?)
}

fn write_qr(path: &std::path::Path, text: &str) -> Result<()> {
    let code = qrcode::QrCode::new(text.as_bytes())?;
    let image = code
        .render::<image::Luma<u8>>()
        .min_dimensions(360, 360)
        .build();
    image.save(path)?;
    Ok(())
}
