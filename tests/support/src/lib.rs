//! What Otentik's tests and benchmarks share: the real server binary on a free port
//! ([`server`]), a private X display ([`xvfb`]), the private keyring session ([`keyring`]),
//! a throw-away PostgreSQL server ([`postgres`]),
//! the workspace's binaries ([`binary`]) and waiting on a condition ([`wait`]).
//!
//! Test code: panics are how it reports a broken environment, with what to do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

pub mod binary;
pub mod keyring;
pub mod postgres;
pub mod server;
pub mod wait;
pub mod xvfb;
