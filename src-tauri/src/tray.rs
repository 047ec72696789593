//! The tray icon: it shows whether login requests wait (a red dot and a count in the
//! tooltip), opens the window on a click, and offers Kunci sekarang and Keluar. While it exists, closing the
//! window hides it so requests keep arriving; a second launch shows the window again.

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Runtime};

use crate::approvals::Language;
use crate::{link, locking};

/// The tray icon's id.
pub const ID: &str = "main";

const IDLE: &[u8] = include_bytes!("../../icons/tray.png");
const WAITING: &[u8] = include_bytes!("../../icons/tray-alert.png");

/// Creates the tray icon. Fails where the desktop has no tray support.
pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let show = MenuItem::with_id(app, "show", "Buka Otentik / Open", true, None::<&str>)?;
    let lock = MenuItem::with_id(app, "lock", "Kunci sekarang / Lock now", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Keluar / Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &lock, &quit])?;
    TrayIconBuilder::with_id(ID)
        .icon(Image::from_bytes(IDLE)?)
        .tooltip(tooltip(0, Language::Id))
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "show" => link::show(app),
            "lock" => {
                // Off the event loop: a network call may hold the vault for a while.
                let app = app.clone();
                std::thread::spawn(move || locking::lock_app(&app, "tray"));
            }
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                link::show(tray.app_handle());
            }
        })
        .build(app)?;
    Ok(())
}

/// Shows how many requests wait.
pub fn update<R: Runtime>(app: &AppHandle<R>, waiting: usize, language: Language) {
    let Some(tray) = app.tray_by_id(ID) else {
        return;
    };
    let icon = if waiting > 0 { WAITING } else { IDLE };
    if let Ok(image) = Image::from_bytes(icon) {
        let _ = tray.set_icon(Some(image));
    }
    let _ = tray.set_tooltip(Some(tooltip(waiting, language)));
}

/// The tooltip for `waiting` requests in `language`.
pub fn tooltip(waiting: usize, language: Language) -> String {
    match (waiting, language) {
        (0, Language::En) => "Otentik: no login requests".to_owned(),
        (1, Language::En) => "Otentik: 1 login request waiting".to_owned(),
        (n, Language::En) => format!("Otentik: {n} login requests waiting"),
        (0, Language::Id) => "Otentik: tidak ada permintaan login".to_owned(),
        (n, Language::Id) => format!("Otentik: {n} permintaan login menunggu"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tooltip_counts_waiting_requests() {
        assert_eq!(
            tooltip(0, Language::Id),
            "Otentik: tidak ada permintaan login"
        );
        assert_eq!(
            tooltip(2, Language::Id),
            "Otentik: 2 permintaan login menunggu"
        );
        assert_eq!(tooltip(1, Language::En), "Otentik: 1 login request waiting");
        assert_eq!(
            tooltip(3, Language::En),
            "Otentik: 3 login requests waiting"
        );
    }

    #[test]
    fn both_icons_are_pngs() {
        assert!(Image::from_bytes(IDLE).is_ok());
        assert!(Image::from_bytes(WAITING).is_ok());
    }
}
