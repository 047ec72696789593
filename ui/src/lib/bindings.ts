// Generated from the Rust types (otentik, otentik-protocol, src-tauri) by `cargo test -p otentik-app`.
// Do not edit: change the Rust types and run the tests with OTENTIK_UPDATE_BINDINGS=1.

export type Code = "not_authenticator_uri" | "invalid_uri" | "invalid_secret" | "invalid_export" | "keyring_unavailable" | "keyring_locked" | "keyring_failure" | "secret_missing" | "metadata_unreadable" | "storage" | "vault_locked" | "lock_wrong_password" | "lock_wait" | "lock_password_too_short" | "lock_state" | "duplicate" | "no_match" | "ambiguous" | "invalid_position" | "invalid_origin" | "image_unreadable" | "qr_not_found" | "not_authenticator_qr" | "clipboard" | "screen_capture" | "no_camera" | "camera" | "push_insecure_url" | "push_unreachable" | "push_protocol" | "push_rejected" | "push_clock_skew" | "push_revoked" | "push_enrollment_refused" | "push_key_mismatch" | "push_request_gone" | "push_number_required" | "not_push_account" | "backup_unreadable" | "backup_unknown_format" | "backup_password_required" | "backup_wrong_password" | "backup_unsupported" | "backup_no_accounts" | "backup_verify_failed";

export type WarningCode = "issuer_mismatch" | "short_secret" | "export_account_skipped" | "export_part";

export type OtpKind = "totp" | "hotp" | "steam";

export type Algorithm = "SHA1" | "SHA256" | "SHA512";

export type PushState = "pending" | "active" | "revoked" | "failed" | "restored";

export type Decision = "approve" | "deny" | "not_me";

export type LoginState = "pending" | "approved" | "denied" | "not_me" | "expired";

export type Format = "aegis" | "2fas" | "ente" | "proton" | "bitwarden" | "andotp" | "freeotp-plus" | "lastpass" | "uris" | "google";

export type Skipped = { 
/**
 * What the file calls it ("Yandex: ivan", "line 6"); never a secret.
 */
name: string, 
/**
 * Why, in English ("Yandex OTP is not supported").
 */
reason: string, };

export type LockState = "off" | "locked" | "unlocked";

export type Strength = "too_short" | "weak" | "fair" | "strong";

export type AppCode = "invalid_input" | "pending_expired" | "internal";

export type ErrorCode = Code | AppCode;

export type Failure = { 
/**
 * What went wrong, for the UI to branch on and translate.
 */
code: ErrorCode, 
/**
 * The English detail.
 */
message: string, 
/**
 * The form field at fault, when there is one (`"secret"`, `"name"`, ...).
 */
field?: string, };

export type Language = "id" | "en";

export type AccountView = { 
/**
 * Stable id.
 */
id: string, 
/**
 * TOTP or HOTP.
 */
kind: OtpKind, 
/**
 * Issuer (may be empty).
 */
issuer: string, 
/**
 * Account name.
 */
name: string, 
/**
 * Code length.
 */
digits: number, 
/**
 * TOTP period in seconds.
 */
period: number, 
/**
 * HMAC algorithm.
 */
algorithm: Algorithm, 
/**
 * Unix time the account was added.
 */
created_at: number, 
/**
 * Push approvals (login requests answered in the app); absent for plain TOTP/HOTP.
 */
push?: PushView, 
/**
 * The sites (origins) the browser extension may fill this account's codes on.
 */
origins: Array<string>, };

export type PushView = { 
/**
 * Not enrolled yet, active, revoked (the site disabled or reset TOTP), or failed
 * (enrolment refused for good).
 */
state: PushState, 
/**
 * The push server's host.
 */
server: string, 
/**
 * False while the server does not answer the app's polls.
 */
reachable: boolean, 
/**
 * The last problem (English detail), if any.
 */
problem?: string, 
/**
 * Server clock minus this computer's, in seconds, as last measured.
 */
clock_offset: number, 
/**
 * Whether that offset is large enough to warn about (codes then use the server's time).
 */
clock_off: boolean, 
/**
 * Login requests waiting for an answer.
 */
requests: number, 
/**
 * Whether its requests reach the app while it is locked (enrolled with a poll-only
 * key); enrolments made before have to be activated again for that.
 */
lock_protected: boolean, };

