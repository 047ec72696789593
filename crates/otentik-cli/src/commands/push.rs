//! Glue shared by the push commands: retrying pending enrolments, and requests as JSON.

use otentik::push::{PendingRequest, PushClient, accounts};
use otentik::vault::Vault;
use serde::Serialize;

use crate::messages;

/// The name this device gives itself at enrolment.
pub fn device_name() -> String {
    accounts::device_name("Otentik CLI")
}

/// Retries the enrolment of every account whose push server could not be reached before.
/// Problems are printed as warnings: codes work regardless.
pub async fn retry_pending(vault: &mut Vault, client: &PushClient, now: u64) {
    let pending = accounts::waiting_enrolments(vault);
    for id in pending {
        match accounts::enroll(vault, client, &id, &device_name(), now).await {
            Ok(account) => println!("{}", messages::push_enrolled_later(&account)),
            Err(error) => eprintln!("{}", messages::warning_line(&error.to_string())),
        }
    }
}

/// The JSON shape of a pending request (a contract: keep the field names).
#[derive(Debug, Serialize)]
pub struct RequestJson {
    /// Request id, for `approve` / `deny`.
    pub id: String,
    /// The vault account.
    pub account_id: String,
    /// The account's label in Otentik.
    pub account: String,
    /// The site's name.
    pub site: String,
    /// The user at the site.
    pub site_account: String,
    /// The browser's IP address.
    pub ip: String,
    /// The browser's user agent.
    pub browser: String,
    /// When the login was attempted (Unix seconds, server clock).
    pub time: u64,
    /// When the request expires (Unix seconds, server clock).
    pub expires_at: u64,
    /// Seconds left to answer.
    pub seconds_left: u64,
    /// Number choices when the site asks to match a number.
    pub numbers: Option<Vec<u8>>,
}

impl RequestJson {
    /// From a pending request; `server_now` is the server's clock.
    pub fn new(request: &PendingRequest, server_now: u64) -> Self {
        let c = &request.challenge;
        Self {
            id: c.id.clone(),
            account_id: request.account_id.clone(),
            account: request.account_label.clone(),
            site: c.site.clone(),
            site_account: c.account.clone(),
            ip: c.ip.clone(),
            browser: c.user_agent.clone(),
            time: c.created_at,
            expires_at: c.expires_at,
            seconds_left: c.seconds_left(server_now),
            numbers: c.numbers.clone(),
        }
    }
}
