//! Proton Authenticator: the JSON export, plain or password-protected (Argon2id with fixed
//! parameters, then AES-256-GCM with a fixed AAD). See `docs/backup.md` ("Proton
//! Authenticator").

use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroizing;

use super::{Entry, Format, Import, Skipped, crypto, malformed, require, uri};
use crate::account::Account;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// The additional data of a password-protected export (`EncryptionTag::PasswordExport`).
const AAD: &[u8] = b"proton.authenticator.export.v1";
/// Argon2id memory of the password-protected export: 19 MiB (m = 19456 KiB).
const ARGON2_MEMORY: u64 = 19 * 1024 * 1024;
/// Argon2id passes.
const ARGON2_PASSES: u32 = 2;
/// AES-GCM nonce and tag lengths.
const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;

/// Standard base64, with or without padding (`steam://` secrets).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Both shapes of the file: `entries` (plain) or `salt` + `content` (password-protected).
#[derive(Deserialize)]
struct File {
    version: Option<u64>,
    entries: Option<Vec<Value>>,
    salt: Option<String>,
    content: Option<String>,
}

#[derive(Deserialize)]
struct ProtonEntry {
    content: Content,
}

#[derive(Deserialize)]
struct Content {
    uri: String,
    entry_type: String,
    name: Option<String>,
}

/// Reads a plain or password-protected export.
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Import> {
    let file: File = super::json(bytes, Format::Proton)?;
    check_version(file.version)?;
    match (file.entries, file.salt, file.content) {
        (Some(entries), None, None) => Ok(read_entries(entries, false)),
        (None, Some(salt), Some(content)) => read_encrypted(&salt, &content, password),
        _ => Err(malformed(
            Format::Proton,
            "expected either 'entries', or 'salt' and 'content'",
        )),
    }
}

fn check_version(version: Option<u64>) -> Result<()> {
    match version {
        None | Some(1) => Ok(()),
        Some(version) => Err(Error::BackupUnsupported {
            format: Format::Proton.app_name(),
            what: format!("export version {version} (made by a newer Proton Authenticator?)"),
        }),
    }
}

/// The salt's length in Proton's password-protected export.
const SALT_BYTES: usize = 16;

