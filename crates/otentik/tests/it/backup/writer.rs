//! What Otentik writes, read by someone else.

use std::process::Command;

use otentik::backup::{self, Entry, Extra, Format, aegis};
use otentik::{Account, Algorithm, OtpKind, Secret, otp};
use serde_json::Value;

use super::fixtures::dir;

fn entries() -> Vec<Entry> {
    let secret = |seed: u8| Secret::new((0..20).map(|b| b ^ seed).collect());
    let mut hotp = Account::totp("Bank BJB", "rudi", secret(2));
    hotp.kind = OtpKind::Hotp;
    hotp.counter = 42;
    let mut sha512 = Account::totp("Kementerian PUPR", "andi.wijaya", secret(3));
    sha512.algorithm = Algorithm::Sha512;
    sha512.digits = 7;
    sha512.period = 60;
    vec![
        Entry {
            account: Account::totp(
                "Dinas PU Kota Bandung · LPSE",
                "budi@lpse.go.id – Pokja",
                secret(1),
            ),
            extra: Extra {
                added_at: Some(1_767_225_600),
                push_url: Some("https://lpse.example/push/device/v1".into()),
                origins: vec!["https://lpse.example".into()],
            },
        },
        Entry::new(hotp),
        Entry::new(sha512),
        Entry::new(Account::steam("Steam", "gamer", secret(4))),
    ]
}

/// An encrypted backup opens in an independent reader (Python's `cryptography`, following
/// Aegis's vault document) with every field as written; a wrong password does not open it.
#[test]
fn an_otentik_backup_opens_in_an_independent_aegis_reader() {
    let entries = entries();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        aegis::write(&entries, Some("kata sandi cadangan")).unwrap(),
    )
    .unwrap();
    let script = dir().join("read_aegis.py");
    let run = |password: &str| {
        Command::new("python3")
            .arg(&script)
            .arg(file.path())
            .arg(password)
            .output()
            .expect("python3 (scripts/deps.sh installs python3-cryptography)")
    };
    let output = run("kata sandi cadangan");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(read.len(), entries.len());
    for (read, entry) in read.iter().zip(&entries) {
        let account = &entry.account;
        assert_eq!(read["type"], account.kind.as_str());
        assert_eq!(read["issuer"], account.issuer.as_str());
        assert_eq!(read["name"], account.name.as_str());
        assert_eq!(read["secret"], account.secret.to_base32().as_str());
        assert_eq!(read["algo"], account.algorithm.as_str());
        assert_eq!(read["digits"], u64::from(account.digits));
        match account.kind {
            OtpKind::Hotp => assert_eq!(read["counter"], account.counter),
            _ => assert_eq!(read["period"], u64::from(account.period)),
        }
    }
    assert!(!run("another password").status.success());
}

/// Written and read back by Otentik: every field and the Otentik-only extras, with the same
/// codes at three given times; each write uses fresh salts and nonces.
#[test]
fn a_backup_reads_back_the_same_with_the_same_codes() {
    let entries = entries();
    let first = aegis::write(&entries, Some("kata sandi cadangan")).unwrap();
    let second = aegis::write(&entries, Some("kata sandi cadangan")).unwrap();
    assert_ne!(first, second, "fresh salt, key and nonces each time");
    backup::verify(&first, &entries, Some("kata sandi cadangan")).unwrap();
    let import = backup::read(&first, Format::Aegis, Some("kata sandi cadangan")).unwrap();
    assert_eq!(import.entries, entries);
    for t in [59, 1_111_111_109, 2_000_000_000] {
        for (read, written) in import.entries.iter().zip(&entries) {
            assert_eq!(
                otp::code_at(&read.account, t),
                otp::code_at(&written.account, t)
            );
        }
    }
    // A plain backup is readable JSON with the same entries.
    let plain = aegis::write(&entries, None).unwrap();
    let json: Value = serde_json::from_slice(&plain).unwrap();
    assert!(json["header"]["slots"].is_null());
    assert_eq!(
        backup::read(&plain, Format::Aegis, None).unwrap().entries,
        entries
    );
    // A backup that does not match what was meant is caught by the verification.
    let mut fewer = entries.clone();
    fewer.pop();
    let error = backup::verify(&first, &fewer, Some("kata sandi cadangan")).unwrap_err();
    assert_eq!(error.code(), otentik::Code::BackupVerifyFailed);
}

/// The phone export: accounts Google can hold, ten per QR code, all batches of one id, read
/// back by the Google reader; Steam, 7 digits and 60 s are named as left out.
#[test]
fn google_export_payloads_read_back() {
    let mut accounts: Vec<Account> = (0..23u8)
        .map(|i| Account::totp("LPSE", format!("user{i}"), Secret::new(vec![i; 20])))
        .collect();
    accounts.extend(entries().into_iter().map(|e| e.account));
    let written = backup::google::write(&accounts, 77);
    assert_eq!(written.payloads.len(), 3, "25 accounts, 10 per QR code");
    let left: Vec<&str> = written.left_out.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(left, ["Kementerian PUPR: andi.wijaya", "Steam: gamer"]);
    let import = backup::google::read_texts(&written.payloads).unwrap();
    assert_eq!(import.entries.len(), 25);
    assert!(import.notes.is_empty(), "{:?}", import.notes);
    let some = backup::google::read_texts(&written.payloads[..2]).unwrap();
    assert_eq!(
        some.notes.len(),
        1,
        "the third QR code is missing: {:?}",
        some.notes
    );
}
