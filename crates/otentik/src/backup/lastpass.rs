//! LastPass: see `docs/backup.md`.

use super::{Format, Import, malformed};
use crate::error::Result;

/// Reads a LastPass file.
pub(crate) fn read(bytes: &[u8]) -> Result<Import> {
    let _ = bytes;
    Err(malformed(Format::LastPass, "reader not written yet"))
}
