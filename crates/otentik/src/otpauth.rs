//! The Key URI format: `otpauth://TYPE/ISSUER:ACCOUNT?secret=…&issuer=…&…`.
//!
//! Lenient where real sites are sloppy (secret case, spaces, dashes, padding; `%3A` or `:`
//! between issuer and account; 80-bit secrets), strict where it matters (type, algorithm,
//! digits, period, counter). Percent-decoding is plain RFC 3986: a `+` stays a `+` (backup
//! files, whose writers form-encode, are read with `+` as a space by `backup`).
//! `otpauth://steam/…` is a Steam Guard account.
//! Google Authenticator exports (`otpauth-migration://`) are handled by [`parse_any`].

use std::collections::HashMap;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::account::{Account, Algorithm, OtpKind, PushInvite};
use crate::error::{Error, Result};
use crate::secret::Secret;

mod warning;

pub use warning::{Warning, WarningCode};

/// Scheme of a single account URI.
pub const SCHEME: &str = "otpauth";
/// Scheme of a Google Authenticator export.
pub const MIGRATION_SCHEME: &str = "otpauth-migration";

/// Below this many bits a secret is refused.
pub const MIN_SECRET_BITS: usize = 80;
/// Below this many bits a secret is accepted with a warning (RFC 4226 §4 asks for 128).
pub const RECOMMENDED_SECRET_BITS: usize = 128;

/// A parsed account and what was odd about its URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The account.
    pub account: Account,
    /// Things that were accepted but deserve the user's attention (a code and an English
    /// sentence each).
    pub warnings: Vec<Warning>,
}

/// Characters kept as they are in labels and parameter values: RFC 3986 unreserved.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Parses one `otpauth://` URI.
pub fn parse(uri: &str) -> Result<Parsed> {
    let uri = uri.trim();
    let (scheme, rest) = split_scheme(uri)?;
    if !scheme.eq_ignore_ascii_case(SCHEME) {
        return Err(Error::WrongScheme {
            found: scheme.to_owned(),
        });
    }
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (kind_text, raw_label) = path.split_once('/').unwrap_or((path, ""));
    let kind = match kind_text.to_ascii_lowercase().as_str() {
        "totp" => OtpKind::Totp,
        "hotp" => OtpKind::Hotp,
        "steam" => OtpKind::Steam,
        "" => {
            return Err(Error::MalformedUri {
                reason:
                    "no type after 'otpauth://': expected 'otpauth://totp/…' or 'otpauth://hotp/…'"
                        .to_owned(),
            });
        }
        _ => {
            return Err(Error::UnsupportedType {
                found: shorten(kind_text),
            });
        }
    };
    let params = parse_query(query)?;
    let mut warnings = Vec::new();

    let (label_issuer, name) = split_label(raw_label)?;
    let issuer = match params.get("issuer") {
        Some(raw) => {
            let issuer = decode(raw, "parameter 'issuer'")?.trim().to_owned();
            if let Some(prefix) = &label_issuer
                && !prefix.is_empty()
                && !issuer.is_empty()
                && !prefix.eq_ignore_ascii_case(&issuer)
            {
                warnings.push(Warning::IssuerMismatch {
                    issuer: issuer.clone(),
                    prefix: prefix.clone(),
                });
            }
            if issuer.is_empty() {
                label_issuer.unwrap_or_default()
            } else {
                issuer
            }
        }
        None => label_issuer.unwrap_or_default(),
    };
    if name.is_empty() {
        return Err(Error::EmptyAccountName);
    }

    let secret_text = params.get("secret").ok_or(Error::MissingParameter {
        name: "secret",
        hint: "",
    })?;
    let secret = Secret::from_base32(&decode(secret_text, "parameter 'secret'")?)?;
    check_secret_bits(&secret, &mut warnings)?;

    // Steam Guard is always HMAC-SHA1 and 5 characters, whatever the URI says.
    let algorithm = match (kind, params.get("algorithm")) {
        (OtpKind::Steam, _) | (_, None) => Algorithm::Sha1,
        (_, Some(raw)) => parse_algorithm(&decode(raw, "parameter 'algorithm'")?)?,
    };
    let digits = match (kind, params.get("digits")) {
        (OtpKind::Steam, _) => Account::STEAM_DIGITS,
        (_, Some(raw)) => parse_digits(raw)?,
        (_, None) => Account::DEFAULT_DIGITS,
    };
    // HOTP has no period: one given anyway is ignored, so formatting round-trips.
    let period = match (kind, params.get("period")) {
        (OtpKind::Totp | OtpKind::Steam, Some(raw)) => parse_period(raw)?,
        _ => Account::DEFAULT_PERIOD,
    };
    let counter = match (kind, params.get("counter")) {
        (OtpKind::Hotp, None) => {
            return Err(Error::MissingParameter {
                name: "counter",
                hint: " (required for HOTP)",
            });
        }
        (OtpKind::Hotp, Some(raw)) => parse_counter(raw)?,
        (OtpKind::Totp | OtpKind::Steam, _) => 0,
    };
    let push = parse_push(
        params.get("push_url"),
        params.get("push_token"),
        params.get("push_key"),
    )?;

    Ok(Parsed {
        account: Account {
            kind,
            issuer,
            name,
            algorithm,
            digits,
            period,
            counter,
            secret,
            push,
        },
        warnings,
    })
}

