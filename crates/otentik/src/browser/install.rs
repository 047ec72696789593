//! `otentik browser install|uninstall`: the native host's manifest in a browser's folder, and
//! the small program it names (a browser starts a program, not a command line, so the host is
//! `exec otentik browser-host` in a script beside the account list).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::error::{Error, Result};

/// The host's name: the browser looks for `<HOST_NAME>.json`.
pub const HOST_NAME: &str = "id.otentik.browser_host";
/// The extension's id in Chromium and Chrome (fixed by the public key in its manifest).
pub const CHROMIUM_EXTENSION_ID: &str = "fkamgadhljpfghnogkmljbkocmcioimp";
/// The extension's id in Firefox (`browser_specific_settings.gecko.id`).
pub const GECKO_ID: &str = "browser@otentik.id";
/// The host program's file name, in the data directory.
pub const PROGRAM_NAME: &str = "browser-host";

/// A browser Otentik's host can be installed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    /// Debian's Chromium.
    Chromium,
    /// Google Chrome.
    Chrome,
    /// Firefox.
    Firefox,
}

/// The user's folders the browsers keep their settings in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDirs {
    /// `$HOME` (Firefox: `~/.mozilla`).
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME`, or `~/.config` when it is unset, empty or relative (Chromium and
    /// Chrome keep their profiles there).
    pub config: PathBuf,
}

impl UserDirs {
    /// The folders for `home` and the value of `XDG_CONFIG_HOME`, as the XDG base directory
    /// rules read it.
    pub fn new(home: PathBuf, xdg_config_home: Option<std::ffi::OsString>) -> Self {
        let config = xdg_config_home
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .unwrap_or_else(|| home.join(".config"));
        Self { home, config }
    }
}

impl Browser {
    /// Every browser, in the order they are tried.
    pub const ALL: [Browser; 3] = [Browser::Chromium, Browser::Chrome, Browser::Firefox];

    /// `chromium`, `chrome`, `firefox`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Chromium => "chromium",
            Self::Chrome => "chrome",
            Self::Firefox => "firefox",
        }
    }

    /// The browser's own folder (present when it was ever started).
    pub fn profile_root(self, dirs: &UserDirs) -> PathBuf {
        match self {
            Self::Chromium => dirs.config.join("chromium"),
            Self::Chrome => dirs.config.join("google-chrome"),
            Self::Firefox => dirs.home.join(".mozilla"),
        }
    }

    /// Where the browser reads host manifests for this user.
    pub fn manifest_dir(self, dirs: &UserDirs) -> PathBuf {
        match self {
            Self::Chromium | Self::Chrome => self.profile_root(dirs).join("NativeMessagingHosts"),
            Self::Firefox => self.profile_root(dirs).join("native-messaging-hosts"),
        }
    }

    /// The manifest naming `program` and allowing only Otentik's extension.
    pub fn manifest(self, program: &Path) -> Value {
        let mut manifest = json!({
            "name": HOST_NAME,
            "description": "Otentik: codes for the sites your accounts are bound to",
            // Checked by the caller: a manifest can only name a UTF-8 path.
            "path": program.to_string_lossy(),
            "type": "stdio",
        });
        let allowed = match self {
            Self::Chromium | Self::Chrome => (
                "allowed_origins",
                json!([format!("chrome-extension://{CHROMIUM_EXTENSION_ID}/")]),
            ),
            Self::Firefox => ("allowed_extensions", json!([GECKO_ID])),
        };
        if let Value::Object(fields) = &mut manifest {
            fields.insert(allowed.0.into(), allowed.1);
        }
        manifest
    }
}

impl std::str::FromStr for Browser {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        Browser::ALL
            .into_iter()
            .find(|b| b.name() == text)
            .ok_or_else(|| format!("unknown browser '{text}': use chromium, chrome or firefox"))
    }
}

/// Writes the host program in `data_dir`: a script that starts `otentik browser-host` with
/// the environment given (`OTENTIK_DATA_DIR`, `OTENTIK_KEYRING_SERVICE` when set, so the host
/// opens the same vault as the command that installed it). Returns its path.
pub fn write_program(data_dir: &Path, otentik: &Path, env: &[(&str, String)]) -> Result<PathBuf> {
    let mut script = String::from(
        "#!/bin/sh\n# Written by `otentik browser install`: the browser starts this.\n",
    );
    for (name, value) in env {
        script.push_str(&format!("export {name}={}\n", quoted(value)));
    }
    script.push_str(&format!(
        "exec {} browser-host \"$@\"\n",
        quoted(&otentik.to_string_lossy())
    ));
    let path = data_dir.join(PROGRAM_NAME);
    write_atomically(&path, script.as_bytes(), 0o755)?;
    Ok(path)
}

/// Writes `browser`'s manifest naming `program` into `dir`; returns the manifest's path.
pub fn install(browser: Browser, dir: &Path, program: &Path) -> Result<PathBuf> {
    let path = dir.join(format!("{HOST_NAME}.json"));
    let text = serde_json::to_string_pretty(&browser.manifest(program)).unwrap_or_default();
    write_atomically(&path, text.as_bytes(), 0o644)?;
    Ok(path)
}

/// Removes the manifest from `dir`: whether there was one.
pub fn uninstall(dir: &Path) -> Result<bool> {
    let path = dir.join(format!("{HOST_NAME}.json"));
    match fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(Error::Io {
            action: "remove",
            path,
            source,
        }),
    }
}

/// Single-quoted for sh.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Written as the account list is ([`crate::vault::metadata::write_atomic`]), into a folder
/// made if missing, then given `mode`.
fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let io = |action, source| Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| io("create", e))?;
    }
    crate::vault::metadata::write_atomic(path, bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|e| io("write", e))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chromium_follows_xdg_config_home_and_firefox_does_not() {
        let dirs = UserDirs::new("/home/budi".into(), Some("/data/budi/cfg".into()));
        assert_eq!(
            Browser::Chromium.manifest_dir(&dirs),
            Path::new("/data/budi/cfg/chromium/NativeMessagingHosts")
        );
        assert_eq!(
            Browser::Chrome.profile_root(&dirs),
            Path::new("/data/budi/cfg/google-chrome")
        );
        assert_eq!(
            Browser::Firefox.manifest_dir(&dirs),
            Path::new("/home/budi/.mozilla/native-messaging-hosts")
        );
        // Empty or relative: ignored, as the XDG rules say.
        for ignored in ["", "cfg"] {
            let dirs = UserDirs::new("/home/budi".into(), Some(ignored.into()));
            assert_eq!(dirs.config, Path::new("/home/budi/.config"), "{ignored:?}");
        }
    }

    #[test]
    fn each_browser_gets_its_folder_and_its_allow_list() {
        let home = &UserDirs::new("/home/budi".into(), None);
        assert_eq!(
            Browser::Chromium.manifest_dir(home),
            Path::new("/home/budi/.config/chromium/NativeMessagingHosts")
        );
        assert_eq!(
            Browser::Chrome.manifest_dir(home),
            Path::new("/home/budi/.config/google-chrome/NativeMessagingHosts")
        );
        assert_eq!(
            Browser::Firefox.manifest_dir(home),
            Path::new("/home/budi/.mozilla/native-messaging-hosts")
        );
        let program = Path::new("/p/browser-host");
        let chromium = Browser::Chromium.manifest(program);
        assert_eq!(chromium["name"], HOST_NAME);
        assert_eq!(chromium["path"], "/p/browser-host");
        assert_eq!(chromium["type"], "stdio");
        assert_eq!(
            chromium["allowed_origins"],
            json!(["chrome-extension://fkamgadhljpfghnogkmljbkocmcioimp/"])
        );
        assert!(chromium.get("allowed_extensions").is_none());
        let firefox = Browser::Firefox.manifest(program);
        assert_eq!(firefox["allowed_extensions"], json!(["browser@otentik.id"]));
        assert!(firefox.get("allowed_origins").is_none());
        assert_eq!("firefox".parse::<Browser>(), Ok(Browser::Firefox));
        assert!(
            "safari"
                .parse::<Browser>()
                .unwrap_err()
                .contains("chromium, chrome or firefox")
        );
    }

    #[test]
    fn install_writes_and_uninstall_removes() {
        let dir = tempfile::tempdir().unwrap();
        let program = write_program(
            dir.path(),
            Path::new("/opt/o'tentik/otentik"),
            &[("OTENTIK_DATA_DIR", "/d ir".into())],
        )
        .unwrap();
        let script = fs::read_to_string(&program).unwrap();
        assert!(script.starts_with("#!/bin/sh\n"), "{script}");
        assert!(
            script.contains("export OTENTIK_DATA_DIR='/d ir'\n"),
            "{script}"
        );
        assert!(
            script.contains(r#"exec '/opt/o'\''tentik/otentik' browser-host "$@""#),
            "{script}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(
                fs::metadata(&program).unwrap().permissions().mode() & 0o777,
                0o755
            );
        }
        let hosts = dir.path().join("NativeMessagingHosts");
        let manifest = install(Browser::Chromium, &hosts, &program).unwrap();
        let written: Value = serde_json::from_slice(&fs::read(&manifest).unwrap()).unwrap();
        assert_eq!(written, Browser::Chromium.manifest(&program));
        assert!(uninstall(&hosts).unwrap());
        assert!(!manifest.exists());
        assert!(!uninstall(&hosts).unwrap(), "nothing left to remove");
    }
}
