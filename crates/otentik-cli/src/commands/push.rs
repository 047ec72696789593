//! Glue shared by the push commands: retrying pending enrolments.

use otentik::push::{PushClient, accounts};
use otentik::vault::Vault;

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
