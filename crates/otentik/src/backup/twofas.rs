//! 2FAS `.2fas`: see `docs/backup.md`. Schema versions 1–4, plain and encrypted
//! (`servicesEncrypted` and `reference`: `base64(ciphertext ‖ tag):base64(salt):base64(iv)`,
//! PBKDF2-HMAC-SHA256 with 10,000 iterations, AES-256-GCM).

use serde_json::Value;
use zeroize::Zeroizing;

use super::crypto;
use super::fields::{self, Fields, Json, get, str_of, whole};
use super::{Entry, Format, Import, Skipped, malformed, require};
use crate::error::{Error, Result};

const FORMAT: Format = Format::TwoFas;
/// The newest schema Otentik reads.
const SCHEMA: u64 = 4;
/// 2FAS's PBKDF2 iteration count (fixed by the app, not stored in the file).
const ITERATIONS: u32 = 10_000;

/// Reads a 2FAS backup.
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Import> {
    let file = Json::parse(bytes, FORMAT)?;
    let root = file.value();
    if !root.is_object() {
        return Err(malformed(FORMAT, "not a JSON object"));
    }
    let schema = root
        .get("schemaVersion")
        .and_then(whole)
        .ok_or_else(|| malformed(FORMAT, "no 'schemaVersion'"))?;
    if schema > SCHEMA {
        return Err(Error::BackupUnsupported {
            format: FORMAT.app_name(),
            what: format!(
                "schema version {schema} is newer than Otentik reads (the file was made by a newer 2FAS): update Otentik"
            ),
        });
    }
    match get(root, "servicesEncrypted") {
        Some(Value::String(encrypted)) => {
            let password = require(password, FORMAT)?;
            let plaintext = decrypt(encrypted, get(root, "reference"), password)?;
            let services = Json::parse(&plaintext, FORMAT)?;
            read_services(services.value(), schema, Import::new(FORMAT, true))
        }
        Some(_) => Err(malformed(FORMAT, "'servicesEncrypted' is not text")),
        None => {
            let services = root
                .get("services")
                .ok_or_else(|| malformed(FORMAT, "no 'services'"))?;
            read_services(services, schema, Import::new(FORMAT, false))
        }
    }
}

/// One `data:salt:iv` string.
struct Sealed {
    data: Vec<u8>,
    salt: Vec<u8>,
    iv: Vec<u8>,
}

impl Sealed {
    fn parse(text: &str, what: &str) -> Result<Self> {
        let mut parts = text.split(':');
        let (Some(data), Some(salt), Some(iv), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed(
                FORMAT,
                format!("{what} is not three base64 parts separated by ':'"),
            ));
        };
        Ok(Self {
            data: fields::base64(data, FORMAT, what)?,
            salt: fields::base64(salt, FORMAT, what)?,
            iv: fields::base64(iv, FORMAT, what)?,
        })
    }
}

/// Opens `reference` first (2FAS's password check: a tag failure there is a wrong password),
/// then the services.
fn decrypt(
    services: &str,
    reference: Option<&Value>,
    password: &str,
) -> Result<Zeroizing<Vec<u8>>> {
    let services = Sealed::parse(services, "'servicesEncrypted'")?;
    let key = crypto::pbkdf2_sha256(password.as_bytes(), &services.salt, ITERATIONS, FORMAT)?;
    if let Some(reference) = reference {
        let reference = reference
            .as_str()
            .ok_or_else(|| malformed(FORMAT, "'reference' is not text"))?;
        let reference = Sealed::parse(reference, "'reference'")?;
        // 2FAS uses one salt (and key) for both; derive again only if a file differs.
        let other_key = if reference.salt == services.salt {
            None
        } else {
            Some(crypto::pbkdf2_sha256(
                password.as_bytes(),
                &reference.salt,
                ITERATIONS,
                FORMAT,
            )?)
        };
        let reference_key = other_key.as_ref().unwrap_or(&key);
        crypto::aes_gcm_open(reference_key, &reference.iv, &reference.data, &[], FORMAT)?;
    }
    crypto::aes_gcm_open(&key, &services.iv, &services.data, &[], FORMAT)
}

fn read_services(services: &Value, schema: u64, mut import: Import) -> Result<Import> {
    let services = services
        .as_array()
        .ok_or_else(|| malformed(FORMAT, "the services are not a list"))?;
    let mut ordered: Vec<(usize, &Value)> = services.iter().enumerate().collect();
    // By `order.position`; services without one keep their file order, after the others.
    ordered.sort_by_key(|(_, service)| {
        service
            .get("order")
            .and_then(|order| order.get("position"))
            .and_then(whole)
            .unwrap_or(u64::MAX)
    });
    for (index, service) in ordered {
        let otp = service.get("otp").unwrap_or(&Value::Null);
        // The service name is what the user sees (and may have renamed).
        let issuer = match str_of(service, "name").trim() {
            "" => str_of(otp, "issuer"),
            name => name,
        };
        let from_link;
        let name = match str_of(otp, "account").trim() {
            "" => match label_name(str_of(otp, "label"), schema).trim() {
                // Manual entries of 2FAS 5.x leave both empty; the `link` still names it.
                "" => {
                    from_link = link_name(str_of(otp, "link"));
                    from_link.as_str()
                }
                label => label,
            },
            account => account,
        };
        let kind = match str_of(otp, "tokenType") {
            "" => "TOTP",
            kind => kind,
        };
        let fields = Fields {
            kind,
            issuer,
            name,
            secret: get(service, "secret"),
            algorithm: get(otp, "algorithm"),
            digits: get(otp, "digits"),
            period: get(otp, "period"),
            counter: get(otp, "counter"),
        };
        match fields.account() {
            Ok(account) => import.entries.push(Entry::new(account)),
            Err(reason) => import.skipped.push(Skipped::new(
                fields.label(|| format!("service {}", index + 1)),
                reason,
            )),
        }
    }
    Ok(import)
}

