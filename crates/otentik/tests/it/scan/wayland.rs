//! Screen capture on pure Wayland, for real: a headless sway shows a QR code (swaybg), the XDG
//! desktop portal (xdg-desktop-portal with xdg-desktop-portal-wlr, which needs pipewire, and
//! takes the screenshot with grim) runs on a private D-Bus session bus, and the screen source,
//! given only that Wayland display and that bus (no `DISPLAY`), reads the code through
//! `org.freedesktop.portal.Screenshot`.
//!
//! Everything the children need is passed to them explicitly; nothing is read from or set in
//! this process's environment. A missing tool fails the test saying what to install.
//!
//! sway 1.7 refuses to run as root ("Unable to drop root"): as root, sway runs as `nobody`
//! through `setpriv`, in a runtime directory it owns; everything else stays root and can
//! still reach its sockets.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use otentik::Error;
use otentik::scan::screen::{Screen, Session};
use otentik::scan::{Decoder, ScanOptions, Source, find_authenticator};

const URI: &str = "otpauth://totp/LPSE%20Kota%20Bandung:ppk.dua?secret=KRUGKIDROVUWG2ZAMJZG653O&issuer=LPSE%20Kota%20Bandung";

const PORTAL: &str = "/usr/libexec/xdg-desktop-portal";
const PORTAL_WLR: &str = "/usr/libexec/xdg-desktop-portal-wlr";
/// xdg-desktop-portal 1.16 offers Screenshot only when some portal implements Access; on a
/// sway desktop that is xdg-desktop-portal-gtk (never started here: non-interactive
/// screenshots of host applications ask no question).
const ACCESS_PORTAL: &str = "/usr/share/xdg-desktop-portal/portals/gtk.portal";
const PACKAGES: &str = "sway swaybg grim pipewire xdg-desktop-portal xdg-desktop-portal-wlr \
                        xdg-desktop-portal-gtk dbus (scripts/deps.sh installs them)";

/// The processes of one private Wayland desktop, killed (last started first) when dropped.
struct Desktop {
    dir: tempfile::TempDir,
    children: Vec<(&'static str, Child)>,
    wayland_display: String,
    bus: String,
}

impl Drop for Desktop {
    fn drop(&mut self) {
        while let Some((_, mut child)) = self.children.pop() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Desktop {
    fn runtime_dir(&self) -> PathBuf {
        self.dir.path().join("runtime")
    }

    fn log(&self, name: &str) -> std::fs::File {
        std::fs::File::create(self.dir.path().join(format!("{name}.log"))).unwrap()
    }

    /// The last lines of every log, for failure messages.
    fn logs(&self) -> String {
        let mut out = String::new();
        for name in ["sway", "swaybg", "dbus", "pipewire", "portal-wlr", "portal"] {
            let text = std::fs::read_to_string(self.dir.path().join(format!("{name}.log")))
                .unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(15)..].join("\n");
            out.push_str(&format!("--- {name}.log\n{tail}\n"));
        }
        out
    }

    /// A command with the desktop's environment and nothing of this process's session (its
    /// display, its bus, the test keyring: a portal activated on the private bus would find it).
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("WAYLAND_DISPLAY", &self.wayland_display)
            .env("XDG_RUNTIME_DIR", self.runtime_dir())
            .env("XDG_CURRENT_DESKTOP", "sway")
            .env("HOME", self.dir.path())
            .env("NO_AT_BRIDGE", "1")
            .stdin(Stdio::null());
        if !self.bus.is_empty() {
            command.env("DBUS_SESSION_BUS_ADDRESS", &self.bus);
        }
        command
    }

    fn spawn(&mut self, name: &'static str, mut command: Command) {
        let child = command
            .stdout(self.log(name))
            .stderr(self.log(name))
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {name} ({err}): install {PACKAGES}"));
        self.children.push((name, child));
    }

