//! Each command as the UI calls it.

use std::sync::Arc;

use otentik_app::clipboard::Copier;
use otentik_app::clock::FixedClock;
use otentik_app::state::AppState;
use serde_json::json;

use crate::harness::{Harness, NOW_MS, qr_png};

const SECRET: &str = "JBSWY3DPEHPK3PXP";
const URI: &str = "otpauth://totp/LPSE%20Kota%20Bandung:budi?secret=JBSWY3DPEHPK3PXP&issuer=LPSE%20Kota%20Bandung";

/// The smoke test over the real Secret Service: the keyring holds the vault key alone (the
/// secrets are sealed in the data directory), and no item reads as the seed, as `secret-tool`
/// sees it.
#[test]
fn add_by_uri_then_codes_rename_move_remove() {
    let _serial = otentik_test_support::keyring::serial();
    let h = Harness::keyring();
    let stored = || otentik_test_support::keyring::items(&h.service).len();
    assert_eq!(h.call("list_accounts", json!({})).unwrap(), json!([]));

    let pending = h.call("read_text", json!({ "text": URI })).unwrap();
    assert!(
        !pending.to_string().contains(SECRET),
        "a pending list must not carry the secret"
    );
    assert_eq!(pending["source"], "uri");
    assert_eq!(pending["export"], false);
    assert_eq!(pending["accounts"][0]["issuer"], "LPSE Kota Bandung");
    assert_eq!(pending["accounts"][0]["exists"], false);
    // Nothing is stored before the user confirms.
    assert_eq!(h.call("list_accounts", json!({})).unwrap(), json!([]));

    let added = h
        .call("confirm_add", json!({ "token": pending["token"] }))
        .unwrap();
    assert_eq!(added["added"][0]["name"], "budi");
    assert_eq!(stored(), 1, "the vault key is in the keyring");
    assert!(
        otentik_test_support::keyring::items(&h.service)
            .iter()
            .all(|item| !String::from_utf8_lossy(&item.secret).contains(SECRET)),
        "no keyring item reads as the seed"
    );
    let id = added["added"][0]["id"].as_str().unwrap().to_owned();
    // A token is good once.
    let again = h
        .call("confirm_add", json!({ "token": pending["token"] }))
        .unwrap_err();
    assert_eq!(again["code"], "pending_expired");

    // The code is the core's code at the command's clock.
    let codes = h.call("codes", json!({})).unwrap();
    assert_eq!(codes["at_ms"], NOW_MS);
    let expected = otentik::otp::code_at(
        &otentik::otpauth::parse(URI).unwrap().account,
        NOW_MS / 1000,
    );
    assert_eq!(codes["codes"][0]["code"], expected.as_str());
    assert_eq!(codes["codes"][0]["remaining"], 28);
    assert_eq!(codes["codes"][0]["period"], 30);

    // The same account again is reported, not stored twice.
    let duplicate = h.add_uri(URI);
    assert_eq!(duplicate["added"], json!([]));
    assert_eq!(duplicate["duplicates"], json!(["LPSE Kota Bandung: budi"]));

    let renamed = h
        .call(
            "rename_account",
            json!({ "id": id, "issuer": "LPSE Bandung", "name": null }),
        )
        .unwrap();
    assert_eq!(renamed["issuer"], "LPSE Bandung");
    assert_eq!(renamed["name"], "budi");
    let empty = h
        .call(
            "rename_account",
            json!({ "id": id, "issuer": null, "name": "  " }),
        )
        .unwrap_err();
    assert_eq!(empty["code"], "invalid_input");
    assert_eq!(empty["field"], "name");

    // The sites the browser extension may fill it on: normalised, checked all before any.
    let bound = h
        .call(
            "set_account_origins",
            json!({ "id": id, "origins": ["https://LPSE.Bandung.go.id/", " ", "http://127.0.0.1:8080"] }),
        )
        .unwrap();
    assert_eq!(
        bound["origins"],
        json!(["http://127.0.0.1:8080", "https://lpse.bandung.go.id"])
    );
    let refused = h
        .call(
            "set_account_origins",
            json!({ "id": id, "origins": ["https://ok.example", "http://phish.example"] }),
        )
        .unwrap_err();
    assert_eq!(refused["code"], "invalid_origin");
    assert_eq!(refused["field"], "origins");
    let list = h.call("list_accounts", json!({})).unwrap();
    assert_eq!(list[0]["origins"], bound["origins"], "nothing changed");

    let second = h.add_uri("otpauth://totp/GitHub:budi?secret=GEZDGNBVGY3TQOJQ&issuer=GitHub");
    let second_id = second["added"][0]["id"].as_str().unwrap().to_owned();
    h.call("move_account", json!({ "id": second_id, "index": 0 }))
        .unwrap();
    let list = h.call("list_accounts", json!({})).unwrap();
    assert_eq!(list[0]["id"], second_id.as_str());
    assert_eq!(list[1]["id"], id.as_str());
    let outside = h
        .call("move_account", json!({ "id": id, "index": 7 }))
        .unwrap_err();
    assert_eq!(outside["code"], "invalid_position");

    h.call("remove_account", json!({ "id": id })).unwrap();
    let list = h.call("list_accounts", json!({})).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let gone = h.call("remove_account", json!({ "id": id })).unwrap_err();
    assert_eq!(gone["code"], "no_match");
    h.call("remove_account", json!({ "id": second_id }))
        .unwrap();
    assert_eq!(
        stored(),
        1,
        "Hapus leaves the vault key alone in the keyring"
    );
}

