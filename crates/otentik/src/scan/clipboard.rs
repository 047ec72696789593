//! The clipboard: an image (a screenshot of the QR code) or text (an `otpauth://` link),
//! through arboard (X11 and XWayland on Linux, macOS, Windows).

use image::GrayImage;

use super::pipeline::{Frame, PixelFormat};
use super::source::{Capture, Source};
use crate::error::{Error, Result};

/// The system clipboard as a [`Source`]: its image if it holds one, and its text if it holds
/// some.
#[derive(Debug, Default)]
pub struct Clipboard;

impl Source for Clipboard {
    fn describe(&self) -> String {
        "on the clipboard".to_owned()
    }

    fn capture(&mut self) -> Result<Vec<Capture>> {
        let mut clipboard =
            arboard::Clipboard::new().map_err(|err| Error::ClipboardUnavailable {
                reason: err.to_string(),
            })?;
        // A read that fails means "nothing of that kind" (X11 owners answer a request for a
        // format they do not offer with an error of the wrong type), unless the clipboard
        // itself is out of reach.
        let unavailable = |err: arboard::Error| match err {
            arboard::Error::ClipboardOccupied | arboard::Error::ClipboardNotSupported => {
                Some(Error::ClipboardUnavailable {
                    reason: err.to_string(),
                })
            }
            _ => None,
        };
        let mut captures = Vec::new();
        match clipboard.get_image() {
            Ok(image) => captures.push(Capture::Image(grey_from_rgba(
                image.width,
                image.height,
                &image.bytes,
            )?)),
            Err(err) => {
                if let Some(err) = unavailable(err) {
                    return Err(err);
                }
            }
        }
        match clipboard.get_text() {
            Ok(text) if !text.trim().is_empty() => captures.push(Capture::Text(text)),
            Ok(_) => {}
            Err(err) => {
                if let (Some(err), true) = (unavailable(err), captures.is_empty()) {
                    return Err(err);
                }
            }
        }
        if captures.is_empty() {
            return Err(Error::ClipboardEmpty);
        }
        Ok(captures)
    }
}

fn grey_from_rgba(width: usize, height: usize, bytes: &[u8]) -> Result<GrayImage> {
    let too_large = || Error::ImageTooLarge {
        what: "on the clipboard".to_owned(),
        width: u32::try_from(width).unwrap_or(u32::MAX),
        height: u32::try_from(height).unwrap_or(u32::MAX),
        max: super::image_file::MAX_SIDE,
    };
    let (w, h) = match (u32::try_from(width), u32::try_from(height)) {
        (Ok(w), Ok(h)) if w <= super::image_file::MAX_SIDE && h <= super::image_file::MAX_SIDE => {
            (w, h)
        }
        _ => return Err(too_large()),
    };
    let frame = Frame::new(w, h, PixelFormat::Rgba, bytes)?;
    Ok(frame.to_grey_image())
}
