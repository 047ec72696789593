//! A device whose clock is 10 minutes behind the server's, through the core's push client
//! (time is a parameter there, so the skew is real to the protocol) against the real server.

use otentik::push::{PushClient, accounts, clock};
use otentik::vault::{KeyringStore, PushState, Vault};
use otentik_flows::DemoServer;

const SKEW: u64 = 600;

#[test]
fn a_slow_device_clock_is_learned_and_corrected_codes_are_accepted() {
    let server = DemoServer::start();
    let rp = reqwest::blocking::Client::new();
    let enrollment: serde_json::Value = rp
        .post(format!("{}/rp/v1/enrollments", server.url))
        .bearer_auth(otentik_flows::SITE_KEY)
        .json(&serde_json::json!({"user_id": "skew1"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let uri = enrollment["otpauth_uri"].as_str().unwrap();

    let dir = tempfile::tempdir().unwrap();
    let service = otentik_test_support::keyring::service("flows-clock");
    let mut vault = Vault::open(
        dir.path().to_path_buf(),
        Box::new(KeyringStore::connect(&service).unwrap()),
    )
    .unwrap();
    let account = otentik::otpauth::parse(uri).unwrap().account;
    let id = vault.add(&account, 0, false).unwrap().id;

    let system_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let device_now = system_now - SKEW;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = PushClient::new().unwrap();
    // The first request's timestamp is refused as stale; it is signed again at the server's
    // time, with the TOTP code of that time.
    let enrolled = runtime
        .block_on(accounts::enroll(
            &mut vault,
            &client,
            &id,
            "clock test",
            device_now,
        ))
        .unwrap();
    let push = enrolled.push.unwrap();
    assert_eq!(push.state, PushState::Active);
    assert!(
        push.clock_offset.abs_diff(SKEW as i64) <= 2,
        "offset {}",
        push.clock_offset
    );
    assert!(clock::is_off(push.clock_offset));

    // Polls and answers work with the skewed clock too.
    let (requests, problems) = runtime
        .block_on(accounts::pending(&mut vault, &client, 0, device_now))
        .unwrap();
    assert!(requests.is_empty() && problems.is_empty(), "{problems:?}");

    // The corrected time gives codes the site accepts; the device's own time does not.
    // (The enrolment spent the current step, so the next step's code is typed.)
    let corrected = clock::corrected(device_now, push.clock_offset) + 30;
    let verify = |code: &str| -> bool {
        let answer: serde_json::Value = rp
            .post(format!("{}/rp/v1/verify", server.url))
            .bearer_auth(otentik_flows::SITE_KEY)
            .json(&serde_json::json!({"user_id": "skew1", "code": code}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        answer["valid"].as_bool().unwrap()
    };
    let stale = vault.code(&id, device_now + 30).unwrap();
    assert!(!verify(&stale), "a code from the slow clock is refused");
    let good = vault.code(&id, corrected).unwrap();
    assert!(verify(&good), "the corrected code is accepted");
    vault.remove(&id).unwrap();
}
