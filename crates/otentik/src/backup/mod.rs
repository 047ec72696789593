//! Backups and imports: the files of other authenticators, read into accounts, and Otentik's
//! own backups written in their formats.
//!
//! One module per format (`docs/backup.md` is the reference each follows). Every reader takes
//! the file's bytes and, when the file is encrypted, the password, and returns an [`Import`]:
//! the accounts in file order, each with the Otentik-only [`Extra`] data the file carried, and
//! the entries that cannot become an account ([`Skipped`], each with its reason). A reader
//! never fails on an entry it cannot use; it fails when the file cannot be read at all
//! ([`Error::BackupMalformed`], [`Error::BackupWrongPassword`], …) or holds nothing usable.
//!
//! Writers: [`aegis::write`] (Otentik's encrypted backup), [`uris::write`] and
//! [`google::write`]. [`detect`] names the format of a file from its content.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::error::{Error, Result};

pub mod aegis;
pub mod andotp;
#[cfg(feature = "vault")]
pub mod auto;
pub mod bitwarden;
mod crypto;
pub mod ente;
mod fields;
pub mod freeotp;
pub mod google;
pub mod lastpass;
pub mod proton;
#[cfg(feature = "vault")]
mod save;
pub mod twofas;
pub(crate) mod uri;
pub mod uris;

#[cfg(feature = "vault")]
pub use save::{save_verified, verify};

/// The formats Otentik reads (the CLI's `--from` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Format {
    /// Aegis vault JSON, plain or encrypted; Otentik's own backup format.
    #[serde(rename = "aegis")]
    Aegis,
    /// 2FAS `.2fas`, schema 3 and 4, plain or encrypted.
    #[serde(rename = "2fas")]
    TwoFas,
    /// Ente Auth: plain text export or encrypted JSON.
    #[serde(rename = "ente")]
    Ente,
    /// Proton Authenticator JSON, plain or password-protected.
    #[serde(rename = "proton")]
    Proton,
    /// Bitwarden password manager JSON or CSV.
    #[serde(rename = "bitwarden")]
    Bitwarden,
    /// andOTP JSON, plain or encrypted (PBKDF2 or the old SHA-256 key).
    #[serde(rename = "andotp")]
    AndOtp,
    /// FreeOTP+ JSON export.
    #[serde(rename = "freeotp-plus")]
    FreeOtpPlus,
    /// LastPass Authenticator JSON export.
    #[serde(rename = "lastpass")]
    LastPass,
    /// A text file of `otpauth://` and `otpauth-migration://` lines.
    #[serde(rename = "uris")]
    Uris,
    /// Google Authenticator export QR codes, in image files.
    #[serde(rename = "google")]
    Google,
}

impl Format {
    /// Every format, in the order the documentation lists them.
    pub const ALL: [Format; 10] = [
        Self::Aegis,
        Self::TwoFas,
        Self::Ente,
        Self::Proton,
        Self::Bitwarden,
        Self::AndOtp,
        Self::FreeOtpPlus,
        Self::LastPass,
        Self::Uris,
        Self::Google,
    ];

    /// The `--from` name: `aegis`, `2fas`, `ente`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aegis => "aegis",
            Self::TwoFas => "2fas",
            Self::Ente => "ente",
            Self::Proton => "proton",
            Self::Bitwarden => "bitwarden",
            Self::AndOtp => "andotp",
            Self::FreeOtpPlus => "freeotp-plus",
            Self::LastPass => "lastpass",
            Self::Uris => "uris",
            Self::Google => "google",
        }
    }

    /// The name people know the app by, for messages: "Aegis", "2FAS", "Ente Auth", …
    pub fn app_name(self) -> &'static str {
        match self {
            Self::Aegis => "Aegis",
            Self::TwoFas => "2FAS",
            Self::Ente => "Ente Auth",
            Self::Proton => "Proton Authenticator",
            Self::Bitwarden => "Bitwarden",
            Self::AndOtp => "andOTP",
            Self::FreeOtpPlus => "FreeOTP+",
            Self::LastPass => "LastPass Authenticator",
            Self::Uris => "otpauth URI list",
            Self::Google => "Google Authenticator export",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        Self::ALL
            .into_iter()
            .find(|format| format.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or(())
    }
}

/// Otentik-only data that rides along in a backup (extra keys other apps ignore).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extra {
    /// When the account was added to Otentik (Unix seconds).
    pub added_at: Option<u64>,
    /// The push server the account was enrolled with: restored accounts are marked for
    /// re-activation, since device keys never leave a device.
    pub push_url: Option<String>,
    /// The site origins the account was bound to (browser filling); those that are not
    /// origins Otentik can bind to any more are dropped on reading.
    pub origins: Vec<String>,
}

