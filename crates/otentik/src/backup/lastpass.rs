//! LastPass Authenticator: the JSON file of "Export accounts". See `docs/backup.md`
//! ("LastPass Authenticator").

use serde::Deserialize;
use serde_json::Value;

use super::{Entry, Format, Import, Skipped, uri};
use crate::account::{Account, Algorithm};
use crate::error::{Error, Result};

#[derive(Deserialize)]
struct File {
    accounts: Vec<Value>,
}

/// One account (every one is TOTP: LastPass Authenticator has no HOTP or Steam).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LastPassAccount {
    issuer_name: Option<String>,
    user_name: Option<String>,
    secret: String,
    time_step: Option<i64>,
    digits: Option<i64>,
    algorithm: Option<String>,
}

/// Reads the export: every account in file order.
pub(crate) fn read(bytes: &[u8]) -> Result<Import> {
    let file: File = super::json(bytes, Format::LastPass)?;
    let mut import = Import::new(Format::LastPass, false);
    for (index, value) in file.accounts.into_iter().enumerate() {
        let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or("");
        let name = match uri::label(text("issuerName"), text("userName")) {
            label if label.is_empty() => format!("account {}", index + 1),
            label => label,
        };
        let result = serde_json::from_value::<LastPassAccount>(value)
            .map_err(|_| {
                "not a LastPass Authenticator account (no 'secret', or fields of the wrong type)"
                    .to_owned()
            })
            .and_then(|entry| account(&entry));
        match result {
            Ok(account) => import.entries.push(Entry::new(account)),
            Err(reason) => import.skipped.push(Skipped::new(name, reason)),
        }
    }
    Ok(import)
}

fn account(entry: &LastPassAccount) -> Result<Account, String> {
    let secret = uri::secret_base32(&entry.secret)?;
    let issuer = entry.issuer_name.as_deref().unwrap_or("").trim();
    let name = match entry.user_name.as_deref().unwrap_or("").trim() {
        "" if issuer.is_empty() => return Err(Error::EmptyAccountName.to_string()),
        "" => issuer,
        name => name,
    };
    let mut account = Account::totp(issuer, name, secret);
    if let Some(algorithm) = entry.algorithm.as_deref() {
        account.algorithm = algorithm.trim().parse::<Algorithm>().map_err(|()| {
            Error::UnsupportedAlgorithm {
                found: algorithm.chars().take(32).collect(),
            }
            .to_string()
        })?;
    }
    if let Some(digits) = entry.digits {
        account.digits = Account::digits_of(digits).map_err(|e| e.to_string())?;
    }
    if let Some(period) = entry.time_step {
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
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_unusable_accounts() {
        let file = r#"{"version":1,"accounts":[
            {"issuerName":"Minimal","userName":"","secret":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"},
            {"issuerName":"Lima digit","userName":"x","secret":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","digits":5,"timeStep":30,"algorithm":"SHA1"},
            {"issuerName":"Pendek","userName":"y","secret":"JBSWY3DP"},
            {"issuerName":"Tanpa rahasia","userName":"z"},
            {"userName":"","issuerName":"","secret":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}
        ]}"#;
        let import = read(file.as_bytes()).unwrap();
        assert_eq!(import.entries.len(), 1);
        let account = &import.entries[0].account;
        assert_eq!(
            (account.issuer.as_str(), account.name.as_str()),
            ("Minimal", "Minimal")
        );
        assert_eq!(
            (account.algorithm, account.digits, account.period),
            (Algorithm::Sha1, 6, 30)
        );
        let skipped: Vec<&str> = import.skipped.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            skipped,
            [
                "Lima digit: x",
                "Pendek: y",
                "Tanpa rahasia: z",
                "account 5"
            ]
        );
        assert!(
            import.skipped[1].reason.contains("too short"),
            "{:?}",
            import.skipped
        );
    }
}
