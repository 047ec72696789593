//! `otentik origin <query> [ORIGIN…] [--clear]`: the sites where the browser extension may
//! fill an account's codes.

use std::process::ExitCode;

use otentik::origin::Origin;
use otentik::vault::Vault;

use crate::args::OriginArgs;
use crate::{Outcome, output};

/// Runs the command: prints the account's origins, one per line, after any change.
pub fn run(args: &OriginArgs) -> Outcome {
    let mut vault = Vault::open_default()?;
    let id = vault.find_one(&args.query)?.id.clone();
    let account = if args.clear || !args.origins.is_empty() {
        // Every origin is checked before anything changes.
        let origins = args
            .origins
            .iter()
            .map(|o| Origin::parse(o))
            .collect::<Result<Vec<_>, _>>()?;
        vault.set_origins(&id, &origins)?
    } else {
        vault.get(&id)?.clone()
    };
    for origin in &account.origins {
        output::line(origin);
    }
    Ok(ExitCode::SUCCESS)
}
