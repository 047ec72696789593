//! The vault against the real Secret Service (gnome-keyring in a private D-Bus session).

use std::fs;

use otentik::otpauth;
use otentik::vault::{KdfParams, LockState, SecretStore, Vault};
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

/// The keyring holds one item for the vault, the vault key; no seed. Read back with
/// `secret-tool`, outside Otentik's code.
#[test]
fn the_keyring_holds_one_key_for_the_vault_and_no_seed() {
    let _serial = serial();
    let (dir, service) = (tempfile::tempdir().unwrap(), service());
    let mut vault = open(dir.path(), &service);
    for name in ["alice", "bob", "carol"] {
        let mut account = otpauth::parse(URI).unwrap().account;
        account.name = name.into();
        vault.add(&account, 0, true).unwrap();
    }
    let items = otentik_test_support::keyring::items(&service);
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(items[0].attributes["username"].ends_with("/key"));
    assert_seedless(&items, &dir);
}

/// No keyring item and no file of the data directory holds the seed in a readable form.
fn assert_seedless(items: &[otentik_test_support::keyring::Item], dir: &tempfile::TempDir) {
    let needles = [
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        "gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
        "12345678901234567890",
        "3132333435363738393031323334353637383930",
        "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA",
    ];
    let mut haystacks: Vec<Vec<u8>> = items.iter().map(|item| item.secret.clone()).collect();
    for entry in fs::read_dir(dir.path()).unwrap() {
        haystacks.push(fs::read(entry.unwrap().path()).unwrap());
    }
    for haystack in haystacks {
        let text = String::from_utf8_lossy(&haystack);
        for needle in needles {
            assert!(!text.contains(needle), "a seed is readable as {needle}");
        }
    }
}

#[test]
fn remove_drops_the_secret_and_an_account_can_come_back() {
    let _serial = serial();
    let (dir, service) = (tempfile::tempdir().unwrap(), service());
    let mut vault = open(dir.path(), &service);
    let account = otpauth::parse(URI).unwrap().account;
    let id = vault.add(&account, 0, false).unwrap().id;
    let sealed = dir.path().join("secrets.sealed");
    let with = fs::metadata(&sealed).unwrap().len();
    vault.remove(&id).unwrap();
    assert!(
        fs::metadata(&sealed).unwrap().len() < with,
        "the secret left the file"
    );
    assert!(vault.accounts().is_empty());
    assert!(matches!(vault.secrets(&id), Err(Error::NoMatch { .. })));
    vault.add(&account, 0, false).unwrap();
    assert_eq!(open(dir.path(), &service).accounts().len(), 1);
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
    let again = open(dir.path(), &service);
    let error = again.account(&id).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the vault key is missing from the keyring, so the secrets cannot be opened: restore the keyring, or restore the accounts from a backup"
    );
    assert_eq!(again.accounts().len(), 1, "the account is kept");
    assert!(
        store(&service).keys().unwrap().is_empty(),
        "no new key was made over the sealed file"
    );
    drop(vault);
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
            origins: vec!["https://lpse.example".into()],
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
    assert_eq!(
        budi.origins,
        ["https://lpse.example"],
        "the backup's bound sites"
    );
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

/// With the lock on, the keyring of the test namespace holds nothing that reads a seed or a
/// device key (read back with `secret-tool`), another process opens the vault locked, and the
/// password opens it; turning the lock off puts the key back.
#[test]
fn with_the_lock_on_the_keyring_holds_nothing_readable() {
    let _serial = serial();
    let (dir, service) = (tempfile::tempdir().unwrap(), service());
    let mut vault = open(dir.path(), &service);
    let account = otpauth::parse(URI).unwrap().account;
    let id = vault.add(&account, 0, false).unwrap().id;
    let mut secrets = vault.secrets(&id).unwrap();
    secrets.device_key = Some(Secret::new(vec![0x5a; 32]));
    vault.set_secrets(&id, &secrets).unwrap();
    vault
        .enable_lock("kata sandi kantor", KdfParams::MINIMUM)
        .unwrap();

    let items = otentik_test_support::keyring::items(&service);
    assert!(items.is_empty(), "{items:?}");
    assert_seedless(&items, &dir);
    for entry in fs::read_dir(dir.path()).unwrap() {
        let text = String::from_utf8_lossy(&fs::read(entry.unwrap().path()).unwrap()).into_owned();
        assert!(
            !text.contains(&"5a".repeat(32)),
            "the device key is readable"
        );
    }

    let mut locked = open(dir.path(), &service);
    assert_eq!(locked.lock_state(), LockState::Locked);
    assert!(matches!(locked.account(&id), Err(Error::VaultLocked)));
    locked.unlock("kata sandi kantor", 1).unwrap();
    assert_eq!(locked.account(&id).unwrap().secret, account.secret);
    assert_eq!(
        locked.secrets(&id).unwrap().device_key,
        Some(Secret::new(vec![0x5a; 32]))
    );
    locked.disable_lock("kata sandi kantor", 2).unwrap();
    assert_eq!(otentik_test_support::keyring::items(&service).len(), 1);
    assert_eq!(
        open(dir.path(), &service).account(&id).unwrap().secret,
        account.secret
    );
}
