//! The primitives the formats use, each from a well-kept crate, with the bounds that keep a
//! hostile file from freezing the machine (`docs/backup.md`, "Passwords, limits, errors").

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore as _;
use zeroize::Zeroizing;

use super::{Format, malformed};
use crate::error::{Error, Result};

/// The largest scrypt `N` a file may ask for (Aegis writes 2^15).
pub const MAX_SCRYPT_LOG_N: u8 = 20;
/// The largest scrypt `r`.
pub const MAX_SCRYPT_R: u32 = 32;
/// The most memory scrypt may need (128·r·N bytes): 1 GiB (Aegis needs 32 MiB).
pub const MAX_SCRYPT_MEMORY: u64 = 1 << 30;
/// The largest scrypt `p`.
pub const MAX_SCRYPT_P: u32 = 16;
/// The most PBKDF2 iterations a file may ask for (andOTP writes ~150,000).
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// The most Argon2 memory a file may ask for, in bytes (Ente's "sensitive" level).
pub const MAX_ARGON2_MEMORY: u64 = 1 << 30;
/// The most Argon2 memory × passes (Ente keeps memLimit × opsLimit = 2^32).
pub const MAX_ARGON2_WORK: u64 = 1 << 32;

/// A 32-byte key, wiped on drop.
pub type Key = Zeroizing<[u8; 32]>;

/// `n` random bytes from the OS generator.
pub fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// AES-256-GCM decryption of `ciphertext ‖ tag`. A tag mismatch is
/// [`Error::BackupWrongPassword`]: a wrong password and a damaged file look the same.
pub fn aes_gcm_open(
    key: &[u8; 32],
    nonce: &[u8],
    ciphertext_and_tag: &[u8],
    aad: &[u8],
    format: Format,
) -> Result<Zeroizing<Vec<u8>>> {
    if nonce.len() != 12 {
        return Err(malformed(format, "the nonce is not 12 bytes"));
    }
    if ciphertext_and_tag.len() < 16 {
        return Err(malformed(format, "the encrypted data is truncated"));
    }
    let cipher = Aes256Gcm::new(key.into());
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext_and_tag,
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| wrong_password(format))
}

/// AES-256-GCM encryption: `ciphertext ‖ tag`.
pub fn aes_gcm_seal(key: &[u8; 32], nonce: &[u8; 12], plaintext: &[u8]) -> Result<Vec<u8>> {
    Aes256Gcm::new(key.into())
        .encrypt(Nonce::from_slice(nonce), plaintext)
        .map_err(|_| Error::BackupVerifyFailed {
            detail: "AES-GCM refused to encrypt".to_owned(),
        })
}

/// The error for a failed authentication tag.
pub fn wrong_password(format: Format) -> Error {
    Error::BackupWrongPassword {
        format: format.app_name(),
    }
}

/// scrypt with parameters from the file, bounded.
pub fn scrypt(password: &[u8], salt: &[u8], n: u64, r: u32, p: u32, format: Format) -> Result<Key> {
    let log_n = match n {
        n if n.is_power_of_two() && n >= 2 => n.trailing_zeros(),
        _ => {
            return Err(malformed(
                format,
                format!("scrypt N = {n} is not a power of two"),
            ));
        }
    };
    // scrypt needs 128·r·N bytes: bound the product too, or N = 2^20 with r = 32 asks 4 GiB.
    let memory = 128u64.saturating_mul(u64::from(r)).saturating_mul(n);
    if log_n > u32::from(MAX_SCRYPT_LOG_N)
        || r == 0
        || r > MAX_SCRYPT_R
        || p == 0
        || p > MAX_SCRYPT_P
        || memory > MAX_SCRYPT_MEMORY
    {
        return Err(too_costly(
            format,
            format!("scrypt N = {n}, r = {r}, p = {p}"),
        ));
    }
    let params = scrypt::Params::new(log_n as u8, r, p, 32)
        .map_err(|e| malformed(format, format!("scrypt parameters: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &params, key.as_mut())
        .map_err(|e| malformed(format, format!("scrypt: {e}")))?;
    Ok(key)
}

/// PBKDF2-HMAC-SHA256, bounded.
pub fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32, format: Format) -> Result<Key> {
    check_iterations(iterations, format)?;
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, key.as_mut());
    Ok(key)
}

/// PBKDF2-HMAC-SHA1, bounded.
pub fn pbkdf2_sha1(password: &[u8], salt: &[u8], iterations: u32, format: Format) -> Result<Key> {
    check_iterations(iterations, format)?;
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, iterations, key.as_mut());
    Ok(key)
}

