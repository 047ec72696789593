//! Backups and imports in the app: files staged for an import, imports waiting for the user's
//! confirmation, and the automatic backups, written by a background thread when the accounts
//! change (every command that changes them calls [`Backups::nudge`]; a change made by the CLI
//! is found within a minute) and once a day.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use otentik::Zeroizing;
use otentik::backup::Import;
use otentik::backup::auto::{self, Failed, PASSWORD_SECRET, Settings};
use otentik::vault::Vault;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::failure::{AppCode, CommandResult, Failure};
use crate::state::{AppState, lock};

/// The event that tells the UI that the backup state changed.
pub const EVENT: &str = "otentik://backup";
/// How often the background thread looks for a due backup without being nudged.
const TICK: Duration = Duration::from_secs(60);
/// At most this many files wait to be imported, and imports to be confirmed.
const MAX_STAGED: usize = 16;
/// The largest file accepted for an import.
pub const MAX_FILE: usize = 32 * 1024 * 1024;
/// The shortest backup password.
pub const MIN_PASSWORD: usize = 8;

/// A file the user picked, kept until the import is read.
pub struct Staged {
    /// Its id.
    pub id: String,
    /// Its bytes (an export holds secrets: wiped on drop).
    pub bytes: Zeroizing<Vec<u8>>,
}

/// The app's backup state.
pub struct Backups {
    wake: Mutex<Option<Sender<()>>>,
    staged: Mutex<VecDeque<Staged>>,
    imports: Mutex<VecDeque<(String, Import)>>,
}

impl Default for Backups {
    fn default() -> Self {
        Self::new()
    }
}

impl Backups {
    /// Nothing staged, no background thread yet.
    pub fn new() -> Self {
        Self {
            wake: Mutex::new(None),
            staged: Mutex::new(VecDeque::new()),
            imports: Mutex::new(VecDeque::new()),
        }
    }

    /// Asks the background thread to look for a due backup now (after a change).
    pub fn nudge(&self) {
        if let Ok(wake) = self.wake.lock()
            && let Some(wake) = wake.as_ref()
        {
            let _ = wake.send(());
        }
    }

    /// Drops the picked files and the imports waiting for confirmation (the app locked).
    pub fn forget_imports(&self) {
        if let Ok(mut staged) = self.staged.lock() {
            staged.clear();
        }
        if let Ok(mut imports) = self.imports.lock() {
            imports.clear();
        }
    }

    /// Keeps a picked file; returns its id.
    pub fn stage(&self, bytes: Vec<u8>) -> CommandResult<String> {
        let id = crate::state::token();
        let mut staged = lock(&self.staged)?;
        if staged.len() >= MAX_STAGED {
            staged.pop_front();
        }
        staged.push_back(Staged {
            id: id.clone(),
            bytes: Zeroizing::new(bytes),
        });
        Ok(id)
    }

    /// Takes the staged files `ids`, in that order.
    pub fn take_staged(&self, ids: &[String]) -> CommandResult<Vec<Staged>> {
        let mut staged = lock(&self.staged)?;
        let mut files = Vec::with_capacity(ids.len());
        for id in ids {
            let index = staged
                .iter()
                .position(|s| &s.id == id)
                .ok_or_else(expired)?;
            if let Some(file) = staged.remove(index) {
                files.push(file);
            }
        }
        Ok(files)
    }

    /// Puts files back (after a wrong password, so the user can retry without picking again).
    pub fn restage(&self, files: Vec<Staged>) -> CommandResult<()> {
        let mut staged = lock(&self.staged)?;
        for file in files {
            staged.push_back(file);
        }
        Ok(())
    }

    /// Keeps a read import until the user confirms it; returns its token.
    pub fn hold(&self, import: Import) -> CommandResult<String> {
        let token = crate::state::token();
        let mut imports = lock(&self.imports)?;
        if imports.len() >= MAX_STAGED {
            imports.pop_front();
        }
        imports.push_back((token.clone(), import));
        Ok(token)
    }

