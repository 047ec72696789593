//! `otpauth://` URIs inside backups: the rules of `docs/backup.md` ("otpauth URIs inside
//! backups") on top of [`crate::otpauth::parse`], with skip reasons instead of errors.

use crate::account::Account;
use crate::otpauth;
use crate::secret::Secret;

/// Reason for Yandex entries.
pub const YANDEX: &str = "Yandex OTP (a PIN and Yandex's own algorithm) is not supported";
/// Reason for mOTP entries.
pub const MOTP: &str = "mOTP (MD5 of time, secret and PIN) is not supported";

/// One URI as an account, or the reason it is skipped (a sentence, never the secret).
pub fn account(uri: &str) -> Result<Account, String> {
    let uri = uri.trim();
    let lower = uri.to_ascii_lowercase();
    if lower.starts_with("motp://") {
        return Err(MOTP.to_owned());
    }
    if lower.starts_with("otpauth://yaotp/") || lower.starts_with("otpauth://yandex/") {
        return Err(YANDEX.to_owned());
    }
    otpauth::parse(&issuer_plus_as_space(uri))
        .map(|parsed| parsed.account)
        .map_err(|e| e.to_string())
}

/// Backup writers form-encode query values (Proton's `url`, Ente's Dart `Uri`, 2FAS links):
/// a `+` in the `issuer` value is a space there, and a literal plus is `%2B`. Scanned QR codes
/// keep RFC 3986 (`otpauth::parse`), where `+` is a plus.
fn issuer_plus_as_space(uri: &str) -> String {
    let Some((head, query)) = uri.split_once('?') else {
        return uri.to_owned();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) if key.eq_ignore_ascii_case("issuer") => {
                format!("{key}={}", value.replace('+', "%20"))
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{head}?{}", query.join("&"))
}

/// A base32 secret (any case, spaces, dashes, `=` padding), at least
/// [`otpauth::MIN_SECRET_BITS`] long; the error is a reason sentence.
pub fn secret_base32(text: &str) -> Result<Secret, String> {
    let secret = Secret::from_base32(text).map_err(|e| e.to_string())?;
    check_bits(secret)
}

/// A secret from raw bytes, at least [`otpauth::MIN_SECRET_BITS`] long.
pub fn check_bits(secret: Secret) -> Result<Secret, String> {
    let mut warnings = Vec::new();
    otpauth::check_secret_bits(&secret, &mut warnings).map_err(|e| e.to_string())?;
    Ok(secret)
}

/// "issuer: name" for a skipped entry, or the name alone.
pub fn label(issuer: &str, name: &str) -> String {
    match (issuer.trim(), name.trim()) {
        ("", name) => name.to_owned(),
        (issuer, "") => issuer.to_owned(),
        (issuer, name) => format!("{issuer}: {name}"),
    }
}
