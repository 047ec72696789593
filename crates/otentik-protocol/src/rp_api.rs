//! JSON bodies of the relying-party API (`/rp/v1`), what a site's back end calls.

use serde::{Deserialize, Serialize};

/// `POST /rp/v1/enrollments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEnrollment {
    /// The site's id for the user (1–128 characters, any script).
    pub user_id: String,
    /// Name shown in the authenticator (defaults to `user_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// Answer to `POST /rp/v1/enrollments` (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// Id for the status and confirm endpoints.
    pub enrollment_id: String,
    /// The `otpauth://` URI with `push_url` and `push_token`: show it as a QR code.
    pub otpauth_uri: String,
    /// The URI as an SVG QR code.
    pub qr_svg: String,
    /// Unix seconds after which the push token is refused.
    pub expires_at: u64,
}

/// State of an enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentState {
    /// Waiting for a device (or a typed code).
    Pending,
    /// TOTP is on for the user with this enrolment's seed.
    Completed,
    /// Not completed in time (or superseded); create a new one.
    Expired,
}

/// Answer to `GET /rp/v1/enrollments/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentStatus {
    /// Where the enrolment is.
    pub status: EnrollmentState,
    /// True when completed by a push-capable device (false for a typed-code confirmation).
    pub push: bool,
}

/// `POST /rp/v1/enrollments/{id}/confirm`: completes the enrolment for a plain TOTP app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmEnrollment {
    /// A current code of the enrolment's seed.
    pub code: String,
}

/// `POST /rp/v1/logins`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateLogin {
    /// The user logging in.
    pub user_id: String,
    /// IP address of the browser, shown on the device.
    pub ip: String,
    /// User agent of the browser, shown on the device.
    pub user_agent: String,
    /// Override the server's number-matching setting for this login: `false` turns it off,
    /// `true` uses the server's mode (older sites send this).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_matching: Option<bool>,
    /// Override the server's number-matching mode for this login (wins over
    /// `number_matching`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_mode: Option<NumberMatching>,
}

/// How a login asks the user to match the number the site shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberMatching {
    /// No number: the user answers Ya / Tidak / Bukan saya.
    Off,
    /// The device offers three numbers, the user taps the one the site shows (a blind tap
    /// succeeds one time in three).
    Choices,
    /// The user types the number the site shows (a blind guess succeeds one time in 100).
    /// Devices that have not declared [`crate::features::NUMBER_ENTRY`] get choices.
    Typed,
}

/// Answer to `POST /rp/v1/logins` (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    /// Id for the status endpoint.
    pub login_id: String,
    /// The number to show on the site's waiting page (0–99), `null` without number matching.
    pub number: Option<u8>,
    /// True when the user is asked to type the number (show "type this number in Otentik"),
    /// false when they pick it from choices or there is none.
    #[serde(default)]
    pub number_entry: bool,
    /// Unix seconds.
    pub expires_at: u64,
}

/// State of a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LoginState {
    /// Waiting for the device.
    Pending,
    /// The user tapped Ya (with the right number).
    Approved,
    /// The user tapped Tidak, or picked a wrong number.
    Denied,
    /// The user tapped "Bukan saya": refuse and treat the password as compromised.
    NotMe,
    /// No answer in time, or replaced by a newer login of the same user.
    Expired,
}

impl LoginState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::NotMe => "not_me",
            Self::Expired => "expired",
        }
    }

    /// Parses the wire spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => Self::Pending,
            "approved" => Self::Approved,
            "denied" => Self::Denied,
            "not_me" => Self::NotMe,
            "expired" => Self::Expired,
            _ => return None,
        })
    }
}

/// Answer to `GET /rp/v1/logins/{id}?wait=<s>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginStatus {
    /// Where the login is.
    pub status: LoginState,
}

/// `POST /rp/v1/verify`: check a typed code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// The user.
    pub user_id: String,
    /// The code the user typed.
    pub code: String,
}

/// Answer to `POST /rp/v1/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyResult {
    /// True once per code; false for a wrong, old or already used code.
    pub valid: bool,
}

/// Answer to `GET /rp/v1/users/{user_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserStatus {
    /// Whether the user has TOTP on.
    pub totp_enabled: bool,
    /// Active push devices.
    pub devices: u32,
    /// Login requests the user answered "Bukan saya" (not me) in the last 30 days, oldest
    /// first: the password is known to someone else. Absent (and empty) when there are none,
    /// so older servers and clients read the same JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_me: Vec<NotMeReport>,
}

/// One "Bukan saya" answer, as `GET /rp/v1/users/{user_id}` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotMeReport {
    /// When the user answered (unix seconds).
    pub at: u64,
    /// The IP address the site sent with that login.
    pub ip: String,
    /// The user agent the site sent with that login.
    pub user_agent: String,
}
