//! Any bytes read as a Google Authenticator export (`otentik import --from google`: a
//! screenshot of its QR code, or its `otpauth-migration://` lines as text) must return `Ok` or
//! `Err`, never panic; detection must not panic either. This workspace builds `otentik` without
//! its scanner, so images are refused here and the text lines are what is fuzzed; the in-suite
//! target (`tests/it/backup/fuzz.rs`) scans mutated screenshots. Seed the corpus with
//! `crates/otentik/tests/data/backup/uris.txt`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otentik::backup::{self, Format};

fuzz_target!(|data: &[u8]| {
    let _ = backup::detect(data);
    let _ = backup::read(data, Format::Google, None);
    let _ = backup::google::read_images(&[data, data]);
});
