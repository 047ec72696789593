//! Account commands against the real Secret Service, each step a fresh process.
//!
//! Run through `scripts/with-keyring.sh` (as `make test` does): a private D-Bus session with
//! an unlocked gnome-keyring. Each test has its own data directory and keyring namespace and
//! holds [`serial`] so that only one talks to the keyring at a time.

use std::fs;
use std::process::{Command as Process, Stdio};
use std::time::Duration;

use otentik::vault::{SecretStore, Vault};
use serde_json::Value;

use crate::sandbox::{Sandbox, serial};

const ALICE: &str = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME";
const BOB: &str =
    "otpauth://hotp/Bank:bob?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&counter=0&digits=8";

#[test]
fn round_trip_add_list_code_rename_move_remove() {
    let _serial = serial();
    let sandbox = Sandbox::new();
    sandbox
        .otentik()
        .args(["add", ALICE])
        .assert()
        .success()
        .stdout("Added: ACME: alice (TOTP, 6 digits, 30 s)\n");
    sandbox.otentik().args(["add", BOB]).assert().success();

    let list = sandbox.json(&["list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["issuer"], "ACME");
    assert_eq!(list[0]["account"], "alice");
    assert_eq!(list[0]["type"], "totp");
    assert_eq!(list[0]["digits"], 6);
    assert_eq!(list[0]["period"], 30);
    assert_eq!(list[1]["type"], "hotp");
    let listed = serde_json::to_string(&list).unwrap();
    assert!(
        !listed.contains("GEZDGNBV") && !listed.contains("JBSWY3DP"),
        "secret listed"
    );

    // The code equals what the URI gives at the same instant.
    sandbox
        .otentik()
        .args(["code", "ALICE", "--at", "59"])
        .assert()
        .success()
        .stdout("287082\n");
    let code = sandbox.json(&["code", "acme", "--at", "1111111109", "--json"]);
    assert_eq!(code["code"], "081804");
    assert_eq!(code["remaining"], 1);
    assert_eq!(code["issuer"], "ACME");
    // HOTP: each call shows the next code, and the counter is kept across processes.
    let first = sandbox.json(&["code", "bob", "--json"]);
    let second = sandbox.json(&["code", "bob", "--json"]);
    assert_ne!(first["code"], second["code"]);
    assert_eq!(first["remaining"], Value::Null);
    let all = sandbox.json(&["code", "--json", "--at", "59"]);
    assert_eq!(all.as_array().unwrap().len(), 2);

    // Ambiguous query: the error lists the matches.
    sandbox
        .otentik()
        .args(["code", "a"])
        .assert()
        .code(2)
        .stderr("error: 'a' matches several accounts: ACME: alice, Bank: bob; be more specific\n");
    sandbox
        .otentik()
        .args(["code", "nobody"])
        .assert()
        .code(2)
        .stderr("error: no account matches 'nobody'\n");

    sandbox
        .otentik()
        .args([
            "rename",
            "alice",
            "--issuer",
            "LPSE Kota",
            "--account",
            "budi",
        ])
        .assert()
        .success();
    sandbox
        .otentik()
        .args(["move", "bob", "--to", "1"])
        .assert()
        .success();
    let list = sandbox.json(&["list", "--json"]);
    assert_eq!(list[0]["account"], "bob");
    assert_eq!(list[1]["issuer"], "LPSE Kota");
    assert_eq!(list[1]["account"], "budi");
    sandbox
        .otentik()
        .args(["code", "budi", "--at", "59"])
        .assert()
        .stdout("287082\n");
    sandbox
        .otentik()
        .args(["move", "bob", "--to", "3"])
        .assert()
        .code(2);

    // Removal asks; without a terminal it needs --yes.
    sandbox
        .otentik()
        .args(["remove", "bob"])
        .write_stdin("")
        .assert()
        .code(2);
    sandbox
        .otentik()
        .args(["remove", "bob", "--yes"])
        .assert()
        .success()
        .stdout("Removed: Bank: bob\n");
    assert_eq!(
        sandbox.json(&["list", "--json"]).as_array().unwrap().len(),
        1
    );
    assert_eq!(
        sandbox.keyring().keys().unwrap().len(),
        1,
        "the keyring holds the vault key alone, not an item per account"
    );

    // Export prints the URI and warns on stderr.
    let output = sandbox
        .otentik()
        .args(["export", "--uris"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("contains the secrets"));
    let uri = String::from_utf8(output.stdout).unwrap();
    assert!(
        uri.starts_with("otpauth://totp/LPSE%20Kota:budi?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    );

    // Nothing secret in the metadata file, in any encoding.
    let text = fs::read_to_string(sandbox.metadata()).unwrap();
    for needle in [
        "GEZDGNBVGY3TQOJQ",
        "gezdgnbv",
        "1234567890",
        "31323334",
        "JBSWY3DP",
        "48656c6c6f",
    ] {
        assert!(!text.contains(needle), "metadata holds {needle}");
    }
}

#[test]
fn add_of_an_export_adds_every_account_and_duplicates_need_force() {
    let _serial = serial();
    let sandbox = Sandbox::new();
    let export = "otpauth-migration://offline?data=CjUKFDEyMzQ1Njc4OTAxMjM0NTY3ODkwEhFhbGljZUBleGFtcGxlLmNvbRoEQUNNRSABKAEwAgo6CiAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAx%2BBIIQmFuazpib2IaBEJhbmsgAigCMAE4BxABGAEgACi5YA%3D%3D";
    sandbox.otentik().args(["add", export]).assert().success();
    assert_eq!(
        sandbox.json(&["list", "--json"]).as_array().unwrap().len(),
        2
    );
    sandbox
        .otentik()
        .args(["add", ALICE.replace("alice", "alice@example.com").as_str()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "already in Otentik with the same secret: add --force",
        ));
    sandbox
        .otentik()
        .args([
            "add",
            "--force",
            ALICE.replace("alice", "alice@example.com").as_str(),
        ])
        .assert()
        .success();
    assert_eq!(
        sandbox.json(&["list", "--json"]).as_array().unwrap().len(),
        3
    );
    // A bad URI changes nothing.
    let before = fs::read(sandbox.metadata()).unwrap();
    sandbox
        .otentik()
        .args(["add", "otpauth://totp/x?secret=1"])
        .assert()
        .code(2);
    assert_eq!(fs::read(sandbox.metadata()).unwrap(), before);
}

/// `kill -9` at random instants: the vault still opens, every listed account has a code,
/// every add that reported success is there, and the keyring holds the vault key alone.
#[test]
fn adds_killed_at_random_instants_leave_a_consistent_vault() {
    let _serial = serial();
    let sandbox = Sandbox::new();
    let binary = assert_cmd::cargo::cargo_bin("otentik");
    let spawn = |name: &str| {
        let uri = format!(
            "otpauth://totp/Crash:{name}?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Crash"
        );
        Process::new(&binary)
            .args(["add", "--force", &uri])
            .env("OTENTIK_DATA_DIR", sandbox.dir.path())
            .env("OTENTIK_KEYRING_SERVICE", &sandbox.service)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long an add takes on this machine now, so the kills land before, during and after.
    let mut whole = Vec::new();
    for i in 0..3 {
        let started = std::time::Instant::now();
        assert!(spawn(&format!("warmup{i}")).wait().unwrap().success());
        whole.push(started.elapsed());
    }
    whole.sort();
    let span = u64::try_from(whole[1].as_micros() * 3 / 2).unwrap();
    let mut reported: Vec<String> = (0..3).map(|i| format!("warmup{i}")).collect();
    let mut killed = 0;
    for i in 0..60 {
        let name = format!("user{i}");
        let mut child = spawn(&name);
        std::thread::sleep(Duration::from_micros(rand::random_range(0..span)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        let output = child.wait_with_output().unwrap();
        if output.status.success() && String::from_utf8_lossy(&output.stdout).starts_with("Added") {
            reported.push(name);
        }
    }
    eprintln!(
        "{killed} of 60 adds killed, {} reported success",
        reported.len()
    );
    assert!(
        killed >= 5,
        "the kills must land mid-add: only {killed} did"
    );

    let list = sandbox.json(&["list", "--json"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account"].as_str().unwrap())
        .collect();
    for name in &reported {
        assert!(
            names.contains(&name.as_str()),
            "{name} reported success but is missing"
        );
    }
    let codes = sandbox.json(&["code", "--json", "--at", "59"]);
    assert_eq!(
        codes.as_array().unwrap().len(),
        names.len(),
        "every listed account yields a code"
    );
    assert!(
        codes
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["code"] == "287082")
    );

    let vault = Vault::open(
        sandbox.dir.path().to_path_buf(),
        Box::new(sandbox.keyring()),
    )
    .unwrap();
    assert_eq!(vault.backup_entries().unwrap().len(), names.len());
    assert_eq!(
        sandbox.keyring().keys().unwrap().len(),
        1,
        "the vault key alone"
    );
}

#[test]
fn without_a_keyring_the_exit_status_is_3_and_nothing_changes() {
    let _serial = serial();
    let sandbox = Sandbox::new();
    sandbox.otentik().args(["add", ALICE]).assert().success();
    let before = fs::read(sandbox.metadata()).unwrap();
    for args in [
        vec!["add", BOB],
        vec!["list"],
        vec!["code"],
        vec!["remove", "alice", "--yes"],
    ] {
        let output = sandbox
            .otentik()
            .args(&args)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("DISPLAY")
            .env_remove("XDG_RUNTIME_DIR")
            .env("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(3), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.starts_with("error: no keyring is available ("),
            "{stderr}"
        );
        assert!(stderr.contains("start your desktop's keyring"), "{stderr}");
        assert!(output.stdout.is_empty());
        assert_eq!(
            fs::read(sandbox.metadata()).unwrap(),
            before,
            "{args:?} changed the metadata"
        );
    }
}

#[test]
fn a_corrupt_metadata_file_is_refused_and_kept_byte_for_byte() {
    let _serial = serial();
    let sandbox = Sandbox::new();
    sandbox.otentik().args(["add", ALICE]).assert().success();
    let mut damaged = fs::read(sandbox.metadata()).unwrap();
    damaged.truncate(damaged.len() / 2);
    fs::write(sandbox.metadata(), &damaged).unwrap();
    for args in [vec!["list"], vec!["add", BOB], vec!["code"]] {
        let output = sandbox.otentik().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(4), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains("is damaged") && stderr.contains("left untouched"),
            "{stderr}"
        );
        assert_eq!(fs::read(sandbox.metadata()).unwrap(), damaged);
    }
    assert_eq!(
        sandbox.keyring().keys().unwrap().len(),
        1,
        "the vault key is kept while the file is unreadable"
    );
}

/// A Secret Service that runs but was never unlocked (its own D-Bus session, a fresh HOME).
#[test]
fn a_locked_keyring_is_exit_3_with_what_to_do() {
    let sandbox = Sandbox::new();
    let home = tempfile::tempdir().unwrap();
    let binary = assert_cmd::cargo::cargo_bin("otentik");
    let output =
        otentik_test_support::keyring::locked_session(home.path(), &binary, &["add", ALICE])
            .env("OTENTIK_DATA_DIR", sandbox.dir.path())
            .env("OTENTIK_KEYRING_SERVICE", &sandbox.service)
            .output()
            .expect("dbus-run-session (package dbus) is installed");
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("error: the keyring is locked or refused access")
            && stderr.contains("gnome-keyring-daemon --unlock"),
        "{stderr}"
    );
    let metadata: Value = serde_json::from_slice(&fs::read(sandbox.metadata()).unwrap()).unwrap();
    assert_eq!(
        metadata["accounts"],
        serde_json::json!([]),
        "nothing was added"
    );
}
