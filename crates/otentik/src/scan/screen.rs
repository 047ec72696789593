//! Screen capture of every monitor, where the QR code usually is (the site is open in the
//! browser on the same computer).
//!
//! Which way depends on the graphical session ([`Session`]):
//! 1. an X11 display (`DISPLAY`, also set under XWayland): `x11`, one `GetImage` per monitor;
//! 2. else a Wayland session (`WAYLAND_DISPLAY`): `portal`, the XDG desktop portal's
//!    `org.freedesktop.portal.Screenshot`, which may ask the user first;
//! 3. else a clear error that says what to do instead.
//!
//! See `docs/decisions/0003-scan-decoders.md` ("Sources").

mod portal;
mod x11;

use std::time::Duration;

use super::source::{Capture, Source};
use crate::error::{Error, Result};

/// How long the desktop portal may take to answer (it may show the user a dialog first).
pub const PORTAL_TIMEOUT: Duration = Duration::from_secs(120);

/// The graphical session to capture: the three environment variables that locate it, held
/// explicitly so callers (and tests) can point at another session than the process's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    /// The X11 display (`DISPLAY`), e.g. `":0"`.
    pub display: Option<String>,
    /// The Wayland display (`WAYLAND_DISPLAY`), e.g. `"wayland-0"`.
    pub wayland_display: Option<String>,
    /// The D-Bus session bus the desktop portal is on (`DBUS_SESSION_BUS_ADDRESS`); `None`
    /// lets the D-Bus library find it the usual way (`$XDG_RUNTIME_DIR/bus`).
    pub dbus_address: Option<String>,
}

impl Session {
    /// The session this process runs in, from its environment; empty variables count as unset.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Session {
            display: var("DISPLAY"),
            wayland_display: var("WAYLAND_DISPLAY"),
            dbus_address: var("DBUS_SESSION_BUS_ADDRESS"),
        }
    }
}

/// The way a [`Session`] is captured.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route<'a> {
    X11(&'a str),
    Portal(Option<&'a str>),
}

impl Session {
    /// X11 first (it needs no permission and sees every monitor), then the portal.
    fn route(&self) -> Result<Route<'_>> {
        fn set(v: &Option<String>) -> Option<&str> {
            v.as_deref().filter(|v| !v.is_empty())
        }
        if let Some(display) = set(&self.display) {
            Ok(Route::X11(display))
        } else if set(&self.wayland_display).is_some() {
            Ok(Route::Portal(set(&self.dbus_address)))
        } else {
            Err(Error::ScreenCapture {
                reason: "no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
                    .to_owned(),
            })
        }
    }
}

/// Every monitor of the screen as a [`Source`]: one grey image per monitor (X11), or one
/// screenshot of the whole desktop (Wayland portal).
#[derive(Debug, Clone)]
pub struct Screen {
    session: Session,
    portal_timeout: Duration,
}

impl Default for Screen {
    fn default() -> Self {
        Screen::new()
    }
}

impl Screen {
    /// The session this process runs in ([`Session::from_env`]).
    pub fn new() -> Self {
        Screen::in_session(Session::from_env())
    }

    /// An explicit X11 display, e.g. `":99"`.
    pub fn on_display(display: &str) -> Self {
        Screen::in_session(Session {
            display: Some(display.to_owned()),
            ..Session::default()
        })
    }

    /// An explicit graphical session.
    pub fn in_session(session: Session) -> Self {
        Screen {
            session,
            portal_timeout: PORTAL_TIMEOUT,
        }
    }

    /// How long the desktop portal may take to answer ([`PORTAL_TIMEOUT`] by default).
    pub fn with_portal_timeout(mut self, timeout: Duration) -> Self {
        self.portal_timeout = timeout;
        self
    }
}

impl Source for Screen {
    fn describe(&self) -> String {
        "on the screen".to_owned()
    }

    fn capture(&mut self) -> Result<Vec<Capture>> {
        match self.session.route()? {
            Route::X11(display) => x11::capture(display),
            Route::Portal(bus) => portal::capture(bus, self.portal_timeout),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(display: Option<&str>, wayland: Option<&str>, bus: Option<&str>) -> Session {
        Session {
            display: display.map(str::to_owned),
            wayland_display: wayland.map(str::to_owned),
            dbus_address: bus.map(str::to_owned),
        }
    }

    #[test]
    fn x11_first_then_the_portal_then_a_clear_error() {
        let both = session(Some(":0"), Some("wayland-0"), Some("unix:path=/bus"));
        assert_eq!(both.route().ok(), Some(Route::X11(":0")));
        let wayland = session(Some(""), Some("wayland-0"), Some("unix:path=/bus"));
        assert_eq!(
            wayland.route().ok(),
            Some(Route::Portal(Some("unix:path=/bus")))
        );
        let no_bus = session(None, Some("wayland-0"), Some(""));
        assert_eq!(no_bus.route().ok(), Some(Route::Portal(None)));
        let err = session(None, Some(""), None).route().err();
        assert!(matches!(err, Some(Error::ScreenCapture { .. })), "{err:?}");
    }
}
