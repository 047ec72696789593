//! What crosses IPC to the UI: account metadata, codes, accounts waiting for confirmation, and
//! forms. None of these types holds a secret (the manual form carries the secret the user typed,
//! towards Rust only). The TypeScript twins in `ui/src/lib/bindings.ts` are generated from them.

use otentik::backup::{Format, Skipped};
use otentik::otpauth::Warning;
use otentik::push::LoginState;
use otentik::push::RequestView;
use otentik::vault::{LockState, PushState, StoredAccount};
use otentik::{Account, Algorithm, OtpKind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::warning::UriWarning;

/// One account as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AccountView {
    /// Stable id.
    pub id: String,
    /// TOTP or HOTP.
    pub kind: OtpKind,
    /// Issuer (may be empty).
    pub issuer: String,
    /// Account name.
    pub name: String,
    /// Code length.
    pub digits: u8,
    /// TOTP period in seconds.
    pub period: u32,
    /// HMAC algorithm.
    pub algorithm: Algorithm,
    /// Unix time the account was added.
    #[ts(type = "number")]
    pub created_at: u64,
    /// Push approvals (login requests answered in the app); absent for plain TOTP/HOTP.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push: Option<PushView>,
    /// The sites (origins) the browser extension may fill this account's codes on.
    pub origins: Vec<String>,
}

/// Where an account's push approvals stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PushView {
    /// Not enrolled yet, active, revoked (the site disabled or reset TOTP), or failed
    /// (enrolment refused for good).
    pub state: PushState,
    /// The push server's host.
    pub server: String,
    /// False while the server does not answer the app's polls.
    pub reachable: bool,
    /// The last problem (English detail), if any.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Server clock minus this computer's, in seconds, as last measured.
    #[ts(type = "number")]
    pub clock_offset: i64,
    /// Whether that offset is large enough to warn about (codes then use the server's time).
    pub clock_off: bool,
    /// Login requests waiting for an answer.
    pub requests: u32,
    /// Whether its requests reach the app while it is locked (enrolled with a poll-only
    /// key); enrolments made before have to be activated again for that.
    pub lock_protected: bool,
}

impl From<&StoredAccount> for AccountView {
    fn from(account: &StoredAccount) -> Self {
        Self {
            id: account.id.clone(),
            kind: account.kind,
            issuer: account.issuer.clone(),
            name: account.name.clone(),
            digits: account.digits,
            period: account.period,
            algorithm: account.algorithm,
            created_at: account.created_at,
            push: account.push.as_ref().map(|push| PushView {
                state: push.state,
                server: crate::approvals::server_host(&push.url),
                reachable: true,
                problem: push.last_error.clone(),
                clock_offset: push.clock_offset,
                clock_off: otentik::push::clock::is_off(push.clock_offset),
                requests: 0,
                lock_protected: push.poll_key,
            }),
            origins: account.origins.clone(),
        }
    }
}

impl AccountView {
    /// The view, with what the poller knows: whether the server answers, requests waiting.
    pub fn live(account: &StoredAccount, approvals: &crate::approvals::Approvals) -> Self {
        let mut view = Self::from(account);
        if let Some(push) = view.push.as_mut() {
            if let Some(why) = approvals.unreachable(&push.server) {
                push.reachable = false;
                push.problem = Some(why);
            }
            push.requests = u32::try_from(approvals.waiting(Some(&account.id))).unwrap_or(0);
        }
        view
    }
}

/// The requests waiting, newest first, at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Requests {
    /// The instant, in milliseconds since the Unix epoch (this computer's clock).
    #[ts(type = "number")]
    pub at_ms: u64,
    /// The requests.
    pub requests: Vec<RequestView>,
}

/// What the site made of an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AnswerView {
    /// The login's state now: approved, denied, not me or expired.
    pub status: LoginState,
    /// True when Ya carried a number the site did not show (the login is then refused).
    pub wrong_number: bool,
    /// The site's name.
    pub site: String,
    /// The user id at the site.
    pub site_account: String,
}

/// What removing a push account would do at the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RemovalCheck {
    /// True when the site still has TOTP on for this device: removing it here locks the
    /// user out until TOTP is reset on the site.
    pub site_active: bool,
    /// Why the site could not be asked, when it could not.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<String>,
}

/// One account's current code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CodeView {
    /// The account.
    pub id: String,
    /// The code.
    pub code: String,
    /// Whole seconds until the code changes (TOTP; 0 for HOTP).
    pub remaining: u32,
    /// The period (TOTP; 0 for HOTP).
    pub period: u32,
}

/// Every TOTP account's code at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Codes {
    /// The instant, in milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub at_ms: u64,
    /// One entry per TOTP account, in display order.
    pub codes: Vec<CodeView>,
    /// Accounts whose code could not be computed, with why.
    pub failures: Vec<CodeFailure>,
}

/// An account whose code is unavailable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CodeFailure {
    /// The account.
    pub id: String,
    /// Why.
    pub error: crate::failure::Failure,
}

/// An account read from a QR code, a URI or the form, waiting for the user's confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PendingAccount {
    /// TOTP or HOTP.
    pub kind: OtpKind,
    /// Issuer (may be empty).
    pub issuer: String,
    /// Account name.
    pub name: String,
    /// Code length.
    pub digits: u8,
    /// TOTP period.
    pub period: u32,
    /// HMAC algorithm.
    pub algorithm: Algorithm,
    /// Whether the QR offers push approvals.
    pub push: bool,
    /// Where push approvals would go, checked (shown before the user presses Tambah).
    pub push_server: Option<otentik::push::ServerCheck>,
    /// Whether an account with the same issuer and name is already kept.
    pub exists: bool,
    /// Oddities of the URI, each with a code the UI translates.
    pub warnings: Vec<UriWarning>,
}

