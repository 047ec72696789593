//! The app's state behind every command: the vault (opened on first use, so a locked keyring
//! is an error the UI can show and retry, not a crash at start), accounts waiting for
//! confirmation, deep links that arrived, login approvals, the clipboard and the clock.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use otentik::otpauth::Parsed;
use otentik::push::PushClient;
use otentik::vault::Vault;
use otentik::{Account, Zeroizing};

use crate::approvals::Approvals;
use crate::backups::Backups;
use crate::browser::Asked;
use crate::clipboard::Copier;
use crate::clock::Clock;
use crate::failure::{AppCode, CommandResult, Failure};
use crate::locking::Activity;
use crate::views::{Pending, PendingAccount, Source};

/// A push call of the core, borrowing the vault and the client (see [`AppState::push`]).
pub type PushCall<'a, T> = Pin<Box<dyn Future<Output = otentik::Result<T>> + Send + 'a>>;

/// Opens the vault (production: [`Vault::open_default`]; tests: a temporary one).
pub type VaultOpener = Box<dyn Fn() -> otentik::Result<Vault> + Send + Sync>;

/// At most this many lists wait for confirmation; older ones are dropped.
const MAX_PENDING: usize = 8;

/// Everything the commands share.
pub struct AppState {
    opener: VaultOpener,
    vault: Mutex<Option<Vault>>,
    pending: Mutex<VecDeque<(String, Vec<Account>)>>,
    links: Mutex<VecDeque<CommandResult<Pending>>>,
    /// Links (and adds from the browser) that arrived while locked (they hold secrets), read
    /// when the UI asks after the unlock.
    deferred: Mutex<Vec<(Zeroizing<String>, Option<Asked>)>>,
    /// Adds from the browser waiting for the user, by the token of their pending accounts.
    asked: Mutex<HashMap<String, Asked>>,
    /// The clipboard.
    pub copier: Arc<Copier>,
    /// The clock, read once per command.
    pub clock: Arc<dyn Clock>,
    /// Login approvals: the poller, the requests waiting, servers away.
    pub approvals: Approvals,
    /// Imports waiting for confirmation, and the automatic backups.
    pub backups: Backups,
    /// When the window was last used, for the idle lock.
    pub activity: Activity,
}

impl AppState {
    /// State over the vault `opener` returns.
    pub fn new(opener: VaultOpener, clock: Arc<dyn Clock>, copier: Arc<Copier>) -> Self {
        Self {
            opener,
            vault: Mutex::new(None),
            pending: Mutex::new(VecDeque::new()),
            links: Mutex::new(VecDeque::new()),
            deferred: Mutex::new(Vec::new()),
            asked: Mutex::new(HashMap::new()),
            copier,
            clock,
            approvals: Approvals::new(),
            backups: Backups::new(),
            activity: Activity::default(),
        }
    }

    /// (Re)starts polling for every active push account (after start, an add, a remove).
    pub fn restart_push(&self) -> CommandResult<()> {
        // Locked, the core hands out the poll-only keys: requests still arrive. The poller is
        // replaced while the vault's lock is held, so a lock cannot slip in between reading
        // the device keys and handing them to a poller that would outlive it.
        self.with_vault_locked(|vault| {
            let servers = otentik::push::accounts::devices_by_server(vault)?;
            self.approvals
                .restart(servers, Arc::new(CoreClock(self.clock.clone())))
        })
    }

    /// Runs `work` on the vault, opening it first if needed. While the lock is closed it
    /// answers `vault_locked` without running `work`: no account name, code or secret leaves
    /// a locked app (the lock's own commands use [`AppState::with_vault_locked`]).
    pub fn with_vault<T, E>(
        &self,
        work: impl FnOnce(&mut Vault) -> Result<T, E>,
    ) -> CommandResult<T>
    where
        Failure: From<E>,
    {
        self.with_vault_locked::<T, Failure>(|vault| {
            if vault.is_locked() {
                return Err(otentik::Error::VaultLocked.into());
            }
            work(vault).map_err(Failure::from)
        })
    }