    fn wait_for(&mut self, what: &str, mut ready: impl FnMut(&Self) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !ready(self) {
            let exited = self.children.iter_mut().find_map(|(name, child)| {
                child
                    .try_wait()
                    .ok()
                    .flatten()
                    .map(|status| (*name, status))
            });
            if let Some((name, status)) = exited {
                panic!("{name} exited ({status}) before {what}\n{}", self.logs());
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether `name` has an owner on the desktop's bus.
    fn owned(&self, name: &str) -> bool {
        self.command("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{name}"),
            ])
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("boolean true"))
    }
}

fn require_tools() {
    for tool in [
        "sway",
        "swaybg",
        "grim",
        "pipewire",
        "dbus-daemon",
        "dbus-send",
    ] {
        let found = std::env::var_os("PATH")
            .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
            .unwrap_or(false);
        assert!(found, "this test needs {tool}: install {PACKAGES}");
    }
    for file in [PORTAL, PORTAL_WLR, ACCESS_PORTAL] {
        assert!(
            Path::new(file).exists(),
            "this test needs {file}: install {PACKAGES}"
        );
    }
}

/// Headless sway showing `qr_png` in the middle of a white output, then the portal on a bus of
/// its own.
fn start_desktop(qr_png: &[u8]) -> Desktop {
    require_tools();
    let dir = tempfile::tempdir().unwrap();
    let mut desktop = Desktop {
        dir,
        children: Vec::new(),
        wayland_display: String::new(),
        bus: String::new(),
    };
    // sway (as `nobody` when we are root) must reach its config and own its runtime directory.
    let root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    std::fs::set_permissions(desktop.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let runtime = desktop.runtime_dir();
    std::fs::create_dir(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    if root {
        std::os::unix::fs::chown(&runtime, Some(65534), Some(65534)).unwrap();
    }
    let config = desktop.dir.path().join("sway.conf");
    std::fs::write(&config, "xwayland disable\n").unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let qr = desktop.dir.path().join("qr.png");
    std::fs::write(&qr, qr_png).unwrap();

    let mut sway = if root {
        let mut command = desktop.command("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", "sway"]);
        command
    } else {
        desktop.command("sway")
    };
    sway.env_remove("WAYLAND_DISPLAY")
        .env("WLR_BACKENDS", "headless")
        .env("WLR_LIBINPUT_NO_DEVICES", "1")
        .env("WLR_RENDERER", "pixman")
        .arg("--config")
        .arg(&config);
    desktop.spawn("sway", sway);
    desktop.wait_for("sway's Wayland socket", |d| {
        wayland_socket(&d.runtime_dir()).is_some()
    });
    desktop.wayland_display = wayland_socket(&desktop.runtime_dir()).unwrap_or_default();

    let mut swaybg = desktop.command("swaybg");
    swaybg
        .args([
            "--output", "*", "--mode", "center", "--color", "#ffffff", "--image",
        ])
        .arg(&qr);
    desktop.spawn("swaybg", swaybg);
    // Shown once a screenshot (grim, as the portal will take it) has dark pixels.
    let probe = desktop.dir.path().join("probe.png");
    desktop.wait_for("the QR code on the Wayland output", |d| {
        d.command("grim")
            .arg(&probe)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
            && image::open(&probe).is_ok_and(|shot| shot.to_luma8().pixels().any(|p| p.0[0] < 64))
    });

    desktop.bus = start_bus(&mut desktop, None);
    let mut pipewire = desktop.command("pipewire");
    pipewire.env_remove("WAYLAND_DISPLAY");
    desktop.spawn("pipewire", pipewire);
    desktop.wait_for("pipewire's socket", |d| {
        d.runtime_dir().join("pipewire-0").exists()
    });
    let mut wlr = desktop.command(PORTAL_WLR);
    wlr.args(["--loglevel", "DEBUG"]);
    desktop.spawn("portal-wlr", wlr);
    desktop.wait_for("xdg-desktop-portal-wlr on the bus", |d| {
        d.owned("org.freedesktop.impl.portal.desktop.wlr")
    });
    let mut portal = desktop.command(PORTAL);
    portal.arg("--verbose");
    desktop.spawn("portal", portal);
    desktop.wait_for("xdg-desktop-portal on the bus", |d| {
        d.owned("org.freedesktop.portal.Desktop")
    });
    desktop
}

/// A private session bus (the standard session configuration, so the portal can start its
/// permission store, or `config` instead); returns its address.
fn start_bus(desktop: &mut Desktop, config: Option<&Path>) -> String {
    let mut command = desktop.command("dbus-daemon");
    match config {
        Some(config) => command.arg(format!("--config-file={}", config.display())),
        None => command.arg("--session"),
    };
    let mut child = command
        .args(["--nofork", "--nopidfile", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(desktop.log("dbus"))
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start dbus-daemon ({err}): install {PACKAGES}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    desktop.children.push(("dbus", child));
    let address = line.trim().to_owned();
    assert!(
        address.starts_with("unix:"),
        "dbus-daemon printed no address ({line:?})\n{}",
        desktop.logs()
    );
    address
}

fn wayland_socket(runtime: &Path) -> Option<String> {
    std::fs::read_dir(runtime).ok()?.find_map(|entry| {
        let name = entry.ok()?.file_name().into_string().ok()?;
        (name.starts_with("wayland-") && !name.ends_with(".lock")).then_some(name)
    })
}

#[test]
fn a_qr_code_on_a_wayland_desktop_is_read_through_the_portal() {
    let desktop = start_desktop(&super::qr_png(URI, 5));
    let session = Session {
        display: None,
        wayland_display: Some(desktop.wayland_display.clone()),
        dbus_address: Some(desktop.bus.clone()),
    };
    let mut screen = Screen::in_session(session).with_portal_timeout(Duration::from_secs(30));
    let found = find_authenticator(&mut screen, &ScanOptions::default())
        .unwrap_or_else(|err| panic!("{err}\n{}", desktop.logs()));
    assert_eq!(found.text, URI);
    assert_ne!(found.decoder, Decoder::Text);
    // xdg-desktop-portal-wlr saves /tmp/out.png, ours: read, then deleted.
    if std::fs::canonicalize(std::env::temp_dir()).ok() == Some(PathBuf::from("/tmp")) {
        assert!(
            !Path::new("/tmp/out.png").exists(),
            "the portal's temporary screenshot was left behind"
        );
    }
    assert!(
        std::fs::read_to_string(desktop.dir.path().join("portal.log"))
            .unwrap_or_default()
            .contains("Handle Screenshot"),
        "the screenshot went through the portal\n{}",
        desktop.logs()
    );
}

#[test]
fn a_wayland_session_without_a_portal_says_what_to_install() {
    require_tools();
    let dir = tempfile::tempdir().unwrap();
    // A bus that activates nothing: nobody answers for org.freedesktop.portal.Desktop.
    let config = dir.path().join("bus.conf");
    std::fs::write(
        &config,
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
    )
    .unwrap();
    let mut desktop = Desktop {
        dir,
        children: Vec::new(),
        wayland_display: "wayland-otentik-test".to_owned(),
        bus: String::new(),
    };
    std::fs::create_dir(desktop.runtime_dir()).unwrap();
    let bus = start_bus(&mut desktop, Some(&config));
    let mut screen = Screen::in_session(Session {
        display: None,
        wayland_display: Some(desktop.wayland_display.clone()),
        dbus_address: Some(bus),
    });
    let err = screen.capture().unwrap_err();
    assert!(matches!(err, Error::ScreenPortalMissing { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(
            "cannot capture the screen of this Wayland session: no screenshot portal ("
        ) && message.contains("ServiceUnknown")
            && message.ends_with(
                "install xdg-desktop-portal and your desktop's portal (xdg-desktop-portal-gnome, \
                 -kde or -wlr), or save the QR code as an image and scan the file"
            ),
        "{message}"
    );
}

#[test]
fn no_display_at_all_is_a_clear_error() {
    let err = Screen::in_session(Session::default())
        .capture()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot capture the screen: no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is \
         set); save the QR code as an image and scan the file instead"
    );
}
