//! Ente Auth: the plain text export and the encrypted export (Argon2id, then one message of
//! libsodium's secretstream XChaCha20-Poly1305). See `docs/backup.md` ("Ente Auth").

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use dryoc::classic::crypto_secretstream_xchacha20poly1305 as secretstream;
use dryoc::constants::{
    CRYPTO_SECRETSTREAM_XCHACHA20POLY1305_ABYTES as ABYTES,
    CRYPTO_SECRETSTREAM_XCHACHA20POLY1305_TAG_FINAL as TAG_FINAL,
    CRYPTO_SECRETSTREAM_XCHACHA20POLY1305_TAG_MESSAGE as TAG_MESSAGE,
};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Format, Import, Skipped, crypto, malformed, require, text, uri, uris};
use crate::error::{Error, Result};
use crate::otpauth;

/// Why a code in Ente's trash is not imported.
pub const TRASHED: &str = "in Ente's trash";

/// The libsodium `crypto_pwhash` salt length.
const SALT_BYTES: usize = 16;

/// The encrypted export.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Encrypted {
    version: Option<u64>,
    kdf_params: KdfParams,
    encrypted_data: String,
    encryption_nonce: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KdfParams {
    mem_limit: u64,
    ops_limit: u64,
    salt: String,
}

/// Reads either export: the encrypted one is a JSON object, the plain one URI lines.
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Import> {
    let text = text(bytes, Format::Ente)?;
    if text.trim_start().starts_with('{') {
        return read_encrypted(text, password);
    }
    let mut import = Import::new(Format::Ente, false);
    read_codes(text, &mut import);
    Ok(import)
}

fn read_encrypted(text: &str, password: Option<&str>) -> Result<Import> {
    let file: Encrypted = serde_json::from_str(text).map_err(|e| malformed(Format::Ente, e))?;
    if let Some(version) = file.version
        && version != 1
    {
        return Err(Error::BackupUnsupported {
            format: Format::Ente.app_name(),
            what: format!("export version {version} (made by a newer Ente Auth?)"),
        });
    }
    let base64 = |value: &str, what: &str| {
        STANDARD
            .decode(value.trim())
            .map_err(|_| malformed(Format::Ente, format!("{what} is not base64")))
    };
    let salt = base64(&file.kdf_params.salt, "the salt")?;
    if salt.len() != SALT_BYTES {
        return Err(malformed(Format::Ente, "the salt is not 16 bytes"));
    }
    let header: secretstream::Header = base64(&file.encryption_nonce, "encryptionNonce")?
        .as_slice()
        .try_into()
        .map_err(|_| malformed(Format::Ente, "encryptionNonce is not 24 bytes"))?;
    let data = base64(&file.encrypted_data, "encryptedData")?;
    if data.len() < ABYTES {
        return Err(malformed(Format::Ente, "the encrypted data is truncated"));
    }
    let password = require(password, Format::Ente)?;
    // libsodium's crypto_pwhash takes opslimit as an unsigned long long; a value beyond u32 is
    // far past any bound and is refused by `argon2id` as such.
    let passes = u32::try_from(file.kdf_params.ops_limit).unwrap_or(u32::MAX);
    let key = crypto::argon2id(
        password.as_bytes(),
        &salt,
        file.kdf_params.mem_limit,
        passes,
        1,
        Format::Ente,
    )?;
    let plain = open(&key, &header, &data)?;
    let text = std::str::from_utf8(&plain)
        .map_err(|_| malformed(Format::Ente, "the decrypted export is not UTF-8 text"))?;
    let mut import = Import::new(Format::Ente, true);
    read_codes(text, &mut import);
    Ok(import)
}

/// Pulls the one message of a secretstream. Any authentication failure is a wrong password
/// or a damaged file.
fn open(key: &[u8; 32], header: &secretstream::Header, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let mut state = secretstream::State::new();
    secretstream::crypto_secretstream_xchacha20poly1305_init_pull(&mut state, header, key);
    let mut message = Zeroizing::new(vec![0u8; data.len().saturating_sub(ABYTES)]);
    let mut tag = 0u8;
    let length = secretstream::crypto_secretstream_xchacha20poly1305_pull(
        &mut state,
        &mut message,
        &mut tag,
        data,
        None,
    )
    .map_err(|_| crypto::wrong_password(Format::Ente))?;
    // Current Ente (ente_crypto_dart) saves one MESSAGE chunk; older Ente Auth
    // (flutter_sodium) tagged its one chunk FINAL. PUSH and REKEY never come out of Ente.
    if tag != TAG_MESSAGE && tag != TAG_FINAL {
        return Err(malformed(
            Format::Ente,
            format!("unexpected secretstream tag {tag}"),
        ));
    }
    message.truncate(length);
    Ok(message)
}

