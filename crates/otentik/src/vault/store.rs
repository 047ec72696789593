//! Where secrets live: the [`SecretStore`] trait, the OS keyring behind it, and an in-memory
//! store for unit tests of code around the vault.

use std::collections::HashMap;
use std::sync::Arc;
#[cfg(any(test, feature = "test-store"))]
use std::sync::Mutex;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// A place that keeps secret bytes under string keys, all within one namespace.
pub trait SecretStore: Send + Sync {
    /// Stores (or replaces) the secret under `key`.
    fn put(&self, key: &str, secret: &[u8]) -> Result<()>;
    /// The secret under `key`, or `None` when there is none.
    fn get(&self, key: &str) -> Result<Option<Zeroizing<Vec<u8>>>>;
    /// Deletes the secret under `key`; deleting a missing one is not an error.
    fn delete(&self, key: &str) -> Result<()>;
    /// Every key in the namespace.
    fn keys(&self) -> Result<Vec<String>>;
}

/// The OS keyring: Secret Service on Linux and the BSDs, Keychain on Apple platforms,
/// Credential Manager on Windows. The store is chosen explicitly here; there is no silent
/// fallback to a mock or to plain text.
pub struct KeyringStore {
    service: String,
    store: Arc<keyring_core::CredentialStore>,
}

impl KeyringStore {
    /// Connects to the platform's keyring; entries are kept under `service`.
    pub fn connect(service: impl Into<String>) -> Result<Self> {
        Ok(Self {
            service: service.into(),
            store: platform_store()?,
        })
    }

    fn entry(&self, key: &str) -> Result<keyring_core::Entry> {
        self.store
            .build(&self.service, key, None)
            .map_err(keyring_error)
    }
}

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>> {
    let store =
        dbus_secret_service_keyring_store::Store::new().map_err(|e| Error::KeyringUnavailable {
            detail: e.to_string(),
        })?;
    Ok(store)
}

#[cfg(any(target_os = "macos", target_os = "ios"))]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>> {
    let store = apple_native_keyring_store::keychain::Store::new().map_err(|e| {
        Error::KeyringUnavailable {
            detail: e.to_string(),
        }
    })?;
    Ok(store)
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>> {
    let store =
        windows_native_keyring_store::Store::new().map_err(|e| Error::KeyringUnavailable {
            detail: e.to_string(),
        })?;
    Ok(store)
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows"
)))]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>> {
    // Android's store needs the app's JNI context: the mobile shell provides it (docs/mobile.md).
    Err(Error::KeyringUnavailable {
        detail: "no keyring store is built for this platform".to_owned(),
    })
}

/// Maps the keyring's errors to ours, with what to do.
fn keyring_error(error: keyring_core::Error) -> Error {
    match error {
        keyring_core::Error::NoStorageAccess(detail) => Error::KeyringLocked {
            detail: detail.to_string(),
        },
        keyring_core::Error::PlatformFailure(detail) => {
            let detail = detail.to_string();
            if detail.contains("org.freedesktop.DBus")
                || detail.contains("D-Bus")
                || detail.contains("ServiceUnknown")
                || detail.contains("secrets")
            {
                Error::KeyringUnavailable { detail }
            } else {
                Error::KeyringFailure { detail }
            }
        }
        keyring_core::Error::NoDefaultStore => Error::KeyringUnavailable {
            detail: "no keyring store".to_owned(),
        },
        // Byte payloads of the remaining variants are never shown: they may be secrets.
        keyring_core::Error::BadEncoding(_) | keyring_core::Error::BadDataFormat(..) => {
            Error::KeyringFailure {
                detail: "the keyring returned data in an unexpected format".to_owned(),
            }
        }
        other => Error::KeyringFailure {
            detail: other.to_string(),
        },
    }
}

impl SecretStore for KeyringStore {
    fn put(&self, key: &str, secret: &[u8]) -> Result<()> {
        self.entry(key)?.set_secret(secret).map_err(keyring_error)
    }

    fn get(&self, key: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
        match self.entry(key)?.get_secret() {
            Ok(bytes) => Ok(Some(Zeroizing::new(bytes))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(error) => Err(keyring_error(error)),
        }
    }

    fn delete(&self, key: &str) -> Result<()> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(error) => Err(keyring_error(error)),
        }
    }

    fn keys(&self) -> Result<Vec<String>> {
        let spec = HashMap::from([("service", self.service.as_str())]);
        let entries = self.store.search(&spec).map_err(keyring_error)?;
        let mut keys = Vec::with_capacity(entries.len());
        for entry in entries {
            let attributes = entry.get_attributes().map_err(keyring_error)?;
            if let Some(user) = attributes.get("username") {
                keys.push(user.clone());
            }
        }
        Ok(keys)
    }
}

/// Secrets in process memory, for unit tests of code around the vault only: nothing survives
/// the process, so it must never stand in for the keyring in the product or in the vault's
/// own integration tests.
#[cfg(any(test, feature = "test-store"))]
#[derive(Default, Clone)]
pub struct MemoryStore {
    secrets: Arc<Mutex<HashMap<String, Zeroizing<Vec<u8>>>>>,
}

#[cfg(any(test, feature = "test-store"))]
impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Zeroizing<Vec<u8>>>) -> T) -> Result<T> {
        let mut guard = self.secrets.lock().map_err(|_| Error::KeyringFailure {
            detail: "the in-memory store was poisoned by a panic".to_owned(),
        })?;
        Ok(f(&mut guard))
    }
}

#[cfg(any(test, feature = "test-store"))]
impl SecretStore for MemoryStore {
    fn put(&self, key: &str, secret: &[u8]) -> Result<()> {
        self.with(|map| {
            map.insert(key.to_owned(), Zeroizing::new(secret.to_vec()));
        })
    }

    fn get(&self, key: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
        self.with(|map| map.get(key).cloned())
    }

    fn delete(&self, key: &str) -> Result<()> {
        self.with(|map| {
            map.remove(key);
        })
    }

    fn keys(&self) -> Result<Vec<String>> {
        self.with(|map| map.keys().cloned().collect())
    }
}