/// Parses an `otpauth://` URI (one account) or an `otpauth-migration://` export (every
/// account it holds). Accounts of an export that cannot be used are reported as warnings on
/// the first account, so nothing is dropped silently.
pub fn parse_any(text: &str) -> Result<Vec<Parsed>> {
    let text = text.trim();
    let (scheme, _) = split_scheme(text)?;
    if scheme.eq_ignore_ascii_case(MIGRATION_SCHEME) {
        let export = crate::migration::parse(text)?;
        let mut accounts = export.accounts;
        let mut notes = export.skipped;
        if export.batch_size > 1 {
            notes.push(Warning::ExportPart {
                part: usize::try_from(export.batch_index).unwrap_or(0) + 1,
                of: usize::try_from(export.batch_size).unwrap_or(0),
            });
        }
        if let Some(first) = accounts.first_mut() {
            first.warnings.extend(notes);
        }
        Ok(accounts)
    } else {
        parse(text).map(|parsed| vec![parsed])
    }
}

/// Formats an account as an `otpauth://` URI that [`parse`] turns back into the same account.
///
/// The result contains the secret: show it only where the user asked for it (export, the
/// "move to another device" QR).
pub fn format(account: &Account) -> String {
    let mut uri = format!("{SCHEME}://{}/", account.kind.as_str());
    if !account.issuer.is_empty() || account.name.contains(':') {
        uri.push_str(&encode(&account.issuer));
        uri.push(':');
    }
    uri.push_str(&encode(&account.name));
    uri.push_str("?secret=");
    uri.push_str(&account.secret.to_base32());
    if !account.issuer.is_empty() {
        uri.push_str("&issuer=");
        uri.push_str(&encode(&account.issuer));
    }
    uri.push_str(&format!(
        "&algorithm={}&digits={}",
        account.algorithm.as_str(),
        account.digits
    ));
    match account.kind {
        OtpKind::Totp | OtpKind::Steam => uri.push_str(&format!("&period={}", account.period)),
        OtpKind::Hotp => uri.push_str(&format!("&counter={}", account.counter)),
    }
    if let Some(push) = &account.push {
        uri.push_str("&push_url=");
        uri.push_str(&encode(&push.url));
        uri.push_str("&push_token=");
        uri.push_str(&encode(&push.token));
        if let Some(key) = &push.key {
            uri.push_str("&push_key=");
            uri.push_str(&encode(key));
        }
    }
    uri
}

/// Formats accounts as a Google Authenticator export URI (`otpauth-migration://`), batch
/// `batch_index` (0-based) of `batch_size`. Contains the secrets, like [`format()`].
/// Accounts that Google Authenticator cannot hold ([`google_can_hold`]) are left out.
pub fn format_migration(accounts: &[Account], batch_index: i32, batch_size: i32) -> String {
    crate::migration::encode(accounts, batch_index, batch_size, 1)
}

/// [`format_migration`] with the export's `batch_id`, the same on every batch of one export
/// so that a reader can tell the batches of two exports apart.
pub fn format_migration_batch(
    accounts: &[Account],
    batch_index: i32,
    batch_size: i32,
    batch_id: i32,
) -> String {
    crate::migration::encode(accounts, batch_index, batch_size, batch_id)
}

/// Whether a Google Authenticator export can carry `account` (TOTP with 30 s steps or HOTP;
/// 6 or 8 digits; not Steam).
pub fn google_can_hold(account: &Account) -> bool {
    crate::migration::google_can_hold(account)
}

