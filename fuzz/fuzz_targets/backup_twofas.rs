//! Any bytes read as a `2fas` file (`otentik import --from 2fas`) must return `Ok` or `Err`,
//! never panic, with and without a password; detection must not panic either. Seed the corpus
//! with `crates/otentik/tests/data/backup/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otentik::backup::{self, Format};

fuzz_target!(|data: &[u8]| {
    let _ = backup::detect(data);
    let _ = backup::is_encrypted(data, Format::TwoFas);
    let _ = backup::read(data, Format::TwoFas, None);
    let _ = backup::read(data, Format::TwoFas, Some("otentik-fixture-password"));
});
