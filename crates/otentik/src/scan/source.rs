//! What every source (image file, clipboard, screen) hands to the pipeline, and the two calls
//! front ends make: [`scan_source`] (everything read) and [`find_authenticator`] (the account
//! to add, or an error that says what to do).

use std::time::Duration;

use image::GrayImage;

use super::decoders::Decoder;
use super::pipeline::{Found, Frame, ScanOptions, ScanOutcome, is_authenticator, scan};
use crate::error::{Error, Result};

/// One thing a source captured.
#[derive(Clone)]
pub enum Capture {
    /// An image to scan (a file, a monitor, a clipboard image).
    Image(GrayImage),
    /// Text handed over as is (an `otpauth://` link copied to the clipboard). May hold a
    /// secret: never log it.
    Text(String),
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Capture::Image(image) => write!(f, "Image({}×{})", image.width(), image.height()),
            Capture::Text(text) => write!(f, "Text(<{} bytes, redacted>)", text.len()),
        }
    }
}

/// Something that can be asked for images or text to scan: an image file, the clipboard, the
/// screen. Tests implement it to drive the pipeline without hardware.
pub trait Source {
    /// Where the source looks, for messages: "in 'shot.png'", "on the screen", ...
    fn describe(&self) -> String;
    /// Captures now. An empty list is allowed (nothing to scan).
    fn capture(&mut self) -> Result<Vec<Capture>>;
}

/// Captures from `source` and scans every capture; texts are taken as payloads as they are.
/// With [`super::Want::Authenticator`] it stops at the first capture that holds one.
pub fn scan_source(source: &mut dyn Source, options: &ScanOptions) -> Result<ScanOutcome> {
    let mut total = ScanOutcome::default();
    for capture in source.capture()? {
        let outcome = match capture {
            Capture::Image(image) => scan(Frame::grey(&image), options),
            Capture::Text(text) => text_outcome(text),
        };
        total.attempts += outcome.attempts;
        total.panics += outcome.panics;
        total.out_of_time |= outcome.out_of_time;
        total.elapsed += outcome.elapsed;
        for found in outcome.found {
            if !total.found.iter().any(|f| f.text == found.text) {
                total.found.push(found);
            }
        }
        let done = match options.want {
            super::Want::Authenticator => total.authenticator().is_some(),
            super::Want::AnyText => !total.found.is_empty(),
        };
        if done {
            break;
        }
    }
    Ok(total)
}

/// The authenticator payload `source` shows, or [`Error::QrNotFound`] /
/// [`Error::NotAuthenticatorQr`] naming where it looked.
pub fn find_authenticator(source: &mut dyn Source, options: &ScanOptions) -> Result<Found> {
    let options = ScanOptions {
        want: super::Want::Authenticator,
        ..options.clone()
    };
    let outcome = scan_source(source, &options)?;
    if let Some(found) = outcome.authenticator() {
        return Ok(found.clone());
    }
    if outcome.found.is_empty() {
        Err(Error::QrNotFound {
            what: source.describe(),
        })
    } else {
        Err(Error::NotAuthenticatorQr {
            what: source.describe(),
        })
    }
}

fn text_outcome(text: String) -> ScanOutcome {
    let text = text.trim().to_owned();
    if text.is_empty() {
        return ScanOutcome::default();
    }
    ScanOutcome {
        found: vec![Found {
            authenticator: is_authenticator(&text),
            text,
            decoder: Decoder::Text,
            steps: Vec::new(),
            elapsed: Duration::ZERO,
        }],
        ..ScanOutcome::default()
    }
}

#[cfg(test)]
mod tests {
    use image::Luma;

    use super::*;

    const URI: &str = "otpauth://totp/SPSE:budi?secret=JBSWY3DPEHPK3PXP&issuer=SPSE";

    struct Fixed(Vec<Capture>);

    impl Source for Fixed {
        fn describe(&self) -> String {
            "in the test source".to_owned()
        }
        fn capture(&mut self) -> Result<Vec<Capture>> {
            Ok(self.0.clone())
        }
    }

    fn qr(text: &str) -> GrayImage {
        qrcode::QrCode::new(text)
            .map(|code| code.render::<Luma<u8>>().module_dimensions(4, 4).build())
            .unwrap_or_default()
    }

    #[test]
    fn pasted_text_is_a_payload_without_decoding() {
        let mut source = Fixed(vec![Capture::Text(format!("  {URI}\n"))]);
        let found = find_authenticator(&mut source, &ScanOptions::default());
        let found = found.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found.text, URI);
        assert_eq!(found.decoder, Decoder::Text);
    }

    #[test]
    fn the_second_monitor_is_scanned_when_the_first_has_nothing() {
        let blank = GrayImage::from_pixel(50, 50, Luma([255]));
        let mut source = Fixed(vec![Capture::Image(blank), Capture::Image(qr(URI))]);
        let found = find_authenticator(&mut source, &ScanOptions::default());
        assert_eq!(found.map(|f| f.text).ok().as_deref(), Some(URI));
    }

    #[test]
    fn nothing_found_and_wrong_kind_are_told_apart() {
        let blank = GrayImage::from_pixel(50, 50, Luma([255]));
        let mut source = Fixed(vec![Capture::Image(blank), Capture::Text(String::new())]);
        let err = find_authenticator(&mut source, &ScanOptions::default()).err();
        assert!(matches!(err, Some(Error::QrNotFound { .. })), "{err:?}");

        let mut source = Fixed(vec![Capture::Image(qr("https://lpse.example.go.id/"))]);
        let err = find_authenticator(&mut source, &ScanOptions::default()).err();
        assert!(
            matches!(err, Some(Error::NotAuthenticatorQr { .. })),
            "{err:?}"
        );
        assert_eq!(
            err.map(|e| e.to_string()).unwrap_or_default(),
            "the QR code in the test source is not an authenticator code: look for the QR code \
             the site shows when you enable two-step verification (TOTP)"
        );
    }

    #[test]
    fn capture_debug_redacts_text() {
        let debug = format!("{:?}", Capture::Text(URI.to_owned()));
        assert!(!debug.contains("JBSW"), "{debug}");
    }
}
