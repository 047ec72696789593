//! Signing and verifying device requests.
//!
//! Every device-API request carries four headers: `Otentik-Device` (device ids, comma-separated;
//! absent on enrolment), `Otentik-Timestamp` (unix seconds), `Otentik-Nonce` (16 random bytes,
//! base64url) and `Otentik-Signature` (one signature per device id, same order). Each signature
//! is over [`crate::message::device_request`] with that signature's device id.

use crate::keys::{self, Signature, SigningKey, VerifyingKey};
use crate::replay::ReplayGuard;
use crate::{Error, MAX_CLOCK_SKEW_SECS, MAX_DEVICES_PER_POLL, message};

/// Header names (HTTP headers are case-insensitive; these are the canonical spellings).
pub mod header {
    /// Comma-separated device ids.
    pub const DEVICE: &str = "Otentik-Device";
    /// Unix seconds, decimal.
    pub const TIMESTAMP: &str = "Otentik-Timestamp";
    /// 16 random bytes, base64url.
    pub const NONCE: &str = "Otentik-Nonce";
    /// Comma-separated base64url signatures, one per device id.
    pub const SIGNATURE: &str = "Otentik-Signature";
}

/// The header values of one signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `Otentik-Device`; `None` on enrolment.
    pub device: Option<String>,
    /// `Otentik-Timestamp`.
    pub timestamp: String,
    /// `Otentik-Nonce`.
    pub nonce: String,
    /// `Otentik-Signature`.
    pub signature: String,
}

/// Signs a request for one or more devices (`device_id` is `""` for enrolment).
///
/// `nonce` must be 16 fresh random bytes; the caller provides them so this crate needs no RNG.
pub fn sign(
    devices: &[(&str, &SigningKey)],
    method: &str,
    path_and_query: &str,
    timestamp: u64,
    nonce: &[u8; 16],
    body: &[u8],
) -> SignedHeaders {
    let nonce = keys::encode(nonce);
    let signatures: Vec<String> = devices
        .iter()
        .map(|(id, key)| {
            let msg = message::device_request(method, path_and_query, id, timestamp, &nonce, body);
            keys::signature_to_wire(&keys::sign(key, &msg))
        })
        .collect();
    let ids: Vec<&str> = devices.iter().map(|(id, _)| *id).collect();
    let device = if ids.iter().all(|id| id.is_empty()) {
        None
    } else {
        Some(ids.join(","))
    };
    SignedHeaders {
        device,
        timestamp: timestamp.to_string(),
        nonce,
        signature: signatures.join(","),
    }
}

/// The parsed authentication headers of a request, not yet verified.
#[derive(Debug, Clone)]
pub struct RequestAuth {
    /// The device ids (`[""]` on enrolment).
    pub device_ids: Vec<String>,
    /// The request's timestamp.
    pub timestamp: u64,
    /// The request's nonce.
    pub nonce: String,
    signatures: Vec<Signature>,
}

