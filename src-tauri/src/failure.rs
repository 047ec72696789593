//! What a failed command sends to the UI: `{code, message, field}`.
//!
//! `code` is a stable [`ErrorCode`] the UI branches on and maps to its Bahasa Indonesia and
//! English catalogues (`ui/src/lib/i18n/`); `message` is the core's English sentence, shown as
//! detail; `field` names the form field a validation error belongs to. No secret ever appears:
//! the core's error messages never carry one.

use serde::Serialize;
use ts_rs::TS;

/// Stable error codes: the core's [`otentik::Error::code`] values plus the app's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Text that is not an `otpauth://` or `otpauth-migration://` URI.
    NotAuthenticatorUri,
    /// A malformed `otpauth://` URI.
    InvalidUri,
    /// A secret that is not usable base32 or is too short.
    InvalidSecret,
    /// A Google Authenticator export that cannot be read.
    InvalidExport,
    /// No keyring answers.
    KeyringUnavailable,
    /// The keyring is locked or refused access.
    KeyringLocked,
    /// The keyring failed in another way.
    KeyringFailure,
    /// An account's keyring entry is missing or damaged.
    SecretMissing,
    /// The account list cannot be read.
    MetadataUnreadable,
    /// A file could not be written or read.
    Storage,
    /// The account is already kept.
    Duplicate,
    /// No such account.
    NoMatch,
    /// Several accounts match.
    Ambiguous,
    /// A position outside the list.
    InvalidPosition,
    /// An image that cannot be decoded.
    ImageUnreadable,
    /// No QR code in the image.
    QrNotFound,
    /// A QR code that is not an authenticator code.
    NotAuthenticatorQr,
    /// The clipboard cannot be used.
    Clipboard,
    /// The screen cannot be captured.
    ScreenCapture,
    /// No camera.
    NoCamera,
    /// The camera failed or access was denied.
    Camera,
    /// A push server URL that is neither HTTPS nor this computer.
    PushInsecureUrl,
    /// The push server does not answer.
    PushUnreachable,
    /// The push server's answer breaks the protocol (or fails verification).
    PushProtocol,
    /// The push server refused a request.
    PushRejected,
    /// This computer's clock is too far from the server's.
    PushClockSkew,
    /// The site disabled or reset TOTP for this device.
    PushRevoked,
    /// The server refused the enrolment (an old QR code, say).
    PushEnrollmentRefused,
    /// The login request expired or was answered already.
    PushRequestGone,
    /// The site asks to match a number and none was chosen.
    PushNumberRequired,
    /// The account has no login approvals.
    NotPushAccount,
    /// A form field is missing or out of range (the app's own check).
    InvalidInput,
    /// The account list to confirm is gone (already added or cancelled).
    PendingExpired,
    /// Anything else.
    Internal,
}

impl ErrorCode {
    /// The code for one of the core's [`otentik::Error::code`] strings.
    pub fn from_core(code: &str) -> Self {
        match code {
            "not_authenticator_uri" => Self::NotAuthenticatorUri,
            "invalid_uri" => Self::InvalidUri,
            "invalid_secret" => Self::InvalidSecret,
            "invalid_export" => Self::InvalidExport,
            "keyring_unavailable" => Self::KeyringUnavailable,
            "keyring_locked" => Self::KeyringLocked,
            "keyring_failure" => Self::KeyringFailure,
            "secret_missing" => Self::SecretMissing,
            "metadata_unreadable" => Self::MetadataUnreadable,
            "storage" => Self::Storage,
            "duplicate" => Self::Duplicate,
            "no_match" => Self::NoMatch,
            "ambiguous" => Self::Ambiguous,
            "invalid_position" => Self::InvalidPosition,
            "image_unreadable" => Self::ImageUnreadable,
            "qr_not_found" => Self::QrNotFound,
            "not_authenticator_qr" => Self::NotAuthenticatorQr,
            "clipboard" => Self::Clipboard,
            "screen_capture" => Self::ScreenCapture,
            "no_camera" => Self::NoCamera,
            "camera" => Self::Camera,
            "push_insecure_url" => Self::PushInsecureUrl,
            "push_unreachable" => Self::PushUnreachable,
            "push_protocol" => Self::PushProtocol,
            "push_rejected" => Self::PushRejected,
            "push_clock_skew" => Self::PushClockSkew,
            "push_revoked" => Self::PushRevoked,
            "push_enrollment_refused" => Self::PushEnrollmentRefused,
            "push_request_gone" => Self::PushRequestGone,
            "push_number_required" => Self::PushNumberRequired,
            "not_push_account" => Self::NotPushAccount,
            _ => Self::Internal,
        }
    }
}

/// A command's failure, as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// What went wrong, for the UI to branch on and translate.
    pub code: ErrorCode,
    /// The English detail.
    pub message: String,
    /// The form field at fault, when there is one (`"secret"`, `"name"`, ...).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Failure {
    /// A failure with no field.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// The same failure, pinned to a form field.
    #[must_use]
    pub fn on(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}

impl From<otentik::Error> for Failure {
    fn from(error: otentik::Error) -> Self {
        Self::new(ErrorCode::from_core(error.code()), error.to_string())
    }
}

/// What every command returns.
pub type CommandResult<T> = Result<T, Failure>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_code_and_message() {
        let failure = Failure::from(otentik::Error::KeyringLocked {
            detail: "IsLocked".into(),
        });
        assert_eq!(failure.code, ErrorCode::KeyringLocked);
        assert!(failure.message.starts_with("the keyring is locked"));
        let json = serde_json::to_value(&failure).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "keyring_locked", "message": failure.message})
        );
    }

    #[test]
    fn every_core_code_has_its_own_variant() {
        let codes = [
            "not_authenticator_uri",
            "invalid_uri",
            "invalid_secret",
            "invalid_export",
            "keyring_unavailable",
            "keyring_locked",
            "keyring_failure",
            "secret_missing",
            "metadata_unreadable",
            "storage",
            "duplicate",
            "no_match",
            "ambiguous",
            "invalid_position",
            "image_unreadable",
            "qr_not_found",
            "not_authenticator_qr",
            "clipboard",
            "screen_capture",
            "no_camera",
            "camera",
            "push_insecure_url",
            "push_unreachable",
            "push_protocol",
            "push_rejected",
            "push_clock_skew",
            "push_revoked",
            "push_enrollment_refused",
            "push_request_gone",
            "push_number_required",
            "not_push_account",
        ];
        for code in codes {
            let mapped = ErrorCode::from_core(code);
            assert_ne!(mapped, ErrorCode::Internal, "{code}");
            assert_eq!(serde_json::to_value(mapped).unwrap(), code);
        }
        assert_eq!(ErrorCode::from_core("something_new"), ErrorCode::Internal);
    }

    #[test]
    fn field_is_sent_only_when_set() {
        let failure = Failure::new(ErrorCode::InvalidInput, "name is empty").on("name");
        let json = serde_json::to_value(&failure).unwrap();
        assert_eq!(json["field"], "name");
    }
}
