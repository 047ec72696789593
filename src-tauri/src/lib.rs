//! Otentik's desktop app: a thin Tauri 2 shell over the `otentik` core.
//!
//! - [`commands`]: what the UI may call, each one call into the core;
//! - [`failure`]: the `{code, message}` a failed command returns;
//! - [`views`], [`warning`]: what crosses IPC (never a secret);
//! - [`state`], [`clock`], [`clipboard`], [`capture`], [`transfer`], [`link`]: what the commands
//!   stand on;
//! - [`approvals`], [`background`], [`alerts`], [`tray`]: login requests, polled in the
//!   background, announced by a notification and the tray.
//!
//! [`app`] adds the commands and state to any builder, so tests drive them through
//! `tauri::test::mock_builder()`; [`run`] is the real app.

pub mod alerts;
pub mod approvals;
pub mod background;
pub mod bindings;
pub mod capture;
pub mod clipboard;
pub mod clock;
pub mod commands;
pub mod failure;
pub mod link;
pub mod state;
pub mod transfer;
pub mod tray;
pub mod views;
pub mod warning;

use std::sync::Arc;

use otentik::vault::Vault;
use tauri::{Builder, Manager, Runtime, WindowEvent};

use crate::clipboard::{CLEAR_AFTER, Copier};
use crate::clock::SystemClock;
use crate::state::AppState;

/// The app's commands and `state` on `builder` (any runtime: the real one or the mock).
pub fn app<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    builder
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_accounts,
            commands::codes,
            commands::next_hotp,
            commands::copy_code,
            commands::read_text,
            commands::scan_image,
            commands::scan_frame,
            commands::scan_screen,
            commands::scan_clipboard,
            commands::add_manual,
            commands::confirm_add,
            commands::cancel_add,
            commands::take_link,
            commands::rename_account,
            commands::move_account,
            commands::remove_account,
            commands::transfer_qr,
            commands::export_uris,
            commands::push_requests,
            commands::answer_request,
            commands::retry_push,
            commands::check_removal,
            commands::set_language,
        ])
}

/// The state of the real app: the user's vault, the system clock and clipboard.
pub fn default_state() -> AppState {
    AppState::new(
        Box::new(Vault::open_default),
        Arc::new(SystemClock),
        Copier::new(CLEAR_AFTER),
    )
}

/// The app's configuration, assets and capabilities (`tauri.conf.json`, `../ui/dist`,
/// `capabilities/`), for the real runtime and the mock one alike.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Starts the desktop app (and, on phones, is the entry point the OS calls).
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let builder = tauri::Builder::default();
    // Single instance first: a second launch (e.g. an `otpauth://` link) hands its arguments
    // to the running app, whose deep-link handler picks the link up.
    #[cfg(desktop)]
    let builder = builder.plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
        link::show(app);
    }));
    let builder = app(
        builder.plugin(tauri_plugin_deep_link::init()),
        default_state(),
    )
    .setup(|app| {
        use tauri_plugin_deep_link::DeepLinkExt;
        let handle = app.handle().clone();
        app.deep_link().on_open_url(move |event| {
            link::open(&handle, event.urls().iter().map(|url| url.to_string()));
        });
        if let Ok(Some(urls)) = app.deep_link().get_current() {
            link::open(app.handle(), urls.iter().map(|url| url.to_string()));
        }
        #[cfg(desktop)]
        if let Err(error) = tray::build(app.handle()) {
            eprintln!("Otentik: no tray icon ({error}); closing the window quits");
        }
        background::start(app.handle());
        Ok(())
    })
    .on_window_event(|window, event| {
        // With a tray icon, closing hides the window: login requests keep arriving and the
        // tray, a notification or a second launch brings it back.
        if let WindowEvent::CloseRequested { api, .. } = event
            && window.app_handle().tray_by_id(tray::ID).is_some()
        {
            api.prevent_close();
            let _ = window.hide();
        }
    });
    if let Err(error) = builder.run(context()) {
        eprintln!("Otentik could not start: {error}");
        std::process::exit(1);
    }
}
