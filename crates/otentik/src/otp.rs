//! One-time codes: TOTP (RFC 6238) and HOTP (RFC 4226), with time passed in.
//!
//! totp-rs is the engine; it is wrapped here so that its feature flags and API changes cannot
//! reach our callers, and so that no input (any `t` from 0 to `u64::MAX`, any period or digit
//! count) can make it panic or overflow.

use subtle::ConstantTimeEq;

use crate::account::{Account, Algorithm, OtpKind};
use crate::secret::Secret;

/// The code `account` shows at `unix_time` (seconds since the epoch).
///
/// For HOTP the time is ignored and the code for the account's current `counter` is returned;
/// the caller persists the incremented counter *before* showing it (see the vault).
pub fn code_at(account: &Account, unix_time: u64) -> String {
    match account.kind {
        OtpKind::Totp => totp_code(
            &account.secret,
            account.algorithm,
            account.digits,
            account.period,
            unix_time,
        ),
        OtpKind::Hotp => hotp_code(
            &account.secret,
            account.algorithm,
            account.digits,
            account.counter,
        ),
        OtpKind::Steam => steam_code(&account.secret, account.period, unix_time),
    }
}

/// The Steam Guard code at `unix_time`: 5 characters of Steam's alphabet (HMAC-SHA1 of the
/// time step, truncated as in RFC 4226, then written in base 26).
pub fn steam_code(secret: &Secret, period: u32, unix_time: u64) -> String {
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::Steam)
        .with_digits(Account::STEAM_DIGITS)
        .with_step_duration(1)
        .with_skew(0)
        .with_secret(secret.expose().to_vec())
        .build_noncompliant()
        .generate(time_step(period, unix_time))
        .to_string()
}

/// Seconds left before the TOTP code of a `period`-second step changes (1 to `period`).
pub fn remaining(period: u32, unix_time: u64) -> u32 {
    let period = u64::from(period.max(1));
    // The remainder is below `period`, which fits in u32.
    u32::try_from(period - unix_time % period).unwrap_or(u32::MAX)
}

/// The TOTP time step that `unix_time` falls in.
pub fn time_step(period: u32, unix_time: u64) -> u64 {
    unix_time / u64::from(period.max(1))
}

/// The TOTP code at `unix_time`.
pub fn totp_code(
    secret: &Secret,
    algorithm: Algorithm,
    digits: u8,
    period: u32,
    unix_time: u64,
) -> String {
    hotp_code(secret, algorithm, digits, time_step(period, unix_time))
}

/// The HOTP code for `counter`.
pub fn hotp_code(secret: &Secret, algorithm: Algorithm, digits: u8, counter: u64) -> String {
    // A step of one second turns totp-rs's time into the HOTP counter itself.
    engine(secret, algorithm, digits)
        .generate(counter)
        .to_string()
}

/// Checks a typed TOTP `code` against the steps within `window` of the step of `unix_time`.
///
/// Returns the matched time step, so that a verifier can refuse a step it has already
/// accepted (RFC 6238 §5.2: a code is accepted once). Comparison is constant-time.
pub fn verify_totp(
    secret: &Secret,
    algorithm: Algorithm,
    digits: u8,
    period: u32,
    code: &str,
    unix_time: u64,
    window: u64,
) -> Option<u64> {
    let origin = time_step(period, unix_time);
    verify_counters(
        secret,
        algorithm,
        digits,
        code,
        origin.saturating_sub(window),
        origin.saturating_add(window),
    )
}

/// Checks a typed HOTP `code` against `counter ..= counter + look_ahead`; returns the matched
/// counter (the next valid counter is one more).
pub fn verify_hotp(
    secret: &Secret,
    algorithm: Algorithm,
    digits: u8,
    counter: u64,
    code: &str,
    look_ahead: u64,
) -> Option<u64> {
    verify_counters(
        secret,
        algorithm,
        digits,
        code,
        counter,
        counter.saturating_add(look_ahead),
    )
}

fn verify_counters(
    secret: &Secret,
    algorithm: Algorithm,
    digits: u8,
    code: &str,
    first: u64,
    last: u64,
) -> Option<u64> {
    let code = code.trim();
    if code.len() != usize::from(clamp_digits(digits)) || !code.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let engine = engine(secret, algorithm, digits);
    let mut found = None;
    // Every candidate is computed and compared, so timing does not reveal which one matched.
    for counter in first..=last {
        let candidate = engine.generate(counter).to_string();
        if bool::from(candidate.as_bytes().ct_eq(code.as_bytes())) && found.is_none() {
            found = Some(counter);
        }
    }
    found
}

/// Digits outside 6–9 only come from code that bypassed [`crate::otpauth::parse`]; they are
/// clamped to the 1–9 that HMAC truncation can produce, so that nothing panics.
fn clamp_digits(digits: u8) -> u8 {
    digits.clamp(1, 9)
}

