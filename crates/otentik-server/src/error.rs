//! The one error type of the server library, and its single conversion into an HTTP answer:
//! `{"code": "...", "message": "..."}` with a stable code. Internals are logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use otentik_protocol::{ErrorBody, ErrorCode};

/// Everything that can go wrong answering a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Any authentication failure: the same answer for all of them, so nothing can be probed.
    #[error("authentication failed")]
    Unauthorized,
    /// The request timestamp is too far from the server clock.
    #[error(
        "request timestamp {timestamp} is more than 120 s from the server time {now}; correct the device clock (see the Date header)"
    )]
    ClockSkew {
        /// Sent timestamp.
        timestamp: u64,
        /// Server time.
        now: u64,
    },
    /// The device was revoked at the site.
    #[error(
        "this device was revoked: TOTP was disabled or reset at the site ({0}); activate again"
    )]
    DeviceRevoked(String),
    /// No challenge with this id for this device.
    #[error("no such login request for this device")]
    ChallengeNotFound,
    /// The challenge was answered before.
    #[error("this login request was already answered")]
    ChallengeAnswered,
    /// The challenge expired or was replaced by a newer one.
    #[error("this login request expired or was replaced by a newer one")]
    ChallengeExpired,
    /// A TOTP code does not match.
    #[error("the code does not match; type the current code (and check the device clock)")]
    InvalidCode,
    /// Too many requests for this user.
    #[error("too many attempts; try again in {0} s")]
    RateLimited(u64),
    /// An enrolment, login or route that does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Login requested for a user without TOTP.
    #[error("this user has no TOTP enabled")]
    TotpNotEnabled,
    /// Login requested for a user whose TOTP app has no push device.
    #[error("this user has no push device; ask for a typed code instead")]
    NoPushDevice,
    /// Enrolment requested while TOTP is on.
    #[error("TOTP is already enabled for this user; disable or reset it first")]
    TotpAlreadyEnabled,
    /// Confirming an enrolment that is no longer pending.
    #[error("this enrolment is completed or expired; create a new one")]
    EnrollmentClosed,
    /// The body is not JSON.
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    /// The JSON does not have the documented shape (unknown or missing field, wrong type).
    #[error("the JSON body does not match the API: {0}")]
    InvalidJson(String),
    /// A field or parameter is out of its documented range.
    #[error("invalid {field}: {reason}")]
    InvalidField {
        /// Which one.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// A JSON endpoint got another content type.
    #[error("send the body as Content-Type: application/json")]
    UnsupportedMediaType,
    /// The body exceeds the limit.
    #[error("the request body is larger than the {0}-byte limit")]
    BodyTooLarge(usize),
    /// A route exists but not with this method.
    #[error("method not allowed on this path")]
    MethodNotAllowed,
    /// The data key is not 64 hex characters.
    #[error("the data key must be 64 hex characters (32 bytes)")]
    DataKey,
    /// A sealed value does not open with the data key (wrong key or damaged database).
    #[error("a sealed value does not open with the data key (wrong OTENTIK_DATA_KEY?)")]
    Unseal,
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// PostgreSQL failed on a statement.
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// PostgreSQL cannot be reached (down, restarting, or every connection busy for long).
    #[error("the database cannot be reached ({0}); try again shortly")]
    DatabaseUnavailable(String),
    /// This server process is shutting down (`/readyz` while draining).
    #[error("this server process is shutting down; use another one")]
    ShuttingDown,
    /// Anything else internal.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The stable code sent in the body.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthorized => ErrorCode::Unauthorized,
            Self::ClockSkew { .. } => ErrorCode::ClockSkew,
            Self::DeviceRevoked(_) => ErrorCode::DeviceRevoked,
            Self::ChallengeNotFound => ErrorCode::ChallengeNotFound,
            Self::ChallengeAnswered => ErrorCode::ChallengeAnswered,
            Self::ChallengeExpired => ErrorCode::ChallengeExpired,
            Self::InvalidCode => ErrorCode::InvalidCode,
            Self::RateLimited(_) => ErrorCode::RateLimited,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::TotpNotEnabled => ErrorCode::TotpNotEnabled,
            Self::NoPushDevice => ErrorCode::NoPushDevice,
            Self::TotpAlreadyEnabled => ErrorCode::TotpAlreadyEnabled,
            Self::EnrollmentClosed => ErrorCode::EnrollmentClosed,
            Self::MalformedJson(_) => ErrorCode::MalformedJson,
            Self::InvalidJson(_) => ErrorCode::InvalidJson,
            Self::InvalidField { .. } => ErrorCode::InvalidField,
            Self::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            Self::BodyTooLarge(_) => ErrorCode::BodyTooLarge,
            Self::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Self::DataKey
            | Self::Unseal
            | Self::Database(_)
            | Self::Postgres(_)
            | Self::DatabaseUnavailable(_)
            | Self::ShuttingDown
            | Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized | Self::ClockSkew { .. } => StatusCode::UNAUTHORIZED,
            Self::DeviceRevoked(_) => StatusCode::GONE,
            Self::ChallengeNotFound | Self::NotFound(_) | Self::TotpNotEnabled => {
                StatusCode::NOT_FOUND
            }
            Self::ChallengeAnswered
            | Self::ChallengeExpired
            | Self::NoPushDevice
            | Self::TotpAlreadyEnabled
            | Self::EnrollmentClosed => StatusCode::CONFLICT,
            Self::InvalidCode | Self::InvalidJson(_) | Self::InvalidField { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BodyTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::DatabaseUnavailable(_) | Self::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            Self::DataKey
            | Self::Unseal
            | Self::Database(_)
            | Self::Postgres(_)
            | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Shorthand for [`Error::InvalidField`].
    pub fn field(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidField {
            field,
            reason: reason.into(),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "internal error");
            "internal server error; the details are in the server log".to_owned()
        } else {
            self.to_string()
        };
        let body = ErrorBody {
            code: self.code(),
            message,
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Self::RateLimited(seconds) = self
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::Error;

    #[test]
    fn every_message_and_code() {
        let cases: Vec<(Error, &str, u16, &str)> = vec![
            (
                Error::Unauthorized,
                "unauthorized",
                401,
                "authentication failed",
            ),
            (
                Error::ClockSkew {
                    timestamp: 1,
                    now: 500,
                },
                "clock_skew",
                401,
                "request timestamp 1 is more than 120 s from the server time 500; correct the device clock (see the Date header)",
            ),
            (
                Error::DeviceRevoked("reset".into()),
                "device_revoked",
                410,
                "this device was revoked: TOTP was disabled or reset at the site (reset); activate again",
            ),
            (
                Error::ChallengeNotFound,
                "challenge_not_found",
                404,
                "no such login request for this device",
            ),
            (
                Error::ChallengeAnswered,
                "challenge_answered",
                409,
                "this login request was already answered",
            ),
            (
                Error::ChallengeExpired,
                "challenge_expired",
                409,
                "this login request expired or was replaced by a newer one",
            ),
            (
                Error::InvalidCode,
                "invalid_code",
                422,
                "the code does not match; type the current code (and check the device clock)",
            ),
            (
                Error::RateLimited(30),
                "rate_limited",
                429,
                "too many attempts; try again in 30 s",
            ),
            (
                Error::NotFound("login"),
                "not_found",
                404,
                "login not found",
            ),
            (
                Error::TotpNotEnabled,
                "totp_not_enabled",
                404,
                "this user has no TOTP enabled",
            ),
            (
                Error::NoPushDevice,
                "no_push_device",
                409,
                "this user has no push device; ask for a typed code instead",
            ),
            (
                Error::TotpAlreadyEnabled,
                "totp_already_enabled",
                409,
                "TOTP is already enabled for this user; disable or reset it first",
            ),
            (
                Error::EnrollmentClosed,
                "enrollment_closed",
                409,
                "this enrolment is completed or expired; create a new one",
            ),
            (
                Error::MalformedJson("eof".into()),
                "malformed_json",
                400,
                "the body is not valid JSON: eof",
            ),
            (
                Error::InvalidJson("unknown field `x`".into()),
                "invalid_json",
                422,
                "the JSON body does not match the API: unknown field `x`",
            ),
            (
                Error::field("wait", "0 to 30"),
                "invalid_field",
                422,
                "invalid wait: 0 to 30",
            ),
            (
                Error::UnsupportedMediaType,
                "unsupported_media_type",
                415,
                "send the body as Content-Type: application/json",
            ),
            (
                Error::BodyTooLarge(65536),
                "body_too_large",
                413,
                "the request body is larger than the 65536-byte limit",
            ),
            (
                Error::MethodNotAllowed,
                "method_not_allowed",
                405,
                "method not allowed on this path",
            ),
            (
                Error::DataKey,
                "internal",
                500,
                "the data key must be 64 hex characters (32 bytes)",
            ),
            (
                Error::Unseal,
                "internal",
                500,
                "a sealed value does not open with the data key (wrong OTENTIK_DATA_KEY?)",
            ),
            (
                Error::Database(rusqlite::Error::QueryReturnedNoRows),
                "internal",
                500,
                "database error: Query returned no rows",
            ),
            (
                Error::DatabaseUnavailable("connection refused".into()),
                "internal",
                503,
                "the database cannot be reached (connection refused); try again shortly",
            ),
            (
                Error::ShuttingDown,
                "internal",
                503,
                "this server process is shutting down; use another one",
            ),
            (
                Error::Internal("x".into()),
                "internal",
                500,
                "internal error: x",
            ),
        ];
        for (error, code, status, message) in cases {
            assert_eq!(error.code().as_str(), code);
            assert_eq!(error.status().as_u16(), status);
            assert_eq!(error.to_string(), message);
        }
    }
}
