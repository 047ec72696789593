//! The vault: accounts kept so that none is ever lost.
//!
//! Everything but the secrets lives in a metadata file ([`metadata`]); every account's
//! secrets live in one sealed file ([`sealed`]) encrypted under the vault key. The vault key
//! lives in the OS keyring ([`SecretStore`]) while the app lock is off; with the lock on it is
//! only kept wrapped under the password ([`lock`]), and the vault opens locked.
//!
//! Writes happen in an order that a crash at any instant cannot turn into an account without
//! its secret: the secrets file is written first with every secret the old and the new
//! account lists need, then the account list, then the secrets file without the secrets no
//! account lists any more. Secrets no account lists (a crash's leftovers) are swept when the
//! vault is next opened unlocked.
//!
//! Every change holds an exclusive lock on `accounts.lock` and re-reads the files first, so
//! the app and the CLI can change the vault at the same time.

pub mod lock;
pub mod metadata;
mod poll;
pub mod sealed;
mod secrets;
mod store;

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

pub use lock::{KdfParams, Strength};
pub use metadata::{Metadata, PushRecord, PushState, StoredAccount};
use sealed::{Secrets, VaultKey};
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

/// Accounts on disk, their secrets sealed under the vault key.
pub struct Vault {
    dir: PathBuf,
    store: Box<dyn SecretStore>,
    metadata: Metadata,
    /// The vault key and the opened secrets; `None` while locked (or the key is missing).
    open: Option<Opened>,
    /// Why the secrets are not open, when they are not.
    closed: Closed,
}

/// The key and what it opened.
struct Opened {
    key: VaultKey,
    secrets: Secrets,
}

/// Why a vault's secrets are not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closed {
    /// The lock is on.
    Locked,
    /// The lock is off but the keyring has no key for an existing secrets file.
    KeyMissing,
}

/// Where the app lock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LockState {
    /// No lock: the vault key is in the OS keyring.
    Off,
    /// The lock is on and the vault is locked.
    Locked,
    /// The lock is on and this process has unlocked the vault.
    Unlocked,
}

