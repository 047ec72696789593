//! The fixtures of `tests/data/backup`, read as `expected.json` says.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use otentik::backup::{self, Format, Import};
use otentik::{Code, OtpKind};
use serde_json::Value;

pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/backup")
}

pub fn expected() -> Value {
    let text = std::fs::read_to_string(dir().join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub const PASSWORD: &str = "otentik-fixture-password";

/// The fixture names of one `--from` format.
pub fn fixtures_of(format: Format) -> Vec<(String, Value)> {
    let expected = expected();
    expected["fixtures"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, fixture)| fixture["format"] == format.as_str())
        .map(|(name, fixture)| (name.clone(), fixture.clone()))
        .collect()
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap()
}

/// Every account of `import` equals the fixture's `entries`, field by field, in order.
fn check_entries(name: &str, import: &Import, fixture: &Value) {
    let want = fixture["entries"].as_array().unwrap();
    let got: Vec<String> = import
        .entries
        .iter()
        .map(|entry| entry.account.label())
        .collect();
    assert_eq!(import.entries.len(), want.len(), "{name}: got {got:?}");
    for (entry, want) in import.entries.iter().zip(want) {
        let account = &entry.account;
        let id = want["id"].as_str().unwrap();
        let what = format!("{name} {id}");
        assert_eq!(
            account.issuer,
            want["issuer"].as_str().unwrap(),
            "{what}: issuer"
        );
        assert_eq!(account.name, want["name"].as_str().unwrap(), "{what}: name");
        let kind = match want["type"].as_str().unwrap() {
            "totp" => OtpKind::Totp,
            "hotp" => OtpKind::Hotp,
            "steam" => OtpKind::Steam,
            other => panic!("{other}"),
        };
        assert_eq!(account.kind, kind, "{what}: type");
        assert_eq!(
            account.algorithm.as_str(),
            want["algorithm"].as_str().unwrap(),
            "{what}: algorithm"
        );
        assert_eq!(
            u64::from(account.digits),
            want["digits"].as_u64().unwrap(),
            "{what}: digits"
        );
        match kind {
            OtpKind::Hotp => assert_eq!(
                account.counter,
                want["counter"].as_u64().unwrap(),
                "{what}: counter"
            ),
            _ => assert_eq!(
                u64::from(account.period),
                want["period"].as_u64().unwrap(),
                "{what}: period"
            ),
        }
        assert_eq!(
            account.secret.to_base32().as_str(),
            want["secret"].as_str().unwrap(),
            "{what}: secret"
        );
        assert!(
            account.push.is_none(),
            "{what}: no push invitation from a backup"
        );
    }
}

/// The skipped entries: as many as expected, each reason naming its kind.
fn check_skipped(name: &str, import: &Import, fixture: &Value) {
    let want = fixture["skipped"].as_array().unwrap();
    assert_eq!(
        import.skipped.len(),
        want.len(),
        "{name}: skipped {:?}",
        import.skipped
    );
    for (skipped, want) in import.skipped.iter().zip(want) {
        let needle = match want["kind"].as_str().unwrap() {
            "yandex" => "Yandex",
            "motp" => "mOTP",
            "md5" => "MD5",
            other => panic!("{other}"),
        };
        assert!(
            skipped.reason.contains(needle),
            "{name}: {skipped:?} should name {needle}"
        );
        assert!(!skipped.name.is_empty(), "{name}: {skipped:?} has a name");
    }
}

/// Every fixture but the Google images (read together below) is read as expected, detected
/// from its content (an andOTP encrypted file has no marker), and needs its password when
/// encrypted.
#[test]
fn every_fixture_reads_as_expected() {
    let expected = expected();
    let mut checked = 0;
    for (name, fixture) in expected["fixtures"].as_object().unwrap() {
        let format: Format = fixture["format"].as_str().unwrap().parse().unwrap();
        if format == Format::Google {
            continue;
        }
        let bytes = read(name);
        let encrypted = fixture["encrypted"].as_bool().unwrap();
        let detected = backup::detect(&bytes);
        if format == Format::AndOtp && encrypted {
            assert_eq!(detected, None, "{name}");
        } else {
            assert_eq!(detected, Some(format), "{name}: detected");
        }
        assert_eq!(
            backup::is_encrypted(&bytes, format),
            encrypted,
            "{name}: encrypted"
        );
        if encrypted {
            let error = backup::read(&bytes, format, None).unwrap_err();
            assert_eq!(
                error.code(),
                Code::BackupPasswordRequired,
                "{name}: {error}"
            );
        }
        let import =
            backup::read(&bytes, format, Some(PASSWORD)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(import.format, format, "{name}");
        assert_eq!(import.encrypted, encrypted, "{name}");
        check_entries(name, &import, fixture);
        check_skipped(name, &import, fixture);
        checked += 1;
    }
    assert_eq!(checked, 22, "every non-image fixture was checked");
}

/// The two QR images of one export: together all of it, alone a note about the missing one.
#[cfg(feature = "scan")]
#[test]
fn google_export_images_read_together_and_alone() {
    let fixtures = fixtures_of(Format::Google);
    let images: Vec<Vec<u8>> = fixtures.iter().map(|(name, _)| read(name)).collect();
    for (bytes, (name, fixture)) in images.iter().zip(&fixtures) {
        assert_eq!(backup::detect(bytes), Some(Format::Google), "{name}");
        let import = backup::read(bytes, Format::Google, None).unwrap();
        check_entries(name, &import, fixture);
        check_skipped(name, &import, fixture);
        assert_eq!(import.notes.len(), 1, "{name}: {:?}", import.notes);
        assert!(import.notes[0].contains("missing"), "{:?}", import.notes);
    }
    let all: Vec<&[u8]> = images.iter().map(Vec::as_slice).collect();
    let import = backup::google::read_images(&all).unwrap();
    let labels: Vec<String> = import
        .entries
        .iter()
        .map(|e| e.account.name.clone())
        .collect();
    assert_eq!(
        labels,
        ["budi.santoso@lpse.go.id – Pokja ULP", "rudi.hartono"]
    );
    assert!(import.notes.is_empty(), "{:?}", import.notes);
    assert_eq!(import.skipped.len(), 1);

    // An export's payloads saved as text lines (as other apps keep them) read as Google's too.
    let uris = String::from_utf8(read("uris.txt")).unwrap();
    let lines: Vec<String> = uris
        .lines()
        .filter(|line| line.starts_with("otpauth-migration:"))
        .map(str::to_owned)
        .collect();
    assert!(!lines.is_empty());
    let text = format!("# copied out\n{}\n", lines.join("\n"));
    let from_text = backup::google::read_images(&[text.as_bytes()]).unwrap();
    let from_payloads = backup::google::read_texts(&lines).unwrap();
    let names = |import: &backup::Import| -> Vec<String> {
        import.entries.iter().map(|e| e.account.label()).collect()
    };
    assert!(!from_text.entries.is_empty());
    assert_eq!(names(&from_text), names(&from_payloads));
}

/// Flips the lowest bit of byte `offset` of the base64 at `field` (for 2FAS, part `part` of
/// the value split on `split`), as the fixtures' README prescribes.
fn tamper(bytes: &[u8], recipe: &Value) -> Vec<u8> {
    let offset = recipe["offset"].as_u64().unwrap() as usize;
    if recipe["container"] == "raw" {
        let mut bytes = bytes.to_vec();
        bytes[offset] ^= 1;
        return bytes;
    }
    let mut json: Value = serde_json::from_slice(bytes).unwrap();
    let field = recipe["field"].as_str().unwrap();
    let value = json[field].as_str().unwrap().to_owned();
    let engine = base64::engine::general_purpose::STANDARD;
    let flip = |text: &str| {
        let mut raw = engine.decode(text).unwrap();
        raw[offset] ^= 1;
        engine.encode(raw)
    };
    let new = match recipe["split"].as_str() {
        Some(split) => {
            let part = recipe["part"].as_u64().unwrap() as usize;
            let mut parts: Vec<String> = value.split(split).map(str::to_owned).collect();
            parts[part] = flip(&parts[part]);
            parts.join(split)
        }
        None => flip(&value),
    };
    json[field] = Value::String(new);
    serde_json::to_vec(&json).unwrap()
}

/// Empty files, truncated copies, tampered copies and wrong passwords are refused with the
/// right code, never read as fewer accounts.
#[test]
fn damaged_files_and_wrong_passwords_are_refused() {
    let expected = expected();
    for (name, fixture) in expected["fixtures"].as_object().unwrap() {
        let format: Format = fixture["format"].as_str().unwrap().parse().unwrap();
        let bytes = read(name);
        for empty in [&b""[..], b"  \n"] {
            let error = backup::read(empty, format, Some(PASSWORD)).unwrap_err();
            assert_eq!(
                error.code(),
                Code::BackupUnreadable,
                "{name} empty: {error}"
            );
        }
        // Line-based text formats lose lines when cut, and an image cut in half may still
        // hold a readable QR code; every other cut copy is refused.
        let line_based = name.ends_with(".txt") && !fixture["encrypted"].as_bool().unwrap()
            || name.ends_with(".csv")
            || format == Format::Google;
        if !line_based {
            let half = &bytes[..bytes.len() / 2];
            // A cut copy is still named (by its keys), so the error says whose file is damaged;
            // an andOTP encrypted file has no marker, cut or whole.
            if !(format == Format::AndOtp && fixture["encrypted"].as_bool().unwrap()) {
                assert_eq!(
                    backup::detect(half),
                    Some(format),
                    "{name} truncated: detected"
                );
            }
            let error = backup::read(half, format, Some(PASSWORD)).unwrap_err();
            assert!(
                matches!(
                    error.code(),
                    Code::BackupUnreadable | Code::BackupWrongPassword
                ),
                "{name} truncated: {error}"
            );
        }
        if fixture["encrypted"].as_bool().unwrap() {
            let tampered = tamper(&bytes, &fixture["tamper"]);
            let error = backup::read(&tampered, format, Some(PASSWORD)).unwrap_err();
            assert_eq!(
                error.code(),
                Code::BackupWrongPassword,
                "{name} tampered: {error}"
            );
            let error = backup::read(&bytes, format, Some("otentik-fixture-passwort")).unwrap_err();
            assert_eq!(
                error.code(),
                Code::BackupWrongPassword,
                "{name} wrong password: {error}"
            );
            assert!(
                error.to_string().contains("wrong password or damaged file"),
                "{error}"
            );
        }
    }
}

/// An encrypted Bitwarden export is recognised, and refused with what to do.
#[test]
fn an_encrypted_bitwarden_export_is_named_and_refused() {
    let file = br#"{"encrypted": true, "passwordProtected": true, "salt": "c2FsdA==", "kdfType": 0, "kdfIterations": 600000, "encKeyValidation_DO_NOT_EDIT": "2.x|y|z", "data": "2.a|b|c"}"#;
    assert_eq!(backup::detect(file), Some(Format::Bitwarden));
    let error = backup::read(file, Format::Bitwarden, None).unwrap_err();
    assert_eq!(error.code(), Code::BackupUnsupported);
    assert!(
        error.to_string().contains("unencrypted JSON or CSV"),
        "{error}"
    );
}

/// A file of no known format is not detected.
#[test]
fn unknown_content_is_not_detected() {
    for bytes in [
        &b"hello world"[..],
        b"{\"some\": \"json\"}",
        b"[1, 2, 3]",
        b"\x00\x01\x02",
    ] {
        assert_eq!(backup::detect(bytes), None, "{bytes:?}");
    }
}
