//! Where new accounts come from: text (a pasted or linked URI), an image file's bytes, a camera
//! frame, the clipboard, the screen. Each turns into parsed accounts through the core's `otpauth` and
//! `scan`; the payload text, which holds secrets, is zeroized after parsing.

use std::time::Duration;

use otentik::otpauth::{self, Parsed};
use otentik::scan::{self, Frame, PixelFormat, ScanOptions, Source};
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

/// Accounts from the clipboard (an `otpauth` text, or an image holding the QR code), through the
/// core's clipboard source, as the CLI reads it.
pub fn from_clipboard() -> CommandResult<Vec<Parsed>> {
    from_source(&mut scan::clipboard::Clipboard)
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
    from_source(&mut scan::screen::Screen::new())
}

/// Accounts in what `source` captures: the first authenticator payload it holds.
fn from_source(source: &mut dyn Source) -> CommandResult<Vec<Parsed>> {
    let found = scan::find_authenticator(source, &ScanOptions::default())?;
    let text = Zeroizing::new(found.text.clone());
    from_text(&text)
}
