//! What the JSON formats share (Aegis, 2FAS, andOTP): a parsed file whose strings are wiped
//! when it is dropped, and an entry's fields (type, algorithm, digits, period, counter, base32
//! secret) turned into an [`Account`] or a skip reason (`docs/backup.md`, "Common rules").

use serde_json::Value;
use zeroize::Zeroize as _;

use super::{Format, malformed, text, uri};
use crate::account::{Account, Algorithm, OtpKind};
use crate::error::{Error, Result};

/// A parsed JSON document that holds secrets: every string in it is zeroed on drop.
pub(crate) struct Json(Value);

impl Json {
    /// Parses `bytes` (UTF-8, an optional byte-order mark) as JSON of `format`.
    pub(crate) fn parse(bytes: &[u8], format: Format) -> Result<Self> {
        serde_json::from_str(text(bytes, format)?)
            .map(Self)
            .map_err(|e| malformed(format, e))
    }

    /// The document.
    pub(crate) fn value(&self) -> &Value {
        &self.0
    }
}

impl Drop for Json {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// Zeroes every string of `value` (serde_json bounds the nesting depth, so the recursion is
/// bounded too).
fn wipe(value: &mut Value) {
    match value {
        Value::String(text) => text.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => map.values_mut().for_each(wipe),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// `object[key]` as text, or `""` when absent or not text.
pub(crate) fn str_of<'a>(object: &'a Value, key: &str) -> &'a str {
    object.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `object[key]`, `None` when absent or `null`.
pub(crate) fn get<'a>(object: &'a Value, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|value| !value.is_null())
}

/// A whole non-negative number, also when written as text (`"6"`).
pub(crate) fn whole(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Standard base64 (padding optional, line breaks ignored) of `what`, a part of a `format`
/// file.
pub(crate) fn base64(text: &str, format: Format, what: &str) -> Result<Vec<u8>> {
    use ::base64::Engine as _;
    use ::base64::engine::DecodePaddingMode;
    use ::base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &::base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    LENIENT
        .decode(compact)
        .map_err(|_| malformed(format, format!("{what} is not valid base64")))
}

/// The fields of one entry, as the file stores them (`None`: absent, the default applies).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Fields<'a> {
    /// The OTP type as the file names it: `totp`, `HOTP`, `steam`, `yandex`, … (any case).
    pub kind: &'a str,
    /// The issuer.
    pub issuer: &'a str,
    /// The account name.
    pub name: &'a str,
    /// The base32 secret.
    pub secret: Option<&'a Value>,
    /// `SHA1`, `SHA256`, `SHA512` (any case); default SHA1.
    pub algorithm: Option<&'a Value>,
    /// 6 to 8; default 6 (always 5 for Steam).
    pub digits: Option<&'a Value>,
    /// Seconds, 1 to 3600; default 30 (unused for HOTP).
    pub period: Option<&'a Value>,
    /// The HOTP counter; default 0.
    pub counter: Option<&'a Value>,
}

impl Fields<'_> {
    /// "issuer: name" for a skipped entry, or `fallback` when the entry has neither.
    pub(crate) fn label(&self, fallback: impl FnOnce() -> String) -> String {
        let label = uri::label(self.issuer, self.name);
        if label.is_empty() { fallback() } else { label }
    }

    /// The account, or why the entry is skipped (a sentence that never holds the secret).
    pub(crate) fn account(&self) -> Result<Account, String> {
        let kind = kind(self.kind)?;
        let algorithm = match (kind, self.algorithm) {
            (OtpKind::Steam, _) | (_, None) => Algorithm::Sha1,
            (_, Some(value)) => algorithm(value)?,
        };
        let digits = match (kind, self.digits) {
            (OtpKind::Steam, _) => Account::STEAM_DIGITS,
            (_, None) => Account::DEFAULT_DIGITS,
            (_, Some(value)) => match whole(value)
                .and_then(|digits| u8::try_from(digits).ok())
                .filter(|digits| Account::DIGITS.contains(digits))
            {
                Some(digits) => digits,
                None => {
                    return Err(Error::InvalidDigits {
                        found: shown(value),
                    }
                    .to_string());
                }
            },
        };
        let period = match (kind, self.period) {
            (OtpKind::Hotp, _) | (_, None) => Account::DEFAULT_PERIOD,
            (_, Some(value)) => match whole(value) {
                Some(period @ 1..=3600) => period as u32,
                _ => {
                    return Err(format!(
                        "invalid period {}: expected whole seconds from 1 to 3600",
                        shown(value)
                    ));
                }
            },
        };
        let counter = match (kind, self.counter) {
            (OtpKind::Hotp, Some(value)) => whole(value).ok_or_else(|| {
                format!("invalid counter {}: expected a whole number", shown(value))
            })?,
            _ => 0,
        };
        let secret = match self.secret {
            Some(Value::String(text)) => uri::secret_base32(text)?,
            Some(_) => return Err("the secret is not text".to_owned()),
            None => return Err("the entry has no secret".to_owned()),
        };
        // An account needs a name; apps allow entries with only an issuer (2FAS's manual
        // entries have `account: ""`): the issuer then names it, as in the other readers.
        let issuer = self.issuer.trim();
        let name = match self.name.trim() {
            "" if issuer.is_empty() => return Err("the entry has no name".to_owned()),
            "" => issuer,
            name => name,
        };
        Ok(Account {
            kind,
            issuer: issuer.to_owned(),
            name: name.to_owned(),
            algorithm,
            digits,
            period,
            counter,
            secret,
            push: None,
        })
    }
}

