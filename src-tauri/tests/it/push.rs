//! Login approvals through the commands, against `otentik-server --demo` on loopback: the
//! background poller is started as the real app starts it, the demo site is driven by a
//! cookie-keeping HTTP client, and every answer is checked on the site's side.

use std::sync::Arc;
use std::time::Duration;

use otentik_app::approvals::Language;
use otentik_app::clock::SystemClock;
use otentik_flows::{Browser, DemoServer, attribute};
use serde_json::{Value, json};

use crate::harness::Harness;

const USER: &str = "penyedia1";
const PASSWORD: &str = "penyedia1-rahasia";

/// Polls `probe` until it returns something, for at most 20 s.
fn wait_for<T>(what: &str, probe: impl FnMut() -> Option<T>) -> T {
    otentik_test_support::wait::until(Duration::from_secs(20), what, probe)
}

/// The app with its poller running, and a push account activated on the demo site.
struct Activated {
    h: Harness,
    server: DemoServer,
    site: Browser,
    id: String,
    secret: String,
}

fn activated() -> Activated {
    let server = DemoServer::start();
    let site = Browser::new(&server.url);
    assert_eq!(site.login("penyedia", USER, PASSWORD).at, "/beranda");
    let (_, uri) = site.enable_totp();
    let secret = url_param(&uri, "secret");

    let h = Harness::with_clock(Arc::new(SystemClock));
    otentik_app::background::start(h.app.handle());
    let pending = h.call("read_text", json!({ "text": uri })).unwrap();
    assert_eq!(pending["accounts"][0]["push"], true, "{pending}");
    let added = h
        .call("confirm_add", json!({ "token": pending["token"] }))
        .unwrap();
    let account = &added["added"][0];
    assert_eq!(account["push"]["state"], "active", "{added}");
    assert_eq!(account["push"]["reachable"], true, "{added}");
    assert!(account["push"]["problem"].is_null(), "{added}");
    assert_eq!(
        account["push"]["lock_protected"], true,
        "a new enrolment registers a poll-only key: {added}"
    );
    // The site's activation page turns to "Berhasil Enable TOTP".
    let status = site.get("/totp/enable/status?wait=5");
    assert!(status.html.contains("\"completed\""), "{}", status.html);
    assert!(
        site.get("/totp/enable")
            .html
            .contains("Berhasil Enable TOTP")
    );
    site.logout();
    let id = account["id"].as_str().unwrap().to_owned();
    Activated {
        h,
        server,
        site,
        id,
        secret,
    }
}

/// Answers request `id` through the command, as the UI does.
fn respond(
    a: &Activated,
    id: impl serde::Serialize,
    decision: &str,
    number: Value,
) -> Result<Value, Value> {
    a.h.call(
        "answer_request",
        json!({ "id": id, "decision": decision, "number": number }),
    )
}

fn url_param(uri: &str, name: &str) -> String {
    let url = url::Url::parse(uri).unwrap();
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .unwrap()
}

/// Logs in on the site; returns the number it shows and the request as the app lists it.
fn login_and_wait(a: &Activated) -> (u8, Value) {
    let waiting = a.site.login("penyedia", USER, PASSWORD);
    assert_eq!(waiting.at, "/login/tunggu", "{}", waiting.html);
    let number = attribute(&waiting.html, "id=\"nomor\"", "data-number")
        .unwrap()
        .parse()
        .unwrap();
    let request = wait_for("the login request in push_requests", || {
        let listed = a.h.call("push_requests", json!({})).unwrap();
        listed["requests"].as_array().unwrap().first().cloned()
    });
    (number, request)
}

