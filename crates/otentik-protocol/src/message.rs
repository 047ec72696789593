//! The canonical byte strings that get signed.
//!
//! Each message is a sequence of netstrings (`<decimal byte length>:<bytes>,`), the first being a
//! context label that names the message kind and protocol version. Netstrings make the framing
//! unambiguous whatever bytes a field holds (a user agent with a newline or a comma cannot shift
//! another field), and are easy to build in any language.

use sha2::{Digest, Sha256};

/// Context label of a device request.
pub const DEVICE_REQUEST_CONTEXT: &str = "otentik-device-request-v1";
/// Context label of a server challenge.
pub const CHALLENGE_CONTEXT: &str = "otentik-challenge-v1";
/// Context label of a device answer.
pub const ANSWER_CONTEXT: &str = "otentik-answer-v1";
/// Signing context of a server-signed device status.
pub const STATUS_CONTEXT: &str = "otentik-status-v1";
/// The field appended to a challenge's signed message when the number is typed.
pub const NUMBER_ENTRY_FIELD: &str = "number_entry";

/// Frames `fields` as concatenated netstrings.
pub fn netstrings(fields: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(fields.iter().map(|f| f.len() + 8).sum());
    for field in fields {
        out.extend_from_slice(field.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(field);
        out.push(b',');
    }
    out
}

/// Lower-case hex SHA-256 of a request body (of the empty string when there is no body).
pub fn body_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// What a device signs for one request (also for enrolment, where `device_id` is empty).
///
/// `path_and_query` is the request target exactly as sent (`/device/v1/challenges?wait=25`).
pub fn device_request(
    method: &str,
    path_and_query: &str,
    device_id: &str,
    timestamp: u64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let timestamp = timestamp.to_string();
    let hash = body_hash(body);
    netstrings(&[
        DEVICE_REQUEST_CONTEXT.as_bytes(),
        method.as_bytes(),
        path_and_query.as_bytes(),
        device_id.as_bytes(),
        timestamp.as_bytes(),
        nonce.as_bytes(),
        hash.as_bytes(),
    ])
}

/// The signed fields of a challenge, in signing order.
#[derive(Debug, Clone, Copy)]
pub struct ChallengeFields<'a> {
    /// Challenge id.
    pub id: &'a str,
    /// Random nonce the answer is bound to.
    pub nonce: &'a str,
    /// The device this copy of the challenge is addressed to.
    pub device_id: &'a str,
    /// Site name (the enrolment issuer).
    pub site: &'a str,
    /// Account name at the site.
    pub account: &'a str,
    /// IP address of the browser that started the login.
    pub ip: &'a str,
    /// User agent of that browser.
    pub user_agent: &'a str,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds.
    pub expires_at: u64,
    /// Number-matching choices, empty when number matching is off or typed.
    pub numbers: &'a [u8],
    /// Typed number matching: signed as one more field, [`NUMBER_ENTRY_FIELD`], only when
    /// true, so challenges without it sign exactly as before.
    pub number_entry: bool,
}

/// What the server signs for a challenge.
pub fn challenge(fields: &ChallengeFields<'_>) -> Vec<u8> {
    let created = fields.created_at.to_string();
    let expires = fields.expires_at.to_string();
    let numbers = numbers_field(fields.numbers);
    let mut signed: Vec<&[u8]> = vec![
        CHALLENGE_CONTEXT.as_bytes(),
        fields.id.as_bytes(),
        fields.nonce.as_bytes(),
        fields.device_id.as_bytes(),
        fields.site.as_bytes(),
        fields.account.as_bytes(),
        fields.ip.as_bytes(),
        fields.user_agent.as_bytes(),
        created.as_bytes(),
        expires.as_bytes(),
        numbers.as_bytes(),
    ];
    if fields.number_entry {
        signed.push(NUMBER_ENTRY_FIELD.as_bytes());
    }
    netstrings(&signed)
}

/// What the server signs for a device's status (`GET /device/v1/status`): the device, its
/// state (`active` or `revoked`), the server's time and the nonce of the request it answers,
/// so an answer cannot be replayed to another status call.
pub fn status(device_id: &str, state: &str, server_time: u64, request_nonce: &str) -> Vec<u8> {
    let time = server_time.to_string();
    netstrings(&[
        STATUS_CONTEXT.as_bytes(),
        device_id.as_bytes(),
        state.as_bytes(),
        time.as_bytes(),
        request_nonce.as_bytes(),
    ])
}

/// What a device signs for an answer. `decision` is `approve`, `deny` or `not_me`.
pub fn answer(
    challenge_id: &str,
    nonce: &str,
    device_id: &str,
    decision: &str,
    number: Option<u8>,
) -> Vec<u8> {
    let number = number.map(|n| n.to_string()).unwrap_or_default();
    netstrings(&[
        ANSWER_CONTEXT.as_bytes(),
        challenge_id.as_bytes(),
        nonce.as_bytes(),
        device_id.as_bytes(),
        decision.as_bytes(),
        number.as_bytes(),
    ])
}

/// Number choices as signed: decimal, comma-separated, in the order shown (`"12,47,83"`).
pub fn numbers_field(numbers: &[u8]) -> String {
    numbers
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netstring_framing() {
        assert_eq!(
            netstrings(&[b"abc", b"", "é".as_bytes()]),
            "3:abc,0:,2:é,".as_bytes()
        );
    }

    #[test]
    fn empty_body_hash() {
        assert_eq!(
            body_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_comma_or_newline_in_a_field_cannot_shift_another() {
        let a = answer("a,1:b", "n", "d", "approve", None);
        let b = answer("a", "b", "d", "approve", None);
        assert_ne!(a, b);
    }
}
