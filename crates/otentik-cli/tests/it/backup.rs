//! `otentik import` and `otentik export --format aegis` against the real Secret Service.

use std::fs;
use std::path::PathBuf;
use std::process::{Command as Process, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::sandbox::{Sandbox, serial};

const PASSWORD: &str = "otentik-fixture-password";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../otentik/tests/data/backup")
        .join(name)
}

/// A password file of its own in the sandbox.
fn password_file(sandbox: &Sandbox, password: &str) -> PathBuf {
    let path = sandbox
        .dir
        .path()
        .join(format!("password-{}", password.len()));
    fs::write(&path, format!("{password}\n")).unwrap();
    path
}

fn names(sandbox: &Sandbox) -> Vec<String> {
    sandbox
        .json(&["list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!(
                "{}:{}",
                a["issuer"].as_str().unwrap(),
                a["account"].as_str().unwrap()
            )
        })
        .collect()
}

/// A dry run lists what would come in (never a secret) and adds nothing; the import adds it
/// all; a second import finds every entry already there.
#[test]
fn dry_run_then_import_then_everything_is_a_duplicate() {
    let _serial = serial();
    let sandbox = Sandbox::new();
    let file = fixture("aegis-encrypted-v3.json");
    let password = password_file(&sandbox, PASSWORD);
    let file_arg = file.to_str().unwrap();
    let password_arg = password.to_str().unwrap();

    let output = sandbox
        .otentik()
        .args([
            "import",
            file_arg,
            "--password-file",
            password_arg,
            "--dry-run",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let expected: Value =
        serde_json::from_str(&fs::read_to_string(fixture("expected.json")).unwrap()).unwrap();
    for entry in expected["entries"].as_object().unwrap().values() {
        let secret = entry["secret"].as_str().unwrap();
        assert!(!text.contains(&secret[..16]), "a secret in the dry run");
    }
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["format"], "aegis");
    assert_eq!(report["duplicates"], 0);
    let entries = report["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[0]["issuer"], "Dinas PU Kota Bandung · LPSE");
    assert_eq!(entries[0]["label"], "budi.santoso@lpse.go.id – Pokja ULP");
    assert_eq!(entries[0]["type"], "totp");
    assert_eq!(entries[0]["algorithm"], "SHA1");
    assert_eq!(entries[0]["period"], 30);
    assert_eq!(entries[3]["type"], "hotp");
    assert_eq!(entries[3]["counter"], 42);
    assert!(entries[3].get("period").is_none());
    assert_eq!(entries[4]["type"], "steam");
    assert_eq!(entries[4]["digits"], 5);
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2, "yandex and motp: {skipped:?}");
    assert!(
        skipped
            .iter()
            .all(|s| !s["name"].as_str().unwrap().is_empty()
                && !s["reason"].as_str().unwrap().is_empty())
    );
    assert!(
        !sandbox.metadata().exists() || names(&sandbox).is_empty(),
        "a dry run adds nothing"
    );

    sandbox
        .otentik()
        .args(["import", file_arg, "--password-file", password_arg])
        .assert()
        .success()
        .stdout(predicates::str::starts_with(
            "Imported from Aegis: 5 added, 0 already in Otentik, 2 skipped\n",
        ));
    assert_eq!(names(&sandbox).len(), 5);
    // The Steam account shows Steam characters, the HOTP one the code of counter 42.
    let codes = sandbox.json(&["code", "--json", "--at", "59"]);
    let steam = codes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["issuer"] == "Steam")
        .unwrap();
    let steam_code = steam["code"].as_str().unwrap();
    assert_eq!(steam_code.len(), 5);
    assert!(
        steam_code
            .chars()
            .all(|c| "23456789BCDFGHJKMNPQRTVWXY".contains(c)),
        "{steam_code}"
    );

    // The same accounts again, from another app's file: all already there.
    let report = sandbox.json(&[
        "import",
        fixture("andotp-plain.json").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(report["added"], 0, "{report}");
    assert_eq!(report["duplicates"], 5, "{report}");
    assert_eq!(names(&sandbox).len(), 5);
}

/// Every way a file can be wrong: exit status 2, one line naming the problem, nothing added.
#[test]
fn wrong_password_damaged_file_and_unknown_format_add_nothing() {
    let _serial = serial();
    let sandbox = Sandbox::new();
    sandbox
        .otentik()
        .args([
            "add",
            "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME",
        ])
        .assert()
        .success();
    let before = fs::read(sandbox.metadata()).unwrap();
    let wrong = password_file(&sandbox, "not-the-password");
    let right = password_file(&sandbox, PASSWORD);
    let encrypted = fs::read(fixture("2fas-encrypted-v4.2fas")).unwrap();
    let truncated = sandbox.dir.path().join("truncated.2fas");
    fs::write(&truncated, &encrypted[..encrypted.len() / 2]).unwrap();
    let unknown = sandbox.dir.path().join("notes.txt");
    fs::write(&unknown, "shopping list: rice, tea\n").unwrap();
    let empty = sandbox.dir.path().join("empty.json");
    fs::write(&empty, "").unwrap();
    // One base64 letter of the encrypted content changed: authentication fails.
    let mut aegis: serde_json::Value =
        serde_json::from_slice(&fs::read(fixture("aegis-encrypted-v1.json")).unwrap()).unwrap();
    let db = aegis["db"].as_str().unwrap().to_owned();
    let middle = db.len() / 2;
    let swapped = if &db[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    aegis["db"] = format!("{}{swapped}{}", &db[..middle], &db[middle + 1..]).into();
    let tampered = sandbox.dir.path().join("tampered.json");
    fs::write(&tampered, serde_json::to_vec(&aegis).unwrap()).unwrap();

    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                fixture("2fas-encrypted-v4.2fas").display().to_string(),
                "--password-file".into(),
                wrong.display().to_string(),
            ],
            "wrong password or damaged file",
        ),
        (
            vec![
                truncated.display().to_string(),
                "--password-file".into(),
                right.display().to_string(),
            ],
            "2FAS",
        ),
        (
            vec![
                tampered.display().to_string(),
                "--password-file".into(),
                right.display().to_string(),
            ],
            "wrong password or damaged file",
        ),
        (
            vec![unknown.display().to_string()],
            "does not recognise this file",
        ),
        (
            vec![empty.display().to_string(), "--from".into(), "aegis".into()],
            "the file is empty",
        ),
        (
            vec![
                fixture("uris.txt").display().to_string(),
                "--from".into(),
                "nokia".into(),
            ],
            "unknown format 'nokia'",
        ),
        // Encrypted, no password and no terminal: say how to give it.
        (
            vec![fixture("aegis-encrypted-v1.json").display().to_string()],
            "--password-file",
        ),
    ];
    for (args, needle) in cases {
        let output = sandbox
            .otentik()
            .arg("import")
            .args(&args)
            .write_stdin("")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line: {stderr}");
        assert!(
            stderr.contains(needle),
            "{args:?}: {stderr} should say {needle}"
        );
        assert!(output.stdout.is_empty(), "{args:?}");
        assert_eq!(
            fs::read(sandbox.metadata()).unwrap(),
            before,
            "{args:?} changed the vault"
        );
    }
}

