//! TwoFas: see `docs/backup.md`.

use super::{Format, Import, malformed};
use crate::error::Result;

/// Reads a TwoFas file.
pub(crate) fn read(bytes: &[u8], password: Option<&str>) -> Result<Import> {
    let _ = password;
    let _ = bytes;
    Err(malformed(Format::TwoFas, "reader not written yet"))
}
