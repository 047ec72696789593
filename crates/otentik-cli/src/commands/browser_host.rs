//! `otentik browser-host`: the browser extension's native host. The browser starts it and
//! talks over standard input and output until it closes them (`docs/browser.md`). Nothing is
//! written to standard output but replies: errors go to standard error.

use std::process::ExitCode;

use otentik::vault::Vault;

use crate::Outcome;

/// Runs the host until the browser closes its input.
pub fn run() -> Outcome {
    let mut vault = Vault::open_default()?;
    let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
    match otentik::browser::serve(
        &mut vault,
        &mut stdin.lock(),
        &mut stdout.lock(),
        crate::now,
    ) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) => {
            eprintln!("otentik browser-host: the browser's pipe broke: {error}");
            Ok(ExitCode::from(1))
        }
    }
}
