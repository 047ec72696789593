//! The worked examples of `docs/protocol.md` §9, as tests. If one of these changes, the
//! protocol changed: bump the version instead.

use crate::answer::{self, Decision};
use crate::challenge::{Challenge, UnsignedChallenge};
use crate::keys::{self, SigningKey};
use crate::message;
use crate::replay::ReplayGuard;
use crate::request::{self, RequestAuth};
use crate::{Error, device_api::AnswerRequest};

fn device_key() -> SigningKey {
    let bytes: [u8; 32] = std::array::from_fn(|i| i as u8);
    SigningKey::from_bytes(&bytes)
}

/// The poll-only key of the v1 addition: seed bytes 64–95.
fn poll_key() -> SigningKey {
    let bytes: [u8; 32] = std::array::from_fn(|i| 0x40 + i as u8);
    SigningKey::from_bytes(&bytes)
}

fn server_key() -> SigningKey {
    let bytes: [u8; 32] = std::array::from_fn(|i| 0x20 + i as u8);
    SigningKey::from_bytes(&bytes)
}

const DEVICE_ID: &str = "dQw4w9WgXcQ-otentik_01";
const TIMESTAMP: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const NONCE: [u8; 16] = [
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
];
const POLL_PATH: &str = "/device/v1/challenges?wait=25";
const ENROLL_BODY: &str = r#"{"token":"pt_VGhpcyBpcyBhIHRva2Vu","public_key":"A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg","code":"123456"}"#;

fn challenge() -> Challenge {
    UnsignedChallenge {
        id: "ch_AAECAwQFBgcICQoLDA0ODw".into(),
        nonce: "bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2UtMzI".into(),
        device_id: DEVICE_ID.into(),
        site: "SPSE Demo".into(),
        account: "penyedia1".into(),
        ip: "203.0.113.7".into(),
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0".into(),
        created_at: TIMESTAMP,
        expires_at: TIMESTAMP + 60,
        numbers: Some(vec![12, 47, 83]),
        number_entry: false,
    }
    .sign(&server_key())
}

/// The same login, typed: no choices, the number-entry flag signed.
fn typed_challenge() -> Challenge {
    UnsignedChallenge {
        numbers: None,
        number_entry: true,
        ..unsigned(&challenge())
    }
    .sign(&server_key())
}

fn unsigned(c: &Challenge) -> UnsignedChallenge {
    UnsignedChallenge {
        id: c.id.clone(),
        nonce: c.nonce.clone(),
        device_id: c.device_id.clone(),
        site: c.site.clone(),
        account: c.account.clone(),
        ip: c.ip.clone(),
        user_agent: c.user_agent.clone(),
        created_at: c.created_at,
        expires_at: c.expires_at,
        numbers: c.numbers.clone(),
        number_entry: c.number_entry,
    }
}

fn flip_bit(text: &str) -> String {
    let mut bytes = keys::decode("x", text).unwrap();
    bytes[10] ^= 0x01;
    keys::encode(&bytes)
}

#[test]
fn keys_vector() {
    assert_eq!(
        keys::public_key_to_wire(&device_key().verifying_key()),
        "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"
    );
    assert_eq!(
        keys::public_key_to_wire(&server_key().verifying_key()),
        SERVER_PUBLIC
    );
}

const SERVER_PUBLIC: &str = "Kay64UG8yvCyLhqU000LxzYeUm0L_hLIl5S8kyKWbdc";
const POLL_MESSAGE: &str = "25:otentik-device-request-v1,3:GET,29:/device/v1/challenges?wait=25,22:dQw4w9WgXcQ-otentik_01,10:1767225600,22:oKGio6SlpqeoqaqrrK2urw,64:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,";
const POLL_SIGNATURE: &str =
    "297hSTB8KAn8X8aq859DfeEKp3y2KjM5wHSvCgS75mPEc0JL7rfjUVNQU2jNS8Ci-tCXgfj27RDw3OvmBd3_CA";