#[test]
fn a_request_is_listed_and_answered_ya_tidak_bukan_saya_and_wrong_number() {
    let a = activated();

    // Ya, after being refused without the number.
    let (number, request) = login_and_wait(&a);
    assert_eq!(request["account_id"], a.id.as_str());
    assert_eq!(request["site"], "SPSE Demo");
    assert_eq!(request["site_account"], USER);
    assert_eq!(request["ip"], "127.0.0.1");
    assert!(request["expires_in_ms"].as_u64().unwrap() > 0, "{request}");
    // The app declares typed number entry: the user types the site's number, no choices.
    assert_eq!(request["number_entry"], true, "{request}");
    assert_eq!(request["numbers"], Value::Null, "{request}");
    let listed = a.h.call("list_accounts", json!({})).unwrap();
    assert_eq!(listed[0]["push"]["requests"], 1, "{listed}");
    assert!(
        !listed.to_string().contains(&a.secret) && !request.to_string().contains(&a.secret),
        "no secret crosses IPC"
    );
    let id = request["id"].as_str().unwrap();
    // A decision is the protocol's enum: anything else is refused before the command runs.
    let unknown = respond(&a, id, "maybe", json!(null)).unwrap_err();
    assert!(
        unknown
            .as_str()
            .unwrap()
            .contains("unknown variant `maybe`"),
        "{unknown}"
    );
    let no_number = respond(&a, id, "approve", json!(null)).unwrap_err();
    assert_eq!(no_number["code"], "push_number_required", "{no_number}");
    let answer = respond(&a, id, "approve", json!(number)).unwrap();
    assert_eq!(
        (&answer["status"], &answer["wrong_number"], &answer["site"]),
        (&json!("approved"), &json!(false), &json!("SPSE Demo")),
        "{answer}"
    );
    assert!(
        a.site
            .get("/login/tunggu/status?wait=5")
            .html
            .contains("\"approved\"")
    );
    assert_eq!(a.site.get("/login/selesai").at, "/beranda");
    // Answered: gone from the queue, and a second answer is refused with a reason.
    let listed = a.h.call("push_requests", json!({})).unwrap();
    assert_eq!(listed["requests"], json!([]), "{listed}");
    let again = respond(&a, id, "approve", json!(number)).unwrap_err();
    assert_eq!(again["code"], "push_request_gone", "{again}");
    a.site.logout();

    // Tidak: refused.
    let (_, request) = login_and_wait(&a);
    let answer = respond(&a, &request["id"], "deny", json!(null)).unwrap();
    assert_eq!(answer["status"], "denied", "{answer}");
    assert!(a.site.get("/login/tunggu").html.contains("Login ditolak"));
    assert_eq!(a.site.get("/beranda").at, "/login");

    // Bukan saya: refused and reported.
    a.site.logout();
    let (_, request) = login_and_wait(&a);
    let answer = respond(&a, &request["id"], "not_me", json!(null)).unwrap();
    assert_eq!(answer["status"], "not_me", "{answer}");
    assert!(a.site.get("/login/selesai").html.contains("dilaporkan"));

    // A wrong number: not approved. (After Bukan saya the site first makes the next login
    // wait out the back-off: 10 s the first time.)
    a.site.logout();
    let refused = a.site.login("penyedia", USER, PASSWORD);
    assert!(refused.html.contains("Coba lagi dalam"), "{}", refused.html);
    let waiting = wait_for("the back-off after Bukan saya to end", || {
        let page = a.site.login("penyedia", USER, PASSWORD);
        (page.at == "/login/tunggu").then_some(page)
    });
    let number: u8 = attribute(&waiting.html, "id=\"nomor\"", "data-number")
        .unwrap()
        .parse()
        .unwrap();
    let request = wait_for("the login request in push_requests", || {
        let listed = a.h.call("push_requests", json!({})).unwrap();
        listed["requests"].as_array().unwrap().first().cloned()
    });
    let wrong = (number + 1) % 100;
    let answer = respond(&a, &request["id"], "approve", json!(wrong)).unwrap();
    assert_eq!(answer["wrong_number"], true, "{answer}");
    assert_ne!(answer["status"], "approved", "{answer}");
    assert_eq!(a.site.get("/beranda").at, "/login");
}

