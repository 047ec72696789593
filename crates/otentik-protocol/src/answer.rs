//! Device answers to a challenge: approve, deny or "bukan saya" (not me).

use serde::{Deserialize, Serialize};

use crate::challenge::Challenge;
use crate::device_api::AnswerRequest;
use crate::keys::{self, SigningKey, VerifyingKey};
use crate::{Error, message};

/// The user's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// "Ya": it is me, let me in.
    Approve,
    /// "Tidak": refuse this login.
    Deny,
    /// "Bukan saya": refuse, and report that someone else has the password.
    NotMe,
}

impl Decision {
    /// `approve`, `deny` or `not_me`, as signed and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Deny => "deny",
            Self::NotMe => "not_me",
        }
    }
}

/// Builds the signed answer body for `challenge`. `number` is the choice the user picked
/// (required to approve when the challenge offers numbers; otherwise `None`).
pub fn sign(
    challenge: &Challenge,
    decision: Decision,
    number: Option<u8>,
    device_key: &SigningKey,
) -> AnswerRequest {
    let msg = message::answer(
        &challenge.id,
        &challenge.nonce,
        &challenge.device_id,
        decision.as_str(),
        number,
    );
    AnswerRequest {
        decision,
        number,
        signature: keys::signature_to_wire(&keys::sign(device_key, &msg)),
    }
}

/// The server's check of an answer: the device signature over the challenge id, the challenge's
/// nonce (which only the server and the addressed device know), the decision and the number;
/// and that an approval carries a number exactly when the challenge asked for one (choices or
/// typed: `offers_numbers`). Whether the number is the right one is the server's business.
pub fn verify(
    answer: &AnswerRequest,
    challenge_id: &str,
    nonce: &str,
    device_id: &str,
    device_key: &VerifyingKey,
    offers_numbers: bool,
) -> Result<(), Error> {
    let signature = keys::signature_from_wire("signature", &answer.signature)?;
    let msg = message::answer(
        challenge_id,
        nonce,
        device_id,
        answer.decision.as_str(),
        answer.number,
    );
    keys::verify(device_key, &msg, &signature)?;
    if answer.decision == Decision::Approve && offers_numbers != answer.number.is_some() {
        return Err(Error::NumberRequired);
    }
    Ok(())
}