fn read_encrypted(salt: &str, content: &str, password: Option<&str>) -> Result<Import> {
    let salt = STANDARD
        .decode(salt.trim())
        .map_err(|_| malformed(Format::Proton, "the salt is not base64"))?;
    // Proton writes (and its own import requires) a 16-byte salt.
    if salt.len() != SALT_BYTES {
        return Err(malformed(Format::Proton, "the salt is not 16 bytes"));
    }
    let content = STANDARD
        .decode(content.trim())
        .map_err(|_| malformed(Format::Proton, "the content is not base64"))?;
    if content.len() < NONCE_BYTES + TAG_BYTES {
        return Err(malformed(
            Format::Proton,
            "the encrypted content is truncated",
        ));
    }
    let password = require(password, Format::Proton)?;
    let key = crypto::argon2id(
        password.as_bytes(),
        &salt,
        ARGON2_MEMORY,
        ARGON2_PASSES,
        1,
        Format::Proton,
    )?;
    let (nonce, sealed) = content.split_at(NONCE_BYTES);
    let plain = crypto::aes_gcm_open(&key, nonce, sealed, AAD, Format::Proton)?;
    // The decrypted content holds the secrets: the error names a place, never a value.
    let inner: File = serde_json::from_slice(&plain).map_err(|e| {
        malformed(
            Format::Proton,
            format!(
                "the decrypted content is not an export (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    check_version(inner.version)?;
    let entries = inner
        .entries
        .ok_or_else(|| malformed(Format::Proton, "the decrypted content has no 'entries'"))?;
    Ok(read_entries(entries, true))
}

fn read_entries(entries: Vec<Value>, encrypted: bool) -> Import {
    let mut import = Import::new(Format::Proton, encrypted);
    for (index, value) in entries.into_iter().enumerate() {
        let name = value
            .pointer("/content/name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map_or_else(|| format!("entry {}", index + 1), str::to_owned);
        let entry = match serde_json::from_value::<ProtonEntry>(value) {
            Ok(entry) => entry,
            Err(_) => {
                import.skipped.push(Skipped::new(
                    name,
                    "not a Proton Authenticator entry (no 'content' with 'uri' and 'entry_type')",
                ));
                continue;
            }
        };
        match account(entry.content) {
            Ok(account) => import.entries.push(Entry::new(account)),
            Err(reason) => import.skipped.push(Skipped::new(name, reason)),
        }
    }
    import
}

fn account(content: Content) -> Result<Account, String> {
    let uri = Zeroizing::new(content.uri);
    let kind = content.entry_type.trim();
    match kind.to_ascii_lowercase().as_str() {
        "totp" => uri::account(&uri),
        "steam" => {
            // Everything after the scheme, verbatim: Proton's base64 may hold '/'.
            let encoded = uri::strip_scheme(uri.trim(), "steam://")
                .ok_or("a Steam entry whose URI is not steam://…")?;
            let bytes = BASE64
                .decode(encoded.trim())
                .map_err(|_| "the Steam secret is not valid base64".to_owned())?;
            let secret = uri::check_bits(Secret::new(bytes))?;
            let name = content.name.unwrap_or_default();
            let name = match name.trim() {
                "" => "Steam",
                name => name,
            };
            Ok(Account::steam("Steam", name, secret))
        }
        _ => Err(format!(
            "unknown entry type '{}'",
            kind.chars().take(32).collect::<String>()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OtpKind;
    use crate::error::Code;

    fn plain(entries: &str) -> String {
        format!(r#"{{"version":1,"entries":[{entries}]}}"#)
    }

    #[test]
    fn steam_secrets_are_base64_and_unknown_entries_are_skipped() {
        // 20 bytes whose base64 holds '/' and '+', unpadded.
        let secret: Vec<u8> = (0..20u8).map(|byte| byte.wrapping_mul(251)).collect();
        let encoded = STANDARD.encode(&secret);
        assert!(encoded.contains('/') || encoded.contains('+'), "{encoded}");
        let file = plain(&format!(
            r#"{{"id":"a","content":{{"uri":"steam://{}","entry_type":"Steam","name":"pemain"}},"note":null}},
               {{"id":"b","content":{{"uri":"x","entry_type":"Hotp","name":"baru"}},"note":null}},
               {{"id":"c","note":"no content"}}"#,
            encoded.trim_end_matches('=')
        ));
        let import = read(file.as_bytes(), None).unwrap();
        assert_eq!(import.entries.len(), 1);
        let steam = &import.entries[0].account;
        assert_eq!(
            (steam.kind, steam.issuer.as_str(), steam.name.as_str()),
            (OtpKind::Steam, "Steam", "pemain")
        );
        assert_eq!(steam.secret.expose(), secret.as_slice());
        let skipped: Vec<&str> = import.skipped.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(skipped, ["baru", "entry 3"]);
        assert!(
            import.skipped[0].reason.contains("Hotp"),
            "{:?}",
            import.skipped
        );
    }

    #[test]
    fn ambiguous_and_newer_files_are_refused() {
        let both = r#"{"version":1,"entries":[],"salt":"AAAA","content":"AAAA"}"#;
        assert_eq!(
            read(both.as_bytes(), None).unwrap_err().code(),
            Code::BackupUnreadable
        );
        let neither = r#"{"version":1}"#;
        assert_eq!(
            read(neither.as_bytes(), None).unwrap_err().code(),
            Code::BackupUnreadable
        );
        let newer = r#"{"version":2,"entries":[]}"#;
        assert_eq!(
            read(newer.as_bytes(), None).unwrap_err().code(),
            Code::BackupUnsupported
        );
    }

    #[test]
    fn a_cut_ciphertext_is_malformed_before_any_password_work() {
        let short = format!(
            r#"{{"version":1,"salt":"{}","content":"{}"}}"#,
            STANDARD.encode([1u8; 16]),
            STANDARD.encode([2u8; 27])
        );
        let error = read(short.as_bytes(), None).unwrap_err();
        assert_eq!(error.code(), Code::BackupUnreadable, "{error}");
    }

    #[test]
    fn a_salt_of_another_length_is_malformed() {
        let odd = format!(
            r#"{{"version":1,"salt":"{}","content":"{}"}}"#,
            STANDARD.encode([1u8; 8]),
            STANDARD.encode([2u8; 64])
        );
        let error = read(odd.as_bytes(), Some("password")).unwrap_err();
        assert_eq!(error.code(), Code::BackupUnreadable, "{error}");
        assert!(error.to_string().contains("16 bytes"), "{error}");
    }
}
