//! The app lock through the commands: locked, every command that returns an account answers
//! `vault_locked`; the password opens it; the idle time locks it; what was waiting is gone.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use otentik_app::clock::FixedClock;
use otentik_app::locking;
use otentik_app::state::AppState;
use serde_json::{Value, json};
use tauri::Manager;

use crate::harness::{Harness, NOW_MS};

const PASSWORD: &str = "meja kantor lantai 3";
const URI: &str = "otpauth://totp/LPSE%20Kota%20Bandung:budi?secret=JBSWY3DPEHPK3PXP&issuer=LPSE%20Kota%20Bandung";
const OTHER: &str = "otpauth://totp/LPSE%20Jabar:sari?secret=KRSXG5CTMVRXEZLU&issuer=LPSE%20Jabar";

fn code_of(h: &Harness) -> Value {
    h.call("codes", json!({})).unwrap()["codes"][0]["code"].clone()
}

/// An app with one account and the lock on (unlocked), over a clock the test moves.
fn with_the_lock_on() -> (Harness, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::at_ms(NOW_MS));
    let h = Harness::with_clock(clock.clone());
    h.add_uri(URI);
    h.call(
        "enable_lock",
        json!({ "password": PASSWORD, "confirm": PASSWORD }),
    )
    .unwrap();
    (h, clock)
}

#[test]
fn locked_every_account_command_answers_vault_locked_until_the_password() {
    let h = Harness::new();
    let id = h.add_uri(URI)["added"][0]["id"].clone();
    let before = code_of(&h);

    let status = h.call("lock_status", json!({})).unwrap();
    assert_eq!(status["state"], "off");
    assert_eq!(status["idle_seconds"], 300, "five minutes by default");
    assert_eq!(status["backups_on"], false);
    assert_eq!(
        h.call("lock_now", json!({})).unwrap_err()["code"],
        "lock_state",
        "nothing to lock with the lock off"
    );

    // Turning it on: the password twice, at least 8 characters.
    let differ = h
        .call(
            "enable_lock",
            json!({ "password": PASSWORD, "confirm": "something else" }),
        )
        .unwrap_err();
    assert_eq!(differ["code"], "invalid_input");
    assert_eq!(differ["field"], "confirm");
    let short = h
        .call(
            "enable_lock",
            json!({ "password": "pendek", "confirm": "pendek" }),
        )
        .unwrap_err();
    assert_eq!(short["code"], "lock_password_too_short");
    assert_eq!(
        h.call("password_strength", json!({ "password": "pendek" }))
            .unwrap(),
        "too_short"
    );
    let on = h
        .call(
            "enable_lock",
            json!({ "password": PASSWORD, "confirm": PASSWORD }),
        )
        .unwrap();
    assert_eq!(on["state"], "unlocked");
    assert_eq!(code_of(&h), before, "unlocked, the codes are as before");

    // Something waits for confirmation when the app locks: it is forgotten.
    let pending = h.call("read_text", json!({ "text": OTHER })).unwrap();
    let locked = h.call("lock_now", json!({})).unwrap();
    assert_eq!(locked["state"], "locked");

    for (command, args) in [
        ("list_accounts", json!({})),
        ("codes", json!({})),
        ("push_requests", json!({})),
        ("export_uris", json!({})),
        ("app_info", json!({})),
        ("take_link", json!({})),
        ("backup_settings", json!({})),
        ("phone_transfer", json!({})),
        ("read_text", json!({ "text": OTHER })),
        ("transfer_qr", json!({ "id": id })),
        ("copy_code", json!({ "id": id })),
        ("next_hotp", json!({ "id": id })),
        (
            "rename_account",
            json!({ "id": id, "issuer": null, "name": "x" }),
        ),
        ("check_removal", json!({ "id": id })),
        ("remove_account", json!({ "id": id })),
        // A login request cannot be answered while locked (the device key is sealed).
        (
            "answer_request",
            json!({ "id": "ch_any", "decision": "approve", "number": null }),
        ),
        ("set_account_origins", json!({ "id": id, "origins": [] })),
        ("move_account", json!({ "id": id, "index": 0 })),
        (
            "add_manual",
            json!({ "form": {
                "issuer": "LPSE", "name": "budi2", "secret": "JBSWY3DPEHPK3PXP", "kind": "totp",
                "algorithm": "SHA1", "digits": 6, "period": 30, "counter": 0
            }}),
        ),
        ("retry_push", json!({ "id": id })),
        ("backup_now", json!({})),
    ] {
        let refused = h.call(command, args).unwrap_err();
        assert_eq!(refused["code"], "vault_locked", "{command}: {refused}");
        assert!(
            !refused.to_string().contains("budi"),
            "{command} names no account: {refused}"
        );
    }
    // The lock's own commands answer, and say nothing about the accounts.
    let status = h.call("lock_status", json!({})).unwrap();
    assert_eq!(status["state"], "locked");
    assert!(!status.to_string().contains("budi"));

    let wrong = h
        .call("unlock", json!({ "password": "bukan ini sandinya" }))
        .unwrap_err();
    assert_eq!(wrong["code"], "lock_wrong_password");
    assert_eq!(
        h.call("list_accounts", json!({})).unwrap_err()["code"],
        "vault_locked"
    );
    let open = h.call("unlock", json!({ "password": PASSWORD })).unwrap();
    assert_eq!(open["state"], "unlocked");
    assert_eq!(
        h.call("list_accounts", json!({})).unwrap()[0]["name"],
        "budi"
    );
    assert_eq!(code_of(&h), before);
    assert_eq!(
        h.call("confirm_add", json!({ "token": pending["token"] }))
            .unwrap_err()["code"],
        "pending_expired",
        "what waited before the lock is gone"
    );

    // Changing the password, then turning the lock off.
    let changed = h
        .call(
            "change_lock_password",
            json!({ "old": PASSWORD, "new": "sandi baru yang panjang", "confirm": "sandi baru yang panjang" }),
        )
        .unwrap();
    assert_eq!(changed["state"], "unlocked");
    h.call("lock_now", json!({})).unwrap();
    assert_eq!(
        h.call("unlock", json!({ "password": PASSWORD }))
            .unwrap_err()["code"],
        "lock_wrong_password",
        "the old password no longer opens it"
    );
    h.call("unlock", json!({ "password": "sandi baru yang panjang" }))
        .unwrap();
    let off = h
        .call(
            "disable_lock",
            json!({ "password": "sandi baru yang panjang" }),
        )
        .unwrap();
    assert_eq!(off["state"], "off");
    assert_eq!(code_of(&h), before);
}