export type CodeView = { 
/**
 * The account.
 */
id: string, 
/**
 * The code.
 */
code: string, 
/**
 * Whole seconds until the code changes (TOTP; 0 for HOTP).
 */
remaining: number, 
/**
 * The period (TOTP; 0 for HOTP).
 */
period: number, };

export type Codes = { 
/**
 * The instant, in milliseconds since the Unix epoch.
 */
at_ms: number, 
/**
 * One entry per TOTP account, in display order.
 */
codes: Array<CodeView>, 
/**
 * Accounts whose code could not be computed, with why.
 */
failures: Array<CodeFailure>, };

export type CodeFailure = { 
/**
 * The account.
 */
id: string, 
/**
 * Why.
 */
error: Failure, };

export type UriWarning = { 
/**
 * What is odd, for the UI to translate.
 */
code: WarningCode, 
/**
 * The English sentence.
 */
message: string, 
/**
 * Values the translation may show, by placeholder name.
 */
values: { [key in string]?: string }, };

export type Source = "uri" | "image" | "camera" | "screen" | "clipboard" | "form" | "link" | "browser";

export type PendingAccount = { 
/**
 * TOTP or HOTP.
 */
kind: OtpKind, 
/**
 * Issuer (may be empty).
 */
issuer: string, 
/**
 * Account name.
 */
name: string, 
/**
 * Code length.
 */
digits: number, 
/**
 * TOTP period.
 */
period: number, 
/**
 * HMAC algorithm.
 */
algorithm: Algorithm, 
/**
 * Whether the QR offers push approvals.
 */
push: boolean, 
/**
 * Where push approvals would go, checked (shown before the user presses Tambah).
 */
push_server: ServerCheck | null, 
/**
 * Whether an account with the same issuer and name is already kept.
 */
exists: boolean, 
/**
 * Oddities of the URI, each with a code the UI translates.
 */
warnings: Array<UriWarning>, };

export type Pending = { 
/**
 * Pass it to `confirm_add` or `cancel_add`.
 */
token: string, 
/**
 * Where they came from.
 */
source: Source, 
/**
 * Whether it is a Google Authenticator export (several accounts at once).
 */
export: boolean, 
/**
 * The accounts.
 */
accounts: Array<PendingAccount>, 
/**
 * From the browser: the site (origin) the page was on; the account is bound to it.
 */
origin: string | null, };

export type AddResult = { 
/**
 * Accounts now in the list.
 */
added: Array<AccountView>, 
/**
 * Labels of accounts skipped because they were already kept with the same secret.
 */
duplicates: Array<string>, };

export type ManualForm = { 
/**
 * Issuer (optional).
 */
issuer: string, 
/**
 * Account name.
 */
name: string, 
/**
 * The base32 secret the site showed.
 */
secret: string, 
/**
 * TOTP or HOTP.
 */
kind: OtpKind, 
/**
 * The HMAC algorithm.
 */
algorithm: Algorithm, 
/**
 * 6 to 9.
 */
digits: number, 
/**
 * TOTP period in seconds.
 */
period: number, 
/**
 * HOTP starting counter.
 */
counter: number, };

export type AppInfo = { 
/**
 * The app's version.
 */
version: string, 
/**
 * SPDX licence.
 */
license: string, 
/**
 * Where the account list is kept.
 */
data_dir: string, };

export type RequestView = { 
/**
 * Request id, for approve / deny.
 */
id: string, 
/**
 * The vault account it is for.
 */
account_id: string, 
/**
 * The account's label in Otentik.
 */
account: string, 
/**
 * The site's name.
 */
site: string, 
/**
 * The user id at the site.
 */
site_account: string, 
/**
 * The browser's IP address.
 */
ip: string, 
/**
 * The browser's user agent.
 */
browser: string, 
/**
 * When the login was attempted (Unix seconds, server clock).
 */
time: number, 
/**
 * When the request expires (Unix seconds, server clock).
 */
expires_at: number, 
/**
 * Whole seconds left to answer.
 */
seconds_left: number, 
/**
 * Milliseconds left to answer.
 */
expires_in_ms: number, 
/**
 * Number choices when the site asks to pick the number it shows (`null` otherwise).
 */
numbers: Array<number> | null, 
/**
 * True when the site asks to type the number it shows (no choices are offered).
 */
number_entry: boolean, };

