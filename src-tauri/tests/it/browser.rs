//! Adds from the browser extension: the native host's request over the real socket reaches the
//! app, waits for the user's answer in the window, and a confirmed account is bound to the
//! page's origin; declined, duplicate, put aside (the lock) and broken requests say so.

use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use otentik::browser::relay;
use otentik::origin::Origin;
use otentik_app::state::AppState;
use serde_json::{Value, json};
use tauri::Manager;

use crate::harness::Harness;

const DEMO: &str = "http://127.0.0.1:8080";
const URI: &str = "otpauth://totp/Demo:budi?secret=JBSWY3DPEHPK3PXP&issuer=Demo";

/// A harness whose app listens for the browser's adds, as the real app does at start.
fn listening() -> Harness {
    let h = Harness::new();
    otentik_app::browser::start(h.app.handle(), &h.dir.path().join("data"));
    h
}

/// What the native host does for `add`, on a thread: the reply, once the user has answered.
fn ask(h: &Harness, uri: &'static str) -> JoinHandle<Result<Value, (String, String)>> {
    let dir = h.dir.path().join("data");
    std::thread::spawn(move || {
        relay::ask(
            &dir,
            &Origin::parse(DEMO).unwrap(),
            uri,
            Duration::from_secs(30),
        )
    })
}

