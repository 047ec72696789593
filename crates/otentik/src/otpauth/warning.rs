//! What was odd about an accepted URI: a stable code for front ends that translate, and the
//! English sentence the CLI prints.

use std::fmt;

use super::RECOMMENDED_SECRET_BITS;

/// Something accepted that deserves the user's attention. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The `issuer` parameter and the label's prefix disagree; the parameter wins.
    IssuerMismatch {
        /// The `issuer` parameter (used).
        issuer: String,
        /// The label's prefix (ignored).
        prefix: String,
    },
    /// The secret is shorter than [`RECOMMENDED_SECRET_BITS`].
    ShortSecret {
        /// Its length in bits.
        bits: usize,
    },
    /// One account of a Google Authenticator export could not be used and was left out.
    ExportAccountSkipped {
        /// 1-based position in the export.
        index: usize,
        /// Its label (issuer:name).
        label: String,
        /// Why (English).
        reason: String,
    },
    /// The export is one QR code of several.
    ExportPart {
        /// 1-based number of this QR code.
        part: usize,
        /// How many QR codes the export has.
        of: usize,
    },
}

/// The stable code of a [`Warning`], which front ends translate (`warning.<code>`).
/// Serialised in `snake_case`; the strings never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(test, derive(strum::EnumIter))]
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

impl Warning {
    /// The stable code front ends translate.
    pub fn code(&self) -> WarningCode {
        match self {
            Self::IssuerMismatch { .. } => WarningCode::IssuerMismatch,
            Self::ShortSecret { .. } => WarningCode::ShortSecret,
            Self::ExportAccountSkipped { .. } => WarningCode::ExportAccountSkipped,
            Self::ExportPart { .. } => WarningCode::ExportPart,
        }
    }

    /// The values a translated message may show, by name (`{issuer}`, `{bits}`, ...).
    pub fn values(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::IssuerMismatch { issuer, prefix } => {
                vec![("issuer", issuer.clone()), ("prefix", prefix.clone())]
            }
            Self::ShortSecret { bits } => vec![
                ("bits", bits.to_string()),
                ("recommended", RECOMMENDED_SECRET_BITS.to_string()),
            ],
            Self::ExportAccountSkipped {
                index,
                label,
                reason,
            } => vec![
                ("index", index.to_string()),
                ("label", label.clone()),
                ("reason", reason.clone()),
            ],
            Self::ExportPart { part, of } => {
                vec![("part", part.to_string()), ("of", of.to_string())]
            }
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IssuerMismatch { issuer, prefix } => write!(
                f,
                "the issuer parameter '{issuer}' differs from the label prefix '{prefix}'; using '{issuer}'"
            ),
            Self::ShortSecret { bits } => write!(
                f,
                "the secret is only {bits} bits long; {RECOMMENDED_SECRET_BITS} or more is recommended"
            ),
            Self::ExportAccountSkipped {
                index,
                label,
                reason,
            } => write!(
                f,
                "skipped: account {index} of the export ('{label}'): {reason}"
            ),
            Self::ExportPart { part, of } => write!(
                f,
                "this is part {part} of {of} of a Google Authenticator export: scan the other parts too"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use strum::IntoEnumIterator as _;

    use super::*;

    fn every_warning() -> [Warning; 4] {
        [
            Warning::IssuerMismatch {
                issuer: "New".into(),
                prefix: "Old".into(),
            },
            Warning::ShortSecret { bits: 80 },
            Warning::ExportAccountSkipped {
                index: 1,
                label: "Old:eve".into(),
                reason: "MD5 is not supported by any standard authenticator".into(),
            },
            Warning::ExportPart { part: 1, of: 2 },
        ]
    }

    #[test]
    fn each_warning_has_its_code_and_english_message() {
        let expected = [
            (
                "issuer_mismatch",
                "the issuer parameter 'New' differs from the label prefix 'Old'; using 'New'",
            ),
            (
                "short_secret",
                "the secret is only 80 bits long; 128 or more is recommended",
            ),
            (
                "export_account_skipped",
                "skipped: account 1 of the export ('Old:eve'): MD5 is not supported by any standard authenticator",
            ),
            (
                "export_part",
                "this is part 1 of 2 of a Google Authenticator export: scan the other parts too",
            ),
        ];
        for (warning, (code, message)) in every_warning().iter().zip(expected) {
            assert_eq!(serde_json::to_value(warning.code()).unwrap(), code);
            assert_eq!(warning.to_string(), message);
        }
    }

    #[test]
    fn every_code_belongs_to_one_warning_and_reads_back() {
        let codes: HashSet<WarningCode> = every_warning().iter().map(Warning::code).collect();
        assert_eq!(codes, WarningCode::iter().collect());
        for code in WarningCode::iter() {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(serde_json::from_value::<WarningCode>(json).unwrap(), code);
        }
    }

    #[test]
    fn every_value_appears_in_the_english_message() {
        for warning in every_warning() {
            let message = warning.to_string();
            for (name, value) in warning.values() {
                assert!(message.contains(&value), "{name}={value} not in {message}");
            }
        }
    }
}
