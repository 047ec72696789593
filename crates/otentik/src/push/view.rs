//! A login request as front ends show it: the app's "Permintaan login" and
//! `otentik pending --json` / `otentik watch` print the same fields, computed here once.
//!
//! Times in a challenge are the server's; what is left is measured against this computer's
//! clock corrected by the account's clock offset (server minus device, as last learnt).

use serde::Serialize;

use super::PendingRequest;
use crate::vault::Vault;
use otentik_protocol::challenge::Challenge;

/// One login request waiting for the user's answer, at one instant. No secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RequestView {
    /// Request id, for approve / deny.
    pub id: String,
    /// The vault account it is for.
    pub account_id: String,
    /// The account's label in Otentik.
    pub account: String,
    /// The site's name.
    pub site: String,
    /// The user id at the site.
    pub site_account: String,
    /// The browser's IP address.
    pub ip: String,
    /// The browser's user agent.
    pub browser: String,
    /// When the login was attempted (Unix seconds, server clock).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub time: u64,
    /// When the request expires (Unix seconds, server clock).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub expires_at: u64,
    /// Whole seconds left to answer.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seconds_left: u64,
    /// Milliseconds left to answer.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub expires_in_ms: u64,
    /// Number choices when the site asks to match a number (`null` otherwise).
    pub numbers: Option<Vec<u8>>,
}

impl RequestView {
    /// The view at `now_ms` (this computer's clock, milliseconds since the Unix epoch) for an
    /// account whose server clock is `clock_offset` seconds ahead.
    pub fn new(request: &PendingRequest, now_ms: u64, clock_offset: i64) -> Self {
        let challenge = &request.challenge;
        let left_ms = time_left_ms(challenge, now_ms, clock_offset);
        Self {
            id: challenge.id.clone(),
            account_id: request.account_id.clone(),
            account: request.account_label.clone(),
            site: challenge.site.clone(),
            site_account: challenge.account.clone(),
            ip: challenge.ip.clone(),
            browser: challenge.user_agent.clone(),
            time: challenge.created_at,
            expires_at: challenge.expires_at,
            seconds_left: left_ms / 1000,
            expires_in_ms: left_ms,
            numbers: challenge.numbers.clone(),
        }
    }
}

/// Milliseconds until `challenge` expires, at `now_ms` on a device whose clock is
/// `clock_offset` seconds behind the server's; 0 once it has.
pub fn time_left_ms(challenge: &Challenge, now_ms: u64, clock_offset: i64) -> u64 {
    let server_now_ms = now_ms.saturating_add_signed(clock_offset.saturating_mul(1000));
    challenge
        .expires_at
        .saturating_mul(1000)
        .saturating_sub(server_now_ms)
}

/// The views of `requests` at `now_ms`, each with its account's clock offset. Requests that
/// expired, or whose account is gone from the vault or no longer has push, are left out and
/// returned apart so a queue can drop them.
pub fn visible(
    vault: &Vault,
    requests: &[PendingRequest],
    now_ms: u64,
) -> (Vec<RequestView>, Vec<String>) {
    let mut shown = Vec::new();
    let mut over = Vec::new();
    for request in requests {
        let offset = vault
            .get(&request.account_id)
            .ok()
            .and_then(|account| account.push.as_ref().map(|push| push.clock_offset));
        match offset {
            Some(offset) if time_left_ms(&request.challenge, now_ms, offset) > 0 => {
                shown.push(RequestView::new(request, now_ms, offset));
            }
            _ => over.push(request.challenge.id.clone()),
        }
    }
    (shown, over)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(expires_at: u64) -> PendingRequest {
        PendingRequest {
            account_id: "a1".into(),
            account_label: "SPSE Demo: penyedia1".into(),
            challenge: Challenge {
                id: "c1".into(),
                nonce: "n".into(),
                device_id: "d".into(),
                site: "SPSE Demo".into(),
                account: "penyedia1".into(),
                ip: "203.0.113.7".into(),
                user_agent: "Firefox/128".into(),
                created_at: expires_at - 60,
                expires_at,
                numbers: Some(vec![12, 47, 83]),
                number_entry: false,
                signature: String::new(),
            },
        }
    }

    #[test]
    fn time_left_follows_the_server_clock() {
        let r = request(1_000);
        // Device clock 10 s behind the server: at device time 940, the server says 950.
        assert_eq!(time_left_ms(&r.challenge, 940_000, 10), 50_000);
        assert_eq!(time_left_ms(&r.challenge, 940_500, 0), 59_500);
        assert_eq!(time_left_ms(&r.challenge, 1_000_000, 0), 0);
        assert_eq!(time_left_ms(&r.challenge, 2_000_000, -5), 0);
        // No overflow at the edges.
        assert_eq!(time_left_ms(&r.challenge, u64::MAX, i64::MAX), 0);
        assert_eq!(time_left_ms(&r.challenge, 0, i64::MIN), 1_000_000);
    }

    #[test]
    fn the_view_names_every_field_and_rounds_seconds_down() {
        let view = RequestView::new(&request(1_000), 940_500, 0);
        assert_eq!(
            serde_json::to_value(&view).unwrap(),
            serde_json::json!({
                "id": "c1",
                "account_id": "a1",
                "account": "SPSE Demo: penyedia1",
                "site": "SPSE Demo",
                "site_account": "penyedia1",
                "ip": "203.0.113.7",
                "browser": "Firefox/128",
                "time": 940,
                "expires_at": 1000,
                "seconds_left": 59,
                "expires_in_ms": 59_500,
                "numbers": [12, 47, 83],
            })
        );
    }

    #[test]
    fn requests_of_accounts_gone_or_without_push_and_expired_ones_are_over() {
        use crate::vault::MemoryStore;
        use crate::{Account, PushInvite, Secret};

        let dir = tempfile::tempdir().unwrap();
        let mut vault =
            Vault::open(dir.path().to_path_buf(), Box::new(MemoryStore::new())).unwrap();
        let mut push = Account::totp("SPSE Demo", "penyedia1", Secret::new(vec![1; 20]));
        push.push = Some(PushInvite {
            url: "http://127.0.0.1:9000/device/v1".into(),
            token: "t".into(),
        });
        let push_id = vault.add(&push, 0, false).unwrap().id;
        let plain = Account::totp("ACME", "bob", Secret::new(vec![2; 20]));
        let plain_id = vault.add(&plain, 0, false).unwrap().id;

        let mut live = request(1_000);
        live.account_id = push_id.clone();
        let mut expired = request(900);
        expired.account_id = push_id;
        expired.challenge.id = "c2".into();
        let mut no_push = request(1_000);
        no_push.account_id = plain_id;
        no_push.challenge.id = "c3".into();
        let mut gone = request(1_000);
        gone.account_id = "removed".into();
        gone.challenge.id = "c4".into();

        let (shown, over) = visible(&vault, &[live, expired, no_push, gone], 950_000);
        let ids: Vec<&str> = shown.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["c1"]);
        assert_eq!(over, ["c2", "c3", "c4"]);
    }
}
