//! Pure Wayland: a screenshot through the XDG desktop portal
//! (`org.freedesktop.portal.Screenshot`, via ashpd over zbus), which the desktop may confirm
//! with the user first. The portal saves a PNG and answers with its `file://` URI: the file is
//! read, deleted when it is a temporary file of ours, and decoded like any image file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ashpd::desktop::screenshot::Screenshot;
use ashpd::zbus;

use crate::error::{Error, Result};
use crate::scan::image_file;
use crate::scan::source::Capture;

/// The whole desktop, as the portal sees it, through the session bus at `bus` (or the one the
/// D-Bus library finds by itself).
pub(super) fn capture(bus: Option<&str>, timeout: Duration) -> Result<Vec<Capture>> {
    let uri = screenshot_uri(bus, timeout)?;
    let path = local_path(&uri)?;
    let bytes = std::fs::read(&path);
    if is_ours_to_delete(&path, &std::env::temp_dir()) {
        // Best effort: a screenshot left behind in the temporary directory is no data loss.
        let _ = std::fs::remove_file(&path);
    }
    let bytes = bytes.map_err(|err| Error::ScreenCapture {
        reason: format!(
            "cannot read the screenshot the desktop portal saved ('{}'): {err}",
            path.display()
        ),
    })?;
    let image = image_file::decode(&bytes, "from the screenshot")?;
    Ok(vec![Capture::Image(image)])
}

/// Asks the portal for a non-interactive screenshot and waits for its answer, on a thread of
/// its own with its own runtime (callers may already be inside an async runtime).
fn screenshot_uri(bus: Option<&str>, timeout: Duration) -> Result<String> {
    let bus = bus.map(str::to_owned);
    let worker = std::thread::Builder::new()
        .name("otentik-screenshot-portal".to_owned())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|err| Error::ScreenCapture {
                    reason: format!("cannot start the D-Bus client: {err}"),
                })?;
            runtime
                .block_on(async { tokio::time::timeout(timeout, request(bus.as_deref())).await })
                .unwrap_or_else(|_| {
                    Err(Error::ScreenCapture {
                        reason: format!(
                            "the desktop portal did not answer within {} s",
                            timeout.as_secs()
                        ),
                    })
                })
        })
        .map_err(|err| Error::ScreenCapture {
            reason: format!("cannot start the screenshot thread: {err}"),
        })?;
    worker.join().unwrap_or_else(|_| {
        Err(Error::ScreenCapture {
            reason: "the desktop portal client failed unexpectedly".to_owned(),
        })
    })
}

async fn request(bus: Option<&str>) -> Result<String> {
    let connection = match bus {
        Some(address) => match zbus::connection::Builder::address(address) {
            Ok(builder) => builder.build().await,
            Err(err) => Err(err),
        },
        None => zbus::Connection::session().await,
    }
    .map_err(|err| Error::ScreenPortalMissing {
        reason: format!("no D-Bus session bus: {err}"),
    })?;
    let answer = Screenshot::request()
        .interactive(false)
        .modal(true)
        .connection(Some(connection))
        .send()
        .await
        .and_then(|request| request.response())
        .map_err(|err| portal_error(&err))?;
    Ok(answer.uri().as_str().to_owned())
}

/// The D-Bus errors that mean nobody on the bus offers the Screenshot portal.
const MISSING: &[&str] = &[
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.UnknownMethod",
    "org.freedesktop.DBus.Error.UnknownInterface",
    "org.freedesktop.DBus.Error.UnknownObject",
];

/// What an ashpd error means for the user.
fn portal_error(err: &ashpd::Error) -> Error {
    use ashpd::PortalError;
    use ashpd::desktop::ResponseError;
    match err {
        ashpd::Error::Response(ResponseError::Cancelled)
        | ashpd::Error::Portal(PortalError::Cancelled(_)) => Error::ScreenCaptureCancelled,
        ashpd::Error::Response(ResponseError::Other) => Error::ScreenCaptureDenied {
            reason: "the desktop portal did not take the screenshot".to_owned(),
        },
        ashpd::Error::Portal(PortalError::NotAllowed(reason)) => Error::ScreenCaptureDenied {
            reason: reason.clone(),
        },
        ashpd::Error::PortalNotFound(interface) => Error::ScreenPortalMissing {
            reason: format!("the desktop portal does not offer {interface}"),
        },
        ashpd::Error::Zbus(zbus_err) | ashpd::Error::Portal(PortalError::ZBus(zbus_err)) => {
            match dbus_error_name(zbus_err) {
                Some(name)
                    if MISSING.contains(&name.as_str())
                        || name.starts_with("org.freedesktop.DBus.Error.Spawn.") =>
                {
                    Error::ScreenPortalMissing {
                        reason: zbus_err.to_string(),
                    }
                }
                _ => Error::ScreenCapture {
                    reason: format!("the desktop portal failed: {zbus_err}"),
                },
            }
        }
        other => Error::ScreenCapture {
            reason: format!("the desktop portal failed: {other}"),
        },
    }
}