/// The codes of the plain text export (also the decrypted content of the encrypted one): one
/// otpauth URI per line, with Ente's `codeDisplay` parameter.
fn read_codes(text: &str, import: &mut Import) {
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = normalise(&unquoted(line.trim()));
        if line.is_empty() {
            continue;
        }
        if is_trashed(&line) {
            let name = match uri::account(&line) {
                Ok(account) => format!("{} (line {number})", account.label()),
                Err(_) => format!("line {number}"),
            };
            import.skipped.push(Skipped::new(name, TRASHED));
            continue;
        }
        uris::read_line(&line, number, import);
    }
}

/// A line written as a JSON string (`"otpauth://…"`, as an early automatic local backup of
/// Ente wrote its lines) as the string it holds; any other line as it is.
fn unquoted(line: &str) -> Zeroizing<String> {
    if line.len() >= 2
        && line.starts_with('"')
        && line.ends_with('"')
        && let Ok(inner) = serde_json::from_str::<String>(line)
    {
        return Zeroizing::new(inner);
    }
    Zeroizing::new(line.to_owned())
}

/// Undoes two quirks of Ente's lines: a `#` is part of the name (Ente writes account names
/// with `#` unencoded), never a fragment; `algorithm=Algorithm.sha256` is an old Dart
/// `toString` of `sha256`.
fn normalise(line: &str) -> Zeroizing<String> {
    let mut line = Zeroizing::new(line.replace('#', "%23"));
    const DART: &str = "algorithm=algorithm.";
    let lower = Zeroizing::new(line.to_ascii_lowercase());
    let found = lower.match_indices(DART).find(|(at, _)| {
        at.checked_sub(1)
            .and_then(|before| lower.as_bytes().get(before))
            .is_some_and(|byte| matches!(byte, b'?' | b'&'))
    });
    if let Some((at, _)) = found {
        // ASCII lower-casing keeps byte offsets.
        let start = at + "algorithm=".len();
        line.replace_range(start..start + "algorithm.".len(), "");
    }
    line
}

