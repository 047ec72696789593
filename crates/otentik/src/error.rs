//! The one error type of the `otentik` crate.
//!
//! Every variant names the problem and where it is, in English; front ends map the variant
//! (through [`Error::code`]) to their own catalogue. No variant ever carries a secret.

/// Result alias for the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the Otentik core.
#[derive(Debug, thiserror::Error)]
#[cfg_attr(test, derive(strum::EnumCount))]
#[non_exhaustive]
pub enum Error {
    // --- otpauth URIs -------------------------------------------------------------------------
    /// The text is not an `otpauth://` or `otpauth-migration://` URI.
    #[error(
        "not an authenticator URI: expected 'otpauth://' or 'otpauth-migration://', found '{found}'"
    )]
    WrongScheme {
        /// The scheme (or the start of the text) that was found.
        found: String,
    },
    /// The URI could not be split into its parts.
    #[error("malformed URI: {reason}")]
    MalformedUri {
        /// What is wrong with it.
        reason: String,
    },
    /// The type (host part) is not `totp`, `hotp` or `steam`.
    #[error("unsupported OTP type '{found}': expected 'totp', 'hotp' or 'steam'")]
    UnsupportedType {
        /// The type that was found.
        found: String,
    },
    /// A parameter is given twice.
    #[error("parameter '{name}' appears more than once")]
    DuplicateParameter {
        /// Parameter name.
        name: String,
    },
    /// A mandatory parameter is missing.
    #[error("missing parameter '{name}'{hint}")]
    MissingParameter {
        /// Parameter name.
        name: &'static str,
        /// Extra explanation (may be empty), starting with a separator.
        hint: &'static str,
    },
    /// The `secret` parameter is present but empty.
    #[error("the secret is empty")]
    EmptySecret,
    /// The secret has a character outside the base32 alphabet.
    #[error("secret is not valid base32: '{character}' at position {position}")]
    InvalidSecretCharacter {
        /// The offending character (one character tells nothing useful about the secret).
        character: char,
        /// 1-based position in the secret as given.
        position: usize,
    },
    /// The secret has a length that no base32 encoding can have.
    #[error("secret is not valid base32: {length} characters cannot encode whole bytes")]
    InvalidSecretLength {
        /// Number of base32 characters after removing spaces, dashes and padding.
        length: usize,
    },
    /// The secret is shorter than 80 bits.
    #[error("secret is too short: {bits} bits, at least 80 are needed")]
    SecretTooShort {
        /// Length of the decoded secret in bits.
        bits: usize,
    },
    /// The `algorithm` parameter names an unknown algorithm.
    #[error("unsupported algorithm '{found}': expected SHA1, SHA256 or SHA512")]
    UnsupportedAlgorithm {
        /// What was found.
        found: String,
    },
    /// The `digits` parameter is not 6 to 9.
    #[error("invalid digits '{found}': expected 6 to 9")]
    InvalidDigits {
        /// What was found.
        found: String,
    },
    /// The `period` parameter is not a whole number of seconds from 1 to 3600.
    #[error("invalid period '{found}': expected whole seconds from 1 to 3600")]
    InvalidPeriod {
        /// What was found.
        found: String,
    },
    /// The `counter` parameter is not a non-negative integer.
    #[error("invalid counter '{found}': expected a whole number from 0 to 18446744073709551615")]
    InvalidCounter {
        /// What was found.
        found: String,
    },
    /// A label or parameter is not valid percent-encoded UTF-8.
    #[error("{part} is not valid UTF-8 after percent-decoding")]
    InvalidEncoding {
        /// Which part: "the label", "parameter 'issuer'", ...
        part: String,
    },
    /// The label has no account name.
    #[error("the label has no account name")]
    EmptyAccountName,
    /// `push_url` is present without `push_token` or the other way round, or is not a URL.
    #[error("invalid push parameters: {reason}")]
    InvalidPush {
        /// What is wrong.
        reason: String,
    },

    // --- Google Authenticator export ----------------------------------------------------------
    /// The `data` of an `otpauth-migration://` URI is not valid base64.
    #[error("migration data is not valid base64: {reason}")]
    MigrationBase64 {
        /// Decoder message.
        reason: String,
    },
    /// The decoded migration data is not a valid `MigrationPayload`.
    #[error("migration data is not a valid Google Authenticator export: {reason}")]
    MigrationProtobuf {
        /// Decoder message.
        reason: String,
    },
    /// One account inside a migration payload is unusable.
    #[error("account {index} of the export ('{label}'): {reason}")]
    MigrationAccount {
        /// 1-based position in the payload.
        index: usize,
        /// Its label (issuer:name), never its secret.
        label: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The payload holds no account.
    #[error("the export holds no account")]
    MigrationEmpty,

    // --- vault ------------------------------------------------------------------------------
    /// No keyring service answers (no Secret Service on the session bus, no D-Bus session).
    #[error(
        "no keyring is available ({detail}): start your desktop's keyring (gnome-keyring or KWallet) and try again"
    )]
    KeyringUnavailable {
        /// What the platform said.
        detail: String,
    },
    /// The keyring is locked, or refused access.
    #[error(
        "the keyring is locked or refused access ({detail}): unlock it (log in to the desktop, or run 'gnome-keyring-daemon --unlock') and try again"
    )]
    KeyringLocked {
        /// What the platform said.
        detail: String,
    },
    /// The keyring failed in another way.
    #[error("the keyring failed: {detail}")]
    KeyringFailure {
        /// What the platform said (never secret bytes).
        detail: String,
    },
    /// An account's keyring entry is gone (deleted outside Otentik).
    #[error(
        "the secret of '{label}' is missing from the keyring: remove the account and add it again from its QR code"
    )]
    SecretMissing {
        /// The account's label.
        label: String,
    },
    /// An account's keyring entry cannot be read.
    #[error(
        "the keyring entry of '{label}' is damaged: remove the account and add it again from its QR code"
    )]
    SecretDamaged {
        /// The account's label.
        label: String,
    },
    /// The metadata file cannot be understood; it is left untouched.
    #[error("the account list {} is damaged ({detail}); it was left untouched: restore it from a backup, or move it away to start with an empty list", path.display())]
    MetadataCorrupt {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The metadata file was written by a newer Otentik; it is left untouched.
    #[error("the account list {} was written by a newer Otentik (format version {version}); it was left untouched: update Otentik", path.display())]
    MetadataTooNew {
        /// The file.
        path: std::path::PathBuf,
        /// The version it declares.
        version: u64,
    },
    /// A file operation failed (full disk, permissions).
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// What was being done: "write", "read", ...
        action: &'static str,
        /// The file or directory.
        path: std::path::PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The sealed secrets file cannot be opened with this vault's key, or is not one.
    #[error("the secrets file {} is damaged ({detail}); it was left untouched: restore the accounts from a backup", path.display())]
    SecretsCorrupt {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong (never secret bytes).
        detail: String,
    },
    /// The lock is off, the secrets file exists, and the keyring has no vault key.
    #[error(
        "the vault key is missing from the keyring, so the secrets cannot be opened: restore the keyring, or restore the accounts from a backup"
    )]
    VaultKeyMissing,
    /// The app lock is on and the vault has not been unlocked.
    #[error("the vault is locked: unlock it with its password")]
    VaultLocked,
    /// A wrong lock password (or a lock file altered on disk).
    #[error("wrong password: the vault stays locked{}", wait_hint(*wait_seconds))]
    LockWrongPassword {
        /// Seconds before the next try is accepted (0: at once).
        wait_seconds: u64,
    },
    /// Too many wrong passwords: the next try must wait.
    #[error("too many wrong passwords: try again in {}", duration(*seconds))]
    LockWait {
        /// Seconds left.
        seconds: u64,
    },
    /// A new lock password that is too short.
    #[error("the password is too short ({chars} characters): use at least {min}")]
    LockPasswordTooShort {
        /// Its length in characters.
        chars: usize,
        /// The least accepted.
        min: usize,
    },
    /// The lock file cannot be read; it is left untouched.
    #[error(
        "the lock file is damaged ({detail}); it was left untouched: restore the accounts from a backup"
    )]
    LockDamaged {
        /// What is wrong.
        detail: String,
    },
    /// Turning on a lock that is on already.
    #[error("the lock is already on: change its password instead ('otentik lock passwd')")]
    LockAlreadyOn,
    /// Changing or turning off a lock that is off.
    #[error("the lock is off: turn it on first ('otentik lock on')")]
    LockOff,
    /// The platform has no data directory for us.
    #[error(
        "cannot find a data directory for Otentik: set OTENTIK_DATA_DIR to a directory to keep the account list in"
    )]
    DataDirUnknown,
    /// The same issuer, account name and secret are already kept.
    #[error("'{label}' is already in Otentik with the same secret")]
    Duplicate {
        /// The account's label.
        label: String,
    },
    /// No account matches a query.
    #[error("no account matches '{query}'")]
    NoMatch {
        /// The query.
        query: String,
    },
    /// Several accounts match a query.
    #[error("'{query}' matches several accounts: {}; be more specific", matches.join(", "))]
    Ambiguous {
        /// The query.
        query: String,
        /// Labels of the matching accounts.
        matches: Vec<String>,
    },
    /// A position outside the list.
    #[error("position {position} is outside the list of {count} accounts")]
    InvalidPosition {
        /// 1-based position asked for.
        position: usize,
        /// Number of accounts.
        count: usize,
    },
    /// A site origin an account cannot be bound to (browser filling, `docs/browser.md`).
    #[error(
        "'{origin}' is not a site Otentik can bind an account to: {reason}; give the address the site opens at, such as https://lpse.bandung.go.id"
    )]
    InvalidOrigin {
        /// The origin as given (never a secret: a web address).
        origin: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    // --- push -------------------------------------------------------------------------------
    /// A push server address that is not HTTPS (plain HTTP is allowed only to this computer).
    #[error(
        "the push server address '{url}' is not allowed: it must start with https:// (plain http:// only to this computer); ask the site for a secure enrolment QR"
    )]
    PushUrlInsecure {
        /// The address.
        url: String,
    },
    /// The push server did not answer.
    #[error(
        "cannot reach the push server {server} ({detail}); codes still work, and login requests resume when it answers again"
    )]
    PushUnreachable {
        /// Host and port.
        server: String,
        /// What went wrong.
        detail: String,
    },
    /// The server's answer cannot be trusted or understood.
    #[error("the push server sent an answer Otentik cannot trust: {detail}")]
    PushProtocol {
        /// What is wrong with it.
        detail: String,
    },
    /// The server refused a request.
    #[error("the push server refused the request ({code}): {message}")]
    PushRejected {
        /// Its error code.
        code: String,
        /// Its message.
        message: String,
        /// The server's clock from its `Date` header, when sent.
        server_date: Option<u64>,
    },
    /// The server refused the request's timestamp (the device clock is far off).
    #[error("the push server says this computer's clock is wrong: set the date and time correctly")]
    PushClockSkew {
        /// The server's clock from its `Date` header, when sent.
        server_date: Option<u64>,
    },
    /// The site disabled or reset TOTP for this device.
    #[error(
        "TOTP was disabled or reset on the site (TOTP dinonaktifkan atau direset di server): remove the account, or activate TOTP again on the site"
    )]
    PushRevoked,
    /// The enrolment was refused for good.
    #[error(
        "the site refused to enrol this device ({detail}): enable TOTP again on the site and scan the new QR code"
    )]
    PushEnrollmentRefused {
        /// Why.
        detail: String,
    },
    /// The push server's key is not the one the enrolment QR code named (`push_key`).
    #[error(
        "the push server {server} signed with a key that is not the one in the QR code: the QR code or the connection may have been tampered with; do not use this account's push, and ask the site for a new QR code"
    )]
    PushKeyMismatch {
        /// The server's host.
        server: String,
    },
    /// A login request can no longer be answered.
    #[error("that login request cannot be answered: {reason}")]
    PushChallengeGone {
        /// Why.
        reason: &'static str,
    },
    /// Approving needs the number the site shows.
    #[error("this login request needs the number shown on the site: pick it to approve")]
    PushNumberRequired,
    /// The account has no push enrolment.
    #[error("'{label}' does not receive login requests (its QR code had no push enrolment)")]
    NotPushAccount {
        /// The account's label.
        label: String,
    },

    // --- backups and imports ------------------------------------------------------------------
    /// The file is empty (or only whitespace).
    #[error("the file is empty: export the accounts again from the other app")]
    BackupEmpty,
    /// The format of the file is not one Otentik reads.
    #[error(
        "Otentik does not recognise this file: name the app it came from (aegis, 2fas, ente, proton, bitwarden, andotp, freeotp-plus, lastpass, uris, google)"
    )]
    BackupUnknownFormat,
    /// The file does not parse as the format it was read as (or is truncated).
    #[error(
        "not a readable {format} file ({detail}): export it again, or check which app it came from"
    )]
    BackupMalformed {
        /// The app's name ("Aegis").
        format: &'static str,
        /// What is wrong (never a secret).
        detail: String,
    },
    /// The file is encrypted and no password was given.
    #[error("this {format} file is encrypted: give its password")]
    BackupPasswordRequired {
        /// The app's name.
        format: &'static str,
    },
    /// Authentication failed: a wrong password, or a damaged (tampered, truncated) file.
    #[error(
        "wrong password or damaged file: the {format} file could not be decrypted; check the password, or export the file again"
    )]
    BackupWrongPassword {
        /// The app's name.
        format: &'static str,
    },
    /// The file is of a kind Otentik does not read (an encrypted Bitwarden export, an andOTP
    /// OpenPGP backup, key derivation parameters far beyond the app's).
    #[error("this {format} file cannot be imported: {what}")]
    BackupUnsupported {
        /// The app's name.
        format: &'static str,
        /// What is not supported, and what to do.
        what: String,
    },
    /// The file was read but holds no account Otentik can use.
    #[error("the {format} file holds no account Otentik can use ({skipped} skipped: {why})")]
    BackupNoAccounts {
        /// The app's name.
        format: &'static str,
        /// How many entries were skipped.
        skipped: usize,
        /// Why, for the first few (names and reasons, never a secret).
        why: String,
    },
    /// A written backup did not read back the same: it was not kept.
    #[error(
        "the backup did not verify ({detail}); it was not kept: check the folder and the disk, and try again"
    )]
    BackupVerifyFailed {
        /// What differed (never a secret).
        detail: String,
    },
    // --- scanning -----------------------------------------------------------------------------
    /// An image (file, clipboard or buffer) could not be decoded.
    #[error("cannot read the image {what}: {reason}; use a PNG, JPEG, WebP, BMP or GIF image")]
    ImageUnreadable {
        /// Which image: a quoted path, "from the clipboard", ...
        what: String,
        /// What the image decoder said.
        reason: String,
    },
    /// The image is larger than the scanner accepts (a guard against decompression bombs).
    #[error(
        "the image {what} is too large ({width}×{height} pixels, at most {max} pixels a side and 256 MiB decoded): crop it around the QR code"
    )]
    ImageTooLarge {
        /// Which image.
        what: String,
        /// Its width in pixels (0 when unknown).
        width: u32,
        /// Its height in pixels (0 when unknown).
        height: u32,
        /// The largest accepted side.
        max: u32,
    },
    /// A pixel buffer handed to the scanner does not match its stated size and format.
    #[error(
        "invalid pixel buffer: {width}×{height} {format} needs {expected} bytes, got {actual}; pass the frame's real size and pixel format"
    )]
    PixelBufferSize {
        /// Stated width.
        width: u32,
        /// Stated height.
        height: u32,
        /// Stated pixel format ("grey", "RGB", "RGBA").
        format: &'static str,
        /// Bytes that size and format need.
        expected: usize,
        /// Bytes given.
        actual: usize,
    },
    /// No QR code could be read.
    #[error(
        "no QR code found {what}: show the code larger and sharper (zoom in), or save it as an image and scan the file"
    )]
    QrNotFound {
        /// Where it was looked for: "in 'shot.png'", "on the screen", ...
        what: String,
    },
    /// QR codes were read, but none holds an authenticator account.
    #[error(
        "the QR code {what} is not an authenticator code: look for the QR code the site shows when you enable two-step verification (TOTP)"
    )]
    NotAuthenticatorQr {
        /// Where it was found: "in 'shot.png'", "on the screen", ...
        what: String,
    },
    /// The clipboard cannot be opened or read.
    #[error("cannot use the clipboard: {reason}")]
    ClipboardUnavailable {
        /// What the clipboard library said.
        reason: String,
    },
    /// The clipboard holds neither an image nor text.
    #[error(
        "the clipboard holds neither an image nor text: copy the QR code image or the 'otpauth://' link first"
    )]
    ClipboardEmpty,
    /// The screen cannot be captured.
    #[error(
        "cannot capture the screen: {reason}; save the QR code as an image and scan the file instead"
    )]
    ScreenCapture {
        /// Why not.
        reason: String,
    },
    /// A Wayland session without the desktop portal's Screenshot interface (or no D-Bus
    /// session bus to reach it).
    #[error(
        "cannot capture the screen of this Wayland session: no screenshot portal ({reason}); install xdg-desktop-portal and your desktop's portal (xdg-desktop-portal-gnome, -kde or -wlr), or save the QR code as an image and scan the file"
    )]
    ScreenPortalMissing {
        /// What D-Bus said.
        reason: String,
    },
    /// The user cancelled the screenshot the desktop portal asked about.
    #[error(
        "the screenshot was cancelled: scan the screen again and allow the screenshot, or save the QR code as an image and scan the file"
    )]
    ScreenCaptureCancelled,
    /// The desktop portal refused the screenshot (permission denied).
    #[error(
        "the desktop refused the screenshot ({reason}): allow screenshots for Otentik in the system's privacy settings, or save the QR code as an image and scan the file"
    )]
    ScreenCaptureDenied {
        /// What the portal said.
        reason: String,
    },
    /// No camera is connected.
    #[error("no camera found: connect one, or add the account from an image or the screen")]
    NoCamera,
    /// The system refused access to the camera.
    #[error(
        "camera access denied: {reason}; allow camera access in the system settings, or add the account from an image or the screen"
    )]
    CameraDenied {
        /// What the camera library said.
        reason: String,
    },
    /// The camera could not be opened or stopped delivering frames.
    #[error(
        "the camera failed: {reason}; reconnect it, or add the account from an image or the screen"
    )]
    Camera {
        /// What the camera library said.
        reason: String,
    },
}

