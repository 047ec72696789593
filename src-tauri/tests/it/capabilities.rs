//! The main window may call exactly the app's commands; anything else is refused.

use std::collections::BTreeSet;

use serde_json::json;
use tauri::WebviewWindowBuilder;
use tauri::ipc::InvokeBody;

use crate::harness::{Harness, call_from};

/// The command names listed in `build.rs`.
fn build_rs_commands() -> BTreeSet<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/build.rs")).unwrap();
    let start = text.find("const COMMANDS").unwrap();
    let end = start + text[start..].find("];").unwrap();
    text[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The `allow-*` permissions `capabilities/default.json` grants, as command names.
fn granted_commands() -> BTreeSet<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/capabilities/default.json"
    ))
    .unwrap();
    let capability: serde_json::Value = serde_json::from_str(&text).unwrap();
    capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| !p.starts_with("core:"))
        .map(|p| p.strip_prefix("allow-").unwrap().replace('-', "_"))
        .collect()
}

/// The commands `src/lib.rs` registers with `generate_handler!`.
fn registered_commands() -> BTreeSet<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")).unwrap();
    let start = text.find("generate_handler![").unwrap();
    let end = start + text[start..].find("])").unwrap();
    text[start..end]
        .split("commands::")
        .skip(1)
        .map(|name| name.split(',').next().unwrap().trim().to_owned())
        .collect()
}

#[test]
fn build_rs_capability_and_ui_list_the_same_commands() {
    let listed = build_rs_commands();
    assert_eq!(listed.len(), 24);
    assert_eq!(listed, registered_commands());
    assert_eq!(listed, granted_commands());
    let api = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/api.ts"))
        .unwrap();
    let start = api.find("export const COMMANDS").unwrap();
    let end = start + api[start..].find("] as const").unwrap();
    let ui: BTreeSet<String> = api[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    assert_eq!(listed, ui);
}

#[test]
fn every_granted_command_is_reachable_from_the_main_window() {
    let h = Harness::new();
    for command in build_rs_commands() {
        // Wrong or missing arguments are fine here: the point is that the call gets past the
        // capability check and reaches the command.
        if let Err(error) = h.call(&command, json!({})) {
            let text = error.to_string();
            assert!(!text.contains("not allowed"), "{command}: {text}");
            assert!(!text.contains("not found"), "{command}: {text}");
        }
    }
}

#[test]
fn other_windows_origins_and_ungranted_commands_are_refused() {
    let h = Harness::new();

    // A core command the capability does not grant.
    let close = h
        .call("plugin:window|close", json!({ "label": "main" }))
        .unwrap_err();
    assert!(close.to_string().contains("not allowed"), "{close}");
    let read = h
        .call("plugin:path|resolve_directory", json!({ "directory": 1 }))
        .unwrap_err();
    assert!(read.to_string().contains("not allowed"), "{read}");

    // A command that does not exist.
    let unknown = h.call("read_secret", json!({ "id": "x" })).unwrap_err();
    assert!(
        unknown.to_string().contains("not found") || unknown.to_string().contains("not allowed"),
        "{unknown}"
    );

    // The app's own command from a remote page in the main window.
    let remote = call_from(
        &h.main,
        "https://evil.example",
        "list_accounts",
        InvokeBody::Json(json!({})),
    )
    .unwrap_err();
    assert!(remote.to_string().contains("not allowed"), "{remote}");

    // The app's own command from a window the capability does not name.
    let other = WebviewWindowBuilder::new(&h.app, "other", Default::default())
        .build()
        .unwrap();
    let refused = call_from(
        &other,
        "tauri://localhost",
        "export_uris",
        InvokeBody::Json(json!({})),
    )
    .unwrap_err();
    assert!(refused.to_string().contains("not allowed"), "{refused}");

    // And the main window is allowed the same call.
    assert!(h.call("list_accounts", json!({})).is_ok());
}