fn dbus_error_name(err: &zbus::Error) -> Option<String> {
    match err {
        zbus::Error::MethodError(name, _, _) => Some(name.as_str().to_owned()),
        zbus::Error::FDO(fdo) => Some(zbus::DBusError::name(fdo.as_ref()).as_str().to_owned()),
        _ => None,
    }
}

/// The local file a `file://` URI names.
fn local_path(uri: &str) -> Result<PathBuf> {
    url::Url::parse(uri)
        .ok()
        .filter(|url| url.scheme() == "file")
        .and_then(|url| url.to_file_path().ok())
        .ok_or_else(|| Error::ScreenCapture {
            reason: format!("the desktop portal answered with '{uri}', not a local file"),
        })
}

/// Whether the portal's file is a temporary one of ours: directly in `temp_dir` and owned by
/// this process's user (xdg-desktop-portal-wlr writes `/tmp/out.png`). A screenshot the desktop
/// saved among the user's pictures (GNOME, KDE) is theirs, and stays.
fn is_ours_to_delete(path: &Path, temp_dir: &Path) -> bool {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let in_temp = match (path.parent().and_then(canonical), canonical(temp_dir)) {
        (Some(parent), Some(temp)) => parent == temp,
        _ => false,
    };
    in_temp && owned_by_us(path)
}

#[cfg(target_os = "linux")]
fn owned_by_us(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    // The owner of /proc/self is this process's user: no `unsafe` getuid needed.
    match (
        std::fs::symlink_metadata(path),
        std::fs::metadata("/proc/self"),
    ) {
        (Ok(file), Ok(me)) => file.is_file() && file.uid() == me.uid(),
        _ => false,
    }
}

#[cfg(not(target_os = "linux"))]
fn owned_by_us(_path: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_files_are_read() {
        assert_eq!(
            local_path("file:///tmp/out%20one.png").ok(),
            Some(PathBuf::from("/tmp/out one.png"))
        );
        for uri in [
            "https://example.com/out.png",
            "not a uri",
            "file://host/out.png",
        ] {
            let err = local_path(uri).err();
            assert!(
                matches!(err, Some(Error::ScreenCapture { .. })),
                "{uri}: {err:?}"
            );
        }
    }

    #[test]
    fn only_our_own_temporary_files_are_deleted() {
        let temp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let shot = temp.path().join("out.png");
        std::fs::write(&shot, b"png").unwrap_or_else(|e| panic!("{e}"));
        assert!(is_ours_to_delete(&shot, temp.path()));

        // Among the user's pictures, or missing, or a directory: kept.
        let pictures = temp.path().join("Pictures");
        std::fs::create_dir(&pictures).unwrap_or_else(|e| panic!("{e}"));
        let kept = pictures.join("Screenshot.png");
        std::fs::write(&kept, b"png").unwrap_or_else(|e| panic!("{e}"));
        assert!(!is_ours_to_delete(&kept, temp.path()));
        assert!(!is_ours_to_delete(
            &temp.path().join("gone.png"),
            temp.path()
        ));
        assert!(!is_ours_to_delete(&pictures, temp.path()));
    }

    #[test]
    fn portal_answers_become_specific_errors() {
        use ashpd::PortalError;
        use ashpd::desktop::ResponseError;
        let cancelled = portal_error(&ashpd::Error::Response(ResponseError::Cancelled));
        assert!(
            matches!(cancelled, Error::ScreenCaptureCancelled),
            "{cancelled:?}"
        );
        let refused = portal_error(&ashpd::Error::Response(ResponseError::Other));
        assert!(
            matches!(refused, Error::ScreenCaptureDenied { .. }),
            "{refused:?}"
        );
        let denied = portal_error(&ashpd::Error::Portal(PortalError::NotAllowed(
            "screenshots are disabled".to_owned(),
        )));
        assert_eq!(
            denied.to_string(),
            "the desktop refused the screenshot (screenshots are disabled): allow screenshots \
             for Otentik in the system's privacy settings, or save the QR code as an image and \
             scan the file"
        );
        let missing = portal_error(&ashpd::Error::PortalNotFound(
            zbus::names::OwnedInterfaceName::try_from("org.freedesktop.portal.Screenshot")
                .unwrap_or_else(|e| panic!("{e}")),
        ));
        assert!(
            matches!(missing, Error::ScreenPortalMissing { .. }),
            "{missing:?}"
        );
        let other = portal_error(&ashpd::Error::NoResponse);
        assert!(matches!(other, Error::ScreenCapture { .. }), "{other:?}");
    }

    #[test]
    fn no_session_bus_means_no_portal() {
        let err = capture(
            Some("unix:path=/nonexistent/otentik-test-bus"),
            Duration::from_secs(5),
        )
        .err();
        assert!(
            matches!(err, Some(Error::ScreenPortalMissing { .. })),
            "{err:?}"
        );
        let message = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("no D-Bus session bus"), "{message}");
    }
}
