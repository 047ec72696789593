//! What was odd about an accepted URI, as the UI receives it: `{code, message, values}`.
//!
//! `code` is a stable [`WarningCode`] the UI translates in its Bahasa Indonesia and English
//! catalogues (`warning.<code>`), filling `{name}` placeholders from `values`; `message` is the
//! core's English sentence (what the CLI prints). No secret ever appears in either.

use std::collections::BTreeMap;

use otentik::otpauth::Warning;
use serde::Serialize;
use ts_rs::TS;

/// Stable warning codes, one per [`otentik::otpauth::Warning`] variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// The `issuer` parameter and the label's prefix disagree (`issuer`, `prefix`).
    IssuerMismatch,
    /// The secret is shorter than recommended (`bits`, `recommended`).
    ShortSecret,
    /// One account of an export was left out (`index`, `label`, `reason`).
    ExportAccountSkipped,
    /// The export is one QR code of several (`part`, `of`).
    ExportPart,
}

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
        let code = match warning {
            Warning::IssuerMismatch { .. } => WarningCode::IssuerMismatch,
            Warning::ShortSecret { .. } => WarningCode::ShortSecret,
            Warning::ExportAccountSkipped { .. } => WarningCode::ExportAccountSkipped,
            Warning::ExportPart { .. } => WarningCode::ExportPart,
        };
        Self {
            code,
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
            assert_eq!(json["code"], warning.code());
            assert_eq!(json["message"], warning.to_string());
        }
        let sent: Vec<String> = warnings
            .iter()
            .map(|w| w.code().to_owned())
            .collect::<Vec<_>>();
        assert_eq!(sent, Warning::CODES);
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
