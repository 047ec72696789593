//! Import of a 1,000-entry encrypted Aegis vault, and the export + verification of a
//! 1,000-entry vault, with the vault key in the real Secret Service; prints times (issue 14's
//! goal: each under 5 s on the 2-core CI machine, the KDF being the known part).
//!
//! Needs a Secret Service: `make bench` runs it inside `scripts/with-keyring.sh`.
//!     scripts/with-keyring.sh cargo bench -p otentik --bench backup

use std::time::{Duration, Instant};

use otentik::backup::{self, Entry, Format, aegis};
use otentik::vault::{KeyringStore, Vault};
use otentik::{Account, Secret};

const ACCOUNTS: usize = 1_000;
const PASSWORD: &str = "bench backup password";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!(
            "backup bench skipped: no D-Bus session (run it through scripts/with-keyring.sh)"
        );
        return Ok(());
    }
    let entries: Vec<Entry> = (0..ACCOUNTS)
        .map(|i| {
            let secret = Secret::new((0..20).map(|b| (b * 7 + i) as u8).collect());
            Entry::new(Account::totp("Bench", format!("user{i}"), secret))
        })
        .collect();

    // The KDF alone: one scrypt (N=2^15, r=8, p=1), as every Aegis read and write pays it.
    let started = Instant::now();
    let file = aegis::write(&entries, Some(PASSWORD))?;
    let write_only = started.elapsed();

    // Import: read (decrypt) the file and add every entry to an empty vault.
    let dir = tempfile::tempdir()?;
    let service = format!("otentik-bench-{}", rand::random::<u64>());
    let mut vault = Vault::open(
        dir.path().to_path_buf(),
        Box::new(KeyringStore::connect(&service)?),
    )?;
    let started = Instant::now();
    let import = backup::read(&file, Format::Aegis, Some(PASSWORD))?;
    let read = started.elapsed();
    let imported = vault.import(&import.entries, 0)?;
    let import_total = started.elapsed();
    assert_eq!(imported.added.len(), ACCOUNTS);

    // Export + verification of that vault: secrets out of the sealed file, encrypted, written,
    // read back from disk, decrypted and compared.
    let backup_path = dir.path().join("backup.json");
    let started = Instant::now();
    let from_vault = vault.backup_entries()?;
    let gather = started.elapsed();
    backup::save_verified(&backup_path, &from_vault, Some(PASSWORD))?;
    let export_total = started.elapsed();

    println!(
        "backup: {ACCOUNTS} accounts, encrypted Aegis vault (scrypt N=2^15 r=8 p=1), real Secret Service"
    );
    println!(
        "  write the vault (KDF + AES-GCM):        {:>8.1} ms",
        ms(write_only)
    );
    println!(
        "  import: read + decrypt:                 {:>8.1} ms",
        ms(read)
    );
    println!(
        "  import: total (add to the vault, sealed):  {:>8.1} ms   goal < 5000 ms",
        ms(import_total)
    );
    println!(
        "  export: secrets from the sealed file:   {:>8.1} ms",
        ms(gather)
    );
    println!(
        "  export + verify: total:                 {:>8.1} ms   goal < 5000 ms",
        ms(export_total)
    );
    println!(
        "  file size: {} KiB",
        std::fs::metadata(&backup_path)?.len() / 1024
    );
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
