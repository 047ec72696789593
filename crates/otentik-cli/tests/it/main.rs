//! The `otentik` binary's integration tests, compiled as one binary. Each runs the built
//! command as a user would.
//!
//! - `scan`: `scan <IMAGE>...` on image files: payloads, `--json`, exit statuses 1 and 2.
//! - `capture`: `add --screen` and `add --clipboard` on a private Xvfb, into the real keyring.
//! - `stateless`: `inspect`, `code --uri`, `convert`, and bad input (exit status 2).
//! - `vault`: account commands against the real Secret Service: round trip, `kill -9` at
//!   random instants, no keyring (exit status 3), a damaged account list (exit status 4).
//! - `backup`: `import` of other apps' files and `export --format aegis`, on the real keyring:
//!   dry runs, duplicates, wrong passwords and damaged files (exit 2, nothing added), a
//!   backup restored into an empty vault, and `kill -9` during a 200-entry import.
//! - `browser`: `origin` and `browser-host` as a child process: framing, every message,
//!   malformed and oversized messages, a look-alike origin, a locked vault.
//! - `lock`: `lock on|off|passwd|status`: nothing readable in the keyring, exit status 5,
//!   the wait after wrong passwords, and `kill -9` during lock changes.
//! - `sandbox`: a data directory and keyring namespace of its own for each test.

// A test that cannot set up its world fails on the spot.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backup;
mod browser;
mod capture;
mod lock;
mod sandbox;
mod scan;
mod stateless;
mod vault;

/// The private Xvfb of the shared test support.
use otentik_test_support::xvfb;