/// A backup of a vault with every kind of account, restored into an empty vault in another
/// keyring namespace, gives back the same accounts in the same order with the same codes at
/// three given times, and the HOTP counter where it was.
#[test]
fn a_backup_restores_into_an_empty_vault_with_the_same_codes() {
    let _serial = serial();
    let old = Sandbox::new();
    for uri in [
        "otpauth://totp/LPSE%20Kota%20Bandung:penyedia1?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=LPSE%20Kota%20Bandung",
        "otpauth://hotp/Bank:bob?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&counter=7&digits=8&algorithm=SHA256",
        "otpauth://totp/Lab:carol?secret=KRUGKIDROVUWG2ZAMJZG653OEBTG66BAN5ZSA5DIMUQGYYLKPEQGI33H&algorithm=SHA512&digits=7&period=60",
        "otpauth://steam/Steam:gamer?secret=HH5X3QLFUXXWMTZ4GDKYQSJPHF44LWUL",
    ] {
        old.otentik().args(["add", uri]).assert().success();
    }
    // Two codes of the HOTP account: its counter moves to 9.
    old.json(&["code", "bob", "--json"]);
    old.json(&["code", "bob", "--json"]);
    old.otentik()
        .args(["move", "gamer", "--to", "1"])
        .assert()
        .success();

    let password = password_file(&old, "correct horse battery");
    let backup = old.dir.path().join("otentik-backup.json");
    old.otentik()
        .args([
            "export",
            "--format",
            "aegis",
            "-o",
            backup.to_str().unwrap(),
            "--password-file",
            password.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("Backup written and verified:"));
    // The backup is an Aegis vault: a password slot and an encrypted database.
    let file: Value = serde_json::from_slice(&fs::read(&backup).unwrap()).unwrap();
    assert_eq!(file["version"], 1);
    assert_eq!(file["header"]["slots"][0]["type"], 1);
    assert!(file["db"].is_string());
    let raw = fs::read_to_string(&backup).unwrap();
    assert!(
        !raw.contains("GEZDGNBV") && !raw.contains("penyedia1"),
        "the backup is encrypted"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            fs::metadata(&backup).unwrap().permissions().mode() & 0o077,
            0,
            "private file"
        );
    }

    let new = Sandbox::new();
    new.otentik()
        .args([
            "import",
            backup.to_str().unwrap(),
            "--password-file",
            password.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("Imported from Aegis: 4 added"));
    let before = old.json(&["list", "--json"]);
    let after = new.json(&["list", "--json"]);
    let strip = |list: &Value| -> Vec<Value> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let mut a = a.clone();
                a.as_object_mut().unwrap().remove("id");
                a
            })
            .collect()
    };
    assert_eq!(strip(&after), strip(&before), "same accounts, same order");
    for at in ["59", "1111111109", "2000000000"] {
        let want = old.json(&["code", "--json", "--at", at]);
        let got = new.json(&["code", "--json", "--at", at]);
        let timed = |codes: &Value| -> Vec<Value> {
            codes
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["issuer"] != "Bank")
                .map(|c| c["code"].clone())
                .collect()
        };
        assert_eq!(timed(&got), timed(&want), "codes at {at}");
    }
    // The HOTP counter came back where it was: the next codes are the same on both.
    assert_eq!(
        new.json(&["code", "bob", "--json"])["code"],
        old.json(&["code", "bob", "--json"])["code"]
    );

    // Short passwords are refused, and nothing is written.
    let short = password_file(&old, "short");
    let refused = old.dir.path().join("refused.json");
    old.otentik()
        .args([
            "export",
            "--format",
            "aegis",
            "-o",
            refused.to_str().unwrap(),
            "--password-file",
            short.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("at least 8 characters"));
    assert!(!refused.exists());
    // --plain writes a readable vault, with a warning.
    let plain = old.dir.path().join("plain.json");
    old.otentik()
        .args([
            "export",
            "--format",
            "aegis",
            "-o",
            plain.to_str().unwrap(),
            "--plain",
        ])
        .assert()
        .success()
        .stderr(predicates::str::contains("not encrypted"));
    let file: Value = serde_json::from_slice(&fs::read(&plain).unwrap()).unwrap();
    assert!(file["header"]["slots"].is_null());
    assert_eq!(file["db"]["entries"].as_array().unwrap().len(), 4);
}

