//! [`PushClient`]: the device API, one call per endpoint, each signed with the device key.
//!
//! A request whose timestamp the server finds too far from its clock is answered with
//! `clock_skew` and the server's `Date`; the request is then signed again once with the
//! server's time, so a device whose clock is off still works (and learns the offset).

use std::time::Duration;

use otentik_protocol::answer::{self, Decision};
use otentik_protocol::challenge::Challenge;
use otentik_protocol::device_api::{
    AnswerResponse, EnrollRequest, EnrollResponse, PollResponse, StatusResponse,
};
use otentik_protocol::keys::{self, SigningKey, VerifyingKey};
use reqwest::Method;
use serde::de::DeserializeOwned;

use super::clock::CLOCK_WARNING_SECS;
use super::transport::{Reply, ServerUrl, Transport};
use crate::error::{Error, Result};

/// How long the client asks the server to hold a long-poll.
pub const POLL_WAIT_SECS: u64 = 25;

/// Extra time allowed on top of a long-poll's wait before the client gives up on it.
const POLL_SLACK: Duration = Duration::from_secs(10);
/// Timeout of ordinary requests.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A device: its id at the server, its signing key, and the server key pinned at enrolment.
pub struct Device<'a> {
    /// Device id the server assigned.
    pub id: &'a str,
    /// The device's Ed25519 signing key.
    pub key: &'a SigningKey,
    /// The server's Ed25519 public key, pinned at enrolment.
    pub server_key: &'a VerifyingKey,
}

/// The result of a poll: verified challenges, revoked devices, and the server's clock.
#[derive(Debug)]
pub struct Polled {
    /// Challenges whose server signature checked out, that are for one of the polling
    /// devices, and that have not expired.
    pub challenges: Vec<Challenge>,
    /// Challenges dropped, each with the reason (a hostile or confused server).
    pub rejected: Vec<String>,
    /// Polling devices the server reports revoked.
    pub revoked: Vec<String>,
    /// The server's clock.
    pub server_time: u64,
}

/// The device API of push servers.
#[derive(Clone)]
pub struct PushClient {
    transport: Transport,
}

impl PushClient {
    /// A client (rustls, platform roots, no redirects).
    pub fn new() -> Result<Self> {
        Ok(Self {
            transport: Transport::new()?,
        })
    }

    /// Enrols a new device with the one-time `token` and a TOTP code of the seed:
    /// `code_at(t)` gives the code at time `t`. When the server's clock differs from ours
    /// (a `clock_skew` answer, or a refused code with a `Date` far from `now`), the request is
    /// made once more with the code at the server's time.
    pub async fn enroll(
        &self,
        server: &ServerUrl,
        key: &SigningKey,
        token: &str,
        code_at: impl Fn(u64) -> String,
        device_name: &str,
        now: u64,
    ) -> Result<Reply<EnrollResponse>> {
        let signers = [("", key)];
        let signers = &signers;
        let attempt = |at: u64| {
            let body = EnrollRequest {
                token: token.to_owned(),
                public_key: keys::public_key_to_wire(&key.verifying_key()),
                code: code_at(at),
                device_name: Some(device_name.chars().take(64).collect()),
            };
            let body = serde_json::to_vec(&body).unwrap_or_default();
            self.transport.signed(
                server,
                Method::POST,
                "/enroll",
                None,
                signers,
                Some(body),
                at,
                REQUEST_TIMEOUT,
            )
        };
        match attempt(now).await {
            Err(Error::PushClockSkew {
                server_date: Some(server_now),
            }) => attempt(server_now).await,
            Err(Error::PushRejected {
                code,
                server_date: Some(server_now),
                ..
            }) if code == otentik_protocol::ErrorCode::InvalidCode.as_str()
                && server_now.abs_diff(now) > CLOCK_WARNING_SECS =>
            {
                attempt(server_now).await
            }
            other => other,
        }
    }