#[test]
fn a_google_authenticator_export_lists_every_account_first() {
    let h = Harness::new();
    let accounts: Vec<otentik::Account> = ["alice", "bob", "carol"]
        .iter()
        .map(|name| {
            otentik::Account::totp("ACME", *name, otentik::Secret::from_base32(SECRET).unwrap())
        })
        .collect();
    let export = otentik::otpauth::format_migration(&accounts, 0, 1);
    let pending = h.call("read_text", json!({ "text": export })).unwrap();
    assert_eq!(pending["export"], true);
    assert_eq!(pending["accounts"].as_array().unwrap().len(), 3);
    let added = h
        .call("confirm_add", json!({ "token": pending["token"] }))
        .unwrap();
    assert_eq!(added["added"].as_array().unwrap().len(), 3);

    // Export gives them back, secrets included (the UI warns first).
    let uris = h.call("export_uris", json!({})).unwrap();
    assert_eq!(uris.as_array().unwrap().len(), 3);
    assert!(
        uris[0]
            .as_str()
            .unwrap()
            .contains(&format!("secret={SECRET}"))
    );
    for account in h
        .call("list_accounts", json!({}))
        .unwrap()
        .as_array()
        .unwrap()
    {
        h.call("remove_account", json!({ "id": account["id"] }))
            .unwrap();
    }
}

#[test]
fn cancel_forgets_and_bad_text_says_why() {
    let h = Harness::new();
    let pending = h.call("read_text", json!({ "text": URI })).unwrap();
    h.call("cancel_add", json!({ "token": pending["token"] }))
        .unwrap();
    let expired = h
        .call("confirm_add", json!({ "token": pending["token"] }))
        .unwrap_err();
    assert_eq!(expired["code"], "pending_expired");

    let https = h
        .call("read_text", json!({ "text": "https://example.com" }))
        .unwrap_err();
    assert_eq!(https["code"], "not_authenticator_uri");
    let bad = h
        .call(
            "read_text",
            json!({ "text": "otpauth://totp/x?secret=JBSWY3DP1HPK3PXP" }),
        )
        .unwrap_err();
    assert_eq!(bad["code"], "invalid_secret");
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .contains("'1' at position 9")
    );
}

