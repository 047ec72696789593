//! Automatic backups: a folder, a password kept in the OS keyring, the last [`KEEP`] files.
//!
//! The settings live in `backup.json` beside the account list (never the password); each run
//! writes `otentik-backup-YYYYMMDD-HHMMSS.json` through [`super::save_verified`] and removes
//! the oldest of Otentik's own backup files beyond [`KEEP`]. Time is passed in.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::save_verified;
use crate::error::{Code, Error, Result};
use crate::vault::Vault;
use crate::vault::metadata::io;

/// How many backup files are kept.
pub const KEEP: usize = 10;
/// A backup is written at least this often, in seconds, even without a change.
pub const DAILY: u64 = 24 * 60 * 60;
/// The name of the backup password among the vault's setting secrets.
pub const PASSWORD_SECRET: &str = "backup-password";
/// The settings file, in the vault's directory.
pub const SETTINGS_FILE: &str = "backup.json";

const PREFIX: &str = "otentik-backup-";
const SUFFIX: &str = ".json";

/// The automatic backups' settings and last outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Whether backups are written automatically.
    pub enabled: bool,
    /// The folder they go to.
    pub folder: Option<PathBuf>,
    /// When the last backup was written and verified (Unix seconds).
    pub last_verified: Option<u64>,
    /// The file of the last verified backup.
    pub last_file: Option<PathBuf>,
    /// What the accounts looked like at the last backup (a digest of what a backup holds):
    /// a change to it calls for a new backup.
    pub last_state: Option<String>,
    /// The last failure, until a backup succeeds again.
    pub last_error: Option<Failed>,
}

/// A failed automatic backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failed {
    /// When (Unix seconds).
    pub at: u64,
    /// The error's code.
    pub code: Code,
    /// The error's message (English; never a secret).
    pub message: String,
}

impl Settings {
    /// Reads the settings of the vault in `dir` (defaults when there are none yet).
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(SETTINGS_FILE);
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::MetadataCorrupt {
                path,
                detail: e.to_string(),
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(io("read", &path, source)),
        }
    }

    /// Writes the settings atomically.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(SETTINGS_FILE);
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::MetadataCorrupt {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        crate::vault::metadata::write_atomic(&path, &bytes)
    }

    /// Whether a backup is due at `now` for accounts in `state` (see [`state_of`]).
    pub fn due(&self, state: &str, now: u64) -> bool {
        self.enabled
            && (self.last_state.as_deref() != Some(state)
                || self
                    .last_verified
                    .is_none_or(|last| now.saturating_sub(last) >= DAILY)
                || self.last_error.is_some())
    }
}

/// A digest of what a backup of `vault` holds (accounts, order, names, counters, push
/// servers; not push states or clock offsets, which a backup does not carry).
pub fn state_of(vault: &Vault) -> String {
    use sha2::Digest as _;
    let mut hash = sha2::Sha256::new();
    for account in vault.accounts() {
        let push = account.push.as_ref().map_or("", |push| push.url.as_str());
        let line = serde_json::json!([
            account.id,
            account.kind,
            account.issuer,
            account.name,
            account.algorithm,
            account.digits,
            account.period,
            account.counter,
            push
        ]);
        hash.update(line.to_string().as_bytes());
        hash.update(b"\n");
    }
    hex::encode(hash.finalize())
}

/// The default folder: `Otentik` under the user's Documents (or home) folder.
pub fn default_folder() -> Option<PathBuf> {
    let dirs = directories::UserDirs::new()?;
    let base = dirs
        .document_dir()
        .map_or_else(|| dirs.home_dir().to_path_buf(), Path::to_path_buf);
    Some(base.join("Otentik"))
}

/// Writes a verified backup of `vault` into `folder` under `password`, removes the oldest of
/// Otentik's backup files beyond [`KEEP`], and returns the new file. The folder must exist:
/// a folder that is gone (an unplugged disk) is an error, not a new empty folder.
pub fn write_backup(vault: &Vault, folder: &Path, password: &str, now: u64) -> Result<PathBuf> {
    if !folder.is_dir() {
        return Err(io(
            "write a backup to",
            folder,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the backup folder does not exist (an unplugged disk?)",
            ),
        ));
    }
    let entries = vault.backup_entries()?;
    let mut path = folder.join(file_name(now));
    // Two backups in one second: the second gets a suffix rather than replacing the first.
    let mut extra = 1;
    while path.exists() {
        extra += 1;
        path = folder.join(format!("{}-{extra}{SUFFIX}", file_stem(now)));
    }
    save_verified(&path, &entries, Some(password))?;
    prune(folder, KEEP)?;
    Ok(path)
}

/// Removes the oldest of Otentik's backup files in `folder` beyond `keep`. Other files are
/// never touched.
pub fn prune(folder: &Path, keep: usize) -> Result<Vec<PathBuf>> {
    let mut ours: Vec<PathBuf> = fs::read_dir(folder)
        .map_err(|source| io("read", folder, source))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with(PREFIX) && name.ends_with(SUFFIX))
        })
        .collect();
    // The names sort by time (YYYYMMDD-HHMMSS); newest last.
    ours.sort();
    let excess = ours.len().saturating_sub(keep);
    let removed: Vec<PathBuf> = ours.into_iter().take(excess).collect();
    for path in &removed {
        fs::remove_file(path).map_err(|source| io("remove", path, source))?;
    }
    Ok(removed)
}

/// `otentik-backup-YYYYMMDD-HHMMSS.json` for `now` (UTC).
pub fn file_name(now: u64) -> String {
    format!("{}{SUFFIX}", file_stem(now))
}

fn file_stem(now: u64) -> String {
    let (year, month, day) = civil_date(now / 86_400);
    let seconds = now % 86_400;
    format!(
        "{PREFIX}{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_date(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_carry_the_utc_date_and_time() {
        assert_eq!(file_name(0), "otentik-backup-19700101-000000.json");
        assert_eq!(
            file_name(1_767_225_600),
            "otentik-backup-20260101-000000.json"
        );
        assert_eq!(
            file_name(951_827_696),
            "otentik-backup-20000229-123456.json"
        );
        assert_eq!(
            file_name(4_102_444_799),
            "otentik-backup-20991231-235959.json"
        );
    }

    #[test]
    fn prune_keeps_the_newest_of_ours_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..13u64 {
            fs::write(dir.path().join(file_name(1_767_225_600 + i * 60)), b"x").unwrap();
        }
        fs::write(dir.path().join("notes.json"), b"mine").unwrap();
        fs::write(dir.path().join("otentik-backup-notes.txt"), b"mine").unwrap();
        let removed = prune(dir.path(), KEEP).unwrap();
        assert_eq!(removed.len(), 3);
        assert!(removed[0].ends_with(file_name(1_767_225_600)));
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 12);
        assert!(dir.path().join("notes.json").exists());
        assert!(dir.path().join(file_name(1_767_225_600 + 12 * 60)).exists());
    }

    #[test]
    fn a_backup_is_due_on_a_change_a_day_later_or_after_a_failure() {
        let mut settings = Settings {
            enabled: true,
            last_verified: Some(1000),
            last_state: Some("a".into()),
            ..Settings::default()
        };
        assert!(!settings.due("a", 1000 + DAILY - 1));
        assert!(settings.due("b", 1001));
        assert!(settings.due("a", 1000 + DAILY));
        settings.last_error = Some(Failed {
            at: 1001,
            code: Code::Storage,
            message: "disk full".into(),
        });
        assert!(settings.due("a", 1002));
        settings.enabled = false;
        assert!(!settings.due("b", 1000 + 2 * DAILY));
    }
}