/// ", wait N before trying again" when a wait applies.
fn wait_hint(seconds: u64) -> String {
    if seconds == 0 {
        String::new()
    } else {
        format!("; wait {} before trying again", duration(seconds))
    }
}

/// A wait in words: "45 s", "2 min", "1 h".
pub fn duration(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds.div_ceil(60)),
        _ => format!("{} h", seconds.div_ceil(3600)),
    }
}

/// The stable, machine-readable code of an [`Error`]: what front ends branch on (the CLI's exit
/// status, the app's `{code, message}` over IPC, the UI's catalogue keys `error.<code>.*`).
///
/// Serialised in `snake_case`; the strings are a contract and never change meaning. Several
/// variants of [`Error`] may share a code when the user does the same thing about them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(test, derive(strum::EnumIter))]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// Text that is not an `otpauth://` or `otpauth-migration://` URI.
    NotAuthenticatorUri,
    /// A malformed `otpauth://` URI.
    InvalidUri,
    /// A secret that is not usable base32 or is too short.
    InvalidSecret,
    /// A Google Authenticator export that cannot be read.
    InvalidExport,
    /// No keyring answers.
    KeyringUnavailable,
    /// The keyring is locked or refused access.
    KeyringLocked,
    /// The keyring failed in another way.
    KeyringFailure,
    /// An account's keyring entry is missing or damaged.
    SecretMissing,
    /// The account list cannot be read.
    MetadataUnreadable,
    /// A file could not be written or read.
    Storage,
    /// The app lock is on and the vault is locked.
    VaultLocked,
    /// A wrong lock password.
    LockWrongPassword,
    /// Too many wrong lock passwords: wait.
    LockWait,
    /// A lock password that is too short.
    LockPasswordTooShort,
    /// The lock is already on, or is off.
    LockState,
    /// The account is already kept.
    Duplicate,
    /// No such account.
    NoMatch,
    /// Several accounts match.
    Ambiguous,
    /// A position outside the list.
    InvalidPosition,
    /// A site origin that cannot be bound to an account.
    InvalidOrigin,
    /// An image that cannot be decoded.
    ImageUnreadable,
    /// No QR code in the image.
    QrNotFound,
    /// A QR code that is not an authenticator code.
    NotAuthenticatorQr,
    /// The clipboard cannot be used.
    Clipboard,
    /// The screen cannot be captured.
    ScreenCapture,
    /// No camera.
    NoCamera,
    /// The camera failed or access was denied.
    Camera,
    /// A push server URL that is neither HTTPS nor this computer.
    PushInsecureUrl,
    /// The push server does not answer.
    PushUnreachable,
    /// The push server's answer breaks the protocol (or fails verification).
    PushProtocol,
    /// The push server refused a request.
    PushRejected,
    /// This computer's clock is too far from the server's.
    PushClockSkew,
    /// The site disabled or reset TOTP for this device.
    PushRevoked,
    /// The server refused the enrolment (an old QR code, say).
    PushEnrollmentRefused,
    /// The push server's key is not the one the QR code named.
    PushKeyMismatch,
    /// The login request expired or was answered already.
    PushRequestGone,
    /// The site asks to match a number and none was chosen.
    PushNumberRequired,
    /// The account has no login approvals.
    NotPushAccount,
    /// A backup or export file that cannot be read (empty, truncated, not that format).
    BackupUnreadable,
    /// A file whose format Otentik does not recognise.
    BackupUnknownFormat,
    /// An encrypted file and no password.
    BackupPasswordRequired,
    /// A wrong password, or a damaged encrypted file.
    BackupWrongPassword,
    /// A file of a kind Otentik does not import.
    BackupUnsupported,
    /// A file with no usable account.
    BackupNoAccounts,
    /// A written backup that did not read back the same.
    BackupVerifyFailed,
}