impl PendingAccount {
    /// The view of a parsed account; `exists` says whether the list has its label already.
    pub fn new(account: &Account, warnings: &[Warning], exists: bool) -> Self {
        Self {
            kind: account.kind,
            issuer: account.issuer.clone(),
            name: account.name.clone(),
            digits: account.digits,
            period: account.period,
            algorithm: account.algorithm,
            push: account.push.is_some(),
            push_server: account
                .push
                .as_ref()
                .map(|push| otentik::push::check_server(&push.url, &account.issuer)),
            exists,
            warnings: warnings.iter().map(UriWarning::from).collect(),
        }
    }
}

/// Where accounts waiting for confirmation were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A pasted `otpauth://` or `otpauth-migration://` text.
    Uri,
    /// An image file.
    Image,
    /// A camera frame.
    Camera,
    /// The screen.
    Screen,
    /// The clipboard.
    Clipboard,
    /// The manual form.
    Form,
    /// An `otpauth://` link the app was opened with.
    Link,
    /// The browser extension: a QR code on the page at `Pending::origin`.
    Browser,
}

/// Accounts waiting for confirmation, under a one-time token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Pending {
    /// Pass it to `confirm_add` or `cancel_add`.
    pub token: String,
    /// Where they came from.
    pub source: Source,
    /// Whether it is a Google Authenticator export (several accounts at once).
    pub export: bool,
    /// The accounts.
    pub accounts: Vec<PendingAccount>,
    /// From the browser: the site (origin) the page was on; the account is bound to it.
    pub origin: Option<String>,
}

/// The result of confirming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AddResult {
    /// Accounts now in the list.
    pub added: Vec<AccountView>,
    /// Labels of accounts skipped because they were already kept with the same secret.
    pub duplicates: Vec<String>,
}

/// The manual form, as typed.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ManualForm {
    /// Issuer (optional).
    pub issuer: String,
    /// Account name.
    pub name: String,
    /// The base32 secret the site showed.
    pub secret: String,
    /// TOTP or HOTP.
    pub kind: OtpKind,
    /// The HMAC algorithm.
    pub algorithm: Algorithm,
    /// 6 to 9.
    pub digits: u8,
    /// TOTP period in seconds.
    pub period: u32,
    /// HOTP starting counter.
    #[ts(type = "number")]
    pub counter: u64,
}

/// About the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppInfo {
    /// The app's version.
    pub version: String,
    /// SPDX licence.
    pub license: String,
    /// Where the account list is kept.
    pub data_dir: String,
}

/// Where the app lock stands, for the lock screen and Pengaturan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LockView {
    /// Off, locked, or unlocked by this app.
    pub state: LockState,
    /// Seconds before another password may be tried (0: at once).
    #[ts(type = "number")]
    pub wait_seconds: u64,
    /// Seconds without use after which the app locks (0: never).
    #[ts(type = "number")]
    pub idle_seconds: u64,
    /// Whether automatic encrypted backups are set up (Pengaturan offers one before the lock
    /// goes on: a forgotten password loses the vault).
    pub backups_on: bool,
    /// Login requests waiting (a number only: the lock screen says to unlock to answer).
    pub requests: u32,
}

/// Whether an account kind is time-based.
pub fn is_totp(kind: OtpKind) -> bool {
    kind == OtpKind::Totp
}

/// A file picked for an import, as Rust read its first bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StagedFile {
    /// Its id, for [`ImportPreview`]'s request.
    pub id: String,
    /// The format its content shows, when one is recognised.
    pub format: Option<Format>,
    /// Whether it needs a password in that format.
    pub encrypted: bool,
}

/// What an import would do, shown before the user confirms it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportPreview {
    /// Pass it to `import_confirm`.
    pub token: String,
    /// The format read.
    pub format: Format,
    /// Whether the file was encrypted.
    pub encrypted: bool,
    /// The accounts, in file order (never a secret).
    pub entries: Vec<ImportEntry>,
    /// Entries that cannot be imported, with why.
    pub skipped: Vec<Skipped>,
    /// Notes about the file (a missing QR code of an export), in English.
    pub notes: Vec<String>,
}

/// One account of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportEntry {
    /// Issuer.
    pub issuer: String,
    /// Account name.
    pub name: String,
    /// TOTP, HOTP or Steam.
    pub kind: OtpKind,
    /// Whether Otentik already holds it (it will not be added twice).
    pub duplicate: bool,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportDone {
    /// Accounts added.
    pub added: u32,
    /// Accounts already there.
    pub duplicates: u32,
    /// Entries skipped.
    pub skipped: u32,
}

/// The automatic backups, as Pengaturan shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BackupView {
    /// Whether backups are written automatically.
    pub enabled: bool,
    /// The folder.
    pub folder: Option<String>,
    /// The folder suggested when none is set (under Documents).
    pub default_folder: Option<String>,
    /// Whether a backup password is kept in the keyring.
    pub has_password: bool,
    /// How many backups are kept.
    pub keep: u32,
    /// When the last backup was written and verified (Unix seconds).
    #[ts(type = "number | null")]
    pub last_verified: Option<u64>,
    /// Its file.
    pub last_file: Option<String>,
    /// The last failure, until a backup succeeds (shown as a banner on **Akun**).
    pub error: Option<crate::failure::Failure>,
}

/// The QR codes that move every account to a phone authenticator (Google Authenticator's
/// export format, which most phone apps read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PhoneTransfer {
    /// One SVG QR code per batch, in order.
    pub qrs: Vec<String>,
    /// Accounts that cannot travel this way, with why.
    pub left_out: Vec<Skipped>,
}