/// Holds the vault's lock file locked until dropped.
struct FileLock(#[allow(dead_code)] File);

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

    /// Opens (creating if needed) the vault in `dir` with its key in `store`. With the lock
    /// off the secrets are opened at once (and a vault of Otentik 0.x, one keyring item per
    /// account, is moved into the sealed file); with the lock on the vault opens locked:
    /// names only until [`Vault::unlock`].
    pub fn open(dir: PathBuf, store: Box<dyn SecretStore>) -> Result<Self> {
        fs::create_dir_all(&dir).map_err(|source| metadata::io("create", &dir, source))?;
        let path = dir.join(metadata::FILE_NAME);
        let mut vault = Self {
            dir,
            store,
            metadata: Metadata::new(String::new()),
            open: None,
            closed: Closed::Locked,
        };
        let _lock = vault.file_lock()?;
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
        if vault.lock_file()?.is_some() {
            // A crash while turning the lock on may have left the plain key behind: finish
            // (or at a later open, when the keyring does not answer now).
            let _ = vault.store.delete(&vault.key_name());
            return Ok(vault);
        }
        vault.open_with_keyring()?;
        Ok(vault)
    }

    /// Opens the secrets with the key the keyring holds (lock off), creating the key for a
    /// new vault and moving a 0.x vault's per-account keyring items into the sealed file.
    fn open_with_keyring(&mut self) -> Result<()> {
        let vault_id = self.metadata.vault_id.clone();
        let key = match self.store.get(&self.key_name())? {
            Some(bytes) => Some(VaultKey::from_bytes(&bytes).ok_or(Error::VaultKeyMissing)?),
            None => None,
        };
        let path = self.secrets_path();
        let (key, secrets) = match key {
            Some(key) => match Secrets::read(&path, &key, &vault_id)? {
                Some(secrets) => (key, secrets),
                None => {
                    let secrets = self.migrate(&key)?;
                    (key, secrets)
                }
            },
            None if path.exists() => {
                self.closed = Closed::KeyMissing;
                return Ok(());
            }
            None => {
                // A new vault (or one of Otentik 0.x): the key goes to the keyring before
                // anything is sealed with it.
                let key = VaultKey::random();
                self.store.put(&self.key_name(), key.expose())?;
                let secrets = self.migrate(&key)?;
                (key, secrets)
            }
        };
        self.open = Some(Opened { key, secrets });
        self.sweep_orphans()
    }

    /// Moves the per-account keyring items of Otentik 0.x (`<vault id>:<account id>`, and
    /// `<vault id>/setting/<name>`) into a new sealed file, then deletes them: a crash before
    /// the file is written leaves the items in place for the next open.
    fn migrate(&self, key: &VaultKey) -> Result<Secrets> {
        let vault_id = &self.metadata.vault_id;
        let account_prefix = format!("{vault_id}:");
        let setting_prefix = format!("{vault_id}/setting/");
        let mut secrets = Secrets::default();
        let mut moved = Vec::new();
        for name in self.store.keys()? {
            if let Some(id) = name.strip_prefix(&account_prefix) {
                if let Some(stored) = self.metadata.accounts.iter().find(|a| a.id == id)
                    && let Some(bytes) = self.store.get(&name)?
                {
                    secrets.accounts.insert(
                        id.to_owned(),
                        AccountSecrets::decode(&bytes, &label(stored))?,
                    );
                }
                moved.push(name);
            } else if let Some(setting) = name.strip_prefix(&setting_prefix) {
                if let Some(bytes) = self.store.get(&name)? {
                    secrets
                        .settings
                        .insert(setting.to_owned(), crate::Secret::new(bytes.to_vec()));
                }
                moved.push(name);
            }
        }
        secrets.write(&self.secrets_path(), key, vault_id)?;
        for name in moved {
            self.store.delete(&name)?;
        }
        Ok(secrets)
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
        self.sealed_transaction(|next, sealed| {
            if !force {
                refuse_duplicate(next, sealed, account)?;
            }
            sealed.accounts.insert(stored.id.clone(), secrets);
            next.accounts.push(stored.clone());
            Ok(stored)
        })
    }

    /// Adds every entry of an import at once, or none: the secrets file and then the account
    /// list are each written once, atomically, so a crash at any instant leaves the vault as
    /// it was or with every new entry. Entries already kept (same secret, type, issuer and
    /// name), or twice in the import, are counted in [`Imported::duplicates`] and not added.
    /// Push accounts come back as [`PushState::Restored`]: device keys never leave a device.
    #[cfg(feature = "backup")]
    pub fn import(&mut self, entries: &[crate::backup::Entry], now: u64) -> Result<Imported> {
        self.sealed_transaction(|next, sealed| {
            let (fresh, duplicates) = sort_out(next, sealed, entries);
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
                let mut stored = new_stored(account, entry.extra.added_at.unwrap_or(now), push);
                stored.origins = entry.extra.origins.clone();
                sealed.accounts.insert(
                    stored.id.clone(),
                    AccountSecrets::new(account.secret.clone()),
                );
                imported.added.push(stored.clone());
                next.accounts.push(stored);
            }
            Ok(imported)
        })
    }

    /// For each of `entries`, whether [`Vault::import`] would leave it out as already kept
    /// (in the vault, or earlier in `entries`).
    #[cfg(feature = "backup")]
    pub fn import_duplicates(&self, entries: &[crate::backup::Entry]) -> Result<Vec<bool>> {
        let (fresh, _) = sort_out(&self.metadata, self.opened()?, entries);
        Ok(entries
            .iter()
            .map(|entry| !fresh.iter().any(|kept| std::ptr::eq(*kept, entry)))
            .collect())
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
                        origins: stored.origins.clone(),
                    },
                })
            })
            .collect()
    }

    /// Removes an account: from the account list first, then its secrets. Works locked too:
    /// the secrets left behind are swept at the next unlocked open.
    pub fn remove(&mut self, id: &str) -> Result<StoredAccount> {
        let take = |next: &mut Metadata| {
            let position = next
                .accounts
                .iter()
                .position(|a| a.id == id)
                .ok_or_else(|| Error::NoMatch {
                    query: id.to_owned(),
                })?;
            Ok(next.accounts.remove(position))
        };
        if self.open.is_none() {
            return self.transaction(|_, next| take(next));
        }
        let removed = self.sealed_transaction(|next, sealed| {
            let removed = take(next)?;
            sealed.accounts.remove(id);
            Ok(removed)
        })?;
        if removed.push.is_some() {
            // Its device is gone (or going): a poll key left behind could only fetch its
            // requests until the server revokes it. The account is removed either way: a
            // keyring that refuses now leaves the key for the next removal's rewrite.
            let _ = self.set_poll_key(id, None);
        }
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

    /// Binds an account to the site origins in `origins` (replacing those it had): the
    /// browser extension fills its codes there and nowhere else. Empty unbinds it.
    pub fn set_origins(
        &mut self,
        id: &str,
        origins: &[crate::origin::Origin],
    ) -> Result<StoredAccount> {
        let mut origins: Vec<String> = origins.iter().map(|o| o.as_str().to_owned()).collect();
        origins.sort();
        origins.dedup();
        self.update(id, |account| account.origins = origins)
    }

    /// The accounts bound to `origin`, in display order.
    pub fn bound_to(&self, origin: &crate::origin::Origin) -> Vec<&StoredAccount> {
        self.accounts()
            .iter()
            .filter(|a| a.origins.iter().any(|o| o == origin.as_str()))
            .collect()
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

    /// One change of the account list, safe against other processes and crashes: under the
    /// vault's lock, the file is re-read, `edit` changes a copy, the copy is written
    /// atomically, and only then does it replace the vault's own. When `edit` or the write
    /// fails, nothing changed. Needs no secret: works while locked.
    fn transaction<T>(
        &mut self,
        edit: impl FnOnce(&Self, &mut Metadata) -> Result<T>,
    ) -> Result<T> {
        let _lock = self.file_lock()?;
        self.reload_metadata()?;
        let mut next = self.metadata.clone();
        let value = edit(self, &mut next)?;
        next.write(&self.metadata_path())?;
        self.metadata = next;
        Ok(value)
    }

    /// One change of the account list and the secrets together (see the module's write
    /// order). Needs the vault unlocked.
    fn sealed_transaction<T>(
        &mut self,
        edit: impl FnOnce(&mut Metadata, &mut Secrets) -> Result<T>,
    ) -> Result<T> {
        let _lock = self.file_lock()?;
        self.reload_metadata()?;
        self.reload_secrets()?;
        let Some(opened) = &self.open else {
            return Err(self.closed_error());
        };
        let mut next = self.metadata.clone();
        let mut sealed = opened.secrets.clone();
        let value = edit(&mut next, &mut sealed)?;
        // First every secret either account list needs, then the list, then the rest away.
        let mut both = sealed.clone();
        for account in &self.metadata.accounts {
            if let Some(kept) = opened.secrets.accounts.get(&account.id) {
                both.accounts
                    .entry(account.id.clone())
                    .or_insert_with(|| kept.clone());
            }
        }
        let (path, vault_id) = (self.secrets_path(), self.metadata.vault_id.clone());
        if both != opened.secrets {
            both.write(&path, &opened.key, &vault_id)?;
        }
        if next != self.metadata {
            next.write(&self.metadata_path())?;
        }
        if both != sealed {
            sealed.write(&path, &opened.key, &vault_id)?;
        }
        self.metadata = next;
        if let Some(opened) = &mut self.open {
            opened.secrets = sealed;
        }
        Ok(value)
    }

    /// The secrets of an account.
    pub fn secrets(&self, id: &str) -> Result<AccountSecrets> {
        self.secrets_of(self.get(id)?)
    }

    /// Replaces an account's secrets (e.g. to add the push device key after enrolment).
    pub fn set_secrets(&mut self, id: &str, secrets: &AccountSecrets) -> Result<()> {
        self.sealed_transaction(|next, sealed| {
            if !next.accounts.iter().any(|a| a.id == id) {
                return Err(Error::NoMatch {
                    query: id.to_owned(),
                });
            }
            sealed.accounts.insert(id.to_owned(), secrets.clone());
            Ok(())
        })
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

    /// Re-reads the account list and, when unlocked, the secrets (another process may have
    /// changed them).
    pub fn reload(&mut self) -> Result<()> {
        self.reload_metadata()?;
        self.reload_secrets()
    }

    fn reload_metadata(&mut self) -> Result<()> {
        if let Some(metadata) = Metadata::read(&self.metadata_path())? {
            self.metadata = metadata;
        }
        Ok(())
    }

    fn reload_secrets(&mut self) -> Result<()> {
        let (path, vault_id) = (self.secrets_path(), self.metadata.vault_id.clone());
        if let Some(opened) = &mut self.open
            && let Some(secrets) = Secrets::read(&path, &opened.key, &vault_id)?
        {
            opened.secrets = secrets;
        }
        Ok(())
    }

    /// The opened secrets, or why they are not open.
    fn opened(&self) -> Result<&Secrets> {
        self.open
            .as_ref()
            .map(|opened| &opened.secrets)
            .ok_or_else(|| self.closed_error())
    }

    fn closed_error(&self) -> Error {
        match self.closed {
            Closed::Locked => Error::VaultLocked,
            Closed::KeyMissing => Error::VaultKeyMissing,
        }
    }

    fn secrets_of(&self, stored: &StoredAccount) -> Result<AccountSecrets> {
        let missing = || Error::SecretMissing {
            label: label(stored),
        };
        if let Some(secrets) = self.opened()?.accounts.get(&stored.id) {
            return Ok(secrets.clone());
        }
        // Another process may have added the account since: read the file again.
        let opened = self.open.as_ref().ok_or_else(|| self.closed_error())?;
        Secrets::read(&self.secrets_path(), &opened.key, &self.metadata.vault_id)?
            .and_then(|mut secrets| secrets.accounts.remove(&stored.id))
            .ok_or_else(missing)
    }

    /// A secret the app keeps beside the accounts (the automatic backups' password), sealed
    /// with them.
    pub fn setting_secret(&self, name: &str) -> Result<Option<crate::Secret>> {
        Ok(self.opened()?.settings.get(name).cloned())
    }

    /// Stores (or, with `None`, deletes) a setting secret.
    pub fn set_setting_secret(&mut self, name: &str, secret: Option<&[u8]>) -> Result<()> {
        self.sealed_transaction(|_, sealed| {
            match secret {
                Some(bytes) => {
                    sealed
                        .settings
                        .insert(name.to_owned(), crate::Secret::new(bytes.to_vec()));
                }
                None => {
                    sealed.settings.remove(name);
                }
            }
            Ok(())
        })
    }

    // --- poll-only keys ----------------------------------------------------------------------

    /// The poll-only key of a push account (protocol v1 addition): it may fetch login
    /// requests but never answer one, so it is kept outside the sealed secrets, in the OS
    /// keyring, where a locked app can still read it to poll.
    pub fn poll_key(&self, id: &str) -> Result<Option<crate::Secret>> {
        let keys = self.poll_keys()?;
        keys.get(id)
            .map(|encoded| poll::decode(encoded))
            .transpose()
    }

    /// Keeps (or with `None` forgets) the poll-only key of account `id`.
    pub fn set_poll_key(&mut self, id: &str, key: Option<&[u8]>) -> Result<()> {
        // The app and the CLI may enrol at the same time: one read-modify-write at a time.
        let _lock = self.file_lock()?;
        let mut keys = self.poll_keys()?;
        match key {
            Some(key) => {
                keys.insert(id.to_owned(), poll::encode(key));
            }
            None => {
                if keys.remove(id).is_none() {
                    return Ok(());
                }
            }
        }
        if keys.is_empty() {
            return self.store.delete(&self.poll_name());
        }
        self.store.put(&self.poll_name(), &poll::to_bytes(&keys))
    }

    /// The poll keys; a damaged item counts as none (they only let a locked app poll: the
    /// accounts still work unlocked, and the next enrolment writes a sound item).
    fn poll_keys(&self) -> Result<poll::PollKeys> {
        match self.store.get(&self.poll_name())? {
            Some(bytes) => Ok(poll::from_bytes(&bytes).unwrap_or_default()),
            None => Ok(poll::PollKeys::new()),
        }
    }

    // --- the app lock -----------------------------------------------------------------------

    /// Where the lock stands for this process.
    pub fn lock_state(&self) -> LockState {
        match (self.lock_path().exists(), self.open.is_some()) {
            (false, _) => LockState::Off,
            (true, false) => LockState::Locked,
            (true, true) => LockState::Unlocked,
        }
    }

    /// Whether the secrets cannot be used until [`Vault::unlock`].
    pub fn is_locked(&self) -> bool {
        self.open.is_none() && self.closed == Closed::Locked
    }

    /// Seconds before another password may be tried at `now` (0: at once).
    pub fn unlock_wait(&self, now: u64) -> u64 {
        lock::Attempts::read(&self.attempts_path()).wait_left(now)
    }

    /// Unlocks with `password` at `now`. After [`lock::FREE_ATTEMPTS`] wrong passwords in a
    /// row each try waits longer ([`lock::wait_after`]); the count is on disk, and a try is
    /// counted as wrong before the key is derived, so killing the process mid-try gains
    /// nothing. Unlocking an unlocked vault checks the password all the same.
    pub fn unlock(&mut self, password: &str, now: u64) -> Result<()> {
        let key = self.check_password(password, now)?;
        let secrets =
            Secrets::read(&self.secrets_path(), &key, &self.metadata.vault_id)?.unwrap_or_default();
        self.open = Some(Opened { key, secrets });
        self.sweep_orphans()
    }

    /// Forgets the key and the secrets (with the lock on; without it there is nothing to
    /// lock, and the vault stays open).
    pub fn lock_now(&mut self) {
        if self.lock_path().exists() {
            self.open = None;
            self.closed = Closed::Locked;
        }
    }

    /// Turns the lock on: the vault key is wrapped under `password` into `lock.json`, then
    /// removed from the keyring. A crash in between leaves both; the next open finishes.
    pub fn enable_lock(&mut self, password: &str, params: KdfParams) -> Result<()> {
        lock::check_password(password)?;
        let _lock = self.file_lock()?;
        if self.lock_file()?.is_some() {
            return Err(Error::LockAlreadyOn);
        }
        let key = &self.open.as_ref().ok_or_else(|| self.closed_error())?.key;
        let file = lock::LockFile::wrap(key, password, params, &self.metadata.vault_id)?;
        file.write(&self.lock_path())?;
        remove_file(&self.attempts_path())?;
        self.store.delete(&self.key_name())
    }

    /// Changes the password: only the wrapped key is rewritten (one atomic file write).
    pub fn change_password(
        &mut self,
        old: &str,
        new: &str,
        params: KdfParams,
        now: u64,
    ) -> Result<()> {
        lock::check_password(new)?;
        let key = self.check_password(old, now)?;
        let _lock = self.file_lock()?;
        lock::LockFile::wrap(&key, new, params, &self.metadata.vault_id)?.write(&self.lock_path())
    }

    /// Turns the lock off: the key goes back to the keyring, then `lock.json` is removed. A
    /// crash in between leaves the lock on, with the old password.
    pub fn disable_lock(&mut self, password: &str, now: u64) -> Result<()> {
        let key = self.check_password(password, now)?;
        let _lock = self.file_lock()?;
        self.store.put(&self.key_name(), key.expose())?;
        remove_file(&self.lock_path())?;
        remove_file(&self.attempts_path())?;
        if self.open.is_none() {
            let secrets = Secrets::read(&self.secrets_path(), &key, &self.metadata.vault_id)?
                .unwrap_or_default();
            self.open = Some(Opened { key, secrets });
        }
        Ok(())
    }

    /// Seconds without use after which the app locks (0: never).
    pub fn idle_lock(&self) -> u64 {
        lock::LockSettings::read(&self.dir.join(lock::SETTINGS_NAME)).idle_seconds
    }

    /// Sets the idle time (0: never; longer than [`lock::MAX_IDLE_SECONDS`] is cut to it).
    pub fn set_idle_lock(&mut self, seconds: u64) -> Result<()> {
        lock::LockSettings {
            idle_seconds: seconds.min(lock::MAX_IDLE_SECONDS),
        }
        .write(&self.dir.join(lock::SETTINGS_NAME))
    }

    /// The Argon2id parameters the key is wrapped with (lock on).
    pub fn lock_params(&self) -> Result<Option<KdfParams>> {
        Ok(self.lock_file()?.map(|file| file.params()))
    }

    /// The vault key for `password`, counting the try (see [`Vault::unlock`]).
    fn check_password(&self, password: &str, now: u64) -> Result<VaultKey> {
        let file = self.lock_file()?.ok_or(Error::LockOff)?;
        let path = self.attempts_path();
        let attempts = lock::Attempts::read(&path);
        let wait = attempts.wait_left(now);
        if wait > 0 {
            return Err(Error::LockWait { seconds: wait });
        }
        let counted = lock::Attempts {
            failures: attempts.failures.saturating_add(1),
            last: now,
        };
        counted.write(&path)?;
        match file.unwrap_key(password) {
            Ok(key) => {
                remove_file(&path)?;
                Ok(key)
            }
            Err(Error::LockWrongPassword { .. }) => Err(Error::LockWrongPassword {
                wait_seconds: counted.wait_left(now),
            }),
            Err(error) => Err(error),
        }
    }

    fn lock_file(&self) -> Result<Option<lock::LockFile>> {
        lock::LockFile::read(&self.lock_path(), &self.metadata.vault_id)
    }

    fn lock_path(&self) -> PathBuf {
        self.dir.join(lock::FILE_NAME)
    }

    fn attempts_path(&self) -> PathBuf {
        self.dir.join(lock::ATTEMPTS_NAME)
    }

    fn secrets_path(&self) -> PathBuf {
        self.dir.join(sealed::FILE_NAME)
    }

    /// The keyring item of the vault key.
    fn key_name(&self) -> String {
        format!("{}/key", self.metadata.vault_id)
    }

    /// The keyring item of the poll-only keys.
    fn poll_name(&self) -> String {
        format!("{}/poll", self.metadata.vault_id)
    }

    /// Drops the secrets no account lists (a crash's leftovers).
    fn sweep_orphans(&mut self) -> Result<()> {
        let (path, vault_id) = (self.secrets_path(), self.metadata.vault_id.clone());
        let Some(opened) = &mut self.open else {
            return Ok(());
        };
        let before = opened.secrets.accounts.len();
        opened
            .secrets
            .accounts
            .retain(|id, _| self.metadata.accounts.iter().any(|a| &a.id == id));
        if opened.secrets.accounts.len() != before {
            opened.secrets.write(&path, &opened.key, &vault_id)?;
        }
        Ok(())
    }

    fn file_lock(&self) -> Result<FileLock> {
        let path = self.dir.join(metadata::LOCK_NAME);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| metadata::io("open", &path, source))?;
        file.lock()
            .map_err(|source| metadata::io("lock", &path, source))?;
        Ok(FileLock(file))
    }
}

/// Removes a file; a missing one is not an error.
fn remove_file(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => metadata::sync_dir(path.parent().unwrap_or(Path::new("."))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(metadata::io("remove", path, source)),
    }
}

/// Refuses `account` when `metadata` keeps one with the same issuer, name and secret.
fn refuse_duplicate(metadata: &Metadata, sealed: &Secrets, account: &Account) -> Result<()> {
    let same = metadata.accounts.iter().any(|existing| {
        existing.issuer == account.issuer
            && existing.name == account.name
            && sealed
                .accounts
                .get(&existing.id)
                .is_some_and(|secrets| secrets.otp == account.secret)
    });
    if same {
        return Err(Error::Duplicate {
            label: account.label(),
        });
    }
    Ok(())
}

/// The entries that are new to `metadata` (and not repeated within `entries`), and how many
/// are not.
#[cfg(feature = "backup")]
fn sort_out<'e>(
    metadata: &Metadata,
    sealed: &Secrets,
    entries: &'e [crate::backup::Entry],
) -> (Vec<&'e crate::backup::Entry>, usize) {
    let mut kept: Vec<Account> = metadata
        .accounts
        .iter()
        .filter_map(|stored| {
            let secrets = sealed.accounts.get(&stored.id)?;
            Some(to_account(stored, secrets.otp.clone()))
        })
        .collect();
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
    (fresh, duplicates)
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
    //! The code around the secret store: write order, the lock's states and what a failing
    //! keyring leaves. The vault against the real keyring is tested in `tests/it/vault.rs`.

    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use zeroize::Zeroizing;

    use super::*;
    use crate::Secret;

    const PASSWORD: &str = "kata sandi kantor";

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

    fn open(dir: &Path, store: &MemoryStore) -> Vault {
        Vault::open(dir.to_path_buf(), Box::new(store.clone())).unwrap()
    }

    #[test]
    fn a_failing_keyring_at_the_first_open_creates_no_secrets_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Flaky::default();
        store.fail.store(true, Ordering::SeqCst);
        assert!(matches!(
            Vault::open(dir.path().to_path_buf(), Box::new(store.clone())),
            Err(Error::KeyringLocked { .. })
        ));
        assert!(!dir.path().join(sealed::FILE_NAME).exists());
        store.fail.store(false, Ordering::SeqCst);
        let mut vault = Vault::open(dir.path().to_path_buf(), Box::new(store.clone())).unwrap();
        vault.add(&account("alice"), 1, false).unwrap();
        assert_eq!(
            store.inner.keys().unwrap().len(),
            1,
            "one key, not one item per account"
        );
    }

    #[test]
    fn secrets_are_sealed_in_one_file_and_survive_a_fresh_open() {
        let dir = tempfile::tempdir().unwrap();
        let store = MemoryStore::new();
        let mut vault = open(dir.path(), &store);
        let ids: Vec<String> = (0..3)
            .map(|i| vault.add(&account(&format!("u{i}")), 1, false).unwrap().id)
            .collect();
        let again = open(dir.path(), &store);
        for id in &ids {
            assert_eq!(again.account(id).unwrap().secret, Secret::new(vec![3; 20]));
        }
        let file = fs::read_to_string(dir.path().join(sealed::FILE_NAME)).unwrap();
        assert!(!file.contains("AMBQGAYDAMBQGAYDAMBQGAYDAMBQGAYD"), "{file}");
        assert!(!file.contains("0303030303"), "{file}");
    }

    #[test]
    fn a_crash_between_the_secrets_and_the_list_leaves_an_orphan_that_is_swept() {
        let dir = tempfile::tempdir().unwrap();
        let store = MemoryStore::new();
        let mut vault = open(dir.path(), &store);
        let kept = vault.add(&account("alice"), 1, false).unwrap().id;
        let list = fs::read(vault.metadata_path()).unwrap();
        vault.add(&account("bob"), 1, false).unwrap();
        // The list as it was before bob: the secrets file still holds bob's secret.
        fs::write(vault.metadata_path(), &list).unwrap();
        let vault = open(dir.path(), &store);
        assert_eq!(vault.accounts().len(), 1);
        assert_eq!(
            vault.opened().unwrap().accounts.len(),
            1,
            "bob's secret swept"
        );
        assert!(vault.account(&kept).is_ok());
    }

    #[test]
    fn a_vault_of_one_keyring_item_per_account_moves_into_the_sealed_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = MemoryStore::new();
        let mut metadata = Metadata::new("old".into());
        let stored = new_stored(&account("alice"), 5, None);
        metadata.accounts.push(stored.clone());
        metadata
            .write(&dir.path().join(metadata::FILE_NAME))
            .unwrap();
        let secrets = AccountSecrets::new(Secret::new(vec![3; 20]));
        store
            .put(&format!("old:{}", stored.id), &secrets.encode())
            .unwrap();
        store.put("old:orphan", &secrets.encode()).unwrap();
        store.put("old/setting/backup-password", b"pw").unwrap();
        store.put("other:x", b"kept").unwrap();

        let vault = open(dir.path(), &store);
        assert_eq!(vault.account(&stored.id).unwrap().secret, secrets.otp);
        assert_eq!(
            vault
                .setting_secret("backup-password")
                .unwrap()
                .unwrap()
                .expose(),
            b"pw"
        );
        let mut keys = store.keys().unwrap();
        keys.sort();
        assert_eq!(keys, ["old/key", "other:x"]);
    }

    #[test]
    fn the_lock_seals_with_the_password_and_the_keyring_holds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = MemoryStore::new();
        let mut vault = open(dir.path(), &store);
        let id = vault.add(&account("alice"), 1, false).unwrap().id;
        assert_eq!(vault.lock_state(), LockState::Off);
        assert!(matches!(
            vault.enable_lock("pendek", KdfParams::MINIMUM),
            Err(Error::LockPasswordTooShort { .. })
        ));
        vault.enable_lock(PASSWORD, KdfParams::MINIMUM).unwrap();
        assert_eq!(vault.lock_state(), LockState::Unlocked);
        assert!(store.keys().unwrap().is_empty(), "no key in the keyring");
        assert!(matches!(
            vault.enable_lock(PASSWORD, KdfParams::MINIMUM),
            Err(Error::LockAlreadyOn)
        ));

        // Another process: locked, names only; metadata changes still work.
        let mut other = open(dir.path(), &store);
        assert_eq!(other.lock_state(), LockState::Locked);
        assert_eq!(other.accounts().len(), 1);
        assert!(matches!(other.account(&id), Err(Error::VaultLocked)));
        assert!(matches!(other.code(&id, 0), Err(Error::VaultLocked)));
        assert!(matches!(
            other.add(&account("bob"), 1, false),
            Err(Error::VaultLocked)
        ));
        other.rename(&id, None, Some("alicia")).unwrap();
        assert!(matches!(
            other.unlock("salah salah salah", 100),
            Err(Error::LockWrongPassword { wait_seconds: 0 })
        ));
        other.unlock(PASSWORD, 100).unwrap();
        assert_eq!(other.account(&id).unwrap().name, "alicia");
        other.lock_now();
        assert!(matches!(other.account(&id), Err(Error::VaultLocked)));

        // A new password; the old one no longer opens it.
        vault
            .change_password(PASSWORD, "kata sandi baru 2", KdfParams::MINIMUM, 200)
            .unwrap();
        assert!(matches!(
            open(dir.path(), &store).unlock(PASSWORD, 201),
            Err(Error::LockWrongPassword { .. })
        ));
        let mut fresh = open(dir.path(), &store);
        fresh.unlock("kata sandi baru 2", 202).unwrap();
        fresh.disable_lock("kata sandi baru 2", 203).unwrap();
        assert_eq!(fresh.lock_state(), LockState::Off);
        assert_eq!(
            store.keys().unwrap().len(),
            1,
            "the key is back in the keyring"
        );
        let plain = open(dir.path(), &store);
        assert_eq!(plain.account(&id).unwrap().secret, Secret::new(vec![3; 20]));
        assert!(!dir.path().join(lock::FILE_NAME).exists());
    }

    #[test]
    fn wrong_passwords_wait_longer_across_opens_and_the_right_one_resets() {
        let dir = tempfile::tempdir().unwrap();
        let store = MemoryStore::new();
        open(dir.path(), &store)
            .enable_lock(PASSWORD, KdfParams::MINIMUM)
            .unwrap();
        let now = 1_000;
        for _ in 0..4 {
            assert!(matches!(
                open(dir.path(), &store).unlock("salah salah", now),
                Err(Error::LockWrongPassword { wait_seconds: 0 })
            ));
        }
        assert!(matches!(
            open(dir.path(), &store).unlock("salah salah", now),
            Err(Error::LockWrongPassword { wait_seconds: 30 })
        ));
        let mut vault = open(dir.path(), &store);
        assert_eq!(vault.unlock_wait(now + 10), 20);
        assert!(matches!(
            vault.unlock(PASSWORD, now + 10),
            Err(Error::LockWait { seconds: 20 })
        ));
        assert!(matches!(
            vault.unlock("salah salah", now + 30),
            Err(Error::LockWrongPassword { wait_seconds: 60 })
        ));
        assert!(matches!(
            vault.unlock(PASSWORD, now + 89),
            Err(Error::LockWait { seconds: 1 })
        ));
        vault.unlock(PASSWORD, now + 90).unwrap();
        assert_eq!(
            vault.unlock_wait(now + 90),
            0,
            "reset by the right password"
        );
    }

    #[test]
    fn a_crash_while_turning_the_lock_on_finishes_at_the_next_open() {
        let dir = tempfile::tempdir().unwrap();
        let store = MemoryStore::new();
        let mut vault = open(dir.path(), &store);
        let id = vault.add(&account("alice"), 1, false).unwrap().id;
        let key = store.keys().unwrap().pop().unwrap();
        let bytes = store.get(&key).unwrap().unwrap();
        vault.enable_lock(PASSWORD, KdfParams::MINIMUM).unwrap();
        // As if killed after lock.json was written but before the keyring item went.
        store.put(&key, &bytes).unwrap();
        let mut again = open(dir.path(), &store);
        assert!(store.keys().unwrap().is_empty(), "finished");
        again.unlock(PASSWORD, 1).unwrap();
        assert!(again.account(&id).is_ok());
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
        origins: Vec::new(),
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
