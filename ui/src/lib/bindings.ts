// Generated from src-tauri (src/views.rs, src/failure.rs, src/warning.rs) by `cargo test -p otentik-app`.
// Do not edit: change the Rust types and run the tests with OTENTIK_UPDATE_BINDINGS=1.

export type ErrorCode = "not_authenticator_uri" | "invalid_uri" | "invalid_secret" | "invalid_export" | "keyring_unavailable" | "keyring_locked" | "keyring_failure" | "secret_missing" | "metadata_unreadable" | "storage" | "duplicate" | "no_match" | "ambiguous" | "invalid_position" | "image_unreadable" | "qr_not_found" | "not_authenticator_qr" | "clipboard" | "screen_capture" | "no_camera" | "camera" | "invalid_input" | "pending_expired" | "internal";

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

export type AccountView = { 
/**
 * Stable id.
 */
id: string, 
/**
 * `"totp"` or `"hotp"`.
 */
kind: string, 
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
 * HMAC algorithm (`SHA1`, ...).
 */
algorithm: string, 
/**
 * Unix time the account was added.
 */
created_at: number, 
/**
 * Push approvals: absent, or the core's state (`"pending"`, `"active"`, `"revoked"`, ...).
 */
push?: string, };

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

export type WarningCode = "issuer_mismatch" | "short_secret" | "export_account_skipped" | "export_part";

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

export type PendingAccount = { 
/**
 * `"totp"` or `"hotp"`.
 */
kind: string, 
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
algorithm: string, 
/**
 * Whether the QR offers push approvals.
 */
push: boolean, 
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
 * Where they came from: `"uri"`, `"image"`, `"camera"`, `"screen"`, `"clipboard"`,
 * `"form"`, `"link"`.
 */
source: string, 
/**
 * Whether it is a Google Authenticator export (several accounts at once).
 */
export: boolean, 
/**
 * The accounts.
 */
accounts: Array<PendingAccount>, };

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
 * `"totp"` or `"hotp"`.
 */
kind: string, 
/**
 * `SHA1`, `SHA256` or `SHA512`.
 */
algorithm: string, 
/**
 * 6, 7 or 8.
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
