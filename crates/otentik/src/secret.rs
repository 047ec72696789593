//! [`Secret`]: the bytes of an OTP seed, protected by type.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Error, Result};

/// The raw bytes of a shared secret (an OTP seed, a signing key).
///
/// `Debug` prints `Secret(<redacted>)`, there is no `Serialize` or `Display`, the bytes are
/// wiped when the value is dropped, and equality is compared in constant time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps bytes as a secret.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The bytes, for the code that really needs them (HMAC, keyring storage).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in bits.
    pub fn bits(&self) -> usize {
        self.0.len() * 8
    }

    /// RFC 4648 base32, upper case, without padding (the form `otpauth://` URIs use).
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&self.0))
    }

    /// Decodes base32 the lenient way real sites need: any case, spaces, dashes and `=`
    /// padding are accepted. Errors name the offending character and its 1-based position in
    /// `text` as given, never the rest of the secret.
    pub fn from_base32(text: &str) -> Result<Self> {
        Self::decode_base32(text, false)
    }

    /// [`Secret::from_base32`], for secrets another authenticator already holds (imports):
    /// a trailing character that cannot complete a byte (1, 3 or 6 characters past a multiple
    /// of 8) is dropped, as the apps that exported it read it (Google Authenticator's and
    /// Apache Commons' decoders keep only whole bytes). The codes are the ones that app showed.
    pub fn from_base32_held(text: &str) -> Result<Self> {
        Self::decode_base32(text, true)
    }

    fn decode_base32(text: &str, held: bool) -> Result<Self> {
        let mut clean = Zeroizing::new(String::with_capacity(text.len()));
        for (index, character) in text.chars().enumerate() {
            match character {
                ' ' | '-' | '=' | '\t' => {}
                'a'..='z' | 'A'..='Z' | '2'..='7' => clean.push(character.to_ascii_uppercase()),
                _ => {
                    return Err(Error::InvalidSecretCharacter {
                        character,
                        position: index + 1,
                    });
                }
            }
        }
        if clean.is_empty() {
            return Err(Error::EmptySecret);
        }
        // 1, 3 or 6 trailing characters cannot encode whole bytes: the last one holds only
        // bits past the last whole byte.
        if matches!(clean.len() % 8, 1 | 3 | 6) {
            if !held || clean.len() == 1 {
                return Err(Error::InvalidSecretLength {
                    length: clean.len(),
                });
            }
            clean.pop();
        }
        let bytes =
            lenient_base32()
                .decode(clean.as_bytes())
                .map_err(|_| Error::InvalidSecretLength {
                    length: clean.len(),
                })?;
        Ok(Self(bytes))
    }
}

/// RFC 4648 base32 without padding that ignores non-zero trailing bits, as Google
/// Authenticator does (some sites emit them).
fn lenient_base32() -> data_encoding::Encoding {
    let mut spec = data_encoding::Specification::new();
    spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    spec.check_trailing_bits = false;
    // The specification is a constant that is known to be valid.
    spec.encoding()
        .unwrap_or_else(|_| data_encoding::BASE32_NOPAD.clone())
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for Secret {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_secret_keeps_the_whole_bytes_of_an_odd_length() {
        // 17, 19 and 22 characters (2FAS iOS and LastPass Android exports): 10, 11 and 13
        // whole bytes, the same as without the last character.
        for text in [
            "JBSWY3DPEHPK3PXPJ",
            "JBSWY3DPEHPK3PXPJBS",
            "JBSWY3DPEHPK3PXPJBSWY3",
        ] {
            let held = Secret::from_base32_held(text).unwrap();
            let whole = Secret::from_base32(&text[..text.len() - 1]).unwrap();
            assert_eq!(held.expose(), whole.expose(), "{text}");
            assert_eq!(held.expose().len(), text.len() * 5 / 8, "{text}");
            // A secret typed or scanned here is still refused: a character is missing.
            assert!(matches!(
                Secret::from_base32(text),
                Err(Error::InvalidSecretLength { .. })
            ));
        }
        assert!(Secret::from_base32_held("A").is_err());
        assert_eq!(
            Secret::from_base32_held("JBSWY3DP").unwrap().expose(),
            Secret::from_base32("JBSWY3DP").unwrap().expose()
        );
    }

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::new(b"12345678901234567890".to_vec());
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
    }

    #[test]
    fn base32_is_lenient_on_case_spaces_dashes_and_padding() {
        let strict = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        for text in [
            "jbswy3dpehpk3pxp",
            "JBSW Y3DP EHPK 3PXP",
            "JBSW-Y3DP-EHPK-3PXP",
            "JBSWY3DPEHPK3PXP====",
        ] {
            assert_eq!(Secret::from_base32(text).unwrap(), strict, "{text}");
        }
        assert_eq!(strict.expose(), b"Hello!\xde\xad\xbe\xef");
        assert_eq!(strict.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
    }

    #[test]
    fn base32_errors_name_character_and_position() {
        let err = Secret::from_base32("JBSW1Y3DP").unwrap_err();
        assert_eq!(
            err.to_string(),
            "secret is not valid base32: '1' at position 5"
        );
        assert!(matches!(
            Secret::from_base32(" - "),
            Err(Error::EmptySecret)
        ));
        assert!(matches!(
            Secret::from_base32("ABCDEFGHI"),
            Err(Error::InvalidSecretLength { length: 9 })
        ));
    }

    #[test]
    fn non_zero_trailing_bits_are_accepted() {
        // 26 characters carry 130 bits: 16 bytes + 2 stray bits.
        let a = Secret::from_base32("ABCDEFGHIJKLMNOPQRSTUVWXYZ").unwrap();
        let b = Secret::from_base32("ABCDEFGHIJKLMNOPQRSTUVWXYY").unwrap();
        assert_eq!(a.expose().len(), 16);
        assert_eq!(a, b, "only the two stray bits differ");
    }
}