    /// Runs `work` on the vault whether or not it is locked: for the lock itself, and for
    /// what the background keeps up to date in the account list while locked.
    pub fn with_vault_locked<T, E>(
        &self,
        work: impl FnOnce(&mut Vault) -> Result<T, E>,
    ) -> CommandResult<T>
    where
        Failure: From<E>,
    {
        let mut guard = lock(&self.vault)?;
        if guard.is_none() {
            *guard = Some((self.opener)()?);
        }
        let vault = guard
            .as_mut()
            .ok_or_else(|| Failure::new(AppCode::Internal, "the vault is not open"))?;
        Ok(work(vault)?)
    }

    /// Runs one push call of the core on the vault: `call` gets the vault and the push client
    /// and returns the core's future, which runs to completion on the push runtime. Every
    /// failure (no runtime, no client, the call's own) comes back as one [`Failure`].
    pub fn push<T: Send>(
        &self,
        call: impl for<'a> FnOnce(&'a mut Vault, &'a PushClient) -> PushCall<'a, T>,
    ) -> CommandResult<T> {
        let client = self.approvals.client()?;
        self.with_vault(|vault| Ok::<_, Failure>(self.approvals.block_on(call(vault, client))??))
    }

    /// Keeps parsed accounts until the user confirms them; returns what the UI shows.
    pub fn hold(&self, parsed: Vec<Parsed>, source: Source) -> CommandResult<Pending> {
        let export = parsed.len() > 1;
        let labels: Vec<(String, String)> = self.with_vault(|vault| {
            Ok::<_, Failure>(
                vault
                    .accounts()
                    .iter()
                    .map(|a| (a.issuer.clone(), a.name.clone()))
                    .collect(),
            )
        })?;
        let accounts = parsed
            .iter()
            .map(|p| {
                let exists = labels
                    .iter()
                    .any(|(issuer, name)| *issuer == p.account.issuer && *name == p.account.name);
                PendingAccount::new(&p.account, &p.warnings, exists)
            })
            .collect();
        let token = token();
        let mut pending = lock(&self.pending)?;
        if pending.len() >= MAX_PENDING
            && let Some((dropped, _)) = pending.pop_front()
        {
            // A browser waiting on those is told they were put aside.
            lock(&self.asked)?.remove(&dropped);
        }
        pending.push_back((
            token.clone(),
            parsed.into_iter().map(|p| p.account).collect(),
        ));
        Ok(Pending {
            token,
            source,
            export,
            accounts,
            origin: None,
        })
    }

    /// Keeps the accounts of an add from the browser until the user confirms them, with the
    /// browser's request: confirming binds them to its origin and answers it.
    pub fn hold_asked(&self, parsed: Vec<Parsed>, asked: Asked) -> CommandResult<Pending> {
        let mut pending = self.hold(parsed, Source::Browser)?;
        pending.origin = Some(asked.origin.as_str().to_owned());
        lock(&self.asked)?.insert(pending.token.clone(), asked);
        Ok(pending)
    }

    /// The browser's request behind the accounts under `token`, if they came from one.
    pub fn take_asked(&self, token: &str) -> Option<Asked> {
        self.asked.lock().ok()?.remove(token)
    }

    /// Puts back a browser's request with its accounts (see [`AppState::put_back`]).
    pub fn put_back_asked(&self, token: &str, asked: Asked) {
        if !self.is_locked()
            && let Ok(mut waiting) = self.asked.lock()
        {
            waiting.insert(token.to_owned(), asked);
        }
    }

    /// Forgets a browser's request that waited too long, with its accounts; `false` when the
    /// user is confirming it right now (its accounts are already taken: the answer follows).
    pub fn abandon_asked(&self, id: &str) -> bool {
        if let Ok(mut deferred) = self.deferred.lock() {
            let before = deferred.len();
            deferred.retain(|(_, asked)| asked.as_ref().is_none_or(|a| a.id != id));
            if deferred.len() < before {
                return true;
            }
        }
        let token = self.asked.lock().ok().and_then(|waiting| {
            waiting
                .iter()
                .find(|(_, asked)| asked.id == id)
                .map(|(token, _)| token.clone())
        });
        let Some(token) = token else {
            return true; // already answered or dropped
        };
        // The accounts first: if `confirm_add` took them, it binds them and answers.
        if self.take(&token).is_err() {
            return false;
        }
        if let Ok(mut waiting) = self.asked.lock() {
            waiting.remove(&token);
        }
        true
    }

