//! andOTP: see `docs/backup.md`. Plain JSON, and encrypted files in both layouts: the
//! current one (PBKDF2-HMAC-SHA1 key, iterations and salt in the file) and the old one
//! (andOTP ≤ 0.6.2, key = SHA-256 of the password).

use serde_json::Value;
use sha2::Digest as _;
use sha2::digest::generic_array::GenericArray;
use zeroize::Zeroizing;

use super::crypto::{self, MAX_PBKDF2_ITERATIONS};
use super::fields::{Fields, Json, get, str_of};
use super::{Entry, Format, Import, Skipped, malformed, require, strip_bom};
use crate::error::{Error, Result};

const FORMAT: Format = Format::AndOtp;
/// andOTP's IV length, also the length of its PBKDF2 salt.
const IV: usize = 12;
/// The length of the iteration count that starts a current encrypted file.
const ITERATIONS: usize = 4;
/// The GCM tag length.
const TAG: usize = 16;

/// Reads an andOTP file.
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Import> {
    if looks_like_text(bytes) {
        if strip_bom(bytes)
            .trim_ascii_start()
            .starts_with(b"-----BEGIN PGP")
        {
            return Err(Error::BackupUnsupported {
                format: FORMAT.app_name(),
                what: "an OpenPGP-encrypted backup: decrypt it with OpenKeychain or gpg first, then import the JSON".to_owned(),
            });
        }
        let json = Json::parse(bytes, FORMAT)?;
        return read_entries(json.value(), Import::new(FORMAT, false));
    }
    let password = require(password, FORMAT)?;
    let plaintext = decrypt(bytes, password)?;
    let json = Json::parse(&plaintext, FORMAT)?;
    read_entries(json.value(), Import::new(FORMAT, true))
}

/// A plain backup is UTF-8 text starting with `[` (or another JSON or armour start), possibly
/// cut in its last character; an encrypted one is binary (random bytes, practically never
/// valid UTF-8).
fn looks_like_text(bytes: &[u8]) -> bool {
    let bytes = strip_bom(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        // Cut inside a character: still text (read as a damaged file below).
        Err(error) if error.error_len().is_none() => bytes
            .get(..error.valid_up_to())
            .and_then(|valid| std::str::from_utf8(valid).ok())
            .unwrap_or(""),
        Err(_) => return false,
    };
    matches!(text.trim_start().chars().next(), Some('[' | '{' | '-'))
}

