//! Aegis vault JSON: see `docs/backup.md`. Read (plain and encrypted, content versions 1–3)
//! and written (Otentik's backup format).

use super::{Entry, Format, Import, malformed};
use crate::error::Result;

/// Reads an Aegis vault.
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Import> {
    let _ = (bytes, password);
    Err(malformed(Format::Aegis, "reader not written yet"))
}

/// Writes `entries` as an Aegis vault: encrypted under `password` (one scrypt password slot),
/// or plain when `password` is `None`.
pub fn write(entries: &[Entry], password: Option<&str>) -> Result<Vec<u8>> {
    let _ = (entries, password);
    Err(malformed(Format::Aegis, "writer not written yet"))
}