const ENROLL_MESSAGE: &str = "25:otentik-device-request-v1,4:POST,17:/device/v1/enroll,0:,10:1767225600,22:oKGio6SlpqeoqaqrrK2urw,64:2972caa7033e745448bd8f5eb53b170585fad188c68907b2c3f38aaa017bbd8a,";
const ENROLL_SIGNATURE: &str =
    "AzMjyEGZaptFYBd-Vj-8bhuStae6rzCxuo4ZLVbASZWuCL6P0GGLrb59V9tgHl8ZEzbz9FgeO2tWXqH5eQ3eAw";
const CHALLENGE_MESSAGE: &str = "20:otentik-challenge-v1,25:ch_AAECAwQFBgcICQoLDA0ODw,35:bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2UtMzI,22:dQw4w9WgXcQ-otentik_01,9:SPSE Demo,9:penyedia1,11:203.0.113.7,45:Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0,10:1767225600,10:1767225660,8:12,47,83,";
const CHALLENGE_SIGNATURE: &str =
    "RG0glSrSkE9N9QY35NfXfsvFZijVgvCD646Lc0If0zp82kp4QNzSA6dT0dYjm-z8HBkCSksSNgwuF1CzJaVWBg";
const ANSWER_MESSAGE: &str = "17:otentik-answer-v1,25:ch_AAECAwQFBgcICQoLDA0ODw,35:bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2UtMzI,22:dQw4w9WgXcQ-otentik_01,7:approve,2:47,";
const ANSWER_SIGNATURE: &str =
    "hg3bWdLDvW7kPeCW_CF-4Dxs924OOpVGqgH4Q1q-PKjikYvRSuhn_wh9s2TyKF5P9K_o7Sy3331YYhQ3xDUSDw";

fn parse(device: Option<&str>, timestamp: &str, signature: &str) -> RequestAuth {
    RequestAuth::parse(
        device,
        Some(timestamp),
        Some("oKGio6SlpqeoqaqrrK2urw"),
        Some(signature),
    )
    .unwrap()
}

#[test]
fn device_request_vector() {
    let message = message::device_request(
        "GET",
        POLL_PATH,
        DEVICE_ID,
        TIMESTAMP,
        "oKGio6SlpqeoqaqrrK2urw",
        b"",
    );
    assert_eq!(String::from_utf8(message).unwrap(), POLL_MESSAGE);
    let headers = request::sign(
        &[(DEVICE_ID, &device_key())],
        "GET",
        POLL_PATH,
        TIMESTAMP,
        &NONCE,
        b"",
    );
    assert_eq!(headers.device.as_deref(), Some(DEVICE_ID));
    assert_eq!(headers.timestamp, "1767225600");
    assert_eq!(headers.nonce, "oKGio6SlpqeoqaqrrK2urw");
    assert_eq!(headers.signature, POLL_SIGNATURE);

    let public = device_key().verifying_key();
    let auth = parse(Some(DEVICE_ID), "1767225600", POLL_SIGNATURE);
    let mut guard = ReplayGuard::new(120);
    assert_eq!(
        auth.verify_all(&[public], "GET", POLL_PATH, b"", TIMESTAMP + 5, &mut guard),
        Ok(())
    );
    // Replay: the same request again.
    assert_eq!(
        auth.verify_all(&[public], "GET", POLL_PATH, b"", TIMESTAMP + 6, &mut guard),
        Err(Error::Replay)
    );
}