#[test]
fn hapus_warns_while_the_site_has_totp_on_and_unregisters_the_device() {
    let a = activated();
    let check = a.h.call("check_removal", json!({ "id": a.id })).unwrap();
    assert_eq!(check, json!({ "site_active": true }));
    // retry_push on an active account enrols again harmlessly; on a TOTP-only one it says why.
    let totp =
        a.h.add_uri("otpauth://totp/GitHub:budi?secret=GEZDGNBVGY3TQOJQ&issuer=GitHub");
    let totp_id = totp["added"][0]["id"].as_str().unwrap();
    let not_push =
        a.h.call("retry_push", json!({ "id": totp_id }))
            .unwrap_err();
    assert_eq!(not_push["code"], "not_push_account", "{not_push}");
    assert_eq!(
        a.h.call("check_removal", json!({ "id": totp_id })).unwrap(),
        json!({ "site_active": false })
    );

    a.h.call("remove_account", json!({ "id": a.id })).unwrap();
    // The site no longer lists the device (its back-end API).
    let user = otentik_flows::site_user(&a.server, USER);
    assert_eq!(user["devices"].as_u64(), Some(0), "{user}");
    let listed = a.h.call("list_accounts", json!({})).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
}

#[test]
fn reset_on_the_site_revokes_and_the_server_away_is_reported_then_recovers() {
    let mut a = activated();

    // The server stops: the account says so, codes still work; back: requests flow again.
    a.server.stop();
    let away = wait_for("the account marked unreachable", || {
        let listed = a.h.call("list_accounts", json!({})).unwrap();
        (listed[0]["push"]["reachable"] == false).then_some(listed)
    });
    assert_eq!(away[0]["push"]["state"], "active", "{away}");
    let codes = a.h.call("codes", json!({})).unwrap();
    assert_eq!(codes["codes"][0]["code"].as_str().unwrap().len(), 6);
    let check = a.h.call("check_removal", json!({ "id": a.id })).unwrap();
    assert_eq!(check["site_active"], false, "{check}");
    assert!(
        check["unreachable"]
            .as_str()
            .is_some_and(|why| why.contains("cannot reach the push server")),
        "{check}"
    );
    a.server.restart();
    wait_for("the account reachable again", || {
        let listed = a.h.call("list_accounts", json!({})).unwrap();
        (listed[0]["push"]["reachable"] == true).then_some(())
    });
    let (_, request) = login_and_wait(&a);
    assert_eq!(request["account_id"], a.id.as_str());
    a.site.logout();

    // Reset TOTP by the e-mail link: the poller records the revocation, and the request of
    // the old enrolment is gone.
    let other = Browser::new(&a.server.url);
    other.reset_totp_by_email(USER, "penyedia1@demo.test", "penyedia");
    let revoked = wait_for("the account revoked", || {
        let listed = a.h.call("list_accounts", json!({})).unwrap();
        (listed[0]["push"]["state"] == "revoked").then_some(listed)
    });
    assert_eq!(revoked[0]["push"]["requests"], 0, "{revoked}");
    let retry = a.h.call("retry_push", json!({ "id": a.id })).unwrap_err();
    assert_eq!(retry["code"], "push_revoked", "{retry}");
    assert_eq!(
        a.h.call("check_removal", json!({ "id": a.id })).unwrap(),
        json!({ "site_active": false })
    );
}

#[test]
fn an_enrolment_without_a_poll_key_is_marked_not_protected_by_the_lock() {
    use tauri::Manager as _;
    let a = activated();
    // As an enrolment made before poll-only keys existed is stored.
    let state = a.h.app.state::<otentik_app::state::AppState>();
    state
        .with_vault(|vault| {
            vault.set_poll_key(&a.id, None)?;
            vault.update(&a.id, |account| {
                if let Some(push) = account.push.as_mut() {
                    push.poll_key = false;
                }
            })
        })
        .unwrap();
    let listed = a.h.call("list_accounts", json!({})).unwrap();
    assert_eq!(listed[0]["push"]["state"], "active", "{listed}");
    assert_eq!(listed[0]["push"]["lock_protected"], false, "{listed}");
}

#[test]
fn notifications_follow_the_language_set_by_the_ui() {
    let h = Harness::new();
    h.call("set_language", json!({ "language": "en" })).unwrap();
    let app = h.app.handle();
    let state = tauri::Manager::state::<otentik_app::state::AppState>(app);
    assert_eq!(state.approvals.language(), Language::En);
    // Only the languages the type names cross IPC.
    let refused = h
        .call("set_language", json!({ "language": "fr" }))
        .unwrap_err();
    assert!(refused.to_string().contains("unknown variant"), "{refused}");
    assert_eq!(state.approvals.language(), Language::En);
}