/// The account name in the label of `otp.link` (an `otpauth://` URI), or nothing.
fn link_name(link: &str) -> String {
    crate::otpauth::parse(link)
        .map(|parsed| parsed.account.name)
        .unwrap_or_default()
}

/// The account name from `otp.label`: `"Issuer:Account"` up to schema 3, the bare account
/// from schema 4.
fn label_name(label: &str, schema: u64) -> &str {
    if schema >= 4 {
        return label;
    }
    label.split_once(':').map_or(label, |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;
    use crate::account::OtpKind;

    const PASSWORD: &str = "sandi 2fas";

    fn seal(key: &[u8; 32], salt: &[u8], plaintext: &[u8]) -> String {
        let iv = crypto::random::<12>();
        let sealed = crypto::aes_gcm_seal(key, &iv, plaintext).unwrap();
        format!(
            "{}:{}:{}",
            STANDARD.encode(sealed),
            STANDARD.encode(salt),
            STANDARD.encode(iv)
        )
    }

    const SERVICES: &str = r#"[
        {"name": "Later", "secret": "JBSWY3DPEHPK3PXP", "otp": {"account": "b", "tokenType": "HOTP", "counter": 7}, "order": {"position": 2}},
        {"name": "", "secret": "JBSWY3DPEHPK3PXP", "otp": {"issuer": "Fallback", "label": "Fallback:a"}, "order": {"position": 1}},
        {"name": "Unordered", "secret": "JBSWY3DPEHPK3PXP", "otp": {"tokenType": "YANDEX"}},
        {"name": "MD", "secret": "JBSWY3DPEHPK3PXP", "otp": {"algorithm": "MD5", "account": "x"}, "order": {"position": 0}},
        {"name": "GitHub", "secret": "JBSWY3DPEHPK3PXP", "otp": {"account": "", "label": "", "link": "otpauth://totp/GitHub:Test-acc?secret=JBSWY3DPEHPK3PXP&issuer=GitHub"}, "order": {"position": 3}}
    ]"#;

    fn plain(schema: u64) -> Vec<u8> {
        format!(r#"{{"services": {SERVICES}, "groups": [], "schemaVersion": {schema}}}"#)
            .into_bytes()
    }

    #[test]
    fn order_fallbacks_and_skips() {
        let import = read(&plain(3), None).unwrap();
        let labels: Vec<String> = import.entries.iter().map(|e| e.account.label()).collect();
        assert_eq!(labels, ["Fallback: a", "Later: b", "GitHub: Test-acc"]);
        assert_eq!(import.entries[1].account.kind, OtpKind::Hotp);
        assert_eq!(import.entries[1].account.counter, 7);
        let skipped: Vec<&str> = import.skipped.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(skipped, ["MD: x", "Unordered"]);
        assert!(import.skipped[0].reason.contains("MD5"));
        assert!(import.skipped[1].reason.contains("Yandex"));
        // Schema 4: the label is the bare account.
        let import = read(&plain(4), None).unwrap();
        assert_eq!(import.entries[0].account.name, "Fallback:a");
        let error = read(&plain(5), None).unwrap_err();
        assert!(matches!(error, Error::BackupUnsupported { .. }), "{error}");
    }

    #[test]
    fn encrypted_with_reference() {
        let salt = crypto::random::<256>();
        let key = crypto::pbkdf2_sha256(PASSWORD.as_bytes(), &salt, ITERATIONS, FORMAT).unwrap();
        let file = serde_json::json!({
            "services": [],
            "schemaVersion": 4,
            "servicesEncrypted": seal(&key, &salt, SERVICES.as_bytes()),
            "reference": seal(&key, &salt, "x".repeat(256).as_bytes()),
        });
        let bytes = serde_json::to_vec(&file).unwrap();
        assert!(super::super::is_encrypted(&bytes, FORMAT));
        let import = read(&bytes, Some(PASSWORD)).unwrap();
        assert!(import.encrypted);
        assert_eq!(import.entries.len(), 3);
        let error = read(&bytes, Some("sandi 2FAS")).unwrap_err();
        assert!(
            matches!(error, Error::BackupWrongPassword { .. }),
            "{error}"
        );

        // A reference made with another key: the password check fails first.
        let other = crypto::pbkdf2_sha256(b"other", &salt, ITERATIONS, FORMAT).unwrap();
        let mut file = file;
        file["reference"] = seal(&other, &salt, b"reference").into();
        let error = read(&serde_json::to_vec(&file).unwrap(), Some(PASSWORD)).unwrap_err();
        assert!(
            matches!(error, Error::BackupWrongPassword { .. }),
            "{error}"
        );

        file["servicesEncrypted"] = "abc:def".into();
        let error = read(&serde_json::to_vec(&file).unwrap(), Some(PASSWORD)).unwrap_err();
        assert!(matches!(error, Error::BackupMalformed { .. }), "{error}");
    }
}
