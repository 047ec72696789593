//! HTTP to a push server: address rules, signed requests, and the mapping of every answer
//! (including hostile ones) to [`Error`].

use std::net::IpAddr;
use std::time::Duration;

use otentik_protocol::keys::SigningKey;
use otentik_protocol::request::{self, header};
use otentik_protocol::{ErrorBody, ErrorCode};
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// The largest answer body read from a push server.
const MAX_BODY: usize = 256 * 1024;

/// A push server's device API base URL, checked: `https://…`, or `http://` to this computer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerUrl(url::Url);

impl ServerUrl {
    /// Checks the transport rule: HTTPS only, plain HTTP only to loopback addresses.
    pub fn parse(text: &str) -> Result<Self> {
        let insecure = || Error::PushUrlInsecure {
            url: text.to_owned(),
        };
        let url = url::Url::parse(text).map_err(|_| insecure())?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            _ => return Err(insecure()),
        }
        if url.host_str().is_none_or(str::is_empty)
            || url.query().is_some()
            || !url.username().is_empty()
        {
            return Err(insecure());
        }
        Ok(Self(url))
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// The host, for messages.
    pub fn host(&self) -> String {
        let host = self.0.host_str().unwrap_or_default();
        match self.0.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    /// Whether a TCP connection to the server opens within `timeout`: the cheap probe that
    /// tells a poller in backoff that the network (or the server) is back.
    pub async fn reachable(&self, timeout: Duration) -> bool {
        let (Some(host), Some(port)) = (self.0.host_str(), self.0.port_or_known_default()) else {
            return false;
        };
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        matches!(
            tokio::time::timeout(
                timeout,
                tokio::net::TcpStream::connect((host.as_str(), port))
            )
            .await,
            Ok(Ok(_))
        )
    }

    /// `base/path?query`, and the path-and-query that gets signed.
    fn endpoint(&self, path: &str, query: Option<&str>) -> (url::Url, String) {
        let mut url = self.0.clone();
        let base = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base}{path}"));
        url.set_query(query);
        let signed = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        (url, signed)
    }
}

/// Where an enrolment would send this device's login approvals, for the confirmation screen:
/// the push server's host, whether it is on this computer or a private network (a demo, or a
/// QR code that points somewhere the user did not expect), and, when the issuer names a
/// domain (`lpse.bandung.go.id`), whether the host belongs to it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServerCheck {
    /// `host[:port]` of the push server.
    pub host: String,
    /// Loopback, `localhost`, a `.local` name, or a private, link-local or unique-local
    /// address.
    pub local: bool,
    /// `Some(true)` when the issuer names a domain the host is in (or under), `Some(false)`
    /// when it names one the host is not in, `None` when the issuer names no domain.
    pub matches_issuer: Option<bool>,
}