#[test]
fn device_request_rejections() {
    let public = device_key().verifying_key();
    let check = |auth: &RequestAuth, key, path: &str, now| {
        auth.verify_all(&[key], "GET", path, b"", now, &mut ReplayGuard::new(120))
    };
    let good = parse(Some(DEVICE_ID), "1767225600", POLL_SIGNATURE);
    // Flipped bit in the signature.
    let flipped = parse(Some(DEVICE_ID), "1767225600", &flip_bit(POLL_SIGNATURE));
    assert_eq!(
        check(&flipped, public, POLL_PATH, TIMESTAMP),
        Err(Error::BadSignature)
    );
    // Flipped bit in the message (path changed by one bit: 25 -> 24).
    assert_eq!(
        check(&good, public, "/device/v1/challenges?wait=24", TIMESTAMP),
        Err(Error::BadSignature)
    );
    // Changed timestamp, device id or body.
    let moved = parse(Some(DEVICE_ID), "1767225601", POLL_SIGNATURE);
    assert_eq!(
        check(&moved, public, POLL_PATH, TIMESTAMP),
        Err(Error::BadSignature)
    );
    let other = parse(Some("dQw4w9WgXcQ-otentik_02"), "1767225600", POLL_SIGNATURE);
    assert_eq!(
        check(&other, public, POLL_PATH, TIMESTAMP),
        Err(Error::BadSignature)
    );
    assert_eq!(
        good.verify_all(
            &[public],
            "GET",
            POLL_PATH,
            b"x",
            TIMESTAMP,
            &mut ReplayGuard::new(120)
        ),
        Err(Error::BadSignature)
    );
    // Wrong key.
    assert_eq!(
        check(&good, server_key().verifying_key(), POLL_PATH, TIMESTAMP),
        Err(Error::BadSignature)
    );
    // Stale timestamp, either way; the edge of the window is accepted.
    assert!(matches!(
        check(&good, public, POLL_PATH, TIMESTAMP + 121),
        Err(Error::StaleTimestamp { .. })
    ));
    assert!(matches!(
        check(&good, public, POLL_PATH, TIMESTAMP - 121),
        Err(Error::StaleTimestamp { .. })
    ));
    assert_eq!(check(&good, public, POLL_PATH, TIMESTAMP + 120), Ok(()));
    assert_eq!(check(&good, public, POLL_PATH, TIMESTAMP - 120), Ok(()));
}

const POLL_KEY_PUBLIC: &str = "JUO5L_EJVRFHatyDadtt3JM2ZaEZeN2hQE7hBmypVZ0";
const POLL_KEY_SIGNATURE: &str =
    "YRGx1G8HRQ2VpC4CY1MRxJI0kHlqb4TrQOGTcGw7vBBXD7q7OQg_cZHYEmIQuOWQ8rBjC7yNYECkq2liKSmQBA";

/// The v1 addition: an enrolment that registers a poll-only key, and a poll signed with it.
/// The message is the device-request message of the device id, as for the device key; only
/// the key differs, and the server takes it for `GET challenges` and `GET status` alone.
#[test]
fn poll_key_vector() {
    assert_eq!(
        keys::public_key_to_wire(&poll_key().verifying_key()),
        POLL_KEY_PUBLIC
    );
    let body = format!(
        r#"{{"token":"pt_VGhpcyBpcyBhIHRva2Vu","public_key":"A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg","code":"123456","poll_key":"{POLL_KEY_PUBLIC}"}}"#
    );
    let parsed: crate::device_api::EnrollRequest = serde_json::from_str(&body).unwrap();
    assert_eq!(parsed.poll_key.as_deref(), Some(POLL_KEY_PUBLIC));
    // Without it, the body of before the addition still reads.
    let old: crate::device_api::EnrollRequest = serde_json::from_str(ENROLL_BODY).unwrap();
    assert_eq!(old.poll_key, None);

    let headers = request::sign(
        &[(DEVICE_ID, &poll_key())],
        "GET",
        POLL_PATH,
        TIMESTAMP,
        &NONCE,
        b"",
    );
    assert_eq!(headers.signature, POLL_KEY_SIGNATURE);
    let auth = parse(Some(DEVICE_ID), "1767225600", POLL_KEY_SIGNATURE);
    let poll_public = poll_key().verifying_key();
    assert_eq!(auth.verify(0, &poll_public, "GET", POLL_PATH, b""), Ok(()));
    // It is not the device key's signature: a server checking only the device key (every
    // answer) refuses it.
    assert_eq!(
        auth.verify(0, &device_key().verifying_key(), "GET", POLL_PATH, b""),
        Err(Error::BadSignature)
    );
}

