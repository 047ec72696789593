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
    otpauth::parse(&as_held(uri))
        .map(|parsed| parsed.account)
        .map_err(|e| e.to_string())
}

/// A URI another app held, as that app read it:
/// - backup writers form-encode query values (Proton's `url`, Ente's Dart `Uri`, 2FAS links):
///   a `+` in the `issuer` value is a space there, and a literal plus is `%2B`; scanned QR
///   codes keep RFC 3986 (`otpauth::parse`), where `+` is a plus;
/// - a base32 `secret` whose last character completes no byte loses it
///   ([`Secret::from_base32_held`]);
/// - an HOTP URI without a `counter` starts at 0 (Ente writes them so, and reads them so).
fn as_held(uri: &str) -> String {
    let Some((head, query)) = uri.split_once('?') else {
        return uri.to_owned();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) if key.eq_ignore_ascii_case("issuer") => {
                format!("{key}={}", value.replace('+', "%20"))
            }
            Some((key, value)) if key.eq_ignore_ascii_case("secret") => {
                format!("{key}={}", whole_bytes(value))
            }
            _ => pair.to_owned(),
        })
        .collect();
    let hotp = head.to_ascii_lowercase().starts_with("otpauth://hotp/");
    let counted = query.iter().any(|pair| {
        pair.split('=')
            .next()
            .is_some_and(|key| key.eq_ignore_ascii_case("counter"))
    });
    let counter = if hotp && !counted { "&counter=0" } else { "" };
    format!("{head}?{}{counter}", query.join("&"))
}

/// A base32 secret another app held (any case, spaces, dashes, `=` padding, a last character
/// that completes no byte: [`Secret::from_base32_held`]), at least
/// [`otpauth::MIN_SECRET_BITS`] long; the error is a reason sentence.
pub fn secret_base32(text: &str) -> Result<Secret, String> {
    let secret = Secret::from_base32_held(text).map_err(|e| e.to_string())?;
    check_bits(secret)
}

/// A secret from raw bytes, at least [`otpauth::MIN_SECRET_BITS`] long.
pub fn check_bits(secret: Secret) -> Result<Secret, String> {
    let mut warnings = Vec::new();
    otpauth::check_secret_bits(&secret, &mut warnings).map_err(|e| e.to_string())?;
    Ok(secret)
}

/// A base32 secret as given, without a last letter that completes no byte (1, 3 or 6 letters
/// past a multiple of 8, spaces, dashes and padding not counted; a percent-encoded one is
/// left as it is).
fn whole_bytes(secret: &str) -> &str {
    if secret.contains('%') {
        return secret;
    }
    let letters = secret.chars().filter(char::is_ascii_alphanumeric).count();
    if letters > 1 && matches!(letters % 8, 1 | 3 | 6) {
        let last = secret
            .rfind(|c: char| c.is_ascii_alphanumeric())
            .unwrap_or(secret.len());
        // The letter and whatever follows it (padding).
        &secret[..last]
    } else {
        secret
    }
}

/// `text` without its `scheme` prefix (any case).
pub fn strip_scheme<'a>(text: &'a str, scheme: &str) -> Option<&'a str> {
    text.get(..scheme.len())
        .filter(|start| start.eq_ignore_ascii_case(scheme))
        .and_then(|_| text.get(scheme.len()..))
}

/// "issuer: name" for a skipped entry, or the name alone.
pub fn label(issuer: &str, name: &str) -> String {
    match (issuer.trim(), name.trim()) {
        ("", name) => name.to_owned(),
        (issuer, "") => issuer.to_owned(),
        (issuer, name) => format!("{issuer}: {name}"),
    }
}
