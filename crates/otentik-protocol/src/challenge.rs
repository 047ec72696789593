//! Login challenges: made and signed by the server, checked by the device before it shows one.

use serde::{Deserialize, Serialize};

use crate::keys::{self, SigningKey, VerifyingKey};
use crate::message::{self, ChallengeFields};
use crate::{Error, MAX_CHALLENGE_TTL_SECS};

/// A pending login request as delivered to one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// Challenge id (also the path segment of the answer endpoint).
    pub id: String,
    /// Random value the answer is bound to (base64url).
    pub nonce: String,
    /// The device this copy is addressed to.
    pub device_id: String,
    /// Site name (the enrolment issuer).
    pub site: String,
    /// Account name at the site.
    pub account: String,
    /// IP address of the browser that started the login.
    pub ip: String,
    /// User agent of that browser.
    pub user_agent: String,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds; at most 120 s after `created_at`.
    pub expires_at: u64,
    /// Number-matching choices to show, or `null` when number matching is off or typed.
    pub numbers: Option<Vec<u8>>,
    /// Typed number matching: the user types the number the site shows (`numbers` is then
    /// `null`). Sent only to devices that declared [`crate::features::NUMBER_ENTRY`]; absent
    /// (false) otherwise, so older devices see exactly the challenges they know.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub number_entry: bool,
    /// Server signature over [`message::challenge`], base64url.
    pub signature: String,
}

/// The values of a challenge before it is signed.
#[derive(Debug, Clone)]
pub struct UnsignedChallenge {
    /// See [`Challenge::id`].
    pub id: String,
    /// See [`Challenge::nonce`].
    pub nonce: String,
    /// See [`Challenge::device_id`].
    pub device_id: String,
    /// See [`Challenge::site`].
    pub site: String,
    /// See [`Challenge::account`].
    pub account: String,
    /// See [`Challenge::ip`].
    pub ip: String,
    /// See [`Challenge::user_agent`].
    pub user_agent: String,
    /// See [`Challenge::created_at`].
    pub created_at: u64,
    /// See [`Challenge::expires_at`].
    pub expires_at: u64,
    /// See [`Challenge::numbers`].
    pub numbers: Option<Vec<u8>>,
    /// See [`Challenge::number_entry`].
    pub number_entry: bool,
}

impl UnsignedChallenge {
    /// Signs with the server key.
    pub fn sign(self, server_key: &SigningKey) -> Challenge {
        let msg = message::challenge(&fields(
            &self.id,
            &self.nonce,
            &self.device_id,
            &self.site,
            &self.account,
            &self.ip,
            &self.user_agent,
            self.created_at,
            self.expires_at,
            self.numbers.as_deref(),
            self.number_entry,
        ));
        let signature = keys::signature_to_wire(&keys::sign(server_key, &msg));
        Challenge {
            id: self.id,
            nonce: self.nonce,
            device_id: self.device_id,
            site: self.site,
            account: self.account,
            ip: self.ip,
            user_agent: self.user_agent,
            created_at: self.created_at,
            expires_at: self.expires_at,
            numbers: self.numbers,
            number_entry: self.number_entry,
            signature,
        }
    }
}

impl Challenge {
    /// The exact bytes the server signed.
    pub fn signed_message(&self) -> Vec<u8> {
        message::challenge(&fields(
            &self.id,
            &self.nonce,
            &self.device_id,
            &self.site,
            &self.account,
            &self.ip,
            &self.user_agent,
            self.created_at,
            self.expires_at,
            self.numbers.as_deref(),
            self.number_entry,
        ))
    }

    /// What a device checks before showing a challenge: the server's signature with the pinned
    /// key, that it is addressed to this device, its lifetime, and that it has not expired at
    /// `now` (the device's time corrected by the server offset).
    pub fn verify(
        &self,
        server_key: &VerifyingKey,
        device_id: &str,
        now: u64,
    ) -> Result<(), Error> {
        if matches!(&self.numbers, Some(n) if n.is_empty() || n.len() > 9) {
            return Err(Error::Malformed {
                field: "numbers",
                reason: "expected null or 1 to 9 choices".into(),
            });
        }
        if self.number_entry && self.numbers.is_some() {
            return Err(Error::Malformed {
                field: "numbers",
                reason: "a typed-number challenge offers no choices".into(),
            });
        }
        let signature = keys::signature_from_wire("signature", &self.signature)?;
        keys::verify(server_key, &self.signed_message(), &signature)?;
        if self.device_id != device_id {
            return Err(Error::WrongDevice {
                expected: device_id.to_owned(),
                found: self.device_id.clone(),
            });
        }
        let lifetime = self.expires_at.saturating_sub(self.created_at);
        if lifetime > MAX_CHALLENGE_TTL_SECS {
            return Err(Error::LifetimeTooLong(lifetime));
        }
        if now >= self.expires_at {
            return Err(Error::Expired {
                expires_at: self.expires_at,
                now,
            });
        }
        Ok(())
    }

    /// Whether approving needs a number: typed or picked from the choices.
    pub fn asks_number(&self) -> bool {
        self.number_entry || self.numbers.is_some()
    }

    /// Seconds left at `now`.
    pub fn seconds_left(&self, now: u64) -> u64 {
        self.expires_at.saturating_sub(now)
    }
}

#[allow(clippy::too_many_arguments)]
fn fields<'a>(
    id: &'a str,
    nonce: &'a str,
    device_id: &'a str,
    site: &'a str,
    account: &'a str,
    ip: &'a str,
    user_agent: &'a str,
    created_at: u64,
    expires_at: u64,
    numbers: Option<&'a [u8]>,
    number_entry: bool,
) -> ChallengeFields<'a> {
    ChallengeFields {
        id,
        nonce,
        device_id,
        site,
        account,
        ip,
        user_agent,
        created_at,
        expires_at,
        numbers: numbers.unwrap_or(&[]),
        number_entry,
    }
}
