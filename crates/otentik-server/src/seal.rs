//! Encryption at rest: TOTP seeds and the server signing key are sealed with the data key
//! (XChaCha20-Poly1305, a random 24-byte nonce per value, the row's identity as associated data).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore as _;
use zeroize::Zeroizing;

use crate::Error;

/// The 32-byte key that seals secrets in the database. Keep it outside the database.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

impl DataKey {
    /// From 32 raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// From 64 hex characters (the `OTENTIK_DATA_KEY` form).
    pub fn from_hex(text: &str) -> Result<Self, Error> {
        let bytes = hex::decode(text.trim()).map_err(|_| Error::DataKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| Error::DataKey)?;
        Ok(Self::from_bytes(bytes))
    }

    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self::from_bytes(bytes)
    }

    /// The hex form, for writing a new key file.
    pub fn to_hex(&self) -> String {
        hex::encode(*self.0)
    }

    fn cipher(&self) -> Result<XChaCha20Poly1305, Error> {
        XChaCha20Poly1305::new_from_slice(&*self.0).map_err(|_| Error::DataKey)
    }

    /// Seals `plaintext`, bound to `context` (e.g. `user:<id>`). Output: nonce ‖ ciphertext.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher()?
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::Unseal)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`DataKey::seal`] produced for the same `context`.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, Error> {
        if sealed.len() < 24 + 16 {
            return Err(Error::Unseal);
        }
        let (nonce, ciphertext) = sealed.split_at(24);
        self.cipher()?
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::Unseal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let key = DataKey::generate();
        let sealed = key.seal("user:a", b"seed").unwrap();
        assert_eq!(key.open("user:a", &sealed).unwrap(), b"seed");
        assert!(matches!(key.open("user:b", &sealed), Err(Error::Unseal)));
        assert!(matches!(
            DataKey::generate().open("user:a", &sealed),
            Err(Error::Unseal)
        ));
        assert!(matches!(key.open("user:a", b"short"), Err(Error::Unseal)));
        assert!(!format!("{key:?}").contains(&key.to_hex()));
        assert_eq!(
            DataKey::from_hex(&key.to_hex()).unwrap().to_hex(),
            key.to_hex()
        );
        assert!(matches!(DataKey::from_hex("abcd"), Err(Error::DataKey)));
    }
}
