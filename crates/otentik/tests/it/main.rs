//! The `otentik` crate's integration tests, compiled as one binary.
//!
//! - `otpauth`: the Key URI format against real-world cases.
//! - `migration`: Google Authenticator exports, with independently encoded fixtures.
//! - `props`: property tests: round-trips, and no panic on any input or time.
//! - `vault`: the vault against the real Secret Service (`keyring`: access to it).

mod keyring;
mod migration;
mod otpauth;
mod props;
mod vault;
