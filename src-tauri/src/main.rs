//! The desktop app's entry point: everything lives in the library so tests and mobile builds
//! share it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    otentik_app::run();
}
