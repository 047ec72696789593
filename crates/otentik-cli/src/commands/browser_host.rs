//! `otentik browser-host`, the browser extension's native host, and `otentik browser
//! install|uninstall`, its manifest (`docs/browser.md`). The browser starts the host and talks
//! over standard input and output until it closes them; nothing but replies is written to
//! standard output (errors go to standard error).

use std::process::ExitCode;

use otentik::browser::install::{self, Browser, UserDirs};
use otentik::vault::{DATA_DIR_ENV, SERVICE_ENV, Vault};

use crate::args::BrowserCommand;
use crate::failure::Failure;
use crate::{Outcome, output};

/// Runs the host until the browser closes its input. The vault is opened for each request:
/// the app or the CLI may change the accounts, their sites or the lock while the host runs,
/// and a vault that cannot be opened now (a locked keyring) is an error reply, not the end.
pub fn run() -> Outcome {
    let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
    match otentik::browser::serve(
        Vault::open_default,
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
    let dirs = UserDirs::new(home, std::env::var_os("XDG_CONFIG_HOME"));
    let targets: Vec<(Browser, std::path::PathBuf)> = match (args.browser, &args.dir) {
        (Some(browser), Some(dir)) => vec![(browser, dir.clone())],
        (Some(browser), None) => vec![(browser, browser.manifest_dir(&dirs))],
        (None, _) if installing => Browser::ALL
            .into_iter()
            .filter(|b| b.profile_root(&dirs).is_dir())
            .map(|b| (b, b.manifest_dir(&dirs)))
            .collect(),
        (None, _) => Browser::ALL
            .into_iter()
            .map(|b| (b, b.manifest_dir(&dirs)))
            .collect(),
    };
    if installing {
        if targets.is_empty() {
            return Err(Failure::bad_input(
                "no Chromium, Chrome or Firefox folder in the home folder: start the browser once, or name it with --browser",
            ));
        }
        let data_dir = std::path::absolute(Vault::default_dir()?).map_err(|e| {
            Failure::bad_input(format!("cannot tell where the accounts are kept: {e}"))
        })?;
        let otentik = std::env::current_exe().map_err(|e| {
            Failure::bad_input(format!("cannot find the otentik program's path: {e}"))
        })?;
        // The host opens the vault this command would, whatever the browser's environment:
        // the same folder (always written, absolute) and keyring namespace.
        let text = |path: &std::path::Path, what: &str| {
            path.to_str().map(str::to_owned).ok_or_else(|| {
                Failure::bad_input(format!(
                    "the {what} path '{}' is not UTF-8, which a browser's manifest cannot name: move it",
                    path.display()
                ))
            })
        };
        let mut env = vec![(DATA_DIR_ENV, text(&data_dir, "accounts folder")?)];
        if let Some(service) = std::env::var_os(SERVICE_ENV).filter(|v| !v.is_empty()) {
            let service = service.into_string().map_err(|_| {
                Failure::bad_input(format!("{SERVICE_ENV} is not UTF-8: give it in plain text"))
            })?;
            env.push((SERVICE_ENV, service));
        }
        text(&otentik, "otentik program")?;
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
