//! Bitwarden: the password manager's unencrypted JSON and CSV exports (and Bitwarden
//! Authenticator's JSON, which has the same shape). See `docs/backup.md` ("Bitwarden").

use serde_json::Value;

use super::{Entry, Format, Import, Skipped, malformed, text, uri};
use crate::account::Account;
use crate::error::{Error, Result};
use crate::otpauth;

/// What an encrypted export is refused with.
const ENCRYPTED: &str =
    "it is an encrypted export; export the vault from Bitwarden again as unencrypted JSON or CSV";

/// One login with a TOTP field, from either export.
struct Login<'a> {
    /// The item name.
    name: &'a str,
    username: &'a str,
    totp: &'a str,
    /// Bitwarden Authenticator's own fields, for a bare secret.
    issuer: Option<&'a str>,
    period: Option<u64>,
    digits: Option<u64>,
}

/// Reads a JSON or CSV export (told apart by the content: JSON is an object).
pub(crate) fn read(bytes: &[u8]) -> Result<Import> {
    let text = text(bytes, Format::Bitwarden)?;
    let mut import = Import::new(Format::Bitwarden, false);
    if text.trim_start().starts_with('{') {
        read_json(text, &mut import)?;
    } else {
        read_csv(text, &mut import)?;
    }
    Ok(import)
}

fn read_json(text: &str, import: &mut Import) -> Result<()> {
    let json: Value = serde_json::from_str(text).map_err(|e| malformed(Format::Bitwarden, e))?;
    if json.get("encrypted").and_then(Value::as_bool) == Some(true) {
        return Err(Error::BackupUnsupported {
            format: Format::Bitwarden.app_name(),
            what: ENCRYPTED.to_owned(),
        });
    }
    let items = json
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed(Format::Bitwarden, "no 'items' list"))?;
    for (index, item) in items.iter().enumerate() {
        // Only logins (type 1; Bitwarden Authenticator may leave the type out) hold a TOTP.
        if item
            .get("type")
            .is_some_and(|kind| kind.as_u64() != Some(1))
        {
            continue;
        }
        let Some(login) = item.get("login") else {
            continue;
        };
        fn text(value: Option<&Value>) -> &str {
            value.and_then(Value::as_str).unwrap_or("")
        }
        let totp = text(login.get("totp"));
        if totp.trim().is_empty() {
            continue;
        }
        let login = Login {
            name: text(item.get("name")),
            username: text(login.get("username")),
            totp,
            issuer: login.get("issuer").and_then(Value::as_str),
            period: login.get("period").and_then(Value::as_u64),
            digits: login.get("digits").and_then(Value::as_u64),
        };
        add(&login, &format!("item {}", index + 1), import);
    }
    Ok(())
}

fn read_csv(text: &str, import: &mut Import) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| malformed(Format::Bitwarden, e))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header.trim().eq_ignore_ascii_case(name))
    };
    let totp_column = column("login_totp")
        .ok_or_else(|| malformed(Format::Bitwarden, "the CSV has no 'login_totp' column"))?;
    let (type_column, name_column, username_column) =
        (column("type"), column("name"), column("login_username"));
    for (index, record) in reader.records().enumerate() {
        // The error names a record and a position, never a field's content.
        let record = record.map_err(|e| malformed(Format::Bitwarden, e))?;
        let field = |column: Option<usize>| column.and_then(|at| record.get(at)).unwrap_or("");
        let kind = field(type_column).trim();
        if !kind.is_empty() && !kind.eq_ignore_ascii_case("login") {
            continue;
        }
        let totp = field(Some(totp_column));
        if totp.trim().is_empty() {
            continue;
        }
        let login = Login {
            name: field(name_column),
            username: field(username_column),
            totp,
            issuer: None,
            period: None,
            digits: None,
        };
        // Row 1 is the header.
        add(&login, &format!("row {}", index + 2), import);
    }
    Ok(())
}

/// Adds the account of `login`, or why it is skipped (named `fallback` when nameless).
fn add(login: &Login<'_>, fallback: &str, import: &mut Import) {
    match account(login) {
        Ok(account) => import.entries.push(Entry::new(account)),
        Err(reason) => {
            let name = match uri::label(login.name, login.username) {
                name if name.is_empty() => fallback.to_owned(),
                name => name,
            };
            import.skipped.push(Skipped::new(name, reason));
        }
    }
}

