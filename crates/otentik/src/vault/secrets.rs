//! What one keyring entry holds: every secret of one account, in one versioned blob.

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Error, Result};
use crate::secret::Secret;

/// The secrets of one account. Never serialised anywhere but into the keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSecrets {
    /// The OTP seed.
    pub otp: Secret,
    /// The push device's Ed25519 signing key, once enrolled.
    pub device_key: Option<Secret>,
    /// The one-time push enrolment token, kept until enrolment succeeds.
    pub push_token: Option<Secret>,
}

/// The keyring blob. Base32/base64 text inside JSON, zeroized on drop.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct Blob {
    v: u32,
    otp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    push_token: Option<String>,
}

const BLOB_VERSION: u32 = 1;

impl AccountSecrets {
    /// Just an OTP seed.
    pub fn new(otp: Secret) -> Self {
        Self {
            otp,
            device_key: None,
            push_token: None,
        }
    }

    /// The bytes stored in the keyring.
    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let hex = |s: &Secret| data_encoding::HEXLOWER.encode(s.expose());
        let blob = Blob {
            v: BLOB_VERSION,
            otp: self.otp.to_base32().to_string(),
            device_key: self.device_key.as_ref().map(hex),
            push_token: self.push_token.as_ref().map(hex),
        };
        // Serialising plain strings cannot fail.
        Zeroizing::new(serde_json::to_vec(&blob).unwrap_or_default())
    }

    /// Reads the bytes stored in the keyring. `label` names the account in errors.
    pub fn decode(bytes: &[u8], label: &str) -> Result<Self> {
        let damaged = || Error::SecretDamaged {
            label: label.to_owned(),
        };
        let blob: Blob = serde_json::from_slice(bytes).map_err(|_| damaged())?;
        if blob.v != BLOB_VERSION {
            return Err(damaged());
        }
        let hex = |text: &String| {
            data_encoding::HEXLOWER
                .decode(text.as_bytes())
                .map(Secret::new)
                .map_err(|_| damaged())
        };
        Ok(Self {
            otp: Secret::from_base32(&blob.otp).map_err(|_| damaged())?,
            device_key: blob.device_key.as_ref().map(hex).transpose()?,
            push_token: blob.push_token.as_ref().map(hex).transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let secrets = AccountSecrets {
            otp: Secret::new(b"12345678901234567890".to_vec()),
            device_key: Some(Secret::new(vec![7; 32])),
            push_token: Some(Secret::new(b"tok".to_vec())),
        };
        assert_eq!(
            AccountSecrets::decode(&secrets.encode(), "x").unwrap(),
            secrets
        );
        let plain = AccountSecrets::new(Secret::new(vec![1; 10]));
        assert_eq!(AccountSecrets::decode(&plain.encode(), "x").unwrap(), plain);
    }

    #[test]
    fn damage_is_reported_without_content() {
        let error =
            AccountSecrets::decode(b"{\"v\":9,\"otp\":\"AAAA\"}", "ACME: alice").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the keyring entry of 'ACME: alice' is damaged: remove the account and add it again from its QR code"
        );
    }
}
