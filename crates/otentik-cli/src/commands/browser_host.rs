//! `otentik browser-host`, the browser extension's native host, and `otentik browser
//! install|uninstall`, its manifest (`docs/browser.md`). The browser starts the host and talks
//! over standard input and output until it closes them; nothing but replies is written to
//! standard output (errors go to standard error).

use std::process::ExitCode;

use otentik::browser::install::{self, Browser};
use otentik::vault::{DATA_DIR_ENV, SERVICE_ENV, Vault};

use crate::args::BrowserCommand;
use crate::failure::Failure;
use crate::{Outcome, output};

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

/// `otentik browser install|uninstall`.
pub fn manifest(command: &BrowserCommand) -> Outcome {
    let (installing, args) = match command {
        BrowserCommand::Install(args) => (true, args),
        BrowserCommand::Uninstall(args) => (false, args),
    };
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(std::path::PathBuf::from)
        .ok_or_else(|| {
            Failure::bad_input("HOME is not set: give the folder with --browser B --dir DIR")
        })?;
    // The folders to write to or clean: the one named, or every browser's.
    let targets: Vec<(Browser, std::path::PathBuf)> = match (args.browser, &args.dir) {
        (Some(browser), Some(dir)) => vec![(browser, dir.clone())],
        (Some(browser), None) => vec![(browser, browser.manifest_dir(&home))],
        (None, _) if installing => Browser::ALL
            .into_iter()
            .filter(|b| b.profile_root(&home).is_dir())
            .map(|b| (b, b.manifest_dir(&home)))
            .collect(),
        (None, _) => Browser::ALL
            .into_iter()
            .map(|b| (b, b.manifest_dir(&home)))
            .collect(),
    };
    if installing {
        if targets.is_empty() {
            return Err(Failure::bad_input(
                "no Chromium, Chrome or Firefox folder in the home folder: start the browser once, or name it with --browser",
            ));
        }
        let data_dir = Vault::default_dir()?;
        let otentik = std::env::current_exe().map_err(|e| {
            Failure::bad_input(format!("cannot find the otentik program's path: {e}"))
        })?;
        // The host opens the vault this command would: the same folder and keyring namespace.
        let env: Vec<(&str, String)> = [DATA_DIR_ENV, SERVICE_ENV]
            .into_iter()
            .filter_map(|name| {
                std::env::var(name)
                    .ok()
                    .filter(|v| !v.is_empty())
                    .map(|v| (name, v))
            })
            .collect();
        let program = install::write_program(&data_dir, &otentik, &env)?;
        for (browser, dir) in targets {
            let path = install::install(browser, &dir, &program)?;
            output::line(&format!("{}: {}", browser.name(), path.display()));
        }
    } else {
        for (browser, dir) in targets {
            if install::uninstall(&dir)? {
                output::line(&format!("{}: removed", browser.name()));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