/// See [`ServerCheck`]. `push_url` is the QR code's `push_url` (already checked by the
/// parser); an unparsable one gives its text as the host.
pub fn check_server(push_url: &str, issuer: &str) -> ServerCheck {
    let Ok(url) = url::Url::parse(push_url) else {
        return ServerCheck {
            host: push_url.chars().take(80).collect(),
            local: false,
            matches_issuer: None,
        };
    };
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let local = is_loopback(&url)
        || match url.host() {
            Some(url::Host::Domain(_)) => host.ends_with(".localhost") || host.ends_with(".local"),
            Some(url::Host::Ipv4(ip)) => {
                ip.is_private() || ip.is_link_local() || ip.is_unspecified()
            }
            Some(url::Host::Ipv6(ip)) => {
                let first = ip.segments()[0];
                ip.is_unspecified() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
            }
            None => false,
        };
    let domains: Vec<String> = issuer
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | '/' | ':' | '@'))
        .map(|token| token.trim_matches('.').to_ascii_lowercase())
        .filter(|token| {
            token.contains('.')
                && token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
                && token.bytes().any(|b| b.is_ascii_alphabetic())
        })
        .collect();
    let matches_issuer = (!domains.is_empty()).then(|| {
        domains.iter().any(|domain| {
            host == *domain
                || host.ends_with(&format!(".{domain}"))
                || domain.ends_with(&format!(".{host}"))
        })
    });
    ServerCheck {
        host: url[url::Position::BeforeHost..url::Position::AfterPort].to_owned(),
        local,
        matches_issuer,
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// An HTTP client for push servers: rustls with the platform's roots; certificate errors are
/// errors, and there is no way to turn verification off.
#[derive(Clone)]
pub struct Transport {
    http: reqwest::Client,
}

/// A decoded answer and the server's clock reading.
#[derive(Debug)]
pub struct Reply<T> {
    /// The body.
    pub body: T,
    /// The server's clock, from its `Date` header, when present.
    pub server_date: Option<u64>,
}

impl Transport {
    /// A client; `timeout` bounds each whole request (long-polls pass a longer one).
    pub fn new() -> Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("Otentik/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::PushProtocol {
                detail: format!("HTTP client: {e}"),
            })?;
        Ok(Self { http })
    }

    /// Sends a device-signed request and decodes the answer.
    #[allow(clippy::too_many_arguments)]
    pub async fn signed<T: DeserializeOwned>(
        &self,
        server: &ServerUrl,
        method: reqwest::Method,
        path: &str,
        query: Option<&str>,
        devices: &[(&str, &SigningKey)],
        body: Option<Vec<u8>>,
        timestamp: u64,
        timeout: Duration,
    ) -> Result<Reply<T>> {
        let raw = self
            .signed_raw(
                server, method, path, query, devices, body, timestamp, timeout,
            )
            .await?;
        raw.decode(server)
    }

    /// Sends a device-signed request and returns the answer undecoded, with the request's
    /// nonce (which a signed status is bound to).
    #[allow(clippy::too_many_arguments)]
    pub async fn signed_raw(
        &self,
        server: &ServerUrl,
        method: reqwest::Method,
        path: &str,
        query: Option<&str>,
        devices: &[(&str, &SigningKey)],
        body: Option<Vec<u8>>,
        timestamp: u64,
        timeout: Duration,
    ) -> Result<RawReply> {
        let (url, signed_path) = server.endpoint(path, query);
        let body = body.unwrap_or_default();
        let nonce: [u8; 16] = rand::random();
        let headers = request::sign(
            devices,
            method.as_str(),
            &signed_path,
            timestamp,
            &nonce,
            &body,
        );
        let nonce = headers.nonce.clone();
        let mut builder = self
            .http
            .request(method, url)
            .timeout(timeout)
            .header(header::TIMESTAMP, headers.timestamp)
            .header(header::NONCE, headers.nonce)
            .header(header::SIGNATURE, headers.signature);
        if let Some(device) = headers.device {
            builder = builder.header(header::DEVICE, device);
        }
        if !body.is_empty() {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = builder.send().await.map_err(|e| unreachable(server, &e))?;
        let status = response.status();
        let server_date = response
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs());
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY as u64)
        {
            return Err(Error::PushProtocol {
                detail: "the answer is too large".to_owned(),
            });
        }
        let bytes = read_limited(server, response).await?;
        Ok(RawReply {
            status,
            bytes,
            server_date,
            nonce,
        })
    }
}

/// An answer as it came, before it is decoded.
pub struct RawReply {
    /// The HTTP status.
    pub status: reqwest::StatusCode,
    /// The body (at most 256 KiB).
    pub bytes: Vec<u8>,
    /// The server's clock, from its `Date` header, when present.
    pub server_date: Option<u64>,
    /// The nonce the request was signed with (base64url, as sent).
    pub nonce: String,
}

impl RawReply {
    /// The body as `T` on success, else the error the answer means.
    pub fn decode<T: DeserializeOwned>(self, server: &ServerUrl) -> Result<Reply<T>> {
        let RawReply {
            status,
            bytes,
            server_date,
            ..
        } = self;
        if status.is_success() {
            // 204 No Content reads as JSON `null`.
            let bytes = if bytes.is_empty() {
                b"null".to_vec()
            } else {
                bytes
            };
            let body = serde_json::from_slice(&bytes).map_err(|e| Error::PushProtocol {
                detail: format!("unexpected answer ({e})"),
            })?;
            return Ok(Reply { body, server_date });
        }
        Err(error_of(server, status, &bytes, server_date))
    }
}

fn unreachable(server: &ServerUrl, error: &reqwest::Error) -> Error {
    let detail = if error.is_timeout() {
        "no answer in time".to_owned()
    } else if error.is_connect() {
        // The source chain names the cause (refused, DNS, certificate) without any secret.
        let mut cause = String::from("cannot connect");
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            cause = inner.to_string();
            source = inner.source();
        }
        cause
    } else {
        error.to_string()
    };
    Error::PushUnreachable {
        server: server.host(),
        detail,
    }
}

