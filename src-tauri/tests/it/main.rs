//! The app's commands through Tauri's mock runtime, with the real capabilities applied, over a
//! vault in memory, and one smoke test over the real Secret Service (run inside
//! `scripts/with-keyring.sh`).
//!
//! - `backup`: imports (stage, preview, confirm), automatic backups read back with the core's
//!   reader, a folder that is gone, and the QR codes that move accounts to a phone;
//! - `commands`: each command, as the UI calls it, and the errors it returns;
//! - `capabilities`: what the main window may call, and what is refused;
//! - `bindings`: the generated TypeScript types are up to date;
//! - `browser`: accounts added from the browser extension, over the real socket;
//! - `lock`: the app lock: every account command refused while locked, the idle time, the wait;
//! - `push`: login approvals against `otentik-server --demo` on loopback, polled in the
//!   background as the real app does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backup;
mod bindings;
mod browser;
mod capabilities;
mod commands;
mod harness;
mod lock;
mod push;
