//! `otentik lock` against the real Secret Service: what the lock seals, exit status 5, the
//! wait after wrong passwords, and `kill -9` at random instants of lock on / passwd / off.

use std::fs;
use std::path::PathBuf;
use std::process::{Command as Process, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::sandbox::{Sandbox, serial};

const ALICE: &str = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME";

/// A file whose first line is `password`, in the sandbox's directory.
fn password_file(sandbox: &Sandbox, name: &str, password: &str) -> PathBuf {
    let path = sandbox.dir.path().join(name);
    fs::write(&path, format!("{password}\n")).unwrap();
    path
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn with_the_lock_on_codes_need_the_password_and_nothing_readable_is_left() {
    let _serial = serial();
    let sandbox = Sandbox::new();
    sandbox.otentik().args(["add", ALICE]).assert().success();
    let first = password_file(&sandbox, "pw1", "kata sandi kantor");
    let second = password_file(&sandbox, "pw2", "kata sandi baru sekali");
    let wrong = password_file(&sandbox, "bad", "bukan kata sandinya");
    let p = |path: &PathBuf| path.to_str().unwrap().to_owned();

    let short = password_file(&sandbox, "short", "pendek");
    let output = sandbox
        .otentik()
        .args(["lock", "on", "--password-file", &p(&short)])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("use at least 8"));

    let output = sandbox
        .otentik()
        .args(["lock", "on", "--password-file", &p(&first)])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("cannot be recovered"));
    assert!(stderr_of(&output).contains("Password strength: strong"));

    // Nothing in the keyring namespace or the data directory reads as the seed.
    let items = otentik_test_support::keyring::items(&sandbox.service);
    assert!(items.is_empty(), "the keyring holds {items:?}");
    for entry in fs::read_dir(sandbox.dir.path()).unwrap() {
        let text = String::from_utf8_lossy(&fs::read(entry.unwrap().path()).unwrap()).into_owned();
        for needle in [
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "12345678901234567890",
            "3132333435363738393031323334353637383930",
        ] {
            assert!(!text.contains(needle), "the seed is readable");
        }
    }

    // Locked: names work, codes exit 5 with one line that says how to unlock.
    assert_eq!(
        sandbox.json(&["list", "--json"]).as_array().unwrap().len(),
        1
    );
    sandbox.otentik().args(["status"]).assert().success();
    let output = sandbox
        .otentik()
        .args(["code", "--at", "59"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5));
    assert_eq!(
        stderr_of(&output),
        "error: the vault is locked: give its password with --password-file FILE, or run the command on a terminal to type it\n"
    );
    assert!(output.stdout.is_empty());
    let output = sandbox
        .otentik()
        .args(["export", "--uris"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5));
    assert!(stderr_of(&output).contains("--vault-password-file FILE"));

    let output = sandbox
        .otentik()
        .args(["code", "--at", "59", "--password-file", &p(&wrong)])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5));
    assert_eq!(
        stderr_of(&output),
        "error: wrong password: the vault stays locked\n"
    );
    sandbox
        .otentik()
        .args(["code", "--at", "59", "--password-file", &p(&first)])
        .assert()
        .success()
        .stdout("ACME: alice  287082  ( 1 s)\n");

    let status = sandbox.json(&["lock", "status", "--json"]);
    assert_eq!(status["lock"], "on");
    assert_eq!(status["wait_seconds"], 0);
    assert!(status["kdf"]["memory_kib"].as_u64().unwrap() >= 64 * 1024);
    assert!(status["kdf"]["iterations"].as_u64().unwrap() >= 1);

    // A new password; the old one no longer unlocks.
    sandbox
        .otentik()
        .args([
            "lock",
            "passwd",
            "--password-file",
            &p(&first),
            "--new-password-file",
            &p(&second),
        ])
        .assert()
        .success();
    sandbox
        .otentik()
        .args(["code", "--at", "59", "--password-file", &p(&first)])
        .assert()
        .code(5);
    let uris = sandbox
        .otentik()
        .args(["export", "--uris", "--vault-password-file", &p(&second)])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&uris.stdout).contains("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));

    // Off: codes without a password, the key back in the keyring.
    sandbox
        .otentik()
        .args(["lock", "off", "--password-file", &p(&second)])
        .assert()
        .success();
    sandbox
        .otentik()
        .args(["code", "--at", "59"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("ACME: alice  287082  ( 1 s)\n");
    assert_eq!(sandbox.json(&["lock", "status", "--json"])["lock"], "off");
    assert_eq!(
        otentik_test_support::keyring::items(&sandbox.service).len(),
        1
    );
    sandbox
        .otentik()
        .args(["lock", "off", "--password-file", &p(&second)])
        .assert()
        .code(2);
}

/// After five wrong passwords the next try waits, in a new process too, even with the right
/// password; `lock status` shows the wait.
#[test]
fn wrong_passwords_make_the_next_try_wait_across_runs() {
    let _serial = serial();
    let sandbox = Sandbox::new();
    sandbox.otentik().args(["add", ALICE]).assert().success();
    let right = password_file(&sandbox, "pw", "kata sandi kantor");
    let wrong = password_file(&sandbox, "bad", "bukan kata sandinya");
    sandbox
        .otentik()
        .args(["lock", "on", "--password-file", right.to_str().unwrap()])
        .assert()
        .success();
    let mut last = String::new();
    for _ in 0..5 {
        let output = sandbox
            .otentik()
            .args(["code", "--password-file", wrong.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(5));
        last = stderr_of(&output);
    }
    assert_eq!(
        last,
        "error: wrong password: the vault stays locked; wait 30 s before trying again\n"
    );
    let output = sandbox
        .otentik()
        .args(["code", "--password-file", right.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5));
    assert!(
        stderr_of(&output).starts_with("error: too many wrong passwords: try again in "),
        "{}",
        stderr_of(&output)
    );
    let status = sandbox.json(&["lock", "status", "--json"]);
    let wait = status["wait_seconds"].as_u64().unwrap();
    assert!((1..=30).contains(&wait), "{status}");
}

/// `kill -9` at random instants of `lock on`, `lock passwd` and `lock off`: after each, every
/// account reads with no password (lock off), or with the old or the new one.
#[test]
fn lock_changes_killed_at_random_instants_keep_every_account_readable() {
    let _serial = serial();
    let sandbox = Sandbox::new();
    for name in ["a", "b", "c", "d"] {
        let uri = format!(
            "otpauth://totp/Crash:{name}?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Crash"
        );
        sandbox.otentik().args(["add", &uri]).assert().success();
    }
    let binary = assert_cmd::cargo::cargo_bin("otentik");
    let files: Vec<PathBuf> = (0..16)
        .map(|i| {
            password_file(
                &sandbox,
                &format!("pw{i}"),
                &format!("kata sandi nomor {i}"),
            )
        })
        .collect();
    let run = |args: &[&str]| {
        Process::new(&binary)
            .args(args)
            .env("OTENTIK_DATA_DIR", sandbox.dir.path())
            .env("OTENTIK_KEYRING_SERVICE", &sandbox.service)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let p = |i: usize| files[i].to_str().unwrap().to_owned();
    // The codes, with the password that is current (None: the lock is off).
    let readable = |current: Option<usize>| -> bool {
        let mut args = vec![
            "code".to_owned(),
            "--json".into(),
            "--at".into(),
            "59".into(),
        ];
        if let Some(i) = current {
            args.extend(["--password-file".to_owned(), p(i)]);
        }
        let output = sandbox.otentik().args(&args).output().unwrap();
        if !output.status.success() {
            return false;
        }
        let codes: Value = serde_json::from_slice(&output.stdout).unwrap();
        let codes = codes.as_array().unwrap();
        assert_eq!(codes.len(), 4, "every account has a code");
        assert!(codes.iter().all(|c| c["code"] == "287082"));
        true
    };

    // One `lock on`, timed, so that the kills land before, during and after.
    let started = std::time::Instant::now();
    assert!(
        run(&["lock", "on", "--password-file", &p(0)])
            .wait()
            .unwrap()
            .success()
    );
    let span = u64::try_from(started.elapsed().as_micros() * 3 / 2).unwrap();
    let mut current: Option<usize> = Some(0);
    let mut killed = 0;
    for round in 1..13 {
        let (args, next): (Vec<String>, Option<usize>) = match current {
            None => (
                vec![
                    "lock".into(),
                    "on".into(),
                    "--password-file".into(),
                    p(round),
                ],
                Some(round),
            ),
            Some(old) if round % 3 == 0 => (
                vec![
                    "lock".into(),
                    "off".into(),
                    "--password-file".into(),
                    p(old),
                ],
                None,
            ),
            Some(old) => (
                vec![
                    "lock".into(),
                    "passwd".into(),
                    "--password-file".into(),
                    p(old),
                    "--new-password-file".into(),
                    p(round),
                ],
                Some(round),
            ),
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = run(&args);
        std::thread::sleep(Duration::from_micros(rand::random_range(0..span)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        let _ = child.wait();
        let state = sandbox.json(&["lock", "status", "--json"]);
        let on = state["lock"] == "on";
        // Old first when both may apply: a wrong try is counted, the right one resets it.
        let candidates: Vec<Option<usize>> = if on {
            [current, next]
                .into_iter()
                .filter(Option::is_some)
                .collect()
        } else {
            vec![None]
        };
        let works = candidates.iter().find(|c| readable(**c));
        let Some(works) = works else {
            panic!("round {round} ({args:?}): no password reads the accounts; lock {state}");
        };
        current = *works;
    }
    eprintln!("{killed} of 12 lock changes killed");
    assert!(
        killed >= 3,
        "the kills must land mid-change: only {killed} did"
    );
}
