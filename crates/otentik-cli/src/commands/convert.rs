//! `otentik convert <otpauth-migration URI>…`: an export as standard otpauth:// URIs.

use std::process::ExitCode;

use crate::args::ConvertArgs;
use crate::{Outcome, output};

/// Runs the command. Everything is parsed before anything is printed, so a bad batch prints
/// nothing on stdout.
pub fn run(args: &ConvertArgs) -> Outcome {
    let mut uris = Vec::new();
    for uri in &args.uris {
        for parsed in otentik::otpauth::parse_any(uri)? {
            uris.push(otentik::otpauth::format(&parsed.account));
        }
    }
    for uri in &uris {
        output::line(uri);
    }
    Ok(ExitCode::SUCCESS)
}
