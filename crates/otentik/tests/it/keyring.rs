//! Access to the real Secret Service for tests, through the shared test support.
//!
//! These tests need a D-Bus session with an unlocked gnome-keyring: `make test` runs them
//! through `scripts/with-keyring.sh`. Keyring tests take [`serial`] so that they run one at a
//! time, as gnome-keyring expects of one client.

use otentik::vault::KeyringStore;
use otentik_test_support::keyring::require_session;
pub use otentik_test_support::keyring::serial;

/// A keyring namespace of its own for one test.
pub fn service() -> String {
    otentik_test_support::keyring::service("test")
}

/// The real keyring, or a failure that says how to get one.
pub fn store(service: &str) -> KeyringStore {
    require_session();
    KeyringStore::connect(service).expect("the Secret Service answers")
}
