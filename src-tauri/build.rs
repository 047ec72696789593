//! Generates the Tauri context and one allow/deny permission per app command, so that
//! `capabilities/default.json` can grant exactly the commands the UI uses.

/// Every command the UI may call. `capabilities/default.json` grants each `allow-<name>`; a
/// test checks the two lists and `src/commands.rs` agree.
const COMMANDS: &[&str] = &[
    "app_info",
    "list_accounts",
    "codes",
    "next_hotp",
    "copy_code",
    "read_text",
    "scan_image",
    "scan_frame",
    "scan_screen",
    "scan_clipboard",
    "add_manual",
    "confirm_add",
    "cancel_add",
    "take_link",
    "rename_account",
    "move_account",
    "remove_account",
    "transfer_qr",
    "export_uris",
    "push_requests",
    "answer_request",
    "retry_push",
    "check_removal",
    "set_language",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|error| panic!("tauri build step failed: {error:#}"));
}
