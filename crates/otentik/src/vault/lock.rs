//! The app lock: the vault key wrapped under Argon2id of the user's password, and the wait
//! that slows wrong passwords (`docs/decisions/0006-vault-key-and-lock.md`).
//!
//! With the lock on, the data directory holds `lock.json` (the Argon2id parameters, a salt and
//! the wrapped key, bound to the parameters and the vault) and the keyring holds no key: the
//! secrets file cannot be opened without the password. `unlock.json` counts wrong passwords.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::metadata::{read_if_exists, write_atomic};
use super::sealed::{self, VaultKey};
use crate::error::{Error, Result};

/// The lock file inside the data directory; present exactly when the lock is on.
pub const FILE_NAME: &str = "lock.json";
/// The wrong-password counter inside the data directory.
pub const ATTEMPTS_NAME: &str = "unlock.json";
/// What `format` says.
const FORMAT: &str = "otentik-lock";
/// The version this build writes and the newest it reads.
const VERSION: u32 = 1;
/// The shortest password the lock accepts, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Wrong passwords allowed before the first wait.
pub const FREE_ATTEMPTS: u32 = 5;
/// The lock's settings inside the data directory (the app's idle time).
pub const SETTINGS_NAME: &str = "lock-settings.json";
/// The idle time after which the app locks, unless the user chose another.
pub const DEFAULT_IDLE_SECONDS: u64 = 5 * 60;
/// The longest idle time that can be set (a day); 0 means never.
pub const MAX_IDLE_SECONDS: u64 = 24 * 60 * 60;

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// The least the lock uses: 64 MiB, one pass, one lane.
    pub const MINIMUM: Self = Self {
        memory_kib: 64 * 1024,
        iterations: 1,
        parallelism: 1,
    };
    /// The most a lock file may ask for (a hostile file must not freeze the machine).
    const MAX_MEMORY_KIB: u32 = 1024 * 1024;
    const MAX_ITERATIONS: u32 = 64;
    const MAX_PARALLELISM: u32 = 16;

    /// 64 MiB and as many passes as take about `target` on this machine, at least one and at
    /// most 16. Measured with one pass and with two: the first pass also pays for filling the
    /// memory, so a pass costs the difference and the rest is fixed.
    pub fn calibrate(target: Duration) -> Self {
        let time = |iterations: u32| {
            let start = Instant::now();
            let _ = derive(
                b"calibration",
                &[0; 16],
                Self {
                    iterations,
                    ..Self::MINIMUM
                },
            );
            start.elapsed().as_secs_f64()
        };
        let one = time(1);
        let two = time(2);
        let per_pass = (two - one).max(one / 4.0).max(0.001);
        let fixed = (one - per_pass).max(0.0);
        let passes = ((target.as_secs_f64() - fixed) / per_pass)
            .round()
            .clamp(1.0, 16.0);
        Self {
            // `passes` is within 1..=16.
            iterations: passes as u32,
            ..Self::MINIMUM
        }
    }

    fn check(self) -> Option<argon2::Params> {
        if self.memory_kib > Self::MAX_MEMORY_KIB
            || self.iterations > Self::MAX_ITERATIONS
            || self.parallelism > Self::MAX_PARALLELISM
        {
            return None;
        }
        argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32)).ok()
    }
}

/// Argon2id (version 0x13) of `password`; `None` for parameters out of bounds.
fn derive(password: &[u8], salt: &[u8], params: KdfParams) -> Option<Zeroizing<[u8; 32]>> {
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params.check()?,
    );
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(password, salt, key.as_mut())
        .ok()?;
    Some(key)
}

/// `lock.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LockFile {
    format: String,
    version: u32,
    vault_id: String,
    kdf: String,
    params: KdfParams,
    /// base64 salt.
    salt: String,
    /// base64 of `nonce ‖ wrapped key ‖ tag`.
    wrapped_key: String,
}