#[test]
fn enrol_request_vector() {
    let message = message::device_request(
        "POST",
        "/device/v1/enroll",
        "",
        TIMESTAMP,
        "oKGio6SlpqeoqaqrrK2urw",
        ENROLL_BODY.as_bytes(),
    );
    assert_eq!(String::from_utf8(message).unwrap(), ENROLL_MESSAGE);
    let headers = request::sign(
        &[("", &device_key())],
        "POST",
        "/device/v1/enroll",
        TIMESTAMP,
        &NONCE,
        ENROLL_BODY.as_bytes(),
    );
    assert_eq!(headers.device, None);
    assert_eq!(headers.signature, ENROLL_SIGNATURE);
    // The server takes the key from the body.
    let body: crate::device_api::EnrollRequest = serde_json::from_str(ENROLL_BODY).unwrap();
    let key = keys::public_key_from_wire("public_key", &body.public_key).unwrap();
    let auth = parse(None, "1767225600", ENROLL_SIGNATURE);
    assert_eq!(auth.device_ids, vec![String::new()]);
    let mut guard = ReplayGuard::new(120);
    let verify = |guard: &mut ReplayGuard, body: &[u8]| {
        auth.verify_all(&[key], "POST", "/device/v1/enroll", body, TIMESTAMP, guard)
    };
    assert_eq!(verify(&mut guard, ENROLL_BODY.as_bytes()), Ok(()));
    assert_eq!(
        verify(&mut guard, ENROLL_BODY.as_bytes()),
        Err(Error::Replay)
    );
    let tampered = ENROLL_BODY.replace("123456", "123457");
    assert_eq!(
        verify(&mut ReplayGuard::new(120), tampered.as_bytes()),
        Err(Error::BadSignature)
    );
}

#[test]
fn challenge_vector() {
    let challenge = challenge();
    assert_eq!(
        String::from_utf8(challenge.signed_message()).unwrap(),
        CHALLENGE_MESSAGE
    );
    assert_eq!(challenge.signature, CHALLENGE_SIGNATURE);
    let server = server_key().verifying_key();
    assert_eq!(challenge.verify(&server, DEVICE_ID, TIMESTAMP + 59), Ok(()));
    assert_eq!(challenge.seconds_left(TIMESTAMP + 59), 1);

    // Flipped bit in the signature, a changed field, the wrong key.
    let mut flipped = challenge.clone();
    flipped.signature = flip_bit(&flipped.signature);
    assert_eq!(
        flipped.verify(&server, DEVICE_ID, TIMESTAMP),
        Err(Error::BadSignature)
    );
    let mut changed = challenge.clone();
    changed.ip = "203.0.113.8".into();
    assert_eq!(
        changed.verify(&server, DEVICE_ID, TIMESTAMP),
        Err(Error::BadSignature)
    );
    let mut numbers = challenge.clone();
    numbers.numbers = Some(vec![12, 47, 84]);
    assert_eq!(
        numbers.verify(&server, DEVICE_ID, TIMESTAMP),
        Err(Error::BadSignature)
    );
    assert_eq!(
        challenge.verify(&device_key().verifying_key(), DEVICE_ID, TIMESTAMP),
        Err(Error::BadSignature)
    );
    // Another device, expired (stale), too long a lifetime.
    assert!(matches!(
        challenge.verify(&server, "someone-else", TIMESTAMP),
        Err(Error::WrongDevice { .. })
    ));
    assert_eq!(
        challenge.verify(&server, DEVICE_ID, TIMESTAMP + 60),
        Err(Error::Expired {
            expires_at: TIMESTAMP + 60,
            now: TIMESTAMP + 60
        })
    );
    let long = UnsignedChallenge {
        id: challenge.id.clone(),
        nonce: challenge.nonce.clone(),
        device_id: DEVICE_ID.into(),
        site: "s".into(),
        account: "a".into(),
        ip: "i".into(),
        user_agent: "u".into(),
        created_at: TIMESTAMP,
        expires_at: TIMESTAMP + 121,
        numbers: None,
        number_entry: false,
    }
    .sign(&server_key());
    assert_eq!(
        long.verify(&server, DEVICE_ID, TIMESTAMP),
        Err(Error::LifetimeTooLong(121))
    );
    // Replay of a challenge on the device: the guard refuses an id it has seen.
    let mut seen = ReplayGuard::new(120);
    assert_eq!(
        seen.check_and_record(&challenge.id, challenge.created_at, TIMESTAMP),
        Ok(())
    );
    assert_eq!(
        seen.check_and_record(&challenge.id, challenge.created_at, TIMESTAMP),
        Err(Error::Replay)
    );
}

