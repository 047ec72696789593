//! How the command line fails: an exit status and one line on stderr.
//!
//! Exit statuses: 0 done; 1 nothing found (no QR code in an image); 2 bad input (a malformed
//! URI, an unknown account, a wrong argument); 3 the keyring is unavailable, locked or
//! refused; 4 the account list cannot be read or written (damaged file, full disk); 5 the
//! vault is locked (no password given, a wrong one, or a wait after wrong ones).

use std::process::ExitCode;

use otentik::Code;

use crate::messages;

/// Exit status when nothing was found.
pub const NOT_FOUND: u8 = 1;
/// Exit status for bad input.
pub const BAD_INPUT: u8 = 2;
/// Exit status when the keyring cannot be used.
pub const KEYRING: u8 = 3;
/// Exit status when the account list cannot be read or written.
pub const STORAGE: u8 = 4;

/// Exit status when the vault stays locked.
pub const LOCKED: u8 = 5;

/// A failed command: what to print and which status to exit with.
#[derive(Debug)]
pub struct Failure {
    /// Exit status.
    pub status: u8,
    /// One line for stderr.
    pub message: String,
}

impl Failure {
    /// Bad input: exit status 2.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self {
            status: BAD_INPUT,
            message: message.into(),
        }
    }

    /// Prints the message and returns the exit status.
    pub fn report(self) -> ExitCode {
        eprintln!("{}", messages::error_line(&self.message));
        ExitCode::from(self.status)
    }
}

impl From<otentik::Error> for Failure {
    fn from(error: otentik::Error) -> Self {
        Self {
            status: status(error.code()),
            message: messages::core_error(&error),
        }
    }
}

/// The exit status of a core error. No wildcard: a new code does not compile until it has one.
pub fn status(code: Code) -> u8 {
    match code {
        Code::KeyringUnavailable | Code::KeyringLocked | Code::KeyringFailure => KEYRING,
        Code::MetadataUnreadable | Code::Storage => STORAGE,
        Code::VaultLocked | Code::LockWrongPassword | Code::LockWait => LOCKED,
        Code::LockPasswordTooShort | Code::LockState => BAD_INPUT,
        Code::QrNotFound => NOT_FOUND,
        Code::NotAuthenticatorUri
        | Code::InvalidUri
        | Code::InvalidSecret
        | Code::InvalidExport
        | Code::SecretMissing
        | Code::Duplicate
        | Code::NoMatch
        | Code::Ambiguous
        | Code::InvalidPosition
        | Code::InvalidOrigin
        | Code::ImageUnreadable
        | Code::NotAuthenticatorQr
        | Code::Clipboard
        | Code::ScreenCapture
        | Code::NoCamera
        | Code::Camera
        | Code::PushInsecureUrl
        | Code::PushUnreachable
        | Code::PushProtocol
        | Code::PushRejected
        | Code::PushClockSkew
        | Code::PushRevoked
        | Code::PushEnrollmentRefused
        | Code::PushKeyMismatch
        | Code::PushRequestGone
        | Code::PushNumberRequired
        | Code::NotPushAccount
        | Code::BackupUnreadable
        | Code::BackupUnknownFormat
        | Code::BackupPasswordRequired
        | Code::BackupWrongPassword
        | Code::BackupUnsupported
        | Code::BackupNoAccounts => BAD_INPUT,
        Code::BackupVerifyFailed => STORAGE,
    }
}

/// A command line clap could not parse: help and version go to stdout with status 0;
/// anything else is one line on stderr with status 2.
pub fn usage(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            ExitCode::from(BAD_INPUT)
        }
        _ => {
            let rendered = error.render().to_string();
            let first = rendered
                .lines()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            Failure::bad_input(messages::usage_error(first)).report()
        }
    }
}
