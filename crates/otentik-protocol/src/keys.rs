//! Ed25519 keys and signatures in their wire form: unpadded base64url (RFC 4648 §5).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
pub use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

use crate::Error;

/// The fingerprint of a server key, as the enrolment URI's `push_key` carries it: unpadded
/// base64url of the SHA-256 of the key's 32 bytes (43 characters). A device that finds one in
/// the URI refuses an enrolment answer signed by any other key.
pub fn fingerprint(key: &VerifyingKey) -> String {
    use sha2::Digest as _;
    encode(&sha2::Sha256::digest(key.as_bytes()))
}

/// Unpadded base64url, the encoding of every binary value on the wire.
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded base64url; `field` names the value in the error.
pub fn decode(field: &'static str, text: &str) -> Result<Vec<u8>, Error> {
    URL_SAFE_NO_PAD.decode(text).map_err(|e| Error::Malformed {
        field,
        reason: format!("not unpadded base64url ({e})"),
    })
}

/// A public key from its wire form (32 bytes, base64url).
pub fn public_key_from_wire(field: &'static str, text: &str) -> Result<VerifyingKey, Error> {
    let bytes: [u8; 32] =
        decode(field, text)?
            .try_into()
            .map_err(|v: Vec<u8>| Error::Malformed {
                field,
                reason: format!(
                    "expected a 32-byte Ed25519 public key, got {} bytes",
                    v.len()
                ),
            })?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| Error::Malformed {
        field,
        reason: "not a valid Ed25519 public key".into(),
    })
}

/// The wire form of a public key.
pub fn public_key_to_wire(key: &VerifyingKey) -> String {
    encode(key.as_bytes())
}

/// A signature from its wire form (64 bytes, base64url).
pub fn signature_from_wire(field: &'static str, text: &str) -> Result<Signature, Error> {
    let bytes: [u8; 64] =
        decode(field, text)?
            .try_into()
            .map_err(|v: Vec<u8>| Error::Malformed {
                field,
                reason: format!(
                    "expected a 64-byte Ed25519 signature, got {} bytes",
                    v.len()
                ),
            })?;
    Ok(Signature::from_bytes(&bytes))
}

/// The wire form of a signature.
pub fn signature_to_wire(signature: &Signature) -> String {
    encode(&signature.to_bytes())
}

/// Signs `message` (deterministic Ed25519, RFC 8032).
pub fn sign(key: &SigningKey, message: &[u8]) -> Signature {
    use ed25519_dalek::Signer as _;
    key.sign(message)
}

/// Verifies with the strict rules (no malleable or small-order signatures).
pub fn verify(key: &VerifyingKey, message: &[u8], signature: &Signature) -> Result<(), Error> {
    key.verify_strict(message, signature)
        .map_err(|_| Error::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_round_trip_and_errors() {
        let key = SigningKey::from_bytes(&[7; 32]).verifying_key();
        let wire = public_key_to_wire(&key);
        assert_eq!(wire.len(), 43);
        assert_eq!(public_key_from_wire("k", &wire), Ok(key));
        assert_eq!(
            public_key_from_wire("k", "AAAA").unwrap_err().to_string(),
            "malformed k: expected a 32-byte Ed25519 public key, got 3 bytes"
        );
        assert!(matches!(
            public_key_from_wire("k", "a+b/"),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            signature_from_wire("s", "AAAA"),
            Err(Error::Malformed { .. })
        ));
    }
}
