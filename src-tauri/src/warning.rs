//! What was odd about an accepted URI, as the UI receives it: `{code, message, values}`.
//!
//! `code` is the core's stable [`WarningCode`], which the UI translates in its Bahasa Indonesia and English
//! catalogues (`warning.<code>`), filling `{name}` placeholders from `values`; `message` is the
//! core's English sentence (what the CLI prints). No secret ever appears in either.

use std::collections::BTreeMap;

use otentik::otpauth::{Warning, WarningCode};
use serde::Serialize;
use ts_rs::TS;

/// One warning about an account waiting for confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UriWarning {
    /// What is odd, for the UI to translate.
    pub code: WarningCode,
    /// The English sentence.
    pub message: String,
    /// Values the translation may show, by placeholder name.
    pub values: BTreeMap<String, String>,
}

impl From<&Warning> for UriWarning {
    fn from(warning: &Warning) -> Self {
        Self {
            code: warning.code(),
            message: warning.to_string(),
            values: warning
                .values()
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_sent_is_the_core_code() {
        let warnings = [
            Warning::IssuerMismatch {
                issuer: "New".into(),
                prefix: "Old".into(),
            },
            Warning::ShortSecret { bits: 80 },
            Warning::ExportAccountSkipped {
                index: 2,
                label: "Old:eve".into(),
                reason: "unknown algorithm 9".into(),
            },
            Warning::ExportPart { part: 1, of: 3 },
        ];
        for warning in &warnings {
            let view = UriWarning::from(warning);
            let json = serde_json::to_value(&view).unwrap();
            assert_eq!(json["code"], serde_json::to_value(warning.code()).unwrap());
            assert_eq!(json["message"], warning.to_string());
        }
    }

    #[test]
    fn values_are_named_for_the_placeholders() {
        let view = UriWarning::from(&Warning::ExportPart { part: 1, of: 3 });
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "export_part",
                "message": "this is part 1 of 3 of a Google Authenticator export: scan the other parts too",
                "values": {"part": "1", "of": "3"},
            })
        );
    }
}
