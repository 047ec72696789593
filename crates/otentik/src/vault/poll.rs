//! The poll-only keys of push accounts, in one keyring item (`<vault id>/poll`): a JSON map
//! from account id to the key's 32-byte seed, base64url. Not sealed under the vault key, so a
//! locked app can poll; a poll key fetches login requests but cannot answer one
//! (`docs/protocol.md` §4.1).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Account id → base64url seed.
pub(super) type PollKeys = BTreeMap<String, Zeroizing<String>>;

pub(super) fn encode(key: &[u8]) -> Zeroizing<String> {
    Zeroizing::new(URL_SAFE_NO_PAD.encode(key))
}

pub(super) fn decode(encoded: &str) -> Result<crate::Secret> {
    URL_SAFE_NO_PAD
        .decode(encoded)
        .map(crate::Secret::new)
        .map_err(|_| damaged())
}

pub(super) fn to_bytes(keys: &PollKeys) -> Zeroizing<Vec<u8>> {
    let plain: BTreeMap<&str, &str> = keys.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Zeroizing::new(serde_json::to_vec(&plain).unwrap_or_default())
}

pub(super) fn from_bytes(bytes: &[u8]) -> Result<PollKeys> {
    let plain: BTreeMap<String, String> = serde_json::from_slice(bytes).map_err(|_| damaged())?;
    Ok(plain
        .into_iter()
        .map(|(id, key)| (id, Zeroizing::new(key)))
        .collect())
}

fn damaged() -> Error {
    Error::SecretDamaged {
        label: "the poll keys".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_keys_round_trip_and_damage_is_named() {
        let mut keys = PollKeys::new();
        keys.insert("a1".into(), encode(&[7u8; 32]));
        let back = from_bytes(&to_bytes(&keys)).unwrap();
        assert_eq!(decode(&back["a1"]).unwrap().expose(), &[7u8; 32]);
        assert!(matches!(
            from_bytes(b"{not json"),
            Err(Error::SecretDamaged { .. })
        ));
        assert!(decode("***").is_err());
    }
}
