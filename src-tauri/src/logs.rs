//! What the app logs, and where: a desktop launch has no terminal, so problems that do not stop
//! a command (a device that could not be unregistered, polling that could not start, a
//! notification daemon that is missing) go through `tracing` to `logs/otentik.<date>.log` in the
//! data folder, one file a day, the last [`KEEP`] kept. `OTENTIK_LOG` sets the filter
//! (`info` by default; e.g. `OTENTIK_LOG=debug`). Nothing logged ever holds a secret: the
//! core's messages never carry one.

use std::path::{Path, PathBuf};

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;

/// Days of logs kept.
pub const KEEP: usize = 7;

/// The environment variable that sets the log filter.
pub const FILTER_ENV: &str = "OTENTIK_LOG";

/// The folder the logs go to: `logs/` in the vault's data folder.
pub fn dir() -> Option<PathBuf> {
    otentik::vault::Vault::default_dir()
        .ok()
        .map(|dir| dir.join("logs"))
}

/// A subscriber writing to rotating files in `dir` (created if missing).
pub fn subscriber(dir: &Path) -> std::io::Result<impl tracing::Subscriber + Send + Sync> {
    std::fs::create_dir_all(dir)?;
    let files = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("otentik")
        .filename_suffix("log")
        .max_log_files(KEEP)
        .build(dir)
        .map_err(std::io::Error::other)?;
    let filter = EnvFilter::try_from_env(FILTER_ENV).unwrap_or_else(|_| EnvFilter::new("info"));
    Ok(tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(files)
        .finish())
}

/// Starts logging for the app's whole run. Without a data folder, or when the folder cannot be
/// written, the app runs without logs and says so on stderr (the only place left).
pub fn start() {
    let Some(dir) = dir() else {
        eprintln!("Otentik: no data folder, so no log file");
        return;
    };
    match subscriber(&dir) {
        Ok(subscriber) => {
            if tracing::subscriber::set_global_default(subscriber).is_err() {
                eprintln!("Otentik: logging was already set up");
            }
        }
        Err(error) => eprintln!("Otentik: no log file in {}: {error}", dir.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_land_in_a_dated_file_in_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let subscriber = subscriber(&logs).unwrap();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(
                problem = "server away",
                "the device could not be unregistered"
            );
            tracing::debug!("not at the default level");
        });
        let files: Vec<_> = std::fs::read_dir(&logs)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].starts_with("otentik.") && files[0].ends_with(".log"));
        let text = std::fs::read_to_string(logs.join(&files[0])).unwrap();
        assert!(text.contains("WARN"), "{text}");
        assert!(text.contains("the device could not be unregistered"));
        assert!(text.contains("problem=\"server away\""), "{text}");
        assert!(!text.contains("not at the default level"));
    }
}
