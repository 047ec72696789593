//! FreeOTP+: the JSON export (Gson of the legacy `Token` list). See `docs/backup.md`
//! ("FreeOTP+").

use serde::Deserialize;
use serde_json::Value;

use super::{Entry, Format, Import, Skipped, uri};
use crate::account::{Account, Algorithm, OtpKind};
use crate::error::{Error, Result};
use crate::secret::Secret;

#[derive(Deserialize)]
struct File {
    tokens: Vec<Value>,
}

/// A token as Gson writes it (nulls left out).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Token {
    issuer_int: Option<String>,
    issuer_ext: Option<String>,
    issuer_alt: Option<String>,
    label: Option<String>,
    label_alt: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    algo: Option<String>,
    /// Java's signed bytes.
    secret: Vec<i64>,
    digits: Option<i64>,
    counter: Option<i64>,
    period: Option<i64>,
}

impl Token {
    /// The first non-empty of the user's rename, the label prefix and the URI's issuer.
    fn issuer(&self) -> &str {
        first([&self.issuer_alt, &self.issuer_ext, &self.issuer_int])
    }

    /// The user's rename, else the label.
    fn name(&self) -> &str {
        first([&self.label_alt, &self.label])
    }
}

fn first<const N: usize>(candidates: [&Option<String>; N]) -> &str {
    candidates
        .into_iter()
        .filter_map(|candidate| candidate.as_deref().map(str::trim))
        .find(|text| !text.is_empty())
        .unwrap_or("")
}

/// Reads the JSON export: every token in `tokens` order (`tokenOrder` is ignored).
pub(crate) fn read(bytes: &[u8]) -> Result<Import> {
    let file: File = super::json(bytes, Format::FreeOtpPlus)?;
    let mut import = Import::new(Format::FreeOtpPlus, false);
    for (index, value) in file.tokens.into_iter().enumerate() {
        let name = match label(&value) {
            label if label.is_empty() => format!("token {}", index + 1),
            label => label,
        };
        let token = match serde_json::from_value::<Token>(value) {
            Ok(token) => token,
            Err(_) => {
                import.skipped.push(Skipped::new(
                    name,
                    "not a FreeOTP+ token (no 'secret' byte array, or fields of the wrong type)",
                ));
                continue;
            }
        };
        match account(&token) {
            Ok(account) => import.entries.push(Entry::new(account)),
            Err(reason) => import.skipped.push(Skipped::new(name, reason)),
        }
    }
    Ok(import)
}

/// "issuer: name" of a token, read from whatever fields are text (for skipped tokens).
fn label(value: &Value) -> String {
    let text = |keys: &[&str]| {
        keys.iter()
            .filter_map(|key| value.get(key).and_then(Value::as_str).map(str::trim))
            .find(|text| !text.is_empty())
            .unwrap_or("")
    };
    uri::label(
        text(&["issuerAlt", "issuerExt", "issuerInt"]),
        text(&["labelAlt", "label"]),
    )
}

