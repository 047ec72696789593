//! The one error type of this crate.

/// Why a protocol value was refused. Every check in this crate returns one of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A field is not in the documented encoding (base64url, decimal, key length, …).
    #[error("malformed {field}: {reason}")]
    Malformed {
        /// Which field (header or JSON member).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A header the request needs is absent.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// The signature does not verify with the key it is checked against.
    #[error("signature does not verify")]
    BadSignature,
    /// A timestamp is outside the allowed clock skew.
    #[error(
        "timestamp {timestamp} is more than {tolerance} s away from the current time {now}; \
         check the device clock"
    )]
    StaleTimestamp {
        /// The timestamp that was sent.
        timestamp: u64,
        /// The verifier's time.
        now: u64,
        /// The allowed skew, in seconds.
        tolerance: u64,
    },
    /// The same request (device and nonce) was seen before.
    #[error("request replayed: this nonce was already used")]
    Replay,
    /// The challenge's expiry time has passed.
    #[error("challenge expired at {expires_at} (now {now})")]
    Expired {
        /// When the challenge expired.
        expires_at: u64,
        /// The verifier's time.
        now: u64,
    },
    /// The challenge claims a lifetime longer than the protocol allows.
    #[error("challenge lifetime of {0} s exceeds the 120 s maximum")]
    LifetimeTooLong(u64),
    /// The challenge or answer names another device.
    #[error("addressed to device {found}, expected {expected}")]
    WrongDevice {
        /// The device this verifier is.
        expected: String,
        /// The device named in the value.
        found: String,
    },
    /// An approval without a number for a challenge that offers number choices (or a number
    /// for one that offers none).
    #[error("an approval must carry a number exactly when the challenge offers number choices")]
    NumberRequired,
}

#[cfg(test)]
mod tests {
    use super::Error;

    #[test]
    fn every_message() {
        let cases = [
            (
                Error::Malformed {
                    field: "public_key",
                    reason: "expected 32 bytes".into(),
                },
                "malformed public_key: expected 32 bytes",
            ),
            (
                Error::MissingHeader("Otentik-Nonce"),
                "missing header Otentik-Nonce",
            ),
            (Error::BadSignature, "signature does not verify"),
            (
                Error::StaleTimestamp {
                    timestamp: 1,
                    now: 500,
                    tolerance: 120,
                },
                "timestamp 1 is more than 120 s away from the current time 500; check the device clock",
            ),
            (
                Error::Replay,
                "request replayed: this nonce was already used",
            ),
            (
                Error::Expired {
                    expires_at: 10,
                    now: 11,
                },
                "challenge expired at 10 (now 11)",
            ),
            (
                Error::LifetimeTooLong(300),
                "challenge lifetime of 300 s exceeds the 120 s maximum",
            ),
            (
                Error::WrongDevice {
                    expected: "a".into(),
                    found: "b".into(),
                },
                "addressed to device b, expected a",
            ),
            (
                Error::NumberRequired,
                "an approval must carry a number exactly when the challenge offers number choices",
            ),
        ];
        for (error, text) in cases {
            assert_eq!(error.to_string(), text);
        }
    }
}