/// One account read from a file, with what Otentik knows beyond the account itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The account (with its secret).
    pub account: Account,
    /// Otentik-only fields, when the file is an Otentik backup.
    pub extra: Extra,
}

impl Entry {
    /// An entry without Otentik-only data.
    pub fn new(account: Account) -> Self {
        Self {
            account,
            extra: Extra::default(),
        }
    }
}

/// An entry of the file that cannot become an account: never fatal, always reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Skipped {
    /// What the file calls it ("Yandex: ivan", "line 6"); never a secret.
    pub name: String,
    /// Why, in English ("Yandex OTP is not supported").
    pub reason: String,
}

impl Skipped {
    /// A skipped entry.
    pub fn new(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

/// What a file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The format it was read as.
    pub format: Format,
    /// Whether it was encrypted.
    pub encrypted: bool,
    /// The accounts, in file order.
    pub entries: Vec<Entry>,
    /// Entries that could not be used, in file order.
    pub skipped: Vec<Skipped>,
    /// Notes about the file as a whole ("batch 2 of 3 is missing"), in English.
    pub notes: Vec<String>,
}

impl Import {
    /// An empty result for `format`.
    pub fn new(format: Format, encrypted: bool) -> Self {
        Self {
            format,
            encrypted,
            entries: Vec::new(),
            skipped: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds what another file of the same export holds (several files read as one import).
    pub fn absorb(&mut self, other: Import) {
        self.encrypted |= other.encrypted;
        self.entries.extend(other.entries);
        self.skipped.extend(other.skipped);
        self.notes.extend(other.notes);
    }

    /// Fails with [`Error::BackupNoAccounts`] when nothing usable was found.
    pub(crate) fn non_empty(self) -> Result<Self> {
        if self.entries.is_empty() {
            // The first reasons go with the error: a file whose every entry is skipped must
            // say why, not only how many.
            const SHOWN: usize = 3;
            let mut why: Vec<String> = self
                .skipped
                .iter()
                .take(SHOWN)
                .map(|skipped| format!("{} ({})", skipped.name, skipped.reason))
                .collect();
            if self.skipped.len() > SHOWN {
                why.push("…".to_owned());
            }
            if why.is_empty() {
                why.push("it holds no entries".to_owned());
            }
            return Err(Error::BackupNoAccounts {
                format: self.format.app_name(),
                skipped: self.skipped.len(),
                why: why.join("; "),
            });
        }
        Ok(self)
    }
}

/// Names the format of a file from its content, or `None` when nothing matches (an andOTP
/// encrypted file has no marker: it is never detected, name it).
pub fn detect(bytes: &[u8]) -> Option<Format> {
    let text = std::str::from_utf8(strip_bom(bytes)).ok();
    if let Some(text) = text
        && let Ok(json) = serde_json::from_str::<serde_json::Value>(text)
    {
        return detect_json(&json);
    }
    if let Some(text) = text {
        let first = text
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .unwrap_or("");
        let lower = first.to_ascii_lowercase();
        if lower.starts_with("otpauth://") || lower.starts_with("otpauth-migration://") {
            // Ente's plain export is a URI list whose every line carries `codeDisplay` (a
            // plain list may hold one of Ente's lines among others).
            if text
                .lines()
                .filter(|line| !line.trim().is_empty())
                .all(|line| line.contains("codeDisplay="))
            {
                return Some(Format::Ente);
            }
            return Some(Format::Uris);
        }
        if lower.contains("login_totp") {
            return Some(Format::Bitwarden);
        }
        // JSON that does not parse (a truncated copy): named by its keys, so that the error
        // says which app's file is damaged rather than that the file is unknown.
        return detect_damaged_json(text);
    }
    if is_image(bytes) {
        return Some(Format::Google);
    }
    // Text cut in the middle of a character: what comes before is still worth naming.
    if let Err(error) = std::str::from_utf8(strip_bom(bytes))
        && error.error_len().is_none()
        && let Ok(start) = std::str::from_utf8(&strip_bom(bytes)[..error.valid_up_to()])
    {
        return detect_damaged_json(start);
    }
    None
}

/// The format of JSON text that does not parse, from the keys it starts with.
fn detect_damaged_json(text: &str) -> Option<Format> {
    let start = text.trim_start();
    if !start.starts_with(['{', '[']) {
        return None;
    }
    let has = |key: &str| start.contains(&format!("\"{key}\""));
    if start.starts_with('[') {
        return (has("secret") && has("label")).then_some(Format::AndOtp);
    }
    if has("header") && (has("slots") || has("db")) {
        Some(Format::Aegis)
    } else if has("schemaVersion") || has("servicesEncrypted") || (has("services") && has("otp")) {
        Some(Format::TwoFas)
    } else if has("kdfParams") || has("encryptedData") {
        Some(Format::Ente)
    } else if has("entry_type") || (has("version") && has("salt") && has("content")) {
        Some(Format::Proton)
    } else if has("items") || has("encKeyValidation_DO_NOT_EDIT") {
        Some(Format::Bitwarden)
    } else if has("tokens") || has("tokenOrder") {
        Some(Format::FreeOtpPlus)
    } else if has("accounts") && has("timeStep") {
        Some(Format::LastPass)
    } else {
        None
    }
}

fn detect_json(json: &serde_json::Value) -> Option<Format> {
    let has = |key: &str| json.get(key).is_some();
    if let Some(array) = json.as_array() {
        let andotp = array.first().is_some_and(|first| {
            ["secret", "label", "type"]
                .iter()
                .all(|key| first.get(key).is_some())
        });
        return andotp.then_some(Format::AndOtp);
    }
    if has("header") && has("db") {
        Some(Format::Aegis)
    } else if has("schemaVersion") && has("services") {
        Some(Format::TwoFas)
    } else if has("kdfParams") && has("encryptedData") {
        Some(Format::Ente)
    } else if has("version") && (has("entries") || (has("salt") && has("content"))) {
        Some(Format::Proton)
    } else if has("items") || (has("encrypted") && has("encKeyValidation_DO_NOT_EDIT")) {
        // An encrypted Bitwarden export is detected too, so that its refusal says why.
        Some(Format::Bitwarden)
    } else if has("tokens") {
        Some(Format::FreeOtpPlus)
    } else if has("accounts") {
        Some(Format::LastPass)
    } else {
        None
    }
}

/// Whether a file of `format` needs a password to be read.
pub fn is_encrypted(bytes: &[u8], format: Format) -> bool {
    let json = || {
        std::str::from_utf8(strip_bom(bytes))
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
    };
    match format {
        Format::Aegis => json().is_some_and(|json| json.get("db").is_some_and(|db| db.is_string())),
        Format::TwoFas => json().is_some_and(|json| json.get("servicesEncrypted").is_some()),
        Format::Ente => json().is_some_and(|json| json.get("encryptedData").is_some()),
        Format::Proton => json().is_some_and(|json| json.get("entries").is_none()),
        Format::AndOtp => json().is_none() && !bytes.is_empty(),
        Format::Bitwarden
        | Format::FreeOtpPlus
        | Format::LastPass
        | Format::Uris
        | Format::Google => false,
    }
}

/// Reads a file of `format`. `password` is needed when [`is_encrypted`] says so (otherwise
/// ignored). Google exports are images: see [`google::read_images`] for several at once.
pub fn read(bytes: &[u8], format: Format, password: Option<&str>) -> Result<Import> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::BackupEmpty);
    }
    let import = match format {
        Format::Aegis => aegis::read(bytes, password),
        Format::TwoFas => twofas::read(bytes, password),
        Format::Ente => ente::read(bytes, password),
        Format::Proton => proton::read(bytes, password),
        Format::Bitwarden => bitwarden::read(bytes),
        Format::AndOtp => andotp::read(bytes, password),
        Format::FreeOtpPlus => freeotp::read(bytes),
        Format::LastPass => lastpass::read(bytes),
        Format::Uris => uris::read(bytes),
        Format::Google => google::read(bytes),
    }?;
    import.non_empty()
}