fn check_iterations(iterations: u32, format: Format) -> Result<()> {
    if iterations == 0 {
        return Err(malformed(format, "zero PBKDF2 iterations"));
    }
    if iterations > MAX_PBKDF2_ITERATIONS {
        return Err(too_costly(
            format,
            format!("{iterations} PBKDF2 iterations"),
        ));
    }
    Ok(())
}

/// Argon2id (version 0x13) with `memory` in bytes, bounded.
pub fn argon2id(
    password: &[u8],
    salt: &[u8],
    memory: u64,
    passes: u32,
    lanes: u32,
    format: Format,
) -> Result<Key> {
    if memory > MAX_ARGON2_MEMORY || memory.saturating_mul(u64::from(passes)) > MAX_ARGON2_WORK {
        return Err(too_costly(
            format,
            format!("Argon2 memory {memory} bytes × {passes} passes"),
        ));
    }
    let memory_kib =
        u32::try_from(memory / 1024).map_err(|_| malformed(format, "Argon2 memory"))?;
    let params = argon2::Params::new(memory_kib, passes, lanes, Some(32))
        .map_err(|e| malformed(format, format!("Argon2 parameters: {e}")))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(password, salt, key.as_mut())
        .map_err(|e| malformed(format, format!("Argon2: {e}")))?;
    Ok(key)
}

fn too_costly(format: Format, what: String) -> Error {
    Error::BackupUnsupported {
        format: format.app_name(),
        what: format!(
            "key derivation parameters far beyond what the app writes ({what}): the file may be hostile"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    /// Parameters beyond the bounds are refused before any work or allocation; each of these
    /// would take minutes or gigabytes.
    #[test]
    fn hostile_kdf_parameters_are_refused_at_once() {
        let started = std::time::Instant::now();
        let refused = [
            scrypt(b"pw", b"salt", 1 << 21, 8, 1, Format::Aegis),
            scrypt(b"pw", b"salt", 1 << 20, 32, 1, Format::Aegis),
            scrypt(b"pw", b"salt", 1 << 15, 8, 17, Format::Aegis),
            pbkdf2_sha1(b"pw", b"salt", MAX_PBKDF2_ITERATIONS + 1, Format::AndOtp),
            pbkdf2_sha256(b"pw", b"salt", u32::MAX, Format::TwoFas),
            argon2id(b"pw", b"salt", 2 << 30, 1, 1, Format::Ente),
            argon2id(b"pw", b"salt", 1 << 30, 5, 1, Format::Ente),
        ];
        for result in refused {
            assert_eq!(result.unwrap_err().code(), Code::BackupUnsupported);
        }
        assert_eq!(
            scrypt(b"pw", b"salt", 1000, 8, 1, Format::Aegis)
                .unwrap_err()
                .code(),
            Code::BackupUnreadable,
            "N must be a power of two"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn a_wrong_key_is_a_wrong_password_and_short_input_is_unreadable() {
        let key = [7u8; 32];
        let nonce = [1u8; 12];
        let sealed = aes_gcm_seal(&key, &nonce, b"accounts").unwrap();
        let opened = aes_gcm_open(&key, &nonce, &sealed, b"", Format::Aegis).unwrap();
        assert_eq!(opened.as_slice(), b"accounts");
        let wrong = aes_gcm_open(&[8u8; 32], &nonce, &sealed, b"", Format::Aegis);
        assert_eq!(wrong.unwrap_err().code(), Code::BackupWrongPassword);
        let short = aes_gcm_open(&key, &nonce, &sealed[..15], b"", Format::Aegis);
        assert_eq!(short.unwrap_err().code(), Code::BackupUnreadable);
    }
}
