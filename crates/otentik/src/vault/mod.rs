//! The vault: accounts kept so that none is ever lost.
//!
//! Each account's secrets live in one OS keyring entry ([`SecretStore`]); everything else
//! lives in a metadata file ([`metadata`]) in the data directory. Writes happen in an order
//! that a crash at any instant cannot turn into an account without its secret:
//!
//! - add: keyring first, then metadata;
//! - remove: metadata first, then keyring;
//! - open: keyring entries of this vault that no account lists (orphans of a crash) are
//!   swept.
//!
//! Every change holds an exclusive lock on `accounts.lock` and re-reads the file first, so
//! the app and the CLI can change the vault at the same time.

pub mod metadata;
mod secrets;
mod store;

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

pub use metadata::{Metadata, PushRecord, PushState, StoredAccount};
pub use secrets::AccountSecrets;
#[cfg(any(test, feature = "test-store"))]
pub use store::MemoryStore;
pub use store::{KeyringStore, SecretStore};

use crate::account::{Account, OtpKind};
use crate::error::{Error, Result};
use crate::otp;

/// Environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "OTENTIK_DATA_DIR";
/// Environment variable that overrides the keyring service name.
pub const SERVICE_ENV: &str = "OTENTIK_KEYRING_SERVICE";
/// The keyring service name by default.
pub const DEFAULT_SERVICE: &str = "otentik";

/// Accounts on disk and in the keyring.
pub struct Vault {
    dir: PathBuf,
    store: Box<dyn SecretStore>,
    metadata: Metadata,
}

