//! The command line's shape (clap).

use clap::{Args, Parser, Subcommand};

/// Otentik: an open authenticator for SPSE and any TOTP site.
#[derive(Debug, Parser)]
#[command(name = "otentik", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what an otpauth:// or otpauth-migration:// URI holds, as JSON (never the secret).
    Inspect(InspectArgs),
    /// Add accounts from an otpauth:// URI or a Google Authenticator export.
    Add(AddArgs),
    /// List the accounts (never their secrets).
    List(ListArgs),
    /// Print current one-time codes: of the accounts, of one account, or of a URI.
    Code(CodeArgs),
    /// Remove an account from Otentik.
    Remove(RemoveArgs),
    /// Change an account's issuer or name.
    Rename(RenameArgs),
    /// Move an account to another place in the list.
    Move(MoveArgs),
    /// Write a backup: an encrypted Aegis-format vault that proves it restores before it is
    /// kept (--format aegis -o FILE), or every account as otpauth:// URIs (--uris).
    Export(ExportArgs),
    /// Import accounts from another authenticator's export or an Otentik backup: all of them
    /// or none. Exit status 2 for a wrong password, a damaged file or an unknown format.
    Import(ImportArgs),
    /// Show pending login requests.
    Pending(PendingArgs),
    /// Approve a login request ("Ya").
    Approve(ApproveArgs),
    /// Refuse a login request ("Tidak"), or report it ("Bukan saya", --not-me).
    Deny(DenyArgs),
    /// Wait for login requests and answer each as it arrives (Ctrl-C to stop).
    Watch(WatchArgs),
    /// Push state of each account: active, revoked, pending, unreachable; clock offset.
    Status(StatusArgs),
    /// Turn a Google Authenticator export (otpauth-migration://) into otpauth:// URIs.
    Convert(ConvertArgs),
    /// The app lock: a password that encrypts the vault key (on, off, passwd, status).
    /// Exit status 5 when the vault stays locked (no password, a wrong one, or a wait).
    #[command(subcommand)]
    Lock(LockCommand),
    /// Read the QR codes in image files (PNG, JPEG, WebP, BMP, GIF): each payload on its own
    /// line. Exit status 1 when an image holds no readable code, 2 when an image cannot be read.
    Scan(ScanArgs),
    /// The sites (origins) where the browser extension may fill an account's codes: shows
    /// them; with ORIGIN… binds the account to exactly those; --clear unbinds it.
    Origin(OriginArgs),
    /// The browser extension's host manifest: install writes it in the browsers' folders
    /// (every browser found, or --browser), uninstall removes it.
    #[command(subcommand)]
    Browser(BrowserCommand),
    /// The browser extension's native host: speaks the browser's native-messaging protocol on
    /// standard input and output (the browser starts it; see docs/browser.md).
    BrowserHost(BrowserHostArgs),
}

/// `otentik origin`.
#[derive(Debug, Args)]
pub struct OriginArgs {
    /// The account: part of its issuer or name, or its id.
    pub query: String,
    /// Site origins such as https://lpse.bandung.go.id (http:// only to this computer).
    #[arg(conflicts_with = "clear")]
    pub origins: Vec<String>,
    /// Unbind the account from every site.
    #[arg(long)]
    pub clear: bool,
}

/// `otentik browser …`.
#[derive(Debug, Subcommand)]
pub enum BrowserCommand {
    /// Write the native host's manifest, so the extension can reach Otentik.
    Install(BrowserInstallArgs),
    /// Remove the native host's manifest.
    Uninstall(BrowserInstallArgs),
}

/// `otentik browser install|uninstall`.
#[derive(Debug, Args)]
pub struct BrowserInstallArgs {
    /// Only this browser: chromium, chrome or firefox (default: every one whose folder
    /// exists in the home folder).
    #[arg(long, value_name = "BROWSER")]
    pub browser: Option<otentik::browser::install::Browser>,
    /// The folder the browser reads host manifests from, when it is not the usual one (a
    /// Chromium started with --user-data-dir=D reads D/NativeMessagingHosts). Needs --browser.
    #[arg(long, value_name = "DIR", requires = "browser")]
    pub dir: Option<std::path::PathBuf>,
}