#[test]
fn the_idle_time_locks_and_use_of_the_window_holds_it_off() {
    let (h, clock) = with_the_lock_on();
    let state = h.app.state::<AppState>();
    let now = NOW_MS / 1000;
    let at = |seconds: u64| clock.0.store((now + seconds) * 1000, Ordering::SeqCst);

    assert_eq!(
        h.call("set_idle_lock", json!({ "seconds": 3 }))
            .unwrap_err()["field"],
        "idle",
        "shorter than 5 seconds is refused"
    );
    assert_eq!(
        h.call("set_idle_lock", json!({ "seconds": 10 })).unwrap()["idle_seconds"],
        10
    );
    assert!(!locking::idle_due(&state, now + 9));
    at(8);
    h.call("note_activity", json!({})).unwrap();
    assert!(
        !locking::idle_due(&state, now + 17),
        "use at +8 s moved the deadline"
    );
    assert!(locking::idle_due(&state, now + 18));
    assert!(locking::lock(&state).unwrap());
    assert_eq!(h.call("lock_status", json!({})).unwrap()["state"], "locked");
    assert!(
        !locking::idle_due(&state, now + 1000),
        "a locked app is not locked again"
    );

    // Unlocking starts the idle time over.
    at(100);
    h.call("unlock", json!({ "password": PASSWORD })).unwrap();
    assert!(!locking::idle_due(&state, now + 109));
    assert!(locking::idle_due(&state, now + 110));

    // Never.
    h.call("set_idle_lock", json!({ "seconds": 0 })).unwrap();
    assert!(!locking::idle_due(&state, now + 1_000_000));
}

#[test]
fn wrong_passwords_bring_a_wait_the_lock_screen_can_show() {
    let (h, clock) = with_the_lock_on();
    h.call("lock_now", json!({})).unwrap();
    for _ in 0..5 {
        assert_eq!(
            h.call("unlock", json!({ "password": "salah salah salah" }))
                .unwrap_err()["code"],
            "lock_wrong_password"
        );
    }
    assert_eq!(
        h.call("lock_status", json!({})).unwrap()["wait_seconds"],
        30
    );
    let waiting = h
        .call("unlock", json!({ "password": PASSWORD }))
        .unwrap_err();
    assert_eq!(
        waiting["code"], "lock_wait",
        "even the right password waits"
    );
    clock.0.store(NOW_MS + 30_000, Ordering::SeqCst);
    assert_eq!(h.call("lock_status", json!({})).unwrap()["wait_seconds"], 0);
    h.call("unlock", json!({ "password": PASSWORD })).unwrap();
}