    /// Long-polls for pending challenges of `devices` (all on `server`), waiting up to
    /// `wait` seconds, and checks every challenge before returning it.
    pub async fn poll(
        &self,
        server: &ServerUrl,
        devices: &[Device<'_>],
        wait: u64,
        now: u64,
    ) -> Result<Polled> {
        let signers: Vec<(&str, &SigningKey)> = devices.iter().map(|d| (d.id, d.key)).collect();
        let query = format!("wait={wait}");
        let timeout = Duration::from_secs(wait) + POLL_SLACK;
        let reply: Reply<PollResponse> = self
            .send(
                server,
                Method::GET,
                "/challenges",
                Some(&query),
                &signers,
                None,
                now,
                timeout,
            )
            .await?;
        let response = reply.body;
        let mut challenges: Vec<Challenge> = Vec::new();
        let mut rejected = Vec::new();
        for challenge in response.challenges {
            let Some(device) = devices.iter().find(|d| d.id == challenge.device_id) else {
                rejected.push(format!(
                    "request {} is for a device that did not ask",
                    short_id(&challenge.id)
                ));
                continue;
            };
            match challenge.verify(device.server_key, device.id, response.server_time) {
                Ok(()) if challenges.iter().any(|c| c.id == challenge.id) => {}
                Ok(()) => challenges.push(challenge),
                Err(error) => {
                    rejected.push(format!("request {}: {error}", short_id(&challenge.id)))
                }
            }
        }
        let revoked = response
            .revoked
            .into_iter()
            .filter(|id| devices.iter().any(|d| d.id == id))
            .collect();
        Ok(Polled {
            challenges,
            rejected,
            revoked,
            server_time: response.server_time,
        })
    }

    /// Answers a challenge (approve with the chosen number when number matching is on).
    pub async fn answer(
        &self,
        server: &ServerUrl,
        device: &Device<'_>,
        challenge: &Challenge,
        decision: Decision,
        number: Option<u8>,
        now: u64,
    ) -> Result<AnswerResponse> {
        let number = if decision == Decision::Approve {
            number
        } else {
            None
        };
        if decision == Decision::Approve && challenge.numbers.is_some() != number.is_some() {
            return Err(Error::PushNumberRequired);
        }
        let body = answer::sign(challenge, decision, number, device.key);
        let body = serde_json::to_vec(&body).map_err(|e| Error::PushProtocol {
            detail: e.to_string(),
        })?;
        let path = format!("/challenges/{}/answer", challenge.id);
        let reply: Reply<AnswerResponse> = self
            .send(
                server,
                Method::POST,
                &path,
                None,
                &[(device.id, device.key)],
                Some(body),
                now,
                REQUEST_TIMEOUT,
            )
            .await?;
        Ok(reply.body)
    }

    /// Whether the enrolment is still active at the site (a revoked one is `Err(PushRevoked)`).
    pub async fn status(
        &self,
        server: &ServerUrl,
        device: &Device<'_>,
        now: u64,
    ) -> Result<Reply<StatusResponse>> {
        self.send(
            server,
            Method::GET,
            "/status",
            None,
            &[(device.id, device.key)],
            None,
            now,
            REQUEST_TIMEOUT,
        )
        .await
    }

    /// Tells the server this device is gone.
    pub async fn unregister(
        &self,
        server: &ServerUrl,
        device: &Device<'_>,
        now: u64,
    ) -> Result<()> {
        let result: Result<Reply<serde_json::Value>> = self
            .send(
                server,
                Method::POST,
                "/unregister",
                None,
                &[(device.id, device.key)],
                None,
                now,
                REQUEST_TIMEOUT,
            )
            .await;
        result.map(|_| ())
    }

    /// Sends, and on `clock_skew` signs once more with the server's time.
    #[allow(clippy::too_many_arguments)]
    async fn send<T: DeserializeOwned>(
        &self,
        server: &ServerUrl,
        method: Method,
        path: &str,
        query: Option<&str>,
        devices: &[(&str, &SigningKey)],
        body: Option<Vec<u8>>,
        now: u64,
        timeout: Duration,
    ) -> Result<Reply<T>> {
        let first = self
            .transport
            .signed(
                server,
                method.clone(),
                path,
                query,
                devices,
                body.clone(),
                now,
                timeout,
            )
            .await;
        match first {
            Err(Error::PushClockSkew {
                server_date: Some(server_now),
            }) => {
                self.transport
                    .signed(
                        server, method, path, query, devices, body, server_now, timeout,
                    )
                    .await
            }
            other => other,
        }
    }
}

/// The first characters of an id, for messages.
fn short_id(id: &str) -> String {
    id.chars().take(12).collect()
}
