//! [`PushClient`]: the device API, one call per endpoint, each signed with the device key.
//!
//! A request whose timestamp the server finds too far from its clock is answered with
//! `clock_skew` and the server's `Date`; the request is then signed again once with the
//! server's time, so a device whose clock is off still works (and learns the offset).

use std::time::Duration;

use otentik_protocol::answer::{self, Decision};
use otentik_protocol::challenge::Challenge;
use otentik_protocol::device_api::{
    AnswerResponse, DeviceState, EnrollRequest, EnrollResponse, PollResponse, RevokedStatusBody,
    StatusResponse,
};
use otentik_protocol::features;
use otentik_protocol::keys::{self, SigningKey, VerifyingKey};
use reqwest::Method;
use serde::de::DeserializeOwned;

use super::clock::{self, CLOCK_WARNING_SECS};
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
    /// made once more with the code at the server's time. `poll_key` (optional) is registered
    /// as the device's poll-only key.
    #[allow(clippy::too_many_arguments)]
    pub async fn enroll(
        &self,
        server: &ServerUrl,
        key: &SigningKey,
        poll_key: Option<&VerifyingKey>,
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
                poll_key: poll_key.map(keys::public_key_to_wire),
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
    /// `wait` seconds, and checks every challenge before returning it. `now` is the device's
    /// clock and `offset` the server's offset learned before (server minus device), if any:
    /// expiry is checked against the device's clock corrected by it, never against the
    /// unsigned `server_time` of this answer (which is used only when nothing was learned
    /// yet). The poll declares this device's features (typed number entry).
    pub async fn poll(
        &self,
        server: &ServerUrl,
        devices: &[Device<'_>],
        wait: u64,
        now: u64,
        offset: Option<i64>,
    ) -> Result<Polled> {
        let signers: Vec<(&str, &SigningKey)> = devices.iter().map(|d| (d.id, d.key)).collect();
        let query = format!("wait={wait}&{}={}", features::PARAM, features::declared());
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
        let offset = offset.unwrap_or_else(|| clock::offset(response.server_time, now));
        let checked_at = now.saturating_add_signed(offset);
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
            match challenge.verify(device.server_key, device.id, checked_at) {
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

    /// Answers a challenge (approve with the chosen or typed number when the challenge asks
    /// for one).
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
        if decision == Decision::Approve && challenge.asks_number() != number.is_some() {
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

    /// Whether the enrolment is still active at the site. `Err(PushRevoked)` only when the
    /// server says so with a status signed by the key pinned at enrolment, over this very
    /// request's nonce: a bare or forged 410 (a proxy, a captive portal) is an error that
    /// leaves the account as it is. An unsigned `active` (servers before the signature) is
    /// taken as it is, since it changes nothing.
    pub async fn status(
        &self,
        server: &ServerUrl,
        device: &Device<'_>,
        now: u64,
    ) -> Result<Reply<StatusResponse>> {
        let signers = [(device.id, device.key)];
        let send = |at: u64| {
            self.transport.signed_raw(
                server,
                Method::GET,
                "/status",
                None,
                &signers,
                None,
                at,
                REQUEST_TIMEOUT,
            )
        };
        let mut raw = send(now).await?;
        if !matches!(raw.status.as_u16(), 200 | 410) {
            match raw.decode::<StatusResponse>(server) {
                Err(Error::PushClockSkew {
                    server_date: Some(server_now),
                }) => raw = send(server_now).await?,
                other => return other,
            }
        }
        let nonce = raw.nonce.clone();
        let unconfirmed = |why: String| Error::PushProtocol {
            detail: format!(
                "the server says this device is revoked, but {why}; the account is kept as it is"
            ),
        };
        match raw.status.as_u16() {
            410 => {
                let body: RevokedStatusBody = serde_json::from_slice(&raw.bytes)
                    .map_err(|_| unconfirmed("without a signed status".to_owned()))?;
                match body.status.verify(device.server_key, device.id, &nonce) {
                    Ok(DeviceState::Revoked) => Err(Error::PushRevoked),
                    Ok(DeviceState::Active) => Err(unconfirmed(
                        "its signed status says the device is active".to_owned(),
                    )),
                    Err(error) => Err(unconfirmed(format!(
                        "its status does not verify with the key pinned at enrolment ({error})"
                    ))),
                }
            }
            _ => {
                let reply: Reply<StatusResponse> = raw.decode(server)?;
                if reply.body.signature.is_empty() {
                    return Ok(reply);
                }
                match reply.body.verify(device.server_key, device.id, &nonce) {
                    Ok(DeviceState::Active) => Ok(reply),
                    Ok(DeviceState::Revoked) => Err(Error::PushRevoked),
                    Err(error) => Err(Error::PushProtocol {
                        detail: format!(
                            "the device status does not verify with the key pinned at enrolment ({error})"
                        ),
                    }),
                }
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use otentik_protocol::device_api::{DeviceState, RevokedStatusBody};
    use otentik_protocol::{ErrorBody, ErrorCode, status};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server on 127.0.0.1 that answers every request with `answer(nonce)`: status 410 and
    /// the body it returns (a hostile server, or a proxy, forging a revocation).
    async fn serve_410(answer: impl Fn(&str) -> String + Send + 'static) -> ServerUrl {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = Vec::new();
                let mut buffer = [0_u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    let read = socket.read(&mut buffer).await.unwrap();
                    if read == 0 {
                        break;
                    }
                    request.extend_from_slice(&buffer[..read]);
                }
                let text = String::from_utf8_lossy(&request).to_string();
                let nonce = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .starts_with("otentik-nonce:")
                            .then(|| l[14..].trim().to_owned())
                    })
                    .unwrap_or_default();
                let body = answer(&nonce);
                let reply = format!(
                    "HTTP/1.1 410 Gone\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                socket.write_all(reply.as_bytes()).await.unwrap();
            }
        });
        ServerUrl::parse(&format!("http://127.0.0.1:{port}/device/v1")).unwrap()
    }

    fn keys() -> (SigningKey, SigningKey) {
        (
            SigningKey::from_bytes(&[7; 32]),
            SigningKey::from_bytes(&[9; 32]),
        )
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    fn revoked_body(server_key: &SigningKey, device_id: &str, nonce: &str) -> String {
        serde_json::to_string(&RevokedStatusBody {
            error: ErrorBody {
                code: ErrorCode::DeviceRevoked,
                message: "TOTP was disabled".into(),
            },
            status: status::sign(server_key, device_id, DeviceState::Revoked, now(), nonce),
        })
        .unwrap()
    }

    #[tokio::test]
    async fn a_bare_or_forged_410_does_not_revoke_but_a_signed_one_does() {
        let (device_key, server_key) = keys();
        let pinned = server_key.verifying_key();
        let device = Device {
            id: "dev1",
            key: &device_key,
            server_key: &pinned,
        };
        let client = PushClient::new().unwrap();

        // A bare 410 with the usual error body: not enough.
        let bare = serve_410(|_| r#"{"code":"device_revoked","message":"gone"}"#.into()).await;
        let error = client.status(&bare, &device, now()).await.unwrap_err();
        assert!(
            matches!(&error, Error::PushProtocol { detail } if detail.contains("without a signed status")),
            "{error}"
        );

        // Signed by another key (a server in the middle), or over another request's nonce
        // (a replayed revocation): not enough either.
        let other = SigningKey::from_bytes(&[3; 32]);
        let forged = serve_410(move |nonce| revoked_body(&other, "dev1", nonce)).await;
        let error = client.status(&forged, &device, now()).await.unwrap_err();
        assert!(matches!(error, Error::PushProtocol { .. }), "{error}");
        let replay_key = server_key.clone();
        let replayed =
            serve_410(move |_| revoked_body(&replay_key, "dev1", &keys::encode(&[0xaa; 16]))).await;
        let error = client.status(&replayed, &device, now()).await.unwrap_err();
        assert!(matches!(error, Error::PushProtocol { .. }), "{error}");

        // Signed by the pinned key over this request's nonce: revoked.
        let genuine_key = server_key.clone();
        let genuine = serve_410(move |nonce| revoked_body(&genuine_key, "dev1", nonce)).await;
        let error = client.status(&genuine, &device, now()).await.unwrap_err();
        assert!(matches!(error, Error::PushRevoked), "{error}");
    }
}