fn engine(secret: &Secret, algorithm: Algorithm, digits: u8) -> totp_rs::Totp {
    let algorithm = match algorithm {
        Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
        Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
        Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
    };
    // `build_noncompliant`: 80-bit secrets are real (GitHub, Discord) and already validated.
    totp_rs::Builder::new()
        .with_algorithm(algorithm)
        .with_digits(clamp_digits(digits))
        .with_step_duration(1)
        .with_skew(0)
        .with_secret(secret.expose().to_vec())
        .build_noncompliant()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC4226_SECRET: &[u8] = b"12345678901234567890";
    const STEAM_VECTORS: &[(u64, &str)] = &[
        (59, "PV9M4"),
        (1111111109, "PY4YB"),
        (1234567890, "VHHQY"),
        (2000000000, "9N776"),
    ];

    /// Steam Guard codes, checked against an independent implementation (Python: HMAC-SHA1 of
    /// the step, RFC 4226 truncation, five characters of `23456789BCDFGHJKMNPQRTVWXY`).
    #[test]
    fn steam_codes() {
        let secret = Secret::new(b"12345678901234567890".to_vec());
        let account = Account::steam("Steam", "gamer", secret.clone());
        for (t, expected) in STEAM_VECTORS {
            assert_eq!(steam_code(&secret, 30, *t), *expected, "at {t}");
            assert_eq!(code_at(&account, *t), *expected, "code_at at {t}");
        }
    }

    #[test]
    fn rfc4226_appendix_d() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        let secret = Secret::new(RFC4226_SECRET.to_vec());
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(
                hotp_code(&secret, Algorithm::Sha1, 6, counter as u64),
                *code
            );
        }
    }

    #[test]
    fn nine_digits_are_the_low_digits_of_rfc4226_truncation() {
        // RFC 4226 appendix D, "Truncated" in decimal: 1284755224, 1094287082, 137359152.
        let secret = Secret::new(RFC4226_SECRET.to_vec());
        for (counter, code) in [(0, "284755224"), (1, "094287082"), (2, "137359152")] {
            assert_eq!(hotp_code(&secret, Algorithm::Sha1, 9, counter), code);
        }
    }

    #[test]
    fn rfc6238_appendix_b() {
        let sha1 = Secret::new(b"12345678901234567890".to_vec());
        let sha256 = Secret::new(b"12345678901234567890123456789012".to_vec());
        let sha512 = Secret::new(
            b"1234567890123456789012345678901234567890123456789012345678901234".to_vec(),
        );
        let table: [(u64, &str, &str, &str); 6] = [
            (59, "94287082", "46119246", "90693936"),
            (1111111109, "07081804", "68084774", "25091201"),
            (1111111111, "14050471", "67062674", "99943326"),
            (1234567890, "89005924", "91819424", "93441116"),
            (2000000000, "69279037", "90698825", "38618901"),
            (20000000000, "65353130", "77737706", "47863826"),
        ];
        for (t, c1, c256, c512) in table {
            assert_eq!(
                totp_code(&sha1, Algorithm::Sha1, 8, 30, t),
                c1,
                "SHA1 at {t}"
            );
            assert_eq!(
                totp_code(&sha256, Algorithm::Sha256, 8, 30, t),
                c256,
                "SHA256 at {t}"
            );
            assert_eq!(
                totp_code(&sha512, Algorithm::Sha512, 8, 30, t),
                c512,
                "SHA512 at {t}"
            );
        }
    }

    #[test]
    fn remaining_counts_down_within_the_period() {
        assert_eq!(remaining(30, 0), 30);
        assert_eq!(remaining(30, 29), 1);
        assert_eq!(remaining(30, 30), 30);
        assert_eq!(remaining(1, u64::MAX), 1);
        assert_eq!(remaining(0, 5), 1, "a zero period is treated as one second");
    }

    #[test]
    fn verify_accepts_the_window_and_reports_the_step() {
        let secret = Secret::new(RFC4226_SECRET.to_vec());
        let code = totp_code(&secret, Algorithm::Sha1, 6, 30, 1_000);
        assert_eq!(
            verify_totp(&secret, Algorithm::Sha1, 6, 30, &code, 1_000, 1),
            Some(33)
        );
        assert_eq!(
            verify_totp(&secret, Algorithm::Sha1, 6, 30, &code, 1_030, 1),
            Some(33)
        );
        assert_eq!(
            verify_totp(&secret, Algorithm::Sha1, 6, 30, &code, 1_060, 1),
            None
        );
        assert_eq!(
            verify_totp(&secret, Algorithm::Sha1, 6, 30, "12345", 1_000, 1),
            None
        );
        assert_eq!(
            verify_totp(&secret, Algorithm::Sha1, 6, 30, "abcdef", 1_000, 1),
            None
        );
    }

    #[test]
    fn verify_at_the_edges_of_time_does_not_overflow() {
        let secret = Secret::new(RFC4226_SECRET.to_vec());
        for t in [0, 1, u64::MAX - 1, u64::MAX] {
            let code = totp_code(&secret, Algorithm::Sha1, 6, 1, t);
            assert_eq!(
                verify_totp(&secret, Algorithm::Sha1, 6, 1, &code, t, 5),
                Some(t),
                "{t}"
            );
        }
    }

    #[test]
    fn hotp_verification_looks_ahead() {
        let secret = Secret::new(RFC4226_SECRET.to_vec());
        assert_eq!(
            verify_hotp(&secret, Algorithm::Sha1, 6, 0, "969429", 5),
            Some(3)
        );
        assert_eq!(
            verify_hotp(&secret, Algorithm::Sha1, 6, 4, "969429", 5),
            None
        );
    }
}
