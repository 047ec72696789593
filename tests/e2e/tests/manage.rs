//! The desktop app in its real window, beyond adding and reading codes: reorder, HOTP, export
//! URIs, the "move to another device" QR, and a link opened while the app runs. Each test starts
//! its own app over a vault prepared with the CLI, saves a screenshot per step under
//! `target/e2e-screenshots/` and fails on any console error in the webview.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use fantoccini::Locator;
use otentik_e2e::Desktop;

/// One app at a time: the app is single-instance on the session bus.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const BANDUNG: &str = "otpauth://totp/LPSE%20Kota%20Bandung:budi?secret=JBSWY3DPEHPK3PXP&issuer=LPSE%20Kota%20Bandung";
const KEMENKEU: &str =
    "otpauth://totp/SPSE%20Kemenkeu:siti?secret=MFRGGZDFMZTWQ2LK&issuer=SPSE%20Kemenkeu";
const SURABAYA: &str = "otpauth://totp/LPSE%20Kota%20Surabaya:rina?secret=GEZDGNBVGY3TQOJQ&issuer=LPSE%20Kota%20Surabaya";

/// RFC 4226 appendix D: the secret "12345678901234567890" (base32 below) and its HOTP values
/// for counters 0, 1, 2.
const RFC4226_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const RFC4226_CODES: [&str; 3] = ["755224", "287082", "359152"];

/// Starts an app over `uris`, runs `flow`, and fails on its error or on any console error,
/// with a `<name>-failure` screenshot when the flow failed. Every wait inside a flow is
/// bounded, so a flow fails rather than hangs.
async fn with_app<F, Fut>(uris: &[&str], name: &str, flow: F)
where
    F: FnOnce(Desktop) -> Fut,
    Fut: Future<Output = (Desktop, Result<()>)>,
{
    let _one = ONE_AT_A_TIME.lock().await;
    let desktop = Desktop::start_with_accounts(uris)
        .await
        .expect("start the app");
    let (desktop, outcome) = flow(desktop).await;
    if outcome.is_err() {
        let _ = desktop.screenshot(&format!("{name}-failure")).await;
    }
    let console = desktop.assert_no_console_errors().await;
    desktop.stop().await.expect("stop the app");
    outcome.expect(name);
    console.expect("no console errors");
}

async fn step(desktop: &Desktop, name: &str) -> Result<()> {
    desktop.screenshot(name).await?;
    desktop.assert_no_console_errors().await
}

/// The accounts' names in the order the window lists them.
async fn shown_order(d: &Desktop) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for card in d
        .client
        .find_all(Locator::Css("[data-testid=account]"))
        .await?
    {
        names.push(card.attr("data-name").await?.unwrap_or_default());
    }
    Ok(names)
}

