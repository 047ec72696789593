//! Integration tests of `otentik-server` over real HTTP on 127.0.0.1 (one test binary).
//!
//! - `harness`: starts a server (in-process `router` on 127.0.0.1:0 with a manual clock, or the
//!   real binary) and a test device written on `otentik-protocol`.
//! - `push`: enrolment, approve / deny / not_me, number matching, expiry, replacement, rate
//!   limit, revocation after disable and reset, unregister, typed-code fallback, replay and
//!   clock-skew refusals, multi-device polls.
//! - `restart`: the binary restarted on the same SQLite file mid-flow.
//! - `demo`: the SPSE-like demo site walked with a cookie-keeping HTTP client, e-mail reset
//!   included.
//! - `bad_input`: malformed JSON, huge bodies, unknown fields, wrong content types, unicode
//!   ids: a clear 4xx, never a 500.
//! - `layering`: the demo as a layer: absent from the push server alone, behind the
//!   server-wide layers, one session cookie per browser, `--demo` in the binary.
//! - `transaction`: deferred statements and pipelines inside transactions, on both engines.
//! - `schema`: databases across releases: one made before the demo had its own migrations
//!   keeps working, and a new one gets the demo's table only with the demo.

#![allow(clippy::unwrap_used, clippy::expect_used)] // In tests a panic is the failure report.

mod bad_input;
mod connections;
mod demo;
mod harness;
mod keys;
mod layering;
mod postgres;
mod push;
mod restart;
mod schema;
mod sqlite_lock;
mod throttle;
mod transaction;