/// `otentik browser-host`.
#[derive(Debug, Args)]
pub struct BrowserHostArgs {
    /// What the browser passes (Chromium: the calling extension's origin; Firefox: the host
    /// manifest's path and the extension's id). Not used: the browser checked the caller
    /// against the manifest's allowed extensions.
    #[arg(hide = true, allow_hyphen_values = true, trailing_var_arg = true)]
    pub browser_args: Vec<String>,
}

/// `otentik inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The otpauth:// or otpauth-migration:// URI.
    pub uri: String,
}

/// `otentik add`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("from").required(true).args(["uri", "image", "screen", "clipboard", "camera"])))]
pub struct AddArgs {
    /// The otpauth:// or otpauth-migration:// URI.
    pub uri: Option<String>,
    /// Read the QR code from an image file (PNG, JPEG, WebP, BMP, GIF).
    #[arg(long, value_name = "FILE")]
    pub image: Option<std::path::PathBuf>,
    /// Read the QR code from the screen: every monitor on X11; on Wayland a screenshot through
    /// the desktop portal, which may ask for permission first.
    #[arg(long)]
    pub screen: bool,
    /// Read the QR code (an image) or an otpauth:// URI (text) from the clipboard.
    #[arg(long)]
    pub clipboard: bool,
    /// Read the QR code from the camera.
    #[arg(long)]
    pub camera: bool,
    /// Add even when the same issuer, account and secret are already kept.
    #[arg(long)]
    pub force: bool,
    /// The vault is locked: read its password from the first line of this file (otherwise
    /// it is asked for on a terminal).
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<std::path::PathBuf>,
}

/// `otentik list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON: an array of {id, issuer, account, type, digits, period}.
    #[arg(long)]
    pub json: bool,
}

/// `otentik code`.
#[derive(Debug, Args)]
pub struct CodeArgs {
    /// Only the account whose issuer or name contains this (case-insensitive).
    #[arg(conflicts_with = "uri")]
    pub query: Option<String>,
    /// Compute the code of this otpauth:// or otpauth-migration:// URI.
    #[arg(long)]
    pub uri: Option<String>,
    /// The Unix time (seconds) to compute the code for, instead of now.
    #[arg(long, value_name = "UNIX SECONDS")]
    pub at: Option<u64>,
    /// Print JSON: {"code": …, "remaining": …}.
    #[arg(long)]
    pub json: bool,
    /// The vault is locked: read its password from the first line of this file (otherwise
    /// it is asked for on a terminal).
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<std::path::PathBuf>,
}

/// `otentik convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// One or more otpauth-migration:// URIs (the batches of one export may be given together).
    #[arg(required = true)]
    pub uris: Vec<String>,
}

/// `otentik remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The account: part of its issuer or name, or its id.
    pub query: String,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// The vault is locked: read its password from the first line of this file (otherwise
    /// it is asked for on a terminal).
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<std::path::PathBuf>,
}

/// `otentik rename`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("change").required(true).multiple(true).args(["issuer", "account"])))]
pub struct RenameArgs {
    /// The account: part of its issuer or name, or its id.
    pub query: String,
    /// The new issuer (empty to remove it).
    #[arg(long)]
    pub issuer: Option<String>,
    /// The new account name.
    #[arg(long)]
    pub account: Option<String>,
}

/// `otentik move`.
#[derive(Debug, Args)]
pub struct MoveArgs {
    /// The account: part of its issuer or name, or its id.
    pub query: String,
    /// The new position, 1 being the top of the list.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub to: u32,
}

/// `otentik export`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["uris", "format"])))]
pub struct ExportArgs {
    /// Print one otpauth:// URI per account (contains the secrets).
    #[arg(long, conflicts_with_all = ["format", "output", "password_file", "plain"])]
    pub uris: bool,
    /// The backup format: aegis (an Aegis vault, which Aegis and most authenticators import).
    #[arg(long, value_name = "FORMAT", value_parser = ["aegis"], requires = "output")]
    pub format: Option<String>,
    /// The file to write.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Read the backup password from the first line of this file (otherwise it is asked for
    /// twice on the terminal).
    #[arg(long, value_name = "FILE", conflicts_with = "plain")]
    pub password_file: Option<std::path::PathBuf>,
    /// Write the backup unencrypted (anyone who reads the file can copy every account).
    #[arg(long)]
    pub plain: bool,
    /// The Otentik vault is locked: read its password from the first line of this file
    /// (otherwise it is asked for on a terminal).
    #[arg(long, value_name = "FILE")]
    pub vault_password_file: Option<std::path::PathBuf>,
}

