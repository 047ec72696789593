//! The vault against the real Secret Service (gnome-keyring in a private D-Bus session).

use std::fs;

use otentik::otpauth;
use otentik::vault::{AccountSecrets, SecretStore, Vault};
use otentik::{Error, Secret};

use crate::keyring::{serial, service, store};

const URI: &str = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME";

fn open(dir: &std::path::Path, service: &str) -> Vault {
    Vault::open(dir.to_path_buf(), Box::new(store(service))).unwrap()
}

#[test]
fn accounts_survive_a_fresh_open_and_the_file_holds_no_secret() {
    let _serial = serial();
    let (dir, service) = (tempfile::tempdir().unwrap(), service());
    let account = otpauth::parse(URI).unwrap().account;
    let id = open(dir.path(), &service)
        .add(&account, 1_700_000_000, false)
        .unwrap()
        .id;

    let vault = open(dir.path(), &service);
    assert_eq!(vault.accounts().len(), 1);
    assert_eq!(vault.account(&id).unwrap().secret, account.secret);
    assert_eq!(
        otentik::otp::code_at(&vault.account(&id).unwrap(), 59),
        "287082"
    );

    let text = fs::read(vault.metadata_path()).unwrap();
    let text = String::from_utf8(text).unwrap();
    for needle in [
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".to_owned(),
        "gezdgnbvgy3tqojqgezdgnbvgy3tqojq".to_owned(),
        "12345678901234567890".to_owned(),
        "3132333435363738393031323334353637383930".to_owned(),
        "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA".to_owned(),
    ] {
        assert!(!text.contains(&needle), "secret in metadata as {needle}");
    }
    assert!(text.contains("\"issuer\": \"ACME\""));
}

#[test]
fn duplicates_are_refused_unless_forced() {
    let _serial = serial();
    let (dir, service) = (tempfile::tempdir().unwrap(), service());
    let mut vault = open(dir.path(), &service);
    let account = otpauth::parse(URI).unwrap().account;
    vault.add(&account, 0, false).unwrap();
    assert!(matches!(
        vault.add(&account, 0, false),
        Err(Error::Duplicate { .. })
    ));
    vault.add(&account, 0, true).unwrap();
    let mut other = account.clone();
    other.secret = Secret::new(vec![9; 20]);
    vault.add(&other, 0, false).unwrap();
    assert_eq!(vault.accounts().len(), 3);
}

#[test]
fn orphans_of_this_vault_are_swept_and_others_left_alone() {
    let _serial = serial();
    let (dir, service) = (tempfile::tempdir().unwrap(), service());
    let vault = open(dir.path(), &service);
    let keyring = store(&service);
    let secrets = AccountSecrets::new(Secret::new(vec![1; 20]));
    // What a crash between "keyring written" and "metadata written" leaves behind.
    let vault_id: String =
        serde_json::from_slice::<serde_json::Value>(&fs::read(vault.metadata_path()).unwrap())
            .unwrap()["vault_id"]
            .as_str()
            .unwrap()
            .to_owned();
    keyring
        .put(&format!("{vault_id}:orphan"), &secrets.encode())
        .unwrap();
    keyring
        .put("another-vault:keep", &secrets.encode())
        .unwrap();
    drop(vault);

    let _vault = open(dir.path(), &service);
    let mut keys = keyring.keys().unwrap();
    keys.sort();
    assert_eq!(keys, ["another-vault:keep"]);
    keyring.delete("another-vault:keep").unwrap();
}

#[test]
fn remove_deletes_the_keyring_entry() {
    let _serial = serial();
    let (dir, service) = (tempfile::tempdir().unwrap(), service());
    let mut vault = open(dir.path(), &service);
    let id = vault
        .add(&otpauth::parse(URI).unwrap().account, 0, false)
        .unwrap()
        .id;
    assert_eq!(store(&service).keys().unwrap().len(), 1);
    vault.remove(&id).unwrap();
    assert!(store(&service).keys().unwrap().is_empty());
    assert!(vault.accounts().is_empty());
}

#[test]
fn hotp_counter_is_saved_before_the_code_is_returned() {
    let _serial = serial();
    let (dir, service) = (tempfile::tempdir().unwrap(), service());
    let mut vault = open(dir.path(), &service);
    let hotp =
        otpauth::parse("otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0")
            .unwrap()
            .account;
    let id = vault.add(&hotp, 0, false).unwrap().id;
    assert_eq!(vault.code(&id, 0).unwrap(), "755224");
    // A fresh open (another process) sees the advanced counter and the next code.
    let mut again = open(dir.path(), &service);
    assert_eq!(again.get(&id).unwrap().counter, 1);
    assert_eq!(again.code(&id, 0).unwrap(), "287082");
}