    /// Takes the import held under `token`.
    pub fn take(&self, token: &str) -> CommandResult<Import> {
        let mut imports = lock(&self.imports)?;
        let index = imports
            .iter()
            .position(|(t, _)| t == token)
            .ok_or_else(expired)?;
        imports
            .remove(index)
            .map(|(_, import)| import)
            .ok_or_else(expired)
    }
}

fn expired() -> Failure {
    Failure::new(
        AppCode::PendingExpired,
        "this import is no longer waiting: pick the file again",
    )
}

/// Starts the background thread of the automatic backups.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let (sender, receiver) = mpsc::channel();
    if let Ok(mut wake) = app.state::<AppState>().backups.wake.lock() {
        *wake = Some(sender);
    }
    let handle = app.clone();
    let spawned = std::thread::Builder::new()
        .name("otentik-backups".into())
        .spawn(move || run_loop(&handle, &receiver));
    if let Err(error) = spawned {
        tracing::warn!(%error, "automatic backups are not running");
    }
}

fn run_loop<R: Runtime>(app: &AppHandle<R>, wake: &Receiver<()>) {
    loop {
        let state = app.state::<AppState>();
        match run_if_due(&state) {
            Ok(true) => {
                let _ = app.emit(EVENT, ());
            }
            Ok(false) => {}
            Err(failure) => tracing::warn!(code = ?failure.code, "automatic backup check failed"),
        }
        match wake.recv_timeout(TICK) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Writes a backup when one is due (the accounts changed, a day passed, or the last one
/// failed). Returns whether one was attempted.
pub fn run_if_due(state: &AppState) -> CommandResult<bool> {
    let now = state.clock.now();
    state.with_vault_locked(|vault| {
        // A locked vault cannot be read: the backup waits for the unlock (the accounts cannot
        // change meanwhile, except from the CLI, which is caught up then).
        if vault.is_locked() {
            return Ok::<_, Failure>(false);
        }
        vault.reload()?;
        let settings = Settings::read(vault.dir())?;
        if !settings.due(&auto::state_of(vault), now) {
            return Ok::<_, Failure>(false);
        }
        let _ = run(vault, settings, now);
        Ok(true)
    })
}

/// Writes a backup now and records the outcome in the settings (the banner on **Akun** shows
/// a failure until a backup succeeds).
pub fn run(vault: &Vault, mut settings: Settings, now: u64) -> CommandResult<Settings> {
    let outcome = write(vault, &settings, now);
    match &outcome {
        Ok(path) => {
            settings.last_verified = Some(now);
            settings.last_file = Some(path.clone());
            settings.last_state = Some(auto::state_of(vault));
            settings.last_error = None;
            tracing::info!("automatic backup written and verified");
        }
        Err(failure) => {
            tracing::warn!(code = ?failure.code, "automatic backup failed");
            settings.last_error = Some(Failed {
                at: now,
                code: match failure.code {
                    crate::failure::ErrorCode::Core(code) => code,
                    crate::failure::ErrorCode::App(_) => otentik::Code::BackupVerifyFailed,
                },
                message: failure.message.clone(),
            });
        }
    }
    settings.write(vault.dir())?;
    outcome.map(|_| settings)
}

fn write(vault: &Vault, settings: &Settings, now: u64) -> CommandResult<std::path::PathBuf> {
    let folder = settings.folder.as_ref().ok_or_else(|| {
        Failure::new(AppCode::InvalidInput, "choose a folder for the backups").on("folder")
    })?;
    let password = vault.setting_secret(PASSWORD_SECRET)?.ok_or_else(|| {
        Failure::new(AppCode::InvalidInput, "set a backup password").on("password")
    })?;
    let password = std::str::from_utf8(password.expose())
        .map_err(|_| Failure::new(AppCode::Internal, "the stored backup password is damaged"))?;
    Ok(auto::write_backup(vault, folder, password, now)?)
}