#[test]
fn manual_form_is_checked_field_by_field() {
    let h = Harness::new();
    let form = |name: &str, secret: &str, digits: u8| {
        json!({ "form": {
            "issuer": "LPSE", "name": name, "secret": secret, "kind": "totp",
            "algorithm": "SHA1", "digits": digits, "period": 30, "counter": 0
        }})
    };
    let no_name = h.call("add_manual", form(" ", SECRET, 6)).unwrap_err();
    assert_eq!(
        (no_name["code"].as_str(), no_name["field"].as_str()),
        (Some("invalid_input"), Some("name"))
    );
    let bad_secret = h
        .call("add_manual", form("budi", "JBSW Y3DP 0", 6))
        .unwrap_err();
    assert_eq!(
        (bad_secret["code"].as_str(), bad_secret["field"].as_str()),
        (Some("invalid_secret"), Some("secret"))
    );
    let short = h
        .call("add_manual", form("budi", "JBSWY3DP", 6))
        .unwrap_err();
    assert_eq!(short["field"], "secret");
    let digits = h.call("add_manual", form("budi", SECRET, 10)).unwrap_err();
    assert_eq!(
        (digits["code"].as_str(), digits["field"].as_str()),
        (Some("invalid_uri"), Some("digits"))
    );

    let pending = h
        .call("add_manual", form("budi", "jbsw y3dp ehpk 3pxp", 6))
        .unwrap();
    assert_eq!(pending["source"], "form");
    let added = h
        .call("confirm_add", json!({ "token": pending["token"] }))
        .unwrap();
    let id = added["added"][0]["id"].as_str().unwrap().to_owned();
    // The transfer QR is a picture, not a string holding the secret.
    let svg = h.call("transfer_qr", json!({ "id": id })).unwrap();
    let svg = svg.as_str().unwrap();
    assert!(svg.contains("<svg"));
    assert!(!svg.contains(SECRET));
    h.call("remove_account", json!({ "id": id })).unwrap();
}

#[test]
fn images_are_scanned_and_their_problems_named() {
    let h = Harness::new();
    let pending = h.call_raw("scan_image", qr_png(URI), &[]).unwrap();
    assert_eq!(pending["source"], "image");
    assert_eq!(pending["accounts"][0]["name"], "budi");
    h.call("cancel_add", json!({ "token": pending["token"] }))
        .unwrap();

    let other = h
        .call_raw("scan_image", qr_png("https://lpse.example.go.id"), &[])
        .unwrap_err();
    assert_eq!(other["code"], "not_authenticator_qr");

    let mut blank = Vec::new();
    image::DynamicImage::ImageLuma8(image::GrayImage::from_pixel(200, 200, image::Luma([255])))
        .write_to(
            &mut std::io::Cursor::new(&mut blank),
            image::ImageFormat::Png,
        )
        .unwrap();
    let none = h.call_raw("scan_image", blank, &[]).unwrap_err();
    assert_eq!(none["code"], "qr_not_found");

    let garbage = h
        .call_raw("scan_image", b"not an image at all".to_vec(), &[])
        .unwrap_err();
    assert_eq!(garbage["code"], "image_unreadable");

    let json_body = h.call("scan_image", json!({})).unwrap_err();
    assert_eq!(json_body["code"], "invalid_input");
}

#[test]
fn camera_frames_go_on_until_a_code_is_seen() {
    let h = Harness::new();
    let png = qr_png(URI);
    let rgba = image::load_from_memory(&png).unwrap().to_rgba8();
    let (w, h_px) = (rgba.width().to_string(), rgba.height().to_string());
    let found = h
        .call_raw(
            "scan_frame",
            rgba.into_raw(),
            &[("x-width", &w), ("x-height", &h_px)],
        )
        .unwrap();
    assert_eq!(found["source"], "camera");

    let empty = vec![255u8; 64 * 64 * 4];
    let nothing = h
        .call_raw(
            "scan_frame",
            empty,
            &[("x-width", "64"), ("x-height", "64")],
        )
        .unwrap();
    assert_eq!(nothing, serde_json::Value::Null);

    let wrong_size = h
        .call_raw(
            "scan_frame",
            vec![0; 10],
            &[("x-width", "64"), ("x-height", "64")],
        )
        .unwrap_err();
    assert_eq!(wrong_size["code"], "image_unreadable");
    let no_headers = h.call_raw("scan_frame", vec![0; 10], &[]).unwrap_err();
    assert_eq!(no_headers["code"], "invalid_input");
}

