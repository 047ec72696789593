//! A vault of its own for each test: a data directory and a keyring namespace in the real
//! Secret Service of the private D-Bus session that `scripts/with-keyring.sh` starts.

use std::path::PathBuf;

use assert_cmd::Command;
use otentik::vault::KeyringStore;
pub use otentik_test_support::keyring::serial;
use otentik_test_support::keyring::{require_session, service};
use serde_json::Value;

/// A vault of its own: a data directory and a keyring service.
pub struct Sandbox {
    /// The data directory.
    pub dir: tempfile::TempDir,
    /// The keyring service (namespace).
    pub service: String,
}

impl Sandbox {
    pub fn new() -> Self {
        require_session();
        Self {
            dir: tempfile::tempdir().unwrap(),
            service: service("cli-test"),
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

    /// How many keyring entries the sandbox's namespace holds.
    pub fn keyring_keys(&self) -> usize {
        use otentik::vault::SecretStore as _;
        self.keyring().keys().unwrap().len()
    }

    pub fn keyring(&self) -> KeyringStore {
        KeyringStore::connect(&self.service).unwrap()
    }
}