/// `kill -9` at random instants of a 200-entry import: the vault always opens with either none
/// or all of the 200 accounts, every account it lists has a code, and the keyring holds the
/// vault key alone (the secrets are sealed in one file).
#[test]
fn imports_killed_at_random_instants_add_all_or_nothing() {
    let _serial = serial();
    let mut text = String::new();
    for i in 0..200 {
        let secret = otentik::Secret::new(format!("crash-loop-secret-{i:04}").into_bytes());
        text.push_str(&format!(
            "otpauth://totp/Crash:user{i}?secret={}&issuer=Crash\n",
            secret.to_base32().as_str()
        ));
    }
    let binary = assert_cmd::cargo::cargo_bin("otentik");
    let spawn = |sandbox: &Sandbox| {
        let file = sandbox.dir.path().join("200.txt");
        fs::write(&file, &text).unwrap();
        Process::new(&binary)
            .args(["import", file.to_str().unwrap()])
            .env("OTENTIK_DATA_DIR", sandbox.dir.path())
            .env("OTENTIK_KEYRING_SERVICE", &sandbox.service)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // One whole import, timed, so that the kills land before, during and after it. The
    // instants spread over 1.5 times its length; rounds go on (up to 40) until at least 6 kills
    // landed while the import ran, so a slow or fast machine changes the number of rounds, not
    // the outcome.
    let started = std::time::Instant::now();
    assert!(spawn(&Sandbox::new()).wait().unwrap().success());
    let span = u64::try_from(started.elapsed().as_micros() * 3 / 2).unwrap();
    let mut killed = 0;
    let mut outcomes = [0usize; 2];
    let mut rounds = 0;
    while rounds < 12 || (killed < 6 && rounds < 40) {
        let round = rounds;
        rounds += 1;
        // A vault of its own per round: each starts empty.
        let sandbox = Sandbox::new();
        let mut child = spawn(&sandbox);
        std::thread::sleep(Duration::from_micros(rand::random_range(0..span)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        let _ = child.wait();
        let count = sandbox.json(&["list", "--json"]).as_array().unwrap().len();
        assert!(
            count == 0 || count == 200,
            "round {round}: {count} of 200 accounts"
        );
        outcomes[usize::from(count == 200)] += 1;
        if count == 200 {
            let codes = sandbox.json(&["code", "--json", "--at", "59"]);
            assert_eq!(
                codes.as_array().unwrap().len(),
                200,
                "round {round}: every account has a code"
            );
        }
        assert!(
            sandbox.keyring_keys() <= 1,
            "round {round}: the keyring holds more than the vault key"
        );
    }
    eprintln!(
        "{killed} of {rounds} imports killed; {} ended empty, {} complete",
        outcomes[0], outcomes[1]
    );
    assert!(
        killed >= 6,
        "the kills must land mid-import: only {killed} did"
    );
}
