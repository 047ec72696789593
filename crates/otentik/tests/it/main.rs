//! The `otentik` crate's integration tests, compiled as one binary.
//!
//! - `backup`: every import format against the fixtures of `tests/data/backup` (written by a
//!   Python generator from the published formats), their damaged copies, and fuzzing.
//! - `otpauth`: the Key URI format against real-world cases.
//! - `migration`: Google Authenticator exports, with independently encoded fixtures.
//! - `props`: property tests: round-trips, and no panic on any input or time.
//! - `vault`: the vault against the real Secret Service (`keyring`: access to it).
//! - `scan`: QR scanning: decode-rate floors on real photos and synthetic frames, no panic on
//!   hostile images, and the sources for real (screen and clipboard under Xvfb, camera thread).

// A test that cannot set up its world fails on the spot.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "backup")]
mod backup;
mod keyring;
mod migration;
mod otpauth;
mod props;
#[cfg(feature = "scan")]
mod scan;
mod vault;
