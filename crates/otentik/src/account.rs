//! [`Account`]: everything needed to compute an account's codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// The HMAC hash of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "UPPERCASE")]
pub enum Algorithm {
    /// HMAC-SHA1, what nearly every site uses.
    #[default]
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl Algorithm {
    /// The name used in `otpauth://` URIs: `SHA1`, `SHA256`, `SHA512`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = ();

    /// Case-insensitive; `SHA-256` is accepted for `SHA256`.
    fn from_str(text: &str) -> Result<Self, ()> {
        match text.to_ascii_uppercase().replace('-', "").as_str() {
            "SHA1" => Ok(Self::Sha1),
            "SHA256" => Ok(Self::Sha256),
            "SHA512" => Ok(Self::Sha512),
            _ => Err(()),
        }
    }
}

/// Time-based, counter-based, or Steam Guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum OtpKind {
    /// RFC 6238: the moving factor is the time step.
    Totp,
    /// RFC 4226: the moving factor is a counter that advances on each use.
    Hotp,
    /// Steam Guard: TOTP with HMAC-SHA1 and 30 s steps, shown as 5 characters of Steam's
    /// alphabet (`23456789BCDFGHJKMNPQRTVWXY`) instead of decimal digits.
    Steam,
}

impl OtpKind {
    /// `totp`, `hotp` or `steam`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::Hotp => "hotp",
            Self::Steam => "steam",
        }
    }

    /// Whether codes move with time (TOTP, Steam) rather than a counter.
    pub fn is_timed(self) -> bool {
        match self {
            Self::Totp | Self::Steam => true,
            Self::Hotp => false,
        }
    }
}

impl fmt::Display for OtpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The push extras of an enrolment QR (`push_url`, `push_token`): where to enrol a device
/// for login approvals, and the one-time token that authorises it.
#[derive(Clone, PartialEq, Eq)]
pub struct PushInvite {
    /// Base URL of the push server's device API.
    pub url: String,
    /// One-time enrolment token (treated as sensitive: redacted in `Debug`).
    pub token: String,
    /// The fingerprint of the push server's key (`push_key`), when the QR code names it: the
    /// device then refuses any other key.
    pub key: Option<String>,
}

impl fmt::Debug for PushInvite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushInvite")
            .field("url", &self.url)
            .field("token", &"<redacted>")
            .field("key", &self.key)
            .finish()
    }
}

/// One authenticator account: its identity, its OTP parameters and its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// TOTP or HOTP.
    pub kind: OtpKind,
    /// Who issued it ("SPSE LPSE Kota X", "GitHub"); empty when unknown.
    pub issuer: String,
    /// The account name within the issuer (user id, e-mail).
    pub name: String,
    /// HMAC algorithm.
    pub algorithm: Algorithm,
    /// Code length, 6 to 9 ([`Account::DIGITS`]; always 5 for Steam).
    pub digits: u8,
    /// TOTP period in seconds, 1 to 3600 (kept at 30 for HOTP, where it is unused).
    pub period: u32,
    /// HOTP counter: the counter of the next code to show (0 for TOTP).
    pub counter: u64,
    /// The shared seed.
    pub secret: Secret,
    /// Push enrolment invitation, when the QR carried one.
    pub push: Option<PushInvite>,
}

impl Account {
    /// Default code length.
    pub const DEFAULT_DIGITS: u8 = 6;
    /// Default TOTP period.
    pub const DEFAULT_PERIOD: u32 = 30;
    /// The length of a Steam Guard code.
    pub const STEAM_DIGITS: u8 = 5;
    /// The code lengths of TOTP and HOTP accounts: 6 to 9, as many as the 31 bits of HMAC
    /// truncation fill (Aegis, andOTP, Ente, LastPass and Proton keep 9-digit accounts).
    pub const DIGITS: std::ops::RangeInclusive<u8> = 6..=9;

    /// `value` as a TOTP or HOTP code length ([`Account::DIGITS`]), or
    /// [`Error::InvalidDigits`](crate::Error::InvalidDigits).
    pub fn digits_of<T: TryInto<u8> + ToString + Copy>(value: T) -> crate::Result<u8> {
        value
            .try_into()
            .ok()
            .filter(|digits| Self::DIGITS.contains(digits))
            .ok_or_else(|| crate::Error::InvalidDigits {
                found: value.to_string(),
            })
    }

    /// A TOTP account with the defaults every authenticator assumes (SHA1, 6 digits, 30 s).
    pub fn totp(issuer: impl Into<String>, name: impl Into<String>, secret: Secret) -> Self {
        Self {
            kind: OtpKind::Totp,
            issuer: issuer.into(),
            name: name.into(),
            algorithm: Algorithm::Sha1,
            digits: Self::DEFAULT_DIGITS,
            period: Self::DEFAULT_PERIOD,
            counter: 0,
            secret,
            push: None,
        }
    }

    /// A Steam Guard account: SHA1, 5 characters, 30 s, whatever a file said besides.
    pub fn steam(issuer: impl Into<String>, name: impl Into<String>, secret: Secret) -> Self {
        Self {
            kind: OtpKind::Steam,
            digits: Self::STEAM_DIGITS,
            ..Self::totp(issuer, name, secret)
        }
    }

    /// "Issuer: name", or just the name when there is no issuer. For display, never a secret.
    pub fn label(&self) -> String {
        if self.issuer.is_empty() {
            self.name.clone()
        } else {
            format!("{}: {}", self.issuer, self.name)
        }
    }
}
