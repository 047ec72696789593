//! Site origins an account is bound to (browser filling, `docs/browser.md`).
//!
//! An origin is a scheme, a host and a port, the way browsers compare them: `https://` on any
//! host, or `http://` only to this computer (`127.0.0.1`, `[::1]`, `localhost`: the demo site;
//! the same three the extension accepts, so a bound origin can always be filled).
//! [`Origin::parse`] writes every origin one way (lower-case host, no default port, no path),
//! so binding and filling compare strings exactly: a look-alike host never matches.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A normalised site origin: `https://lpse.bandung.go.id`, `http://127.0.0.1:8080`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Origin(String);

impl Origin {
    /// Reads an origin as a browser reports it (`location.origin`) or a user types it. A path
    /// of `/` is accepted (a pasted address); anything else beyond the origin is refused, so
    /// that what is bound is what the user sees.
    pub fn parse(text: &str) -> Result<Self> {
        let refuse = |reason| Error::InvalidOrigin {
            origin: shown(text),
            reason,
        };
        let trimmed = text.trim();
        let url = url::Url::parse(trimmed).map_err(|_| refuse("it is not a web address"))?;
        let loopback = match url.host() {
            Some(url::Host::Domain(domain)) => domain == "localhost",
            Some(url::Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
            Some(url::Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
            None => return Err(refuse("it names no site")),
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(refuse("plain http:// is allowed only to this computer")),
            _ => return Err(refuse("it must start with https://")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse("it must not hold a user name or password"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(refuse("it must be the site alone, without a path"));
        }
        // `Url` lower-cases the host, drops the default port and writes IPv6 in brackets.
        Ok(Self(url.origin().ascii_serialization()))
    }

    /// The origin as text, e.g. `https://lpse.bandung.go.id`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// At most 200 characters of what the user gave, for an error message.
fn shown(text: &str) -> String {
    text.trim().chars().take(200).collect()
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Origin {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        Self::parse(&text)
    }
}

impl From<Origin> for String {
    fn from(origin: Origin) -> Self {
        origin.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_written_one_way() {
        for (given, origin) in [
            ("https://lpse.bandung.go.id", "https://lpse.bandung.go.id"),
            ("https://LPSE.Bandung.go.id/", "https://lpse.bandung.go.id"),
            (
                "  https://lpse.bandung.go.id:443 ",
                "https://lpse.bandung.go.id",
            ),
            ("https://lpse.example:8443", "https://lpse.example:8443"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://localhost:3000/", "http://localhost:3000"),
            ("http://[::1]:80", "http://[::1]"),
            (
                "https://xn--bcher-kva.example",
                "https://xn--bcher-kva.example",
            ),
            ("https://bücher.example", "https://xn--bcher-kva.example"),
            // What browsers make of the same addresses.
            ("http://127.1", "http://127.0.0.1"),
            ("http://0x7f.0.0.1:8080", "http://127.0.0.1:8080"),
            // A trailing dot is another origin to a browser too: kept, so it never matches.
            ("https://lpse.example.", "https://lpse.example."),
        ] {
            assert_eq!(Origin::parse(given).unwrap().as_str(), origin, "{given}");
        }
    }

    #[test]
    fn what_cannot_be_bound_says_why() {
        for (given, reason) in [
            ("lpse.bandung.go.id", "it is not a web address"),
            (
                "http://lpse.bandung.go.id",
                "plain http:// is allowed only to this computer",
            ),
            (
                "http://10.0.0.1",
                "plain http:// is allowed only to this computer",
            ),
            (
                "http://127.0.0.2",
                "plain http:// is allowed only to this computer",
            ),
            (
                "http://localhost.",
                "plain http:// is allowed only to this computer",
            ),
            (
                "http://[::ffff:127.0.0.1]",
                "plain http:// is allowed only to this computer",
            ),
            ("ftp://lpse.example", "it must start with https://"),
            ("chrome-extension://abc/", "it must start with https://"),
            (
                "https://lpse.example/eproc4",
                "it must be the site alone, without a path",
            ),
            (
                "https://lpse.example/?a=1",
                "it must be the site alone, without a path",
            ),
            (
                "https://u:p@lpse.example",
                "it must not hold a user name or password",
            ),
            ("file:///etc/passwd", "it names no site"),
        ] {
            match Origin::parse(given) {
                Err(Error::InvalidOrigin { reason: why, .. }) => assert_eq!(why, reason, "{given}"),
                other => panic!("{given}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_look_alike_is_another_origin() {
        let real = Origin::parse("https://lpse.bandung.go.id").unwrap();
        for fake in [
            "https://lpse.bandung.go.id.evil.example",
            "https://lpse-bandung.go.id",
            "https://lpse.bandung.go.id:8443",
            "http://localhost",
        ] {
            assert_ne!(Origin::parse(fake).unwrap(), real, "{fake}");
        }
    }

    #[test]
    fn serde_refuses_what_parse_refuses() {
        let origin: Origin = serde_json::from_str("\"https://LPSE.example/\"").unwrap();
        assert_eq!(
            serde_json::to_string(&origin).unwrap(),
            "\"https://lpse.example\""
        );
        assert!(serde_json::from_str::<Origin>("\"http://lpse.example\"").is_err());
    }
}
