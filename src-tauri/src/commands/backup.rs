//! Pengaturan → Cadangan & impor: imports from other apps (pick, preview, confirm), the
//! automatic backups, a backup now, and moving every account to a phone.

use otentik::backup::auto::{self, KEEP, PASSWORD_SECRET, Settings};
use otentik::backup::{self, Format, Import};
use otentik::vault::Vault;
use tauri::State;
use tauri::ipc::{InvokeBody, Request};

use crate::backups::{self, MAX_FILE, MIN_PASSWORD};
use crate::failure::{AppCode, CommandResult, Failure};
use crate::state::AppState;
use crate::views::{BackupView, ImportDone, ImportEntry, ImportPreview, PhoneTransfer, StagedFile};

/// Keeps a picked file (raw body) for an import and names its format.
#[tauri::command(async)]
pub fn import_stage(state: State<'_, AppState>, request: Request<'_>) -> CommandResult<StagedFile> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(Failure::new(
            AppCode::InvalidInput,
            "send the file as raw bytes",
        ));
    };
    if bytes.len() > MAX_FILE {
        return Err(Failure::new(
            AppCode::InvalidInput,
            "the file is too large for an authenticator export (over 32 MiB)",
        ));
    }
    let format = backup::detect(bytes);
    let encrypted = format.is_some_and(|format| backup::is_encrypted(bytes, format));
    let id = state.backups.stage(bytes.clone())?;
    Ok(StagedFile {
        id,
        format,
        encrypted,
    })
}

/// Reads the staged `files` as `format` (their detected format when `null`) with `password`,
/// and shows what an import would add. Nothing is added yet. After a wrong password the files
/// stay staged, so the user can try again.
#[tauri::command(async)]
pub fn import_preview(
    state: State<'_, AppState>,
    files: Vec<String>,
    format: Option<Format>,
    password: Option<String>,
) -> CommandResult<ImportPreview> {
    let password = password.map(otentik::Zeroizing::new);
    let staged = state.backups.take_staged(&files)?;
    let read = (|| {
        let format = match format {
            Some(format) => format,
            None => staged
                .first()
                .and_then(|file| backup::detect(&file.bytes))
                .ok_or(otentik::Error::BackupUnknownFormat)?,
        };
        read_files(&staged, format, password.as_deref().map(String::as_str))
    })();
    let import = match read {
        Ok(import) => import,
        Err(failure) => {
            state.backups.restage(staged)?;
            return Err(failure);
        }
    };
    let duplicates = state.with_vault(|vault| vault.import_duplicates(&import.entries))?;
    let entries = import
        .entries
        .iter()
        .zip(duplicates)
        .map(|(entry, duplicate)| ImportEntry {
            issuer: entry.account.issuer.clone(),
            name: entry.account.name.clone(),
            kind: entry.account.kind,
            duplicate,
        })
        .collect();
    let (format, encrypted, skipped, notes) = (
        import.format,
        import.encrypted,
        import.skipped.clone(),
        import.notes.clone(),
    );
    let token = state.backups.hold(import)?;
    Ok(ImportPreview {
        token,
        format,
        encrypted,
        entries,
        skipped,
        notes,
    })
}

fn read_files(
    staged: &[backups::Staged],
    format: Format,
    password: Option<&str>,
) -> CommandResult<Import> {
    if staged.is_empty() {
        return Err(Failure::new(AppCode::InvalidInput, "pick a file to import"));
    }
    if format == Format::Google {
        let images: Vec<&[u8]> = staged.iter().map(|file| file.bytes.as_slice()).collect();
        return Ok(backup::google::read_images(&images)?);
    }
    let mut all: Option<Import> = None;
    for file in staged {
        let import = backup::read(&file.bytes, format, password)?;
        match &mut all {
            None => all = Some(import),
            Some(all) => all.absorb(import),
        }
    }
    all.ok_or_else(|| Failure::new(AppCode::InvalidInput, "pick a file to import"))
}

/// Adds the accounts of the import held under `token`: all of them or none.
#[tauri::command(async)]
pub fn import_confirm(state: State<'_, AppState>, token: String) -> CommandResult<ImportDone> {
    let import = state.backups.take(&token)?;
    let now = state.clock.now();
    let imported = state.with_vault(|vault| vault.import(&import.entries, now))?;
    state.backups.nudge();
    Ok(ImportDone {
        added: count(imported.added.len()),
        duplicates: count(imported.duplicates),
        skipped: count(import.skipped.len()),
    })
}

