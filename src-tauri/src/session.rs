//! The desktop session's lock, over D-Bus: the app locks with the screen.
//!
//! Three signals mean "the person left the desk":
//! - logind's `Session.Lock` for this process's session (system bus; `loginctl lock-session`,
//!   and most desktops on screen lock);
//! - logind's `Manager.PrepareForSleep(true)` (the laptop is suspended);
//! - the screensaver's `ActiveChanged(true)` on the session bus, under the freedesktop name
//!   (KDE, Xfce, Cinnamon, MATE) or GNOME's.
//!
//! Each is watched on its own thread; a bus that is not there (no logind in a container, no
//! session bus) is logged and skipped: the idle lock still works.

/// Calls `on_lock` whenever the desktop session locks or sleeps.
#[cfg(target_os = "linux")]
pub fn watch(on_lock: impl Fn() + Send + Sync + 'static) {
    use std::sync::Arc;

    let on_lock: Arc<dyn Fn() + Send + Sync> = Arc::new(on_lock);
    for watcher in [
        linux::Watcher::ScreenSaver("org.freedesktop.ScreenSaver"),
        linux::Watcher::ScreenSaver("org.gnome.ScreenSaver"),
        linux::Watcher::SessionLock,
        linux::Watcher::Sleep,
    ] {
        let on_lock = on_lock.clone();
        let spawned = std::thread::Builder::new()
            .name("otentik-session".into())
            .spawn(move || {
                if let Err(error) = linux::run(&watcher, on_lock.as_ref()) {
                    tracing::info!(?watcher, %error, "not watching this desktop lock signal");
                }
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "the desktop session's lock is not watched");
        }
    }
}

/// Elsewhere, nothing is watched yet (the idle lock and Kunci sekarang still work).
#[cfg(not(target_os = "linux"))]
pub fn watch(_on_lock: impl Fn() + Send + Sync + 'static) {}

#[cfg(target_os = "linux")]
mod linux {
    use zbus::MatchRule;
    use zbus::blocking::{Connection, MessageIterator};
    use zbus::message::Type;
    use zbus::zvariant::OwnedObjectPath;

    const LOGIND: &str = "org.freedesktop.login1";

    /// One signal to watch.
    #[derive(Debug)]
    pub enum Watcher {
        /// `ActiveChanged(bool)` of the screensaver interface with this name (session bus).
        ScreenSaver(&'static str),
        /// logind's `Lock` of this process's session (system bus).
        SessionLock,
        /// logind's `PrepareForSleep(bool)` (system bus).
        Sleep,
    }

    /// Watches until the bus goes away.
    pub fn run(watcher: &Watcher, on_lock: &(dyn Fn() + Send + Sync)) -> zbus::Result<()> {
        let (connection, rule, carries_flag) = match watcher {
            Watcher::ScreenSaver(interface) => (
                Connection::session()?,
                MatchRule::builder()
                    .msg_type(Type::Signal)
                    .interface(*interface)?
                    .member("ActiveChanged")?
                    .build(),
                true,
            ),
            Watcher::SessionLock => {
                let connection = Connection::system()?;
                let session = own_session(&connection)?;
                let rule = MatchRule::builder()
                    .msg_type(Type::Signal)
                    .sender(LOGIND)?
                    .interface("org.freedesktop.login1.Session")?
                    .member("Lock")?
                    .path(session)?
                    .build()
                    .to_owned();
                (connection, rule, false)
            }
            Watcher::Sleep => (
                Connection::system()?,
                MatchRule::builder()
                    .msg_type(Type::Signal)
                    .sender(LOGIND)?
                    .interface("org.freedesktop.login1.Manager")?
                    .member("PrepareForSleep")?
                    .build(),
                true,
            ),
        };
        for message in MessageIterator::for_match_rule(rule, &connection, Some(16))? {
            let message = message?;
            let locks = !carries_flag || message.body().deserialize::<bool>().unwrap_or(false);
            if locks {
                on_lock();
            }
        }
        Ok(())
    }

    /// The object path of the logind session this process belongs to.
    fn own_session(connection: &Connection) -> zbus::Result<OwnedObjectPath> {
        let reply = connection.call_method(
            Some(LOGIND),
            "/org/freedesktop/login1",
            Some("org.freedesktop.login1.Manager"),
            "GetSessionByPID",
            &(std::process::id()),
        )?;
        reply.body().deserialize()
    }
}
