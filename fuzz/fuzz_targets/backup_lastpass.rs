//! Any bytes read as a `lastpass` file (`otentik import --from lastpass`) must return `Ok` or `Err`,
//! never panic, with and without a password; detection must not panic either. Seed the corpus
//! with `crates/otentik/tests/data/backup/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otentik::backup::{self, Format};

fuzz_target!(|data: &[u8]| {
    let _ = backup::detect(data);
    let _ = backup::is_encrypted(data, Format::LastPass);
    let _ = backup::read(data, Format::LastPass, None);
    let _ = backup::read(data, Format::LastPass, Some("otentik-fixture-password"));
});
