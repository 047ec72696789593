//! Opens a vault of 500 accounts in the real keyring and computes every code; prints times.
//!
//! Needs a Secret Service: `make bench` runs it inside `scripts/with-keyring.sh`.
//!     scripts/with-keyring.sh cargo bench -p otentik --bench vault

use std::time::Instant;

use otentik::vault::{KeyringStore, Vault};
use otentik::{Account, Secret};

const ACCOUNTS: usize = 500;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!("vault bench skipped: no D-Bus session (run it through scripts/with-keyring.sh)");
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let service = format!("otentik-bench-{}", rand::random::<u64>());
    let mut vault = Vault::open(
        dir.path().to_path_buf(),
        Box::new(KeyringStore::connect(&service)?),
    )?;

    let started = Instant::now();
    for i in 0..ACCOUNTS {
        let secret = Secret::new((0..20).map(|b| (b * 7 + i) as u8).collect());
        vault.add(&Account::totp("Bench", format!("user{i}"), secret), 0, true)?;
    }
    let add = started.elapsed();

    let now = 1_700_000_000;
    let runs = 5;
    let mut timings = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let mut vault = Vault::open(
            dir.path().to_path_buf(),
            Box::new(KeyringStore::connect(&service)?),
        )?;
        let ids: Vec<String> = vault.accounts().iter().map(|a| a.id.clone()).collect();
        let mut codes = 0;
        for id in &ids {
            codes += vault.code(id, now)?.len();
        }
        assert_eq!(codes, ACCOUNTS * 6);
        timings.push(started.elapsed());
    }
    timings.sort();

    println!("vault: {ACCOUNTS} accounts in the real Secret Service (gnome-keyring)");
    println!(
        "  add {ACCOUNTS} accounts:            {:>8.1} ms ({:.2} ms each)",
        ms(add),
        ms(add) / ACCOUNTS as f64
    );
    println!(
        "  open + all {ACCOUNTS} codes, median of {runs}: {:>8.1} ms (min {:.1}, max {:.1})",
        ms(timings[runs / 2]),
        ms(timings[0]),
        ms(timings[runs - 1])
    );

    for account in vault.accounts().to_vec() {
        vault.remove(&account.id)?;
    }
    Ok(())
}

fn ms(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