/// Reason for HMAC-MD5 entries.
pub(crate) const MD5: &str = "HMAC-MD5 is not supported by any standard authenticator";

fn kind(text: &str) -> Result<OtpKind, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "totp" => Ok(OtpKind::Totp),
        "hotp" => Ok(OtpKind::Hotp),
        "steam" => Ok(OtpKind::Steam),
        "yandex" | "yaotp" => Err(uri::YANDEX.to_owned()),
        "motp" => Err(uri::MOTP.to_owned()),
        "" => Err("the entry has no OTP type".to_owned()),
        _ => Err(format!(
            "unknown OTP type '{}': expected TOTP, HOTP or Steam",
            short(text.trim())
        )),
    }
}

fn algorithm(value: &Value) -> Result<Algorithm, String> {
    let text = value.as_str().unwrap_or("").trim();
    if text.eq_ignore_ascii_case("md5") || text.eq_ignore_ascii_case("hmac-md5") {
        return Err(MD5.to_owned());
    }
    text.parse().map_err(|()| {
        format!(
            "unsupported algorithm {}: expected SHA1, SHA256 or SHA512",
            shown(value)
        )
    })
}

/// A short rendering of a (non-secret) value for a reason.
fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => format!("'{}'", short(text)),
        Value::Number(number) => short(&number.to_string()),
        Value::Bool(flag) => flag.to_string(),
        Value::Null => "null".to_owned(),
        Value::Array(_) => "(a list)".to_owned(),
        Value::Object(_) => "(an object)".to_owned(),
    }
}

fn short(text: &str) -> String {
    const MAX: usize = 24;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(MAX).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(value: &Value) -> Fields<'_> {
        Fields {
            kind: str_of(value, "type"),
            issuer: str_of(value, "issuer"),
            name: str_of(value, "name"),
            secret: get(value, "secret"),
            algorithm: get(value, "algo"),
            digits: get(value, "digits"),
            period: get(value, "period"),
            counter: get(value, "counter"),
        }
    }

    #[test]
    fn defaults_and_steam() {
        let value = json!({"type": "TOTP", "name": " a ", "secret": "jbsw y3dp ehpk 3pxp"});
        let account = fields(&value).account().unwrap();
        assert_eq!(
            (account.digits, account.period, account.counter),
            (6, 30, 0)
        );
        assert_eq!(account.name, "a");
        // An entry with only an issuer is named by it (2FAS's manual entries); with neither, it
        // is skipped.
        let value = json!({"type": "steam", "issuer": "Steam", "secret": "JBSWY3DPEHPK3PXP", "digits": 6, "algo": "SHA512"});
        let account = fields(&value).account().unwrap();
        assert_eq!(account.kind, OtpKind::Steam);
        assert_eq!((account.digits, account.algorithm), (5, Algorithm::Sha1));
        assert_eq!(account.name, "Steam");
        let value = json!({"type": "totp", "secret": "JBSWY3DPEHPK3PXP"});
        assert_eq!(
            fields(&value).account().unwrap_err(),
            "the entry has no name"
        );
    }

    #[test]
    fn reasons_name_the_kind_and_never_the_secret() {
        let cases = [
            (
                json!({"type": "yandex", "secret": "JBSWY3DPEHPK3PXP"}),
                "Yandex",
            ),
            (
                json!({"type": "motp", "secret": "JBSWY3DPEHPK3PXP"}),
                "mOTP",
            ),
            (
                json!({"type": "totp", "algo": "MD5", "secret": "JBSWY3DPEHPK3PXP"}),
                "MD5",
            ),
            (
                json!({"type": "blizzard", "secret": "JBSWY3DPEHPK3PXP"}),
                "unknown OTP type",
            ),
            (
                json!({"type": "totp", "digits": 10, "secret": "JBSWY3DPEHPK3PXP"}),
                "digits",
            ),
            (
                json!({"type": "totp", "period": 0, "secret": "JBSWY3DPEHPK3PXP"}),
                "period",
            ),
            (
                json!({"type": "hotp", "counter": -1, "secret": "JBSWY3DPEHPK3PXP"}),
                "counter",
            ),
            (json!({"type": "totp", "secret": "JBSWY3DP"}), "too short"),
            (json!({"type": "totp"}), "no secret"),
        ];
        for (value, needle) in cases {
            let reason = fields(&value).account().unwrap_err();
            assert!(reason.contains(needle), "{reason}");
            assert!(!reason.contains("JBSWY3DP"), "{reason}");
        }
    }

    #[test]
    fn strings_are_wiped_on_drop() {
        let json = Json::parse(br#"{"a": ["secret"]}"#, Format::Aegis).unwrap();
        assert_eq!(json.value()["a"][0], "secret");
        let mut value = json.value().clone();
        wipe(&mut value);
        assert_eq!(value["a"][0], "");
    }
}