impl RequestAuth {
    /// Parses the four header values (`device` is `None` on enrolment).
    pub fn parse(
        device: Option<&str>,
        timestamp: Option<&str>,
        nonce: Option<&str>,
        signature: Option<&str>,
    ) -> Result<Self, Error> {
        let timestamp = timestamp.ok_or(Error::MissingHeader(header::TIMESTAMP))?;
        let nonce = nonce.ok_or(Error::MissingHeader(header::NONCE))?;
        let signature = signature.ok_or(Error::MissingHeader(header::SIGNATURE))?;
        let timestamp: u64 = if !timestamp.is_empty()
            && timestamp.len() <= 20
            && timestamp.bytes().all(|b| b.is_ascii_digit())
        {
            timestamp
                .parse()
                .map_err(|_| malformed("Otentik-Timestamp", "out of range"))?
        } else {
            return Err(malformed(
                "Otentik-Timestamp",
                "expected unix seconds in decimal",
            ));
        };
        let nonce_len = keys::decode("Otentik-Nonce", nonce)?.len();
        if !(16..=64).contains(&nonce_len) {
            return Err(malformed("Otentik-Nonce", "expected 16 to 64 random bytes"));
        }
        let device_ids: Vec<String> = match device {
            None => vec![String::new()],
            Some(list) => list.split(',').map(|id| id.trim().to_owned()).collect(),
        };
        if device_ids.len() > MAX_DEVICES_PER_POLL {
            return Err(malformed("Otentik-Device", "more than 64 device ids"));
        }
        if device.is_some() && device_ids.iter().any(|id| !is_id(id)) {
            return Err(malformed(
                "Otentik-Device",
                "device ids are base64url, comma-separated",
            ));
        }
        let mut sorted: Vec<&str> = device_ids.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        if sorted.windows(2).any(|pair| pair[0] == pair[1]) {
            return Err(malformed("Otentik-Device", "a device id appears twice"));
        }
        let signatures = signature
            .split(',')
            .map(|s| keys::signature_from_wire("Otentik-Signature", s.trim()))
            .collect::<Result<Vec<_>, _>>()?;
        if signatures.len() != device_ids.len() {
            return Err(malformed(
                "Otentik-Signature",
                "one signature per device id is needed",
            ));
        }
        Ok(Self {
            device_ids,
            timestamp,
            nonce: nonce.to_owned(),
            signatures,
        })
    }

    /// Refuses a timestamp more than [`MAX_CLOCK_SKEW_SECS`] from `now`.
    pub fn check_time(&self, now: u64) -> Result<(), Error> {
        check_timestamp(self.timestamp, now)
    }

    /// Verifies the signature of the `index`-th device id with that device's key.
    pub fn verify(
        &self,
        index: usize,
        key: &VerifyingKey,
        method: &str,
        path_and_query: &str,
        body: &[u8],
    ) -> Result<(), Error> {
        let (Some(id), Some(signature)) = (self.device_ids.get(index), self.signatures.get(index))
        else {
            return Err(Error::BadSignature);
        };
        let msg = message::device_request(
            method,
            path_and_query,
            id,
            self.timestamp,
            &self.nonce,
            body,
        );
        keys::verify(key, &msg, signature)
    }

    /// The key under which a [`ReplayGuard`] remembers this request: the device ids sorted
    /// (so the same request with its ids reordered is the same request) and the nonce.
    pub fn replay_key(&self) -> String {
        let mut ids: Vec<&str> = self.device_ids.iter().map(String::as_str).collect();
        ids.sort_unstable();
        ids.dedup();
        format!("{}/{}", ids.join(","), self.nonce)
    }

    /// All checks in the order a server runs them: time, every signature, then replay.
    /// `keys[i]` is the registered key of `device_ids[i]`.
    pub fn verify_all(
        &self,
        keys: &[VerifyingKey],
        method: &str,
        path_and_query: &str,
        body: &[u8],
        now: u64,
        guard: &mut ReplayGuard,
    ) -> Result<(), Error> {
        self.check_time(now)?;
        if keys.len() != self.device_ids.len() {
            return Err(Error::BadSignature);
        }
        for (index, key) in keys.iter().enumerate() {
            self.verify(index, key, method, path_and_query, body)?;
        }
        guard.check_and_record(&self.replay_key(), self.timestamp, now)
    }
}

/// Refuses a timestamp more than [`MAX_CLOCK_SKEW_SECS`] from `now`, either way.
pub fn check_timestamp(timestamp: u64, now: u64) -> Result<(), Error> {
    if timestamp.abs_diff(now) > MAX_CLOCK_SKEW_SECS {
        return Err(Error::StaleTimestamp {
            timestamp,
            now,
            tolerance: MAX_CLOCK_SKEW_SECS,
        });
    }
    Ok(())
}

/// Whether `id` looks like an id of this protocol (1–64 base64url characters).
pub fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn malformed(field: &'static str, reason: &str) -> Error {
    Error::Malformed {
        field,
        reason: reason.to_owned(),
    }
}
