//! No reader panics: on random bytes, and on fixtures with random bytes changed (the
//! in-suite fuzz target of every reader; the KDFs make each encrypted case slow, so the case
//! counts stay small and the mutations many).

use otentik::backup::{self, Format};
use proptest::prelude::*;

use super::fixtures::{PASSWORD, dir, fixtures_of};

fn mutate(mut bytes: Vec<u8>, edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    for (at, value) in edits {
        if !bytes.is_empty() {
            let at = at % bytes.len();
            bytes[at] = *value;
        }
    }
    if let Some(cut) = cut
        && !bytes.is_empty()
    {
        bytes.truncate(cut % bytes.len());
    }
    bytes
}

fn fuzz_format(format: Format, edits: &[(usize, u8)], cut: Option<usize>, noise: &[u8]) {
    let _ = backup::read(noise, format, Some(PASSWORD));
    let _ = backup::detect(noise);
    for (name, _) in fixtures_of(format) {
        let bytes = std::fs::read(dir().join(&name)).unwrap();
        let mutated = mutate(bytes, edits, cut);
        let _ = backup::detect(&mutated);
        let _ = backup::read(&mutated, format, Some(PASSWORD));
        let _ = backup::read(&mutated, format, None);
    }
}

macro_rules! fuzz_target {
    ($name:ident, $format:expr, $cases:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases($cases))]
            #[test]
            fn $name(
                edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
                cut in proptest::option::of(any::<usize>()),
                noise in proptest::collection::vec(any::<u8>(), 0..256),
            ) {
                fuzz_format($format, &edits, cut, &noise);
            }
        }
    };
}

fuzz_target!(aegis_never_panics, Format::Aegis, 12);
fuzz_target!(twofas_never_panics, Format::TwoFas, 16);
fuzz_target!(ente_never_panics, Format::Ente, 16);
fuzz_target!(proton_never_panics, Format::Proton, 16);
fuzz_target!(bitwarden_never_panics, Format::Bitwarden, 128);
fuzz_target!(andotp_never_panics, Format::AndOtp, 24);
fuzz_target!(freeotp_never_panics, Format::FreeOtpPlus, 128);
fuzz_target!(lastpass_never_panics, Format::LastPass, 128);
fuzz_target!(uris_never_panics, Format::Uris, 128);
// Screenshots: each mutated image that still decodes is scanned (a few hundred ms).
fuzz_target!(google_never_panics, Format::Google, 8);