/// The account of a TOTP field: an otpauth URI, `steam://<base32>` or a bare base32 secret.
fn account(login: &Login<'_>) -> Result<Account, String> {
    let totp = login.totp.trim();
    let item_name = login.name.trim();
    let username = login.username.trim();
    if uri::strip_scheme(totp, "otpauth://").is_some() {
        let mut account = uri::account(totp).or_else(|reason| {
            // A URI without an account name (Bitwarden's own exports hold
            // `otpauth://totp/?secret=…`): the login's username names it, or else the item.
            let name = if username.is_empty() {
                item_name
            } else {
                username
            };
            match with_name(totp, name) {
                Some(named) if reason == Error::EmptyAccountName.to_string() => {
                    uri::account(&named)
                }
                _ => Err(reason),
            }
        })?;
        if account.issuer.is_empty() {
            account.issuer = item_name.to_owned();
        }
        return Ok(account);
    }
    let (issuer, name) = names(login.issuer.map_or(item_name, str::trim), username)?;
    if let Some(secret) = uri::strip_scheme(totp, "steam://") {
        return Ok(Account::steam(issuer, name, uri::secret_base32(secret)?));
    }
    let mut account = Account::totp(issuer, name, uri::secret_base32(totp)?);
    if let Some(digits) = login.digits {
        account.digits = Account::digits_of(digits).map_err(|e| e.to_string())?;
    }
    if let Some(period) = login.period {
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

/// Issuer and account name of a login that is not a URI; a login without a username is named
/// after its item.
fn names<'a>(issuer: &'a str, username: &'a str) -> Result<(&'a str, &'a str), String> {
    match (issuer, username) {
        ("", "") => Err(Error::EmptyAccountName.to_string()),
        (issuer, "") => Ok((issuer, issuer)),
        names => Ok(names),
    }
}

/// `uri` with `name` as the account name, when its label has none (`otpauth://totp/` or
/// `otpauth://totp/Issuer:`).
fn with_name(uri: &str, name: &str) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let open =
        path.ends_with('/') || path.ends_with(':') || path.to_ascii_lowercase().ends_with("%3a");
    open.then(|| format!("{path}{}?{query}", otpauth::encode(name)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OtpKind;
    use crate::error::Code;

    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    #[test]
    fn encrypted_exports_are_refused_with_what_to_do() {
        for file in [
            r#"{"encrypted": true, "passwordProtected": true, "salt": "x", "kdfType": 0, "data": "2.x|y|z"}"#,
            r#"{"encrypted": true, "passwordProtected": false, "encKeyValidation_DO_NOT_EDIT": "x", "data": "2.x|y|z"}"#,
        ] {
            let error = read(file.as_bytes()).unwrap_err();
            assert_eq!(error.code(), Code::BackupUnsupported, "{error}");
            assert!(
                error.to_string().contains("unencrypted JSON or CSV"),
                "{error}"
            );
        }
    }

    #[test]
    fn csv_columns_are_found_by_name() {
        let csv = format!(
            "login_totp,name,login_username,type\r\n\
             {SECRET},GitHub,octo,login\r\n\
             ,Tanpa TOTP,x,login\r\n\
             {SECRET},Catatan,,note\r\n\
             steam://{SECRET},Steam,,login\r\n\
             \"otpauth://totp/?secret={SECRET}&issuer=Bank\",Bank item,nasabah,login\r\n\
             \"otpauth://totp/?secret={SECRET}&issuer=Code%202%20\",Code 2 ,,login"
        );
        let import = read(csv.as_bytes()).unwrap();
        assert_eq!(import.skipped, []);
        let labels: Vec<(OtpKind, String)> = import
            .entries
            .iter()
            .map(|entry| (entry.account.kind, entry.account.label()))
            .collect();
        assert_eq!(
            labels,
            [
                (OtpKind::Totp, "GitHub: octo".to_owned()),
                (OtpKind::Steam, "Steam: Steam".to_owned()),
                (OtpKind::Totp, "Bank: nasabah".to_owned()),
                // As Bitwarden exports them: no label, no username; the item names it.
                (OtpKind::Totp, "Code 2: Code 2".to_owned()),
            ]
        );
    }

    #[test]
    fn bitwarden_authenticator_fields_and_bad_secrets() {
        let file = format!(
            r#"{{"encrypted": false, "items": [
                {{"name": "Kantor", "login": {{"username": "budi", "totp": "{SECRET}", "issuer": "Pemkot", "period": 60, "digits": 8}}}},
                {{"type": 1, "name": "Rusak", "login": {{"username": "andi", "totp": "bukan base32!"}}}},
                {{"type": 1, "name": "", "login": {{"username": "", "totp": "{SECRET}"}}}}
            ]}}"#
        );
        let import = read(file.as_bytes()).unwrap();
        let account = &import.entries[0].account;
        assert_eq!(
            (account.issuer.as_str(), account.name.as_str()),
            ("Pemkot", "budi")
        );
        assert_eq!((account.period, account.digits), (60, 8));
        let skipped: Vec<&str> = import.skipped.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(skipped, ["Rusak: andi", "item 3"]);
        assert!(
            !import.skipped[0].reason.contains("bukan"),
            "{:?}",
            import.skipped
        );
    }
}
