//! Backup readers and writers.
//!
//! - `fixtures`: every fixture of `tests/data/backup` read field by field against
//!   `expected.json`, and its damaged copies (empty, truncated, tampered, wrong password)
//!   refused, as the fixtures' README prescribes.
//! - `fuzz`: no reader panics on random bytes or on mutated fixtures.
//! - `writer`: the Aegis backups Otentik writes open in an independent reader (Python,
//!   `cryptography`), and the Google export QR payloads read back.

mod fixtures;
mod fuzz;
mod writer;