async fn wait_for_order(d: &Desktop, want: &[&str]) -> Result<()> {
    for _ in 0..100 {
        if shown_order(d).await? == want {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!(
        "the window lists {:?}, expected {want:?}",
        shown_order(d).await?
    )
}

/// The account names in `otentik list`'s order.
fn cli_order(d: &Desktop, names: &[&str]) -> Result<Vec<String>> {
    let list = d.cli(&["list"])?;
    let mut found: Vec<(usize, String)> = names
        .iter()
        .filter_map(|name| list.find(name).map(|at| (at, (*name).to_owned())))
        .collect();
    found.sort();
    Ok(found.into_iter().map(|(_, name)| name).collect())
}

async fn click_in_card(d: &Desktop, name: &str, css: &str) -> Result<()> {
    let card = d
        .wait_for(&format!("[data-testid=account][data-name=\"{name}\"]"))
        .await?;
    card.find(Locator::Css(css))
        .await
        .with_context(|| format!("no {css} in the card of {name}"))?
        .click()
        .await?;
    Ok(())
}

/// Reorder with the arrows: the new order is in the window and in `otentik list`, and survives
/// a reload of the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reorder_moves_accounts_and_the_cli_sees_it() {
    with_app(&[BANDUNG, KEMENKEU, SURABAYA], "reorder", |d| async move {
        let outcome = async {
            wait_for_order(&d, &["budi", "siti", "rina"]).await?;
            d.click("[data-testid=reorder]").await?;
            d.wait_for("[data-testid=move-down]").await?;
            step(&d, "30-reorder").await?;
            click_in_card(&d, "budi", "[data-testid=move-down]").await?;
            wait_for_order(&d, &["siti", "budi", "rina"]).await?;
            click_in_card(&d, "rina", "[data-testid=move-up]").await?;
            wait_for_order(&d, &["siti", "rina", "budi"]).await?;
            d.click("[data-testid=reorder]").await?;
            d.wait_for("[data-testid=details]").await?;
            step(&d, "31-reordered").await?;
            let cli = cli_order(&d, &["budi", "siti", "rina"])?;
            if cli != ["siti", "rina", "budi"] {
                bail!("`otentik list` shows {cli:?} after reordering in the window");
            }
            // The order is the stored one, not only the page's.
            d.client.refresh().await?;
            wait_for_order(&d, &["siti", "rina", "budi"]).await
        }
        .await;
        (d, outcome)
    })
    .await;
}

/// An HOTP account pasted from the clipboard (the URI's issuer differs from its label, so a
/// translated warning shows first): each "next code" shows RFC 4226's value for the counter,
/// and the CLI carries on from where the window stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hotp_next_code_follows_rfc4226() {
    with_app(&[], "hotp", |d| async move {
        let outcome = async {
            let uri = format!(
                "otpauth://hotp/RFC4226:uji?secret={RFC4226_SECRET}&issuer=RFC%204226&counter=0"
            );
            set_clipboard(&d, &uri)?;
            d.wait_for("[data-testid=empty]").await?;
            d.click("[data-testid=nav-add]").await?;
            d.click("[data-testid=scan-clipboard]").await?;
            d.wait_for("[data-testid=pending]").await?;
            let warning = d
                .wait_for("[data-testid=uri-warning][data-code=issuer_mismatch]")
                .await?
                .text()
                .await?;
            if !warning.contains("berbeda dengan awalan labelnya") || !warning.contains("RFC4226") {
                bail!("the warning is not the Indonesian one: {warning}");
            }
            step(&d, "40-hotp-confirm-warning").await?;
            d.click("[data-testid=confirm-add]").await?;
            d.wait_for_text("Berhasil tambah akun").await?;
            for (index, want) in RFC4226_CODES.iter().take(2).enumerate() {
                click_in_card(&d, "uji", "[data-testid=hotp-next]").await?;
                let shown = wait_for_hotp(&d, "uji", want).await?;
                if shown != *want {
                    bail!("press {index}: the window shows {shown}, RFC 4226 says {want}");
                }
            }
            step(&d, "41-hotp-codes").await?;
            let cli = d.cli(&["code", "uji"])?;
            if cli.trim() != RFC4226_CODES[2] {
                bail!(
                    "`otentik code uji` says {}, RFC 4226 counter 2 is {}",
                    cli.trim(),
                    RFC4226_CODES[2]
                );
            }
            Ok(())
        }
        .await;
        (d, outcome)
    })
    .await;
}

