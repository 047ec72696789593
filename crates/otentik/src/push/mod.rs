//! Push approvals: the authenticator's half of Otentik's open push protocol
//! (`docs/protocol.md`).
//!
//! - [`ServerUrl`]: HTTPS only, plain HTTP only to this computer; no way to skip certificate
//!   checks.
//! - [`PushClient`]: one call per device-API endpoint, every request signed by the device key,
//!   every challenge checked against the server key pinned at enrolment.
//! - [`accounts`]: the same for the vault's accounts (enrol after add, pending requests,
//!   answers, status before delete, unregister), keeping the vault's push state in step.
//! - [`poller`]: one long-poll per server in the background, with backoff, for the app and
//!   `otentik watch`.
//! - [`view`]: a login request as front ends show it, with the time left to answer.
//! - [`clock`]: the time, passed in; the server's clock offset.

pub mod accounts;
mod client;
pub mod clock;
pub mod poller;
mod transport;
pub mod view;

pub use accounts::{PendingRequest, PushStatus};
pub use client::{Device, POLL_WAIT_SECS, Polled, PushClient};
pub use clock::{Clock, SystemClock};
pub use otentik_protocol::answer::Decision;
pub use otentik_protocol::challenge::Challenge;
pub use otentik_protocol::device_api::AnswerResponse;
pub use otentik_protocol::rp_api::LoginState;
pub use poller::{PollerHandle, PushEvent};
pub use transport::{ServerCheck, ServerUrl, check_server};
pub use view::RequestView;