/// Whether the line's `codeDisplay` (form-encoded JSON) says `"trashed": true`.
fn is_trashed(line: &str) -> bool {
    let Some((_, query)) = line.split_once('?') else {
        return false;
    };
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| key.eq_ignore_ascii_case("codeDisplay"))
        .and_then(|(_, value)| otpauth::decode(&value.replace('+', " "), "codeDisplay").ok())
        .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok())
        .is_some_and(|display| {
            display.get("trashed").and_then(serde_json::Value::as_bool) == Some(true)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OtpKind;
    use crate::error::Code;

    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    fn line(label: &str, display: &str) -> String {
        format!(
            "otpauth://totp/{label}?secret={SECRET}&issuer=Ente&codeDisplay={}",
            display
                .replace('{', "%7B")
                .replace('}', "%7D")
                .replace('"', "%22")
                .replace(':', "%3A")
                .replace(',', "%2C")
        )
    }

    #[test]
    fn trashed_codes_are_skipped_and_named() {
        let text = [
            line("Ente:kept", r#"{"trashed":false,"pinned":true}"#),
            line("Ente:binned", r#"{"pinned":false,"trashed":true}"#),
            line("Ente:no-display", "{}"),
        ]
        .join("\n");
        let import = read(text.as_bytes(), None).unwrap();
        let names: Vec<&str> = import
            .entries
            .iter()
            .map(|e| e.account.name.as_str())
            .collect();
        assert_eq!(names, ["kept", "no-display"]);
        assert_eq!(import.skipped.len(), 1);
        assert_eq!(import.skipped[0].name, "Ente: binned (line 2)");
        assert_eq!(import.skipped[0].reason, TRASHED);
        assert!(!import.encrypted);
    }

    #[test]
    fn lines_written_as_json_strings_are_read() {
        let text =
            format!("\"otpauth://totp/Ente:quoted?secret={SECRET}&issuer=Ente\"\n\"not a uri\"");
        let import = read(text.as_bytes(), None).unwrap();
        assert_eq!(import.entries.len(), 1);
        assert_eq!(import.entries[0].account.name, "quoted");
        assert_eq!(import.skipped.len(), 1, "{:?}", import.skipped);
    }

    #[test]
    fn hash_in_names_and_dart_algorithm_names_are_read() {
        let text = format!(
            "otpauth://totp/Bank:team#2?secret={SECRET}&algorithm=Algorithm.sha256&digits=8&codeDisplay=%7B%7D\n\
             otpauth://steam/Steam:player?secret={SECRET}"
        );
        let import = read(text.as_bytes(), None).unwrap();
        assert_eq!(import.skipped, []);
        let first = &import.entries[0].account;
        assert_eq!(first.name, "team#2");
        assert_eq!(first.algorithm, crate::Algorithm::Sha256);
        assert_eq!(first.digits, 8);
        let steam = &import.entries[1].account;
        assert_eq!(steam.kind, OtpKind::Steam);
        assert_eq!(steam.digits, 5);
    }

    fn encrypted(mem_limit: u64, ops_limit: u64) -> String {
        format!(
            r#"{{"version":1,"kdfParams":{{"memLimit":{mem_limit},"opsLimit":{ops_limit},"salt":"{}"}},"encryptedData":"{}","encryptionNonce":"{}"}}"#,
            STANDARD.encode([7u8; 16]),
            STANDARD.encode([1u8; 64]),
            STANDARD.encode([2u8; 24]),
        )
    }

    #[test]
    fn hostile_argon2_parameters_are_refused_before_any_work() {
        // 1 TiB, 2^62 bytes and 256 MiB × 2^40 passes: refused at once (no allocation, which
        // would abort the test process, and no hour-long hash).
        for (mem, ops) in [(1 << 40, 4), (1 << 62, 1), (1 << 28, 1 << 40), (1 << 30, 8)] {
            let started = std::time::Instant::now();
            let error = read(encrypted(mem, ops).as_bytes(), Some("pw")).unwrap_err();
            assert_eq!(
                error.code(),
                Code::BackupUnsupported,
                "{mem}/{ops}: {error}"
            );
            assert!(started.elapsed().as_secs() < 1);
        }
    }

    #[test]
    fn encrypted_export_needs_a_password_and_a_right_one() {
        let file = encrypted(8192, 1);
        let error = read(file.as_bytes(), None).unwrap_err();
        assert_eq!(error.code(), Code::BackupPasswordRequired);
        // Random bytes never authenticate.
        let error = read(file.as_bytes(), Some("pw")).unwrap_err();
        assert_eq!(error.code(), Code::BackupWrongPassword);
        // A newer export version is not guessed at.
        let newer = file.replace(r#""version":1"#, r#""version":2"#);
        let error = read(newer.as_bytes(), Some("pw")).unwrap_err();
        assert_eq!(error.code(), Code::BackupUnsupported);
    }

    #[test]
    fn a_stream_written_by_dryoc_is_read() {
        let password = "sandi rahasia";
        let salt = [9u8; 16];
        let key = crypto::argon2id(password.as_bytes(), &salt, 8192, 1, 1, Format::Ente).unwrap();
        let plain = format!("otpauth://totp/Ente:pushed?secret={SECRET}&issuer=Ente\n");
        let mut state = secretstream::State::new();
        let mut header = secretstream::Header::default();
        secretstream::crypto_secretstream_xchacha20poly1305_init_push(
            &mut state,
            &mut header,
            &key,
        );
        for tag in [TAG_MESSAGE, TAG_FINAL] {
            let mut state = state.clone();
            let mut data = vec![0u8; plain.len() + ABYTES];
            secretstream::crypto_secretstream_xchacha20poly1305_push(
                &mut state,
                &mut data,
                plain.as_bytes(),
                None,
                tag,
            )
            .unwrap();
            let file = format!(
                r#"{{"version":1,"kdfParams":{{"memLimit":8192,"opsLimit":1,"salt":"{}"}},"encryptedData":"{}","encryptionNonce":"{}"}}"#,
                STANDARD.encode(salt),
                STANDARD.encode(&data),
                STANDARD.encode(header),
            );
            let import = read(file.as_bytes(), Some(password)).unwrap();
            assert!(import.encrypted);
            assert_eq!(import.entries[0].account.name, "pushed");
        }
    }
}
