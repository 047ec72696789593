//! A vault of its own for each test: a data directory and a keyring namespace in the real
//! Secret Service of the private D-Bus session that `scripts/with-keyring.sh` starts.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use assert_cmd::Command;
use otentik::vault::KeyringStore;
use serde_json::Value;

static SERIAL: Mutex<()> = Mutex::new(());

/// Held by every test that talks to the keyring: one at a time.
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A vault of its own: a data directory and a keyring service.
pub struct Sandbox {
    /// The data directory.
    pub dir: tempfile::TempDir,
    /// The keyring service (namespace).
    pub service: String,
}

impl Sandbox {
    pub fn new() -> Self {
        assert!(
            std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
            "no D-Bus session: run the tests through scripts/with-keyring.sh (as `make test` does)"
        );
        Self {
            dir: tempfile::tempdir().unwrap(),
            service: format!("otentik-cli-test-{}", rand::random::<u64>()),
        }
    }

    pub fn otentik(&self) -> Command {
        let mut command = Command::cargo_bin("otentik").unwrap();
        command
            .env("OTENTIK_DATA_DIR", self.dir.path())
            .env("OTENTIK_KEYRING_SERVICE", &self.service);
        command
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let output = self.otentik().args(args).output().unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    pub fn metadata(&self) -> PathBuf {
        self.dir.path().join("accounts.json")
    }

    pub fn keyring(&self) -> KeyringStore {
        KeyringStore::connect(&self.service).unwrap()
    }
}
