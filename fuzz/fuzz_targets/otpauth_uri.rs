//! Any text handed to the URI parser (otpauth:// and otpauth-migration://) must return
//! `Ok` or `Err`, never panic; what parses must format and parse back to the same account.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(accounts) = otentik::otpauth::parse_any(text) {
        for parsed in accounts {
            let uri = otentik::otpauth::format(&parsed.account);
            let again = otentik::otpauth::parse(&uri).map(|p| p.account);
            assert_eq!(again.ok(), Some(parsed.account));
        }
    }
});
