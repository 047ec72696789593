//! About the app, and its settings.

use tauri::State;

use crate::approvals::Language;
use crate::failure::{CommandResult, Failure};
use crate::state::AppState;
use crate::views::AppInfo;

/// Version, licence and where the account list lives.
#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    let data_dir = state.with_vault(|vault| Ok::<_, Failure>(vault.dir().display().to_string()))?;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        license: env!("CARGO_PKG_LICENSE").to_owned(),
        data_dir,
    })
}

/// The UI's language, so notifications speak it too.
#[tauri::command(async)]
pub fn set_language(state: State<'_, AppState>, language: Language) -> CommandResult<()> {
    state.approvals.set_language(language)
}