/// The password of an encrypted file, or [`Error::BackupPasswordRequired`].
pub(crate) fn require(password: Option<&str>, format: Format) -> Result<&str> {
    password.ok_or(Error::BackupPasswordRequired {
        format: format.app_name(),
    })
}

/// A file that does not parse as `format`.
pub(crate) fn malformed(format: Format, detail: impl fmt::Display) -> Error {
    Error::BackupMalformed {
        format: format.app_name(),
        detail: detail.to_string(),
    }
}

/// The text of a file, without a UTF-8 byte-order mark.
pub(crate) fn text(bytes: &[u8], format: Format) -> Result<&str> {
    std::str::from_utf8(strip_bom(bytes)).map_err(|_| malformed(format, "not UTF-8 text"))
}

/// Parses a file as JSON into `T`, naming the format in the error.
pub(crate) fn json<T: serde::de::DeserializeOwned>(bytes: &[u8], format: Format) -> Result<T> {
    serde_json::from_str(text(bytes, format)?).map_err(|e| malformed(format, e))
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn is_image(bytes: &[u8]) -> bool {
    const MAGIC: [&[u8]; 5] = [
        b"\x89PNG\r\n\x1a\n",
        b"\xFF\xD8\xFF",
        b"GIF8",
        b"BM",
        b"RIFF",
    ];
    MAGIC.iter().any(|magic| bytes.starts_with(magic))
}