    /// Forgets what only an unlocked app may hold: accounts, links and imports waiting for
    /// confirmation (they carry secrets and names). Called when the app locks.
    pub fn forget_unlocked(&self) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.clear();
        }
        if let Ok(mut links) = self.links.lock() {
            links.clear();
        }
        if let Ok(mut asked) = self.asked.lock() {
            asked.clear();
        }
        self.backups.forget_imports();
    }

    /// Takes the accounts held under `token`.
    pub fn take(&self, token: &str) -> CommandResult<Vec<Account>> {
        let mut pending = lock(&self.pending)?;
        let index = pending
            .iter()
            .position(|(t, _)| t == token)
            .ok_or_else(|| {
                Failure::new(
                    AppCode::PendingExpired,
                    "these accounts are no longer waiting: scan or paste them again",
                )
            })?;
        Ok(pending
            .remove(index)
            .map(|(_, accounts)| accounts)
            .unwrap_or_default())
    }

    /// Puts back accounts that could not be added, so a retry does not need a new scan.
    pub fn put_back(&self, token: &str, accounts: Vec<Account>) -> CommandResult<()> {
        // Not after a lock, which forgot them on purpose.
        if !accounts.is_empty() && !self.is_locked() {
            lock(&self.pending)?.push_back((token.to_owned(), accounts));
        }
        Ok(())
    }

    /// Records the outcome of an `otpauth://` link for the UI to take.
    pub fn push_link(&self, outcome: CommandResult<Pending>) {
        if let Ok(mut links) = self.links.lock() {
            links.push_back(outcome);
        }
    }

    /// Keeps a link that arrived while locked: its accounts are read (and compared with the
    /// vault's) only after the unlock.
    pub fn defer_link(&self, url: String) {
        self.defer(Zeroizing::new(url), None);
    }

    /// Keeps an add from the browser that arrived while locked, like a link. Beyond the
    /// limit it is dropped, and the browser is told.
    pub fn defer(&self, url: Zeroizing<String>, asked: Option<Asked>) {
        if let Ok(mut deferred) = self.deferred.lock()
            && deferred.len() < MAX_PENDING
        {
            deferred.push((url, asked));
        }
    }

    /// Whether the vault is locked (opening it first if needed). When that cannot be told
    /// (the vault does not open), it counts as locked: nothing is shown that should not be.
    pub fn is_locked(&self) -> bool {
        self.with_vault_locked(|vault| Ok::<_, Failure>(vault.is_locked()))
            .unwrap_or(true)
    }

    /// Runs `work` on the vault if it is already open, without opening it (the idle check,
    /// once a second, must not retry a keyring that refuses).
    pub fn with_open_vault<T>(&self, work: impl FnOnce(&Vault) -> T) -> Option<T> {
        let guard = self.vault.lock().ok()?;
        guard.as_ref().map(work)
    }

    /// The oldest link outcome not yet shown (links deferred while locked are read first).
    pub fn take_link(&self) -> CommandResult<Option<Pending>> {
        if self.is_locked() {
            return Err(otentik::Error::VaultLocked.into());
        }
        let deferred = std::mem::take(&mut *lock(&self.deferred)?);
        for (url, asked) in deferred {
            let parsed = crate::capture::from_text(&url);
            let outcome = match asked {
                Some(asked) => parsed.and_then(|parsed| self.hold_asked(parsed, asked)),
                None => parsed.and_then(|parsed| self.hold(parsed, Source::Link)),
            };
            self.push_link(outcome);
        }
        lock(&self.links)?.pop_front().transpose()
    }
}

/// Locks `mutex`; a poisoned lock (an earlier command panicked) is a failure, not a panic.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> CommandResult<MutexGuard<'_, T>> {
    mutex.lock().map_err(|_| {
        Failure::new(
            AppCode::Internal,
            "an earlier command failed badly; restart Otentik",
        )
    })
}

/// A one-time token for a pending list, a staged file or an import.
pub(crate) fn token() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The app's clock as the core's poller reads it: one source of time for both.
struct CoreClock(Arc<dyn Clock>);

impl otentik::push::Clock for CoreClock {
    fn now(&self) -> u64 {
        self.0.now()
    }
}
