//! Otentik's UI-free core: everything an authenticator does, for the desktop app, the CLI and
//! the reference server alike.
//!
//! - [`otpauth`]: the Key URI format (`otpauth://`) and Google Authenticator exports
//!   (`otpauth-migration://`), with the warnings an accepted URI may carry.
//! - [`otp`]: TOTP and HOTP codes at a given time.
//! - [`account`], [`Secret`]: the data an account is made of.
//! - [`origin`]: the site origins an account is bound to, where the browser may fill codes.
//! - [`error`]: the one error type, [`Error`], and the stable [`Code`] front ends branch on.
//! - `vault` (feature `vault`): accounts kept so that none is ever lost: secrets in the OS
//!   keyring, metadata in a file written atomically.
//! - `scan` (feature `scan`): QR codes from image files, the screen, the clipboard and the
//!   camera (feature `camera`).
//! - `backup` (feature `backup`): other authenticators' files read into accounts, and
//!   Otentik's encrypted backups (Aegis format) written and verified.
//! - `browser` (feature `vault`): the browser extension's native host: names and codes of
//!   the accounts bound to a site origin, never a secret.
//! - `push` (feature `push`): the authenticator's half of the open push protocol: enrolment,
//!   login requests, answers, and a poller.
//!
//! Feature `ts` derives the TypeScript twins (ts-rs) of the types front ends receive.

pub mod account;
#[cfg(feature = "backup")]
pub mod backup;
#[cfg(feature = "vault")]
pub mod browser;
pub mod error;
mod migration;
pub mod origin;
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
pub use error::{Code, Error, Result};
pub use secret::Secret;
/// Wipes its contents on drop: passwords and decrypted backups in front ends.
pub use zeroize::Zeroizing;
