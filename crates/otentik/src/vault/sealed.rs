//! The sealed secrets file: every account's secrets (and the app's setting secrets) in one
//! file of the data directory, encrypted with AES-256-GCM under the vault key.
//!
//! One file instead of one keyring item per account: an import of 1,000 accounts is one
//! atomic write instead of 1,000 keyring calls, a change that touches several accounts is
//! all-or-nothing, and the app lock only has to wrap one key
//! (`docs/decisions/0006-vault-key-and-lock.md`). The vault key itself lives in the OS
//! keyring while the lock is off, and only wrapped under the password while it is on.

use std::collections::BTreeMap;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::metadata::{read_if_exists, write_atomic};
use super::secrets::AccountSecrets;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// The file name inside the data directory.
pub const FILE_NAME: &str = "secrets.sealed";
/// What `format` says.
const FORMAT: &str = "otentik-secrets";
/// The version this build writes and the newest it reads.
const VERSION: u32 = 1;

/// The vault key: 32 random bytes, wiped on drop.
#[derive(Clone)]
pub struct VaultKey(Zeroizing<[u8; 32]>);

impl VaultKey {
    /// A fresh random key.
    pub fn random() -> Self {
        Self(Zeroizing::new(rand::random::<[u8; 32]>()))
    }

    /// The key from its 32 bytes; `None` for any other length.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(Self(Zeroizing::new(array)))
    }

    /// The key's bytes (to store in the keyring or wrap under the password).
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// AES-256-GCM with a fresh random nonce: `nonce ‖ ciphertext ‖ tag`.
    pub(crate) fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        seal(&self.0, plaintext, aad)
    }

    /// Opens what [`VaultKey::seal`] sealed; `None` when the key or the bytes are wrong.
    pub(crate) fn open(&self, sealed: &[u8], aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        open(&self.0, sealed, aad)
    }
}

impl std::fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VaultKey(<redacted>)")
    }
}

/// AES-256-GCM of `plaintext` under `key` with a fresh random nonce, as `nonce ‖ ct ‖ tag`.
pub(crate) fn seal(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
    let nonce: [u8; 12] = rand::random();
    let cipher = Aes256Gcm::new(key.into());
    // Encryption fails only for plaintexts beyond 64 GiB.
    let ciphertext = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .unwrap_or_default();
    let mut out = Vec::with_capacity(12 + ciphertext.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    out
}

/// Opens `nonce ‖ ct ‖ tag`; `None` on any mismatch.
pub(crate) fn open(key: &[u8; 32], sealed: &[u8], aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < 12 + 16 {
        return None;
    }
    let (nonce, ciphertext) = sealed.split_at(12);
    Aes256Gcm::new(key.into())
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
        .map(Zeroizing::new)
}

/// What the sealed file holds, decrypted. Kept in memory only while the vault is open.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct Secrets {
    /// Each account's secrets, by account id.
    pub accounts: BTreeMap<String, AccountSecrets>,
    /// Secrets the app keeps beside the accounts (the automatic backups' password), by name.
    pub settings: BTreeMap<String, Secret>,
}

/// The file on disk.
#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    version: u32,
    vault_id: String,
    /// base64 of `nonce ‖ ciphertext ‖ tag`.
    sealed: String,
}

/// The plaintext inside: the keyring blobs of [`AccountSecrets`] and hex setting secrets.
#[derive(Serialize, Deserialize)]
struct Plain {
    accounts: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    settings: BTreeMap<String, String>,
}

