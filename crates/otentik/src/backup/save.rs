//! A backup that proves it restores: written to a temporary file beside the target, read back
//! from disk, decrypted and compared entry by entry, and only then renamed into place.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::Path;

use super::{Entry, aegis};
use crate::error::{Error, Result};
use crate::vault::metadata::{io, sync_dir, temp_path};

/// Writes `entries` as an Aegis-format backup at `path` (encrypted under `password`, plain
/// when `None`), and reports success only once the file on disk decrypts to the same entries.
/// On any failure the previous file at `path`, if any, is left as it was.
pub fn save_verified(path: &Path, entries: &[Entry], password: Option<&str>) -> Result<()> {
    let bytes = aegis::write(entries, password)?;
    save_checked(path, &bytes, |back| verify(back, entries, password))
}

/// Writes `bytes` beside `path`, reads them back from disk, and renames them into place only
/// when `check` accepts what was read; on any failure the temporary file is removed and `path`
/// is left as it was.
fn save_checked(path: &Path, bytes: &[u8], check: impl FnOnce(&[u8]) -> Result<()>) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let temp = temp_path(path);
    let result = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&temp)
            .map_err(|source| io("create", &temp, source))?;
        file.write_all(bytes)
            .map_err(|source| io("write", &temp, source))?;
        file.sync_all()
            .map_err(|source| io("write", &temp, source))?;
        drop(file);
        let back = fs::read(&temp).map_err(|source| io("read", &temp, source))?;
        check(&back)?;
        fs::rename(&temp, path).map_err(|source| io("replace", path, source))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Checks that `bytes` decrypt to exactly `entries`, in order.
pub fn verify(bytes: &[u8], entries: &[Entry], password: Option<&str>) -> Result<()> {
    let failed = |detail: String| Error::BackupVerifyFailed { detail };
    let back = aegis::read(bytes, password)
        .map_err(|error| failed(format!("the written file does not read back: {error}")))?;
    if back.entries.len() != entries.len() {
        return Err(failed(format!(
            "{} entries read back, {} written",
            back.entries.len(),
            entries.len()
        )));
    }
    for (index, (read, written)) in back.entries.iter().zip(entries).enumerate() {
        if read != written {
            return Err(failed(format!(
                "entry {} ({}) reads back differently",
                index + 1,
                written.account.label()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_that_does_not_read_back_leaves_the_old_one_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("otentik-backup.json");
        fs::write(&path, b"the previous backup").unwrap();
        let refused = save_checked(&path, b"the new backup", |back| {
            assert_eq!(
                back, b"the new backup",
                "the check reads the file from disk"
            );
            Err(Error::BackupVerifyFailed {
                detail: "entry 1 reads back differently".into(),
            })
        });
        assert!(matches!(refused, Err(Error::BackupVerifyFailed { .. })));
        assert_eq!(fs::read(&path).unwrap(), b"the previous backup");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["otentik-backup.json"], "no temporary file is left");

        save_checked(&path, b"the new backup", |_| Ok(())).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"the new backup");
    }
}
