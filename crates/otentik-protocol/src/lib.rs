//! Otentik push protocol v1 (see `docs/protocol.md`, which is the contract).
//!
//! - [`message`]: the exact byte strings that get signed (netstring-framed fields).
//! - [`request`]: signing and verifying device requests (the `Otentik-*` headers).
//! - [`challenge`]: server-signed login challenges, checked by the device.
//! - [`answer`]: device-signed answers, bound to the challenge nonce.
//! - [`replay`]: an in-memory guard that refuses a request nonce seen before.
//! - [`status`]: the server-signed device status a device trusts before marking revocation.
//! - [`features`]: optional device features declared in the signed poll query.
//! - [`text`]: characters that must not reach the device's screen.
//! - [`device_api`] and [`rp_api`]: the JSON bodies of both APIs.
//!
//! Nothing here reads the clock or does I/O: the current time is always a parameter.

pub mod answer;
pub mod challenge;
pub mod device_api;
mod error;
pub mod features;
pub mod keys;
pub mod message;
pub mod replay;
pub mod request;
pub mod rp_api;
pub mod status;
pub mod text;
#[cfg(test)]
mod vectors;

pub use error::Error;

/// The protocol version this crate speaks (the `v1` in every path and signing context).
pub const PROTOCOL_VERSION: u32 = 1;

/// How far a request timestamp may be from the verifier's clock, either way, in seconds.
pub const MAX_CLOCK_SKEW_SECS: u64 = 120;

/// The longest a challenge may live (from `created_at` to `expires_at`), in seconds.
pub const MAX_CHALLENGE_TTL_SECS: u64 = 120;

/// The longest a long-poll may be held open, in seconds (device and relying-party APIs).
pub const MAX_WAIT_SECS: u64 = 30;

/// The most devices one poll request may authenticate at once.
pub const MAX_DEVICES_PER_POLL: usize = 64;

/// The path prefix of the device API; `push_url` in an enrolment URI points here.
pub const DEVICE_API_PREFIX: &str = "/device/v1";

/// The path prefix of the relying-party API.
pub const RP_API_PREFIX: &str = "/rp/v1";

/// The body of every error answer of both APIs: a stable `code` to branch on and a message for
/// people (English; it never contains a secret).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ErrorBody {
    /// What went wrong, for clients to branch on.
    pub code: ErrorCode,
    /// What went wrong and what to do.
    pub message: String,
}

/// The stable error codes of both APIs (the full table, with statuses, is in
/// `docs/protocol.md`). Serialised in `snake_case`; the strings never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(test, derive(strum::EnumIter))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// 401: any authentication failure (unknown device, bad signature, replay, bad token, wrong
    /// site key). Deliberately the same for all of them.
    Unauthorized,
    /// 401: the request timestamp is more than 120 s from the server's clock; see `Date`.
    ClockSkew,
    /// 410: the device was revoked (TOTP disabled or reset at the site).
    DeviceRevoked,
    /// 404: no such challenge for this device.
    ChallengeNotFound,
    /// 409: the challenge was already answered.
    ChallengeAnswered,
    /// 409: the challenge expired or was replaced by a newer one.
    ChallengeExpired,
    /// 422: a TOTP code does not match.
    InvalidCode,
    /// 429: too many requests; see `Retry-After`.
    RateLimited,
    /// 404: no such enrolment, login, user or route.
    NotFound,
    /// 404: a login asked for a user without TOTP.
    TotpNotEnabled,
    /// 409: a push login asked for a user whose TOTP has no push device.
    NoPushDevice,
    /// 409: an enrolment asked for a user whose TOTP is on.
    TotpAlreadyEnabled,
    /// 409: the enrolment is completed or expired.
    EnrollmentClosed,
    /// 400: the body is not JSON.
    MalformedJson,
    /// 422: the JSON does not have the documented shape.
    InvalidJson,
    /// 422: a field or parameter is out of its documented range.
    InvalidField,
    /// 415: a JSON endpoint got another content type.
    UnsupportedMediaType,
    /// 413: the body exceeds the limit.
    BodyTooLarge,
    /// 405: the route exists, not with this method.
    MethodNotAllowed,
    /// 500: the server failed; the details are in its log.
    Internal,
    /// A code this version does not know (sent by a newer server). Never sent.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The code as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::ClockSkew => "clock_skew",
            Self::DeviceRevoked => "device_revoked",
            Self::ChallengeNotFound => "challenge_not_found",
            Self::ChallengeAnswered => "challenge_answered",
            Self::ChallengeExpired => "challenge_expired",
            Self::InvalidCode => "invalid_code",
            Self::RateLimited => "rate_limited",
            Self::NotFound => "not_found",
            Self::TotpNotEnabled => "totp_not_enabled",
            Self::NoPushDevice => "no_push_device",
            Self::TotpAlreadyEnabled => "totp_already_enabled",
            Self::EnrollmentClosed => "enrollment_closed",
            Self::MalformedJson => "malformed_json",
            Self::InvalidJson => "invalid_json",
            Self::InvalidField => "invalid_field",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::BodyTooLarge => "body_too_large",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Internal => "internal",
            Self::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator as _;

    use super::ErrorCode;

    #[test]
    fn codes_are_sent_as_their_names_and_read_back() {
        for code in ErrorCode::iter() {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str(), "{code:?}");
            assert_eq!(serde_json::from_value::<ErrorCode>(json).unwrap(), code);
        }
    }

    #[test]
    fn a_code_from_a_newer_server_reads_as_unknown() {
        let body: super::ErrorBody =
            serde_json::from_str(r#"{"code":"quantum_flux","message":"m"}"#).unwrap();
        assert_eq!(body.code, ErrorCode::Unknown);
    }
}
