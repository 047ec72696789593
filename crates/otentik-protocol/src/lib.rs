//! Otentik push protocol v1 (see `docs/protocol.md`, which is the contract).
//!
//! - [`message`]: the exact byte strings that get signed (netstring-framed fields).
//! - [`request`]: signing and verifying device requests (the `Otentik-*` headers).
//! - [`challenge`]: server-signed login challenges, checked by the device.
//! - [`answer`]: device-signed answers, bound to the challenge nonce.
//! - [`replay`]: an in-memory guard that refuses a request nonce seen before.
//! - [`device_api`] and [`rp_api`]: the JSON bodies of both APIs.
//!
//! Nothing here reads the clock or does I/O: the current time is always a parameter.

pub mod answer;
pub mod challenge;
pub mod device_api;
mod error;
pub mod keys;
pub mod message;
pub mod replay;
pub mod request;
pub mod rp_api;
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
    /// Stable, snake_case; see [`codes`].
    pub code: String,
    /// What went wrong and what to do.
    pub message: String,
}

/// The stable error codes clients branch on (the full table is in `docs/protocol.md`).
pub mod codes {
    /// 401: any authentication failure (unknown device, bad signature, replay, bad token, wrong
    /// site key). Deliberately the same for all of them.
    pub const UNAUTHORIZED: &str = "unauthorized";
    /// 401: the request timestamp is more than 120 s from the server's clock; see `Date`.
    pub const CLOCK_SKEW: &str = "clock_skew";
    /// 410: the device was revoked (TOTP disabled or reset at the site).
    pub const DEVICE_REVOKED: &str = "device_revoked";
    /// 404: no such challenge for this device.
    pub const CHALLENGE_NOT_FOUND: &str = "challenge_not_found";
    /// 409: the challenge was already answered.
    pub const CHALLENGE_ANSWERED: &str = "challenge_answered";
    /// 409: the challenge expired or was replaced by a newer one.
    pub const CHALLENGE_EXPIRED: &str = "challenge_expired";
    /// 422: a TOTP code does not match.
    pub const INVALID_CODE: &str = "invalid_code";
    /// 429: too many requests; see `Retry-After`.
    pub const RATE_LIMITED: &str = "rate_limited";
}