/// Drops an import the user cancelled.
#[tauri::command(async)]
pub fn import_cancel(state: State<'_, AppState>, token: String) -> CommandResult<()> {
    let _ = state.backups.take(&token);
    Ok(())
}

/// The automatic backups' settings and last outcome.
#[tauri::command(async)]
pub fn backup_settings(state: State<'_, AppState>) -> CommandResult<BackupView> {
    state.with_vault(|vault| view(vault, &Settings::read(vault.dir())?))
}

/// Turns automatic backups on (into `folder`, created if needed, with `password` if given;
/// a password must be kept or given) and writes the first backup at once, or turns them off.
#[tauri::command(async)]
pub fn set_backup(
    state: State<'_, AppState>,
    enabled: bool,
    folder: Option<String>,
    password: Option<String>,
) -> CommandResult<BackupView> {
    let password = password.map(otentik::Zeroizing::new);
    let now = state.clock.now();
    let view = state.with_vault(|vault| {
        let mut settings = Settings::read(vault.dir())?;
        if !enabled {
            settings.enabled = false;
            settings.last_error = None;
            settings.write(vault.dir())?;
            return view(vault, &settings);
        }
        let folder = folder
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .ok_or_else(|| {
                Failure::new(AppCode::InvalidInput, "choose a folder for the backups").on("folder")
            })?;
        if let Some(password) = &password {
            if password.chars().count() < MIN_PASSWORD {
                return Err(Failure::new(
                    AppCode::InvalidInput,
                    format!(
                        "the backup password is too short: use at least {MIN_PASSWORD} characters"
                    ),
                )
                .on("password"));
            }
        } else if vault.setting_secret(PASSWORD_SECRET)?.is_none() {
            return Err(Failure::new(AppCode::InvalidInput, "set a backup password").on("password"));
        }
        let folder = std::path::PathBuf::from(folder);
        std::fs::create_dir_all(&folder).map_err(|e| {
            Failure::new(
                otentik::Code::Storage,
                format!("cannot create the folder {}: {e}", folder.display()),
            )
            .on("folder")
        })?;
        if let Some(password) = &password {
            vault.set_setting_secret(PASSWORD_SECRET, Some(password.as_bytes()))?;
        }
        settings.enabled = true;
        settings.folder = Some(folder);
        let settings = backups::run(vault, settings, now)?;
        view(vault, &settings)
    })?;
    state.backups.nudge();
    Ok(view)
}

/// Writes a backup now (automatic backups must be set up: folder and password).
#[tauri::command(async)]
pub fn backup_now(state: State<'_, AppState>) -> CommandResult<BackupView> {
    let now = state.clock.now();
    state.with_vault(|vault| {
        vault.reload()?;
        let settings = backups::run(vault, Settings::read(vault.dir())?, now)?;
        view(vault, &settings)
    })
}

/// Every account Google Authenticator can hold, as its export QR codes (10 accounts each), for
/// any phone authenticator.
#[tauri::command(async)]
pub fn phone_transfer(state: State<'_, AppState>) -> CommandResult<PhoneTransfer> {
    let accounts = state.with_vault(|vault| {
        vault
            .accounts()
            .iter()
            .map(|stored| vault.account(&stored.id))
            .collect::<otentik::Result<Vec<_>>>()
    })?;
    let batch_id = i32::from_ne_bytes(rand::random::<[u8; 4]>()) & i32::MAX;
    let written = backup::google::write(&accounts, batch_id);
    let qrs = written
        .payloads
        .iter()
        .map(|payload| crate::transfer::svg(payload))
        .collect::<CommandResult<Vec<_>>>()?;
    Ok(PhoneTransfer {
        qrs,
        left_out: written.left_out,
    })
}

fn view(vault: &Vault, settings: &Settings) -> CommandResult<BackupView> {
    Ok(BackupView {
        enabled: settings.enabled,
        folder: settings.folder.as_ref().map(|f| f.display().to_string()),
        default_folder: auto::default_folder().map(|f| f.display().to_string()),
        has_password: vault.setting_secret(PASSWORD_SECRET)?.is_some(),
        keep: count(KEEP),
        last_verified: settings.last_verified,
        last_file: settings.last_file.as_ref().map(|f| f.display().to_string()),
        error: settings
            .last_error
            .as_ref()
            .filter(|_| settings.enabled)
            .map(|failed| Failure::new(failed.code, failed.message.clone())),
    })
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