/// Tries the current layout, then the old one; a tag failure in both is a wrong password.
fn decrypt(bytes: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>> {
    if bytes.len() < IV + TAG {
        return Err(malformed(
            FORMAT,
            "too short to be an encrypted andOTP backup",
        ));
    }
    if let Some((head, rest)) = bytes.split_first_chunk::<ITERATIONS>()
        && let Some((salt, rest)) = rest.split_first_chunk::<IV>()
        && let Some((iv, sealed)) = rest.split_first_chunk::<IV>()
        && sealed.len() >= TAG
    {
        let iterations = u32::from_be_bytes(*head);
        if (1..=MAX_PBKDF2_ITERATIONS).contains(&iterations) {
            let key = crypto::pbkdf2_sha1(password.as_bytes(), salt, iterations, FORMAT)?;
            match crypto::aes_gcm_open(&key, iv, sealed, &[], FORMAT) {
                Ok(plaintext) => return Ok(plaintext),
                Err(Error::BackupWrongPassword { .. }) => {}
                Err(error) => return Err(error),
            }
        }
    }
    // The old key: SHA-256 of the password, hashed straight into a wiped buffer.
    let mut key = Zeroizing::new([0u8; 32]);
    sha2::Sha256::new_with_prefix(password.as_bytes())
        .finalize_into(GenericArray::from_mut_slice(key.as_mut()));
    let (iv, sealed) = bytes.split_at(IV);
    crypto::aes_gcm_open(&key, iv, sealed, &[], FORMAT)
}

fn read_entries(json: &Value, mut import: Import) -> Result<Import> {
    let entries = json
        .as_array()
        .ok_or_else(|| malformed(FORMAT, "not a JSON list of entries"))?;
    for (index, entry) in entries.iter().enumerate() {
        let label = str_of(entry, "label");
        // Very old backups have no issuer: their label is "Issuer - Name".
        let (issuer, name) = match entry.get("issuer") {
            None => label.split_once(" - ").unwrap_or(("", label)),
            Some(_) => (str_of(entry, "issuer"), label),
        };
        let kind = match str_of(entry, "type") {
            "" => "TOTP",
            kind => kind,
        };
        let fields = Fields {
            kind,
            issuer,
            name,
            secret: get(entry, "secret"),
            algorithm: get(entry, "algorithm"),
            digits: get(entry, "digits"),
            period: get(entry, "period"),
            counter: get(entry, "counter"),
        };
        match fields.account() {
            Ok(account) => import.entries.push(Entry::new(account)),
            Err(reason) => import.skipped.push(Skipped::new(
                fields.label(|| format!("entry {}", index + 1)),
                reason,
            )),
        }
    }
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::OtpKind;

    const PASSWORD: &str = "kata sandi";

    fn sealed(key: &[u8; 32], iv: &[u8; 12], plaintext: &[u8]) -> Vec<u8> {
        crypto::aes_gcm_seal(key, iv, plaintext).unwrap()
    }

    const PLAIN: &[u8] = br#"[{"secret":"JBSWY3DPEHPK3PXP","label":"Old - a@b","digits":6,"type":"TOTP","algorithm":"SHA1","period":30},
        {"secret":"JBSWY3DPEHPK3PXP","issuer":"","label":"x - y","type":"STEAM","algorithm":"SHA1"},
        {"secret":"JBSWY3DPEHPK3PXP","issuer":"I","label":"n","type":"MOTP"}]"#;

    #[test]
    fn old_labels_steam_and_skips() {
        let import = read(PLAIN, None).unwrap();
        assert!(!import.encrypted);
        let accounts: Vec<_> = import.entries.iter().map(|e| &e.account).collect();
        assert_eq!(
            (accounts[0].issuer.as_str(), accounts[0].name.as_str()),
            ("Old", "a@b")
        );
        assert_eq!(
            (accounts[1].issuer.as_str(), accounts[1].name.as_str()),
            ("", "x - y")
        );
        assert_eq!((accounts[1].kind, accounts[1].digits), (OtpKind::Steam, 5));
        assert_eq!(import.skipped.len(), 1);
        assert_eq!(import.skipped[0].name, "I: n");
        assert!(import.skipped[0].reason.contains("mOTP"));
    }

    #[test]
    fn both_encrypted_layouts() {
        let salt = [3u8; 12];
        let iv = [5u8; 12];
        let key = crypto::pbkdf2_sha1(PASSWORD.as_bytes(), &salt, 1000, FORMAT).unwrap();
        let mut current = 1000u32.to_be_bytes().to_vec();
        current.extend(salt);
        current.extend(iv);
        current.extend(sealed(&key, &iv, PLAIN));
        let mut old = iv.to_vec();
        let key: [u8; 32] = sha2::Sha256::digest(PASSWORD.as_bytes()).into();
        old.extend(sealed(&key, &iv, PLAIN));
        for bytes in [current, old] {
            assert!(super::super::is_encrypted(&bytes, FORMAT));
            let import = read(&bytes, Some(PASSWORD)).unwrap();
            assert!(import.encrypted);
            assert_eq!(import.entries.len(), 2);
            let error = read(&bytes, Some("kata sandi?")).unwrap_err();
            assert!(
                matches!(error, Error::BackupWrongPassword { .. }),
                "{error}"
            );
            let error = read(&bytes, None).unwrap_err();
            assert!(
                matches!(error, Error::BackupPasswordRequired { .. }),
                "{error}"
            );
        }
    }

    #[test]
    fn short_binary_openpgp_and_objects_are_refused() {
        let error = read(&[0x80; 20], Some(PASSWORD)).unwrap_err();
        assert!(matches!(error, Error::BackupMalformed { .. }), "{error}");
        let error = read(b"-----BEGIN PGP MESSAGE-----\n\nhQEMA\n", Some(PASSWORD)).unwrap_err();
        assert!(matches!(error, Error::BackupUnsupported { .. }), "{error}");
        let error = read(b"{\"secret\": 1}", None).unwrap_err();
        assert!(matches!(error, Error::BackupMalformed { .. }), "{error}");
    }
}