fn error_of(
    server: &ServerUrl,
    status: reqwest::StatusCode,
    bytes: &[u8],
    server_date: Option<u64>,
) -> Error {
    let error: Option<ErrorBody> = serde_json::from_slice(bytes).ok();
    let (code, message) = match error {
        Some(ErrorBody { code, message }) => (Some(code), message),
        None => (None, format!("HTTP {status}")),
    };
    match code {
        Some(ErrorCode::DeviceRevoked) => Error::PushRevoked,
        Some(ErrorCode::ClockSkew) => Error::PushClockSkew { server_date },
        Some(ErrorCode::ChallengeNotFound) => Error::PushChallengeGone {
            reason: "it is no longer on the server",
        },
        Some(ErrorCode::ChallengeAnswered) => Error::PushChallengeGone {
            reason: "it was already answered",
        },
        Some(ErrorCode::ChallengeExpired) => Error::PushChallengeGone {
            reason: "it expired or a newer request replaced it",
        },
        _ if status.is_server_error() => Error::PushUnreachable {
            server: server.host(),
            detail: format!("the server failed (HTTP {})", status.as_u16()),
        },
        code => Error::PushRejected {
            code: match code {
                Some(code) if code != ErrorCode::Unknown => code.as_str().to_owned(),
                _ => format!("http_{}", status.as_u16()),
            },
            message: short(&message),
            server_date,
        },
    }
}

async fn read_limited(server: &ServerUrl, mut response: reqwest::Response) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| unreachable(server, &e))?
    {
        if bytes.len() + chunk.len() > MAX_BODY {
            return Err(Error::PushProtocol {
                detail: "the answer is too large".to_owned(),
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// A server's words, kept short and printable.
fn short(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_to_this_computer() {
        for ok in [
            "https://spse.example/device/v1",
            "http://127.0.0.1:9000/device/v1",
            "http://127.8.0.1/device/v1",
            "http://localhost:9000/device/v1",
            "http://[::1]:9000/device/v1",
        ] {
            assert!(ServerUrl::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://spse.example/device/v1",
            "http://10.0.0.1/device/v1",
            "http://localhost.evil.example/",
            "ftp://127.0.0.1/",
            "https://user@spse.example/",
            "not a url",
        ] {
            let error = ServerUrl::parse(bad).unwrap_err();
            assert!(
                matches!(error, Error::PushUrlInsecure { .. }),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn the_push_server_is_named_and_checked_against_the_issuer() {
        let check = check_server(
            "https://push.lpse.bandung.go.id/device/v1",
            "lpse.bandung.go.id",
        );
        assert_eq!(check.host, "push.lpse.bandung.go.id");
        assert!(!check.local);
        assert_eq!(check.matches_issuer, Some(true));
        let elsewhere = check_server("https://evil.example/device/v1", "LPSE lpse.bandung.go.id");
        assert_eq!(elsewhere.matches_issuer, Some(false));
        let named = check_server("https://spse.example/device/v1", "SPSE Demo");
        assert_eq!(named.matches_issuer, None, "a name is not a domain");
        for local in [
            "http://127.0.0.1:9000/device/v1",
            "http://localhost:9000/device/v1",
            "https://192.168.1.10/device/v1",
            "https://10.0.0.5/device/v1",
            "https://[fd00::1]/device/v1",
            "https://printer.local/device/v1",
        ] {
            assert!(check_server(local, "").local, "{local}");
        }
        assert_eq!(
            check_server("http://127.0.0.1:9000/device/v1", "").host,
            "127.0.0.1:9000"
        );
        assert!(!check_server("https://203.0.113.7/device/v1", "").local);
    }

    #[test]
    fn the_signed_path_is_the_path_the_server_sees() {
        let server = ServerUrl::parse("http://127.0.0.1:9000/device/v1/").unwrap();
        let (url, signed) = server.endpoint("/challenges", Some("wait=25"));
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9000/device/v1/challenges?wait=25"
        );
        assert_eq!(signed, "/device/v1/challenges?wait=25");
        assert_eq!(server.host(), "127.0.0.1:9000");
    }
}
