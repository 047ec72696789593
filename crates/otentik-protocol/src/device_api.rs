//! JSON bodies of the device API (`/device/v1`), used by the authenticator.

use serde::{Deserialize, Serialize};

use crate::ErrorBody;
use crate::answer::Decision;
use crate::challenge::Challenge;
use crate::rp_api::LoginState;

/// `POST /device/v1/enroll`, signed with the new device key (device id `""`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// The one-time `push_token` from the enrolment URI.
    pub token: String,
    /// The device's new Ed25519 public key, base64url.
    pub public_key: String,
    /// A current TOTP code of the enrolment's seed: proof the device holds it.
    pub code: String,
    /// A name for the device, shown to the site (optional, at most 64 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// A second Ed25519 public key, base64url, that may sign the device's polls and status
    /// requests but never an answer (optional; protocol v1 addition, `docs/protocol.md`
    /// §4.1): a locked app polls with it while the device key stays sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_key: Option<String>,
}

/// Answer to a successful enrolment (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// Protocol version, `1`.
    pub protocol: u32,
    /// The id to send in `Otentik-Device` from now on.
    pub device_id: String,
    /// The server's Ed25519 public key (base64url): pin it, challenges are signed with it.
    pub server_key: String,
    /// The server's unix time, to learn the clock offset.
    pub server_time: u64,
    /// How long to hold each long-poll, in seconds.
    pub poll_wait: u64,
    /// Site name.
    pub site: String,
    /// Account name at the site.
    pub account: String,
}

/// Answer to `GET /device/v1/challenges?wait=<s>` (200).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollResponse {
    /// The server's unix time.
    pub server_time: u64,
    /// Pending challenges for the polling devices (at most one per device).
    pub challenges: Vec<Challenge>,
    /// Those of the polling devices that are revoked (TOTP disabled or reset on the site).
    pub revoked: Vec<String>,
}

/// `POST /device/v1/challenges/{id}/answer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// The user's decision.
    pub decision: Decision,
    /// The number the user picked (number matching), else `null`.
    #[serde(default)]
    pub number: Option<u8>,
    /// Device signature over [`crate::message::answer`], base64url.
    pub signature: String,
}

/// Answer to an accepted answer (200).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerResponse {
    /// The login's state now: `approved`, `denied` or `not_me`.
    pub status: LoginState,
    /// True when an approval carried the wrong number (the login is then denied).
    pub wrong_number: bool,
    /// The server's unix time.
    pub server_time: u64,
}

/// The state of a device, as `GET /device/v1/status` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceState {
    /// Enrolled; TOTP is on at the site with this device's seed.
    Active,
    /// TOTP was disabled or reset on the site: the device's enrolment is dead.
    Revoked,
}

impl DeviceState {
    /// The state as sent and signed (`active`, `revoked`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
        }
    }
}

/// Answer to `GET /device/v1/status`: 200 with state `active`, or, for a revoked device,
/// 410 with this inside a [`RevokedStatusBody`]. Signed by the server over the request's
/// nonce ([`crate::status`]); servers before the signature send none (`""`), which a device
/// must not act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusResponse {
    /// The device asked about.
    pub device_id: String,
    /// `active` (200) or `revoked` (410).
    pub state: DeviceState,
    /// The server's unix time.
    pub server_time: u64,
    /// Server signature over [`crate::message::status`], base64url.
    #[serde(default)]
    pub signature: String,
}

/// The 410 body of `GET /device/v1/status` for a revoked device: the usual error
/// (`device_revoked`) and the signed status side by side in one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedStatusBody {
    /// `{code: "device_revoked", message}`.
    #[serde(flatten)]
    pub error: ErrorBody,
    /// The signed status (state `revoked`).
    #[serde(flatten)]
    pub status: StatusResponse,
}
