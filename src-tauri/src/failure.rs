//! What a failed command sends to the UI: `{code, message, field}`.
//!
//! `code` is a stable [`ErrorCode`] (a core [`Code`] or an [`AppCode`]) the UI branches on and
//! maps to its Bahasa Indonesia and English catalogues (`ui/src/lib/i18n/`); `message` is the
//! core's English sentence, shown as detail; `field` names the form field a validation error belongs to. No secret ever appears:
//! the core's error messages never carry one.

use otentik::Code;
use serde::Serialize;
use ts_rs::TS;

/// The app's own failures, beside the core's [`Code`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AppCode {
    /// A form field is missing or out of range (the app's own check).
    InvalidInput,
    /// The account list to confirm is gone (already added or cancelled).
    PendingExpired,
    /// Anything else.
    Internal,
}

/// What the UI branches on: one of the core's codes or one of the app's own, sent as its
/// `snake_case` name (the two sets never share a name; a test checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(untagged)]
pub enum ErrorCode {
    /// A failure of the core.
    Core(Code),
    /// A failure of the app.
    App(AppCode),
}

impl From<Code> for ErrorCode {
    fn from(code: Code) -> Self {
        Self::Core(code)
    }
}

impl From<AppCode> for ErrorCode {
    fn from(code: AppCode) -> Self {
        Self::App(code)
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
    pub fn new(code: impl Into<ErrorCode>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
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
        Self::new(error.code(), error.to_string())
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
        assert_eq!(failure.code, ErrorCode::Core(Code::KeyringLocked));
        assert!(failure.message.starts_with("the keyring is locked"));
        let json = serde_json::to_value(&failure).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "keyring_locked", "message": failure.message})
        );
    }

    #[test]
    fn app_codes_are_sent_by_name_and_never_clash_with_a_core_code() {
        for (code, name) in [
            (AppCode::InvalidInput, "invalid_input"),
            (AppCode::PendingExpired, "pending_expired"),
            (AppCode::Internal, "internal"),
        ] {
            let json = serde_json::to_value(ErrorCode::from(code)).unwrap();
            assert_eq!(json, name);
            // Read as a core code, an app code's name must be no core code.
            assert!(serde_json::from_value::<Code>(json).is_err(), "{name}");
        }
    }

    #[test]
    fn field_is_sent_only_when_set() {
        let failure = Failure::new(AppCode::InvalidInput, "name is empty").on("name");
        let json = serde_json::to_value(&failure).unwrap();
        assert_eq!(json["field"], "name");
        let plain = serde_json::to_value(Failure::new(AppCode::Internal, "x")).unwrap();
        assert!(plain.get("field").is_none());
    }
}
