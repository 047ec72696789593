//! Otentik's UI-free core: everything an authenticator does, for the desktop app, the CLI and
//! the reference server alike.
//!
//! - [`otpauth`]: the Key URI format (`otpauth://`) and Google Authenticator exports
//!   (`otpauth-migration://`).
//! - [`otp`]: TOTP and HOTP codes at a given time.
//! - [`account`], [`Secret`]: the data an account is made of.

pub mod account;
pub mod error;
mod migration;
pub mod otp;
pub mod otpauth;
#[cfg(feature = "push")]
pub mod push;
#[cfg(feature = "scan")]
pub mod scan;
mod secret;
#[cfg(feature = "vault")]
pub mod vault;

pub use account::{Account, Algorithm, OtpKind, PushInvite};
pub use error::{Error, Result};
pub use secret::Secret;
