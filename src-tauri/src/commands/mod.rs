//! The commands the UI calls, by subject. Each is one call into the `otentik` core (through
//! [`AppState`](crate::state::AppState)) plus the conversion of its error into
//! [`Failure`](crate::failure::Failure); the time is read once per command and passed in.
//!
//! This folder is the one list of commands: `build.rs` finds every `#[tauri::command]` here and
//! generates the handler, the permissions and the capability's permission set from them.
//!
//! - [`app`]: version, data folder, language;
//! - [`accounts`]: the list, renaming, order, removal, moving to another authenticator;
//! - [`codes`]: current codes, HOTP, copying;
//! - [`add`]: reading accounts from text, images, camera, screen, clipboard or the form, then
//!   confirming them;
//! - [`backup`]: imports from other apps, automatic backups, moving accounts to a phone;
//! - [`lock`]: the app lock (the only commands that answer while locked);
//! - [`push`]: login requests, answers, enrolment retries, the check before removal.

pub mod accounts;
pub mod add;
pub mod app;
pub mod backup;
pub mod codes;
pub mod lock;
pub mod push;