#[test]
fn a_secret_deleted_outside_otentik_is_reported_not_hidden() {
    let _serial = serial();
    let (dir, service) = (tempfile::tempdir().unwrap(), service());
    let mut vault = open(dir.path(), &service);
    let id = vault
        .add(&otpauth::parse(URI).unwrap().account, 0, false)
        .unwrap()
        .id;
    for key in store(&service).keys().unwrap() {
        store(&service).delete(&key).unwrap();
    }
    let error = vault.account(&id).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the secret of 'ACME: alice' is missing from the keyring: remove the account and add it again from its QR code"
    );
    assert_eq!(
        open(dir.path(), &service).accounts().len(),
        1,
        "the account is kept"
    );
}

#[test]
fn a_corrupt_or_newer_file_is_refused_and_left_byte_for_byte() {
    let _serial = serial();
    let service = service();
    for (content, want) in [
        (
            &b"{\"format\": \"otentik-accounts\", \"version\": 1, \"accou"[..],
            "is damaged",
        ),
        (&b"\x00\xff garbage"[..], "is damaged"),
        (
            &b"{\"format\": \"otentik-accounts\", \"version\": 7, \"accounts\": []}"[..],
            "written by a newer Otentik (format version 7)",
        ),
        (&b"[1, 2, 3]"[..], "is not an Otentik account list"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("accounts.json");
        fs::write(&path, content).unwrap();
        let error = Vault::open(dir.path().to_path_buf(), Box::new(store(&service)))
            .err()
            .unwrap();
        assert!(error.to_string().contains(want), "{error}");
        assert_eq!(fs::read(&path).unwrap(), content);
    }
}

/// An import adds every new entry in order, counts the ones already kept (or repeated in the
/// file) without adding them, keeps an Otentik backup's added time, brings a push account back
/// as `restored` with working codes, and keeps the backup password apart from the accounts
/// (the orphan sweep leaves it alone).
#[cfg(feature = "backup")]
#[test]
fn imports_add_the_new_entries_once_and_restore_push_accounts_for_reactivation() {
    use otentik::backup::{Entry, Extra};
    use otentik::vault::PushState;

    let _serial = serial();
    let (dir, service) = (tempfile::tempdir().unwrap(), service());
    let mut vault = open(dir.path(), &service);
    let kept = otpauth::parse(URI).unwrap().account;
    vault.add(&kept, 1, false).unwrap();
    let pushed = Entry {
        account: otentik::Account::totp("LPSE", "budi", Secret::new(vec![9; 20])),
        extra: Extra {
            added_at: Some(1_767_225_600),
            push_url: Some("https://lpse.example/push/device/v1".into()),
        },
    };
    let fresh = Entry::new(otentik::Account::steam(
        "Steam",
        "gamer",
        Secret::new(vec![7; 20]),
    ));
    let entries = vec![
        Entry::new(kept.clone()),
        pushed.clone(),
        fresh.clone(),
        fresh,
    ];
    assert_eq!(
        vault.import_duplicates(&entries).unwrap(),
        [true, false, false, true]
    );
    let imported = vault.import(&entries, 1_800_000_000).unwrap();
    assert_eq!(imported.added.len(), 2);
    assert_eq!(imported.duplicates, 2);

    vault
        .set_setting_secret("backup-password", Some(b"kata sandi cadangan"))
        .unwrap();
    let vault = open(dir.path(), &service);
    let names: Vec<&str> = vault.accounts().iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["alice", "budi", "gamer"]);
    let budi = &vault.accounts()[1];
    assert_eq!(budi.created_at, 1_767_225_600, "the backup's added time");
    let push = budi.push.as_ref().unwrap();
    assert_eq!(push.state, PushState::Restored);
    assert_eq!(push.url, "https://lpse.example/push/device/v1");
    assert!(
        push.device_id.is_none(),
        "no device key came with the backup"
    );
    assert_eq!(
        otentik::otp::code_at(&vault.account(&budi.id).unwrap(), 59),
        otentik::otp::code_at(&pushed.account, 59),
        "its codes work"
    );
    assert_eq!(vault.accounts()[2].created_at, 1_800_000_000);
    assert_eq!(
        vault
            .setting_secret("backup-password")
            .unwrap()
            .unwrap()
            .expose(),
        b"kata sandi cadangan",
        "the orphan sweep of the reopen left the setting alone"
    );
}
