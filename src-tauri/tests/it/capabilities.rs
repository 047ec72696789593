//! The main window may call exactly the app's commands; anything else is refused.

use std::collections::BTreeSet;

use serde_json::json;
use tauri::WebviewWindowBuilder;
use tauri::ipc::InvokeBody;

use crate::harness::{Harness, call_from};

/// The commands the UI actually invokes: every `invoke…("name"` in `ui/src/`.
fn invoked_by_the_ui() -> BTreeSet<String> {
    fn walk(dir: &std::path::Path, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "ts" || e == "svelte")
                && !path.to_string_lossy().ends_with(".test.ts")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                for call in text.split("invoke").skip(1) {
                    // invoke("name" or invoke<Type>("name"
                    let call = call.trim_start();
                    let call = match call.strip_prefix('<') {
                        Some(rest) => rest.split_once(">(").map_or("", |(_, after)| after),
                        None => call.strip_prefix('(').unwrap_or(""),
                    };
                    if let Some(name) = call.strip_prefix('"').and_then(|r| r.split('"').next()) {
                        found.insert(name.to_owned());
                    }
                }
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src"),
        &mut found,
    );
    found
}

#[test]
fn the_ui_invokes_exactly_the_commands_the_app_defines() {
    let defined: BTreeSet<String> = otentik_app::COMMANDS
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    assert!(defined.len() >= 24, "{defined:?}");
    assert_eq!(invoked_by_the_ui(), defined);
}

#[test]
fn the_permission_set_build_rs_writes_allows_every_command() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/permissions/app-commands.toml"
    ))
    .unwrap();
    let allowed: BTreeSet<String> = text
        .split('"')
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    let defined: BTreeSet<String> = otentik_app::COMMANDS
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    assert_eq!(allowed, defined);
}

#[test]
fn every_granted_command_is_reachable_from_the_main_window() {
    let h = Harness::new();
    for command in otentik_app::COMMANDS {
        // Wrong or missing arguments are fine here: the point is that the call gets past the
        // capability check and reaches the command.
        if let Err(error) = h.call(command, json!({})) {
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
