//! Any bytes read as a `bitwarden` file (`otentik import --from bitwarden`) must return `Ok` or `Err`,
//! never panic, with and without a password; detection must not panic either. Seed the corpus
//! with `crates/otentik/tests/data/backup/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otentik::backup::{self, Format};

fuzz_target!(|data: &[u8]| {
    let _ = backup::detect(data);
    let _ = backup::is_encrypted(data, Format::Bitwarden);
    let _ = backup::read(data, Format::Bitwarden, None);
    let _ = backup::read(data, Format::Bitwarden, Some("otentik-fixture-password"));
});
