//! The app lock (issue 15): unlock time (the Argon2id key derivation plus unsealing 100
//! accounts), and open → first code with the lock off and on, over the real Secret Service;
//! prints figures for `docs/benchmarks.md`.
//!
//! Needs a Secret Service: `make bench` runs it inside `scripts/with-keyring.sh`.
//!     scripts/with-keyring.sh cargo bench -p otentik --bench lock

use std::time::{Duration, Instant};

use otentik::vault::{KdfParams, KeyringStore, Vault};
use otentik::{Account, Secret};

const ACCOUNTS: usize = 100;
const PASSWORD: &str = "meja kantor lantai tiga";
const ROUNDS: usize = 5;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!("lock bench skipped: no D-Bus session (run it through scripts/with-keyring.sh)");
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let service = format!("otentik-bench-lock-{}", rand::random::<u64>());
    let open = || -> otentik::Result<Vault> {
        Vault::open(
            dir.path().to_path_buf(),
            Box::new(KeyringStore::connect(&service)?),
        )
    };
    let mut vault = open()?;
    for i in 0..ACCOUNTS {
        let secret = Secret::new((0..20).map(|b| (b * 7 + i) as u8).collect());
        vault.add(
            &Account::totp("Bench", format!("user{i}"), secret),
            0,
            false,
        )?;
    }
    let first_id = vault.accounts()[0].id.clone();
    drop(vault);

    // Lock off: open (the vault key from the keyring, the sealed file) and the first code.
    let off = median(ROUNDS, || {
        let started = Instant::now();
        let mut vault = open()?;
        vault.code(&first_id, 1_767_225_600)?;
        Ok(started.elapsed())
    })?;

    let calibrating = Instant::now();
    let params = KdfParams::calibrate(Duration::from_millis(500));
    let calibration = calibrating.elapsed();
    open()?.enable_lock(PASSWORD, params)?;

    // Lock on: open (metadata only), unlock (Argon2id + unsealing), first code.
    let mut unlock_only = Vec::new();
    let on = median(ROUNDS, || {
        let started = Instant::now();
        let mut vault = open()?;
        let before_unlock = Instant::now();
        vault.unlock(PASSWORD, 1_767_225_600)?;
        unlock_only.push(before_unlock.elapsed());
        vault.code(&first_id, 1_767_225_600)?;
        Ok(started.elapsed())
    })?;
    unlock_only.sort();

    println!(
        "lock: {ACCOUNTS} accounts, real Secret Service, Argon2id {} KiB x {} passes (calibrated in {:.0} ms)",
        params.memory_kib,
        params.iterations,
        calibration.as_secs_f64() * 1000.0
    );
    println!(
        "  unlock (KDF + unseal {ACCOUNTS} accounts): {:>7.1} ms (median of {ROUNDS})",
        unlock_only[unlock_only.len() / 2].as_secs_f64() * 1000.0
    );
    println!(
        "  open -> first code, lock off:          {:>7.1} ms",
        off.as_secs_f64() * 1000.0
    );
    println!(
        "  open -> first code, lock on (+unlock): {:>7.1} ms",
        on.as_secs_f64() * 1000.0
    );
    Ok(())
}

fn median(
    rounds: usize,
    mut run: impl FnMut() -> otentik::Result<Duration>,
) -> otentik::Result<Duration> {
    let mut times = (0..rounds)
        .map(|_| run())
        .collect::<otentik::Result<Vec<_>>>()?;
    times.sort();
    Ok(times[times.len() / 2])
}