/// The request as the window gets it (`take_link` after the event).
fn waiting(h: &Harness) -> Value {
    let start = Instant::now();
    loop {
        let link = h.call("take_link", json!({})).unwrap();
        if !link.is_null() {
            return link;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no request from the browser reached the window"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn accounts(h: &Harness) -> Vec<Value> {
    h.call("list_accounts", json!({}))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_confirmed_add_is_bound_to_the_pages_origin_and_answers_the_browser() {
    let h = listening();
    let asked = ask(&h, URI);
    let pending = waiting(&h);
    assert_eq!(pending["source"], "browser");
    assert_eq!(pending["origin"], DEMO);
    assert_eq!(pending["accounts"][0]["name"], "budi");
    assert!(!pending.to_string().contains("JBSWY3DP"), "{pending}");
    // Nothing is kept before the user confirms; the browser is still waiting.
    assert!(accounts(&h).is_empty());
    assert!(!asked.is_finished());

    let result = h
        .call("confirm_add", json!({ "token": pending["token"] }))
        .unwrap();
    let reply = asked.join().unwrap().unwrap();
    assert_eq!(reply["type"], "added", "{reply}");
    assert_eq!(reply["account"]["id"], result["added"][0]["id"]);
    assert_eq!(reply["account"]["issuer"], "Demo");
    assert_eq!(reply["account"]["label"], "budi");
    assert!(!reply.to_string().contains("JBSWY3DP"), "{reply}");
    let listed = accounts(&h);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["origins"], json!([DEMO]));

    // The same account again: not added twice, and the browser is told why.
    let again = ask(&h, URI);
    let pending = waiting(&h);
    h.call("confirm_add", json!({ "token": pending["token"] }))
        .unwrap();
    let reply = again.join().unwrap().unwrap();
    assert_eq!(reply["code"], "duplicate", "{reply}");
    assert!(reply["message"].as_str().unwrap().contains("Detail akun"));
    assert_eq!(accounts(&h).len(), 1);
}

#[test]
fn declined_put_aside_and_broken_adds_keep_nothing_and_say_so() {
    let h = listening();
    // Batal in the window.
    let asked = ask(&h, URI);
    let pending = waiting(&h);
    h.call("cancel_add", json!({ "token": pending["token"] }))
        .unwrap();
    let reply = asked.join().unwrap().unwrap();
    assert_eq!(reply["code"], "declined", "{reply}");

    // The app locks (or forgets what waits): the browser is not left hanging.
    let asked = ask(&h, URI);
    let pending = waiting(&h);
    h.app.state::<AppState>().forget_unlocked();
    let reply = asked.join().unwrap().unwrap();
    assert_eq!(reply["code"], "not_confirmed", "{reply}");
    let expired = h
        .call("confirm_add", json!({ "token": pending["token"] }))
        .unwrap_err();
    assert_eq!(expired["code"], "pending_expired");

    // A URI the app cannot read (the host checks first; the app checks again).
    let reply = ask(&h, "otpauth://totp/x?secret=JBSWY3DP1HPK3PXP")
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(reply["type"], "error");
    assert_eq!(reply["code"], "invalid_secret", "{reply}");
    assert!(h.call("take_link", json!({})).unwrap().is_null());
    assert!(accounts(&h).is_empty());
}

#[test]
fn an_add_nobody_answers_times_out_and_is_forgotten() {
    let h = Harness::new();
    otentik_app::browser::start_waiting(
        h.app.handle(),
        &h.dir.path().join("data"),
        Duration::from_millis(300),
    );
    let reply = ask(&h, URI).join().unwrap().unwrap();
    assert_eq!(reply["code"], "timeout", "{reply}");
    // The window may still show it; confirming it now adds nothing unbound behind its back.
    let pending = waiting(&h);
    let expired = h
        .call("confirm_add", json!({ "token": pending["token"] }))
        .unwrap_err();
    assert_eq!(expired["code"], "pending_expired");
    assert!(accounts(&h).is_empty());
}

#[test]
fn an_add_that_arrives_locked_waits_for_the_unlock() {
    const PASSWORD: &str = "meja kantor lantai 3";
    let h = listening();
    h.call(
        "enable_lock",
        json!({ "password": PASSWORD, "confirm": PASSWORD }),
    )
    .unwrap();
    h.call("lock_now", json!({})).unwrap();
    let asked = ask(&h, URI);
    // Locked, the window learns nothing about it.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        h.call("take_link", json!({})).unwrap_err()["code"],
        "vault_locked"
    );
    assert!(!asked.is_finished(), "the browser waits for the unlock");
    h.call("unlock", json!({ "password": PASSWORD })).unwrap();
    let pending = waiting(&h);
    assert_eq!(pending["origin"], DEMO);
    h.call("confirm_add", json!({ "token": pending["token"] }))
        .unwrap();
    assert_eq!(asked.join().unwrap().unwrap()["type"], "added");
    assert_eq!(accounts(&h)[0]["origins"], json!([DEMO]));
}

#[test]
fn with_the_lock_on_the_unlocked_app_gives_the_host_its_codes_and_the_locked_one_none() {
    const PASSWORD: &str = "meja kantor lantai 3";
    let h = listening();
    let id = h.add_uri(URI)["added"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    h.call(
        "set_account_origins",
        json!({ "id": id, "origins": [DEMO] }),
    )
    .unwrap();
    let expected = h.call("codes", json!({})).unwrap()["codes"][0]["code"].clone();
    h.call(
        "enable_lock",
        json!({ "password": PASSWORD, "confirm": PASSWORD }),
    )
    .unwrap();
    let dir = h.dir.path().join("data");
    let code = json!({ "type": "code", "origin": DEMO, "account": id });
    let reply = relay::query(&dir, &code, relay::QUERY_WAIT).unwrap();
    assert_eq!(reply["type"], "code", "{reply}");
    assert_eq!(reply["code"], expected);
    // Only for the bound origin, as from the host itself.
    let elsewhere =
        json!({ "type": "code", "origin": "https://lpse.example.go.id", "account": id });
    assert_eq!(
        relay::query(&dir, &elsewhere, relay::QUERY_WAIT).unwrap()["code"],
        "origin_not_bound"
    );
    // Locked, the app gives nothing.
    h.call("lock_now", json!({})).unwrap();
    let reply = relay::query(&dir, &code, relay::QUERY_WAIT).unwrap();
    assert_eq!(reply["code"], "vault_locked", "{reply}");
    assert!(!reply.to_string().contains(expected.as_str().unwrap()));
}