#[test]
fn a_locked_keyring_is_an_error_the_ui_can_show_and_retry() {
    let state = AppState::new(
        Box::new(|| {
            Err(otentik::Error::KeyringLocked {
                detail: "IsLocked".into(),
            })
        }),
        Arc::new(FixedClock::at_ms(NOW_MS)),
        Copier::new(std::time::Duration::from_secs(30)),
    );
    let h = Harness::with_state(state, tempfile::tempdir().unwrap(), String::new());
    for cmd in ["list_accounts", "codes", "export_uris"] {
        let failure = h.call(cmd, json!({})).unwrap_err();
        assert_eq!(failure["code"], "keyring_locked", "{cmd}");
        assert!(failure["message"].as_str().unwrap().contains("unlock it"));
    }
}

#[test]
fn app_info_names_version_and_licence() {
    let h = Harness::new();
    let info = h.call("app_info", json!({})).unwrap();
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["license"], "Apache-2.0");
    assert!(
        info["data_dir"]
            .as_str()
            .unwrap()
            .starts_with(h.dir.path().to_str().unwrap())
    );
    assert_eq!(
        h.call("take_link", json!({})).unwrap(),
        serde_json::Value::Null
    );
}

#[test]
fn uri_warnings_arrive_with_a_code_to_translate() {
    let h = Harness::new();
    let pending = h
        .call(
            "read_text",
            json!({ "text": "otpauth://totp/Old:budi?secret=JBSWY3DPEHPK3PXP&issuer=New" }),
        )
        .unwrap();
    let warnings = pending["accounts"][0]["warnings"].as_array().unwrap();
    let codes: Vec<&str> = warnings
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["issuer_mismatch", "short_secret"]);
    assert_eq!(
        warnings[0],
        json!({
            "code": "issuer_mismatch",
            "message": "the issuer parameter 'New' differs from the label prefix 'Old'; using 'New'",
            "values": {"issuer": "New", "prefix": "Old"},
        })
    );
    assert_eq!(warnings[1]["values"]["bits"], "80");
    // The secret never reaches the UI, not even inside a warning.
    assert!(!pending.to_string().contains(SECRET));
}

#[test]
fn the_confirmation_names_the_push_server_and_warns_when_it_is_not_the_sites() {
    let h = Harness::new();
    let read = |push_url: &str| {
        let uri = format!(
            "otpauth://totp/lpse.bandung.go.id:budi?secret=JBSWY3DPEHPK3PXP&issuer=lpse.bandung.go.id&push_url={}&push_token=pt_x",
            url::form_urlencoded::byte_serialize(push_url.as_bytes()).collect::<String>()
        );
        let pending = h.call("read_text", json!({ "text": uri })).unwrap();
        pending["accounts"][0]["push_server"].clone()
    };
    assert_eq!(
        read("https://evil.example/device/v1"),
        json!({ "host": "evil.example", "local": false, "matches_issuer": false })
    );
    assert_eq!(
        read("https://push.lpse.bandung.go.id/device/v1"),
        json!({ "host": "push.lpse.bandung.go.id", "local": false, "matches_issuer": true })
    );
    assert_eq!(read("http://127.0.0.1:9000/device/v1")["local"], true);
    // Nothing is enrolled, or stored, before Tambah.
    assert_eq!(h.call("list_accounts", json!({})).unwrap(), json!([]));
}
