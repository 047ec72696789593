//! Google Authenticator exports: `otpauth-migration://offline?data=…`.
//!
//! `data` is a standard-base64 protobuf `MigrationPayload`, percent-encoded in the URI. The
//! message types below mirror Google's schema and are decoded by prost.

use base64::Engine as _;
use prost::Message;

use crate::account::{Account, Algorithm, OtpKind};
use crate::error::{Error, Result};
use crate::otpauth::{self, Parsed, Warning};
use crate::secret::Secret;

/// The accounts of one export QR and where it sits among the export's batches.
#[derive(Debug)]
pub(crate) struct Export {
    /// Usable accounts, in payload order.
    pub accounts: Vec<Parsed>,
    /// Accounts that could not be used, each as a warning that says why.
    pub skipped: Vec<Warning>,
    /// 0-based index of this QR in the export.
    pub batch_index: i32,
    /// Number of QR codes in the export.
    pub batch_size: i32,
    /// Identifies the export (the same on each of its QR codes). Read by the Google reader
    /// (`backup` feature), which groups an export's QR codes by it.
    #[cfg_attr(not(feature = "backup"), allow(dead_code))]
    pub batch_id: i32,
}

/// `MigrationPayload` from Google Authenticator's export schema.
#[derive(Clone, PartialEq, Message)]
pub(crate) struct MigrationPayload {
    /// The accounts.
    #[prost(message, repeated, tag = "1")]
    pub otp_parameters: Vec<OtpParameters>,
    /// Schema version.
    #[prost(int32, tag = "2")]
    pub version: i32,
    /// Number of QR codes in the export.
    #[prost(int32, tag = "3")]
    pub batch_size: i32,
    /// 0-based index of this QR code.
    #[prost(int32, tag = "4")]
    pub batch_index: i32,
    /// Identifies the export the batches belong to.
    #[prost(int32, tag = "5")]
    pub batch_id: i32,
}

/// One account of a `MigrationPayload`.
#[derive(Clone, PartialEq, Message)]
pub(crate) struct OtpParameters {
    /// Raw secret bytes.
    #[prost(bytes = "vec", tag = "1")]
    pub secret: Vec<u8>,
    /// Account name (sometimes "issuer:name").
    #[prost(string, tag = "2")]
    pub name: String,
    /// Issuer.
    #[prost(string, tag = "3")]
    pub issuer: String,
    /// 0 unspecified, 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5.
    #[prost(int32, tag = "4")]
    pub algorithm: i32,
    /// 0 unspecified, 1 six, 2 eight.
    #[prost(int32, tag = "5")]
    pub digits: i32,
    /// 0 unspecified, 1 HOTP, 2 TOTP.
    #[prost(int32, tag = "6")]
    pub r#type: i32,
    /// HOTP counter.
    #[prost(int64, tag = "7")]
    pub counter: i64,
}

/// Parses an `otpauth-migration://offline?data=…` URI.
pub(crate) fn parse(uri: &str) -> Result<Export> {
    let rest = uri
        .split_once("://")
        .map(|(_, rest)| rest)
        .ok_or_else(|| Error::MalformedUri {
            reason: "missing '://'".to_owned(),
        })?;
    let query = rest.split_once('?').map(|(_, q)| q).unwrap_or("");
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let params = otpauth::parse_query(query)?;
    let data = params.get("data").ok_or(Error::MissingParameter {
        name: "data",
        hint: " (a Google Authenticator export carries its accounts there)",
    })?;
    let payload = decode_payload(data)?;
    let mut accounts = Vec::new();
    let mut skipped = Vec::new();
    for (index, otp) in payload.otp_parameters.iter().enumerate() {
        match convert(otp) {
            Ok(parsed) => accounts.push(parsed),
            Err(reason) => skipped.push((index + 1, label(otp), reason)),
        }
    }
    if accounts.is_empty() {
        return Err(skipped.into_iter().next().map_or(
            Error::MigrationEmpty,
            |(index, label, reason)| Error::MigrationAccount {
                index,
                label,
                reason,
            },
        ));
    }
    let skipped = skipped
        .into_iter()
        .map(|(index, label, reason)| Warning::ExportAccountSkipped {
            index,
            label,
            reason,
        })
        .collect();
    Ok(Export {
        accounts,
        skipped,
        batch_index: payload.batch_index,
        batch_size: payload.batch_size,
        batch_id: payload.batch_id,
    })
}