fn account(token: &Token) -> Result<Account, String> {
    let kind = match token.kind.as_deref().map(str::trim) {
        None => OtpKind::Totp,
        Some(kind) if kind.eq_ignore_ascii_case("totp") => OtpKind::Totp,
        Some(kind) if kind.eq_ignore_ascii_case("hotp") => OtpKind::Hotp,
        Some(kind) => {
            return Err(Error::UnsupportedType {
                found: kind.chars().take(32).collect(),
            }
            .to_string());
        }
    };
    let bytes = token
        .secret
        .iter()
        .map(|&byte| match byte {
            -128..=-1 => u8::try_from(byte + 256).ok(),
            _ => u8::try_from(byte).ok(),
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or("the secret is not an array of bytes")?;
    let secret = uri::check_bits(Secret::new(bytes))?;
    let issuer = token.issuer();
    let name = match token.name() {
        "" if issuer.is_empty() => return Err(Error::EmptyAccountName.to_string()),
        "" => issuer,
        name => name,
    };
    // FreeOTP+'s own rule: a TOTP token whose label prefix is exactly "Steam".
    if kind == OtpKind::Totp && token.issuer_ext.as_deref() == Some("Steam") {
        return Ok(Account::steam(issuer, name, secret));
    }
    let mut account = Account::totp(issuer, name, secret);
    account.kind = kind;
    if let Some(algo) = token.algo.as_deref() {
        account.algorithm = algo.trim().parse::<Algorithm>().map_err(|()| {
            Error::UnsupportedAlgorithm {
                found: algo.chars().take(32).collect(),
            }
            .to_string()
        })?;
    }
    if let Some(digits) = token.digits {
        account.digits = Account::digits_of(digits).map_err(|e| e.to_string())?;
    }
    match kind {
        OtpKind::Hotp => {
            let counter = token.counter.unwrap_or(0);
            account.counter = u64::try_from(counter).map_err(|_| {
                Error::InvalidCounter {
                    found: counter.to_string(),
                }
                .to_string()
            })?;
        }
        _ => {
            if let Some(period) = token.period {
                account.period = match u32::try_from(period) {
                    Ok(period @ 1..=3600) => period,
                    _ => {
                        return Err(Error::InvalidPeriod {
                            found: period.to_string(),
                        }
                        .to_string());
                    }
                };
            }
        }
    }
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "[1,2,3,4,5,6,7,8,9,10,-1,-2,-3,-4,-5,-128,127,0,0,0]";

    fn file(tokens: &[String]) -> String {
        format!(r#"{{"tokens":[{}],"tokenOrder":[]}}"#, tokens.join(","))
    }

    #[test]
    fn renames_win_and_steam_is_the_exact_label_prefix() {
        let tokens = [
            format!(
                r#"{{"issuerInt":"uri-issuer","issuerExt":"prefix","issuerAlt":"renamed","label":"label","labelAlt":"relabelled","type":"TOTP","algo":"SHA256","secret":{SECRET},"digits":8,"period":60}}"#
            ),
            format!(
                r#"{{"issuerInt":"uri-issuer","issuerAlt":"","label":"only-label","type":"HOTP","secret":{SECRET},"counter":7}}"#
            ),
            format!(
                r#"{{"issuerExt":"Steam","label":"player","type":"TOTP","secret":{SECRET},"digits":6}}"#
            ),
            format!(
                r#"{{"issuerExt":"steam","label":"not-steam","type":"TOTP","secret":{SECRET}}}"#
            ),
        ];
        let import = read(file(&tokens).as_bytes()).unwrap();
        assert_eq!(import.skipped, []);
        let accounts: Vec<&Account> = import.entries.iter().map(|e| &e.account).collect();
        assert_eq!(
            (accounts[0].issuer.as_str(), accounts[0].name.as_str()),
            ("renamed", "relabelled")
        );
        assert_eq!(
            (
                accounts[0].algorithm,
                accounts[0].digits,
                accounts[0].period
            ),
            (Algorithm::Sha256, 8, 60)
        );
        assert_eq!(
            accounts[0].secret.expose(),
            [
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255, 254, 253, 252, 251, 128, 127, 0, 0, 0
            ]
        );
        assert_eq!(
            (accounts[1].issuer.as_str(), accounts[1].name.as_str()),
            ("uri-issuer", "only-label")
        );
        assert_eq!((accounts[1].kind, accounts[1].counter), (OtpKind::Hotp, 7));
        assert_eq!((accounts[2].kind, accounts[2].digits), (OtpKind::Steam, 5));
        assert_eq!(accounts[3].kind, OtpKind::Totp);
    }

    #[test]
    fn unusable_tokens_are_skipped_by_name() {
        let tokens = [
            format!(
                r#"{{"issuerExt":"Lama","label":"md5","type":"TOTP","algo":"MD5","secret":{SECRET}}}"#
            ),
            r#"{"issuerExt":"Rusak","label":"bytes","type":"TOTP","secret":[1,2,300]}"#.to_owned(),
            r#"{"issuerExt":"Aneh","label":"bentuk","secret":"JBSWY3DP"}"#.to_owned(),
            format!(r#"{{"issuerExt":"Baru","label":"jenis","type":"PUSH","secret":{SECRET}}}"#),
        ];
        let import = read(file(&tokens).as_bytes()).unwrap();
        assert!(import.entries.is_empty());
        let names: Vec<&str> = import.skipped.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["Lama: md5", "Rusak: bytes", "Aneh: bentuk", "Baru: jenis"]
        );
        assert!(
            import.skipped.iter().all(|s| !s.reason.contains("JBSW")),
            "{:?}",
            import.skipped
        );
    }
}