/// `otentik import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The files: one export, or the QR screenshots of one Google Authenticator export.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<std::path::PathBuf>,
    /// The app the file came from: aegis, 2fas, ente, proton, bitwarden, andotp,
    /// freeotp-plus, lastpass, uris, google (detected from the content when absent).
    #[arg(long, value_name = "FORMAT")]
    pub from: Option<String>,
    /// Read the file's password from the first line of this file (otherwise it is asked for on
    /// the terminal).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<std::path::PathBuf>,
    /// Show what would be imported without adding anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Print JSON (never a secret).
    #[arg(long)]
    pub json: bool,
    /// The Otentik vault is locked: read its password from the first line of this file
    /// (otherwise it is asked for on a terminal).
    #[arg(long, value_name = "FILE")]
    pub vault_password_file: Option<std::path::PathBuf>,
}

/// `otentik pending`.
#[derive(Debug, Args)]
pub struct PendingArgs {
    /// Wait up to this many seconds (at most 30) for a request to arrive.
    #[arg(long, value_name = "SECONDS", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=30))]
    pub wait: u64,
    /// Print JSON: an array of requests.
    #[arg(long)]
    pub json: bool,
    /// The vault is locked: read its password from the first line of this file (otherwise
    /// it is asked for on a terminal).
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<std::path::PathBuf>,
}

/// `otentik approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The request id (from `otentik pending`).
    pub request_id: String,
    /// The number the site shows, when it asks you to match one.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=99))]
    pub number: Option<u8>,
    /// The vault is locked: read its password from the first line of this file (otherwise
    /// it is asked for on a terminal).
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<std::path::PathBuf>,
}

/// `otentik deny`.
#[derive(Debug, Args)]
pub struct DenyArgs {
    /// The request id (from `otentik pending`).
    pub request_id: String,
    /// Report it: you did not try to log in ("Bukan saya").
    #[arg(long)]
    pub not_me: bool,
    /// The vault is locked: read its password from the first line of this file (otherwise
    /// it is asked for on a terminal).
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<std::path::PathBuf>,
}

/// `otentik status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only the account whose issuer or name contains this.
    pub query: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `otentik scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Image files to read.
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<std::path::PathBuf>,
    /// Print JSON: an array of {file, text, authenticator, decoder, steps, ms}.
    #[arg(long)]
    pub json: bool,
}

/// `otentik watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The vault is locked: read its password from the first line of this file (otherwise
    /// it is asked for on a terminal).
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<std::path::PathBuf>,
}

/// `otentik lock …`.
#[derive(Debug, Subcommand)]
pub enum LockCommand {
    /// Turn the lock on: asks for a new password twice (or reads it from --password-file).
    On(LockNewArgs),
    /// Turn the lock off: the vault key goes back to the OS keyring.
    Off(LockOldArgs),
    /// Change the password (only the wrapped key is rewritten).
    Passwd(LockPasswdArgs),
    /// Whether the lock is on, its key derivation, and any wait after wrong passwords.
    Status(LockStatusArgs),
}

/// `otentik lock on`.
#[derive(Debug, Args)]
pub struct LockNewArgs {
    /// Read the new password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<std::path::PathBuf>,
}

/// `otentik lock off`.
#[derive(Debug, Args)]
pub struct LockOldArgs {
    /// Read the password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<std::path::PathBuf>,
}

/// `otentik lock passwd`.
#[derive(Debug, Args)]
pub struct LockPasswdArgs {
    /// Read the current password from the first line of this file.
    #[arg(long, value_name = "OLD")]
    pub password_file: Option<std::path::PathBuf>,
    /// Read the new password from the first line of this file.
    #[arg(long, value_name = "NEW")]
    pub new_password_file: Option<std::path::PathBuf>,
}

/// `otentik lock status`.
#[derive(Debug, Args)]
pub struct LockStatusArgs {
    /// Print JSON: {"lock": "on"|"off", "wait_seconds", "kdf"}.
    #[arg(long)]
    pub json: bool,
}