/// Holds the vault's lock file locked until dropped.
struct Lock(#[allow(dead_code)] File);

impl Vault {
    /// The data directory: `OTENTIK_DATA_DIR`, or the platform's (e.g. `~/.local/share/otentik`).
    pub fn default_dir() -> Result<PathBuf> {
        if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
            return Ok(PathBuf::from(dir));
        }
        directories::ProjectDirs::from("id", "Otentik", "otentik")
            .map(|dirs| dirs.data_dir().to_path_buf())
            .ok_or(Error::DataDirUnknown)
    }

    /// The keyring service: `OTENTIK_KEYRING_SERVICE`, or `otentik`.
    pub fn default_service() -> String {
        std::env::var(SERVICE_ENV)
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_SERVICE.to_owned())
    }

    /// Opens the user's vault: default directory, OS keyring.
    pub fn open_default() -> Result<Self> {
        let dir = Self::default_dir()?;
        // The metadata is checked before the keyring is contacted: a damaged file is reported
        // as such, even when the keyring is away too.
        Metadata::read(&dir.join(metadata::FILE_NAME))?;
        let store = KeyringStore::connect(Self::default_service())?;
        Self::open(dir, Box::new(store))
    }

    /// Opens (creating if needed) the vault in `dir` with secrets in `store`, and sweeps
    /// orphaned keyring entries.
    pub fn open(dir: PathBuf, store: Box<dyn SecretStore>) -> Result<Self> {
        fs::create_dir_all(&dir).map_err(|source| metadata::io("create", &dir, source))?;
        let path = dir.join(metadata::FILE_NAME);
        let mut vault = Self {
            dir,
            store,
            metadata: Metadata::new(String::new()),
        };
        let _lock = vault.lock()?;
        vault.metadata = match Metadata::read(&path)? {
            Some(metadata) => metadata,
            None => {
                // Written before any secret, so the vault id that names them is never lost.
                let metadata = Metadata::new(random_id());
                metadata.write(&path)?;
                metadata
            }
        };
        metadata::sweep_temp_files(&vault.dir);
        vault.sweep_orphans()?;
        Ok(vault)
    }

    /// The directory holding the metadata file.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The metadata file.
    pub fn metadata_path(&self) -> PathBuf {
        self.dir.join(metadata::FILE_NAME)
    }

    /// Accounts in display order (metadata only).
    pub fn accounts(&self) -> &[StoredAccount] {
        &self.metadata.accounts
    }

    /// One account's metadata.
    pub fn get(&self, id: &str) -> Result<&StoredAccount> {
        self.metadata
            .accounts
            .iter()
            .find(|a| a.id == id)
            .ok_or_else(|| Error::NoMatch {
                query: id.to_owned(),
            })
    }

    /// Accounts whose issuer or name contains `query`, case-insensitively. An exact id also
    /// matches. An empty query matches everything.
    pub fn search(&self, query: &str) -> Vec<&StoredAccount> {
        let needle = query.to_lowercase();
        if let Some(exact) = self.metadata.accounts.iter().find(|a| a.id == query) {
            return vec![exact];
        }
        self.metadata
            .accounts
            .iter()
            .filter(|a| {
                a.issuer.to_lowercase().contains(&needle)
                    || a.name.to_lowercase().contains(&needle)
                    || label(a).to_lowercase().contains(&needle)
            })
            .collect()
    }

    /// The one account `query` designates; an error lists the candidates when it is ambiguous.
    pub fn find_one(&self, query: &str) -> Result<&StoredAccount> {
        let matches = self.search(query);
        match matches.as_slice() {
            [] => Err(Error::NoMatch {
                query: query.to_owned(),
            }),
            [one] => Ok(one),
            many => {
                // An exact label match wins over partial ones.
                let exact: Vec<_> = many
                    .iter()
                    .filter(|a| {
                        label(a).eq_ignore_ascii_case(query) || a.name.eq_ignore_ascii_case(query)
                    })
                    .collect();
                if let [one] = exact.as_slice() {
                    return Ok(one);
                }
                Err(Error::Ambiguous {
                    query: query.to_owned(),
                    matches: many.iter().map(|a| label(a)).collect(),
                })
            }
        }
    }

    /// Adds an account (and its push invitation, if any). Refuses an account with the same
    /// issuer, name and secret as one already kept, unless `force`.
    pub fn add(&mut self, account: &Account, now: u64, force: bool) -> Result<StoredAccount> {
        let push = account
            .push
            .as_ref()
            .map(|push| PushRecord::new(push.url.clone(), PushState::Pending, push.key.clone()));
        let stored = new_stored(account, now, push);
        let secrets = AccountSecrets {
            otp: account.secret.clone(),
            device_key: None,
            push_token: account
                .push
                .as_ref()
                .map(|push| crate::Secret::new(push.token.as_bytes().to_vec())),
        };
        let key = self.key(&stored.id);
        let mut stored_secret = false;
        let added = self.transaction(|vault, next| {
            if !force {
                vault.refuse_duplicate(next, account)?;
            }
            // Keyring first: a crash after this line leaves an orphan that the next open
            // sweeps.
            vault.store.put(&key, &secrets.encode())?;
            stored_secret = true;
            next.accounts.push(stored.clone());
            Ok(stored)
        });
        if added.is_err() && stored_secret {
            // The metadata write failed: take the secret back now rather than at next open.
            let _ = self.store.delete(&key);
        }
        added
    }

    /// Adds every entry of an import at once, or none: the keyring entries are written first,
    /// then the account list in one atomic write, so a crash at any instant leaves the vault
    /// as it was (the orphaned keyring entries are swept at the next open) or with every new
    /// entry. Entries already kept (same secret, type, issuer and name), or twice in the
    /// import, are counted in [`Imported::duplicates`] and not added. Push accounts come back
    /// as [`PushState::Restored`]: device keys never leave a device.
    #[cfg(feature = "backup")]
    pub fn import(&mut self, entries: &[crate::backup::Entry], now: u64) -> Result<Imported> {
        let mut written: Vec<String> = Vec::new();
        let outcome = self.transaction(|vault, next| {
            let (fresh, duplicates) = vault.sort_out(next, entries)?;
            let mut imported = Imported {
                added: Vec::with_capacity(fresh.len()),
                duplicates,
            };
            for entry in fresh {
                let account = &entry.account;
                let push = entry
                    .extra
                    .push_url
                    .as_ref()
                    .map(|url| PushRecord::new(url.clone(), PushState::Restored, None));
                let stored = new_stored(account, entry.extra.added_at.unwrap_or(now), push);
                let key = vault.key(&stored.id);
                vault
                    .store
                    .put(&key, &AccountSecrets::new(account.secret.clone()).encode())?;
                written.push(key);
                imported.added.push(stored.clone());
                next.accounts.push(stored);
            }
            Ok(imported)
        });
        if outcome.is_err() {
            // Nothing was added: take back the secrets written so far.
            for key in &written {
                let _ = self.store.delete(key);
            }
        }
        outcome
    }

    /// For each of `entries`, whether [`Vault::import`] would leave it out as already kept
    /// (in the vault, or earlier in `entries`).
    #[cfg(feature = "backup")]
    pub fn import_duplicates(&self, entries: &[crate::backup::Entry]) -> Result<Vec<bool>> {
        let (fresh, _) = self.sort_out(&self.metadata, entries)?;
        Ok(entries
            .iter()
            .map(|entry| !fresh.iter().any(|kept| std::ptr::eq(*kept, entry)))
            .collect())
    }

    /// The entries that are new to `metadata` (and not repeated within `entries`), and how
    /// many are not.
    #[cfg(feature = "backup")]
    fn sort_out<'e>(
        &self,
        metadata: &Metadata,
        entries: &'e [crate::backup::Entry],
    ) -> Result<(Vec<&'e crate::backup::Entry>, usize)> {
        let mut kept: Vec<Account> = Vec::new();
        for stored in &metadata.accounts {
            match self.secrets_of(stored) {
                Ok(secrets) => kept.push(to_account(stored, secrets.otp)),
                Err(Error::SecretMissing { .. } | Error::SecretDamaged { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        let mut fresh = Vec::new();
        let mut duplicates = 0;
        for entry in entries {
            if kept.iter().any(|other| same_account(other, &entry.account)) {
                duplicates += 1;
            } else {
                kept.push(entry.account.clone());
                fresh.push(entry);
            }
        }
        Ok((fresh, duplicates))
    }

    /// Every account as a backup entry, in list order: the account with its secret, and the
    /// time it was added and its push server as Otentik-only extras.
    #[cfg(feature = "backup")]
    pub fn backup_entries(&self) -> Result<Vec<crate::backup::Entry>> {
        self.metadata
            .accounts
            .iter()
            .map(|stored| {
                Ok(crate::backup::Entry {
                    account: self.account(&stored.id)?,
                    extra: crate::backup::Extra {
                        added_at: Some(stored.created_at),
                        push_url: stored.push.as_ref().map(|push| push.url.clone()),
                    },
                })
            })
            .collect()
    }

    /// Refuses `account` when `metadata` keeps one with the same issuer, name and secret.
    fn refuse_duplicate(&self, metadata: &Metadata, account: &Account) -> Result<()> {
        for existing in metadata
            .accounts
            .iter()
            .filter(|a| a.issuer == account.issuer && a.name == account.name)
        {
            match self.secrets_of(existing) {
                Ok(secrets) if secrets.otp == account.secret => {
                    return Err(Error::Duplicate {
                        label: account.label(),
                    });
                }
                Ok(_) | Err(Error::SecretMissing { .. } | Error::SecretDamaged { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Removes an account: metadata first, then its keyring entry.
    pub fn remove(&mut self, id: &str) -> Result<StoredAccount> {
        let removed = self.transaction(|_, next| {
            let position = next
                .accounts
                .iter()
                .position(|a| a.id == id)
                .ok_or_else(|| Error::NoMatch {
                    query: id.to_owned(),
                })?;
            Ok(next.accounts.remove(position))
        })?;
        // A failure here leaves an orphan for the next open to sweep; the account is gone.
        let _ = self.store.delete(&self.key(id));
        Ok(removed)
    }

    /// Changes an account's issuer and/or name.
    pub fn rename(
        &mut self,
        id: &str,
        issuer: Option<&str>,
        name: Option<&str>,
    ) -> Result<StoredAccount> {
        if name.is_some_and(|n| n.trim().is_empty()) {
            return Err(Error::EmptyAccountName);
        }
        self.update(id, |account| {
            if let Some(issuer) = issuer {
                account.issuer = issuer.trim().to_owned();
            }
            if let Some(name) = name {
                account.name = name.trim().to_owned();
            }
        })
    }

    /// Moves an account to `position` (0-based) in the display order.
    pub fn move_to(&mut self, id: &str, position: usize) -> Result<()> {
        self.transaction(|_, next| {
            let count = next.accounts.len();
            if position >= count {
                return Err(Error::InvalidPosition {
                    position: position + 1,
                    count,
                });
            }
            let from = next
                .accounts
                .iter()
                .position(|a| a.id == id)
                .ok_or_else(|| Error::NoMatch {
                    query: id.to_owned(),
                })?;
            let account = next.accounts.remove(from);
            next.accounts.insert(position, account);
            Ok(())
        })
    }

    /// Changes one account's metadata under the lock (push state, clock offset, ...).
    pub fn update(
        &mut self,
        id: &str,
        change: impl FnOnce(&mut StoredAccount),
    ) -> Result<StoredAccount> {
        self.transaction(|_, next| {
            let account = next
                .accounts
                .iter_mut()
                .find(|a| a.id == id)
                .ok_or_else(|| Error::NoMatch {
                    query: id.to_owned(),
                })?;
            change(account);
            Ok(account.clone())
        })
    }

    /// One change of the metadata, safe against other processes and crashes: under the
    /// vault's lock, the file is re-read, `edit` changes a copy (and may write the keyring
    /// through the vault it is given), the copy is written atomically, and only then does it
    /// replace the vault's own. When `edit` or the write fails, nothing changed.
    fn transaction<T>(
        &mut self,
        edit: impl FnOnce(&Self, &mut Metadata) -> Result<T>,
    ) -> Result<T> {
        let _lock = self.lock()?;
        self.reload()?;
        let mut next = self.metadata.clone();
        let value = edit(self, &mut next)?;
        next.write(&self.metadata_path())?;
        self.metadata = next;
        Ok(value)
    }

    /// The secrets of an account, from the keyring.
    pub fn secrets(&self, id: &str) -> Result<AccountSecrets> {
        self.secrets_of(self.get(id)?)
    }

    /// Replaces an account's secrets (e.g. to add the push device key after enrolment).
    pub fn set_secrets(&mut self, id: &str, secrets: &AccountSecrets) -> Result<()> {
        let _lock = self.lock()?;
        self.reload()?;
        self.get(id)?;
        self.store.put(&self.key(id), &secrets.encode())
    }

    /// The full account (with its secret), to compute codes.
    pub fn account(&self, id: &str) -> Result<Account> {
        let stored = self.get(id)?;
        let secrets = self.secrets_of(stored)?;
        Ok(to_account(stored, secrets.otp))
    }

    /// The code an account shows now. TOTP: the code at `unix_time`. HOTP: the counter is
    /// advanced and saved *before* the code is returned, so no code is ever shown twice.
    pub fn code(&mut self, id: &str, unix_time: u64) -> Result<String> {
        let account = self.account(id)?;
        match account.kind {
            OtpKind::Totp | OtpKind::Steam => Ok(otp::code_at(&account, unix_time)),
            OtpKind::Hotp => {
                let used = self.update(id, |stored| {
                    stored.counter = stored.counter.saturating_add(1)
                })?;
                let counter = used.counter.saturating_sub(1);
                Ok(otp::hotp_code(
                    &account.secret,
                    account.algorithm,
                    account.digits,
                    counter,
                ))
            }
        }
    }

    /// Re-reads the metadata file (another process may have changed it).
    pub fn reload(&mut self) -> Result<()> {
        if let Some(metadata) = Metadata::read(&self.metadata_path())? {
            self.metadata = metadata;
        }
        Ok(())
    }

    fn secrets_of(&self, stored: &StoredAccount) -> Result<AccountSecrets> {
        let bytes = self
            .store
            .get(&self.key(&stored.id))?
            .ok_or_else(|| Error::SecretMissing {
                label: label(stored),
            })?;
        AccountSecrets::decode(&bytes, &label(stored))
    }

    /// A secret the app keeps beside the accounts (the automatic backups' password), under a
    /// key the orphan sweep leaves alone.
    pub fn setting_secret(&self, name: &str) -> Result<Option<crate::Secret>> {
        Ok(self
            .store
            .get(&self.setting_key(name))?
            .map(|bytes| crate::Secret::new(bytes.to_vec())))
    }

    /// Stores (or, with `None`, deletes) a setting secret.
    pub fn set_setting_secret(&self, name: &str, secret: Option<&[u8]>) -> Result<()> {
        let key = self.setting_key(name);
        match secret {
            Some(bytes) => self.store.put(&key, bytes),
            None => self.store.delete(&key),
        }
    }

    fn setting_key(&self, name: &str) -> String {
        format!("{}/setting/{name}", self.metadata.vault_id)
    }

    fn key(&self, id: &str) -> String {
        format!("{}:{id}", self.metadata.vault_id)
    }

    fn sweep_orphans(&mut self) -> Result<()> {
        let prefix = format!("{}:", self.metadata.vault_id);
        for key in self.store.keys()? {
            let Some(id) = key.strip_prefix(&prefix) else {
                continue;
            };
            if !self.metadata.accounts.iter().any(|a| a.id == id) {
                self.store.delete(&key)?;
            }
        }
        Ok(())
    }

    fn lock(&self) -> Result<Lock> {
        let path = self.dir.join(metadata::LOCK_NAME);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| metadata::io("open", &path, source))?;
        file.lock()
            .map_err(|source| metadata::io("lock", &path, source))?;
        Ok(Lock(file))
    }
}

/// "Issuer: name" of stored metadata.
pub fn label(account: &StoredAccount) -> String {
    if account.issuer.is_empty() {
        account.name.clone()
    } else {
        format!("{}: {}", account.issuer, account.name)
    }
}

fn random_id() -> String {
    data_encoding::HEXLOWER.encode(&rand::random::<[u8; 12]>())
}

#[cfg(test)]
mod tests {
    //! The code around the secret store: write order and what a failing keyring leaves.
    //! The vault against the real keyring is tested in `tests/it/vault.rs`.

    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use zeroize::Zeroizing;

    use super::*;
    use crate::Secret;

    /// A store that can be told to fail, around a memory store.
    #[derive(Clone, Default)]
    struct Flaky {
        inner: MemoryStore,
        fail: Arc<AtomicBool>,
    }

    impl Flaky {
        fn check(&self) -> Result<()> {
            if self.fail.load(Ordering::SeqCst) {
                Err(Error::KeyringLocked {
                    detail: "test".into(),
                })
            } else {
                Ok(())
            }
        }
    }

    impl SecretStore for Flaky {
        fn put(&self, key: &str, secret: &[u8]) -> Result<()> {
            self.check()?;
            self.inner.put(key, secret)
        }
        fn get(&self, key: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
            self.check()?;
            self.inner.get(key)
        }
        fn delete(&self, key: &str) -> Result<()> {
            self.check()?;
            self.inner.delete(key)
        }
        fn keys(&self) -> Result<Vec<String>> {
            self.check()?;
            self.inner.keys()
        }
    }

    fn account(name: &str) -> Account {
        Account::totp("ACME", name, Secret::new(vec![3; 20]))
    }

    #[test]
    fn a_failing_keyring_writes_nothing_on_add() {
        let dir = tempfile::tempdir().unwrap();
        let store = Flaky::default();
        let mut vault = Vault::open(dir.path().to_path_buf(), Box::new(store.clone())).unwrap();
        vault.add(&account("alice"), 1, false).unwrap();
        let before = fs::read(vault.metadata_path()).unwrap();
        store.fail.store(true, Ordering::SeqCst);
        assert!(matches!(
            vault.add(&account("bob"), 2, false),
            Err(Error::KeyringLocked { .. })
        ));
        assert_eq!(fs::read(vault.metadata_path()).unwrap(), before);
        assert_eq!(vault.accounts().len(), 1);
    }

    #[test]
    fn remove_with_a_failing_keyring_removes_the_account_and_the_orphan_is_swept_later() {
        let dir = tempfile::tempdir().unwrap();
        let store = Flaky::default();
        let mut vault = Vault::open(dir.path().to_path_buf(), Box::new(store.clone())).unwrap();
        let id = vault.add(&account("alice"), 1, false).unwrap().id;
        store.fail.store(true, Ordering::SeqCst);
        vault.remove(&id).unwrap();
        assert!(vault.accounts().is_empty());
        assert_eq!(
            store.inner.keys().unwrap().len(),
            1,
            "the orphan is still there"
        );
        store.fail.store(false, Ordering::SeqCst);
        Vault::open(dir.path().to_path_buf(), Box::new(store.clone())).unwrap();
        assert!(store.inner.keys().unwrap().is_empty(), "swept on open");
    }

    #[test]
    fn search_is_case_insensitive_and_find_one_prefers_an_exact_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault =
            Vault::open(dir.path().to_path_buf(), Box::new(MemoryStore::new())).unwrap();
        vault.add(&account("ann"), 0, false).unwrap();
        vault.add(&account("annie"), 0, false).unwrap();
        assert_eq!(vault.search("ANN").len(), 2);
        assert_eq!(vault.find_one("ann").unwrap().name, "ann");
        assert!(matches!(
            vault.find_one("acme"),
            Err(Error::Ambiguous { .. })
        ));
        assert!(matches!(vault.find_one("zed"), Err(Error::NoMatch { .. })));
    }

    #[test]
    fn move_to_reorders_and_rejects_positions_outside_the_list() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault =
            Vault::open(dir.path().to_path_buf(), Box::new(MemoryStore::new())).unwrap();
        let a = vault.add(&account("a"), 0, false).unwrap().id;
        vault.add(&account("b"), 0, false).unwrap();
        let c = vault.add(&account("c"), 0, false).unwrap().id;
        vault.move_to(&c, 0).unwrap();
        let names: Vec<_> = vault.accounts().iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["c", "a", "b"]);
        assert!(matches!(
            vault.move_to(&a, 3),
            Err(Error::InvalidPosition {
                position: 4,
                count: 3
            })
        ));
    }
}

/// What [`Vault::import`] did.
#[cfg(feature = "backup")]
#[derive(Debug, Default)]
pub struct Imported {
    /// The accounts added, in import order.
    pub added: Vec<StoredAccount>,
    /// Entries not added because the vault (or the import itself) already holds them.
    pub duplicates: usize,
}

/// A new account's metadata, under a fresh id.
fn new_stored(account: &Account, created_at: u64, push: Option<PushRecord>) -> StoredAccount {
    StoredAccount {
        id: random_id(),
        kind: account.kind,
        issuer: account.issuer.clone(),
        name: account.name.clone(),
        algorithm: account.algorithm,
        digits: account.digits,
        period: account.period,
        counter: account.counter,
        created_at,
        push,
    }
}

/// The account of `stored` with its `secret`.
fn to_account(stored: &StoredAccount, secret: crate::Secret) -> Account {
    Account {
        kind: stored.kind,
        issuer: stored.issuer.clone(),
        name: stored.name.clone(),
        algorithm: stored.algorithm,
        digits: stored.digits,
        period: stored.period,
        counter: stored.counter,
        secret,
        push: None,
    }
}

/// Whether two accounts are the same one: same secret, type, issuer and name.
#[cfg(feature = "backup")]
fn same_account(a: &Account, b: &Account) -> bool {
    a.kind == b.kind && a.issuer == b.issuer && a.name == b.name && a.secret == b.secret
}