#[test]
fn answer_vector() {
    let challenge = challenge();
    let message = message::answer(
        &challenge.id,
        &challenge.nonce,
        DEVICE_ID,
        "approve",
        Some(47),
    );
    assert_eq!(String::from_utf8(message).unwrap(), ANSWER_MESSAGE);
    let answer = answer::sign(&challenge, Decision::Approve, Some(47), &device_key());
    assert_eq!(answer.signature, ANSWER_SIGNATURE);
    assert_eq!(
        serde_json::to_string(&answer).unwrap(),
        format!(r#"{{"decision":"approve","number":47,"signature":"{ANSWER_SIGNATURE}"}}"#)
    );
    let public = device_key().verifying_key();
    let verify = |a: &AnswerRequest, nonce: &str, key| {
        answer::verify(a, &challenge.id, nonce, DEVICE_ID, key, true)
    };
    assert_eq!(verify(&answer, &challenge.nonce, &public), Ok(()));
    // Flipped bit; another decision or number; another challenge nonce; the wrong key.
    let mut flipped = answer.clone();
    flipped.signature = flip_bit(&flipped.signature);
    assert_eq!(
        verify(&flipped, &challenge.nonce, &public),
        Err(Error::BadSignature)
    );
    let mut deny = answer.clone();
    deny.decision = Decision::Deny;
    assert_eq!(
        verify(&deny, &challenge.nonce, &public),
        Err(Error::BadSignature)
    );
    let mut number = answer.clone();
    number.number = Some(12);
    assert_eq!(
        verify(&number, &challenge.nonce, &public),
        Err(Error::BadSignature)
    );
    assert_eq!(
        verify(&answer, "another-nonce", &public),
        Err(Error::BadSignature)
    );
    let wrong = server_key().verifying_key();
    assert_eq!(
        verify(&answer, &challenge.nonce, &wrong),
        Err(Error::BadSignature)
    );
    // An approval must carry a number when choices are offered.
    let bare = answer::sign(&challenge, Decision::Approve, None, &device_key());
    assert_eq!(
        verify(&bare, &challenge.nonce, &public),
        Err(Error::NumberRequired)
    );
    let not_me = answer::sign(&challenge, Decision::NotMe, None, &device_key());
    assert_eq!(verify(&not_me, &challenge.nonce, &public), Ok(()));
}

#[test]
fn multi_device_poll() {
    let second = SigningKey::from_bytes(&[9; 32]);
    let headers = request::sign(
        &[(DEVICE_ID, &device_key()), ("second", &second)],
        "GET",
        POLL_PATH,
        TIMESTAMP,
        &NONCE,
        b"",
    );
    assert_eq!(
        headers.device.as_deref(),
        Some("dQw4w9WgXcQ-otentik_01,second")
    );
    let auth = RequestAuth::parse(
        headers.device.as_deref(),
        Some(&headers.timestamp),
        Some(&headers.nonce),
        Some(&headers.signature),
    )
    .unwrap();
    let keys = [device_key().verifying_key(), second.verifying_key()];
    let mut guard = ReplayGuard::new(120);
    assert_eq!(
        auth.verify_all(&keys, "GET", POLL_PATH, b"", TIMESTAMP, &mut guard),
        Ok(())
    );
    let swapped = [keys[1], keys[0]];
    assert_eq!(
        auth.verify_all(
            &swapped,
            "GET",
            POLL_PATH,
            b"",
            TIMESTAMP,
            &mut ReplayGuard::new(120)
        ),
        Err(Error::BadSignature)
    );
}

#[test]
fn header_parse_errors() {
    let sig = Some(POLL_SIGNATURE);
    let nonce = Some("oKGio6SlpqeoqaqrrK2urw");
    let err = |d: Option<&str>, t: Option<&str>, n: Option<&str>, s: Option<&str>| {
        RequestAuth::parse(d, t, n, s).unwrap_err().to_string()
    };
    assert_eq!(
        err(Some("d"), None, nonce, sig),
        "missing header Otentik-Timestamp"
    );
    assert_eq!(
        err(Some("d"), Some("-5"), nonce, sig),
        "malformed Otentik-Timestamp: expected unix seconds in decimal"
    );
    assert_eq!(
        err(Some("d"), Some("1"), Some("AAAA"), sig),
        "malformed Otentik-Nonce: expected 16 to 64 random bytes"
    );
    assert_eq!(
        err(Some("a,b"), Some("1"), nonce, sig),
        "malformed Otentik-Signature: one signature per device id is needed"
    );
    assert_eq!(
        err(Some("a b"), Some("1"), nonce, sig),
        "malformed Otentik-Device: device ids are base64url, comma-separated"
    );
}

const TYPED_CHALLENGE_MESSAGE: &str = "20:otentik-challenge-v1,25:ch_AAECAwQFBgcICQoLDA0ODw,35:bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2UtMzI,22:dQw4w9WgXcQ-otentik_01,9:SPSE Demo,9:penyedia1,11:203.0.113.7,45:Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0,10:1767225600,10:1767225660,0:,12:number_entry,";
const TYPED_CHALLENGE_SIGNATURE: &str =
    "Oz4Re6TLog7NwwZkbJxK3FVNjQwosJFnbSutylZ83WBPrQ66CPEUjM2GB7g88JkDd6shOnLw_eCK8e6tCaOjDA";
const STATUS_MESSAGE: &str = "17:otentik-status-v1,22:dQw4w9WgXcQ-otentik_01,7:revoked,10:1767225600,22:oKGio6SlpqeoqaqrrK2urw,";
const STATUS_SIGNATURE: &str =
    "NphNzebKA7yryPH4_pr7s03Uo70cv9pi1gSFL_biBkGXG9ZTt4s921n1vtnFXT28irefoTPTCkVhvT4utlyOCA";
const SERVER_FINGERPRINT: &str = "JPbtasv-EAnAMNfKVnwzykgwkRSYI2tVYabIKr7F3ig";

#[test]
fn typed_challenge_vector() {
    let typed = typed_challenge();
    assert_eq!(
        String::from_utf8(typed.signed_message()).unwrap(),
        TYPED_CHALLENGE_MESSAGE
    );
    assert_eq!(typed.signature, TYPED_CHALLENGE_SIGNATURE);
    let server = server_key().verifying_key();
    assert_eq!(typed.verify(&server, DEVICE_ID, TIMESTAMP), Ok(()));
    assert!(typed.asks_number() && challenge().asks_number());
    // On the wire the flag is a member; a challenge without it has none (older devices).
    let json = serde_json::to_value(&typed).unwrap();
    assert_eq!(json["number_entry"], true);
    assert_eq!(json["numbers"], serde_json::Value::Null);
    assert!(
        serde_json::to_value(challenge())
            .unwrap()
            .get("number_entry")
            .is_none()
    );
    // Dropping the flag (to make the device offer choices) breaks the signature; so does
    // adding choices to a typed challenge, which is refused as malformed first.
    let mut dropped = typed.clone();
    dropped.number_entry = false;
    assert_eq!(
        dropped.verify(&server, DEVICE_ID, TIMESTAMP),
        Err(Error::BadSignature)
    );
    let mut both = typed.clone();
    both.numbers = Some(vec![1, 2, 3]);
    assert!(matches!(
        both.verify(&server, DEVICE_ID, TIMESTAMP),
        Err(Error::Malformed {
            field: "numbers",
            ..
        })
    ));
    // The answer is signed as before, with the typed number; an approval without one is
    // refused.
    let answer = answer::sign(&typed, Decision::Approve, Some(47), &device_key());
    let public = device_key().verifying_key();
    assert_eq!(
        answer::verify(&answer, &typed.id, &typed.nonce, DEVICE_ID, &public, true),
        Ok(())
    );
    let bare = answer::sign(&typed, Decision::Approve, None, &device_key());
    assert_eq!(
        answer::verify(&bare, &typed.id, &typed.nonce, DEVICE_ID, &public, true),
        Err(Error::NumberRequired)
    );
}

#[test]
fn status_vector() {
    use crate::device_api::{DeviceState, RevokedStatusBody, StatusResponse};
    use crate::{ErrorBody, ErrorCode, status};
    let nonce = keys::encode(&NONCE);
    assert_eq!(
        String::from_utf8(message::status(DEVICE_ID, "revoked", TIMESTAMP, &nonce)).unwrap(),
        STATUS_MESSAGE
    );
    let signed = status::sign(
        &server_key(),
        DEVICE_ID,
        DeviceState::Revoked,
        TIMESTAMP,
        &nonce,
    );
    assert_eq!(signed.signature, STATUS_SIGNATURE);
    let server = server_key().verifying_key();
    assert_eq!(
        signed.verify(&server, DEVICE_ID, &nonce),
        Ok(DeviceState::Revoked)
    );
    // Replayed to another request, turned into "active", for another device, by another key,
    // or not signed at all: nothing to act on.
    let other_nonce = keys::encode(&[0xb0; 16]);
    assert_eq!(
        signed.verify(&server, DEVICE_ID, &other_nonce),
        Err(Error::BadSignature)
    );
    let mut flipped = signed.clone();
    flipped.state = DeviceState::Active;
    assert_eq!(
        flipped.verify(&server, DEVICE_ID, &nonce),
        Err(Error::BadSignature)
    );
    assert!(matches!(
        signed.verify(&server, "someone-else", &nonce),
        Err(Error::WrongDevice { .. })
    ));
    assert_eq!(
        signed.verify(&device_key().verifying_key(), DEVICE_ID, &nonce),
        Err(Error::BadSignature)
    );
    let unsigned: StatusResponse = serde_json::from_str(&format!(
        r#"{{"device_id":"{DEVICE_ID}","state":"revoked","server_time":{TIMESTAMP}}}"#
    ))
    .unwrap();
    assert!(matches!(
        unsigned.verify(&server, DEVICE_ID, &nonce),
        Err(Error::Malformed {
            field: "signature",
            ..
        })
    ));
    // The 410 body is the error and the signed status in one object.
    let body = RevokedStatusBody {
        error: ErrorBody {
            code: ErrorCode::DeviceRevoked,
            message: "revoked".into(),
        },
        status: signed.clone(),
    };
    let json = serde_json::to_string(&body).unwrap();
    assert_eq!(
        json,
        format!(
            r#"{{"code":"device_revoked","message":"revoked","device_id":"{DEVICE_ID}","state":"revoked","server_time":{TIMESTAMP},"signature":"{STATUS_SIGNATURE}"}}"#
        )
    );
    let as_error: ErrorBody = serde_json::from_str(&json).unwrap();
    assert_eq!(as_error.code, ErrorCode::DeviceRevoked);
    let back: RevokedStatusBody = serde_json::from_str(&json).unwrap();
    assert_eq!(back.status, signed);
}

#[test]
fn fingerprint_vector() {
    let fingerprint = keys::fingerprint(&server_key().verifying_key());
    assert_eq!(fingerprint, SERVER_FINGERPRINT);
    assert_eq!(fingerprint.len(), 43);
    assert_ne!(
        keys::fingerprint(&device_key().verifying_key()),
        fingerprint
    );
}

#[test]
fn device_ids_are_unique_and_the_replay_key_canonical() {
    let nonce = keys::encode(&NONCE);
    let sig = keys::signature_to_wire(&keys::sign(&device_key(), b"x"));
    let parse = |ids: &str, sigs: usize| {
        RequestAuth::parse(
            Some(ids),
            Some(&TIMESTAMP.to_string()),
            Some(&nonce),
            Some(&vec![sig.as_str(); sigs].join(",")),
        )
    };
    assert!(matches!(
        parse("aaa,bbb,aaa", 3),
        Err(Error::Malformed {
            field: "Otentik-Device",
            ..
        })
    ));
    let one = parse("bbb,aaa", 2).unwrap();
    let other = parse("aaa,bbb", 2).unwrap();
    assert_eq!(one.replay_key(), other.replay_key());
    assert_eq!(one.replay_key(), format!("aaa,bbb/{nonce}"));
}
