//! Pengaturan → Cadangan & impor, command by command.

use std::path::PathBuf;

use serde_json::{Value, json};
use tauri::Manager as _;

use crate::harness::{Harness, NOW_MS};

const PASSWORD: &str = "otentik-fixture-password";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/otentik/tests/data/backup")
            .join(name),
    )
    .unwrap()
}

fn stage(h: &Harness, name: &str) -> Value {
    h.call_raw("import_stage", fixture(name), &[]).unwrap()
}

fn names(h: &Harness) -> Vec<String> {
    h.call("list_accounts", json!({}))
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect()
}

/// A file is staged and named, previewed (nothing added), then imported; a password is asked
/// for, a wrong one leaves the file staged for another try, and a second import finds every
/// account already there.
#[test]
fn import_is_previewed_then_confirmed_and_a_wrong_password_can_be_retried() {
    let h = Harness::new();
    let file = stage(&h, "aegis-plain-v3.json");
    assert_eq!(file["format"], "aegis");
    assert_eq!(file["encrypted"], false);
    let preview = h
        .call(
            "import_preview",
            json!({ "files": [file["id"]], "format": null, "password": null }),
        )
        .unwrap();
    assert!(
        !preview.to_string().contains("7Q7HCTWV"),
        "no secret in a preview"
    );
    assert_eq!(preview["format"], "aegis");
    let entries = preview["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[4]["kind"], "steam");
    assert!(entries.iter().all(|e| e["duplicate"] == false));
    assert_eq!(preview["skipped"].as_array().unwrap().len(), 2);
    assert!(
        names(&h).is_empty(),
        "nothing is added before the user confirms"
    );

    let done = h
        .call("import_confirm", json!({ "token": preview["token"] }))
        .unwrap();
    assert_eq!(done, json!({ "added": 5, "duplicates": 0, "skipped": 2 }));
    assert_eq!(names(&h).len(), 5);
    let again = h
        .call("import_confirm", json!({ "token": preview["token"] }))
        .unwrap_err();
    assert_eq!(again["code"], "pending_expired");

    // The same accounts, encrypted by another app: a password first, then all duplicates.
    let file = stage(&h, "andotp-encrypted.json.aes");
    assert_eq!(
        file["format"],
        Value::Null,
        "andOTP's encrypted files have no marker"
    );
    let preview = |password: Option<&str>| {
        h.call(
            "import_preview",
            json!({ "files": [file["id"]], "format": "andotp", "password": password }),
        )
    };
    assert_eq!(
        preview(None).unwrap_err()["code"],
        "backup_password_required"
    );
    assert_eq!(
        preview(Some("wrong password")).unwrap_err()["code"],
        "backup_wrong_password"
    );
    let read = preview(Some(PASSWORD)).unwrap();
    assert!(
        read["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["duplicate"] == true)
    );
    let done = h
        .call("import_confirm", json!({ "token": read["token"] }))
        .unwrap();
    assert_eq!(done["added"], 0);
    assert_eq!(done["duplicates"], 5);

    // A file of no known format says so.
    let unknown = h
        .call_raw("import_stage", b"shopping list".to_vec(), &[])
        .unwrap();
    let error = h
        .call(
            "import_preview",
            json!({ "files": [unknown["id"]], "format": null, "password": null }),
        )
        .unwrap_err();
    assert_eq!(error["code"], "backup_unknown_format");
}

/// Turning automatic backups on writes a verified backup at once, which the core's reader
/// opens with the password; a change calls for another; a folder that is gone is an error
/// kept until a backup succeeds.
#[test]
fn automatic_backups_are_written_verified_and_their_failures_kept() {
    let h = Harness::new();
    h.add_uri("otpauth://totp/LPSE:budi?secret=JBSWY3DPEHPK3PXP&issuer=LPSE");
    h.add_uri("otpauth://hotp/Bank:ani?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=3");
    let view = h.call("backup_settings", json!({})).unwrap();
    assert_eq!(view["enabled"], false);
    assert_eq!(view["has_password"], false);
    assert_eq!(view["keep"], 10);
    // Suggested: `Otentik` in the user's Documents (the home folder without one).
    let suggested = std::path::PathBuf::from(view["default_folder"].as_str().unwrap());
    let home = std::path::PathBuf::from(std::env::var("HOME").unwrap());
    assert!(
        suggested.ends_with("Otentik") && suggested.starts_with(&home),
        "{suggested:?}"
    );
    let folder = h.dir.path().join("Cadangan");

    let short = h
        .call(
            "set_backup",
            json!({ "enabled": true, "folder": folder, "password": "pendek" }),
        )
        .unwrap_err();
    assert_eq!(short["code"], "invalid_input");
    assert_eq!(short["field"], "password");
    let none = h
        .call(
            "set_backup",
            json!({ "enabled": true, "folder": folder, "password": null }),
        )
        .unwrap_err();
    assert_eq!(none["field"], "password");

    let view = h
        .call(
            "set_backup",
            json!({ "enabled": true, "folder": folder, "password": "kata sandi cadangan" }),
        )
        .unwrap();
    assert_eq!(view["enabled"], true);
    assert_eq!(view["has_password"], true);
    assert_eq!(view["last_verified"], NOW_MS / 1000);
    assert_eq!(view["error"], Value::Null);
    let file = PathBuf::from(view["last_file"].as_str().unwrap());
    assert!(file.starts_with(&folder));
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        !String::from_utf8_lossy(&bytes).contains("budi"),
        "encrypted"
    );
    let back = otentik::backup::read(
        &bytes,
        otentik::backup::Format::Aegis,
        Some("kata sandi cadangan"),
    )
    .unwrap();
    let labels: Vec<String> = back.entries.iter().map(|e| e.account.label()).collect();
    assert_eq!(labels, ["LPSE: budi", "Bank: ani"]);
    assert_eq!(back.entries[1].account.counter, 3);

    // Nothing changed: no new backup is due. A rename is a change.
    let state = h.app.state::<otentik_app::state::AppState>();
    assert!(!otentik_app::backups::run_if_due(&state).unwrap());
    let id = h.call("list_accounts", json!({})).unwrap()[0]["id"].clone();
    h.call(
        "rename_account",
        json!({ "id": id, "issuer": null, "name": "budi.s" }),
    )
    .unwrap();
    assert!(otentik_app::backups::run_if_due(&state).unwrap());
    let files = std::fs::read_dir(&folder).unwrap().count();
    assert_eq!(files, 2, "a second backup beside the first");

    // The folder goes (an unplugged disk): the failure is kept and shown, then cleared.
    std::fs::remove_dir_all(&folder).unwrap();
    let failed = h.call("backup_now", json!({})).unwrap_err();
    assert_eq!(failed["code"], "storage");
    let view = h.call("backup_settings", json!({})).unwrap();
    assert_eq!(view["error"]["code"], "storage", "{view}");
    assert!(
        view["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
    std::fs::create_dir_all(&folder).unwrap();
    let view = h.call("backup_now", json!({})).unwrap();
    assert_eq!(view["error"], Value::Null);

    // Turning them off keeps the files and the password, and stops the banner.
    let view = h
        .call(
            "set_backup",
            json!({ "enabled": false, "folder": null, "password": null }),
        )
        .unwrap();
    assert_eq!(view["enabled"], false);
    assert!(std::fs::read_dir(&folder).unwrap().count() >= 1);
}

/// The phone QR codes hold every account Google Authenticator can, ten per code, and name
/// the ones it cannot.
#[test]
fn accounts_move_to_a_phone_as_export_qr_codes() {
    let h = Harness::new();
    for i in 0..12 {
        h.add_uri(&format!(
            "otpauth://totp/LPSE:user{i}?secret=JBSWY3DPEHPK3PX{}&issuer=LPSE",
            ["A", "B", "C", "D"][i % 4]
        ));
    }
    h.add_uri("otpauth://steam/Steam:gamer?secret=HH5X3QLFUXXWMTZ4GDKYQSJPHF44LWUL");
    h.add_uri("otpauth://totp/Lab:carol?secret=JBSWY3DPEHPK3PXP&digits=7");
    let transfer = h.call("phone_transfer", json!({})).unwrap();
    let qrs = transfer["qrs"].as_array().unwrap();
    assert_eq!(qrs.len(), 2, "12 accounts, 10 per QR code");
    assert!(qrs.iter().all(
        |qr| qr.as_str().unwrap().starts_with("<?xml") || qr.as_str().unwrap().contains("<svg")
    ));
    let left_out: Vec<&str> = transfer["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(left_out, ["Steam: gamer", "Lab: carol"]);
}
