//! Random identifiers and one-time tokens.

use rand::{Rng as _, RngCore as _};
use sha2::{Digest, Sha256};

/// `prefix` followed by `bytes` random bytes in base64url.
pub fn random(prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    format!("{prefix}{}", otentik_protocol::keys::encode(&buf))
}

/// `n` random bytes.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    rand::rng().fill_bytes(&mut buf);
    buf
}

/// A uniformly random integer in `0..bound`.
pub fn below(bound: u32) -> u32 {
    rand::rng().random_range(0..bound)
}

/// Hex SHA-256, how one-time tokens are stored (the token itself never is).
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