export type ServerCheck = { 
/**
 * `host[:port]` of the push server.
 */
host: string, 
/**
 * Loopback, `localhost`, a `.local` name, or a private, link-local or unique-local
 * address.
 */
local: boolean, 
/**
 * `Some(true)` when the issuer names a domain the host is in (or under), `Some(false)`
 * when it names one the host is not in, `None` when the issuer names no domain.
 */
matches_issuer: boolean | null, };

export type Requests = { 
/**
 * The instant, in milliseconds since the Unix epoch (this computer's clock).
 */
at_ms: number, 
/**
 * The requests.
 */
requests: Array<RequestView>, };

export type AnswerView = { 
/**
 * The login's state now: approved, denied, not me or expired.
 */
status: LoginState, 
/**
 * True when Ya carried a number the site did not show (the login is then refused).
 */
wrong_number: boolean, 
/**
 * The site's name.
 */
site: string, 
/**
 * The user id at the site.
 */
site_account: string, };

export type RemovalCheck = { 
/**
 * True when the site still has TOTP on for this device: removing it here locks the
 * user out until TOTP is reset on the site.
 */
site_active: boolean, 
/**
 * Why the site could not be asked, when it could not.
 */
unreachable?: string, };

export type StagedFile = { 
/**
 * Its id, for [`ImportPreview`]'s request.
 */
id: string, 
/**
 * The format its content shows, when one is recognised.
 */
format: Format | null, 
/**
 * Whether it needs a password in that format.
 */
encrypted: boolean, };

export type ImportPreview = { 
/**
 * Pass it to `import_confirm`.
 */
token: string, 
/**
 * The format read.
 */
format: Format, 
/**
 * Whether the file was encrypted.
 */
encrypted: boolean, 
/**
 * The accounts, in file order (never a secret).
 */
entries: Array<ImportEntry>, 
/**
 * Entries that cannot be imported, with why.
 */
skipped: Array<Skipped>, 
/**
 * Notes about the file (a missing QR code of an export), in English.
 */
notes: Array<string>, };

export type ImportEntry = { 
/**
 * Issuer.
 */
issuer: string, 
/**
 * Account name.
 */
name: string, 
/**
 * TOTP, HOTP or Steam.
 */
kind: OtpKind, 
/**
 * Whether Otentik already holds it (it will not be added twice).
 */
duplicate: boolean, };

export type ImportDone = { 
/**
 * Accounts added.
 */
added: number, 
/**
 * Accounts already there.
 */
duplicates: number, 
/**
 * Entries skipped.
 */
skipped: number, };

export type BackupView = { 
/**
 * Whether backups are written automatically.
 */
enabled: boolean, 
/**
 * The folder.
 */
folder: string | null, 
/**
 * The folder suggested when none is set (under Documents).
 */
default_folder: string | null, 
/**
 * Whether a backup password is kept in the keyring.
 */
has_password: boolean, 
/**
 * How many backups are kept.
 */
keep: number, 
/**
 * When the last backup was written and verified (Unix seconds).
 */
last_verified: number | null, 
/**
 * Its file.
 */
last_file: string | null, 
/**
 * The last failure, until a backup succeeds (shown as a banner on **Akun**).
 */
error: Failure | null, };

export type PhoneTransfer = { 
/**
 * One SVG QR code per batch, in order.
 */
qrs: Array<string>, 
/**
 * Accounts that cannot travel this way, with why.
 */
left_out: Array<Skipped>, };

export type LockView = { 
/**
 * Off, locked, or unlocked by this app.
 */
state: LockState, 
/**
 * Seconds before another password may be tried (0: at once).
 */
wait_seconds: number, 
/**
 * Seconds without use after which the app locks (0: never).
 */
idle_seconds: number, 
/**
 * Whether automatic encrypted backups are set up (Pengaturan offers one before the lock
 * goes on: a forgotten password loses the vault).
 */
backups_on: boolean, 
/**
 * Login requests waiting (a number only: the lock screen says to unlock to answer).
 */
requests: number, };
