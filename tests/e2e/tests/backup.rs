//! Pengaturan → Cadangan & impor in the real window: automatic backups turned on from the
//! suggestion on Akun, an encrypted Aegis export imported (its password asked for, a preview,
//! then Impor), the backup written after the import, and that backup read by the CLI.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use fantoccini::Locator;
use otentik_e2e::Desktop;
use serde_json::Value;

const BANDUNG: &str = "otpauth://totp/LPSE%20Kota%20Bandung:budi?secret=JBSWY3DPEHPK3PXP&issuer=LPSE%20Kota%20Bandung";
const FIXTURE_PASSWORD: &str = "otentik-fixture-password";
const BACKUP_PASSWORD: &str = "kata sandi cadangan";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../crates/otentik/tests/data/backup")
        .join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_and_automatic_backup_in_the_window() {
    let desktop = Desktop::start_with_accounts(&[BANDUNG])
        .await
        .expect("start the app");
    let outcome = flow(&desktop).await;
    if outcome.is_err() {
        let _ = desktop.screenshot("backup-failure").await;
    }
    let console = desktop.assert_no_console_errors().await;
    desktop.stop().await.expect("stop the app");
    outcome.expect("the backup flow");
    console.expect("no console errors");
}

async fn flow(d: &Desktop) -> Result<()> {
    let home = PathBuf::from(
        d.env()
            .into_iter()
            .find(|(name, _)| name == "HOME")
            .context("HOME")?
            .1,
    );
    let folder = home.join("Cadangan Otentik");

    // Akun suggests backups once there is an account.
    d.wait_for("[data-testid=backup-suggest]").await?;
    step(d, "40-backup-suggested").await?;
    d.click("[data-testid=backup-suggest-go]").await?;
    d.click("[data-testid=backup-enable]").await?;
    let input = d.wait_for("[data-testid=backup-folder]").await?;
    input.clear().await?;
    input.send_keys(&folder.display().to_string()).await?;
    d.fill("[data-testid=backup-password]", BACKUP_PASSWORD)
        .await?;
    d.fill("[data-testid=backup-password-again]", "kata sandi berbeda")
        .await?;
    d.wait_for("[data-testid=backup-password-problem]").await?;
    d.fill("[data-testid=backup-password-again]", BACKUP_PASSWORD)
        .await?;
    step(d, "41-backup-setup").await?;
    d.click("[data-testid=backup-save]").await?;
    d.wait_for_text("Cadangan terakhir yang terverifikasi")
        .await?;
    let first = backups(&folder)?;
    if first.len() != 1 {
        bail!("one backup after turning them on, found {first:?}");
    }
    step(d, "42-backup-on").await?;

    // Import an encrypted Aegis export: named, a password, a preview, then Impor.
    let file = d.wait_for("[data-testid=import-file]").await?;
    file.send_keys(&fixture("aegis-encrypted-v3.json").display().to_string())
        .await?;
    d.wait_for_text("Berkas dari Aegis").await?;
    d.fill("[data-testid=import-password]", "salah sekali")
        .await?;
    d.click("[data-testid=import-read]").await?;
    d.wait_for_text("Kata sandi salah atau berkas rusak")
        .await?;
    step(d, "43-import-wrong-password").await?;
    d.fill("[data-testid=import-password]", FIXTURE_PASSWORD)
        .await?;
    d.click("[data-testid=import-read]").await?;
    d.wait_for("[data-testid=import-entries]").await?;
    let entries = d
        .client
        .find_all(Locator::Css("[data-testid=import-entry]"))
        .await?;
    let skipped = d
        .client
        .find_all(Locator::Css("[data-testid=import-skipped]"))
        .await?;
    if entries.len() != 5 || skipped.len() != 2 {
        bail!(
            "the preview lists {} entries and {} skipped",
            entries.len(),
            skipped.len()
        );
    }
    if d.cli(&["list"])?.contains("andi.wijaya") {
        bail!("accounts were added before Impor");
    }
    step(d, "44-import-preview").await?;
    d.click("[data-testid=import-go]").await?;
    d.wait_for_text("Impor selesai: 5 akun ditambahkan").await?;
    let list = d.cli(&["list"])?;
    for name in ["budi", "andi.wijaya", "gamer_bandung", "rudi.hartono"] {
        if !list.contains(name) {
            bail!("{name} is not in `otentik list` after the import:\n{list}");
        }
    }

    // The import is a change: a second backup follows, and the CLI reads it.
    let mut newest = None;
    for _ in 0..150 {
        let files = backups(&folder)?;
        if files.len() >= 2 {
            newest = files.last().cloned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let newest = newest.context("no backup was written after the import")?;
    step(d, "45-imported-and-backed-up").await?;
    let password_file = home.join("backup-password");
    std::fs::write(&password_file, format!("{BACKUP_PASSWORD}\n"))?;
    let report: Value = serde_json::from_str(&d.cli(&[
        "import",
        &newest.display().to_string(),
        "--password-file",
        &password_file.display().to_string(),
        "--dry-run",
        "--json",
    ])?)?;
    if report["format"] != "aegis" || report["entries"].as_array().map(Vec::len) != Some(6) {
        bail!("the CLI read the app's backup as {report}");
    }
    if report["duplicates"] != 6 {
        bail!("every entry of the backup is in the vault: {report}");
    }
    Ok(())
}

/// Otentik's backup files in `folder`, oldest first.
fn backups(folder: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("otentik-backup-") && name.ends_with(".json"))
        })
        .collect();
    files.sort();
    Ok(files)
}

async fn step(d: &Desktop, name: &str) -> Result<()> {
    d.screenshot(name).await?;
    d.assert_no_console_errors().await
}
