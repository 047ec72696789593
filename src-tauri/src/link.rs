//! `otpauth://` links: the OS opens Otentik with one (first start or, through the single
//! instance, a running app). The link's accounts are held like a scan and the UI is told to
//! ask the user before anything is added.

use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::capture;
use crate::state::AppState;

/// The event that tells the UI a link is waiting (`take_link` returns it).
pub const EVENT: &str = "otentik://link";

/// Holds the accounts of every authenticator link in `urls` and tells the UI.
pub fn open<R: Runtime>(app: &AppHandle<R>, urls: impl IntoIterator<Item = String>) {
    let state = app.state::<AppState>();
    let mut any = false;
    for url in urls {
        if !(url.starts_with("otpauth://") || url.starts_with("otpauth-migration://")) {
            continue;
        }
        any = true;
        if state.is_locked() {
            // Read after the unlock: a locked app says nothing about its accounts.
            state.defer_link(url);
            continue;
        }
        let outcome = capture::from_text(&url)
            .and_then(|parsed| state.hold(parsed, crate::views::Source::Link));
        state.push_link(outcome);
    }
    if any {
        let _ = app.emit(EVENT, ());
        show(app);
    }
}

/// Brings the main window to the front.
pub fn show<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