impl LockFile {
    /// Wraps `key` under `password`.
    pub fn wrap(key: &VaultKey, password: &str, params: KdfParams, vault_id: &str) -> Result<Self> {
        check_password(password)?;
        let salt: [u8; 16] = rand::random();
        let mut file = Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            vault_id: vault_id.to_owned(),
            kdf: "argon2id".to_owned(),
            params,
            salt: BASE64.encode(salt),
            wrapped_key: String::new(),
        };
        let kek = derive(password.as_bytes(), &salt, params).ok_or(Error::LockDamaged {
            detail: "Argon2id parameters out of bounds".to_owned(),
        })?;
        file.wrapped_key = BASE64.encode(sealed::seal(&kek, key.expose(), &file.aad()));
        Ok(file)
    }

    /// The vault key, when `password` is right. A wrong password and a wrapped key or
    /// parameters altered on disk look the same: [`Error::LockWrongPassword`].
    pub fn unwrap_key(&self, password: &str) -> Result<VaultKey> {
        let damaged = |detail: &str| Error::LockDamaged {
            detail: detail.to_owned(),
        };
        let salt = BASE64
            .decode(&self.salt)
            .map_err(|_| damaged("the salt is not base64"))?;
        let wrapped = BASE64
            .decode(&self.wrapped_key)
            .map_err(|_| damaged("the wrapped key is not base64"))?;
        let kek = derive(password.as_bytes(), &salt, self.params)
            .ok_or_else(|| damaged("Argon2id parameters out of bounds"))?;
        let bytes = sealed::open(&kek, &wrapped, &self.aad())
            .ok_or(Error::LockWrongPassword { wait_seconds: 0 })?;
        VaultKey::from_bytes(&bytes).ok_or_else(|| damaged("the key has the wrong length"))
    }

    /// The parameters the key is wrapped with.
    pub fn params(&self) -> KdfParams {
        self.params
    }

    /// Reads the file; `Ok(None)` when the lock is off.
    pub fn read(path: &Path, vault_id: &str) -> Result<Option<Self>> {
        let Some(bytes) = read_if_exists(path)? else {
            return Ok(None);
        };
        let damaged = |detail: &str| Error::LockDamaged {
            detail: detail.to_owned(),
        };
        let file: Self = serde_json::from_slice(&bytes).map_err(|_| damaged("not JSON"))?;
        if file.format != FORMAT || file.kdf != "argon2id" {
            return Err(damaged("not an Otentik lock file"));
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
        Ok(Some(file))
    }

    /// Writes the file atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        write_atomic(path, &bytes)
    }

    /// The wrapped key is bound to everything else in the file.
    fn aad(&self) -> Vec<u8> {
        format!(
            "{}/{}/{}/{}/{}/{}/{}/{}",
            self.format,
            self.version,
            self.vault_id,
            self.kdf,
            self.params.memory_kib,
            self.params.iterations,
            self.params.parallelism,
            self.salt
        )
        .into_bytes()
    }
}

/// Refuses a password shorter than [`MIN_PASSWORD_CHARS`].
pub fn check_password(password: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(Error::LockPasswordTooShort {
            chars,
            min: MIN_PASSWORD_CHARS,
        });
    }
    Ok(())
}

/// How hard a password looks: a hint shown while it is typed, never a rule beyond the length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// Shorter than the minimum.
    TooShort,
    /// Long enough, but short or of one kind of character.
    Weak,
    /// Reasonable.
    Fair,
    /// Long and varied (a passphrase of several words counts).
    Strong,
}

/// The hint for `password`: length first, variety second.
pub fn strength(password: &str) -> Strength {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Strength::TooShort;
    }
    let kinds = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_numeric()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|kind| **kind)
    .count();
    let unique = {
        let mut seen: Vec<char> = password.chars().collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    match (chars, kinds, unique) {
        (_, _, u) if u < 5 => Strength::Weak,
        (c, _, _) if c >= 16 => Strength::Strong,
        (c, k, _) if c >= 12 && k >= 3 => Strength::Strong,
        (_, k, _) if k >= 2 => Strength::Fair,
        _ => Strength::Weak,
    }
}

/// The wait after `failures` wrong passwords in a row, in seconds: none for the first
/// [`FREE_ATTEMPTS`], then 30 s, 1 min, 5 min, 15 min, 30 min, and 1 h from then on.
pub fn wait_after(failures: u32) -> u64 {
    const SCHEDULE: [u64; 6] = [30, 60, 300, 900, 1800, 3600];
    match failures.checked_sub(FREE_ATTEMPTS) {
        None => 0,
        Some(extra) => SCHEDULE[(extra as usize).min(SCHEDULE.len() - 1)],
    }
}

/// `unlock.json`: wrong passwords in a row and when the last one was given. Kept on disk so
/// that restarting the app or running the CLI again does not reset the wait.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempts {
    /// Wrong passwords in a row (an attempt still running counts as wrong).
    pub failures: u32,
    /// Unix time of the last one.
    pub last: u64,
}

impl Attempts {
    /// Reads the counter. Missing is zero; damaged (someone editing it to reset the wait)
    /// counts as the free tries used up, so the next wrong password waits.
    pub fn read(path: &Path) -> Self {
        match fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Self {
                failures: FREE_ATTEMPTS,
                last: 0,
            }),
            Err(_) => Self::default(),
        }
    }

    /// Writes the counter atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        write_atomic(path, &serde_json::to_vec(self).unwrap_or_default())
    }

    /// Seconds left before another password may be tried at `now`. A clock set back before
    /// the last failure restarts the whole wait rather than ending it.
    pub fn wait_left(&self, now: u64) -> u64 {
        let wait = wait_after(self.failures);
        if wait == 0 {
            return 0;
        }
        if now < self.last {
            return wait;
        }
        (self.last + wait).saturating_sub(now)
    }
}

