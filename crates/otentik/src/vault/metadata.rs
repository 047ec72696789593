//! The metadata file: every account's non-secret data, in display order, as versioned JSON.
//!
//! Written atomically (temporary file in the same directory, fsync, rename, fsync of the
//! directory), so a crash leaves either the old file or the new one. A file that cannot be
//! read, or that a newer Otentik wrote, is refused and never overwritten.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::account::{Algorithm, OtpKind};
use crate::error::{Error, Result};

/// The file name inside the data directory.
pub const FILE_NAME: &str = "accounts.json";
/// The lock file that serialises writers (this process and others).
pub const LOCK_NAME: &str = "accounts.lock";
/// What `format` says.
const FORMAT: &str = "otentik-accounts";
/// The version this build writes and the newest it reads.
pub const VERSION: u32 = 1;

/// The whole file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Metadata {
    /// Always `otentik-accounts`.
    pub format: String,
    /// File format version.
    pub version: u32,
    /// Random id of this vault; its keyring entries are named `<vault_id>:<account id>`.
    pub vault_id: String,
    /// Accounts in display order.
    pub accounts: Vec<StoredAccount>,
}

/// One account's metadata. Never a secret.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredAccount {
    /// Stable random id.
    pub id: String,
    /// TOTP or HOTP.
    pub kind: OtpKind,
    /// Issuer (may be empty).
    pub issuer: String,
    /// Account name.
    pub name: String,
    /// HMAC algorithm.
    pub algorithm: Algorithm,
    /// Code length.
    pub digits: u8,
    /// TOTP period in seconds.
    pub period: u32,
    /// HOTP: the counter of the next code to show.
    pub counter: u64,
    /// Unix time the account was added.
    pub created_at: u64,
    /// Push approvals, when the account's QR offered them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<PushRecord>,
    /// The site origins the account is bound to (`https://lpse.bandung.go.id`): where the
    /// browser extension may fill its codes. Written through [`crate::origin::Origin::parse`]
    /// only; kept as text so that a rule changed later never makes the file unreadable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
}

/// Push state of an account (see `docs/protocol.md`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PushRecord {
    /// Base URL of the push server's device API.
    pub url: String,
    /// Where enrolment stands.
    pub state: PushState,
    /// Device id the server assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// The server's Ed25519 public key, pinned at enrolment (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_key: Option<String>,
    /// The fingerprint the enrolment QR code named (`push_key`): enrolment refuses any other
    /// server key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_pin: Option<String>,
    /// Server clock minus device clock, in seconds, as last measured.
    #[serde(default)]
    pub clock_offset: i64,
    /// The last problem, in English, for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Whether the device registered a poll-only key at enrolment (protocol v1 addition), so
    /// login requests reach the app while it is locked. Enrolments made before it have none:
    /// their requests arrive only while unlocked, until activated again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub poll_key: bool,
}

/// Where push enrolment stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PushState {
    /// Not enrolled yet (the server could not be reached): retried.
    Pending,
    /// Enrolled: login requests arrive.
    Active,
    /// The site disabled or reset TOTP: "TOTP dinonaktifkan atau direset di server".
    Revoked,
    /// The server refused the enrolment for good (expired or used QR): scan a new one.
    Failed,
    /// Restored from a backup: codes work, but device keys never leave a device, so login
    /// approvals need activating again on the site ("aktifkan lagi").
    Restored,
}

impl PushRecord {
    /// A push record not enrolled yet: no device id, no pinned server key, no clock offset.
    pub fn new(url: String, state: PushState, key_pin: Option<String>) -> Self {
        Self {
            url,
            state,
            device_id: None,
            server_key: None,
            key_pin,
            clock_offset: 0,
            last_error: None,
            poll_key: false,
        }
    }
}

impl StoredAccount {
    /// Server clock minus device clock as last measured (0 without push).
    pub fn clock_offset(&self) -> i64 {
        self.push.as_ref().map_or(0, |push| push.clock_offset)
    }
}

impl Metadata {
    /// A new, empty vault.
    pub fn new(vault_id: String) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            vault_id,
            accounts: Vec::new(),
        }
    }

    /// Reads the file; `Ok(None)` when it does not exist yet.
    pub fn read(path: &Path) -> Result<Option<Self>> {
        let Some(bytes) = read_if_exists(path)? else {
            return Ok(None);
        };
        let corrupt = |detail: String| Error::MetadataCorrupt {
            path: path.to_path_buf(),
            detail,
        };
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(corrupt(format!(
                "it is not an Otentik account list (no \"format\": \"{FORMAT}\")"
            )));
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(version) if version > u64::from(VERSION) => {
                return Err(Error::MetadataTooNew {
                    path: path.to_path_buf(),
                    version,
                });
            }
            Some(_) => {}
            None => return Err(corrupt("it has no version".to_owned())),
        }
        let metadata: Self = serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
        Ok(Some(metadata))
    }

    /// Writes the file atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::MetadataCorrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        bytes.push(b'\n');
        write_atomic(path, &bytes)
    }
}

/// The bytes of the file at `path`; `Ok(None)` when there is no such file.
pub(crate) fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(io("read", path, source)),
    }
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, synced, renamed over it,
/// and the directory synced. A failure (a full disk) leaves the old file in place.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let temp = temp_path(path);
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|source| io("create", &temp, source))?;
        file.write_all(bytes)
            .map_err(|source| io("write", &temp, source))?;
        file.sync_all()
            .map_err(|source| io("write", &temp, source))?;
        drop(file);
        fs::rename(&temp, path).map_err(|source| io("replace", path, source))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Removes temporary files a crash left behind.
pub fn sweep_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if [
            FILE_NAME,
            super::sealed::FILE_NAME,
            super::lock::FILE_NAME,
            super::lock::ATTEMPTS_NAME,
            super::lock::SETTINGS_NAME,
        ]
        .iter()
        .any(|file| name.starts_with(&format!("{file}.tmp-")))
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

pub(crate) fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    PathBuf::from(name)
}

pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|source| io("sync", dir, source))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// An I/O error with what was being done and where.
pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}