impl Secrets {
    /// Reads and opens the file; `Ok(None)` when there is none yet.
    pub fn read(path: &Path, key: &VaultKey, vault_id: &str) -> Result<Option<Self>> {
        let Some(bytes) = read_if_exists(path)? else {
            return Ok(None);
        };
        let damaged = |detail: &str| Error::SecretsCorrupt {
            path: path.to_path_buf(),
            detail: detail.to_owned(),
        };
        let file: File = serde_json::from_slice(&bytes).map_err(|_| damaged("not JSON"))?;
        if file.format != FORMAT {
            return Err(damaged("not an Otentik secrets file"));
        }
        if file.version > VERSION {
            return Err(Error::MetadataTooNew {
                path: path.to_path_buf(),
                version: u64::from(file.version),
            });
        }
        if file.vault_id != vault_id {
            return Err(damaged("it belongs to another vault"));
        }
        let sealed = BASE64
            .decode(file.sealed.as_bytes())
            .map_err(|_| damaged("not base64"))?;
        let plain = key
            .open(&sealed, &aad(vault_id))
            .ok_or_else(|| damaged("it does not open with this vault's key"))?;
        let plain: Plain =
            serde_json::from_slice(&plain).map_err(|_| damaged("unexpected content"))?;
        let mut secrets = Self::default();
        for (id, blob) in plain.accounts {
            let bytes = Zeroizing::new(serde_json::to_vec(&blob).unwrap_or_default());
            secrets
                .accounts
                .insert(id.clone(), AccountSecrets::decode(&bytes, &id)?);
        }
        for (name, hex) in plain.settings {
            let hex = Zeroizing::new(hex);
            let bytes = data_encoding::HEXLOWER
                .decode(hex.as_bytes())
                .map_err(|_| damaged("a setting secret is not hex"))?;
            secrets.settings.insert(name, Secret::new(bytes));
        }
        Ok(Some(secrets))
    }

    /// Seals and writes the file atomically.
    pub fn write(&self, path: &Path, key: &VaultKey, vault_id: &str) -> Result<()> {
        let mut accounts = BTreeMap::new();
        for (id, secrets) in &self.accounts {
            let blob = secrets.encode();
            let value: serde_json::Value =
                serde_json::from_slice(&blob).map_err(|_| Error::SecretsCorrupt {
                    path: path.to_path_buf(),
                    detail: "an account's secrets could not be encoded".to_owned(),
                })?;
            accounts.insert(id.clone(), value);
        }
        let settings = self
            .settings
            .iter()
            .map(|(name, secret)| {
                (
                    name.clone(),
                    data_encoding::HEXLOWER.encode(secret.expose()),
                )
            })
            .collect();
        let plain =
            Zeroizing::new(serde_json::to_vec(&Plain { accounts, settings }).unwrap_or_default());
        let file = File {
            format: FORMAT.to_owned(),
            version: VERSION,
            vault_id: vault_id.to_owned(),
            sealed: BASE64.encode(key.seal(&plain, &aad(vault_id))),
        };
        let mut bytes = serde_json::to_vec_pretty(&file).unwrap_or_default();
        bytes.push(b'\n');
        write_atomic(path, &bytes)
    }
}

/// What the ciphertext is bound to: the format, its version and the vault.
fn aad(vault_id: &str) -> Vec<u8> {
    format!("{FORMAT}/{VERSION}/{vault_id}").into_bytes()
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn sample() -> Secrets {
        let mut secrets = Secrets::default();
        secrets.accounts.insert(
            "a1".into(),
            AccountSecrets {
                otp: Secret::new(b"12345678901234567890".to_vec()),
                device_key: Some(Secret::new(vec![7; 32])),
                push_token: None,
            },
        );
        secrets
            .settings
            .insert("backup-password".into(), Secret::new(b"pw".to_vec()));
        secrets
    }

    #[test]
    fn round_trip_and_nothing_readable_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let key = VaultKey::random();
        sample().write(&path, &key, "v1").unwrap();
        assert_eq!(Secrets::read(&path, &key, "v1").unwrap(), Some(sample()));
        let text = fs::read_to_string(&path).unwrap();
        for needle in ["GEZDGNBV", "3132333435", "0707070707", "7077"] {
            assert!(!text.contains(needle), "{needle} in {text}");
        }
    }

    #[test]
    fn another_key_another_vault_or_a_flipped_bit_is_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let key = VaultKey::random();
        sample().write(&path, &key, "v1").unwrap();
        let wrong = Secrets::read(&path, &VaultKey::random(), "v1").unwrap_err();
        assert!(matches!(wrong, Error::SecretsCorrupt { .. }), "{wrong}");
        assert!(Secrets::read(&path, &key, "v2").is_err());
        let mut file: serde_json::Value =
            serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        let mut sealed = BASE64.decode(file["sealed"].as_str().unwrap()).unwrap();
        sealed[20] ^= 1;
        file["sealed"] = BASE64.encode(sealed).into();
        fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
        assert!(matches!(
            Secrets::read(&path, &key, "v1"),
            Err(Error::SecretsCorrupt { .. })
        ));
        assert_eq!(
            Secrets::read(&dir.path().join("none"), &key, "v1").unwrap(),
            None
        );
    }
}