/// `lock-settings.json`: how the app applies the lock. Not secret, readable while locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockSettings {
    /// Seconds without use after which the app locks; 0: never.
    pub idle_seconds: u64,
}

impl Default for LockSettings {
    fn default() -> Self {
        Self {
            idle_seconds: DEFAULT_IDLE_SECONDS,
        }
    }
}

impl LockSettings {
    /// Reads the settings; missing or damaged gives the defaults (a damaged file must not
    /// turn the idle lock off).
    pub fn read(path: &Path) -> Self {
        fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Writes the settings atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        write_atomic(path, &serde_json::to_vec(self).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_settings_default_to_five_minutes_even_when_damaged() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(SETTINGS_NAME);
        assert_eq!(LockSettings::read(&path).idle_seconds, 300);
        LockSettings { idle_seconds: 60 }
            .write(&path)
            .expect("write");
        assert_eq!(LockSettings::read(&path).idle_seconds, 60);
        fs::write(&path, b"{broken").expect("damage");
        assert_eq!(LockSettings::read(&path), LockSettings::default());
    }

    #[test]
    fn the_wait_grows_after_five_wrong_passwords_and_is_capped() {
        let waits: Vec<u64> = (0..13).map(wait_after).collect();
        assert_eq!(
            waits,
            [0, 0, 0, 0, 0, 30, 60, 300, 900, 1800, 3600, 3600, 3600]
        );
    }

    #[test]
    fn wait_left_counts_down_with_the_injected_clock_and_survives_a_clock_set_back() {
        let attempts = Attempts {
            failures: 6,
            last: 1_000,
        };
        assert_eq!(attempts.wait_left(1_000), 60);
        assert_eq!(attempts.wait_left(1_045), 15);
        assert_eq!(attempts.wait_left(1_060), 0);
        assert_eq!(attempts.wait_left(5_000), 0);
        assert_eq!(attempts.wait_left(10), 60, "a clock set back waits in full");
        assert_eq!(
            Attempts {
                failures: 4,
                last: 1_000
            }
            .wait_left(1_000),
            0
        );
    }

    #[test]
    fn a_damaged_counter_file_still_makes_the_next_try_wait() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ATTEMPTS_NAME);
        assert_eq!(Attempts::read(&path), Attempts::default());
        fs::write(&path, b"{broken").unwrap();
        let damaged = Attempts::read(&path);
        assert_eq!(damaged.failures, FREE_ATTEMPTS);
        assert!(wait_after(damaged.failures) > 0);
        Attempts {
            failures: 2,
            last: 9,
        }
        .write(&path)
        .unwrap();
        assert_eq!(Attempts::read(&path).failures, 2);
    }

    #[test]
    fn wrap_unwrap_wrong_password_and_tampering() {
        let key = VaultKey::random();
        let file = LockFile::wrap(&key, "kata sandi panjang", KdfParams::MINIMUM, "v1").unwrap();
        assert_eq!(
            file.unwrap_key("kata sandi panjang").unwrap().expose(),
            key.expose()
        );
        assert!(matches!(
            file.unwrap_key("kata sandi salah!"),
            Err(Error::LockWrongPassword { .. })
        ));
        let mut weaker = file.clone();
        weaker.params.iterations = 2;
        assert!(
            matches!(
                weaker.unwrap_key("kata sandi panjang"),
                Err(Error::LockWrongPassword { .. })
            ),
            "parameters are bound to the wrapped key"
        );
        let mut flipped = file.clone();
        let mut wrapped = BASE64.decode(&flipped.wrapped_key).unwrap();
        wrapped[14] ^= 0x80;
        flipped.wrapped_key = BASE64.encode(wrapped);
        assert!(matches!(
            flipped.unwrap_key("kata sandi panjang"),
            Err(Error::LockWrongPassword { .. })
        ));
        let mut hostile = file;
        hostile.params.memory_kib = u32::MAX;
        assert!(matches!(
            hostile.unwrap_key("kata sandi panjang"),
            Err(Error::LockDamaged { .. })
        ));
        assert!(matches!(
            LockFile::wrap(&key, "pendek", KdfParams::MINIMUM, "v1"),
            Err(Error::LockPasswordTooShort { chars: 6, min: 8 })
        ));
    }

    #[test]
    fn strength_hints() {
        assert_eq!(strength("abc"), Strength::TooShort);
        assert_eq!(strength("aaaaaaaaaaaa"), Strength::Weak);
        assert_eq!(strength("password"), Strength::Weak);
        assert_eq!(strength("Password1"), Strength::Fair);
        assert_eq!(strength("Pengadaan2026!"), Strength::Strong);
        assert_eq!(strength("kuda baterai staples benar"), Strength::Strong);
    }
}
