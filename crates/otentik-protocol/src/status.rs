//! Server-signed device status: what a device trusts before it marks an account revoked.
//!
//! A `410 Gone` or a `revoked` list in a poll answer is not signed, so anyone on the path (a
//! captive portal, a proxy) could forge one. The device asks `GET /device/v1/status`, whose
//! answer (200 for active, 410 for revoked) carries the server's signature over the device id,
//! the state, the server time and the nonce of that very request; only a verified `revoked`
//! marks the account revoked.

use crate::device_api::{DeviceState, StatusResponse};
use crate::keys::{self, SigningKey, VerifyingKey};
use crate::{Error, message};

/// The server's signed status of `device_id`, answering the request with nonce
/// `request_nonce`.
pub fn sign(
    server_key: &SigningKey,
    device_id: &str,
    state: DeviceState,
    server_time: u64,
    request_nonce: &str,
) -> StatusResponse {
    let msg = message::status(device_id, state.as_str(), server_time, request_nonce);
    StatusResponse {
        device_id: device_id.to_owned(),
        state,
        server_time,
        signature: keys::signature_to_wire(&keys::sign(server_key, &msg)),
    }
}

impl StatusResponse {
    /// The device's check: signed with the pinned server key, for this device, in answer to
    /// this request (`request_nonce`). Returns the state it can act on.
    pub fn verify(
        &self,
        server_key: &VerifyingKey,
        device_id: &str,
        request_nonce: &str,
    ) -> Result<DeviceState, Error> {
        if self.device_id != device_id {
            return Err(Error::WrongDevice {
                expected: device_id.to_owned(),
                found: self.device_id.clone(),
            });
        }
        if self.signature.is_empty() {
            return Err(Error::Malformed {
                field: "signature",
                reason: "the status is not signed".into(),
            });
        }
        let signature = keys::signature_from_wire("signature", &self.signature)?;
        let msg = message::status(
            &self.device_id,
            self.state.as_str(),
            self.server_time,
            request_nonce,
        );
        keys::verify(server_key, &msg, &signature)?;
        Ok(self.state)
    }
}