/// Percent-encodes a label part or parameter value (RFC 3986 unreserved characters stay).
pub(crate) fn encode(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// Splits `scheme://rest`. A text without a valid scheme is reported without echoing it
/// back: it may be a pasted secret.
fn split_scheme(text: &str) -> Result<(&str, &str)> {
    let no_scheme = || Error::WrongScheme {
        found: "text without a URI scheme".to_owned(),
    };
    let (scheme, rest) = text.split_once(':').ok_or_else(no_scheme)?;
    let valid = scheme.len() <= 32
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !valid {
        return Err(no_scheme());
    }
    match rest.strip_prefix("//") {
        Some(rest) => Ok((scheme, rest)),
        None if scheme.eq_ignore_ascii_case(SCHEME)
            || scheme.eq_ignore_ascii_case(MIGRATION_SCHEME) =>
        {
            Err(Error::MalformedUri {
                reason: format!("'{scheme}:' must be followed by '//'"),
            })
        }
        None => Err(Error::WrongScheme {
            found: scheme.to_owned(),
        }),
    }
}

/// Splits the raw (still encoded) label into an optional issuer prefix and the account name.
/// A literal `:` wins over an encoded `%3A`, so names that contain a colon round-trip.
fn split_label(raw: &str) -> Result<(Option<String>, String)> {
    let split = raw.split_once(':').or_else(|| {
        let lower = raw.to_ascii_lowercase();
        lower.find("%3a").map(|at| (&raw[..at], &raw[at + 3..]))
    });
    match split {
        Some((prefix, name)) => {
            let prefix = decode(prefix, "the label")?.trim().to_owned();
            let name = decode(name, "the label")?.trim().to_owned();
            Ok((Some(prefix), name))
        }
        None => Ok((None, decode(raw, "the label")?.trim().to_owned())),
    }
}

pub(crate) fn parse_query(query: &str) -> Result<HashMap<String, &str>> {
    let mut params = HashMap::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = key.to_ascii_lowercase();
        if params.contains_key(&key) {
            return Err(Error::DuplicateParameter {
                name: shorten(&key),
            });
        }
        params.insert(key, value);
    }
    Ok(params)
}

pub(crate) fn decode(raw: &str, part: &str) -> Result<String> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| Error::InvalidEncoding {
            part: part.to_owned(),
        })
}

pub(crate) fn check_secret_bits(secret: &Secret, warnings: &mut Vec<Warning>) -> Result<()> {
    let bits = secret.bits();
    if bits < MIN_SECRET_BITS {
        return Err(Error::SecretTooShort { bits });
    }
    if bits < RECOMMENDED_SECRET_BITS {
        warnings.push(Warning::ShortSecret { bits });
    }
    Ok(())
}

fn parse_algorithm(text: &str) -> Result<Algorithm> {
    text.trim()
        .parse()
        .map_err(|()| Error::UnsupportedAlgorithm {
            found: shorten(text),
        })
}

fn parse_digits(raw: &str) -> Result<u8> {
    let raw = raw.trim();
    match raw.parse::<u8>() {
        Ok(digits) if raw.len() == 1 && Account::DIGITS.contains(&digits) => Ok(digits),
        _ => Err(Error::InvalidDigits {
            found: shorten(raw),
        }),
    }
}

fn parse_period(raw: &str) -> Result<u32> {
    match raw.trim().parse::<u32>() {
        Ok(period @ 1..=3600) => Ok(period),
        _ => Err(Error::InvalidPeriod {
            found: shorten(raw),
        }),
    }
}

fn parse_counter(raw: &str) -> Result<u64> {
    raw.trim()
        .parse::<u64>()
        .map_err(|_| Error::InvalidCounter {
            found: shorten(raw),
        })
}

fn parse_push(
    url: Option<&&str>,
    token: Option<&&str>,
    key: Option<&&str>,
) -> Result<Option<PushInvite>> {
    let (url, token) = match (url, token) {
        (None, None) => return Ok(None),
        (Some(url), Some(token)) => (
            decode(url, "parameter 'push_url'")?,
            decode(token, "parameter 'push_token'")?,
        ),
        (Some(_), None) => {
            return Err(Error::InvalidPush {
                reason: "'push_url' without 'push_token'".to_owned(),
            });
        }
        (None, Some(_)) => {
            return Err(Error::InvalidPush {
                reason: "'push_token' without 'push_url'".to_owned(),
            });
        }
    };
    let parsed = url::Url::parse(&url).map_err(|e| Error::InvalidPush {
        reason: format!("'push_url' is not a URL ({e})"),
    })?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(Error::InvalidPush {
            reason: format!(
                "'push_url' must be an https:// URL, not '{}:'",
                parsed.scheme()
            ),
        });
    }
    if token.is_empty() {
        return Err(Error::InvalidPush {
            reason: "'push_token' is empty".to_owned(),
        });
    }
    let key = match key {
        None => None,
        Some(key) => {
            let key = decode(key, "parameter 'push_key'")?;
            // A SHA-256 fingerprint in unpadded base64url: 43 characters.
            if key.len() != 43
                || !key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(Error::InvalidPush {
                    reason: "'push_key' is not a key fingerprint (43 base64url characters)"
                        .to_owned(),
                });
            }
            Some(key)
        }
    };
    Ok(Some(PushInvite { url, token, key }))
}

/// Keeps echoed input short (and a pasted secret mostly out of messages).
fn shorten(text: &str) -> String {
    const MAX: usize = 24;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(MAX).collect();
        short.push('…');
        short
    }
}
