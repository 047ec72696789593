//! Access to the real Secret Service for tests.
//!
//! These tests need a D-Bus session with an unlocked gnome-keyring: `make test` runs them
//! through `scripts/with-keyring.sh`. Keyring tests take [`serial`] so that they run one at a
//! time, as gnome-keyring expects of one client.

use std::sync::{Mutex, MutexGuard};

use otentik::vault::KeyringStore;

static SERIAL: Mutex<()> = Mutex::new(());

/// Holds the keyring for one test at a time.
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A keyring namespace of its own for one test.
pub fn service() -> String {
    format!("otentik-test-{}", rand::random::<u64>())
}

/// The real keyring, or a failure that says how to get one.
pub fn store(service: &str) -> KeyringStore {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no D-Bus session: run the tests through scripts/with-keyring.sh (as `make test` does)"
    );
    KeyringStore::connect(service).expect("the Secret Service answers")
}