/// The HOTP code shown for `name`, once it equals `want` (or after 5 s, whatever it is).
async fn wait_for_hotp(d: &Desktop, name: &str, want: &str) -> Result<String> {
    let css = format!("[data-testid=account][data-name=\"{name}\"] [data-testid=code]");
    let mut shown = String::new();
    for _ in 0..100 {
        if let Ok(code) = d.client.find(Locator::Css(&css)).await {
            shown = code.attr("data-code").await?.unwrap_or_default();
            if shown == want {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(shown)
}

fn set_clipboard(d: &Desktop, text: &str) -> Result<()> {
    use std::io::Write;
    let mut xclip = std::process::Command::new("xclip")
        .args(["-selection", "clipboard", "-i"])
        .env("DISPLAY", &d.display)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .context("xclip (Debian package xclip)")?;
    xclip
        .stdin
        .take()
        .context("no xclip stdin")?
        .write_all(text.as_bytes())?;
    // xclip forks a child that serves the selection and exits once it has read its input.
    xclip.wait()?;
    Ok(())
}

/// Pengaturan → export: a warning first, then exactly the URIs `otentik export --uris` prints.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_uris_warn_first_then_match_the_cli() {
    with_app(&[BANDUNG, KEMENKEU], "export", |d| async move {
        let outcome = async {
            d.wait_for("[data-testid=code]").await?;
            d.click("[data-testid=nav-settings]").await?;
            d.click("[data-testid=export-show]").await?;
            d.wait_for("[role=alertdialog]").await?;
            d.wait_for_text("rahasia").await?;
            if d.client
                .find(Locator::Css("[data-testid=export]"))
                .await
                .is_ok()
            {
                bail!("the URIs are shown before the user confirmed");
            }
            step(&d, "50-export-warning").await?;
            d.click("[data-testid=dialog-confirm]").await?;
            let shown = d
                .wait_for("[data-testid=export]")
                .await?
                .prop("value")
                .await?
                .unwrap_or_default();
            step(&d, "51-export-uris").await?;
            let cli = d.cli(&["export", "--uris"])?;
            let lines = |text: &str| -> Vec<String> {
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            };
            if lines(&shown) != lines(&cli) || lines(&cli).len() != 2 {
                bail!("the window exports\n{shown}\nthe CLI\n{cli}");
            }
            Ok(())
        }
        .await;
        (d, outcome)
    })
    .await;
}

/// Detail akun → move to another device: a confirmation first, then a QR code on screen that
/// decodes (the SVG in the page rendered by rsvg-convert, read by `otentik scan`) to the
/// account's own URI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_qr_on_screen_decodes_to_the_account() {
    with_app(&[KEMENKEU], "transfer", |d| async move {
        let outcome = async {
            click_in_card(&d, "siti", "[data-testid=details]").await?;
            d.click("[data-testid=transfer]").await?;
            d.wait_for("[role=alertdialog]").await?;
            if d.client
                .find(Locator::Css("[data-testid=transfer-qr]"))
                .await
                .is_ok()
            {
                bail!("the QR code is shown before the user confirmed");
            }
            step(&d, "60-transfer-confirm").await?;
            d.click("[data-testid=dialog-confirm]").await?;
            let qr = d.wait_for("[data-testid=transfer-qr] svg").await?;
            step(&d, "61-transfer-qr").await?;
            // The SVG the window shows, rendered by librsvg (Debian package librsvg2-bin).
            let svg = qr.html(false).await?;
            let svg_path = d.home.join("transfer.svg");
            std::fs::write(&svg_path, svg)?;
            let png = d.home.join("transfer.png");
            let rendered = std::process::Command::new("rsvg-convert")
                .args(["-w", "480", "-b", "white", "-o"])
                .arg(&png)
                .arg(&svg_path)
                .status()
                .context("rsvg-convert (Debian package librsvg2-bin)")?;
            if !rendered.success() {
                bail!("rsvg-convert could not render the QR code's SVG");
            }
            let decoded = d.cli(&["scan", &png.display().to_string()])?;
            let uri = d.cli(&["export", "--uris"])?;
            if decoded.trim() != uri.trim() {
                bail!(
                    "the QR on screen reads {:?}, the account's URI is {:?}",
                    decoded.trim(),
                    uri.trim()
                );
            }
            Ok(())
        }
        .await;
        (d, outcome)
    })
    .await;
}

/// A link opened while the app runs: the second launch hands it to the running window, which
/// asks before adding, and exits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_launch_hands_its_link_to_the_running_app() {
    with_app(&[BANDUNG], "second-launch", |d| async move {
        let outcome = async {
            d.wait_for("[data-testid=code]").await?;
            let link = "otpauth://totp/LPSE%20Kota%20Medan:andi?secret=JBSWY3DPEHPK3PXP&issuer=LPSE%20Kota%20Medan";
            let status = d.launch_again(&[link])?;
            if !status.success() {
                bail!("the second launch exited with {status}");
            }
            d.wait_for("[data-testid=pending]").await?;
            d.wait_for_text("Sebuah tautan membuka Otentik").await?;
            d.wait_for_text("LPSE Kota Medan").await?;
            step(&d, "70-second-launch-confirm").await?;
            if d.cli(&["list"])?.contains("andi") {
                bail!("the link's account was added before the user confirmed");
            }
            d.click("[data-testid=confirm-add]").await?;
            d.wait_for_text("Berhasil tambah akun").await?;
            d.wait_for("[data-testid=account][data-name=\"andi\"]")
                .await?;
            step(&d, "71-second-launch-added").await?;
            if !d.cli(&["list"])?.contains("andi") {
                bail!("the CLI does not list the account added from the link");
            }
            Ok(())
        }
        .await;
        (d, outcome)
    })
    .await;
}
