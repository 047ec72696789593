//! Where new accounts come from: text (a pasted or linked URI), an image file's bytes, a camera
//! frame, the clipboard, the screen. Each turns into parsed accounts through the core's `otpauth` and
//! `scan`; the payload text, which holds secrets, is zeroized after parsing.

use std::time::Duration;

use otentik::otpauth::{self, Parsed};
use otentik::scan::{self, Frame, PixelFormat, ScanOptions};
use zeroize::Zeroizing;

use crate::failure::{CommandResult, Failure};

/// Accounts in a pasted or linked text (`otpauth://` or `otpauth-migration://`).
pub fn from_text(text: &str) -> CommandResult<Vec<Parsed>> {
    Ok(otpauth::parse_any(text.trim())?)
}

/// Accounts in the QR code of an encoded image (PNG, JPEG, ...).
pub fn from_image(bytes: &[u8], what: &str) -> CommandResult<Vec<Parsed>> {
    let grey = scan::image_file::decode(bytes, what)?;
    from_frame(Frame::grey(&grey), what, &ScanOptions::default())?.ok_or_else(|| not_found(what))
}

/// Accounts in the QR code of one camera frame (RGBA); `None` when this frame shows none.
pub fn from_camera_frame(
    width: u32,
    height: u32,
    rgba: &[u8],
) -> CommandResult<Option<Vec<Parsed>>> {
    let frame = Frame::new(width, height, PixelFormat::Rgba, rgba)?;
    let options = ScanOptions {
        budget: Duration::from_millis(150),
        ..ScanOptions::default()
    };
    from_frame(frame, "from the camera", &options)
}

/// Accounts from the clipboard: an `otpauth` text, or an image holding the QR code.
pub fn from_clipboard() -> CommandResult<Vec<Parsed>> {
    let clipboard_failure =
        |reason: String| Failure::from(otentik::Error::ClipboardUnavailable { reason });
    let mut clipboard = arboard::Clipboard::new().map_err(|e| clipboard_failure(e.to_string()))?;
    if let Ok(text) = clipboard.get_text() {
        let text = Zeroizing::new(text);
        if !text.trim().is_empty() {
            return from_text(&text);
        }
    }
    match clipboard.get_image() {
        Ok(image) => {
            let width = u32::try_from(image.width).unwrap_or(u32::MAX);
            let height = u32::try_from(image.height).unwrap_or(u32::MAX);
            let frame = Frame::new(width, height, PixelFormat::Rgba, &image.bytes)?;
            let what = "from the clipboard";
            from_frame(frame, what, &ScanOptions::default())?.ok_or_else(|| not_found(what))
        }
        Err(_) => Err(otentik::Error::ClipboardEmpty.into()),
    }
}

/// Scans one frame: `None` when no QR code was read at all.
fn from_frame(
    frame: Frame<'_>,
    what: &str,
    options: &ScanOptions,
) -> CommandResult<Option<Vec<Parsed>>> {
    let outcome = scan::scan(frame, options);
    if let Some(found) = outcome.authenticator() {
        let text = Zeroizing::new(found.text.clone());
        return from_text(&text).map(Some);
    }
    if outcome.found.is_empty() {
        return Ok(None);
    }
    Err(otentik::Error::NotAuthenticatorQr {
        what: what.to_owned(),
    }
    .into())
}

fn not_found(what: &str) -> Failure {
    otentik::Error::QrNotFound {
        what: what.to_owned(),
    }
    .into()
}

/// Accounts in a QR code on the screen (every monitor, through the core's screen source).
pub fn from_screen() -> CommandResult<Vec<Parsed>> {
    let mut screen = scan::screen::Screen::new();
    let found = scan::find_authenticator(&mut screen, &ScanOptions::default())?;
    let text = Zeroizing::new(found.text.clone());
    from_text(&text)
}