/// Whether Google Authenticator can hold `account`: TOTP with 30 s steps or HOTP, 6 or 8
/// digits (Steam, 7 digits and other periods have no field in the export).
pub(crate) fn google_can_hold(account: &Account) -> bool {
    let kind = match account.kind {
        OtpKind::Totp => account.period == Account::DEFAULT_PERIOD,
        OtpKind::Hotp => true,
        OtpKind::Steam => false,
    };
    kind && matches!(account.digits, 6 | 8)
}

/// Encodes accounts as an export URI. Accounts Google cannot hold ([`google_can_hold`]) are
/// left out: callers list them to the user.
pub(crate) fn encode(
    accounts: &[Account],
    batch_index: i32,
    batch_size: i32,
    batch_id: i32,
) -> String {
    let payload = MigrationPayload {
        otp_parameters: accounts
            .iter()
            .filter(|account| google_can_hold(account))
            .map(|account| OtpParameters {
                secret: account.secret.expose().to_vec(),
                name: account.name.clone(),
                issuer: account.issuer.clone(),
                algorithm: match account.algorithm {
                    Algorithm::Sha1 => 1,
                    Algorithm::Sha256 => 2,
                    Algorithm::Sha512 => 3,
                },
                digits: if account.digits == 8 { 2 } else { 1 },
                r#type: match account.kind {
                    OtpKind::Hotp => 1,
                    OtpKind::Totp | OtpKind::Steam => 2,
                },
                counter: i64::try_from(account.counter).unwrap_or(i64::MAX),
            })
            .collect(),
        version: 1,
        batch_size,
        batch_index,
        batch_id,
    };
    let data = base64::engine::general_purpose::STANDARD.encode(payload.encode_to_vec());
    format!(
        "{}://offline?data={}",
        otpauth::MIGRATION_SCHEME,
        otpauth::encode(&data)
    )
}

fn decode_payload(raw: &str) -> Result<MigrationPayload> {
    let text = otpauth::decode(raw, "parameter 'data'")?;
    // A '+' that some tool turned into a space is put back; base64 has no spaces.
    let text: String = text
        .trim()
        .chars()
        .map(|c| if c == ' ' { '+' } else { c })
        .collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let bytes = engine
        .decode(text.replace(['-', '_'], "").as_bytes())
        .or_else(|_| {
            // URL-safe base64 is not what Google emits, but is accepted all the same.
            let url_safe = base64::engine::GeneralPurpose::new(
                &base64::alphabet::URL_SAFE,
                base64::engine::GeneralPurposeConfig::new()
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
            );
            url_safe.decode(text.as_bytes())
        })
        .map_err(|e| Error::MigrationBase64 {
            reason: e.to_string(),
        })?;
    MigrationPayload::decode(bytes.as_slice()).map_err(|e| Error::MigrationProtobuf {
        reason: e.to_string(),
    })
}

fn label(otp: &OtpParameters) -> String {
    if otp.issuer.is_empty() {
        otp.name.clone()
    } else {
        format!("{}:{}", otp.issuer, otp.name)
    }
}

/// One payload account as an Otentik account; the error is a reason sentence.
fn convert(otp: &OtpParameters) -> std::result::Result<Parsed, String> {
    let kind = match otp.r#type {
        1 => OtpKind::Hotp,
        2 | 0 => OtpKind::Totp,
        other => return Err(format!("unknown OTP type {other}")),
    };
    let algorithm = match otp.algorithm {
        0 | 1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        4 => return Err("MD5 is not supported by any standard authenticator".to_owned()),
        other => return Err(format!("unknown algorithm {other}")),
    };
    let digits = match otp.digits {
        0 | 1 => 6,
        2 => 8,
        other => return Err(format!("unknown digit count {other}")),
    };
    let counter = u64::try_from(otp.counter).map_err(|_| "negative HOTP counter".to_owned())?;
    let secret = Secret::new(otp.secret.clone());
    let mut warnings = Vec::new();
    otpauth::check_secret_bits(&secret, &mut warnings).map_err(|e| e.to_string())?;
    // Exports often carry "Issuer:name" in the name field as well.
    let mut issuer = otp.issuer.trim().to_owned();
    let mut name = otp.name.trim().to_owned();
    if let Some((prefix, rest)) = name.split_once(':') {
        let prefix = prefix.trim();
        if issuer.is_empty() || prefix.eq_ignore_ascii_case(&issuer) {
            if issuer.is_empty() {
                issuer = prefix.to_owned();
            }
            name = rest.trim().to_owned();
        }
    }
    if name.is_empty() {
        return Err(Error::EmptyAccountName.to_string());
    }
    Ok(Parsed {
        account: Account {
            kind,
            issuer,
            name,
            algorithm,
            digits,
            period: Account::DEFAULT_PERIOD,
            counter,
            secret,
            push: None,
        },
        warnings,
    })
}
