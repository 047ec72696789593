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
    /// Print every account as an otpauth:// URI (contains the secrets).
    Export(ExportArgs),
    /// Turn a Google Authenticator export (otpauth-migration://) into otpauth:// URIs.
    Convert(ConvertArgs),
}

/// `otentik inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The otpauth:// or otpauth-migration:// URI.
    pub uri: String,
}

/// `otentik add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The otpauth:// or otpauth-migration:// URI.
    pub uri: String,
    /// Add even when the same issuer, account and secret are already kept.
    #[arg(long)]
    pub force: bool,
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
pub struct ExportArgs {
    /// Print one otpauth:// URI per account.
    #[arg(long, required = true)]
    pub uris: bool,
}