impl Error {
    /// The stable code front ends branch on.
    pub fn code(&self) -> Code {
        match self {
            Self::WrongScheme { .. } => Code::NotAuthenticatorUri,
            Self::MalformedUri { .. }
            | Self::UnsupportedType { .. }
            | Self::DuplicateParameter { .. }
            | Self::MissingParameter { .. }
            | Self::UnsupportedAlgorithm { .. }
            | Self::InvalidDigits { .. }
            | Self::InvalidPeriod { .. }
            | Self::InvalidCounter { .. }
            | Self::InvalidEncoding { .. }
            | Self::EmptyAccountName
            | Self::InvalidPush { .. } => Code::InvalidUri,
            Self::EmptySecret
            | Self::InvalidSecretCharacter { .. }
            | Self::InvalidSecretLength { .. }
            | Self::SecretTooShort { .. } => Code::InvalidSecret,
            Self::MigrationBase64 { .. }
            | Self::MigrationProtobuf { .. }
            | Self::MigrationAccount { .. }
            | Self::MigrationEmpty => Code::InvalidExport,
            Self::KeyringUnavailable { .. } => Code::KeyringUnavailable,
            Self::KeyringLocked { .. } => Code::KeyringLocked,
            Self::KeyringFailure { .. } => Code::KeyringFailure,
            Self::SecretMissing { .. } | Self::SecretDamaged { .. } => Code::SecretMissing,
            Self::MetadataCorrupt { .. }
            | Self::MetadataTooNew { .. }
            | Self::SecretsCorrupt { .. }
            | Self::LockDamaged { .. } => Code::MetadataUnreadable,
            Self::VaultKeyMissing => Code::SecretMissing,
            Self::VaultLocked => Code::VaultLocked,
            Self::LockWrongPassword { .. } => Code::LockWrongPassword,
            Self::LockWait { .. } => Code::LockWait,
            Self::LockPasswordTooShort { .. } => Code::LockPasswordTooShort,
            Self::LockAlreadyOn | Self::LockOff => Code::LockState,
            Self::Io { .. } | Self::DataDirUnknown => Code::Storage,
            Self::Duplicate { .. } => Code::Duplicate,
            Self::NoMatch { .. } => Code::NoMatch,
            Self::Ambiguous { .. } => Code::Ambiguous,
            Self::InvalidPosition { .. } => Code::InvalidPosition,
            Self::InvalidOrigin { .. } => Code::InvalidOrigin,
            Self::PushUrlInsecure { .. } => Code::PushInsecureUrl,
            Self::PushUnreachable { .. } => Code::PushUnreachable,
            Self::PushProtocol { .. } => Code::PushProtocol,
            Self::PushRejected { .. } => Code::PushRejected,
            Self::PushClockSkew { .. } => Code::PushClockSkew,
            Self::PushRevoked => Code::PushRevoked,
            Self::PushEnrollmentRefused { .. } => Code::PushEnrollmentRefused,
            Self::PushKeyMismatch { .. } => Code::PushKeyMismatch,
            Self::PushChallengeGone { .. } => Code::PushRequestGone,
            Self::PushNumberRequired => Code::PushNumberRequired,
            Self::NotPushAccount { .. } => Code::NotPushAccount,
            Self::BackupEmpty | Self::BackupMalformed { .. } => Code::BackupUnreadable,
            Self::BackupUnknownFormat => Code::BackupUnknownFormat,
            Self::BackupPasswordRequired { .. } => Code::BackupPasswordRequired,
            Self::BackupWrongPassword { .. } => Code::BackupWrongPassword,
            Self::BackupUnsupported { .. } => Code::BackupUnsupported,
            Self::BackupNoAccounts { .. } => Code::BackupNoAccounts,
            Self::BackupVerifyFailed { .. } => Code::BackupVerifyFailed,
            Self::ImageUnreadable { .. }
            | Self::ImageTooLarge { .. }
            | Self::PixelBufferSize { .. } => Code::ImageUnreadable,
            Self::QrNotFound { .. } => Code::QrNotFound,
            Self::NotAuthenticatorQr { .. } => Code::NotAuthenticatorQr,
            Self::ClipboardUnavailable { .. } | Self::ClipboardEmpty => Code::Clipboard,
            // One code for the front ends: each message says what to do.
            Self::ScreenCapture { .. }
            | Self::ScreenPortalMissing { .. }
            | Self::ScreenCaptureCancelled
            | Self::ScreenCaptureDenied { .. } => Code::ScreenCapture,
            Self::NoCamera => Code::NoCamera,
            Self::CameraDenied { .. } | Self::Camera { .. } => Code::Camera,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::mem::discriminant;

    use strum::{EnumCount as _, IntoEnumIterator as _};

    use super::*;

    /// At least one sample of every variant (two of `MissingParameter`, whose hint varies).
    fn samples() -> Vec<Error> {
        vec![
            Error::WrongScheme {
                found: "https".into(),
            },
            Error::MalformedUri {
                reason: "missing '://'".into(),
            },
            Error::UnsupportedType {
                found: "motp".into(),
            },
            Error::DuplicateParameter {
                name: "secret".into(),
            },
            Error::MissingParameter {
                name: "secret",
                hint: "",
            },
            Error::MissingParameter {
                name: "counter",
                hint: " (required for HOTP)",
            },
            Error::EmptySecret,
            Error::InvalidSecretCharacter {
                character: '1',
                position: 5,
            },
            Error::InvalidSecretLength { length: 9 },
            Error::SecretTooShort { bits: 40 },
            Error::UnsupportedAlgorithm {
                found: "MD5".into(),
            },
            Error::InvalidDigits { found: "10".into() },
            Error::InvalidPeriod { found: "0".into() },
            Error::InvalidCounter { found: "-1".into() },
            Error::InvalidEncoding {
                part: "the label".into(),
            },
            Error::EmptyAccountName,
            Error::InvalidPush {
                reason: "'push_url' without 'push_token'".into(),
            },
            Error::MigrationBase64 {
                reason: "Invalid byte 33, offset 0.".into(),
            },
            Error::MigrationProtobuf {
                reason: "buffer underflow".into(),
            },
            Error::MigrationAccount {
                index: 2,
                label: "ACME:bob".into(),
                reason: "unknown algorithm 9".into(),
            },
            Error::MigrationEmpty,
            Error::KeyringUnavailable {
                detail: "no D-Bus session".into(),
            },
            Error::KeyringLocked {
                detail: "IsLocked".into(),
            },
            Error::KeyringFailure {
                detail: "timeout".into(),
            },
            Error::SecretMissing {
                label: "ACME: alice".into(),
            },
            Error::SecretDamaged {
                label: "ACME: alice".into(),
            },
            Error::MetadataCorrupt {
                path: "/d/accounts.json".into(),
                detail: "EOF while parsing".into(),
            },
            Error::MetadataTooNew {
                path: "/d/accounts.json".into(),
                version: 9,
            },
            Error::Io {
                action: "write",
                path: "/d/accounts.json".into(),
                source: std::io::Error::from_raw_os_error(28),
            },
            Error::SecretsCorrupt {
                path: "/d/secrets.sealed".into(),
                detail: "not JSON".into(),
            },
            Error::VaultKeyMissing,
            Error::VaultLocked,
            Error::LockWrongPassword { wait_seconds: 0 },
            Error::LockWait { seconds: 90 },
            Error::LockPasswordTooShort { chars: 5, min: 8 },
            Error::LockDamaged {
                detail: "not JSON".into(),
            },
            Error::LockAlreadyOn,
            Error::LockOff,
            Error::DataDirUnknown,
            Error::Duplicate {
                label: "ACME: alice".into(),
            },
            Error::NoMatch {
                query: "bank".into(),
            },
            Error::Ambiguous {
                query: "a".into(),
                matches: vec!["ACME: alice".into(), "Bank: ann".into()],
            },
            Error::InvalidPosition {
                position: 9,
                count: 3,
            },
            Error::InvalidOrigin {
                origin: "http://lpse.example".into(),
                reason: "plain http:// is allowed only to this computer",
            },
            Error::PushUrlInsecure {
                url: "http://push.example/device/v1".into(),
            },
            Error::PushUnreachable {
                server: "lpse.example:443".into(),
                detail: "connection refused".into(),
            },
            Error::PushProtocol {
                detail: "bad challenge signature".into(),
            },
            Error::PushRejected {
                code: "rate_limited".into(),
                message: "too many attempts; try again in 30 s".into(),
                server_date: None,
            },
            Error::PushClockSkew {
                server_date: Some(1_700_000_000),
            },
            Error::PushRevoked,
            Error::PushEnrollmentRefused {
                detail: "this enrolment is completed or expired".into(),
            },
            Error::PushKeyMismatch {
                server: "spse.example".into(),
            },
            Error::PushChallengeGone {
                reason: "it expired",
            },
            Error::PushNumberRequired,
            Error::NotPushAccount {
                label: "ACME: alice".into(),
            },
            Error::BackupEmpty,
            Error::BackupUnknownFormat,
            Error::BackupMalformed {
                format: "Aegis",
                detail: "EOF while parsing a value at line 1 column 40".into(),
            },
            Error::BackupPasswordRequired { format: "2FAS" },
            Error::BackupWrongPassword {
                format: "Ente Auth",
            },
            Error::BackupUnsupported {
                format: "Bitwarden",
                what: "an encrypted export".into(),
            },
            Error::BackupNoAccounts {
                format: "Aegis",
                skipped: 2,
                why: "Bank: budi (the secret is 40 bits; at least 80 are needed); …".into(),
            },
            Error::BackupVerifyFailed {
                detail: "entry 3 differs".into(),
            },
            Error::ImageUnreadable {
                what: "'shot.png'".into(),
                reason: "unexpected end of file".into(),
            },
            Error::ImageTooLarge {
                what: "'bomb.png'".into(),
                width: 100_000,
                height: 100_000,
                max: 16_384,
            },
            Error::PixelBufferSize {
                width: 2,
                height: 2,
                format: "RGBA",
                expected: 16,
                actual: 12,
            },
            Error::QrNotFound {
                what: "on the screen".into(),
            },
            Error::NotAuthenticatorQr {
                what: "in 'menu.png'".into(),
            },
            Error::ClipboardUnavailable {
                reason: "X11 server connection timed out".into(),
            },
            Error::ClipboardEmpty,
            Error::ScreenCapture {
                reason: "no graphical display (DISPLAY is not set)".into(),
            },
            Error::ScreenPortalMissing {
                reason: "org.freedesktop.DBus.Error.ServiceUnknown".into(),
            },
            Error::ScreenCaptureCancelled,
            Error::ScreenCaptureDenied {
                reason: "screenshots are disabled".into(),
            },
            Error::NoCamera,
            Error::CameraDenied {
                reason: "Permission denied (os error 13)".into(),
            },
            Error::Camera {
                reason: "device unplugged".into(),
            },
        ]
    }

    /// The exact message of each sample. A `match` with no wildcard: a new variant does not
    /// compile until it has a tested message here.
    fn expected(error: &Error) -> &'static str {
        match error {
            Error::WrongScheme { .. } => {
                "not an authenticator URI: expected 'otpauth://' or 'otpauth-migration://', found 'https'"
            }
            Error::MalformedUri { .. } => "malformed URI: missing '://'",
            Error::UnsupportedType { .. } => {
                "unsupported OTP type 'motp': expected 'totp', 'hotp' or 'steam'"
            }
            Error::DuplicateParameter { .. } => "parameter 'secret' appears more than once",
            Error::MissingParameter { hint: "", .. } => "missing parameter 'secret'",
            Error::MissingParameter { .. } => "missing parameter 'counter' (required for HOTP)",
            Error::EmptySecret => "the secret is empty",
            Error::InvalidSecretCharacter { .. } => "secret is not valid base32: '1' at position 5",
            Error::InvalidSecretLength { .. } => {
                "secret is not valid base32: 9 characters cannot encode whole bytes"
            }
            Error::SecretTooShort { .. } => "secret is too short: 40 bits, at least 80 are needed",
            Error::UnsupportedAlgorithm { .. } => {
                "unsupported algorithm 'MD5': expected SHA1, SHA256 or SHA512"
            }
            Error::InvalidDigits { .. } => "invalid digits '10': expected 6 to 9",
            Error::InvalidPeriod { .. } => {
                "invalid period '0': expected whole seconds from 1 to 3600"
            }
            Error::InvalidCounter { .. } => {
                "invalid counter '-1': expected a whole number from 0 to 18446744073709551615"
            }
            Error::InvalidEncoding { .. } => "the label is not valid UTF-8 after percent-decoding",
            Error::EmptyAccountName => "the label has no account name",
            Error::InvalidPush { .. } => "invalid push parameters: 'push_url' without 'push_token'",
            Error::MigrationBase64 { .. } => {
                "migration data is not valid base64: Invalid byte 33, offset 0."
            }
            Error::MigrationProtobuf { .. } => {
                "migration data is not a valid Google Authenticator export: buffer underflow"
            }
            Error::MigrationAccount { .. } => {
                "account 2 of the export ('ACME:bob'): unknown algorithm 9"
            }
            Error::MigrationEmpty => "the export holds no account",
            Error::KeyringUnavailable { .. } => {
                "no keyring is available (no D-Bus session): start your desktop's keyring (gnome-keyring or KWallet) and try again"
            }
            Error::KeyringLocked { .. } => {
                "the keyring is locked or refused access (IsLocked): unlock it (log in to the desktop, or run 'gnome-keyring-daemon --unlock') and try again"
            }
            Error::KeyringFailure { .. } => "the keyring failed: timeout",
            Error::SecretMissing { .. } => {
                "the secret of 'ACME: alice' is missing from the keyring: remove the account and add it again from its QR code"
            }
            Error::SecretDamaged { .. } => {
                "the keyring entry of 'ACME: alice' is damaged: remove the account and add it again from its QR code"
            }
            Error::MetadataCorrupt { .. } => {
                "the account list /d/accounts.json is damaged (EOF while parsing); it was left untouched: restore it from a backup, or move it away to start with an empty list"
            }
            Error::MetadataTooNew { .. } => {
                "the account list /d/accounts.json was written by a newer Otentik (format version 9); it was left untouched: update Otentik"
            }
            Error::Io { .. } => {
                "could not write /d/accounts.json: No space left on device (os error 28)"
            }
            Error::SecretsCorrupt { .. } => {
                "the secrets file /d/secrets.sealed is damaged (not JSON); it was left untouched: restore the accounts from a backup"
            }
            Error::VaultKeyMissing => {
                "the vault key is missing from the keyring, so the secrets cannot be opened: restore the keyring, or restore the accounts from a backup"
            }
            Error::VaultLocked => "the vault is locked: unlock it with its password",
            Error::LockWrongPassword { .. } => "wrong password: the vault stays locked",
            Error::LockWait { .. } => "too many wrong passwords: try again in 2 min",
            Error::LockPasswordTooShort { .. } => {
                "the password is too short (5 characters): use at least 8"
            }
            Error::LockDamaged { .. } => {
                "the lock file is damaged (not JSON); it was left untouched: restore the accounts from a backup"
            }
            Error::LockAlreadyOn => {
                "the lock is already on: change its password instead ('otentik lock passwd')"
            }
            Error::LockOff => "the lock is off: turn it on first ('otentik lock on')",
            Error::DataDirUnknown => {
                "cannot find a data directory for Otentik: set OTENTIK_DATA_DIR to a directory to keep the account list in"
            }
            Error::Duplicate { .. } => "'ACME: alice' is already in Otentik with the same secret",
            Error::NoMatch { .. } => "no account matches 'bank'",
            Error::Ambiguous { .. } => {
                "'a' matches several accounts: ACME: alice, Bank: ann; be more specific"
            }
            Error::InvalidPosition { .. } => "position 9 is outside the list of 3 accounts",
            Error::InvalidOrigin { .. } => {
                "'http://lpse.example' is not a site Otentik can bind an account to: plain http:// is allowed only to this computer; give the address the site opens at, such as https://lpse.bandung.go.id"
            }
            Error::PushUrlInsecure { .. } => {
                "the push server address 'http://push.example/device/v1' is not allowed: it must start with https:// (plain http:// only to this computer); ask the site for a secure enrolment QR"
            }
            Error::PushUnreachable { .. } => {
                "cannot reach the push server lpse.example:443 (connection refused); codes still work, and login requests resume when it answers again"
            }
            Error::PushProtocol { .. } => {
                "the push server sent an answer Otentik cannot trust: bad challenge signature"
            }
            Error::PushRejected { .. } => {
                "the push server refused the request (rate_limited): too many attempts; try again in 30 s"
            }
            Error::PushClockSkew { .. } => {
                "the push server says this computer's clock is wrong: set the date and time correctly"
            }
            Error::PushRevoked => {
                "TOTP was disabled or reset on the site (TOTP dinonaktifkan atau direset di server): remove the account, or activate TOTP again on the site"
            }
            Error::PushEnrollmentRefused { .. } => {
                "the site refused to enrol this device (this enrolment is completed or expired): enable TOTP again on the site and scan the new QR code"
            }
            Error::PushKeyMismatch { .. } => {
                "the push server spse.example signed with a key that is not the one in the QR code: the QR code or the connection may have been tampered with; do not use this account's push, and ask the site for a new QR code"
            }
            Error::PushChallengeGone { .. } => "that login request cannot be answered: it expired",
            Error::PushNumberRequired => {
                "this login request needs the number shown on the site: pick it to approve"
            }
            Error::NotPushAccount { .. } => {
                "'ACME: alice' does not receive login requests (its QR code had no push enrolment)"
            }
            Error::BackupEmpty => "the file is empty: export the accounts again from the other app",
            Error::BackupUnknownFormat => {
                "Otentik does not recognise this file: name the app it came from (aegis, 2fas, ente, proton, bitwarden, andotp, freeotp-plus, lastpass, uris, google)"
            }
            Error::BackupMalformed { .. } => {
                "not a readable Aegis file (EOF while parsing a value at line 1 column 40): export it again, or check which app it came from"
            }
            Error::BackupPasswordRequired { .. } => {
                "this 2FAS file is encrypted: give its password"
            }
            Error::BackupWrongPassword { .. } => {
                "wrong password or damaged file: the Ente Auth file could not be decrypted; check the password, or export the file again"
            }
            Error::BackupUnsupported { .. } => {
                "this Bitwarden file cannot be imported: an encrypted export"
            }
            Error::BackupNoAccounts { .. } => {
                "the Aegis file holds no account Otentik can use (2 skipped: Bank: budi (the secret is 40 bits; at least 80 are needed); …)"
            }
            Error::BackupVerifyFailed { .. } => {
                "the backup did not verify (entry 3 differs); it was not kept: check the folder and the disk, and try again"
            }
            Error::ImageUnreadable { .. } => {
                "cannot read the image 'shot.png': unexpected end of file; use a PNG, JPEG, WebP, BMP or GIF image"
            }
            Error::ImageTooLarge { .. } => {
                "the image 'bomb.png' is too large (100000×100000 pixels, at most 16384 pixels a side and 256 MiB decoded): crop it around the QR code"
            }
            Error::PixelBufferSize { .. } => {
                "invalid pixel buffer: 2×2 RGBA needs 16 bytes, got 12; pass the frame's real size and pixel format"
            }
            Error::QrNotFound { .. } => {
                "no QR code found on the screen: show the code larger and sharper (zoom in), or save it as an image and scan the file"
            }
            Error::NotAuthenticatorQr { .. } => {
                "the QR code in 'menu.png' is not an authenticator code: look for the QR code the site shows when you enable two-step verification (TOTP)"
            }
            Error::ClipboardUnavailable { .. } => {
                "cannot use the clipboard: X11 server connection timed out"
            }
            Error::ClipboardEmpty => {
                "the clipboard holds neither an image nor text: copy the QR code image or the 'otpauth://' link first"
            }
            Error::ScreenCapture { .. } => {
                "cannot capture the screen: no graphical display (DISPLAY is not set); save the QR code as an image and scan the file instead"
            }
            Error::ScreenPortalMissing { .. } => {
                "cannot capture the screen of this Wayland session: no screenshot portal (org.freedesktop.DBus.Error.ServiceUnknown); install xdg-desktop-portal and your desktop's portal (xdg-desktop-portal-gnome, -kde or -wlr), or save the QR code as an image and scan the file"
            }
            Error::ScreenCaptureCancelled => {
                "the screenshot was cancelled: scan the screen again and allow the screenshot, or save the QR code as an image and scan the file"
            }
            Error::ScreenCaptureDenied { .. } => {
                "the desktop refused the screenshot (screenshots are disabled): allow screenshots for Otentik in the system's privacy settings, or save the QR code as an image and scan the file"
            }
            Error::NoCamera => {
                "no camera found: connect one, or add the account from an image or the screen"
            }
            Error::CameraDenied { .. } => {
                "camera access denied: Permission denied (os error 13); allow camera access in the system settings, or add the account from an image or the screen"
            }
            Error::Camera { .. } => {
                "the camera failed: device unplugged; reconnect it, or add the account from an image or the screen"
            }
        }
    }

    /// Every variant's exact message: front ends and users rely on them.
    #[test]
    fn messages() {
        let samples = samples();
        for error in &samples {
            assert_eq!(error.to_string(), expected(error), "{error:?}");
        }
        let variants: HashSet<_> = samples.iter().map(discriminant).collect();
        assert_eq!(variants.len(), Error::COUNT, "a variant has no sample");
    }

    /// The strings of today, which the app, the CLI and the UI rely on.
    fn wire(code: Code) -> &'static str {
        match code {
            Code::NotAuthenticatorUri => "not_authenticator_uri",
            Code::InvalidUri => "invalid_uri",
            Code::InvalidSecret => "invalid_secret",
            Code::InvalidExport => "invalid_export",
            Code::KeyringUnavailable => "keyring_unavailable",
            Code::KeyringLocked => "keyring_locked",
            Code::KeyringFailure => "keyring_failure",
            Code::SecretMissing => "secret_missing",
            Code::MetadataUnreadable => "metadata_unreadable",
            Code::Storage => "storage",
            Code::VaultLocked => "vault_locked",
            Code::LockWrongPassword => "lock_wrong_password",
            Code::LockWait => "lock_wait",
            Code::LockPasswordTooShort => "lock_password_too_short",
            Code::LockState => "lock_state",
            Code::Duplicate => "duplicate",
            Code::NoMatch => "no_match",
            Code::Ambiguous => "ambiguous",
            Code::InvalidPosition => "invalid_position",
            Code::InvalidOrigin => "invalid_origin",
            Code::ImageUnreadable => "image_unreadable",
            Code::QrNotFound => "qr_not_found",
            Code::NotAuthenticatorQr => "not_authenticator_qr",
            Code::Clipboard => "clipboard",
            Code::ScreenCapture => "screen_capture",
            Code::NoCamera => "no_camera",
            Code::Camera => "camera",
            Code::PushInsecureUrl => "push_insecure_url",
            Code::PushUnreachable => "push_unreachable",
            Code::PushProtocol => "push_protocol",
            Code::PushRejected => "push_rejected",
            Code::PushClockSkew => "push_clock_skew",
            Code::PushRevoked => "push_revoked",
            Code::PushEnrollmentRefused => "push_enrollment_refused",
            Code::PushKeyMismatch => "push_key_mismatch",
            Code::PushRequestGone => "push_request_gone",
            Code::PushNumberRequired => "push_number_required",
            Code::NotPushAccount => "not_push_account",
            Code::BackupUnreadable => "backup_unreadable",
            Code::BackupUnknownFormat => "backup_unknown_format",
            Code::BackupPasswordRequired => "backup_password_required",
            Code::BackupWrongPassword => "backup_wrong_password",
            Code::BackupUnsupported => "backup_unsupported",
            Code::BackupNoAccounts => "backup_no_accounts",
            Code::BackupVerifyFailed => "backup_verify_failed",
        }
    }

    #[test]
    fn codes_keep_their_strings_through_json() {
        for code in Code::iter() {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, wire(code), "{code:?}");
            assert_eq!(serde_json::from_value::<Code>(json).unwrap(), code);
        }
    }

    #[test]
    fn every_code_is_used_by_some_error() {
        let used: HashSet<Code> = samples().iter().map(Error::code).collect();
        let all: HashSet<Code> = Code::iter().collect();
        assert_eq!(used, all);
    }
}
